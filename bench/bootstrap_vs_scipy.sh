#!/usr/bin/env bash
# BCa bootstrap, 10,000 resamples of 10,000 values, mean and median: seedgate's
# checks library against scipy.stats.bootstrap on the same data, same machine,
# one after the other, several rounds; prints the median wall time of each.
#
#   bench/bootstrap_vs_scipy.sh [BUILD_DIR] [ROUNDS]
#
# Needs Debian's python3-scipy (apt-get install python3-scipy) and a build
# with bench/statistics_bench.
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
bench="$build/bench/statistics_bench"
[ -x "$bench" ] || { echo "build $bench first (cmake -DSEEDGATE_BUILD_BENCH=ON, or ./build.sh test)" >&2; exit 2; }
/usr/bin/python3 -c "import scipy" 2> /dev/null || { echo "needs python3-scipy" >&2; exit 2; }

scipy_ms() {  # statistic -> milliseconds for one BCa bootstrap
  /usr/bin/python3 - "$1" << 'PY'
import sys, time
import numpy as np
from scipy import stats
i = np.arange(10000, dtype=float)
x = 0.9 + 0.01 * np.sin(i) * np.cos(3 * i)  # the data statistics_bench uses
f = np.mean if sys.argv[1] == "mean" else np.median
start = time.perf_counter()
stats.bootstrap((x,), f, n_resamples=10000, method="BCa", confidence_level=0.95, random_state=1, vectorized=True)
print(f"{(time.perf_counter() - start) * 1000:.0f}")
PY
}

seedgate_ms() {  # statistic -> milliseconds
  "$bench" --benchmark_filter="BM_BootstrapBca/10000/$1\$" --benchmark_min_time=0.01 --benchmark_format=csv 2> /dev/null |
    awk -F, '/BM_BootstrapBca/ { printf "%.0f\n", $3 }'  # real_time, in ms
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for statistic in mean median; do
  index=0
  [ "$statistic" = median ] && index=3
  ours=() theirs=()
  for _ in $(seq "$rounds"); do
    ours+=("$(seedgate_ms $index)")
    theirs+=("$(scipy_ms $statistic)")
  done
  a=$(printf '%s\n' "${ours[@]}" | median)
  b=$(printf '%s\n' "${theirs[@]}" | median)
  echo "BCa $statistic, 10000 resamples of 10000 values: seedgate ${a} ms, scipy $(/usr/bin/python3 -c 'import scipy; print(scipy.__version__)') ${b} ms (median of $rounds; scipy/seedgate = $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')x)"
done
