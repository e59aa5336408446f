"""The README's Python examples run as written: the training program under the protocol, the marked test by pytest."""
from __future__ import annotations

import os
import re

import pytest

from helpers import PACKAGE_DIR, artifacts, require, run_program

README = os.path.join(PACKAGE_DIR, os.pardir, "README.md")


def readme_blocks():
    """The Python code blocks of the README's section on the package, in order."""
    if not os.path.exists(README):
        pytest.skip(f"no README beside the package ({README})")
    with open(README, encoding="utf-8") as f:
        text = f.read()
    start = text.index("### Python programs: the `seedgate` package")
    section = text[start:text.index("\n## ", start)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_training_program_reports_under_the_protocol_and_repeats_bit_for_bit(tmp_path):
    require("torch", "python3-torch")
    program = readme_blocks()[0]
    env = {"SEEDGATE_SEED": "3", "SEEDGATE_MODE": "deterministic", "SEEDGATE_THREADS": "1",
           "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "3"}
    runs = [run_program(program, tmp_path, env, name) for name in ("first", "second")]
    for code, records, stderr in runs:
        assert code == 0, stderr
        metrics = {k: v for r in records if "type" not in r for k, v in r.items()}
        assert metrics["step"] == 4 and 0.8 < metrics["accuracy"] <= 1.0, records
        assert [r["type"] for r in records if "type" in r] == ["env", "artifact"]
    assert artifacts(runs[0][1]) == artifacts(runs[1][1])
    predictions = (tmp_path / "first" / "predictions").read_text().splitlines()
    assert predictions[0] == "id,label,p0,p1" and len(predictions) == 101


def test_the_marked_test_passes_under_the_plugin(pytester):
    require("sklearn", "python3-sklearn")
    pytester.makepyfile(test_readme_example=readme_blocks()[1])
    result = pytester.runpytest("-p", "seedgate.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
