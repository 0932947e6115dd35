#!/usr/bin/env bash
# Hot-swap benchmark of the web app (a benchmark, not a test): Debian's wrk posts single predictions to the "cnn" model for
# DURATION seconds (60) while the served model file is replaced SWAPS times (30), alternating between two model files
# (by default the shipped fast CNN, whose ONNX Runtime session must be released on every swap, and the SDCA model), each
# time written to a temporary name and renamed over the served file, as a deployment would. Prints requests/s, latency
# percentiles, errors (connection errors, timeouts, non-2xx answers), the reloads the app made, and the server's thread
# count and working set after warm-up and after the run. Traffic goes to 127.0.0.1 only; every run stops by itself.
#
#   bench/web/hot-swap.sh
#   MODEL_A=/tmp/a.zip MODEL_B=/tmp/b.zip DURATION=30 SWAPS=10 bench/web/hot-swap.sh
#
# Needs: wrk (sudo apt-get install -y wrk), curl, Debian's python3 (request bodies, JSON), the .NET SDK.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
DURATION="${DURATION:-60}"
SWAPS="${SWAPS:-30}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-5098}"
MODEL_A="${MODEL_A:-$root/models/cnn-fast.zip}"
MODEL_B="${MODEL_B:-$root/models/sdca.zip}"

command -v wrk >/dev/null || { echo "wrk is not installed: sudo apt-get install -y wrk" >&2; exit 1; }
for model in "$MODEL_A" "$MODEL_B"; do
  [[ -f "$model" ]] || { echo "Model file $model is missing (set MODEL_A and MODEL_B, or see models/README.md)." >&2; exit 1; }
done
work="$(mktemp -d -t mlnd-web-swap-XXXXXX)"
server_pid=""
wrk_pid=""
cleanup() {
  [[ -n "$wrk_pid" ]] && kill "$wrk_pid" 2>/dev/null || true
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build (Release)"
dotnet build "$root/src/MlNetDigits.Web/MlNetDigits.Web.csproj" -c Release -m:1 -v q -clp:NoSummary -o "$work/app" >/dev/null
/usr/bin/python3 "$root/bench/web/make_bodies.py" "$work" "$root/data/sample" 1

mkdir "$work/served"
served="$work/served/cnn.zip"
cp "$MODEL_A" "$served"
echo "== start the app on 127.0.0.1:$PORT: cnn = $served (a copy of $MODEL_A, swapped with $MODEL_B), watched"
(cd "$work/app" && exec dotnet MlNetDigits.Web.dll --contentRoot "$work/app" --urls "http://127.0.0.1:$PORT" \
  "--Models:Cnn=$served" "--Models:Sdca=$MODEL_B" --Web:WatchModels=true --Logging:LogLevel:Default=Warning >"$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null || { echo "The app did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

# The served process is the dotnet host started in the subshell above (exec), so $server_pid is the app itself.
threads() { awk '/^Threads/ {print $2}' "/proc/$server_pid/status"; }
# Threads by name: .NET names its pool's workers (".NET TP Worker", which come and go with the load); ONNX Runtime's
# intra-op threads carry the process's name, so a leaked session pool shows there.
thread_names() { cat /proc/"$server_pid"/task/*/comm 2>/dev/null | sort | uniq -c | sort -rn | awk '{n = $1; $1 = ""; printf "%s%s %d", sep, substr($0, 2), n; sep = ", "}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
cnn_info() { # field of /api/models/cnn
  curl -sf "http://127.0.0.1:$PORT/api/models/cnn" | /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin).get('$1'))"
}
url="http://127.0.0.1:$PORT/api/predict?model=cnn"

echo "== warm-up (5 s, not reported)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s --timeout 30s -s "$root/bench/web/post.lua" "$url" -- "$work/single.json" application/json >/dev/null 2>&1
sleep 1
threads_before=$(threads); names_before=$(thread_names); rss_before=$(rss_kb); version_before=$(cnn_info version)

echo "== $DURATION s of wrk ($THREADS threads, $CONNECTIONS connections) with $SWAPS swaps; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s "$root/bench/web/post.lua" "$url" -- "$work/single.json" application/json \
  >"$work/wrk.out" 2>&1 &
wrk_pid=$!
interval=$(awk -v d="$DURATION" -v s="$SWAPS" 'BEGIN {printf "%.3f", d / (s + 1)}')
start=$(date +%s.%N)
unseen=0
next="$MODEL_A"
for i in $(seq 1 "$SWAPS"); do
  # Sleep until this swap's slot, then write the other model beside the served file and rename it over.
  sleep "$(awk -v s="$start" -v i="$i" -v t="$interval" -v now="$(date +%s.%N)" 'BEGIN {w = s + i * t - now; printf "%.3f", (w > 0 ? w : 0)}')"
  if (( i % 2 == 1 )); then next="$MODEL_B"; else next="$MODEL_A"; fi
  cp "$next" "$served.tmp"
  mv -f "$served.tmp" "$served"
  # Wait (up to 5 s) for the app to have reloaded it, so every swap is a reload of its own.
  for _ in $(seq 1 50); do
    [[ "$(cnn_info reloads)" -ge "$i" ]] && break
    sleep 0.1
  done
  [[ "$(cnn_info reloads)" -ge "$i" ]] || unseen=$((unseen + 1))
done
wait "$wrk_pid"
wrk_pid=""
sleep 2 # let the last retired model's engines come back and be disposed
threads_after=$(threads); names_after=$(thread_names); rss_after=$(rss_kb)

result="$(grep '^RESULT' "$work/wrk.out" | sed 's/^RESULT //')"
[[ -n "$result" ]] || { echo "wrk printed no result:" >&2; cat "$work/wrk.out" >&2; exit 1; }
echo "wrk: $result"
echo "swaps: $SWAPS (one every $interval s), reloads made by the app: $(cnn_info reloads), swaps not seen within 5 s: $unseen, last reload error: $(cnn_info error)"
echo "cnn version: $version_before before, $(cnn_info version) after (the last file written: $(basename "$next"))"
echo "threads: $threads_before before ($names_before)"
echo "         $threads_after after ($names_after)"
echo "working set (VmRSS): $rss_before kB before, $rss_after kB after (growth $((rss_after - rss_before)) kB)"
grep -iE "fail|error|exception" "$work/server.log" | head -5 || true
