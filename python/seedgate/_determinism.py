"""Seeding every generator a Python program draws from, and the determinism switches.

Frameworks are imported only when the program has them: ``seed()`` and
``configure()`` touch numpy and torch where they can be imported, and do
nothing for the ones that cannot.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import os
import random
import sys
import warnings
from typing import Any, Dict, Optional

from . import _protocol


class SeedgateWarning(UserWarning):
    """A determinism setting that cannot take effect where it was asked for."""


def _have(module: str) -> bool:
    """True when ``module`` is imported already or can be."""
    if module in sys.modules:
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _numpy_seed(seed: int) -> Any:
    """numpy's legacy seed takes 0..2**32-1 or an array of such words: a wider seed becomes its two words."""
    if 0 <= seed < 2**32:
        return seed
    wide = seed & (2**64 - 1)
    return [wide & 0xFFFFFFFF, wide >> 32]


def _torch_seed(seed: int) -> int:
    """torch.manual_seed takes -2**63..2**64-1: every int64 as it is."""
    return seed


@dataclasses.dataclass
class Seeded:
    """What ``seed()`` seeded, and generators for code that takes one.

    ``numpy`` is ``numpy.random.default_rng(seed)`` and ``torch`` a
    ``torch.Generator`` seeded with ``seed`` (None where the framework is not
    installed).
    """

    seed: int
    numpy: Any = None
    torch: Any = None


def seed(value: Optional[int] = None, source: str = "init") -> Seeded:
    """Seeds Python's ``random``, numpy's legacy global generator and torch (CPU and every CUDA device).

    The seed is ``value``, else the run's seed for ``source``
    (SEEDGATE_SEED_<SOURCE>, else SEEDGATE_SEED), else 0 when run by hand.
    Returns the seed with a fresh ``numpy.random.Generator``
    (``default_rng(seed)``) and ``torch.Generator`` seeded from it.
    """
    if value is None:
        value = _protocol.settings().seed_for(source)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"seed must be an integer, not {type(value).__name__}")
    if not _protocol.INT64_MIN <= value <= _protocol.INT64_MAX:
        raise ValueError(f"seed {value} is outside the 64-bit range")
    random.seed(value)
    result = Seeded(seed=value)
    if _have("numpy"):
        import numpy

        numpy.random.seed(_numpy_seed(value))
        result.numpy = numpy.random.default_rng(value & (2**64 - 1))
    if _have("torch"):
        import torch

        torch.manual_seed(_torch_seed(value))  # also every CUDA device's generator
        result.torch = torch.Generator().manual_seed(value)
    return result


def numpy_generator(source: str = "init") -> Any:
    """``numpy.random.default_rng`` seeded with the run's seed for ``source``."""
    import numpy

    return numpy.random.default_rng(_protocol.settings().seed_for(source) & (2**64 - 1))


def dataloader_generator(source: str = "order") -> Any:
    """A ``torch.Generator`` for a DataLoader's ``generator=``: the shuffling order follows the ``order`` seed.

    With ``worker_init_fn``, workers' numpy and ``random`` are seeded from it too.
    """
    import torch

    return torch.Generator().manual_seed(_protocol.settings().seed_for(source))


def worker_init_fn(worker_id: int) -> None:
    """A DataLoader ``worker_init_fn``: seeds ``random`` and numpy in each worker from torch's worker seed.

    torch seeds each worker's torch generator (base seed + worker id, the
    base seed drawn from the DataLoader's generator) but not ``random`` or
    numpy, so augmentations that draw from them repeat across workers and
    runs. This seeds them from that same seed.
    """
    import torch

    worker_seed = torch.initial_seed() % 2**32
    random.seed(worker_seed)
    if _have("numpy"):
        import numpy

        numpy.random.seed(worker_seed)


def random_state(source: str = "init") -> int:
    """A scikit-learn ``random_state`` (0..2**32-1) from the run's seed for ``source``."""
    return _protocol.settings().seed_for(source) % 2**32


@dataclasses.dataclass
class Applied:
    """The switches as the frameworks report them after ``configure()``."""

    seed: int = 0
    mode: str = "deterministic"
    device: str = "cpu"
    settings: Dict[str, str] = dataclasses.field(default_factory=dict)
    warnings: list = dataclasses.field(default_factory=list)


def _warn(applied: Applied, message: str) -> None:
    applied.warnings.append(message)
    warnings.warn(message, SeedgateWarning, stacklevel=3)


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def configure(settings: Optional[_protocol.Settings] = None, write_env: bool = True) -> Applied:
    """Applies SEEDGATE_MODE, SEEDGATE_DEVICE and SEEDGATE_THREADS, seeds (``seed()``), and reports them.

    In deterministic mode: ``torch.use_deterministic_algorithms(True)`` (an
    op with no deterministic implementation raises; ``guard()`` reports it),
    cuDNN deterministic without autotuning, TF32 off for matmul and cuDNN,
    CUBLAS_WORKSPACE_CONFIG=:4096:8 when CUDA is not yet initialised. The
    thread count, where set, goes to ``torch.set_num_threads`` and
    ``set_num_interop_threads``. PYTHONHASHSEED and OMP_NUM_THREADS take
    effect only when the interpreter or the thread pool starts: where they
    are missing or differ, a SeedgateWarning says so (``seedgate run`` sets
    them). Writes the env record (``env()`` plus the switches) unless
    ``write_env`` is false. Raises ConfigurationError for a CUDA device
    torch cannot use.
    """
    if settings is None:
        settings = _protocol.settings()
    applied = Applied(seed=settings.seed, mode=settings.mode, device=settings.device)
    switches = applied.settings
    if settings.deterministic:
        hashseed = os.environ.get("PYTHONHASHSEED")
        if not (hashseed or "").isdigit():
            _warn(applied, "PYTHONHASHSEED is not set: the order of sets of strings differs from run to run; it "
                           "takes effect only when the interpreter starts, so set it before starting python "
                           "(seedgate run sets it in deterministic mode)")
        switches["pythonhashseed"] = hashseed or "unset"
    if settings.threads > 0:
        omp = os.environ.get("OMP_NUM_THREADS")
        if omp != str(settings.threads):
            _warn(applied, f"OMP_NUM_THREADS is {omp or 'unset'}, not {settings.threads}: OpenMP reads it once, "
                           f"when its thread pool starts (seedgate run sets it)")
    if _have("torch"):
        _configure_torch(settings, applied)
    seed(settings.seed_for("init"))
    if write_env:
        from . import _env

        record = _env.env()
        record.update(switches)
        record["mode"] = settings.mode
        record["device"] = settings.device
        _protocol.writer().environment(record)
    return applied


def _configure_torch(settings: _protocol.Settings, applied: Applied) -> None:
    import torch

    switches = applied.settings
    cuda = _protocol_is_cuda(settings.device)
    if cuda and not torch.cuda.is_available():
        raise _protocol.ConfigurationError(
            f"SEEDGATE_DEVICE='{settings.device}' but torch sees no CUDA device (a CPU-only torch, or no GPU visible)")
    if settings.deterministic:
        workspace = os.environ.get("CUBLAS_WORKSPACE_CONFIG", "")
        if workspace not in (":4096:8", ":16:8"):
            if torch.cuda.is_initialized():
                message = ("deterministic mode on CUDA needs CUBLAS_WORKSPACE_CONFIG=:4096:8 (or :16:8) before CUDA "
                           f"starts, or cuBLAS is not deterministic; CUDA is running and it is '{workspace}'")
                if cuda:
                    raise _protocol.ConfigurationError(message)
                _warn(applied, message)
            else:
                os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    if settings.threads > 0:
        torch.set_num_threads(settings.threads)
        if torch.get_num_interop_threads() != settings.threads:
            try:
                torch.set_num_interop_threads(settings.threads)
            except RuntimeError:
                _warn(applied, f"cannot set torch's inter-op threads to {settings.threads}: call configure() before "
                               f"any parallel work starts")
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = getattr(torch, "is_deterministic_algorithms_warn_only_enabled", lambda: False)()
    switches["deterministic_algorithms"] = ("warn" if warn_only else "error") if deterministic else "off"
    switches["cudnn_deterministic"] = _on_off(torch.backends.cudnn.deterministic)
    switches["cudnn_benchmark"] = _on_off(torch.backends.cudnn.benchmark)
    switches["tf32_cublas"] = _on_off(torch.backends.cuda.matmul.allow_tf32)
    switches["tf32_cudnn"] = _on_off(torch.backends.cudnn.allow_tf32)
    switches["intra_op_threads"] = str(torch.get_num_threads())
    switches["inter_op_threads"] = str(torch.get_num_interop_threads())
    switches["cublas_workspace_config"] = os.environ.get("CUBLAS_WORKSPACE_CONFIG", "unset")


def _protocol_is_cuda(device: str) -> bool:
    return device.startswith("cuda")


def device() -> Any:
    """The run's torch device: ``cpu``, or ``cuda`` (seedgate shows a CUDA run only its GPU)."""
    import torch

    return torch.device("cuda" if _protocol_is_cuda(_protocol.settings().device) else "cpu")
