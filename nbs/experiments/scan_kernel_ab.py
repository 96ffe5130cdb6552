"""The fused CPU scan against the same kernel at another commit: forward + backward milliseconds, shape by shape.

Each round runs this checkout and the package at commit REV (a git worktree under runs/throughput/, as throughput_probe.py
makes it) one after the other, each in a process of its own with `--threads` threads (torch and numba), timing
`selective_scan(..., method='numba')` forward + backward: the fastest of --repeats calls after one warm-up. Rounds alternate
the order; the table gives each side's median over rounds and their ratio, so a loaded machine slows both alike.

usage: python nbs/experiments/scan_kernel_ab.py --against 18d0bdf [--threads 1] [--rounds 3] --out figures/scan_kernel_ab
"""
import argparse, json, os, statistics, subprocess, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from throughput_probe import code_at

SHAPES = {'campaign (32, 204, 128, 8)': (32, 204, 128, 8), 'train (8, 408, 256, 16)': (8, 408, 256, 16),
          'l4096 (1, 4096, 256, 16)': (1, 4096, 256, 16)}
TIMER = """
import json, sys, time, torch, numba
from mamba_flow.scan import selective_scan, scan_inputs
threads, repeats, shapes = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
torch.set_num_threads(threads); numba.set_num_threads(threads)
out = {}
for name, shape in shapes.items():
    xs = [x.detach().requires_grad_() for x in scan_inputs(*shape)]
    def once():
        y = selective_scan(*xs, method='numba'); torch.autograd.grad(y.square().mean(), xs)
    once(); ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); once(); ts.append(time.perf_counter() - t0)
    out[name] = 1000 * min(ts)
print(json.dumps(out))
"""

def timings(code: Path | None, a) -> dict:
    env = os.environ | dict(OMP_NUM_THREADS=str(a.threads)) | (dict(PYTHONPATH=str(code.resolve())) if code else {})
    r = subprocess.run([sys.executable, '-c', TIMER, str(a.threads), str(a.repeats), json.dumps(SHAPES)], env=env, capture_output=True,
                       text=True, cwd=code or '.')
    if r.returncode: raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--against', required=True); p.add_argument('--threads', type=int, default=1)
    p.add_argument('--rounds', type=int, default=3); p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--out', default='figures/scan_kernel_ab')
    a = p.parse_args()
    old, runs = code_at(a.against), {'this checkout': [], a.against: []}
    for r in range(a.rounds):
        for side in (['this checkout', a.against] if r % 2 == 0 else [a.against, 'this checkout']):
            runs[side].append(timings(None if side == 'this checkout' else old, a))
    med = {side: {s: statistics.median(t[s] for t in ts) for s in SHAPES} for side, ts in runs.items()}
    cmd = f"python nbs/experiments/scan_kernel_ab.py --against {a.against} --threads {a.threads} --rounds {a.rounds} --repeats {a.repeats}"
    lines = [f"Fused CPU scan (`selective_scan(..., method='numba')`), forward + backward, float32, {a.threads} thread(s); fastest of "
             f"{a.repeats} calls, median over {a.rounds} alternating rounds; `{cmd}`.", '',
             f"| shape (b, l, d, N) | this checkout, ms | commit {a.against}, ms | speed-up |", '|---|---:|---:|---:|']
    for s in SHAPES:
        lines.append(f"| {s} | {med['this checkout'][s]:.1f} | {med[a.against][s]:.1f} | {med[a.against][s] / med['this checkout'][s]:.2f}x |")
    md = '\n'.join(lines)
    Path(a.out + '.md').write_text(md + '\n'); Path(a.out + '.json').write_text(json.dumps(dict(runs=runs, median=med), indent=1) + '\n')
    print(md)

if __name__ == '__main__': main()
