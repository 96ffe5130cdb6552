#!/usr/bin/env bash
# One GPU segment of the design-size V2 (d 256, 4 + 4 Mamba layers, local decoding), prepared for the
# `device` tool, where a session gets at most 15 minutes of device time in all, machine start included
# (README: "The first GPU segment"). The whole script keeps to a wall-clock budget of BUDGET_S seconds:
#   1. the GPU benchmarks, in one process (at most 90 s): scan methods at the training shape and at
#      length 4,096; the four design-size models (forward and forward+backward); chunked and odd-even
#      compiled, at the training shape; then a torch.profiler table of one eager training step of the
#      design-size model (at most 45 s; PRESET=original only);
#   2. training with torch.compile and bf16 autocast until BUDGET_S - EVAL_S (the trainer's
#      --max-wall-min: it validates at the deadline and stops); if that fails before its first checkpoint,
#      eagerly with the data loaded in the main process, for the time left;
#   3. the fp16 export of the best weights (chosen on validation, 256 images, posterior mean);
#   4. on the GPU, with the time left: posterior mean on the 1,017 exact test images, the photo crops at
#      32 / 64 / 128 px, and Heun-10 (8 samples) on the first 128 test images;
#   5. OUT gets summary.md, train.log, eval.log, run.tgz (the run folder without checkpoints: logs,
#      TensorBoard events, benchmark and evaluation JSON) and v2_gpu.pt (the device returns at most 8 files).
# usage: bash nbs/experiments/gpu_segment.sh DATA_DIR OUT BUDGET_S [INIT]
#   DATA_DIR holds cifar10_jpeg_q75.npz and cifar10_exact_partial.npz (carry a git-ignored copy of
#   ../shared/data) and, optionally, a mambapy wheel (the scan benchmark's outside anchor);
#   INIT: weights to start from (a previous segment's v2_gpu.pt, committed as campaign/v2_gpu/weights.pt:
#   fresh optimizer, warmup, the log says so). BATCH is 64 by default: the first segment, at 256, was
#   limited by its 702 optimizer steps (README).
# CPU dry run of the same path (tiny model; 5 to 10 minutes within its 600 s budget):
#   DEVICE=cpu PRESET=tiny BATCH=8 WORKERS=0 EVAL_N=16 EVAL_S=200 bash nbs/experiments/gpu_segment.sh gpu_data /tmp/gpu_dry 600
set -euo pipefail
DATA=$1; OUT=$2; BUDGET=$3; INIT=${4:-}
T0=$(date +%s); left() { echo $(( BUDGET - $(date +%s) + T0 )); }
DEVICE=${DEVICE:-cuda}; PRESET=${PRESET:-original}; BATCH=${BATCH:-64}; LR=${LR:-5e-4}; WORKERS=${WORKERS:-4}
EVAL_S=${EVAL_S:-100}; EVAL_N=${EVAL_N:-0}      # seconds kept for step 4; EVAL_N > 0: that many test images (dry runs)
RUN=${RUN:-runs/gpu_v2}; FIRST=$RUN
WHEEL=$(ls "$DATA"/mambapy-*.whl 2>/dev/null | head -1 || true)
export PYTHONPATH=$PWD${WHEEL:+:$PWD/$WHEEL}${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 MAMBA_FLOW_TRACEBACK=1
mkdir -p "$OUT"; rm -rf "$RUN" "$RUN-eager"; mkdir -p "$RUN"
for f in cifar10_jpeg_q75.npz cifar10_exact_partial.npz; do
  [ -f "$DATA/$f" ] || { echo "missing $DATA/$f: carry a copy of ../shared/data (see this script's header)" >&2; exit 2; }
done
cli() { python3 -c 'import sys; from mamba_flow.cli import main; sys.argv[0] = "mamba-flow"; main()' "$@"; }
{ echo "# GPU segment ($(date -u +%FT%TZ)), budget $BUDGET s"; nvidia-smi -L 2>/dev/null || true
  python3 -c "import torch, platform; print('python', platform.python_version(), 'torch', torch.__version__, 'gpu', torch.cuda.is_available() and torch.cuda.get_device_name())"
} | tee "$OUT/summary.md"

# 1. benchmarks
timeout 90 python3 - "$DEVICE" "$PRESET" "$RUN" <<'EOF' >> "$OUT/summary.md" 2>&1 || echo "benchmarks stopped (timeout or error)" >> "$OUT/summary.md"
import json, sys, dataclasses
from mamba_flow.bench import SCAN_SHAPES, BenchRow, measure, format_table, bench_models, format_model_table, machine_info
dev, preset, run = sys.argv[1:]
shapes = {'train': SCAN_SHAPES['train'], 'l4096': SCAN_SHAPES['l4096']} if preset == 'original' else {'quick': (2, 64, 16, 4)}
rows = []
for shape, dims in shapes.items():
    for m in ['sequential', 'chunked', 'oddeven', 'quadratic', 'mambapy_pscan']:
        try: rows.append(measure(m, shape, dims, dev))
        except Exception as e: rows.append(BenchRow(shape, dims, m, status=f'error: {str(e).splitlines()[0][:100]}'))
print('\n## scan: forward+backward\n\n' + format_table(rows, dev), flush=True)
models = bench_models(64, tiny=preset != 'original', device=dev)
print('\n## models: batch 64, 204 inputs, 204 queries\n\n' + format_model_table(models) + f'\n\nmachine: {machine_info(dev)}')
save = lambda: json.dump(dict(machine=machine_info(dev), scan=[dataclasses.asdict(r) for r in rows], models=models), open(f'{run}/bench.json', 'w'), indent=1)
save()                                           # again after each compiled scan: the timeout may cut those
shape, dims = next(iter(shapes.items()))
for m in ['chunked+compile', 'oddeven+compile']:  # the scan inside a compiled model: traced and fused (only numba is a graph break)
    try: rows.append(measure(m, shape, dims, dev))   # the first call compiles: measure's warm-up
    except Exception as e: rows.append(BenchRow(shape, dims, m, status=f'error: {str(e).splitlines()[0][:100]}'))
    print(f"{shape} {dims} {m}: {rows[-1].status}, {rows[-1].ms or float('nan'):.1f} ms forward+backward (median of 5)", flush=True); save()
EOF
if [ "$PRESET" = original ]; then
  if timeout 45 python3 -m mamba_flow.bench profile --config design --device "$DEVICE" --batch-size "$BATCH" \
       --data "$DATA/cifar10_jpeg_q75.npz" --row-limit 20 > "$RUN/profile.txt" 2>&1; then
    { echo; echo "## profile: one eager training step of the design-size model, batch $BATCH"; echo; cat "$RUN/profile.txt"; } >> "$OUT/summary.md"
  else echo "profile stopped (timeout or error): run.tgz holds profile.txt" >> "$OUT/summary.md"; fi
fi

# 2. training until the deadline
TRAIN=(--model v2 --preset "$PRESET" --overrides decoding=local --queries 0 --t0-fraction 0.5
       --data "$DATA/cifar10_jpeg_q75.npz" --exact "$DATA/cifar10_exact_partial.npz" --batch-size "$BATCH"
       --lr "$LR" --schedule constant --warmup-steps 200 --ema-decay 0.998 --epochs 1000 --num-workers "$WORKERS"
       --device "$DEVICE" --n-psnr 256 --eval-every-min 1 --figure-every 1000 ${INIT:+--init "$INIT"})
train() {  # train RUN_DIR COMPILE_FLAG: until EVAL_S seconds before the budget's end (the trainer's own deadline; timeout as a backstop)
  local s=$(( $(left) - EVAL_S )); echo "training in $1 ($2) for $s s of wall time" | tee -a "$OUT/summary.md"
  set +e
  timeout -s TERM $(( s + 60 )) python3 -c 'import sys; from mamba_flow.cli import main; sys.argv[0] = "mamba-flow"; main()' train "${TRAIN[@]}" "$2" \
    --max-wall-min "$(python3 -c "print($s / 60)")" --out-dir "$1" 2>&1 | tr '\r' '\n' | grep -v '%|' >> "$OUT/train.log"
  local rc=${PIPESTATUS[0]}; set -e; echo "train exit status $rc" | tee -a "$OUT/summary.md"; return $rc
}
train "$RUN" --compile || {
  if [ ! -f "$RUN/latest.pt" ] && [ "$(left)" -gt $(( EVAL_S + 90 )) ]; then
    echo "compiled training failed before its first checkpoint (train.log); training eagerly, data in the main process" | tee -a "$OUT/summary.md"
    RUN=$RUN-eager; mkdir -p "$RUN"; cp "$FIRST/bench.json" "$RUN/" 2>/dev/null || true
    TRAIN+=(--num-workers 0); train "$RUN" --no-compile || true
  fi; }

# 3. the best weights, fp16
B=$RUN/best.pt; [ -f "$B" ] || B=$RUN/latest.pt
[ -f "$B" ] || { echo "no checkpoint: see train.log" | tee -a "$OUT/summary.md"; tail -40 "$OUT/train.log"; exit 1; }
python3 -m mamba_flow.evaluate export "$B" "$OUT/v2_gpu.pt" | tee -a "$OUT/summary.md"

# 4. evaluation on the GPU, most important first, with the time left
N=(); [ "$EVAL_N" -gt 0 ] && N=(--n "$EVAL_N")
TEST=(--data "$DATA/cifar10_exact_partial.npz" --split test --device "$DEVICE" --batch-size 128)
timeout $(( $(left) - 15 )) python3 - "$OUT/v2_gpu.pt" "$RUN" "${TEST[@]}" "${N[@]}" <<'EOF' > "$OUT/eval.log" 2>&1 || echo "evaluation stopped (timeout or error): eval.log" >> "$OUT/summary.md"
import json, sys
from mamba_flow.cli import main
w, run, test = sys.argv[1], sys.argv[2], sys.argv[3:]
small = ['--n', '16'] if '--n' in test else []
for name, args in [('test_euler1', test + ['--scales', '32', '--sampler', 'euler', '--steps', '1']),
                   ('photos_euler1', ['--data', 'photos', '--scales', '32', '64', '128', '--sampler', 'euler', '--steps', '1',
                                      '--device', test[test.index('--device') + 1], '--batch-size', '16'] + small),
                   ('test128_heun10_k8', test + ['--scales', '32', '--sampler', 'heun', '--steps', '10', '--samples', '8']
                                         + ([] if small else ['--n', '128']))]:
    print(f'## {name}', flush=True)
    main(['eval', '--checkpoint', w, *args, '--out', f'{run}/eval_{name}.json'])
    r = json.load(open(f'{run}/eval_{name}.json'))
    for scale, v in r['results'].items():
        if 'psnr' not in v: continue                                       # the lattice-energy entries
        how = f", {v['sampler']} {v['steps']}, {v['samples']} sample(s), {v['seconds']:.1f} s" if 'sampler' in v else ''
        print(f"eval {name} {scale} ({v['n']} images{how}): PSNR {v['psnr']:.2f} SSIM {v['ssim']:.3f}", flush=True)
EOF

# 5. summary and the run folder
python3 - "$RUN" "$BATCH" "$OUT/train.log" <<'EOF' | tee -a "$OUT/summary.md"
import json, re, sys
run, batch = sys.argv[1], int(sys.argv[2])
m = re.search(r"(\d+) training / \d+ validation images", open(sys.argv[3]).read())   # the trainer's first line
n = int(m[1]) if m else float('nan')
log = [json.loads(l) for l in open(f'{run}/log.jsonl')]
val = [json.loads(l) for l in open(f'{run}/val.jsonl')]
tail = log[len(log) // 4:]                                                # after compiling and warm-up
sps = sorted(r['samples_per_s'] for r in tail)[len(tail) // 2]
print(f"steps {log[-1]['step']} of {batch} fields, {log[-1]['step'] * batch / n:.2f} epochs; samples/s (median) {sps:.0f}; "
      f"seconds per epoch of {n:,} images {n / sps:.1f}")
print('validation PSNR (posterior mean, 256 images): ' + ', '.join(f"step {v['step']} {v['psnr']:.2f}" for v in val))
EOF
cat "$RUN/starts.jsonl" >> "$OUT/summary.md"
grep -h "^eval " "$OUT/eval.log" >> "$OUT/summary.md" || true
tar -czf "$OUT/run.tgz" --exclude='*.pt' "$RUN"
echo "done with $(left) s of the budget left" | tee -a "$OUT/summary.md"
