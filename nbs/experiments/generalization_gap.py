"""Is the long run limited by what the model can fit, or by overfitting its training images? A train/validation gap over the campaign.

By 1,851 CPU minutes the campaign had shown each of its 45,000 training images about 140 times (new masks every epoch). If the model had begun to
memorise images, its gain over biharmonic would be larger on images it trained on than on held-out ones, and the gap would grow
with training: then augmentation (flips, `--hflip`) or more data would be the lever, not more steps. If there is no gap, the
0.24M-parameter model fits its training images no better than new ones, and only capacity or steps can move it.

For committed campaign weights spread over the campaign (`campaign/NAME/weights.pt` in git history, the commits nearest to
--minutes), the posterior mean (one Euler step from t = 0, inputs kept) is scored on the first --n images of the trainer's
*training* part and of its *validation* part, as the trainer saw them (JPEG with exact twins in place, the config's `exact`), masks
from `split_masks` seed 0. On the training part these are the masks of training epoch 0 (the trainer's seed 0, epoch 0), which
every start from committed weights replayed until the draws were made to go on (2026-12-07): the training side saw those pairs more
than once, so the gap, if anything, overstates memorisation. Both sets differ in difficulty, so the
gap is measured on the gain over biharmonic inpainting of the same inputs: (model - biharmonic) on train minus the same on
validation, with its standard error over images (two independent samples). Never on the test images. Usage (one thread, about
4 minutes per weights for --n 512, plus 2 minutes for biharmonic):

    python nbs/experiments/generalization_gap.py --campaign v2_fast --minutes 85 180 335 628 1104 1851 --rev HEAD --out figures/generalization_gap
"""
import argparse, subprocess, sys
from io import BytesIO
import numpy as np
import torch
from mamba_flow.data import load_images, split_masks, train_val_split
from mamba_flow.evaluate import classical_reconstruct, image_metrics, report
from segment_average import per_image_psnr            # the posterior mean's per-image PSNR under given weights (same folder)

def committed_versions(path: str, rev: str = 'HEAD') -> list[tuple[str, dict]]:
    "Every committed version of the weights file `path` up to `rev`, oldest first: [(short hash, exported weights dict)]."
    hashes = subprocess.run(['git', 'log', '--format=%h', rev, '--', path], capture_output=True, text=True, check=True).stdout.split()
    if not hashes: raise SystemExit(f"{path} has no committed versions up to {rev}: is this a campaign name (campaign/NAME/weights.pt)?")
    blob = lambda h: subprocess.run(['git', 'show', f'{h}:{path}'], capture_output=True, check=True).stdout
    return [(h, torch.load(BytesIO(blob(h)), weights_only=False)) for h in reversed(hashes)]

def nearest(versions: list[tuple[str, dict]], minutes: list[float]) -> list[tuple[str, dict]]:
    "The versions whose CPU minutes are nearest to each of `minutes` (repeats dropped), in order of CPU minutes."
    mins = np.array([w['cpu_s'] / 60 for _, w in versions])
    picks = sorted({int(np.abs(mins - m).argmin()) for m in minutes})
    return [versions[i] for i in picks]

def part_images(config: dict, n: int) -> dict[str, np.ndarray]:
    "The first `n` images (n, 32, 32, 3) uint8 of the trainer's training and validation parts, as it loads them."
    s = load_images(config['data'], 'train', exact=config.get('exact') or None)
    tr, va = train_val_split(len(s), config['val_fraction'], config['seed'])
    if n > len(va): raise SystemExit(f"--n {n} is more than the {len(va)} validation images.")
    return dict(train=s.images[tr[:n]], val=s.images[va[:n]])

def biharmonic_psnr(images: np.ndarray) -> np.ndarray:
    "(n,) PSNR of biharmonic inpainting from the same inputs as the model's (split_masks, ratio 0.2, seed 0)."
    inputs = split_masks(np.arange(len(images)), 32 * 32, 0.2, 0)[0]
    return image_metrics(np.stack([classical_reconstruct(im, i, 'biharmonic') for im, i in zip(images, inputs)]), images)['psnr']

def gap_row(h: str, cpu_min: float, m: dict, b: dict) -> tuple[str, dict]:
    "A table row and its numbers: model PSNR on each part, gain over biharmonic on each, and their difference with its standard error."
    g = {k: m[k] - b[k] for k in m}
    d = g['train'].mean() - g['val'].mean()
    se = np.sqrt(sum(x.var(ddof=1) / len(x) for x in g.values()))
    r = dict(commit=h, cpu_min=cpu_min, psnr_train=float(m['train'].mean()), psnr_val=float(m['val'].mean()),
             gain_train=float(g['train'].mean()), gain_val=float(g['val'].mean()), gap=float(d), gap_se=float(se))
    return (f"| {h} | {cpu_min:,.1f} | {r['psnr_train']:.3f} | {r['psnr_val']:.3f} | {r['gain_train']:+.3f} | {r['gain_val']:+.3f} | "
            f"{d:+.3f} | {se:.3f} |"), r

def figure(rows: list[dict], out: str):
    "Gain over biharmonic on each part against CPU minutes (log), and the gap with +-2 standard errors."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    x = [r['cpu_min'] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    a.plot(x, [r['gain_train'] for r in rows], 'o-', label='training images'); a.plot(x, [r['gain_val'] for r in rows], 's-', label='validation images')
    a.set(xscale='log', xlabel='training CPU minutes', ylabel='PSNR gain over biharmonic (dB)', title='posterior mean, same masks'); a.legend()
    b.errorbar(x, [r['gap'] for r in rows], yerr=[2 * r['gap_se'] for r in rows], fmt='o-', capsize=3); b.axhline(0, c='k', lw=0.8)
    b.set(xscale='log', xlabel='training CPU minutes', ylabel='gain on train minus gain on val (dB)', title='generalisation gap (+-2 s.e.)')
    fig.tight_layout(); fig.savefig(out + '.png', dpi=110)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--campaign', default='v2_fast'); p.add_argument('--minutes', type=float, nargs='+', default=[85, 180, 335, 628, 1104, 1851])
    p.add_argument('--n', type=int, default=512); p.add_argument('--rev', default='HEAD', help='the commit to read weights history up to')
    p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    versions = nearest(committed_versions(f'campaign/{a.campaign}/weights.pt', a.rev), a.minutes)
    images = part_images(versions[-1][1]['config'], a.n)
    bih = {k: biharmonic_psnr(v) for k, v in images.items()}
    table = ["| weights (commit) | CPU min | PSNR train | PSNR val | gain over biharmonic, train | gain, val | gap (train - val) | its s.e. |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    rows = []
    for h, w in versions:
        line, r = gap_row(h, w['cpu_s'] / 60, {k: per_image_psnr(w['weights'], w['config'], v) for k, v in images.items()}, bih)
        table.append(line); rows.append(r); print(line, flush=True)
    head = (f"campaign/{a.campaign}: first {a.n} images of the trainer's training and validation parts (config's data and exact), posterior "
            f"mean (Euler 1), masks split_masks seed 0; biharmonic {bih['train'].mean():.3f} (train) / {bih['val'].mean():.3f} (val)")
    report(head, '\n'.join(table), dict(n=a.n, biharmonic={k: float(v.mean()) for k, v in bih.items()}, rows=rows), a.out)
    if a.out: figure(rows, a.out)

if __name__ == '__main__': sys.exit(main())
