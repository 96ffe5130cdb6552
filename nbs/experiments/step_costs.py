"""What a training step costs, read from a run's log.jsonl, for stretches of one run (e.g. a campaign's one-process and
two-process segments, which train the same model on the same global batches).

Per stretch: the median CPU milliseconds per step (the trainer's clock: the training CPU time of all its processes), the median
samples per wall second, and over the whole stretch the steps per wall minute (validations included: the trainer's wall time of
the step after a validation counts it) and per CPU minute. A stretch is NAME:FIRST:LAST (steps; LAST may be empty: to the end);
only consecutive log rows count, so a stretch should not span a resume. Usage (this machine, the campaign's segments 37 and 38):

    python nbs/experiments/step_costs.py runs/campaign/v2_fast/log.jsonl "one process:15500:17104" "two processes:17106:"
"""
import argparse, json, statistics

def consecutive(rows: list[dict], first: int, last: float = float('inf')) -> list[tuple[dict, dict]]:
    "(row, next row) of log.jsonl `rows` (in order) one step apart, with first < the next row's step <= last."
    return [(a, b) for a, b in zip(rows, rows[1:]) if b['step'] == a['step'] + 1 and first < b['step'] <= last]

def stretch(rows: list[dict], first: int, last: float, batch: int) -> dict:
    "The costs of the steps first < step <= last of `rows` (log.jsonl lines, in order); `batch` is the global batch."
    pairs = consecutive(rows, first, last)
    if len(pairs) < 10: raise SystemExit(f"only {len(pairs)} consecutive steps in ({first}, {last}]: pick a longer stretch.")
    wall = sum(batch / b['samples_per_s'] for _, b in pairs)                  # seconds
    cpu = sum(b['cpu_min'] - a['cpu_min'] for a, b in pairs)                   # minutes
    return dict(steps=len(pairs), cpu_ms=statistics.median(60_000 * (b['cpu_min'] - a['cpu_min']) for a, b in pairs),
                samples_per_s=statistics.median(b['samples_per_s'] for _, b in pairs), steps_per_wall_min=len(pairs) / (wall / 60),
                steps_per_cpu_min=len(pairs) / cpu)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('log'); p.add_argument('stretches', nargs='+', help='NAME:FIRST:LAST (steps; LAST empty: to the end)')
    p.add_argument('--batch', type=int, default=32, help="the run's global batch (batch_size x processes)")
    a = p.parse_args()
    rows = [json.loads(l) for l in open(a.log)]
    print('| stretch | steps | CPU ms per step (median) | samples per wall s (median) | steps per wall min | steps per CPU min |')
    print('|---|---:|---:|---:|---:|---:|')
    for s in a.stretches:
        name, first, last = s.rsplit(':', 2)
        c = stretch(rows, int(first), float(last) if last else float('inf'), a.batch)
        print(f"| {name} | {c['steps']:,} | {c['cpu_ms']:.0f} | {c['samples_per_s']:.1f} | {c['steps_per_wall_min']:.1f} | {c['steps_per_cpu_min']:.1f} |")

if __name__ == '__main__': main()
