#!/usr/bin/env bash
# Compares whole processes side by side in one run, medians over rounds:
#  - `seedgate run -j 2` over N runs of /bin/true against `xargs -P 2` running
#    it N times (goal: seedgate within 1.2x of xargs);
#  - `seedgate run -j 1` against a plain shell loop, and against
#    bench/spawn_loop.c (posix_spawn and waitpid, nothing else: the bare
#    spawn), which give seedgate's overhead per run over the bare program.
#
#   bench/runner_overhead.sh [BUILD_DIR] [RUNS] [ROUNDS]
#
# BASELINE=path/to/another/seedgate adds that binary to every round (its
# `-j 2` sweep beside this build's), for before-and-after figures from one run.
# Each binary keeps its own --out: one sweep never clears up after another.
set -euo pipefail
build=${1:-build}
runs=${2:-200}
rounds=${3:-7}
seedgate=$(realpath "$build/seedgate")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

policy() {  # jobs
  cat > "$work/seedgate-j$1.toml" <<TOML
version = 1
[subject]
name = "trivial"
command = ["/bin/true"]
[sweep]
seeds = $runs
jobs = $1
[[check]]
kind = "failures"
rate_at_most = 0.01
TOML
}
policy 1
policy 2

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", b - a }'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() {  # file, command...: a command that fails stops the benchmark (its time would mean nothing)
  local file=$1 start end
  shift
  start=$(now)
  if ! "$@" > "$work/last.log" 2>&1; then
    echo "failed: $*" >&2
    cat "$work/last.log" >&2
    exit 1
  fi
  end=$(now)
  elapsed "$start" "$end" | tee -a "$file"
}
loop() { for _ in $(seq "$runs"); do /bin/true; done; }
cc -O2 -o "$work/spawn_loop" "$(dirname "$0")/spawn_loop.c"

for round in $(seq "$rounds"); do
  x=$(measure "$work/xargs" sh -c "seq $runs | xargs -P 2 -n 1 /bin/true")
  s2=$(measure "$work/seedgate2" "$seedgate" run -p "$work/seedgate-j2.toml" --out "$work/out-j2")
  l=$(measure "$work/loop" loop)
  p=$(measure "$work/spawn" "$work/spawn_loop" "$runs" /bin/true)
  s1=$(measure "$work/seedgate1" "$seedgate" run -p "$work/seedgate-j1.toml" --out "$work/out-j1")
  b2=""
  if [ -n "${BASELINE:-}" ]; then
    b2="  |  baseline -j 2 $(measure "$work/baseline2" "$BASELINE" run -p "$work/seedgate-j2.toml" --out "$work/out-baseline")s"
  fi
  echo "round $round: xargs -P 2 ${x}s  seedgate -j 2 ${s2}s  |  loop ${l}s  spawn loop ${p}s  seedgate -j 1 ${s1}s$b2"
done
mx=$(median < "$work/xargs"); m2=$(median < "$work/seedgate2")
ml=$(median < "$work/loop"); m1=$(median < "$work/seedgate1"); mp=$(median < "$work/spawn")
echo "median over $rounds rounds, $runs runs each:"
echo "  xargs -P 2:     ${mx}s"
echo "  seedgate -j 2:  ${m2}s   ratio $(awk -v a="$m2" -v b="$mx" 'BEGIN { printf "%.2f", a / b }')x"
echo "  shell loop:     ${ml}s"
echo "  spawn loop:     ${mp}s"
echo "  seedgate -j 1:  ${m1}s   overhead per run $(awk -v a="$m1" -v b="$ml" -v n="$runs" 'BEGIN { printf "%.2f", (a - b) / n * 1000 }') ms over the shell loop, $(awk -v a="$m1" -v b="$mp" -v n="$runs" 'BEGIN { printf "%.2f", (a - b) / n * 1000 }') ms over the spawn loop"
if [ -n "${BASELINE:-}" ]; then
  mb=$(median < "$work/baseline2")
  echo "  baseline -j 2:  ${mb}s   ratio $(awk -v a="$mb" -v b="$mx" 'BEGIN { printf "%.2f", a / b }')x ($BASELINE)"
fi
