"""The interpreter and the versions of the frameworks a program can use."""
from __future__ import annotations

import importlib.util
import platform
import sys
from typing import Dict

# Distribution names, as importlib.metadata knows them, by module.
_PACKAGES = (("numpy", "numpy"), ("torch", "torch"), ("sklearn", "scikit-learn"), ("xgboost", "xgboost"),
             ("scipy", "scipy"), ("pandas", "pandas"), ("lightning", "lightning"),
             ("pytorch_lightning", "pytorch-lightning"))


def _version(module: str, distribution: str) -> str:
    if module in sys.modules:
        version = getattr(sys.modules[module], "__version__", None)
        if version:
            return str(version)
    try:
        from importlib import metadata

        return metadata.version(distribution)
    except Exception:
        pass
    try:  # a Debian package without its .dist-info: ask the module itself
        if importlib.util.find_spec(module) is None:
            return ""
        imported = __import__(module)
        return str(getattr(imported, "__version__", ""))
    except Exception:
        return ""


def available() -> Dict[str, str]:
    """The frameworks that can be imported here (found on sys.path), with their versions."""
    found = {}
    for module, distribution in _PACKAGES:
        try:
            importable = module in sys.modules or importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            importable = False
        version = _version(module, distribution) if importable else ""
        if version:
            found[module] = version
    return found


def env() -> Dict[str, str]:
    """The env record's values: seedgate, the interpreter, the platform and each framework's version."""
    from . import __version__

    record = {
        "adapter": "seedgate (python)",
        "seedgate": __version__,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    record.update(available())
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        cuda = getattr(torch.version, "cuda", None)
        record["cuda"] = cuda or "none"
        cudnn = torch.backends.cudnn.version() if cuda and torch.backends.cudnn.is_available() else None
        record["cudnn"] = str(cudnn) if cudnn else "none"
        # Only where CUDA runs already: asking starts it, and CUBLAS_WORKSPACE_CONFIG must be set first.
        record["gpu"] = torch.cuda.get_device_name(0) if cuda and torch.cuda.is_initialized() else "none"
    return record
