#!/usr/bin/env bash
# Peak RSS of seedgate itself while a training program floods stdout.
# The fake trainer prints MB megabytes; seedgate keeps output_limit of it.
#
#   bench/flood_rss.sh [BUILD_DIR] [MB]
set -euo pipefail
build=${1:-build}
mb=${2:-1024}
seedgate=$(realpath "$build/seedgate")
fake=$(realpath "$build/tests/fake_trainer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/seedgate.toml" <<TOML
version = 1
[subject]
command = ["$fake", "flood", "$mb"]
output_limit = "16MiB"
[sweep]
seeds = 1
[metrics.accuracy]
goal = "max"
TOML
start=$(date +%s.%N)
(cd "$work" && exec "$seedgate" run > "$work/out.txt" 2>&1) &
pid=$!
peak=0
while kill -0 "$pid" 2> /dev/null; do
  hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
  [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
  sleep 0.02
done
wait "$pid" && code=0 || code=$?
end=$(date +%s.%N)
printed=$(grep -o '"stdout_bytes": [0-9]*' "$work/.seedgate/results.json" | awk '{ print $2 }')
kept=$(stat -c %s "$work/.seedgate/runs/s0-deterministic-cpu-r0/stdout.log")
echo "child printed ${printed} bytes; seedgate kept ${kept} bytes; exit ${code}"
echo "seedgate peak RSS (VmHWM): ${peak} KiB; wall $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')s"
