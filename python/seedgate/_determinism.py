"""Seeding every generator a Python program draws from, and the determinism switches.

Frameworks are imported only when the program has them: ``seed()`` and
``configure()`` touch numpy and torch where they can be imported, and do
nothing for the ones that cannot.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import operator
import os
import random
import re
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
    if isinstance(value, bool):
        raise TypeError("seed must be an integer, not bool")
    try:
        value = operator.index(value)  # numpy integers too
    except TypeError:
        raise TypeError(f"seed must be an integer, not {type(value).__name__}") from None
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

        torch.manual_seed(value)  # any int64; also every CUDA device's generator
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
    """A DataLoader ``worker_init_fn`` that seeds ``random`` and numpy in each worker from its torch seed.

    torch 1.9 and later seed both in every worker themselves (from the
    DataLoader's generator and the worker's id), and then this does
    nothing; before 1.9 they did not, and augmentations drawing from them
    repeated across workers and runs.
    """
    import torch

    version = tuple(int(part) for part in re.findall(r"\d+", torch.__version__)[:2])
    if version >= (1, 9):
        return
    worker_seed = torch.initial_seed() % 2**32
    random.seed(worker_seed)
    if _have("numpy"):
        import numpy

        numpy.random.seed(worker_seed)


def seed_dropout(settings: Optional[_protocol.Settings] = None) -> bool:
    """Re-seeds torch's global generator with the dropout seed, as seedgate::torch's seed_dropout() does.

    torch's dropout draws from the same global generator as the weights'
    initialisation. Call this once the model is built, before training:
    when the run has its own init or dropout seed (a sweep that varies one
    source at a time), the generator is re-seeded with the dropout seed, so
    dropout no longer depends on the init seed; under SEEDGATE_SEED alone
    nothing changes. Returns whether it re-seeded.
    """
    if settings is None:
        settings = _protocol.settings()
    if not settings.has_own_seed("init") and not settings.has_own_seed("dropout"):
        return False
    import torch

    torch.manual_seed(settings.seed_for("dropout"))
    return True


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


_interop_set = False  # torch.set_num_interop_threads was called by configure()


def _configure_torch(settings: _protocol.Settings, applied: Applied) -> None:
    import torch

    switches = applied.settings
    cuda = _protocol.is_cuda(settings.device)
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
        global _interop_set
        if torch.get_num_interop_threads() != settings.threads:
            # torch takes the inter-op thread count once per process: a second
            # call (ours or the program's) aborts the process on some builds
            # instead of raising, so it is set at most once, here.
            if _interop_set:
                _warn(applied, f"torch's inter-op threads are {torch.get_num_interop_threads()}, not "
                               f"{settings.threads}: torch takes them once per process")
            else:
                _interop_set = True
                try:
                    torch.set_num_interop_threads(settings.threads)
                except RuntimeError:
                    _warn(applied, f"cannot set torch's inter-op threads to {settings.threads}: call configure() "
                                   f"before any parallel work starts")
    if cuda:
        torch.cuda.init()  # after CUBLAS_WORKSPACE_CONFIG: the env record names the GPU
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


def device() -> Any:
    """The run's torch device: ``cpu``, or ``cuda`` (seedgate shows a CUDA run only its GPU)."""
    import torch

    return torch.device("cuda" if _protocol.is_cuda(_protocol.settings().device) else "cpu")
