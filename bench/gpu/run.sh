#!/usr/bin/env bash
# The GPU backend against PyTorch (CUDA) on one CUDA machine: the "fast" recipe's epoch and the "best" preset's
# epoch, each on the engine's GPU backend (MLND_BACKEND=gpu: ILGPU kernels, cuBLAS GEMM) and on PyTorch, in the same
# run on the same GPU, with the ratios.
#
# Two steps, because the GPU machine has no .NET SDK and no package registry:
#   1. Here (a machine with the .NET SDK):   bench/gpu/run.sh publish
#      publishes bench/MlNetDigits.Bench.Engine self-contained for linux-x64 (no restore needed over there) and packs
#      it, the torch reference and gzip'd MNIST (from MNIST_DIR, raw IDX) into bench/gpu/out/ (git-ignored, ~48 MB,
#      under the device tool's 64 MiB carry limit).
#   2. On the GPU machine, from the repository root, with bench/gpu/out/ copied along:   bench/gpu/run.sh device
#      unpacks, finds libcublas.so.12 (the system's, else PyTorch's nvidia-cublas wheel), runs each workload once per
#      side, prints "RESULT" lines and the summary, and writes everything to $OUT (default bench/gpu/out/results).
#      With the session's device tool: run(command="bench/gpu/run.sh device", carry=["bench/gpu/out"], timeout_s=560).
# Budget: about 15 minutes of device time in all, machine start included: each of the five workloads runs under a
# timeout (STEP_TIMEOUT seconds, default 100), so the script ends within ~9 minutes even if every one hangs; expected
# 2-4 minutes. Seeds: one each (--seeds 1). Needs on the GPU machine: bash, coreutils, tar, gzip, python3 with PyTorch.
# What the figures mean: one epoch in file order, data read from host memory per batch on the engine's side (the
# batch is copied to the device each step) and held on the GPU by PyTorch; both read every step's loss back.
# PyTorch runs twice for "best": its defaults (cuDNN TF32 convolutions on Hopper) and --no-tf32 (strict float32, like
# cuBLAS's default that the engine uses). Both sides first run 3 untimed steps (kernel compilation, CUDA set-up).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT_DIR=bench/gpu/out
STEP_TIMEOUT=${STEP_TIMEOUT:-100}

publish() {
  local data=${MNIST_DIR:-/work/data-cache/mnist}
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$data/$f" ]] || { echo "MNIST_DIR=$data has no raw $f (see bench/engine/run.sh)" >&2; exit 2; }
  done
  rm -rf "$OUT_DIR" && mkdir -p "$OUT_DIR/mnist"
  dotnet publish bench/MlNetDigits.Bench.Engine -c Release -r linux-x64 --self-contained true -m:1 -v q -clp:NoSummary \
    -p:InvariantGlobalization=true -p:DebugType=none -o "$OUT_DIR/publish"
  tar -C "$OUT_DIR/publish" -czf "$OUT_DIR/engine-bench.tar.gz" .
  rm -rf "$OUT_DIR/publish"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gzip -9 -c "$data/$f" > "$OUT_DIR/mnist/$f.gz"
  done
  cp bench/engine/torch_reference.py "$OUT_DIR/"
  echo "packed into $OUT_DIR ($(du -sh "$OUT_DIR" | cut -f1)); on the GPU machine run: bench/gpu/run.sh device"
}

find_cublas() {
  if ldconfig -p 2>/dev/null | grep -q 'libcublas.so.12 '; then return; fi
  local dir
  dir=$(python3 - <<'PY' 2>/dev/null || true
import os
try:
    import nvidia.cublas
    print(os.path.join(list(nvidia.cublas.__path__)[0], "lib"))
except Exception:
    import torch
    print(os.path.join(os.path.dirname(torch.__file__), "lib"))
PY
)
  if [[ -n "$dir" && -e "$dir/libcublas.so.12" ]]; then
    export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  else
    echo "libcublas.so.12 not found: the engine will use its ILGPU GEMM kernel (its description line says so)" >&2
  fi
}

device() {
  [[ -f "$OUT_DIR/engine-bench.tar.gz" ]] || { echo "no $OUT_DIR/engine-bench.tar.gz: run 'bench/gpu/run.sh publish' on a machine with the .NET SDK first" >&2; exit 2; }
  local results=${OUT:-$OUT_DIR/results}
  local work; work=$(mktemp -d)
  mkdir -p "$results" "$work/bin" "$work/mnist"
  tar -C "$work/bin" -xzf "$OUT_DIR/engine-bench.tar.gz"
  for f in "$OUT_DIR"/mnist/*.gz; do gunzip -c "$f" > "$work/mnist/$(basename "$f" .gz)"; done
  find_cublas
  export MNIST_DIR="$work/mnist"
  { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcublas\.so' || true
    echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"; } 2>&1 | tee "$results/gpu.txt"
  local ours="$results/engine.txt" theirs="$results/torch.txt"
  : > "$ours"; : > "$theirs"
  for mode in fast best; do
    echo "== $mode: MlNetDigits.Engine, GPU backend"
    MLND_BACKEND=gpu timeout "$STEP_TIMEOUT" "$work/bin/MlNetDigits.Bench.Engine" "$mode" --seeds 1 2>&1 | tee -a "$ours" || echo "engine $mode failed or timed out" | tee -a "$ours"
    echo "== $mode: PyTorch, CUDA"
    timeout "$STEP_TIMEOUT" python3 "$OUT_DIR/torch_reference.py" "$mode" --seeds 1 --device cuda 2>&1 | tee -a "$theirs" || echo "torch $mode failed or timed out" | tee -a "$theirs"
  done
  echo "== best: PyTorch, CUDA, strict float32 (--no-tf32)"
  timeout "$STEP_TIMEOUT" python3 "$OUT_DIR/torch_reference.py" best --seeds 1 --device cuda --no-tf32 2>&1 \
    | sed 's/^RESULT best_epoch_seconds /RESULT best_epoch_seconds_fp32 /' | tee -a "$theirs" || true
  grep '^RESULT best_epoch_seconds ' "$ours" | sed 's/best_epoch_seconds /best_epoch_seconds_fp32 /' >> "$ours" || true
  echo
  echo "== Summary (ratio = PyTorch time / engine time: above 1, the engine is faster)"
  python3 - "$ours" "$theirs" <<'PY' | tee "$results/summary.txt"
import sys
def read(path):
    r = {}
    for line in open(path):
        if line.startswith("RESULT "):
            _, name, value, unit = line.split()[:4]
            r[name] = (float(value), unit)
    return r
ours, theirs = read(sys.argv[1]), read(sys.argv[2])
print(f"{'measure':32} {'engine':>12} {'pytorch':>12}  ratio")
for name in ("fast_epoch_seconds_mean", "best_epoch_seconds", "best_epoch_seconds_fp32", "fast_test_accuracy_mean"):
    if name in ours and name in theirs:
        (v, unit), t = ours[name], theirs[name][0]
        ratio = t / v if unit == "s" else v / t
        print(f"{name:32} {v:>9.4g} {unit:<2} {t:>9.4g} {unit:<2}  {ratio:5.2f}x")
    else:
        print(f"{name:32} missing: engine {ours.get(name)}, pytorch {theirs.get(name)}")
PY
  rm -rf "$work"
}

case "${1:-}" in
  publish) publish ;;
  device) device ;;
  *) echo "usage: bench/gpu/run.sh publish | device   (see the header)" >&2; exit 2 ;;
esac
