"""How far apart are the model's errors and biharmonic's? The posterior mean (one Euler step from t = 0) blended with biharmonic inpainting.

If the two make different errors, a convex blend w * model + (1 - w) * biharmonic beats both, and the size of that gain says how
much a model that *sees* the biharmonic field (as an input, or as the base its output corrects) could still earn. The blend weight
is chosen on the validation images (the JPEG-coded val split the trainer holds out) and applied unchanged to the exact test images.
Reported: PSNR of each field alone, the Pearson correlation of their errors at the missing pixels, and the blend at every w; the
same with `--mirror` averaging. Usage (one thread, about 6 CPU minutes for 256 + 1,017 images):

    python nbs/experiments/blend_probe.py --checkpoint mamba_flow/assets/v2_fast.pt --out figures/blend_probe
"""
import argparse, sys
from pathlib import Path
import numpy as np
import torch
sys.path.insert(0, str(Path(__file__).parent))
from tta_views import error_corr, view                                   # the view maps and the error correlation of the TTA probe
from mamba_flow.data import SparseFields
from mamba_flow.evaluate import classical_reconstruct, eval_images, grid_condition, load_model, psnr_images, report
from mamba_flow.samplers import sample

WEIGHTS = np.round(np.linspace(0, 1, 21), 2)                            # w: the model's share of the blend

@torch.no_grad()
def fields(model, lr: np.ndarray, batch_size: int = 16) -> dict[str, torch.Tensor]:
    "{'model', 'mirror', 'biharmonic': (n, 32 * 32, 3) in [-1, 1], 'known': (n, 32 * 32) True at the inputs} of 32 px images `lr` (mask seed 0)."
    ds, out = SparseFields(lr, 0.2, seed=0), {k: [] for k in ('model', 'mirror', 'biharmonic', 'known')}
    for i in range(0, len(lr), batch_size):
        batch = ds[list(range(i, min(i + batch_size, len(lr))))]
        cond, _ = grid_condition(batch, 32)
        m, x = sample(model, cond, 'euler', 1).x, sample(model, view(cond, 'x'), 'euler', 1).x
        out['model'].append(m); out['mirror'].append((m + x) / 2)
        bh = np.stack([classical_reconstruct(im, idx.numpy(), 'biharmonic') for im, idx in zip(lr[i:i + len(m)], batch.input_idx)])
        out['biharmonic'].append(torch.from_numpy(bh).reshape(len(m), -1, 3).float() / 127.5 - 1)
        out['known'].append(torch.zeros(len(m), 32 * 32, dtype=torch.bool).scatter_(1, batch.input_idx, True))
    return {k: torch.cat(v) for k, v in out.items()}

def blend_psnr(a: torch.Tensor, b: torch.Tensor, w: float, truth: np.ndarray, known_vals: torch.Tensor, known: torch.Tensor) -> float:
    "Mean PSNR (dB) of w * a + (1 - w) * b, fields (n, q, 3) in [-1, 1], with the known pixels set to `known_vals`, against uint8 `truth` (n, 32, 32, 3)."
    f = w * a + (1 - w) * b
    f[known] = known_vals
    img = ((f.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).reshape(truth.shape).numpy()
    return float(psnr_images(img, truth).mean())

def probe(model, data: str, split: str, n: int, exact: str | None = None) -> dict:
    lr, src = eval_images(data, split, n, exact=exact)
    f = fields(model, lr)
    truth = torch.from_numpy(lr).reshape(len(lr), -1, 3).float() / 127.5 - 1
    res = dict(data=src, n=len(lr))
    for m in ('model', 'mirror'):
        res[m] = dict(error_corr=error_corr(f[m], f['biharmonic'], truth, f['known']),
                      blend={float(w): blend_psnr(f[m], f['biharmonic'], w, lr, truth[f['known']], f['known']) for w in WEIGHTS})
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--checkpoint', default='mamba_flow/assets/v2_fast.pt'); p.add_argument('--data-dir', default='../shared/data')
    p.add_argument('--n-val', type=int, default=256); p.add_argument('--n-test', type=int, default=0, help='0: all 1,017'); p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    model, D = load_model(a.checkpoint), Path(a.data_dir)
    val = probe(model, str(D / 'cifar10_jpeg_q75.npz'), 'val', a.n_val)
    test = probe(model, str(D / 'cifar10_exact_partial.npz'), 'test', a.n_test)
    rows = []
    for m in ('model', 'mirror'):
        w = max(val[m]['blend'], key=val[m]['blend'].get)             # chosen on validation only
        for name, r in (('val', val), ('test', test)):
            b = r[m]['blend']
            rows.append(f"| {name} ({r['n']}) | {m} | {b[1.0]:.3f} | {b[0.0]:.3f} | {r[m]['error_corr']:.3f} | {w:.2f} | {b[w]:.3f} | {b[w] - b[1.0]:+.3f} |")
    table = ("| images | field | model alone | biharmonic alone | error correlation | w (chosen on val) | blend | vs model alone |\n"
             "|---|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows))
    curve = "\n\nPSNR (dB) of the blend against w (the model's share), test images:\n\n| w | " + " | ".join(f"{w:.2f}" for w in WEIGHTS[::2]) + " |\n|---|" + "---:|" * len(WEIGHTS[::2]) + "\n" + "\n".join(
        f"| {m} | " + " | ".join(f"{test[m]['blend'][float(w)]:.2f}" for w in WEIGHTS[::2]) + " |" for m in ('model', 'mirror'))
    head = f"{a.checkpoint}: posterior mean (one Euler step from t = 0) blended with biharmonic inpainting; 20% random pixels (mask seed 0), known pixels kept"
    report(head, table + curve, dict(checkpoint=a.checkpoint, val=val, test=test), a.out)

if __name__ == '__main__': main()
