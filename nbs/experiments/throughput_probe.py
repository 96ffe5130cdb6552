"""How should a campaign use this machine's two cores, and is its code slower than it was? Optimizer steps per minute, measured.

Each process trains a campaign's own recipe (campaign/NAME/config.json, from its committed weights, into runs/throughput/)
for --steps steps; the per-step times come from the trainer's log.jsonl (`cpu_min`, `samples_per_s`), skipping the first
--skip steps (torch.compile and the allocator warming up). Arms, one after the other in this one invocation:
  alone, 1 thread             : the campaign's recipe by itself, as in its config
  alone, 2 threads            : the same with `--threads 2` (torch and numba)
  side by side, 1 thread each : two 1-thread copies at once (the campaign beside a second job, as most sessions ran it)
  data-parallel, 2 processes  : one training in two processes of half the batch each, 1 thread each (gloo, torch.distributed.run;
                                `campaign run --procs 2`): the same global batches and updates as the first arm
  --against REV adds one arm  : this checkout and the package as it was at commit REV (its own campaign config and
                                weights, from a git worktree), side by side, 1 thread each: a code regression shows as a
                                ratio between the two, whatever the machine's speed that day
Wall ms per step is the batch over `samples_per_s`; CPU ms per step is the difference of `cpu_min` (process CPU time,
every thread of the process; in the data-parallel arm both processes', summed by the trainer, whose log is rank 0's). Ratios
are against the first row, measured in the same invocation.

usage: OMP_NUM_THREADS=1 python nbs/experiments/throughput_probe.py [--name v2_fast] [--steps 500] [--skip 150]
           [--arms alone1 alone2 side ddp2] [--against REV] --out figures/throughput_probe
Nothing else should run on the machine meanwhile.
"""
import argparse, json, os, shutil, statistics, subprocess, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from step_costs import consecutive                                      # log rows one step apart, shared with step_costs.py

ROOT = Path('runs/throughput')
ARMS = {'alone1': ('alone, 1 thread', [1]), 'alone2': ('alone, 2 threads', [2]), 'side': ('side by side, 1 thread each', [1, 1]),
        'ddp2': ('data-parallel, 2 processes', [1])}
WORLD = {'ddp2': 2}                                                      # arms that are one training in several processes

def code_at(rev: str) -> Path:
    "A git worktree of commit `rev` under runs/throughput/ (made once): the package, campaign config and weights as they were."
    d = ROOT / f'code_{rev}'
    if not d.exists(): subprocess.run(['git', 'worktree', 'add', '--detach', '-f', str(d), rev], check=True, capture_output=True)
    return d

def arm_cmd(name: str, threads: int, steps: int, out: Path, code: Path | None, world: int = 1) -> list[str]:
    "A `mamba-flow train` command line: the campaign's recipe from its committed weights, `steps` steps, small validation; `world` processes."
    home = code or Path('.')
    cfg = json.loads((home / f'campaign/{name}/config.json').read_text())
    cfg |= dict(threads=threads, batch_size=cfg['batch_size'] // world, max_steps=steps, max_cpu_min=0., out_dir=str(out), resume=False, init=str(home / f'campaign/{name}/weights.pt'),
                eval_every=10**6, eval_every_min=0., n_val=64, n_psnr=32, figure_every=10**6, tensorboard=False, ckpt_every=10**6)
    args = []
    for k, v in cfg.items():
        flag = '--' + k.replace('_', '-')
        if isinstance(v, bool): args.append(flag if v else '--no-' + k.replace('_', '-'))
        else: args += [flag, str(v)]
    if world == 1: return ['mamba-flow', 'train', *args]
    return [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={world}', '-m', 'mamba_flow.train', *args]

def step_times(log: Path, skip: int, batch: int) -> tuple[float, float]:
    "Median (wall, CPU) milliseconds per optimizer step after the first `skip` steps of log.jsonl."
    pairs = consecutive([json.loads(l) for l in log.read_text().splitlines()], skip)
    if not pairs: raise RuntimeError(f"{log} has no steps after {skip}: raise --steps.")
    wall = statistics.median(1000 * batch / b['samples_per_s'] for _, b in pairs)
    cpu = statistics.median(60_000 * (b['cpu_min'] - a['cpu_min']) for a, b in pairs)
    return wall, cpu

def run_arm(label: str, procs: list[tuple[int, str]], a, world: int = 1) -> list[dict]:
    "Start one training per (threads, commit) at once (commit '': this checkout), each in `world` processes; wait for all; a row each."
    outs = [ROOT / f"{label.replace(' ', '_').replace(',', '')}_{i}" for i in range(len(procs))]
    ROOT.mkdir(parents=True, exist_ok=True)
    for out in outs: shutil.rmtree(out, ignore_errors=True)             # an older commit's trainer would append to an old log
    env = os.environ | dict(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')   # the trainer's --threads sets the count it trains with
    ps = []
    codes = [code_at(rev) if rev else None for _, rev in procs]
    for (threads, _), code, out in zip(procs, codes, outs):
        e = env | (dict(PYTHONPATH=str(code.resolve())) if code else {})   # the console script's sys.path[0] is the venv's bin/
        ps.append(subprocess.Popen(arm_cmd(a.name, threads, a.steps, out, code, world), env=e, stdout=subprocess.DEVNULL,
                                   stderr=open(f'{out}.log', 'w')))
    for p, out in zip(ps, outs):
        if p.wait(): raise RuntimeError(f"arm {label!r} failed: see {out}.log")
    batch = json.loads(Path(f'campaign/{a.name}/config.json').read_text())['batch_size']
    rows = []
    for (threads, rev), out in zip(procs, outs):
        wall, cpu = step_times(out / 'log.jsonl', a.skip, batch)
        code = (f'commit {rev}' if rev else 'this checkout') + (f', {world} processes of batch {batch // world}' if world > 1 else '')
        rows.append(dict(arm=label, processes=len(procs) * world, threads=threads, code=code,
                         wall_ms=wall, cpu_ms=cpu, steps_per_wall_min=60_000 / wall, steps_per_cpu_min=60_000 / cpu))
    return rows

def table(rows: list[dict]) -> str:
    b = rows[0]
    lines = ['| arm | process | ms per step (wall) | ms per step (CPU) | steps per wall minute | vs first row | steps per CPU minute | vs first row |',
             '|---|---|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        lines.append(f"| {r['arm']} | {r['code']}, {r['threads']} thread{'s' if r['threads'] > 1 else ''} | {r['wall_ms']:.0f} | {r['cpu_ms']:.0f} | "
                     f"{r['steps_per_wall_min']:.0f} | {r['steps_per_wall_min'] / b['steps_per_wall_min']:.2f}x | "
                     f"{r['steps_per_cpu_min']:.0f} | {r['steps_per_cpu_min'] / b['steps_per_cpu_min']:.2f}x |")
    return '\n'.join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--name', default='v2_fast'); p.add_argument('--steps', type=int, default=500)
    p.add_argument('--skip', type=int, default=150); p.add_argument('--out', default='figures/throughput_probe')
    p.add_argument('--arms', nargs='*', default=list(ARMS), choices=list(ARMS))
    p.add_argument('--against', default='', help='a commit: add an arm of this checkout beside the package at that commit')
    a = p.parse_args()
    rows = [r for k in a.arms for r in run_arm(ARMS[k][0], [(t, '') for t in ARMS[k][1]], a, WORLD.get(k, 1))]
    if a.against: rows += run_arm(f'side by side, this checkout and {a.against}', [(1, ''), (1, a.against)], a)
    cmd = f"python nbs/experiments/throughput_probe.py --name {a.name} --steps {a.steps} --skip {a.skip} --arms {' '.join(a.arms)}" + \
          (f" --against {a.against}" if a.against else '')
    md = (f"Campaign `{a.name}`'s recipe, medians over steps {a.skip + 1} to {a.steps} of each process; `{cmd}`; "
          f"{os.cpu_count()} CPUs, nothing else running.\n\n" + table(rows))
    Path(a.out + '.md').write_text(md + '\n'); Path(a.out + '.json').write_text(json.dumps(rows, indent=1) + '\n')
    print(md)

if __name__ == '__main__': main()
