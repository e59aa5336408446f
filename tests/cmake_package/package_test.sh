#!/usr/bin/env bash
# Installs seedgate from BUILD_DIR into a fresh prefix, then configures,
# builds and tests consumer/ (an outside project) against it, as one CASE:
#   package_test.sh BUILD_DIR WORK_DIR CASE
# Exit 77 (skipped) when the case needs a component this build didn't make.
set -euo pipefail
build_dir=$1 work=$2 case=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"

cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
config_dir="$work/prefix/lib/cmake/seedgate"
test -f "$config_dir/seedgateConfig.cmake"
test -f "$config_dir/seedgateConfigVersion.cmake"
test -f "$config_dir/seedgateProgramTargets.cmake"
test -x "$work/prefix/bin/seedgate"
# The man page and the shell completions come with the program, as it writes them.
for installed in share/man/man1/seedgate.1 share/bash-completion/completions/seedgate share/zsh/site-functions/_seedgate; do
  test -s "$work/prefix/$installed" || { echo "not installed: $installed" >&2; exit 1; }
done
cmp -s "$work/prefix/share/bash-completion/completions/seedgate" <("$work/prefix/bin/seedgate" completions bash) ||
  { echo "the installed bash completion is not what the program writes" >&2; exit 1; }
version=$("$work/prefix/bin/seedgate" --version | sed -n 's/^seedgate \([0-9][0-9.]*\).*/\1/p')
major=${version%%.*}
# The Python package, where the build found an interpreter: in the site path
# under the prefix, importable from there, the same version as the program.
python_dir=$(sed -n 's/^SEEDGATE_PYTHON_DIR:STRING=//p' "$build_dir/CMakeCache.txt")
python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
if [[ -n "$python_dir" && -x "$python" ]]; then
  test -f "$work/prefix/$python_dir/seedgate/__init__.py" || { echo "not installed: $python_dir/seedgate" >&2; exit 1; }
  (cd "$work" && PYTHONPATH="$work/prefix/$python_dir" PYTHONDONTWRITEBYTECODE=1 "$python" -m seedgate) |
    grep -q "^seedgate $version (python " || { echo "the installed Python package is not seedgate $version" >&2; exit 1; }
fi

needs() {  # needs COMPONENT...: skip unless each was built and installed
  local component file
  for component in "$@"; do
    case $component in
      torch) file=seedgateTorchTargets.cmake ;;
      xgboost) file=seedgateXGBoostTargets.cmake ;;
      *) file=seedgateProtocolTargets.cmake ;;
    esac
    if [[ ! -f "$config_dir/$file" ]]; then
      echo "skipped: this build has no seedgate::$component (its framework was not found when seedgate was configured)"
      exit 77
    fi
  done
}

configure() {  # configure ARGS...: configure consumer/ against the prefix
  rm -rf "$work/build"
  cmake -S "$here/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release "$@"
}

builds() {  # builds ARGS...: configure, build and run the consumer's tests
  configure "$@" > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
  cmake --build "$work/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  grep -q "^seedgate $version" "$work/build/version.txt"  # the custom command ran the program
  (cd "$work/build" && ctest --output-on-failure)
  grep "seedgate $version:" "$work/configure.log"
}

refused() {  # refused PATTERN ARGS...: configuring fails, saying PATTERN
  local pattern=$1
  shift
  if configure "$@" > "$work/configure.log" 2>&1; then
    cat "$work/configure.log"
    echo "configuring succeeded; it should have failed with: $pattern"
    exit 1
  fi
  # CMake wraps a package's message across lines: compare with spaces squeezed.
  tr -s ' \n' ' ' < "$work/configure.log" > "$work/configure.flat"
  if ! grep -q -F -- "$pattern" "$work/configure.flat"; then
    cat "$work/configure.log"
    echo "configuring failed without saying: $pattern"
    exit 1
  fi
  echo "refused as expected: $pattern"
}

case $case in
  protocol)  # the standard library only: no framework is looked for
    builds -DSEEDGATE_REQUEST="REQUIRED COMPONENTS protocol" -DEXPECT_FOUND=protocol \
      "-DEXPECT_ABSENT=torch;xgboost" "-DEXPECT_UNSEARCHED=Torch;xgboost" ;;
  torch)
    needs torch
    builds -DSEEDGATE_REQUEST="REQUIRED COMPONENTS torch" "-DEXPECT_FOUND=torch;protocol" \
      -DEXPECT_ABSENT=xgboost -DEXPECT_UNSEARCHED=xgboost ;;
  xgboost)
    needs xgboost
    builds -DSEEDGATE_REQUEST="REQUIRED COMPONENTS xgboost" "-DEXPECT_FOUND=xgboost;protocol" \
      -DEXPECT_ABSENT=torch -DEXPECT_UNSEARCHED=Torch ;;
  all)
    needs torch xgboost
    builds -DSEEDGATE_REQUEST="REQUIRED COMPONENTS protocol torch xgboost" "-DEXPECT_FOUND=protocol;torch;xgboost" ;;
  xgboost_without_torch)  # where LibTorch isn't installed
    needs xgboost
    builds -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DSEEDGATE_REQUEST="REQUIRED COMPONENTS xgboost" \
      "-DEXPECT_FOUND=xgboost;protocol" -DEXPECT_ABSENT=torch ;;
  no_components)  # every installed component; one whose framework is missing is just not found
    needs torch xgboost
    builds -DSEEDGATE_REQUEST="$version REQUIRED" "-DEXPECT_FOUND=protocol;torch;xgboost"
    builds -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DSEEDGATE_REQUEST="$version REQUIRED" \
      "-DEXPECT_FOUND=protocol;xgboost" -DEXPECT_ABSENT=torch
    grep -q "seedgate: not using component 'torch' needs Torch" "$work/configure.log"
    # An optional component is the same: not found, no error.
    builds -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DSEEDGATE_REQUEST="REQUIRED COMPONENTS xgboost OPTIONAL_COMPONENTS torch" \
      "-DEXPECT_FOUND=protocol;xgboost" -DEXPECT_ABSENT=torch ;;
  required_missing)  # a REQUIRED component that can't be used fails, saying which and why
    # (that LibTorch is missing, or without seedgate::torch installed, that it wasn't built)
    refused "required seedgate components not usable: torch. component 'torch'" \
      -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DSEEDGATE_REQUEST="REQUIRED COMPONENTS protocol torch"
    refused "required seedgate components not usable: tensorflow. unknown component 'tensorflow'" \
      -DSEEDGATE_REQUEST="REQUIRED COMPONENTS protocol tensorflow" ;;
  other_major)  # SameMajorVersion: the next major is refused, this one accepted
    refused "not accepted: $config_dir/seedgateConfig.cmake, version: $version" -DSEEDGATE_REQUEST="$((major + 1)).0 REQUIRED COMPONENTS protocol"
    builds -DSEEDGATE_REQUEST="$major.0 REQUIRED COMPONENTS protocol" -DEXPECT_FOUND=protocol ;;
  *)
    echo "unknown case: $case"
    exit 2 ;;
esac
echo "cmake package, $case: passed against $work/prefix (seedgate $version)"
