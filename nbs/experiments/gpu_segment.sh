#!/usr/bin/env bash
# One GPU segment of the design-size V2 (d 256, 4 + 4 Mamba layers, local decoding), prepared for the
# `device` tool, where a session gets at most 15 minutes of device time in all (README: "The long run").
# It runs bare, from the repository root, with the machine's own PyTorch (no install: PYTHONPATH=.):
#   1. a smoke test: 20 training steps with compile and bf16 autocast; if compile fails, the run goes eager;
#   2. the GPU benchmarks: scan methods, the four models (forward+backward ratios);
#   3. training for MINUTES (process CPU minutes; also capped at MINUTES + 1 wall minutes: WALL seconds), validating every minute;
#   4. exports the best weights (fp16) and copies logs and the summary into OUT (6 files: the device returns at most 8).
# usage: bash nbs/experiments/gpu_segment.sh DATA_DIR OUT MINUTES [INIT]
#   DATA_DIR holds cifar10_jpeg_q75.npz and cifar10_exact_partial.npz (carry a git-ignored copy of ../shared/data);
#   INIT: weights to start from (a previous segment's export), else fresh weights.
# CPU dry run of the same path: DEVICE=cpu PRESET=tiny BATCH=8 bash nbs/experiments/gpu_segment.sh ../shared/data /tmp/out 0.3
set -euo pipefail
DATA=$1; OUT=$2; MINUTES=$3; INIT=${4:-}
DEVICE=${DEVICE:-cuda}; PRESET=${PRESET:-original}; BATCH=${BATCH:-128}; LR=${LR:-5e-4}; WORKERS=${WORKERS:-6}
RUN=${RUN:-runs/gpu_v2}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 MAMBA_FLOW_TRACEBACK=1
mkdir -p "$OUT" "$RUN"
for f in cifar10_jpeg_q75.npz cifar10_exact_partial.npz; do
  [ -f "$DATA/$f" ] || { echo "missing $DATA/$f: carry a copy of ../shared/data (see this script's header)" >&2; exit 2; }
done
cli() { python3 -c 'import sys; from mamba_flow.cli import main; sys.argv[0] = "mamba-flow"; main()' "$@"; }
python3 - <<'EOF' | tee "$OUT/summary.md"
import torch, platform
print(platform.python_version(), 'torch', torch.__version__, 'cuda', torch.cuda.is_available() and torch.cuda.get_device_name())
EOF
TRAIN=(--model v2 --preset "$PRESET" --overrides decoding=local --queries 0 --t0-fraction 0.5
       --data "$DATA/cifar10_jpeg_q75.npz" --exact "$DATA/cifar10_exact_partial.npz" --batch-size "$BATCH"
       --lr "$LR" --schedule constant --warmup-steps 200 --ema-decay 0.999 --epochs 1000 --num-workers "$WORKERS"
       --device "$DEVICE" --n-psnr 256 --figure-every 1000)
COMPILE=--compile
if ! cli train "${TRAIN[@]}" $COMPILE --max-steps 20 --eval-every 1000 --out-dir "$RUN.smoke" > "$OUT/smoke.log" 2>&1; then
  echo "smoke test with --compile failed (tail of $OUT/smoke.log below); training eagerly" | tee -a "$OUT/summary.md"
  tail -5 "$OUT/smoke.log"; COMPILE=--no-compile
  cli train "${TRAIN[@]}" $COMPILE --max-steps 20 --eval-every 1000 --out-dir "$RUN.smoke2" > "$OUT/smoke2.log" 2>&1 || { tail -30 "$OUT/smoke2.log"; exit 1; }
fi
timeout 120 python3 -m mamba_flow.bench scan --device "$DEVICE" ${QUICK_BENCH:+--quick} --out "$RUN/bench_scan" > /dev/null 2>&1 && cat "$RUN/bench_scan.md" >> "$OUT/summary.md" || echo "bench scan failed" >> "$OUT/summary.md"
timeout 120 python3 -m mamba_flow.bench models --device "$DEVICE" ${QUICK_BENCH:+--tiny} --out "$RUN/bench_models" > /dev/null 2>&1 && cat "$RUN/bench_models.md" >> "$OUT/summary.md" || echo "bench models failed" >> "$OUT/summary.md"
BEHIND=0; [ -n "$INIT" ] && BEHIND=$(python3 -c "import sys; from mamba_flow.train import read_weights; print(read_weights(sys.argv[1])[2] / 60)" "$INIT")
WALL=${WALL:-$(python3 -c "print(int($MINUTES * 60 + 60))")}    # a wall-clock cap too: on a GPU host CPU time may lag wall time
set +e                                                              # SIGTERM at the cap: the trainer saves and stops (timeout: 124)
timeout -s TERM "$WALL" python3 -c 'import sys; from mamba_flow.cli import main; sys.argv[0] = "mamba-flow"; main()' train "${TRAIN[@]}" $COMPILE \
  --max-cpu-min "$(python3 -c "print($BEHIND + $MINUTES)")" --eval-every-min 1 ${INIT:+--init "$INIT"} --out-dir "$RUN" 2>&1 \
  | tr '\r' '\n' | grep -v '^epoch' > "$OUT/train.log"
rc=${PIPESTATUS[0]}; set -e
[ "$rc" = 0 ] || [ "$rc" = 124 ] || { tail -30 "$OUT/train.log"; exit 1; }
[ "$rc" = 124 ] && echo "training stopped at the wall-clock cap ($WALL s)" >> "$OUT/summary.md"
B=$RUN/best.pt; [ -f "$B" ] || B=$RUN/latest.pt                    # no validation before the cap: the last weights
python3 -m mamba_flow.evaluate export "$B" "$OUT/v2_gpu.pt"
cp "$RUN/val.jsonl" "$RUN/config.json" "$OUT/"; cat "$RUN/starts.jsonl" >> "$OUT/summary.md"     # at most 8 files come back
python3 - "$RUN" "$OUT" <<'EOF' | tee -a "$OUT/summary.md"
import json, sys
run, out = sys.argv[1:]
log = [json.loads(l) for l in open(f'{run}/log.jsonl')]
val = [json.loads(l) for l in open(f'{run}/val.jsonl')]
sps = sorted(r['samples_per_s'] for r in log[len(log) // 4:])[len(log[len(log) // 4:]) // 2]    # median, after warm-up
cfg = json.load(open(f'{run}/config.json'))
n_train = 45000 if 'q75' in cfg['data'] else 0
print(f"steps {log[-1]['step']}, samples/s (median) {sps:.0f}" + (f", seconds per epoch of {n_train} images {n_train / sps:.0f}" if n_train else ''))
print('validation PSNR (posterior mean, 256 images): ' + ', '.join(f"{v['cpu_min']:.1f} min {v['psnr']:.2f}" for v in val))
EOF
