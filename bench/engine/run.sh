#!/usr/bin/env bash
# Runs the engine benchmarks and the PyTorch reference in the same run and prints both with their ratios.
#   bench/engine/run.sh [--seeds 1,2,3,4,5] [--torch-seeds 1] [--classic-batches N] [--skip-torch] [--modes "gemm layers infer fast classic"]
# Environment: MNIST_DIR (raw IDX files, default /tmp/npmt/package/data), MLND_BACKEND, MLND_THREADS.
# Each mode runs in its own process so that peak working set is per workload.
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=1,2,3,4,5; TORCH_SEEDS=1; CLASSIC_BATCHES=0; SKIP_TORCH=0; MODES="gemm layers infer fast classic"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) SEEDS=$2; shift 2;;
    --torch-seeds) TORCH_SEEDS=$2; shift 2;;
    --classic-batches) CLASSIC_BATCHES=$2; shift 2;;
    --skip-torch) SKIP_TORCH=1; shift;;
    --modes) MODES=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
OUT=${BENCH_OUT:-bench/results}
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OURS="$OUT/engine-$STAMP.txt"; THEIRS="$OUT/torch-$STAMP.txt"
dotnet build bench/MlNetDigits.Bench.Engine -c Release -m:1 -v q -clp:NoSummary >/dev/null
BIN=bench/MlNetDigits.Bench.Engine/bin/Release/net10.0/MlNetDigits.Bench.Engine
: > "$OURS"; : > "$THEIRS"
for mode in $MODES; do
  echo "== $mode: MlNetDigits.Engine (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  "$BIN" "$mode" --seeds "$SEEDS" --classic-batches "$CLASSIC_BATCHES" | tee -a "$OURS"
  if [[ $SKIP_TORCH == 0 ]]; then
    echo "== $mode: PyTorch reference (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    /usr/bin/python3 bench/engine/torch_reference.py "$mode" --seeds "$TORCH_SEEDS" --classic-batches "$CLASSIC_BATCHES" | tee -a "$THEIRS"
  fi
done
echo
echo "== Summary (ratio = PyTorch / engine for times, engine / PyTorch for rates)"
/usr/bin/python3 - "$OURS" "$THEIRS" <<'PY'
import sys
def read(path):
    r = {}
    for line in open(path):
        if line.startswith("RESULT "):
            _, name, value, unit = line.split()[:4]
            r[name] = (float(value), unit)
    return r
ours, theirs = read(sys.argv[1]), read(sys.argv[2])
print(f"{'measure':40} {'engine':>14} {'pytorch':>14}  ratio")
for name, (v, unit) in ours.items():
    t = theirs.get(name) or (theirs.get("sgemm2048_torch") if name == "sgemm2048_openblas" else None)
    if t:
        better_low = unit in ("s", "ms", "us", "MB")
        ratio = t[0] / v if better_low else v / t[0]
        print(f"{name:40} {v:>10.4g} {unit:<3} {t[0]:>10.4g} {unit:<3}  {ratio:5.2f}x")
    else:
        print(f"{name:40} {v:>10.4g} {unit:<3} {'':>14}")
PY
