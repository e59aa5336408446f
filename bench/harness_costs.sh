#!/usr/bin/env bash
# What the harness costs, side by side in one run: this build against
# BASELINE (another seedgate binary, e.g. one built from an earlier commit),
# each figure a median over rounds, as a markdown table.
#
#   BASELINE=path/to/seedgate bench/harness_costs.sh [BUILD_DIR] [ROUNDS]
#
#  - overhead: 200 runs of /bin/true at -j 2 against `xargs -P 2`, and of a
#    small program that writes a protocol metric against `xargs -P 2` running
#    it through `env`; -j 1 per run over a shell loop and over
#    bench/spawn_loop.c (posix_spawn and waitpid only: the bare spawn);
#  - system calls per 200 runs (`strace -f -c`): fsync/fdatasync, mkdir,
#    openat (failing), rt_sigaction; and the syncs again at full speed
#    (`perf stat` on the syscall tracepoints, where perf may read them);
#  - scale: SCALE_RUNS runs of /bin/true at -j 2 (default 100000) for this
#    build: wall time, peak RSS, bytes on disk per run; `check` and
#    `--resume` of the finished sweep; BASELINE_SCALE_RUNS (default 20000)
#    for both builds, side by side;
#  - make-span: bench/makespan.sh (list order against longest first).
#
# With --readme the table replaces the one between the README's
# "<!-- harness-costs -->" markers.
set -euo pipefail
write_readme=0
if [ "${1:-}" = "--readme" ]; then
  write_readme=1
  shift
fi
build=${1:-build}
rounds=${2:-5}
runs=200
scale_runs=${SCALE_RUNS:-100000}
baseline_scale_runs=${BASELINE_SCALE_RUNS:-20000}
here=$(cd "$(dirname "$0")" && pwd)
seedgate=$(realpath "$build/seedgate")
baseline=${BASELINE:+$(realpath "$BASELINE")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

policy() {  # file, runs, jobs, command (TOML array)
  cat > "$1" <<TOML
version = 1
[subject]
name = "harness-costs"
command = $4
[sweep]
seeds = $2
jobs = $3
[[check]]
kind = "failures"
rate_at_most = 0.01
TOML
}
cat > "$work/metric.sh" <<'SH'
printf '{"accuracy": 0.9}\n' >> "$SEEDGATE_METRICS"
SH
policy "$work/true-j2.toml" "$runs" 2 '["/bin/true"]'
policy "$work/true-j1.toml" "$runs" 1 '["/bin/true"]'
policy "$work/metric-j2.toml" "$runs" 2 "[\"/bin/sh\", \"$work/metric.sh\"]"
policy "$work/scale.toml" "$scale_runs" 2 '["/bin/true"]'
policy "$work/baseline-scale.toml" "$baseline_scale_runs" 2 '["/bin/true"]'

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
timed() {  # command...: prints wall seconds; a command that fails stops the benchmark
  local start end
  start=$(date +%s.%N)
  if ! "$@" > "$work/last.log" 2>&1; then
    echo "failed: $*" >&2
    tail -20 "$work/last.log" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}
peak() {  # command...: prints "seconds KiB" from GNU time
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/last.log" 2>&1 || {
    echo "failed: $*" >&2
    tail -20 "$work/last.log" >&2
    exit 1
  }
  cat "$work/time"
}
loop() { for _ in $(seq "$runs"); do /bin/true; done; }
cc -O2 -o "$work/spawn_loop" "$here/spawn_loop.c"
xargs_metric() {
  mkdir -p "$work/xm"
  seq "$runs" | xargs -P 2 -I{} env SEEDGATE_METRICS="$work/xm/{}.jsonl" /bin/sh "$work/metric.sh"
}

binaries=("$seedgate")
[ -n "$baseline" ] && binaries+=("$baseline")
for round in $(seq "$rounds"); do
  timed sh -c "seq $runs | xargs -P 2 -n 1 /bin/true" >> "$work/xargs-true"
  timed xargs_metric >> "$work/xargs-metric"
  timed loop >> "$work/loop"
  timed "$work/spawn_loop" "$runs" /bin/true >> "$work/spawn"
  for i in "${!binaries[@]}"; do
    b=${binaries[$i]}
    # Each build and workload has its own --out, reused round after round as
    # a user reruns a sweep: no sweep clears up after another kind.
    for w in true-j2 metric-j2 true-j1; do
      timed "$b" run -p "$work/$w.toml" --out "$work/o-$i-$w" >> "$work/$w.$i"
    done
  done
  echo "round $round of $rounds done" >&2
done

syscalls() {  # binary: "fsync mkdir/rmdir/rename openat openat-failing rt_sigaction" per 200 runs
  strace -f -c -o "$work/strace" "$1" run -p "$work/true-j2.toml" --out "$(mktemp -d -p "$work")" > /dev/null 2>&1 || true
  awk '
    $NF == "fsync" || $NF == "fdatasync" { sync += $4 }
    $NF == "mkdir" { mkdir = $4 }
    $NF == "rmdir" { rmdir = $4 }
    $NF == "rename" { rename = $4 }
    $NF == "rt_sigaction" { sig = $4 }
    $NF == "openat" { open = $4; failed = (NF == 6 ? $5 : 0) }
    END { printf "%d %d/%d/%d %d %d %d\n", sync, mkdir, rmdir, rename, open, failed, sig }' "$work/strace"
}

synced() {  # binary: fsync + fdatasync per 200 runs at full speed (perf's tracepoints; strace slows
  # every run past the journal's commit interval, so under strace each run gets a sync of its own)
  if ! perf stat -x, -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync -o "$work/perf" \
    "$1" run -p "$work/true-j2.toml" --out "$(mktemp -d -p "$work")" > /dev/null 2>&1; then
    echo "n/a"
    return
  fi
  awk -F, '/sys_enter_f/ { n += $1 } END { print n + 0 }' "$work/perf"
}

scale() {  # binary, policy: the sweep, check and resume of it
  rm -rf "$work/scale-out"
  read -r run_s run_kib < <(peak "$1" run -p "$2" --out "$work/scale-out")
  local bytes
  bytes=$(du -sb "$work/scale-out" | cut -f1)
  read -r check_s check_kib < <(peak "$1" check -p "$2" "$work/scale-out/results.json")
  read -r resume_s resume_kib < <(peak "$1" run -p "$2" --out "$work/scale-out" --resume)
  echo "$run_s $run_kib $bytes $check_s $check_kib $resume_s $resume_kib"
}

m() { median < "$work/$1"; }
xt=$(m xargs-true)
xm=$(m xargs-metric)
lp=$(m loop)
sp=$(m spawn)
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
{
  echo "| measure | this build | baseline | this build / baseline |"
  echo "|---|---:|---:|---:|"
  t0=$(m true-j2.0)
  t1=""
  [ -n "$baseline" ] && t1=$(m true-j2.1)
  row "200 × /bin/true, -j 2 (s; xargs -P 2: ${xt})" "$t0 ($(ratio "$t0" "$xt")× xargs)" \
    "${t1:+$t1 ($(ratio "$t1" "$xt")× xargs)}" "${t1:+$(ratio "$t0" "$t1")}"
  p0=$(m metric-j2.0)
  p1=""
  [ -n "$baseline" ] && p1=$(m metric-j2.1)
  row "200 × a program writing a metric, -j 2 (s; xargs -P 2 through env: ${xm})" "$p0 ($(ratio "$p0" "$xm")× xargs)" \
    "${p1:+$p1 ($(ratio "$p1" "$xm")× xargs)}" "${p1:+$(ratio "$p0" "$p1")}"
  per_run() { awk -v a="$1" -v b="$2" -v n="$runs" 'BEGIN { printf "%.2f", (a - b) / n * 1000 }'; }
  o0=$(per_run "$(m true-j1.0)" "$lp")
  o1=""
  [ -n "$baseline" ] && o1=$(per_run "$(m true-j1.1)" "$lp")
  row "-j 1: overhead per run over a shell loop (ms)" "$o0" "$o1" ""
  o0=$(per_run "$(m true-j1.0)" "$sp")
  o1=""
  [ -n "$baseline" ] && o1=$(per_run "$(m true-j1.1)" "$sp")
  row "-j 1: overhead per run over a posix_spawn loop, the bare spawn (ms)" "$o0" "$o1" \
    "${o1:+$(ratio "$o0" "$o1")}"
  read -r s0 k0 f0 q0 g0 < <(syscalls "$seedgate")
  s1="" k1="" f1="" q1="" g1=""
  [ -n "$baseline" ] && read -r s1 k1 f1 q1 g1 < <(syscalls "$baseline")
  row "fsync + fdatasync per 200 runs (under strace)" "$s0" "$s1" ""
  y1=""
  [ -n "$baseline" ] && y1=$(synced "$baseline")
  row "fsync + fdatasync per 200 runs (perf stat, full speed)" "$(synced "$seedgate")" "$y1" ""
  row "mkdir / rmdir / rename per 200 runs" "$k0" "$k1" ""
  row "openat (failing) per 200 runs" "$f0 ($q0)" "${f1:+$f1 ($q1)}" ""
  row "rt_sigaction per 200 runs" "$g0" "$g1" ""
  read -r rs rk rb cs ck qs qk < <(scale "$seedgate" "$work/scale.toml")
  per=$(awk -v b="$rb" -v n="$scale_runs" 'BEGIN { printf "%.0f", b / n }')
  row "$scale_runs runs of /bin/true, -j 2: wall (s), peak RSS (MB), disk per run (bytes)" \
    "$rs s, $((rk / 1024)) MB, $per B" "" ""
  row "check of those results: wall (s), peak RSS (MB)" "$cs s, $((ck / 1024)) MB" "" ""
  row "--resume of the finished sweep: wall (s), peak RSS (MB)" "$qs s, $((qk / 1024)) MB" "" ""
  for i in "${!binaries[@]}"; do
    read -r "rs$i" "rk$i" "rb$i" "cs$i" "ck$i" "qs$i" "qk$i" < <(scale "${binaries[$i]}" "$work/baseline-scale.toml")
  done
  cell() {  # index, what
    local s="rs$1" k="rk$1" b="rb$1" c="cs$1" ck="ck$1" q="qs$1" qk="qk$1"
    case $2 in
      run) echo "${!s} s, $((${!k} / 1024)) MB, $(awk -v b="${!b}" -v n="$baseline_scale_runs" 'BEGIN { printf "%.0f", b / n }') B" ;;
      check) echo "${!c} s, $((${!ck} / 1024)) MB" ;;
      resume) echo "${!q} s, $((${!qk} / 1024)) MB" ;;
    esac
  }
  for what in run check resume; do
    b=""
    [ -n "$baseline" ] && b=$(cell 1 "$what")
    row "$baseline_scale_runs runs: $what" "$(cell 0 "$what")" "$b" ""
  done
} > "$work/table.md"

"$here/makespan.sh" "$build" "$rounds" > "$work/makespan.txt" 2>&1
cat "$work/table.md"
echo
cat "$work/makespan.txt"

if [ "$write_readme" = 1 ]; then
  readme="$here/../README.md"
  {
    echo "Measured by \`bench/harness_costs.sh\` ($(nproc) cores, medians of $rounds rounds):"
    echo
    cat "$work/table.md"
  } > "$work/block.md"
  awk -v block="$work/block.md" '
    /<!-- harness-costs -->/ { print; while ((getline line < block) > 0) print line; skip = 1; next }
    /<!-- \/harness-costs -->/ { skip = 0 }
    !skip { print }' "$readme" > "$work/README.md"
  cp "$work/README.md" "$readme"
fi
