"""A campaign's validation, in one process and shared by two: wall seconds, and the numbers, which must agree.

The trainer's validation (`Trainer.validate`: the loss over `n_val` images, `n_psnr` full fields and their x2 versions) of
campaign NAME's committed weights, with its own config (1 thread per process, and the per-process batch of `campaign run --procs
2` in both arms, which sets the loss's batches: so the numbers are those the campaign logged for these weights): first in one process, then in two
(`torch.distributed.run`, gloo), each process taking every other loss batch and field chunk and rank 0 gathering. Each
arm validates --repeats times; the table gives the fastest wall time and the numbers (identical arms: same loss, same PSNRs).
Rounds alternate the arms' order, so a machine that slows down slows both.

usage: python nbs/experiments/val_wall.py [--name v2_fast] [--repeats 2] [--rounds 2] --out figures/val_wall
Nothing else should run on the machine meanwhile (the campaign stopped).
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

RUNS = Path('runs/val_wall')                                            # the timer script and the arms' run folders
TIMER = """
import json, sys, time, torch
from mamba_flow.train import TrainConfig, Trainer
cfg = json.load(open(sys.argv[1])); cfg.pop('world', None)
cfg.update(out_dir=sys.argv[2], tensorboard=False, compile=False, init=sys.argv[3], resume=False, threads=1,
           batch_size=cfg['batch_size'] // 2)   # the per-process batch of `campaign run --procs 2`: the loss's batches are the campaign's
tr = Trainer(TrainConfig(**cfg)); walls = []
for _ in range(int(sys.argv[4])):
    if tr.world > 1: torch.distributed.barrier()
    t0 = time.perf_counter(); v = tr.validate(); walls.append(time.perf_counter() - t0)
if tr.is_main: print('RESULT', json.dumps(dict(wall_s=min(walls), **{k: v[k] for k in ('val_loss', 'psnr', 'psnr_x2', 'n_psnr')})), flush=True)
if tr.world > 1: torch.distributed.destroy_process_group()
"""

def arm(procs: int, name: str, repeats: int) -> dict:
    "One validation arm in `procs` processes: rank 0's RESULT line."
    RUNS.mkdir(parents=True, exist_ok=True); script = RUNS / 'timer.py'; script.write_text(TIMER)
    args = [f'campaign/{name}/config.json', str(RUNS / f'run{procs}'), f'campaign/{name}/weights.pt', str(repeats)]
    launch = [sys.executable] if procs == 1 else [sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={procs}', '--standalone']
    r = subprocess.run(launch + [str(script)] + args, capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    lines = [l for l in r.stdout.splitlines() if l.startswith('RESULT')]
    if r.returncode or not lines: sys.exit(f"the {procs}-process arm failed:\n{r.stderr[-3000:]}")
    return json.loads(lines[0].split(' ', 1)[1])

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--name', default='v2_fast'); p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--rounds', type=int, default=2); p.add_argument('--out', required=True)
    a = p.parse_args(); Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    res = {1: [], 2: []}
    for r in range(a.rounds):
        for procs in ((1, 2) if r % 2 == 0 else (2, 1)): res[procs].append(arm(procs, a.name, a.repeats))
    best = {k: min(v, key=lambda x: x['wall_s']) for k, v in res.items()}
    for k in ('val_loss', 'psnr', 'psnr_x2'):
        if abs(best[1][k] - best[2][k]) > 1e-9: sys.exit(f"the arms disagree on {k}: {best[1][k]} against {best[2][k]}")
    rows = [f"| {k} process{'es' * (k > 1)} | {best[k]['wall_s']:.1f} | {best[1]['wall_s'] / best[k]['wall_s']:.2f}x | {best[k]['val_loss']:.6f} | "
            f"{best[k]['psnr']:.4f} | {best[k]['psnr_x2']:.4f} |" for k in (1, 2)]
    md = (f"Campaign `{a.name}`'s validation of its committed weights ({best[1]['n_psnr']} fields), 1 thread per process; fastest of "
          f"{a.repeats} validations x {a.rounds} rounds; `python nbs/experiments/val_wall.py --name {a.name} --repeats {a.repeats} "
          f"--rounds {a.rounds}`.\n\n| validation | wall s | speed-up | val loss | PSNR | PSNR x2 |\n|---|---:|---:|---:|---:|---:|\n"
          + '\n'.join(rows) + '\n')
    Path(a.out + '.md').write_text(md); Path(a.out + '.json').write_text(json.dumps({str(k): v for k, v in res.items()}, indent=1))
    print(md)

if __name__ == '__main__': main()
