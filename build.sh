#!/usr/bin/env bash
# Sets up, builds and runs seedgate on Debian 12 (as root, or with sudo).
#
#   ./build.sh example   install what is missing, build, run the example sweep
#   ./build.sh test      install what is missing, build, run the whole test suite
#   ./build.sh build     install what is missing, build
#   ./build.sh sanitize  the whole test suite again, built with AddressSanitizer
#                        and UndefinedBehaviorSanitizer (default folder build-asan)
#   ./build.sh fuzz      install clang's libFuzzer, run each fuzz/ target for
#                        FUZZ_SECONDS (default 20) in build-fuzz/
#
# BUILD_DIR (default: build) picks the build folder. With CI=true warnings
# are errors (not in the sanitizer build, where GCC's warnings are not to be
# trusted).
set -euo pipefail
cd "$(dirname "$0")"
what=${1:-example}
build_dir=${BUILD_DIR:-build}
[ "$what" = sanitize ] && build_dir=${BUILD_DIR:-build-asan}

packages=(g++ cmake ninja-build pkg-config
          libfmt-dev libtomlplusplus-dev libboost-dev libcli11-dev nlohmann-json3-dev libxxhash-dev libre2-dev libsqlite3-dev libpq-dev
          libgtest-dev libgmock-dev
          libtorch-dev libxgboost-dev xgboost
          libxml2-utils procps clang-tidy clang-format git
          # examples/sklearn_gallery runs scikit-learn's own example scripts,
          # which python-sklearn-doc ships; they import matplotlib.
          python3-sklearn python3-matplotlib python-sklearn-doc)
# Only the tests need these: a browser that renders the HTML report, a YAML
# parser for ci-templates/, a JSON Schema validator for the lint SARIF, zsh
# and groff (the completion scripts and the man page are parsed and rendered),
# Google Benchmark (the benchmarks are built with the tests, so they keep
# compiling), PostgreSQL's server and SQLite's shell (the history store's
# tests start a throwaway server and read the file as the sqlite3 shell does),
# and the frameworks the Python package is tested against, with pytest.
bench=OFF
if [ "$what" = test ] || [ "$what" = sanitize ]; then
  packages+=(chromium python3-yaml python3-jsonschema zsh groff-base bsdextrautils libbenchmark-dev
            postgresql-15 sqlite3
            # the Python package's tests and examples (python/, examples/python_*)
            python3-torch python3-xgboost python3-pytest python3-venv)
fi
[ "$what" = test ] && bench=ON
[ "$what" = fuzz ] && packages+=(clang libclang-rt-14-dev)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2> /dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$what" = fuzz ]; then
  exec fuzz/run.sh "${FUZZ_SECONDS:-20}" "${BUILD_DIR:-build-fuzz}"
fi

werror=OFF
sanitize=OFF
[ "${CI:-}" = "true" ] && werror=ON
[ "$what" = sanitize ] && sanitize=ON werror=OFF
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEEDGATE_WERROR="$werror" \
  -DSEEDGATE_BUILD_BENCH="$bench" -DSEEDGATE_SANITIZE="$sanitize"
cmake --build "$build_dir"

case "$what" in
  example)
    "$build_dir/seedgate" run -p examples/digits_mlp/seedgate.toml --out "$build_dir/example-sweep"
    ;;
  test)
    # The small .clang-tidy is enforced in CI, before the tests.
    if [ "${CI:-}" = "true" ]; then
      echo "clang-format: checking every C++ file"
      git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
      # seedgate::torch (adapters/libtorch/client) is left out: clang-tidy 14
      # cannot parse LibTorch 1.13's headers against GCC 12's library.
      echo "clang-tidy: checking the core sources"
      ls util/*.cpp checks/*.cpp lint/*.cpp history/*.cpp harness/*.cpp harness/report/*.cpp cli/*.cpp adapters/*.cpp adapters/*/*.cpp |
        xargs -P "$(nproc)" -n 1 clang-tidy -p "$build_dir" --quiet
    fi
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  sanitize)
    # Any report fails its test: UBSan stops at the first finding, ASan's leak
    # checker runs as each process exits.
    ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  build) ;;
  *)
    echo "usage: ./build.sh [example|test|build|sanitize|fuzz]" >&2
    exit 2
    ;;
esac
