"""What the package's tests share: running a Python program as ``seedgate run`` would, and reading its records."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Dict, List, Optional

import pytest

PACKAGE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def require(module: str, package: str):
    """The module, or the test skips naming the Debian package that provides it."""
    return pytest.importorskip(module, reason=f"{module} is not importable here (Debian's {package})")


def run_program(source: str, tmp_path, env: Optional[Dict[str, str]] = None, name: str = "run") -> tuple:
    """Runs ``source`` in a fresh interpreter with the protocol's variables; returns (exit code, records, stderr)."""
    run_dir = tmp_path / name
    run_dir.mkdir()
    script = run_dir / "train.py"
    script.write_text(source)
    metrics = run_dir / "metrics.jsonl"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": PACKAGE_DIR,
        "PYTHONDONTWRITEBYTECODE": "1",
        "SEEDGATE_RUN_DIR": str(run_dir),
        "SEEDGATE_METRICS": str(metrics),
        "SEEDGATE_PREDICTIONS": str(run_dir / "predictions"),
        "CUDA_VISIBLE_DEVICES": "",
    }
    environment.update(env or {})
    done = subprocess.run([sys.executable, str(script)], env=environment, cwd=run_dir, capture_output=True,
                          text=True, timeout=240)
    records: List[dict] = []
    if metrics.exists():
        records = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    return done.returncode, records, done.stderr


def artifacts(records: List[dict]) -> Dict[str, str]:
    return {r["name"]: r["digest"] for r in records if r.get("type") == "artifact"}


def events(records: List[dict]) -> List[dict]:
    return [r for r in records if r.get("type") == "event"]
