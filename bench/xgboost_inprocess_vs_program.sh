#!/usr/bin/env bash
# In-process XGBoost sweeps against spawning the `xgboost` program once per
# seed: the same data, parameters (examples/breast_cancer_xgboost) and seeds,
# the whole `seedgate run` timed side by side, alternating, medians over
# rounds. Goal: in-process takes at least 3x less wall time for 32 seeds.
#
#   bench/xgboost_inprocess_vs_program.sh [BUILD_DIR] [SEEDS] [ROUNDS]
set -euo pipefail
build=${1:-build}
seeds=${2:-32}
rounds=${3:-7}
seedgate=$(realpath "$build/seedgate")
example=$(realpath "$(dirname "$0")/../examples/breast_cancer_xgboost")
data=$(realpath "$example/../data")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v xgboost > /dev/null || { echo "needs the xgboost program (Debian's xgboost package)" >&2; exit 2; }

sed "s|\.\./data|$data|g" "$example/train.conf" > "$work/train.conf"
sweep="[sweep]
seeds = $seeds
threads = [1]
jobs = \"auto\"
[metrics.test-error]
goal = \"min\""
cat > "$work/in-process.toml" <<TOML
version = 1
[subject]
adapter = "xgboost"
[subject.xgboost]
train = "$data/breast_cancer_train.csv"
eval = { test = "$data/breast_cancer_test.csv" }
rounds = 60
params = { objective = "binary:logistic", eta = 0.1, max_depth = 3, subsample = 0.7, colsample_bytree = 0.7, tree_method = "hist", eval_metric = ["error", "logloss"] }
$sweep
TOML
cat > "$work/program.toml" <<TOML
version = 1
[subject]
command = ["xgboost", "train.conf", "seed={seed}", "nthread={threads}", "model_out={run_dir}/model.json"]
$sweep
regex = '\[\d+\]\ttest-error:([0-9.eE+-]+)'
stream = "stderr"
TOML

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() {  # policy -> seconds
  local start end
  start=$(now)
  (cd "$work" && "$seedgate" run -p "$1" --out "$work/out-$1" > "$work/last.log" 2>&1) ||
    { cat "$work/last.log" >&2; exit 1; }
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}
for ((i = 0; i < rounds; i++)); do
  measure in-process.toml >> "$work/in-process.times"
  measure program.toml >> "$work/program.times"
done
a=$(median < "$work/in-process.times")
b=$(median < "$work/program.times")
echo "$seeds seeds, 60 rounds each, jobs auto ($(nproc) CPUs), median of $rounds:"
echo "  in-process (adapter = \"xgboost\"):      ${a}s"
echo "  xgboost program per seed (command):    ${b}s"
awk -v a="$a" -v b="$b" 'BEGIN { printf "  in-process takes %.1fx less wall time (goal: at least 3x)\n", b / a }'
