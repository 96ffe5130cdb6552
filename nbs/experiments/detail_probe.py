"""Where is the detail below the pitch? An x2 detail network trained on CIFAR-10 alone, applied to the photo crops.

Issue 13 asks a 64 or 128 px field of 20% of a photo crop's 32 px pixels to beat bicubic upsampling of its own 32 px field by
0.5 dB. This probe splits the question in two, with a small convolutional x2 network (`Detail`: bicubic upsampling plus a
learned residual) trained on the CIFAR-10 training part only (never on the photos):

- arm `clean`: trained to turn bicubic of a *true* 16 px image into the true 32 px image. On the photos it is applied to the
  true 32 px crop (does the detail CIFAR-10 teaches carry to photos at all?) and to the model's 32 px field.
- arm `field`: trained to turn bicubic of the model's *own* 16 px field (posterior mean of 20% of the 16 px image, known pixels
  kept) plus a map of where the inputs were into the true 32 px image: the best a second stage can add to the field's content.
  On the photos it is applied to the model's 32 px field and its input map.

Each arm's 64 px output (128 px: that output upsampled by bicubic) is scored against the crops' area means beside bicubic of the
same 32 px image; the model's own fields are in the table too. Fields are posterior means (one Euler step from t = 0); rows made
from the field keep the known pixels (`paste_inputs`), as every photo table does. Usage (one thread, about 40 CPU minutes):

    python nbs/experiments/detail_probe.py mamba_flow/assets/v2_fast.pt --data ../shared/data/cifar10_jpeg_q75.npz \
        --exact ../shared/data/cifar10_exact_partial.npz --out figures/superres_detail_probe
"""
import argparse, os, time
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'):
    os.environ.setdefault(var, '1')            # one thread, set before numpy loads: an idle BLAS worker would spin and count as training CPU time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from mamba_flow.data import area_resize, load_images, split_masks, train_val_split
from mamba_flow.evaluate import eval_images, image_metrics, load_model, paste_inputs, predict_fields, report, summarize, upsample

class Detail(nn.Module):
    "x (b, c, h, w): channels 0-2 a bicubic upsampling in [-1, 1] (then any maps) -> (b, 3, h, w) that image plus a learned residual."
    def __init__(self, c_in: int = 3, width: int = 32, depth: int = 4):
        super().__init__()
        conv = lambda i, o: nn.Conv2d(i, o, 3, padding=1, padding_mode='replicate')
        self.inp, self.out = conv(c_in, width), conv(width, 3)
        self.body = nn.ModuleList(nn.Sequential(conv(width, width), nn.GELU(), conv(width, width)) for _ in range(depth))
    def forward(self, x):
        h = self.inp(x)
        for block in self.body: h = h + block(h)
        return x[:, :3] + self.out(h)

def values(x: np.ndarray) -> torch.Tensor: return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous().float() / 127.5 - 1   # uint8 (n, h, w, 3) -> (n, 3, h, w)
def levels(v: torch.Tensor) -> np.ndarray: return ((v.permute(0, 2, 3, 1) + 1) * 127.5).round().clamp(0, 255).byte().numpy()
def known_map(n: int, size: int, seed: int) -> np.ndarray:
    "(n, size, size) bool: where `split_masks` puts the 20% inputs of a size x size field (mask seed `seed`)."
    known = np.zeros((n, size * size), bool)
    np.put_along_axis(known, split_masks(np.arange(n), size * size, 0.2, seed)[0], True, 1)
    return known.reshape(n, size, size)

def network_input(im: np.ndarray, known: np.ndarray | None) -> torch.Tensor:
    "(n, 3 or 4, 2h, 2w): bicubic (`upsample`, as the control) of uint8 (n, h, w, 3), and the input map repeated to 2x2 if given."
    x = values(upsample(im, 2 * im.shape[1]))
    if known is None: return x
    return torch.cat([x, torch.from_numpy(known)[:, None].float().repeat_interleave(2, 2).repeat_interleave(2, 3)], 1)

def fit(net: Detail, X: torch.Tensor, Y: torch.Tensor, XV: torch.Tensor, YV: np.ndarray, minutes: float, name: str) -> list:
    "AdamW 1e-3, batch 32, random flips, for `minutes` of CPU time; validation PSNR (scikit-image) every 500 steps and at the end."
    opt, curve, t0, step = torch.optim.AdamW(net.parameters(), 1e-3, weight_decay=1e-4), [], time.process_time(), 0
    def validate():
        with torch.no_grad(): p = summarize(image_metrics(levels(net(XV)), YV))['psnr']
        curve.append(dict(step=step, cpu_min=(time.process_time() - t0) / 60, val_psnr=p)); print(name, curve[-1], flush=True)
    while time.process_time() - t0 < minutes * 60:
        i = torch.randint(len(X), (32,))
        x, y = (X[i], Y[i]) if torch.rand(()) < 0.5 else (X[i].flip(3), Y[i].flip(3))
        loss = F.mse_loss(net(x), y)
        opt.zero_grad(); loss.backward(); opt.step(); step += 1
        if step % 500 == 0: validate()
    if not curve or curve[-1]['step'] != step: validate()
    return curve

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('checkpoint'); p.add_argument('--data', required=True); p.add_argument('--exact', required=True)
    p.add_argument('--n-train', type=int, default=20000); p.add_argument('--minutes', type=float, default=12.0)
    p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(1); torch.manual_seed(0)
    s = load_images(a.data, 'train', exact=a.exact)
    tr, va = train_val_split(len(s))                                               # the trainer's split: validation never trains
    tr, va = np.sort(np.random.default_rng(0).choice(tr, a.n_train, replace=False)), va[s.exact[va]]
    model = load_model(a.checkpoint)
    def field16(x32, seed, sizes=(16,)):                                           # the model's fields of 20% of x32's 16 px image, inputs kept
        x16 = area_resize(x32, 16)
        f = predict_fields(model, x16, sizes, 'euler', 1, mask_seed=seed, batch_size=64, progress=False)[0]
        return x16, {k: paste_inputs(v, x16, 0.2, seed) for k, v in f.items()}, known_map(len(x32), 16, seed)
    (t16, tf, tk16), (v16, vf, vk16) = field16(s.images[tr], 1), field16(s.images[va], 2, (16, 32))
    Y, YV = values(s.images[tr]), s.images[va]
    arms = dict(clean=(Detail(3), network_input(t16, None), network_input(v16, None)),
                field=(Detail(4), network_input(tf['16'], tk16), network_input(vf['16'], vk16)))
    curves = {name: fit(net, X, Y, XV, YV, a.minutes, name) for name, (net, X, XV) in arms.items()}
    val = dict(bicubic_of_true_16=summarize(image_metrics(levels(arms['clean'][2]), YV))['psnr'],
               bicubic_of_field_16=summarize(image_metrics(levels(arms['field'][2][:, :3]), YV))['psnr'],
               model_field_32=summarize(image_metrics(vf['32'], YV))['psnr'])                 # the model's own x2: its 32 px field of the 16 px inputs

    hr, src = eval_images('photos', 'test', 0)
    lr, known32 = area_resize(hr, 32), known_map(len(hr), 32, 0)
    fields, _ = predict_fields(model, lr, (32, 64, 128), 'euler', 1, progress=False)
    rec32 = paste_inputs(fields['32'], lr, 0.2, 0)
    keep = lambda x: paste_inputs(x, lr, 0.2, 0)
    with torch.no_grad():
        x2 = dict(clean_true=levels(arms['clean'][0](network_input(lr, None))), clean_field=levels(arms['clean'][0](network_input(rec32, None))),
                  field_field=levels(arms['field'][0](network_input(rec32, known32))))
    rows = []
    for size in (64, 128):
        truth, up = area_resize(hr, size), lambda x: x if x.shape[1] == size else upsample(x, size)
        psnr = lambda x: summarize(image_metrics(x, truth))['psnr']
        r = {'bicubic of the true 32 px crop': psnr(up(lr)), 'clean arm on the true 32 px crop': psnr(up(x2['clean_true'])),
             'bicubic of the field at 32 px (the control)': psnr(keep(up(rec32))), 'clean arm on the field at 32 px': psnr(keep(up(x2['clean_field']))),
             'field arm on the field at 32 px': psnr(keep(up(x2['field_field']))), 'the field itself': psnr(keep(fields[str(size)]))}
        rows.append(dict(size=size, **r))
    names = list(rows[0])[1:]
    base = lambda n: 'bicubic of the true 32 px crop' if 'true' in n else 'bicubic of the field at 32 px (the control)'
    table = "\n".join(["| photo crops, PSNR dB | 64 px | vs bicubic of the same 32 px | 128 px | vs bicubic of the same 32 px |", "|---|---:|---:|---:|---:|"]
                      + [f"| {n} | " + " | ".join(f"{r[n]:.2f} | " + ("" if n == base(n) else f"{r[n] - r[base(n)]:+.2f}") for r in rows) + " |" for n in names])
    table += ("\n\nCIFAR-10 validation (x2 from 16 px to 32 px, the exact validation images), PSNR dB at the end: "
              f"bicubic of the true 16 px image {val['bicubic_of_true_16']:.2f}, clean arm {curves['clean'][-1]['val_psnr']:.2f}; "
              f"bicubic of the model's 16 px field {val['bicubic_of_field_16']:.2f}, field arm {curves['field'][-1]['val_psnr']:.2f}, "
              f"the model's own 32 px field of the same inputs {val['model_field_32']:.2f} (known pixels kept).")
    head = (f"{src}: {len(hr)} crops; x2 detail networks ({sum(q.numel() for q in arms['clean'][0].parameters()):,} parameters) trained "
            f"{a.minutes:g} CPU minutes each on {a.n_train:,} CIFAR-10 training images; fields of {a.checkpoint}, posterior mean; "
            "rows made from the field keep the known pixels; 128 px: the x2 output upsampled by bicubic")
    report(head, table, dict(data=src, n=len(hr), checkpoint=a.checkpoint, minutes=a.minutes, n_train=a.n_train, val=val, curves=curves, photos=rows), a.out)

if __name__ == '__main__': main()
