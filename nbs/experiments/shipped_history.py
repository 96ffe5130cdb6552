"""The shipped model's history: every version of `mamba_flow/assets/v2_fast.pt` in git, with the numbers its re-ship measured.

No model is run. Each ship commit changed the weights file; the README's numbers for those weights are the files that
`shipped_tables.sh` wrote, as committed by the last commit before the next ship (the re-ship commits them; a later commit
of the same session may fix them). Per version: the CPU minutes behind the weights, the exact test (all 1,017, posterior
mean, and `--mirror`), the trainer's validation images (256, `eval`'s masks, and `--mirror`), Heun-10 mean of 8 on the
first 128, and the photo crops' gain over biharmonic-then-bicubic at 32, 64 and 128 px. A version whose files are
missing or older than its weights gets a blank. Usage (a few seconds):

    python nbs/experiments/shipped_history.py --out figures/shipped_history
"""
import argparse, json, subprocess, sys
from io import BytesIO
import numpy as np
import torch
from mamba_flow.evaluate import report

W = 'mamba_flow/assets/v2_fast.pt'
EVALS = {'test': 'eval_v2_fast_test_euler1', 'test_mirror': 'eval_v2_fast_test_euler1_mirror', 'val256': 'eval_v2_fast_val256_euler1',
         'val256_mirror': 'eval_v2_fast_val256_euler1_mirror', 'heun_k8': 'eval_v2_fast_test_heun10_k8'}

def git(*args: str, binary=False):
    out = subprocess.run(['git', *args], capture_output=True, check=True).stdout
    return out if binary else out.decode()

def ships(rev: str) -> list[str]:
    "The commits that changed the shipped weights, oldest first."
    hashes = git('log', '--format=%h', rev, '--', W).split()[::-1]
    if not hashes: raise SystemExit(f"{W} has no committed versions up to {rev}.")
    return hashes

def at(commit: str, path: str) -> dict | None:
    "The JSON file `path` as committed at `commit`, or None where it did not exist."
    try: return json.loads(git('show', f'{commit}:{path}'))
    except subprocess.CalledProcessError: return None

def changed_since(path: str, ship: str, until: str) -> bool:
    "Whether `path` was committed at `ship` or after it, up to `until`: else it still holds an older version's numbers."
    return bool(git('log', '--format=%h', f'{ship}^..{until}', '--', path).split())

def measures(ship: str, until: str) -> dict:
    "The re-ship's numbers for the weights committed at `ship`, read from the files as committed at `until`."
    row = {}
    for key, name in EVALS.items():
        path = f'figures/{name}.json'; d = at(until, path)
        if d and changed_since(path, ship, until): row[key] = {k: d['results']['32'][k] for k in ('psnr', 'ssim')}
    path = 'figures/compare_photos.json'; d = at(until, path)
    if d and 'classical_multiscale' in d and changed_since(path, ship, until):
        field, cm = next(iter(d['models'].values())), d['classical_multiscale']
        base = lambda s: (cm[s]['biharmonic'] if s == '32' else cm[s]['biharmonic + bicubic'])['psnr']
        row['photo_gain'] = {s: field[s]['psnr'] - base(s) for s in ('32', '64', '128') if s in field and s in cm}
    return row

def history(rev: str = 'HEAD') -> list[dict]:
    "One row per shipped version, oldest first: its commit, CPU minutes, and `measures`."
    hs = ships(rev)
    nexts = [git('rev-parse', '--short', f'{h}^').strip() for h in hs[1:]] + [rev]
    rows = []
    for h, until in zip(hs, nexts):
        w = torch.load(BytesIO(git('show', f'{h}:{W}', binary=True)), map_location='cpu', weights_only=True)
        rows.append(dict(commit=h, cpu_min=w['cpu_s'] / 60 if 'cpu_s' in w else None) | measures(h, until))
    return rows

def table(rows: list[dict]) -> str:
    pair = lambda r, k: f"{r[k]['psnr']:.2f} / {r[k]['ssim']:.3f}" if k in r else ''
    gain = lambda r: ' / '.join(f"{r['photo_gain'][s]:+.2f}" for s in ('32', '64', '128')) if len(r.get('photo_gain', {})) == 3 else ''
    lines = ['| commit | CPU min | test, all 1,017 | test, `--mirror` | val 256 | val 256, `--mirror` | test first 128, Heun-10 mean of 8 | photo gain at 32 / 64 / 128 px |',
             '|---|---:|---:|---:|---:|---:|---:|---:|']
    bare = [r['commit'] for r in rows if set(r) <= {'commit', 'cpu_min'}]
    for r in rows:
        if r['commit'] in bare: continue
        m = f"{r['cpu_min']:,.1f}" if r['cpu_min'] else ''
        lines.append(f"| {r['commit']} | {m} | {pair(r, 'test')} | {pair(r, 'test_mirror')} | {pair(r, 'val256')} | {pair(r, 'val256_mirror')} | "
                     f"{pair(r, 'heun_k8')} | {gain(r)} |")
    if bare: lines.append(f"\nShipped but never measured (replaced before a re-ship's tables): {', '.join(bare)}.")
    return '\n'.join(lines)

def paces(rows: list[dict], since: float) -> dict[str, float]:
    "Each column's slope on log2(CPU minutes) over the versions from `since` minutes on (dB per doubling)."
    out = {}
    for key in EVALS:
        r = [x for x in rows if key in x and x['cpu_min'] and x['cpu_min'] >= since]
        if len(r) >= 3: out[key] = float(np.polyfit(np.log2([x['cpu_min'] for x in r]), [x[key]['psnr'] for x in r], 1)[0])
    for s in ('32', '64', '128'):
        r = [x for x in rows if s in x.get('photo_gain', {}) and x['cpu_min'] and x['cpu_min'] >= since]
        if len(r) >= 3: out[f'photo_gain_{s}'] = float(np.polyfit(np.log2([x['cpu_min'] for x in r]), [x['photo_gain'][s] for x in r], 1)[0])
    return out

def figure(rows: list[dict], biharmonic: float, out: str):
    "Test PSNR (with and without the mirror) and the photo gains against CPU minutes, log2 axis; `biharmonic`: its test PSNR."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4.2))
    for key, label in (('test', 'test, posterior mean'), ('test_mirror', 'test, --mirror'), ('val256', 'validation 256')):
        r = [x for x in rows if key in x and x['cpu_min']]
        a.plot([x['cpu_min'] for x in r], [x[key]['psnr'] for x in r], 'o-', ms=3, label=label)
    a.axhline(biharmonic, ls='--', c='k', lw=1, label='biharmonic, test'); a.set_ylabel('PSNR (dB)')
    for s in ('32', '64', '128'):
        r = [x for x in rows if s in x.get('photo_gain', {}) and x['cpu_min']]
        b.plot([x['cpu_min'] for x in r], [x['photo_gain'][s] for x in r], 'o-', ms=3, label=f'{s} px')
    b.axhline(0.5, ls='--', c='k', lw=1, label='target +0.5'); b.axhline(0, c='0.5', lw=0.8)
    b.set_ylabel('photo gain over biharmonic, bicubic (dB)')
    for ax in (a, b):
        ax.set_xscale('log', base=2); ax.set_xlabel('training CPU minutes behind the shipped weights (log2 axis)')
        ax.grid(alpha=0.3, which='both'); ax.legend(fontsize=7)
    fig.suptitle('Every shipped version of v2_fast.pt, as its re-ship measured it', fontsize=10)
    fig.tight_layout(); fig.savefig(out + '.png', dpi=120)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--rev', default='HEAD', help='the commit to read the history up to'); p.add_argument('--out', default=None)
    p.add_argument('--since', type=float, default=190., help='fit the paces over the versions from this many CPU minutes on')
    a = p.parse_args()
    rows = history(a.rev); pace = paces(rows, a.since)
    head = (f"Every version of {W} in git up to {a.rev}, with the numbers its re-ship measured (posterior mean unless a column "
            "says otherwise; PSNR dB / SSIM; photo gain over biharmonic then bicubic, 47 crops, zero-shot). Blank: not measured then.")
    foot = (f"\n\nPace from {a.since:g} CPU minutes on (slope on log2 CPU minutes, dB per doubling): "
            + ', '.join(f'{k} {v:+.3f}' for k, v in pace.items()))
    report(head, table(rows) + foot, dict(rows=rows, since=a.since, paces=pace), a.out)
    if a.out: figure(rows, at(a.rev, 'figures/compare_test_distance.json')['classical']['biharmonic']['psnr'], a.out)

if __name__ == '__main__': sys.exit(main())
