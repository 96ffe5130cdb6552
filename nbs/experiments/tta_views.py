"""Test-time views: the posterior mean (one Euler step from t = 0) averaged over symmetric versions of the problem.

`--mirror` averages the field with that of the left-right mirrored problem. Are more views worth their compute? Each view maps every
coordinate (y, x) of the inputs and the queries (flips x -> 1 - x, y -> 1 - y; the transpose swaps y and x), so that query j still asks
for the same pixel of the original; the fields are averaged. For each single view, the correlation r of its errors with those of the
problem as posed (at the missing pixels) says how much averaging the two can gain: 10 log10(2 / (1 + r)) dB for two views of equal
error. Usage (one thread):

    python nbs/experiments/tta_views.py --checkpoint mamba_flow/assets/v2_fast.pt --data ../shared/data/cifar10_jpeg_q75.npz \
        --split val --n 256 --out figures/tta_views_val256
"""
import argparse
import numpy as np
import torch
from mamba_flow.data import SparseFields, to_uint8
from mamba_flow.evaluate import eval_images, grid_condition, load_model, report, score_fields
from mamba_flow.samplers import Condition, mirror_x, sample

flip_x = mirror_x                                                       # (..., 2) (y, x): x -> 1 - x, as --mirror does
def flip_y(c): return torch.stack([1 - c[..., 0], c[..., 1]], -1)
def swap(c): return c.flip(-1)
VIEWS = {'id': lambda c: c, 'x': flip_x, 'y': flip_y, 'xy': lambda c: flip_x(flip_y(c)), 't': swap,
         'tx': lambda c: flip_x(swap(c)), 'ty': lambda c: flip_y(swap(c)), 'txy': lambda c: flip_x(flip_y(swap(c)))}
SETS = ('id', 'x', 'y', 'xy', 't', 'id+x', 'id+y', 'id+t', 'id+x+y+xy', 'id+x+y+xy+t+tx+ty+txy')

def view(cond: Condition, name: str) -> Condition:
    "The problem seen through one view; a transpose also swaps the cell's (h, w)."
    m = VIEWS[name]
    cell = cond.cell.flip(-1) if name.startswith('t') and cond.cell is not None else cond.cell
    return Condition(m(cond.query_coords), m(cond.input_coords), cond.input_values, cell)

@torch.no_grad()
def view_means(model, lr: np.ndarray, mask_seed: int = 0, batch_size: int = 16) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    "({view: (n, 32 * 32, 3) posterior means in [-1, 1]} of every view, (n, 32 * 32) True at the inputs) for 32 px images `lr` (n, 32, 32, 3)."
    ds, out, known = SparseFields(lr, 0.2, seed=mask_seed), {v: [] for v in VIEWS}, []
    for i in range(0, len(lr), batch_size):
        batch = ds[list(range(i, min(i + batch_size, len(lr))))]
        cond, _ = grid_condition(batch, 32)
        for v in VIEWS: out[v].append(sample(model, view(cond, v), 'euler', 1).x)
        known.append(torch.zeros(len(batch.input_idx), 32 * 32, dtype=torch.bool).scatter_(1, batch.input_idx, True))
    return {v: torch.cat(x) for v, x in out.items()}, torch.cat(known)

def error_corr(a: torch.Tensor, b: torch.Tensor, truth: torch.Tensor, known: torch.Tensor) -> float:
    "Pearson correlation of the errors of two fields (n, q, 3) against `truth`, at the pixels that were not inputs (`known` (n, q) False)."
    ea, eb = (x[~known] - truth[~known] for x in (a, b))                # (m, 3) each
    return float(torch.corrcoef(torch.stack([ea.flatten(), eb.flatten()]))[0, 1])

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--checkpoint', required=True); p.add_argument('--data', required=True)
    p.add_argument('--split', default='val'); p.add_argument('--n', type=int, default=256); p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    lr, src = eval_images(a.data, a.split, a.n)
    means, known = view_means(load_model(a.checkpoint), lr)
    truth = torch.from_numpy(lr).reshape(len(lr), -1, 3).float() / 127.5 - 1
    rows = {}
    for s in SETS:
        names = s.split('+')
        pred = to_uint8(torch.stack([means[v] for v in names]).mean(0)).reshape(len(lr), 32, 32, 3).numpy()
        r = score_fields({'32': pred}, {'32': dict(sampler='euler', steps=1)}, lr)['32']
        rows[s] = dict(views=len(names), psnr=r['psnr'], ssim=r['ssim'])
        if len(names) == 1: rows[s]['error_corr_with_id'] = error_corr(means[s], means['id'], truth, known)
    base = rows['id']['psnr']
    corr = lambda r: f"{r['error_corr_with_id']:.3f}" if 'error_corr_with_id' in r else ''
    table = ("| views | forward passes | PSNR (dB) | vs one view | SSIM | error correlation with id |\n|---|---:|---:|---:|---:|---:|\n" + "\n".join(
        f"| {s} | {r['views']} | {r['psnr']:.3f} | {r['psnr'] - base:+.3f} | {r['ssim']:.4f} | {corr(r)} |" for s, r in rows.items()))
    head = f"{a.checkpoint} on {src}: {len(lr)} images, posterior mean (one Euler step from t = 0), known pixels kept"
    report(head, table, dict(checkpoint=a.checkpoint, data=src, n=len(lr), results=rows), a.out)

if __name__ == '__main__': main()
