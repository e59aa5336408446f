#!/usr/bin/env bash
# The make-span of a sweep whose runs take mixed times, at -j 2: started in
# list order (the first sweep into a fresh --out, nothing known of its runs)
# against longest first (the same sweep again, once seedgate knows the first
# one's wall times), each beside max(longest run, total / 2), the bound no
# order of starts beats (computed from that sweep's measured run times in
# results.json). Medians over rounds.
#
#   bench/makespan.sh [BUILD_DIR] [ROUNDS]
#
# The second sweep goes into the same --out: seedgate reads the wall times of
# the results.json it finds there. A seedgate that does not yet pass earlier
# runs to the scheduler starts the second sweep in list order too; the report
# says which order each sweep's runs started in.
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
seedgate=$(realpath "$build/seedgate")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seconds per seed 0..23: mostly short, and three long ones late in seed
# order, where list order starts them once the short ones are done.
durations="0.10 0.15 0.10 0.20 0.10 0.15 0.10 0.10 0.20 0.15 0.10 0.10 0.15 0.20 0.10 0.10 0.15 0.10 0.20 0.10 0.15 1.50 1.80 1.20"

cat > "$work/train.sh" <<'SH'
start=$(date +%s.%N)
seconds=$(echo "$DURATIONS" | awk -v s="$SEEDGATE_SEED" '{ print $(s + 1) }')
sleep "$seconds"
echo "$SEEDGATE_SEED $start $(date +%s.%N)" >> "$TIMES"
SH
cat > "$work/seedgate.toml" <<TOML
version = 1
[subject]
name = "mixed-durations"
command = ["/bin/sh", "$work/train.sh"]
env = { DURATIONS = "$durations", TIMES = "$work/times" }
[sweep]
seeds = 24
jobs = 2
[[check]]
kind = "failures"
rate_at_most = 0.01
TOML

sweep() {  # name: one sweep into $work/out; its results and run times kept as name.*
  rm -f "$work/times"
  if ! "$seedgate" run -p "$work/seedgate.toml" --out "$work/out" > "$work/last.log" 2>&1; then
    echo "failed: seedgate run" >&2
    cat "$work/last.log" >&2
    exit 1
  fi
  cp "$work/out/results.json" "$work/$1.json"
  mv "$work/times" "$work/$1.times"
}

# One line per sweep: make-span (first start to last end, as the runs logged
# them), lpt_bound from results.json, whether the three longest runs started
# first, and the seeds in the order they started.
measure() {  # name
  /usr/bin/python3 - "$work/$1.json" "$work/$1.times" "$durations" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
assert all(r["status"] == "passed" for r in runs), "a run did not pass"
seconds = [r["process"]["wall_seconds"] for r in runs]
bound = max(max(seconds), sum(seconds) / 2)
times = sorted((float(start), float(end), int(seed)) for seed, start, end in
               (line.split() for line in open(sys.argv[2])))
span = max(end for _, end, _ in times) - min(start for start, _, _ in times)
planned = [float(d) for d in sys.argv[3].split()]
longest = sorted(range(len(planned)), key=lambda seed: -planned[seed])[:3]
order = [seed for _, _, seed in times]
first = ("longest-first" if sorted(order[:3]) == sorted(longest) else
         "list-order" if sorted(order[:3]) == [0, 1, 2] else "other-order")
print(f"{span:.3f} {bound:.3f} {first} {','.join(map(str, order))}")
PY
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
for name in first second; do : > "$work/$name.spans"; : > "$work/$name.bounds"; : > "$work/$name.orders"; done
for round in $(seq "$rounds"); do
  rm -rf "$work/out"
  sweep first
  sweep second
  line="round $round:"
  for name in first second; do
    measured=$(measure "$name")  # an assignment, so that a failure stops the benchmark
    read -r span bound started order <<< "$measured"
    echo "$span" >> "$work/$name.spans"
    echo "$bound" >> "$work/$name.bounds"
    echo "$started" >> "$work/$name.orders"
    line="$line  $name sweep ${span}s (lpt_bound ${bound}s, $started: $order)"
  done
  echo "$line"
done
echo "median over $rounds rounds, 24 runs at -j 2:"
for name in first second; do
  span=$(median < "$work/$name.spans")
  bound=$(median < "$work/$name.bounds")
  started=$(sort "$work/$name.orders" | uniq -c | awk '{ printf "%s%s in %d", sep, $2, $1; sep = ", " }')
  printf "  %-6s sweep: make-span %ss  lpt_bound %ss  ratio %s  (started %s of %s rounds)\n" "$name" "$span" "$bound" \
    "$(ratio "$span" "$bound")" "$started" "$rounds"
done
echo "  (longest first is within 4/3 - 1/6 = 1.167 of the optimum on 2 slots: Graham 1969)"
