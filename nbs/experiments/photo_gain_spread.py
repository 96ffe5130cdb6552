"""How sure is the photo gain? Per crop and per photo, the gain of a checkpoint over biharmonic-then-bicubic on the 47 photo crops.

The README's photo number is a mean over 47 crops, and the crops come from 7 photos: crops of one photo share its content,
so they are not 47 independent samples. This scores the checkpoint (posterior mean: one Euler step from t = 0, inputs kept,
`eval`'s masks, seed 0; `--mirror` for the mirrored average) and biharmonic-then-bicubic per crop, and reports per size the
mean gain (the README's), its standard error over crops, 95% bootstrap intervals resampling crops and resampling whole
photos (the honest one), the share of crops above biharmonic, and each photo's own mean gain. Never used to choose weights.
Usage (about 2 minutes on one core):

    python nbs/experiments/photo_gain_spread.py --checkpoint mamba_flow/assets/v2_fast.pt --out figures/photo_gain_spread
"""
import argparse, sys
import numpy as np
import torch
from mamba_flow.evaluate import (area_resize, classical_multiscale, load_model, photo_crop_names, photo_crops, predict_fields,
                                 report, score_fields)

def per_crop_gains(checkpoint: str, scales: list[int], mirror: bool) -> tuple[dict[str, np.ndarray], list[str]]:
    "{size: (n,) PSNR gain of the checkpoint's field over biharmonic (then bicubic above 32 px)}, and each crop's photo."
    hr, names = photo_crops(), photo_crop_names()
    preds, info = predict_fields(load_model(checkpoint), area_resize(hr, 32), scales, 'euler', 1, progress=False, mirror=mirror)
    ours = score_fields(preds, info, hr, reduce=lambda m: m)
    base = classical_multiscale(hr, [s for s in scales if s > 32], reduce=lambda m: m)
    ref = lambda s: (base['32']['biharmonic'] if s == '32' else base[s]['biharmonic + bicubic'])['psnr']
    return {str(s): ours[str(s)]['psnr'] - ref(str(s)) for s in scales}, names

def bootstrap(gain: np.ndarray, groups: np.ndarray, n: int = 10000, seed: int = 0) -> tuple[float, float]:
    "95% interval of the mean gain over crops, resampling the `groups` (crop indices, or photo labels) with replacement."
    rng = np.random.default_rng(seed)
    ids = np.unique(groups)
    members = [np.flatnonzero(groups == g) for g in ids]
    means = [gain[np.concatenate([members[i] for i in rng.integers(0, len(ids), len(ids))])].mean() for _ in range(n)]
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)

def summary(gains: dict[str, np.ndarray], names: list[str], target: float) -> dict:
    "Per size: the mean gain, its s.e. over crops, crop and photo bootstrap intervals, the share above 0, and per-photo means."
    photos = np.array(names)
    out = {}
    for s, g in gains.items():
        out[s] = dict(mean=float(g.mean()), se_crops=float(g.std(ddof=1) / np.sqrt(len(g))), ci_crops=bootstrap(g, np.arange(len(g))),
                      ci_photos=bootstrap(g, photos), above_zero=float((g > 0).mean()), above_target=float((g > target).mean()),
                      per_photo={p: dict(n=int((photos == p).sum()), mean=float(g[photos == p].mean())) for p in dict.fromkeys(names)})
        out[s]['photo_weighted'] = float(np.mean([v['mean'] for v in out[s]['per_photo'].values()]))   # each photo counts once
    return out

def figure(gains: dict[str, np.ndarray], names: list[str], target: float, out: str):
    "Each crop's gain per photo (one panel per size), the photo means as bars, the target dashed."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    photos = list(dict.fromkeys(names)); lab = np.array(names)
    fig, axes = plt.subplots(1, len(gains), figsize=(4 * len(gains), 3.6), sharey=True)
    for ax, (s, g) in zip(np.atleast_1d(axes), gains.items()):
        for i, p in enumerate(photos):
            v = g[lab == p]
            ax.bar(i, v.mean(), color='0.85'); ax.plot(np.full(len(v), i), v, 'o', ms=3, c='C0')
        ax.axhline(target, ls='--', c='k', lw=1); ax.axhline(0, c='0.5', lw=0.8); ax.axhline(g.mean(), c='C3', lw=1)
        ax.set_xticks(range(len(photos)), [p[:10] for p in photos], rotation=60, fontsize=7)
        ax.set_title(f'{s} px: mean {g.mean():+.2f} dB (red)', fontsize=9)
    np.atleast_1d(axes)[0].set_ylabel('gain over biharmonic (then bicubic), dB')
    fig.tight_layout(); fig.savefig(out + '.png', dpi=120)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--checkpoint', default='mamba_flow/assets/v2_fast.pt'); p.add_argument('--scales', type=int, nargs='+', default=[32, 64, 128])
    p.add_argument('--mirror', action='store_true'); p.add_argument('--target', type=float, default=0.5); p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    gains, names = per_crop_gains(a.checkpoint, a.scales, a.mirror)
    res = summary(gains, names, a.target)
    sizes = list(res)
    rows = ['| | ' + ' | '.join(f'{s} px' for s in sizes) + ' |', '|---|' + '---:|' * len(sizes)]
    fmt = {'mean gain (dB; the README\'s)': lambda r: f"{r['mean']:+.3f}", 's.e. over crops': lambda r: f"{r['se_crops']:.3f}",
           'mean of the photos\' means (each photo once)': lambda r: f"{r['photo_weighted']:+.3f}",
           '95% interval, crops resampled': lambda r: f"{r['ci_crops'][0]:+.2f} to {r['ci_crops'][1]:+.2f}",
           '95% interval, photos resampled': lambda r: f"{r['ci_photos'][0]:+.2f} to {r['ci_photos'][1]:+.2f}",
           'crops above biharmonic': lambda r: f"{r['above_zero']:.0%}", f'crops above {a.target:+.1f}': lambda r: f"{r['above_target']:.0%}"}
    rows += [f'| {k} | ' + ' | '.join(f(res[s]) for s in sizes) + ' |' for k, f in fmt.items()]
    rows += ['', '| photo | crops | ' + ' | '.join(f'mean gain at {s} px' for s in sizes) + ' |', '|---|---:|' + '---:|' * len(sizes)]
    rows += [f"| {ph} | {v['n']} | " + ' | '.join(f"{res[s]['per_photo'][ph]['mean']:+.2f}" for s in sizes) + ' |'
             for ph, v in res[sizes[0]]['per_photo'].items()]
    head = (f"{a.checkpoint}{' (--mirror)' if a.mirror else ''} on the {len(names)} photo crops ({len(set(names))} photos), zero-shot, "
            "posterior mean (one Euler step from t = 0, inputs kept, masks seed 0): PSNR gain over biharmonic at 32 px, then bicubic")
    report(head, '\n'.join(rows), dict(checkpoint=a.checkpoint, mirror=a.mirror, names=names, gains={s: g.tolist() for s, g in gains.items()},
                                        summary=res), a.out)
    if a.out: figure(gains, names, a.target, a.out)

if __name__ == '__main__': sys.exit(main())
