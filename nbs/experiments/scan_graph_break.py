"""Where torch.compile breaks the graph around the selective scan: an A/B in one process.

'before': the whole `selective_scan` is a graph break (how it was until the first GPU segment);
'after': only the numba kernel is (`scan_numba` is `torch.compiler.disable`d), so the checks,
casts and flips around it, and the pure-torch methods whole, are compiled.
Both compiled models are built first; then their forward+backward steps alternate, so that a
noisy machine slows both alike. Prints the median process CPU seconds of each and the ratio.

usage: python nbs/experiments/scan_graph_break.py [--preset fast] [--batch 32] [--steps 12]
"""
import argparse, statistics, time
import torch
import mamba_flow.blocks as blocks, mamba_flow.scan as scan
from mamba_flow.blocks import field_args
from mamba_flow.train import build_model

def compiled_step(scan_fn, preset: str, batch: int):
    "A compiled model whose Mamba layers call `scan_fn`, and one forward+backward of it on fixed inputs."
    blocks.selective_scan = scan_fn                  # the name the Mamba layer calls, looked up at each call
    torch.manual_seed(0)
    model = torch.compile(build_model('v2', preset))
    args = field_args(batch, 204, 205)
    def step(): model(*args).square().mean().backward()
    for _ in range(3): step()                        # compile and warm up with this scan_fn in place
    return step

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--preset', default='fast'); p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=12)
    a = p.parse_args()
    torch.set_num_threads(1)
    arms = {'before': torch.compiler.disable(scan.selective_scan), 'after': scan.selective_scan}
    steps = {name: compiled_step(fn, a.preset, a.batch) for name, fn in arms.items()}
    times = {name: [] for name in arms}
    for _ in range(a.steps):
        for name in arms:
            blocks.selective_scan = arms[name]       # each compiled graph guards on the function it traced
            t = time.process_time(); steps[name](); times[name].append(time.process_time() - t)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"V2 {a.preset}, batch {a.batch}, 1 thread, median process CPU s per forward+backward over {a.steps} alternating steps: "
          f"before {med['before']:.3f}, after {med['after']:.3f}; after / before {med['after'] / med['before']:.3f}")

if __name__ == '__main__': main()
