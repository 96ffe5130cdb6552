"""How far is the photo target? The zero-shot photo gain of the campaign's committed weights against CPU minutes.

The issue asks for +0.5 dB over biharmonic-then-bicubic on the photo crops at 64 and 128 px. Each closed segment commits its best
weights (`campaign/NAME/weights.pt` in git history); this scores those nearest to --minutes on the 47 photo crops, posterior mean
(one Euler step from t = 0, inputs kept, masks seed 0, as `mamba-flow eval --data photos`), against biharmonic at 32 px then
bicubic (`classical_multiscale`, computed once), and fits each size's gain on log2(CPU minutes) from --fit-from on: the slope, and
where the line reaches --target. The photos are never used to choose weights here: every version is scored, none is picked.
Usage (one thread; about 2 minutes per weights with the campaign training on both cores beside it):

    python nbs/experiments/photo_curve.py --campaign v2_fast --minutes 628 919 1099 1338 1521 1699 1851 2003 2206 2361 2449 2565 2659 2875 2949 \
        --fit-from 900 --out figures/photo_curve
Adding weights later: the same with their minutes added and `--rows-from figures/photo_curve.json` (the scored rows are reused).
Beside the fit on log2(CPU minutes), each size's gain is fitted on the weights' own validation PSNR (the trainer's, which chose them):
the validation PSNR at which the photo target is likely met.
"""
import argparse, json, sys, tempfile
from pathlib import Path
import numpy as np
import torch
from mamba_flow.evaluate import classical_multiscale, evaluate_model, load_model, photo_crops, report
from generalization_gap import committed_versions, nearest     # the weights' git history (same folder)

def photo_scores(w: dict, hr: np.ndarray, scales: list[int]) -> dict[str, float]:
    "Posterior-mean PSNR per size of the exported weights dict `w` on the crops `hr`."
    with tempfile.TemporaryDirectory() as d:
        torch.save(w, Path(d) / 'w.pt'); model = load_model(Path(d) / 'w.pt')
    res = evaluate_model(model, hr, scales, sampler='euler', steps=1, progress=False)
    return {str(s): res[str(s)]['psnr'] for s in scales}

def fit(rows: list[dict], size: str, since: float, target: float) -> dict:
    "Least-squares gain = a + b log2(CPU min) over the rows from `since` on; b with its standard error, and where the line reaches `target`."
    r = [x for x in rows if x['cpu_min'] >= since]
    if len(r) < 3: raise SystemExit(f"fewer than 3 weights from {since:g} CPU minutes on: lower --fit-from or add --minutes.")
    x, y = np.log2([x['cpu_min'] for x in r]), np.array([x['gain'][size] for x in r])
    (b, a), cov = np.polyfit(x, y, 1, cov=True)
    return dict(size=size, n=len(r), slope=float(b), slope_se=float(np.sqrt(cov[0, 0])), intercept=float(a),
                target_min=float(2 ** ((target - a) / b)) if b > 0 else None)

def val_at(vals: list[dict], cpu_min: float) -> float:
    "The trainer's validation PSNR of the weights committed at `cpu_min`: the campaign's `val.jsonl` line `vals` at that clock (they were chosen on it)."
    m = min(vals, key=lambda x: abs(x['cpu_min'] - cpu_min))
    if abs(m['cpu_min'] - cpu_min) > 0.05: raise SystemExit(f"no validation at {cpu_min:.1f} CPU min in the campaign's val.jsonl")
    return m['psnr']

def fit_val(rows: list[dict], size: str, since: float, target: float) -> dict:
    "The photo gain against the weights' validation PSNR: gain = a + b val, its correlation, and the validation PSNR where it reaches `target`."
    r = [x for x in rows if x['cpu_min'] >= since]
    x, y = np.array([x['val_psnr'] for x in r]), np.array([x['gain'][size] for x in r])
    (b, a), cov = np.polyfit(x, y, 1, cov=True)
    return dict(size=size, slope=float(b), slope_se=float(np.sqrt(cov[0, 0])), r=float(np.corrcoef(x, y)[0, 1]),
                target_val=float((target - a) / b) if b > 0 else None)

def figure(rows: list[dict], fits: list[dict], target: float, since: float, out: str):
    "Gain over biharmonic-then-bicubic per size against CPU minutes (log2 axis), the fitted lines extended to the target."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    t = np.array([r['cpu_min'] for r in rows])
    for i, f in enumerate(fits):
        ax.plot(t, [r['gain'][f['size']] for r in rows], 'o', c=f'C{i}', ms=4, label=f"{f['size']} px")
        end = max(t.max(), f['target_min'] or 0)
        x = np.geomspace(min(r['cpu_min'] for r in rows if r['cpu_min'] >= since), end, 100)
        ax.plot(x, f['intercept'] + f['slope'] * np.log2(x), '-', c=f'C{i}', lw=1,
                label=f"{f['slope']:+.3f} ± {f['slope_se']:.3f} dB per doubling" + (f", {target:+.1f} at {f['target_min']:,.0f} min" if f['target_min'] else ''))
    ax.axhline(target, ls='--', c='k', lw=1, label=f'target {target:+.1f} dB'); ax.axhline(0, c='0.5', lw=0.8)
    ax.set_xscale('log', base=2); ax.set_xlabel('training CPU minutes behind the weights (log2 axis)')
    ax.set_ylabel('PSNR gain over biharmonic then bicubic (dB)'); ax.set_title('47 photo crops, zero-shot, posterior mean', fontsize=10)
    ax.legend(fontsize=7); ax.grid(alpha=0.3, which='both'); fig.tight_layout(); fig.savefig(out + '.png', dpi=120)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--campaign', default='v2_fast'); p.add_argument('--minutes', type=float, nargs='+', required=True)
    p.add_argument('--scales', type=int, nargs='+', default=[32, 64, 128]); p.add_argument('--fit-from', type=float, default=0.)
    p.add_argument('--target', type=float, default=0.5, help='gain over biharmonic-then-bicubic to extend the lines to (dB)')
    p.add_argument('--rev', default='HEAD', help='the commit to read weights history up to'); p.add_argument('--out', default=None)
    p.add_argument('--rows-from', default=None, help="an earlier run's JSON: fit its scored rows again (and any --minutes it lacks are scored)")
    a = p.parse_args()
    if a.rows_from and not Path(a.rows_from).is_file(): raise SystemExit(f"--rows-from {a.rows_from}: no such file (an earlier run's OUT.json).")
    torch.set_num_threads(1)
    versions = nearest(committed_versions(f'campaign/{a.campaign}/weights.pt', a.rev), a.minutes)
    hr = photo_crops()
    cl = classical_multiscale(hr, [s for s in a.scales if s > 32])
    base = {str(s): (cl['32']['biharmonic'] if s == 32 else cl[str(s)]['biharmonic + bicubic'])['psnr'] for s in a.scales}
    sizes = [str(s) for s in a.scales]
    table = ['| weights (commit) | CPU min | val PSNR | ' + ' | '.join(f'{s} px PSNR' for s in sizes) + ' | ' + ' | '.join(f'gain at {s}' for s in sizes) + ' |',
             '|---|---:|---:|' + '---:|' * 2 * len(sizes)]
    vals = [json.loads(l) for l in open(f'campaign/{a.campaign}/val.jsonl')]
    done = {r['commit']: r for r in json.load(open(a.rows_from))['rows']} if a.rows_from else {}
    rows = []
    for h, w in versions:
        if h in done and all(s in done[h]['psnr'] for s in sizes): m = {s: done[h]['psnr'][s] for s in sizes}
        else: m = photo_scores(w, hr, a.scales)
        r = dict(commit=h, cpu_min=w['cpu_s'] / 60, psnr=m, gain={s: m[s] - base[s] for s in sizes}); rows.append(r)
        r['val_psnr'] = val_at(vals, r['cpu_min'])
        table.append(f"| {h} | {r['cpu_min']:,.1f} | {r['val_psnr']:.3f} | " + ' | '.join(f'{m[s]:.2f}' for s in sizes) + ' | '
                     + ' | '.join(f"{r['gain'][s]:+.3f}" for s in sizes) + ' |')
        print(table[-1], flush=True)
    fits = [fit(rows, s, a.fit_from, a.target) | {'val': fit_val(rows, s, a.fit_from, a.target)} for s in sizes]
    lines = [f"| {f['size']} | {f['n']} | {f['slope']:+.3f} | {f['slope_se']:.3f} | " + (f"{f['target_min']:,.0f}" if f['target_min'] else '-')
             + f" | {f['val']['slope']:+.2f} ({f['val']['slope_se']:.2f}) | {f['val']['r']:.3f} | "
             + (f"{f['val']['target_val']:.3f}" if f['val']['target_val'] else '-') + ' |' for f in fits]
    table += ['', f'Fit from {a.fit_from:g} CPU minutes on: gain = a + b log2(CPU min), and gain = a + c val PSNR (the trainer\'s validation of the weights)', '',
              f'| size (px) | weights | b, dB per doubling | its s.e. | CPU min at {a.target:+.1f} dB | c, dB per dB of val (s.e.) | correlation | val PSNR at {a.target:+.1f} dB |',
              '|---:|---:|---:|---:|---:|---:|---:|---:|'] + lines
    head = (f"campaign/{a.campaign}: committed weights on the 47 photo crops (zero-shot), posterior mean (Euler 1, inputs kept, masks seed 0) "
            f"against biharmonic at 32 px then bicubic: " + ', '.join(f'{base[s]:.2f} at {s}' for s in sizes))
    report(head, '\n'.join(table), dict(baseline=base, rows=rows, fits=fits, fit_from=a.fit_from, target=a.target), a.out)
    if a.out: figure(rows, fits, a.target, a.fit_from, a.out)

if __name__ == '__main__': sys.exit(main())
