"""What does a restart from committed weights cost, and why? Two warm starts from the same weights, the same draws and the
same fresh optimizer (100 warmup steps), differing only in the EMA: its decay ramped up again from 0 (`ema_with_warmup`'s
(1 + n) / (10 + n), as every start from weights did before 2026-12-07) or at its full decay from the first update (what
`Trainer._init_from` does now). Validation PSNR (the trainer's 256 validation images, posterior mean) every EVERY steps.

    python nbs/experiments/ema_restart_probe.py --weights campaign/v2_fast/weights.pt --steps 1500 --every 250 \
        --out figures/ema_restart_probe              # about 25 CPU minutes per variant, one thread each, one after the other
    python nbs/experiments/ema_restart_probe.py --plot-only --out figures/ema_restart_probe   # redraw from OUT.json
"""
import argparse, json, os
from pathlib import Path

VARIANTS = {'ramp': 'EMA decay ramped again from 0 (before)', 'full': 'EMA at its full decay from the first update (now)'}

def run(variant: str, weights: str, campaign: str, steps: int, every: int, runs: str) -> list[tuple[int, float]]:
    "[(step, validation PSNR)] of one warm start from `weights` with the campaign's training config."
    from mamba_flow.train import TrainConfig, Trainer
    cfg = json.loads((Path(campaign) / 'config.json').read_text())
    cfg = {k: v for k, v in cfg.items() if k in TrainConfig.__dataclass_fields__}
    cfg |= dict(out_dir=f'{runs}/ema_probe_{variant}', resume=False, init=weights, max_steps=steps, eval_every_min=1e9,
                eval_every=1000, threads=1, figure_every=10 ** 6, tensorboard=False)
    tr = Trainer(TrainConfig(**cfg))
    if variant == 'ramp': tr.ema.n_averaged.fill_(0)         # the EMA as a fresh AveragedModel had it: a ramp from 0
    tr.epoch0 = tr.step0 = 0                                  # the same draws in both (before 2026-12-07 every start drew from step 0)
    rows = [(0, tr.validate()['psnr'])]
    for stop in range(every, steps + 1, every):
        tr.cfg = TrainConfig(**cfg | dict(max_steps=stop))    # fit() stops at max_steps and validates there
        rows.append((tr.step, tr.fit()['psnr'])); print(variant, *rows[-1], flush=True)
    return rows

def plot(res: dict, out: str):
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for v, rows in res['variants'].items():
        ax.plot(*zip(*rows), 'o-', ms=3, label=VARIANTS[v])
    ax.axhline(res['variants']['full'][0][1], c='0.5', ls=':', lw=1, label='the weights it started from')
    ax.set_xlabel('steps after the restart (fresh AdamW, 100 warmup steps)'); ax.set_ylabel('validation PSNR (dB)')
    ax.set_title(f"warm start from {res.get('label', res['weights'])}", fontsize=8); ax.legend(fontsize=7); fig.tight_layout()
    fig.savefig(f'{out}.png', dpi=120); plt.close(fig)
    steps = [s for s, _ in res['variants']['full']]
    md = ['| steps after the restart | ' + ' | '.join(map(str, steps)) + ' |', '|---|' + '---:|' * len(steps)]
    md += [f"| {VARIANTS[v]} | " + ' | '.join(f'{p:.4f}' for _, p in rows) + ' |' for v, rows in res['variants'].items()]
    Path(f'{out}.md').write_text('\n'.join(md) + '\n'); print('\n'.join(md))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--weights', default='campaign/v2_fast/weights.pt'); p.add_argument('--campaign', default='campaign/v2_fast')
    p.add_argument('--steps', type=int, default=1500); p.add_argument('--every', type=int, default=250)
    p.add_argument('--runs', default='runs'); p.add_argument('--out', default='figures/ema_restart_probe')
    p.add_argument('--plot-only', action='store_true', help='redraw the figure and table from OUT.json')
    a = p.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    if a.plot_only: res = json.loads(Path(f'{a.out}.json').read_text())
    else:
        res = dict(weights=a.weights, steps=a.steps, every=a.every,
                   variants={v: run(v, a.weights, a.campaign, a.steps, a.every, a.runs) for v in VARIANTS})
        Path(f'{a.out}.json').write_text(json.dumps(res, indent=1))
    plot(res, a.out)
