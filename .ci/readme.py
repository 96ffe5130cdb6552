"""The readme step: render nbs/index.ipynb to README.md (run from the repository root).

nbdev's own `nbdev_readme` needs Quarto, which cannot be installed on machines without
internet access to Quarto's release downloads (PyPI's quarto-cli fetches it at build time).
This renders the same content the way nbdev does for a README: markdown cells as they are,
code cells as python blocks with their text outputs, and cells marked `#| hide` (or
`#| include: false`) left out; `#| echo: false` shows a cell's output without its code.
"""
import json, sys
from pathlib import Path

HEADER = '<!-- Generated from nbs/index.ipynb by `python .ci/readme.py`: edit the notebook, not this file. -->\n'

def directives(src: str) -> list[str]:
    return [l[3:].strip() for l in src.splitlines() if l.startswith('#|')]

def outputs(cell: dict) -> list[str]:
    res = []
    for o in cell.get('outputs', []):
        data = o.get('data', {})
        if 'text' in o: res.append(f"```\n{''.join(o['text']).rstrip()}\n```")
        elif 'text/markdown' in data: res.append(''.join(data['text/markdown']).rstrip())
        elif 'text/plain' in data: res.append(f"```\n{''.join(data['text/plain']).rstrip()}\n```")
    return res

def render(nb: dict) -> str:
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(src.strip()); continue
        ds = directives(src)
        if any(d in ('hide', 'include: false') or d.startswith('default_exp') for d in ds): continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code and 'echo: false' not in ds: parts.append(f"```python\n{code}\n```")
        parts += outputs(c)
    return HEADER + '\n\n'.join(p for p in parts if p) + '\n'

if __name__ == '__main__':
    root = Path(sys.argv[1] if len(sys.argv) > 1 else '.')
    nb = json.loads((root / 'nbs/index.ipynb').read_text(encoding='utf-8'))
    (root / 'README.md').write_text(render(nb), encoding='utf-8')
