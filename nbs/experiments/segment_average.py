"""Does averaging the campaign's committed weights across segments beat its latest weights? (A long-window weight average, as SWA / LAWA.)

Each closed segment commits its best EMA weights (float16) to `campaign/NAME/weights.pt`, so git history holds one set per segment.
At a constant learning rate the EMA (decay 0.998) averages over about 500 steps; an average over segments spans 10,000s of steps,
the kind of window that can stand in for a learning-rate decay. Averages of the latest k committed weights (uniform, in float32)
are scored on the validation images (the trainer's held-out JPEG split, eval's masks, seed 0; posterior mean, one Euler step from
t = 0), with the paired difference to the latest weights alone and its standard error over images. Never on the test images.
Usage (one thread, about a minute per row for 256 images):

    python nbs/experiments/segment_average.py --campaign v2_fast --k 1 2 3 5 --rev 2309c0c --out figures/segment_average
"""
import argparse, subprocess, sys
from io import BytesIO
import numpy as np
import torch
from mamba_flow.evaluate import eval_images, image_metrics, paste_inputs, predict_fields, report
from mamba_flow.train import model_from_config

def committed_weights(path: str, n: int, rev: str = 'HEAD') -> list[tuple[str, dict]]:
    "The last `n` versions of the weights file `path` committed up to `rev`, newest first: [(commit subject, exported weights dict)]."
    log = subprocess.run(['git', 'log', f'-{n}', '--format=%h %s', rev, '--', path], capture_output=True, text=True, check=True).stdout.splitlines()
    if len(log) < n: raise SystemExit(f"{path} has {len(log)} committed versions; asked for {n}. Use a smaller --k.")
    blob = lambda h: subprocess.run(['git', 'show', f'{h}:{path}'], capture_output=True, check=True).stdout
    return [(line, torch.load(BytesIO(blob(line.split()[0])), weights_only=False)) for line in log]

def average(states: list[dict]) -> dict:
    "Uniform float32 average of exported weights {name: tensor}; integer buffers (if any) from the first."
    first = states[0]
    return {k: torch.stack([s[k].float() for s in states]).mean(0) if v.is_floating_point() else v for k, v in first.items()}

def per_image_psnr(weights: dict, config: dict, lr: np.ndarray) -> np.ndarray:
    "(n,) PSNR of the posterior mean (Euler 1, inputs kept) of 32 px images `lr` under `weights`."
    model = model_from_config(config)
    model.load_state_dict(weights)                                          # float32 from `average`
    preds, _ = predict_fields(model.eval(), lr, (32,), 'euler', 1, progress=False)
    return image_metrics(paste_inputs(preds['32'], lr, 0.2, 0), lr)['psnr']

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--campaign', default='v2_fast'); p.add_argument('--k', type=int, nargs='+', default=[1, 2, 3, 5])
    p.add_argument('--data', default='../shared/data/cifar10_jpeg_q75.npz'); p.add_argument('--n', type=int, default=256)
    p.add_argument('--rev', default='HEAD', help='count the committed weights back from this commit (the README pins one)')
    p.add_argument('--out', default=None)
    a = p.parse_args()
    if min(a.k) < 1 or 1 not in a.k: raise SystemExit("--k needs 1 (the latest weights alone, the baseline) and values >= 1.")
    torch.set_num_threads(1)
    versions = committed_weights(f'campaign/{a.campaign}/weights.pt', max(a.k), a.rev)
    lr, src = eval_images(a.data, 'val', a.n)
    config = versions[0][1]['config']
    scores = {k: per_image_psnr(average([w['weights'] for _, w in versions[:k]]), config, lr) for k in sorted(a.k)}
    mins = [w['cpu_s'] / 60 for _, w in versions]
    rows = ["| weights | CPU min of the oldest | PSNR | minus latest alone | its standard error |", "|---|---:|---:|---:|---:|"]
    for k, s in scores.items():
        d = s - scores[1]
        rows.append(f"| average of the latest {k} | {mins[k - 1]:,.1f} | {s.mean():.3f} | {d.mean():+.4f} | {d.std(ddof=1) / np.sqrt(len(d)) if k > 1 else 0:.4f} |")
    head = f"{src}: first {len(lr)} images, posterior mean (Euler 1), mask ratio 0.2, seed 0; campaign/{a.campaign}/weights.pt at commits " + \
           ', '.join(v[0].split()[0] for v in versions)
    report(head, '\n'.join(rows), dict(data=src, n=len(lr), commits=[v[0] for v in versions], cpu_min=mins,
                                       psnr={k: float(s.mean()) for k, s in scores.items()}), a.out)

if __name__ == '__main__': sys.exit(main())
