#!/usr/bin/env bash
# Installs seedgate from BUILD_DIR into a fresh prefix, builds the LibTorch
# example as an outside project that finds it with find_package(seedgate),
# and runs it once under the protocol's environment.
#   outside_project_test.sh BUILD_DIR EXAMPLES_DIR WORK_DIR
set -euo pipefail
build_dir=$1 examples_dir=$2 work=$3
rm -rf "$work"
mkdir -p "$work"

cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/lib/cmake/seedgate/seedgateConfig.cmake"
test -f "$work/prefix/include/seedgate/torch.hpp"
test -x "$work/prefix/bin/seedgate"

cmake -S "$examples_dir/digits_torch" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"

SEEDGATE_SEED=4 SEEDGATE_MODE=deterministic SEEDGATE_DEVICE=cpu SEEDGATE_THREADS=1 \
  SEEDGATE_METRICS="$work/metrics.jsonl" \
  "$work/build/digits_torch" --data "$examples_dir/data/digits.csv" --epochs 2
grep -q '"adapter": "seedgate::torch"' "$work/metrics.jsonl"
grep -q '"accuracy"' "$work/metrics.jsonl"
grep -q '"type": "artifact", "name": "weights", "digest": "xxh3:' "$work/metrics.jsonl"
echo "outside project: built against $work/prefix and reported $(grep -c . "$work/metrics.jsonl") records"
