"""Every number of the README's "The shipped model" section, read back from the files `shipped_tables.sh` writes.

Run after `bash nbs/experiments/shipped_tables.sh all` (or as its `summary` part); prints one block per README table,
in the README's order, so that updating the section is copying, not searching. First of all, the README's
"Results at a glance" table (its top), in markdown. Usage:

    python nbs/experiments/shipped_summary.py [FIGURES_DIR] [WEIGHTS]      # defaults: figures, mamba_flow/assets/v2_fast.pt
"""
import json, math, sys
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

def rms_std(r: dict) -> float:
    "The samples' RMS per-pixel std (the one comparable with an RMS error); results before `rms_std_missing` was logged: from its definition,"
    "calibration = RMSE / (RMS std sqrt(1 + 1/k))."
    return r.get('rms_std_missing') or r['rmse_missing'] / (r['calibration'] * math.sqrt(1 + 1 / r['samples']))

def glance(figs: Path, weights: Path, target=(24.9, 0.85), photo_target=0.5) -> str:
    "The README's top table: the shipped weights against biharmonic and the long run's targets, on the test images and the photo crops."
    import torch
    minutes = torch.load(weights, map_location='cpu', weights_only=True)['cpu_s'] / 60
    test, mirror = (results(figs, n)['32'] for n in ('eval_v2_fast_test_euler1', 'eval_v2_fast_test_euler1_mirror'))
    k8 = results(figs, 'eval_v2_fast_test_heun10_k8')['32']
    bih = json.loads((figs / 'compare_test_distance.json').read_text())['classical']['biharmonic']
    photos = json.loads((figs / 'compare_photos.json').read_text())
    field = next(iter(photos['models'].values()))     # the shipped weights come first in shipped_tables.sh
    sizes = ('64', '128')
    base = {s: photos['classical_multiscale'][s]['biharmonic + bicubic']['psnr'] for s in sizes}
    ours = {s: field[s]['psnr'] for s in sizes}
    two = lambda d, fmt: ' / '.join(format(d[s], fmt) for s in sizes)
    aim = {s: base[s] + photo_target for s in sizes}
    gain = {s: ours[s] - base[s] for s in sizes}
    mirrored = results(figs, 'eval_v2_fast_photos_mirror')
    gain_mirror = {s: mirrored[s]['psnr'] - base[s] for s in sizes}
    return '\n'.join([
        f"| | shipped fast V2 (0.24M parameters, {minutes:,.0f} CPU minutes) | biharmonic | target (the long run) |",
        "|---|---:|---:|---:|",
        f"| exact CIFAR-10 test, all 1,017, posterior mean: PSNR (dB) / SSIM | **{pair(test)}** | {pair(bih)} | {target[0]:.2f} / {target[1]:.3f} |",
        f"| the same, averaged with the mirrored problem (`--mirror`) | {pair(mirror)} | | |",
        f"| first 128, Heun 10 steps, mean of 8 samples | {pair(k8)} | | |",
        f"| the same 8 samples: RMS per-pixel std / RMS error of their mean (8-bit levels), calibration | "
        f"{rms_std(k8):.1f} / {k8['rmse_missing']:.1f}, {k8['calibration']:.2f} | | 1 (calibrated) |",
        f"| photo crops (zero-shot), 64 / 128 px: PSNR (dB) | {two(ours, '.2f')} | {two(base, '.2f')} (then bicubic) | {two(aim, '.2f')} |",
        f"| the same, gain over biharmonic-then-bicubic (dB) | **{two(gain, '+.2f')}** | | +{photo_target:.2f} |",
        f"| the same gain, `--mirror` | {two(gain_mirror, '+.2f')} | | |"])

def main(figs: Path, weights: Path):
    print('## Results at a glance (the README\'s top)\n' + glance(figs, weights) + '\n')
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

if __name__ == '__main__': main(Path(sys.argv[1] if len(sys.argv) > 1 else 'figures'), Path(sys.argv[2] if len(sys.argv) > 2 else 'mamba_flow/assets/v2_fast.pt'))
