"""``python3 -m seedgate``: the version, and which integrations can be imported here."""
from __future__ import annotations

import sys

from . import __version__
from ._env import available

_INTEGRATIONS = (
    ("numpy", "seed() seeds numpy's global generator and returns a Generator; digest() takes arrays"),
    ("torch", "configure() applies the determinism switches; guard(); digest() takes modules and tensors"),
    ("sklearn", "random_state(); digest() takes fitted estimators"),
    ("xgboost", "seedgate.xgboost.Callback: per-round evaluations and the model's digest"),
)


def main() -> int:
    found = available()
    print(f"seedgate {__version__} (python {sys.version.split()[0]})")
    for module, what in _INTEGRATIONS:
        state = found[module] if module in found else "not installed"
        print(f"  {module:8} {state:20} {what}")
    try:
        import pytest  # noqa: F401

        print(f"  {'pytest':8} {pytest.__version__:20} the seedgate marker (-p seedgate.pytest_plugin, or installed "
              f"with pip)")
    except ImportError:
        print(f"  {'pytest':8} {'not installed':20} the seedgate marker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
