#!/usr/bin/env bash
# `mlnetdigits train --trainer cnn --preset fast` end to end (process start, IDX -> IDataView -> trained, calibrated,
# out-of-distribution statistics fitted, exported to ONNX, saved as an ML.NET zip, evaluated on the test set) against
# PyTorch doing the same job (bench/cli/torch_train_fast.py), in the same run, interleaved, on the same machine.
#   bench/cli/run.sh [--runs 3] [--data-dir DIR]      (DIR holds mnist/ with the raw IDX files; default: data)
# Prints each run's wall time and peak resident memory (GNU time), then the medians and the ratio ours / PyTorch.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=3; DATA_DIR=data
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS=$2; shift 2;;
    --data-dir) DATA_DIR=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[[ -f "$DATA_DIR/mnist/train-images-idx3-ubyte" ]] || { echo "no MNIST in $DATA_DIR/mnist: run ./mlnetdigits data fetch first" >&2; exit 2; }
dotnet build src/MlNetDigits.Cli -c Release -m:1 -v q -clp:NoSummary >/dev/null
CLI=src/MlNetDigits.Cli/bin/Release/net10.0/MlNetDigits.Cli.dll
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $RUNS runs each, interleaved"
ours=(); theirs=(); ours_mb=(); theirs_mb=()
for i in $(seq 1 "$RUNS"); do
  echo "== run $i: mlnetdigits train (load $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -f "%e %M" -o "$TMP/t" dotnet "$CLI" train --trainer cnn --preset fast --seed 1 --data-dir "$DATA_DIR" \
    --out "$TMP/cnn-fast.zip" --force > "$TMP/out" 2> "$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
  read -r secs kb < "$TMP/t"; ours+=("$secs"); ours_mb+=("$((kb / 1024))")
  grep -E "MicroAccuracy|Training time" "$TMP/out" | sed 's/^/   /'
  echo "   wall $secs s, peak RSS $((kb / 1024)) MB"
  echo "== run $i: PyTorch (load $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -f "%e %M" -o "$TMP/t" /usr/bin/python3 bench/cli/torch_train_fast.py --data "$DATA_DIR/mnist" --out "$TMP/torch.onnx" > "$TMP/tout" 2>&1 \
    || { cat "$TMP/tout" >&2; exit 1; }
  read -r secs kb < "$TMP/t"; theirs+=("$secs"); theirs_mb+=("$((kb / 1024))")
  grep -E "test_accuracy|epoch_seconds" "$TMP/tout" | sed 's/^/   /'
  echo "   wall $secs s, peak RSS $((kb / 1024)) MB"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
echo
echo "RESULT cli_train_fast_seconds_median $mo s (runs: ${ours[*]}; peak RSS MB: ${ours_mb[*]})"
echo "RESULT torch_train_fast_seconds_median $mt s (runs: ${theirs[*]}; peak RSS MB: ${theirs_mb[*]})"
echo "RESULT ratio_cli_over_torch $(awk -v a="$mo" -v b="$mt" 'BEGIN {printf "%.3f", a / b}') (goal <= 0.33)"
