#!/usr/bin/env bash
# Runs one file of the Python package's tests with pytest:
#   python_test.sh PYTHON TEST_FILE
# Exit 77 (skipped) when PYTHON has no pytest.
set -euo pipefail
python=$1 file=$2
if ! "$python" -c 'import pytest' 2> /dev/null; then
  echo "skipped: $python cannot import pytest (Debian's python3-pytest)"
  exit 77
fi
# No bytecode or cache left in the source tree; -rs lists why each skip skipped.
export PYTHONDONTWRITEBYTECODE=1
exec "$python" -m pytest -q -rs -p no:cacheprovider "$file"
