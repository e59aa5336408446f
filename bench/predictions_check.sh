#!/usr/bin/env bash
# How long the predictions checks take the way a user meets them: `seedgate
# check` over a stored sweep of SEEDS seeds whose runs each wrote EXAMPLES
# examples of CLASSES class probabilities, with a threshold check alone
# against the same policy plus an ensemble and a churn check (each with
# confidence: 10,000 bootstrap resamples over examples). Medians over ROUNDS,
# side by side in one run; the difference is what reading the predictions and
# judging them costs.
#
#   bench/predictions_check.sh [BUILD_DIR] [SEEDS] [EXAMPLES] [CLASSES] [ROUNDS]
set -euo pipefail
build=${1:-build}
seeds=${2:-20}
examples=${3:-10000}
classes=${4:-10}
rounds=${5:-5}
seedgate=$(realpath "$build/seedgate")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A program whose seed s predicts each example's true class with probability
# 0.5 plus noise of its own: seeds agree on most examples, not all.
cat > "$work/train.sh" <<'SH'
awk -v seed="$1" -v n="$2" -v k="$3" 'BEGIN {
  srand(seed + 1)
  printf "id"; printf ",label"; for (c = 0; c < k; c++) printf ",p%d", c; print ""
  right = 0
  for (i = 0; i < n; i++) {
    label = i % k; sum = 0
    for (c = 0; c < k; c++) { w[c] = rand() + (c == label ? 2.5 : 0); sum += w[c] }
    best = 0
    printf "x%d,%d", i, label
    for (c = 0; c < k; c++) { printf ",%.5f", w[c] / sum; if (w[c] > w[best]) best = c }
    print ""
    right += best == label
  }
  printf "{\"accuracy\": %.6f}\n", right / n >> ENVIRON["SEEDGATE_METRICS"]
}' > "$SEEDGATE_PREDICTIONS"
SH

policy() {  # file, extra checks
  cat > "$work/$1" <<TOML
version = 1
[subject]
command = ["/bin/sh", "train.sh", "{seed}", "$examples", "$classes"]
[sweep]
seeds = $seeds
[metrics.accuracy]
goal = "max"
[[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.1
$2
TOML
}
policy threshold.toml ""
policy predictions.toml '[[check]]
kind = "ensemble"
gain_at_least = 0
confidence = 0.95
[[check]]
kind = "churn"
at_most = 0.5
confidence = 0.95'

cd "$work"
"$seedgate" run -p threshold.toml --out sweep > /dev/null 2>&1
echo "sweep: $seeds seeds x $examples examples x $classes classes ($(du -sh sweep/runs | cut -f1) of run folders)"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > threshold.times
: > predictions.times
for _ in $(seq "$rounds"); do
  for which in threshold predictions; do
    start=$(now)
    "$seedgate" check -p "$which.toml" sweep/results.json > "$which.out" 2>&1 || true
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }' >> "$which.times"
  done
done
grep -q "PASS  ensemble-accuracy" predictions.out || { echo "the ensemble check did not pass:"; cat predictions.out; exit 1; }
t=$(median < threshold.times)
p=$(median < predictions.times)
echo "seedgate check, median of $rounds: threshold only ${t}s; + ensemble and churn ${p}s (difference $(awk -v a="$t" -v b="$p" 'BEGIN { printf "%.3f", b - a }')s)"
