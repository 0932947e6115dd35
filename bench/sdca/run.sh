#!/usr/bin/env bash
# The linear baseline on MNIST (pixels scaled to [0, 1]): ML.NET's SdcaMaximumEntropy with default options, then
# scikit-learn's LogisticRegression (lbfgs, C=1, multinomial) on the same files in the same run, and the time ratio.
#
# Usage: bench/sdca/run.sh [DATA_DIR] [RUNS]
#   DATA_DIR  folder with the four MNIST IDX files, raw or .gz (default: data/mnist, as fetched by `mlnetdigits data fetch`)
#   RUNS      how many times to train each (default 1; the figures of every run are printed)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="${1:-data/mnist}"
RUNS="${2:-1}"
PYTHON=/usr/bin/python3

if [ ! -e "$DATA/train-images-idx3-ubyte" ] && [ ! -e "$DATA/train-images-idx3-ubyte.gz" ]; then
  echo "MNIST not found in $DATA: run 'mlnetdigits data fetch' or pass the folder holding the IDX files." >&2
  exit 2
fi
if ! "$PYTHON" -c "import sklearn" 2>/dev/null; then
  echo "scikit-learn is missing; installing python3-sklearn (Debian)..." >&2
  apt-get install -y python3-sklearn >/dev/null
fi

OUT="${TMPDIR:-/tmp}/mlnetdigits-bench-sdca"
dotnet build bench/MlNetDigits.Bench.Sdca/MlNetDigits.Bench.Sdca.csproj -c Release -o "$OUT" -v q -clp:NoSummary >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

value() { grep "^$1=" | head -1 | cut -d= -f2 | cut -d' ' -f1; }
for run in $(seq 1 "$RUNS"); do
  ours=$(dotnet "$OUT/MlNetDigits.Bench.Sdca.dll" "$DATA" | grep -v '^#')
  theirs=$("$PYTHON" bench/sdca/sklearn_logreg.py "$DATA")
  echo "run $run"
  echo "  ML.NET SdcaMaximumEntropy: $(echo "$ours" | tr '\n' ' ')"
  echo "  scikit-learn LogisticRegression lbfgs C=1: $(echo "$theirs" | tr '\n' ' ')"
  a=$(echo "$ours" | value train_seconds)
  b=$(echo "$theirs" | value train_seconds)
  echo "  time ratio (scikit-learn / SDCA): $("$PYTHON" -c "print(f'{$b / $a:.1f}x')")"
done
