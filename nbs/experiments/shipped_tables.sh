#!/usr/bin/env bash
# Every number of the README's "The shipped model" section, measured again for the weights W (default: the package's).
# Run after shipping new weights; each command is the one the README prints beside its table.
# usage: bash nbs/experiments/shipped_tables.sh [test|heun|photos|summary|all] [W]
#   test: exact test (all 1,017, first 128, --mirror), validation (256, and --mirror), by distance to the nearest input, and the demo
#   heun: Heun 10 steps on the first 128 test images, 8 samples and one (the slow part: about 16 CPU minutes)
#   photos: the photo crops (compare at 32/64/128 px, --mirror, the super-resolution ceiling at 32-256 px)
#   summary: print every number of the section from the files the parts wrote (shipped_summary.py; also the end of `all`)
# Two parts can run side by side on two cores (each process uses one thread).
# Once the re-ship is committed: python nbs/experiments/shipped_history.py --out figures/shipped_history (every shipped version, from git).
set -euo pipefail
PART=${1:-all}; W=${2:-mamba_flow/assets/v2_fast.pt}; D=${D:-../shared/data}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
E1=(--sampler euler --steps 1)
TEST=(--data "$D/cifar10_exact_partial.npz" --split test --scales 32)
VAL=(--data "$D/cifar10_jpeg_q75.npz" --split val --n 256 --scales 32)
if [[ $PART == test || $PART == all ]]; then
  mamba-flow eval --checkpoint "$W" "${TEST[@]}" "${E1[@]}" --out figures/eval_v2_fast_test_euler1.json
  mamba-flow eval --checkpoint "$W" "${TEST[@]}" "${E1[@]}" --mirror --out figures/eval_v2_fast_test_euler1_mirror.json
  mamba-flow eval --checkpoint "$W" "${TEST[@]}" --n 128 "${E1[@]}" --out figures/eval_v2_fast_test128_euler1.json
  mamba-flow eval --checkpoint "$W" "${VAL[@]}" "${E1[@]}" --out figures/eval_v2_fast_val256_euler1.json
  mamba-flow eval --checkpoint "$W" "${VAL[@]}" "${E1[@]}" --mirror --out figures/eval_v2_fast_val256_euler1_mirror.json
  mamba-flow eval --checkpoint "$W" --data "$D/cifar10_jpeg_q75.npz" --exact "$D/cifar10_exact_partial.npz" --split val \
      --scales 32 "${E1[@]}" --out figures/eval_v2_fast_valexact_euler1.json
  mamba-flow demo --checkpoint "$W" --out figures/demo     # the README's demo figure and table (the 4 sample images)
  mamba-flow compare "$W" mamba_flow/assets/v2_small.pt --names "fast V2, local (shipped)" "small V2, global (before)" \
      "${TEST[@]}" "${E1[@]}" --out figures/compare_test_distance
fi
if [[ $PART == heun || $PART == all ]]; then
  mamba-flow eval --checkpoint "$W" "${TEST[@]}" --n 128 --sampler heun --steps 10 --samples 8 --out figures/eval_v2_fast_test_heun10_k8.json
  mamba-flow eval --checkpoint "$W" "${TEST[@]}" --n 128 --sampler heun --steps 10 --out figures/eval_v2_fast_test_heun10_k1.json
fi
if [[ $PART == photos || $PART == all ]]; then
  mamba-flow compare "$W" mamba_flow/assets/v2_small.pt --names "fast V2 (local, 0.24M)" "small V2 (global, 0.39M)" \
      --data photos --scales 32 64 128 "${E1[@]}" --classical biharmonic --out figures/compare_photos
  mamba-flow eval --checkpoint "$W" --data photos --scales 32 64 128 "${E1[@]}" --mirror --out figures/eval_v2_fast_photos_mirror.json
  mamba-flow eval --checkpoint "$W" --data photos --scales 32 64 128 256 "${E1[@]}" --out figures/eval_v2_fast_photos_ceiling.json
fi
if [[ $PART == summary || $PART == all ]]; then
  python nbs/experiments/shipped_summary.py figures
fi
