#!/usr/bin/env bash
# Load benchmark of the web app (a benchmark, not a test): Debian's wrk against the app on loopback, one scenario after
# another, DURATION seconds each (60 by default), then requests/s, latency percentiles, errors, and the server's working
# set before and after. Traffic goes to 127.0.0.1 only, and every run stops by itself.
#
#   bench/web/load.sh                                  # shipped models (models/cnn-best.zip, models/sdca.zip),
#                                                      # or stand-ins of the same architectures when they are missing
#   CNN_MODEL=a.zip SDCA_MODEL=b.zip bench/web/load.sh # any model files
#   DURATION=10 SCENARIOS="single-sdca batch-cnn" bench/web/load.sh
#
# Needs: wrk (sudo apt-get install -y wrk), Debian's python3 (writes the request bodies), the .NET SDK.
# Scenarios: single-cnn, single-sdca (one 28x28 digit as JSON pixels, preprocessed by the server), mnist-cnn
# (MNIST-format pixels, "preprocess": false), png-cnn (a 280x280 PNG drawing), batch-cnn, batch-sdca (BATCH digits per
# request; predictions/s = requests/s x BATCH).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
DURATION="${DURATION:-60}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
BATCH_CONNECTIONS="${BATCH_CONNECTIONS:-4}"
BATCH="${BATCH:-64}"
PORT="${PORT:-5099}"
SCENARIOS="${SCENARIOS:-single-cnn single-sdca png-cnn mnist-cnn batch-cnn batch-sdca}"
CNN_MODEL="${CNN_MODEL:-$root/models/cnn-best.zip}"
SDCA_MODEL="${SDCA_MODEL:-$root/models/sdca.zip}"

command -v wrk >/dev/null || { echo "wrk is not installed: sudo apt-get install -y wrk" >&2; exit 1; }
work="$(mktemp -d -t mlnd-web-load-XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if [[ ! -f "$CNN_MODEL" || ! -f "$SDCA_MODEL" ]]; then
  # Throughput depends on the architecture, not on the training: stand-ins of the same architectures will do.
  echo "== $CNN_MODEL or $SDCA_MODEL is missing: training stand-ins (cnn-best architecture, 1 epoch on the committed sample)"
  dotnet run "$root/bench/web/train-stand-ins.cs" -- "$work/models"
  [[ -f "$CNN_MODEL" ]] || CNN_MODEL="$work/models/cnn-best.zip"
  [[ -f "$SDCA_MODEL" ]] || SDCA_MODEL="$work/models/sdca.zip"
fi
echo "== models: cnn = $CNN_MODEL, sdca = $SDCA_MODEL"


echo "== build (Release)"
dotnet build "$root/src/MlNetDigits.Web/MlNetDigits.Web.csproj" -c Release -m:1 -v q -clp:NoSummary -o "$work/app" >/dev/null
/usr/bin/python3 "$root/bench/web/make_bodies.py" "$work" "$root/data/sample" "$BATCH"

echo "== start the app on 127.0.0.1:$PORT"
(cd "$work/app" && exec dotnet MlNetDigits.Web.dll --urls "http://127.0.0.1:$PORT" \
  "--Models:Cnn=$CNN_MODEL" "--Models:Sdca=$SDCA_MODEL" --Logging:LogLevel:Default=Warning >"$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/api/health" || { echo "The app did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
echo

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }

run() { # name url body content-type connections duration
  wrk -t"$THREADS" -c"$5" -d"$6s" --timeout 30s -s "$root/bench/web/post.lua" "$2" -- "$1" "$4" 2>&1 | tee "$work/wrk.out" >/dev/null
  grep '^RESULT' "$work/wrk.out" | sed 's/^RESULT //'
}

scenario() { # name -> url body content-type connections
  case "$1" in
    single-cnn)  echo "http://127.0.0.1:$PORT/api/predict?model=cnn $work/single.json application/json $CONNECTIONS" ;;
    single-sdca) echo "http://127.0.0.1:$PORT/api/predict?model=sdca $work/single.json application/json $CONNECTIONS" ;;
    mnist-cnn)   echo "http://127.0.0.1:$PORT/api/predict?model=cnn $work/mnist.json application/json $CONNECTIONS" ;;
    png-cnn)     echo "http://127.0.0.1:$PORT/api/predict?model=cnn $work/drawing.png image/png $CONNECTIONS" ;;
    batch-cnn)   echo "http://127.0.0.1:$PORT/api/predict/batch?model=cnn $work/batch.json application/json $BATCH_CONNECTIONS" ;;
    batch-sdca)  echo "http://127.0.0.1:$PORT/api/predict/batch?model=sdca $work/batch.json application/json $BATCH_CONNECTIONS" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

echo "== warm-up (5 s per scenario, not reported)"
for name in $SCENARIOS; do
  read -r url body type connections <<<"$(scenario "$name")"
  run "$body" "$url" "$body" "$type" "$connections" 5 >/dev/null
done
rss_before=$(rss_kb)

echo "== $DURATION s per scenario, $THREADS wrk threads; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %s\n' scenario result
for name in $SCENARIOS; do
  read -r url body type connections <<<"$(scenario "$name")"
  result="$(run "$body" "$url" "$body" "$type" "$connections" "$DURATION")"
  extra=""
  [[ "$name" == batch-* ]] && extra=" predictions_per_s=$(awk -v r="$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$result")" -v b="$BATCH" 'BEGIN {printf "%.0f", r * b}') batch=$BATCH"
  printf '%-12s connections=%s %s%s rss_kb=%s\n' "$name" "$connections" "$result" "$extra" "$(rss_kb)"
done
rss_after=$(rss_kb)
echo "== server working set (VmRSS): ${rss_before} kB after warm-up, ${rss_after} kB at the end (growth $((rss_after - rss_before)) kB); rss_kb above is after each scenario"
grep -iE "fail|error|exception" "$work/server.log" | head -5 || true
