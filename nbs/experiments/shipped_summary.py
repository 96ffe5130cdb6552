"""Every number of the README's "The shipped model" section, read back from the files `shipped_tables.sh` writes.

Run after `bash nbs/experiments/shipped_tables.sh all` (or as its `summary` part); prints one block per README table,
in the README's order, so that updating the section is copying, not searching. Usage:

    python nbs/experiments/shipped_summary.py [FIGURES_DIR]      # default: figures
"""
import json, sys
from pathlib import Path

TEST = [('all 1,017, posterior mean', 'eval_v2_fast_test_euler1'), ('all 1,017, --mirror', 'eval_v2_fast_test_euler1_mirror'),
        ('first 128, posterior mean', 'eval_v2_fast_test128_euler1'), ('first 128, Heun 10, mean of 8', 'eval_v2_fast_test_heun10_k8'),
        ('first 128, Heun 10, one sample', 'eval_v2_fast_test_heun10_k1'), ('val 256, posterior mean', 'eval_v2_fast_val256_euler1'),
        ('val 256, --mirror', 'eval_v2_fast_val256_euler1_mirror'), ('val with exact pixels (525)', 'eval_v2_fast_valexact_euler1')]
SPREAD = ('std_missing', 'rmse_missing', 'calibration', 'std_error_spearman')

def results(figs: Path, name: str) -> dict:
    path = figs / f'{name}.json'
    if not path.exists(): raise SystemExit(f"{path} is missing: run `bash nbs/experiments/shipped_tables.sh all` first.")
    return json.loads(path.read_text())['results']

def pair(r: dict) -> str: return f"{r['psnr']:.2f} / {r['ssim']:.3f}"

def main(figs: Path):
    print('## 32 px: PSNR / SSIM, and PSNR by distance to the nearest input (1, 1.41, 2-2.24, 2.83+ px)')
    for label, name in TEST:
        r = results(figs, name)['32']
        bands = ' '.join(f"{b['psnr']:.2f}" for b in r.get('by_distance', {}).values())
        print(f"{label:32s} {r['psnr']:.3f} / {r['ssim']:.4f}   {bands}")
    k8 = results(figs, 'eval_v2_fast_test_heun10_k8')['32']
    print('Heun-10 x8 spread:', ', '.join(f"{k} {k8[k]:.3f}" for k in SPREAD if k in k8))
    for name in ('eval_v2_fast_photos_ceiling', 'eval_v2_fast_photos_mirror'):
        print(f'\n## photos, {name}: PSNR / SSIM')
        for key, r in results(figs, name).items():
            if 'psnr' in r: print(f"{key:36s} {pair(r)}")
    for md in ('compare_photos.md', 'compare_test_distance.md'):
        print(f'\n## {md}\n' + (figs / md).read_text().strip())

if __name__ == '__main__': main(Path(sys.argv[1] if len(sys.argv) > 1 else 'figures'))
