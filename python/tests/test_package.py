"""The package as users get it: its version, `python3 -m seedgate`, and `pip install ./python` offline."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

import seedgate

from helpers import PACKAGE_DIR

sys.path.insert(0, os.path.join(PACKAGE_DIR, "build_backend"))
import seedgate_build  # noqa: E402


def test_the_version_is_seedgates():
    expected = os.environ.get("SEEDGATE_VERSION")
    if not expected:
        pytest.skip("SEEDGATE_VERSION is not set (ctest sets it to the CMake project's version)")
    assert seedgate.__version__ == expected
    assert seedgate_build._project()["version"] == expected


def test_python_m_seedgate_names_the_version_and_each_integration():
    done = subprocess.run([sys.executable, "-m", "seedgate"], capture_output=True, text=True, cwd=PACKAGE_DIR,
                          env={**os.environ, "PYTHONPATH": PACKAGE_DIR}, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"seedgate {seedgate.__version__} (python ")
    for module in ("numpy", "torch", "sklearn", "xgboost", "pytest"):
        line = next(line for line in lines if line.split()[0] == module)
        try:
            __import__(module)
            assert "not installed" not in line, line
        except ImportError:
            assert "not installed" in line, line


def test_the_wheel_holds_the_package_its_metadata_and_the_pytest_entry_point(tmp_path):
    first = seedgate_build.build_wheel(str(tmp_path))
    again = tmp_path / "again"
    again.mkdir()
    assert seedgate_build.build_wheel(str(again)) == first
    assert (tmp_path / first).read_bytes() == (again / first).read_bytes(), "the same sources gave other bytes"
    with zipfile.ZipFile(tmp_path / first) as wheel:
        names = wheel.namelist()
        info = f"seedgate-{seedgate.__version__}.dist-info"
        assert "seedgate/__init__.py" in names and "seedgate/py.typed" in names
        entry = "[pytest11]\nseedgate.pytest_plugin = seedgate.pytest_plugin\n\n"
        assert wheel.read(f"{info}/entry_points.txt").decode() == entry
        assert f"Version: {seedgate.__version__}" in wheel.read(f"{info}/METADATA").decode()
        record = wheel.read(f"{info}/RECORD").decode().splitlines()
        assert sorted(line.split(",")[0] for line in record) == sorted(names)


def test_pip_installs_it_offline_into_a_virtual_environment(tmp_path):
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        pytest.skip(f"{sys.executable} has no pip (Debian's python3-pip)")
    if subprocess.run([sys.executable, "-m", "venv", "--help"], capture_output=True).returncode != 0:
        pytest.skip(f"{sys.executable} has no venv (Debian's python3-venv)")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "HOME": str(tmp_path)}
    done = subprocess.run([python, "-m", "pip", "install", PACKAGE_DIR], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    # From elsewhere, the installed copy is the one imported, with its entry point.
    check = ("import seedgate, importlib.metadata as m; print(seedgate.__file__); "
             "print([e.value for e in m.entry_points(group='pytest11') if e.name == 'seedgate.pytest_plugin'])")
    done = subprocess.run([python, "-c", check], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    where, points = done.stdout.splitlines()
    assert where.startswith(str(venv)) and points == "['seedgate.pytest_plugin']"


def test_without_tomllib_the_backend_reads_the_same_project_table():
    with open(os.path.join(PACKAGE_DIR, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    expected = seedgate_build._project()
    if seedgate_build.tomllib is None:
        pytest.skip("this Python has no tomllib to compare with")
    assert seedgate_build._read_project(text) == expected
