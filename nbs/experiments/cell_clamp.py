"""Scale-aware fields with the cell clamped to the range they trained on.

A model trained with `--scales 1:0.5,2:0.5 --overrides cell=True` saw cells 1 (native) and 0.5 (the x2 view). A 128 px field of
32 px inputs asks for cell 0.25, which it never saw. Here every cell below `--cell-min` is raised to it (through the model's
`condition`, which embeds log2(cell)), so that a 128 px field asks for the finest footprint the model knows (0.5), or for the
native one (1: every field of 32 px or more is decoded as if it were 32 px; 0: the cells as asked). Photo crops, posterior
mean (one Euler step from t = 0), known pixels kept; each field beside bicubic upsampling of its own 32 px field. Usage (one thread):

    python nbs/experiments/cell_clamp.py runs/c285_sr2_jpeg/best.pt runs/c285_sr2_exact/best.pt --cell-min 0 0.5 1 \
        --out figures/superres_cell_clamp
"""
import argparse
import torch
from mamba_flow.evaluate import eval_images, evaluate_model, load_model, report

def clamp_cells(model, cell_min: float):
    "The model with every cell below `cell_min` raised to it (0: unchanged)."
    if model.cell is None: raise ValueError("this model has no cell decoding (trained without --overrides cell=True): nothing to clamp.")
    condition = model.condition
    model.condition = lambda t, cell=None: condition(t, cell if cell is None or cell_min <= 0 else cell.clamp(min=cell_min))
    return model

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('checkpoints', nargs='+'); p.add_argument('--cell-min', type=float, nargs='+', default=[0.0, 0.5, 1.0])
    p.add_argument('--scales', type=int, nargs='+', default=[32, 64, 128]); p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    hr, src = eval_images('photos', 'test', 0)
    rows, big = [], [s for s in a.scales if s > 32]
    for ck in a.checkpoints:
        for lo in a.cell_min:
            r = evaluate_model(clamp_cells(load_model(ck), lo), hr, a.scales, 'euler', 1, progress=False)
            row = dict(checkpoint=ck, cell_min=lo, **{str(s): r[str(s)]['psnr'] for s in a.scales},
                       **{f'{s} vs own bicubic': r[str(s)]['psnr'] - r[f'{s} bicubic of 32']['psnr'] for s in big})
            rows.append(row); print(row, flush=True)
    cols = [(f'{s} px', str(s), '.2f') for s in a.scales] + [(f'{s} px vs own bicubic', f'{s} vs own bicubic', '+.2f') for s in big]
    table = "\n".join(["| checkpoint | cell min | " + " | ".join(c[0] for c in cols) + " |", "|---|---:|" + "---:|" * len(cols)]
                      + [f"| {r['checkpoint']} | {r['cell_min']:g} | " + " | ".join(format(r[k], f) for _, k, f in cols) + " |" for r in rows])
    head = f"{src}: {len(hr)} crops, PSNR dB, posterior mean (one Euler step from t = 0), known pixels kept"
    report(head, table, dict(data=src, n=len(hr), results=rows), a.out)

if __name__ == '__main__': main()
