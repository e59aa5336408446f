#!/usr/bin/env bash
# Runs every libFuzzer target in fuzz/ for a while, one after another, each
# on a copy of its seed corpus (what a run finds is never written into the
# repository), and prints what each found.
#
#   fuzz/run.sh [seconds-per-target] [build-dir] [libFuzzer flags...]
#
# seconds-per-target: 60 unless given. build-dir: build-fuzz/ unless given;
# configured (clang++, SEEDGATE_FUZZ=ON) when it has no build yet, and brought
# up to date either way. FUZZ_TARGETS="fuzz_policy fuzz_results" runs only
# those. Crashes, timeouts, leaks and out-of-memory inputs are kept under
# <build-dir>/fuzz-artifacts/<target>/ with the fuzzer's log.
#
# Exits 1 when a target found anything, 2 when it cannot build or run them,
# and 0 (saying it skipped) where clang++ has no libFuzzer.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
build=${2:-$repo/build-fuzz}
shift $(($# < 2 ? $# : 2))
extra_flags=("$@")
read -r -a targets <<<"${FUZZ_TARGETS:-fuzz_policy fuzz_protocol fuzz_regex_metric fuzz_predictions fuzz_results fuzz_lint_cpp fuzz_lint_python}"

if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz: seconds-per-target must be a positive whole number, got '$seconds'" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/seedgate-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# libFuzzer comes with clang's compiler-rt: without it there is nothing to run.
probe='extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }'
if ! command -v clang++ >/dev/null 2>&1 ||
  ! printf '%s\n' "$probe" | clang++ -x c++ -fsanitize=fuzzer,address,undefined - -o "$work/probe" >/dev/null 2>&1; then
  echo "fuzz: clang++ with libFuzzer not found; skipped"
  exit 0
fi

if [[ ! -f $build/CMakeCache.txt ]]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  if ! cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSEEDGATE_FUZZ=ON -DSEEDGATE_BUILD_TESTS=OFF -DSEEDGATE_WITH_LIBTORCH=OFF -DSEEDGATE_WITH_XGBOOST=OFF \
    >"$work/configure.log" 2>&1; then
    tail -n 40 "$work/configure.log" >&2
    echo "fuzz: configuring $build failed" >&2
    exit 2
  fi
elif ! grep -q '^SEEDGATE_FUZZ:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "fuzz: $build was configured without -DSEEDGATE_FUZZ=ON; give a fuzz build folder" >&2
  exit 2
fi
if ! cmake --build "$build" --target "${targets[@]}" >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  echo "fuzz: building the targets in $build failed" >&2
  exit 2
fi

artifacts=$build/fuzz-artifacts
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
rows=()
found=0
for target in "${targets[@]}"; do
  corpus=$work/$target/corpus
  log=$work/$target/log
  rm -rf "${artifacts:?}/$target"
  mkdir -p "$corpus" "$artifacts/$target"
  cp -R "$repo/fuzz/corpus/$target/." "$corpus/"
  # The lint targets also start from the lint tests' fixture projects, and
  # the policy loader from the examples' policies, where they are.
  case $target in
    fuzz_lint_cpp) seeds=(-name '*.cpp' -o -name '*.hpp' -o -name '*.cc' -o -name '*.h') ;;
    fuzz_lint_python) seeds=(-name '*.py') ;;
    *) seeds=() ;;
  esac
  if ((${#seeds[@]} > 0)); then
    find "$repo/tests/unit/lint/fixtures" -type f \( "${seeds[@]}" \) -size -64k -print0 |
      while IFS= read -r -d '' file; do cp "$file" "$corpus/fixture-$(printf '%s' "$file" | md5sum | cut -c1-12)"; done
  fi
  if [[ $target == fuzz_policy ]]; then
    for file in "$repo"/examples/*/*.toml; do
      cp "$file" "$corpus/example-$(basename "$(dirname "$file")")-$(basename "$file")"
    done
  fi
  started=$(date +%s)
  status=0
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target/" "${extra_flags[@]}" "$corpus" >"$log" 2>&1 ||
    status=$?
  elapsed=$(($(date +%s) - started))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [[ -n $execs ]] || execs=$(grep -Eo '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  # With -fork=1 -ignore_crashes=1 a run goes on past what it finds: count its inputs too.
  mapfile -t inputs < <(find "$artifacts/$target" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' \) | sort)
  if ((status == 0 && ${#inputs[@]} == 0)); then
    result=clean
  else
    found=1
    cp "$log" "$artifacts/$target/log.txt"
    if ((${#inputs[@]} == 0)); then
      result="error (exit $status, no input saved)"
    elif ((${#inputs[@]} == 1)); then
      result="$(basename "${inputs[0]}" | cut -d- -f1): ${inputs[0]}"
    else
      kinds=$(printf '%s\n' "${inputs[@]##*/}" | cut -d- -f1 | sort | uniq -c | awk '{printf "%s%s %s", s, $1, $2; s=", "}')
      result="$kinds: $artifacts/$target/"
    fi
    result="$result; log: $artifacts/$target/log.txt"
    echo "== $target: $result"
    # What went wrong, and where in seedgate's own code.
    grep -E 'what\(\)|==[0-9]+== ?ERROR|^SUMMARY|runtime error|ALARM' "$log" | sort -u | head -n 5 || true
    grep -E "^ +#[0-9]+ .* $repo/" "$log" | grep -v "$repo/fuzz/" | head -n 8 || true
  fi
  rows+=("$(printf '%-18s %8s %12s  %s' "$target" "$elapsed" "${execs:-?}" "$result")")
done

printf '%-18s %8s %12s  %s\n' target seconds executions result
printf '%s\n' "${rows[@]}"
exit "$found"
