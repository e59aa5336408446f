"""Digests of trained models that are equal exactly when the models are bitwise equal."""
from __future__ import annotations

import hashlib
import os
import struct
from typing import Any

_CHUNK = 1 << 20


def _framed(h: Any, tag: bytes, payload: bytes) -> None:
    h.update(tag + struct.pack("<Q", len(payload)) + payload)


def _array_bytes(array: Any) -> tuple:
    """(dtype text, shape, little-endian C-order bytes) of a numpy array."""
    import numpy

    if array.dtype.hasobject:
        raise TypeError("cannot digest a numpy array of Python objects: its bytes are addresses")
    array = numpy.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    descr = str(array.dtype.descr) if array.dtype.fields else array.dtype.str
    return descr, array.shape, array.tobytes()


def _tensor_bytes(tensor: Any) -> tuple:
    """(dtype text, shape, bytes) of a tensor: detached, on the CPU, contiguous."""
    import torch

    t = tensor.detach().cpu().contiguous()
    raw = t.reshape(-1).view(torch.uint8) if t.numel() else torch.empty(0, dtype=torch.uint8)
    return str(t.dtype), tuple(t.shape), raw.numpy().tobytes()


def _update(h: Any, obj: Any, depth: int = 0) -> None:
    if depth > 64:
        raise ValueError("cannot digest an object nested more than 64 levels deep")
    kind = type(obj).__module__ + "." + type(obj).__qualname__
    if obj is None:
        _framed(h, b"N", b"")
    elif isinstance(obj, bool):
        _framed(h, b"B", b"\1" if obj else b"\0")
    elif isinstance(obj, int):
        _framed(h, b"I", str(obj).encode())
    elif isinstance(obj, float):
        _framed(h, b"F", struct.pack("<d", obj))
    elif isinstance(obj, str):
        _framed(h, b"S", obj.encode("utf-8", "surrogatepass"))
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        _framed(h, b"Y", bytes(obj))
    elif kind.startswith("torch.") and hasattr(obj, "detach") and hasattr(obj, "dtype"):
        dtype, shape, raw = _tensor_bytes(obj)
        _framed(h, b"T", dtype.encode() + b"|" + ",".join(map(str, shape)).encode())
        _framed(h, b"D", raw)
    elif hasattr(obj, "state_dict") and callable(obj.state_dict) and kind.startswith("torch."):
        _update(h, obj.state_dict(), depth + 1)  # a module digests as its state_dict
    elif kind == "numpy.ndarray" or (hasattr(obj, "__array_interface__") and hasattr(obj, "dtype")):
        import numpy

        dtype, shape, raw = _array_bytes(numpy.asarray(obj))
        _framed(h, b"A", dtype.encode() + b"|" + ",".join(map(str, shape)).encode())
        _framed(h, b"D", raw)
    elif kind.startswith("numpy.") and hasattr(obj, "item"):  # numpy scalars
        _update(h, obj.item(), depth + 1)
    elif kind == "xgboost.core.Booster":
        _framed(h, b"X", bytes(obj.save_raw(raw_format="ubj")))
    elif isinstance(obj, dict):
        _framed(h, b"M", struct.pack("<Q", len(obj)))
        for key, value in obj.items():
            _update(h, key, depth + 1)
            _update(h, value, depth + 1)
    elif isinstance(obj, (list, tuple)):
        _framed(h, b"L", struct.pack("<Q", len(obj)))
        for value in obj:
            _update(h, value, depth + 1)
    elif isinstance(obj, os.PathLike):
        _framed(h, b"P", b"")
        _file(h, os.fspath(obj))
    elif hasattr(obj, "__getstate__") and type(obj).__module__.split(".")[0] == "sklearn":
        # A fitted scikit-learn estimator: its parameters and fitted arrays
        # (trees digest through their own state).
        _framed(h, b"K", kind.encode())
        _update(h, obj.__getstate__(), depth + 1)
    elif kind.startswith("sklearn.") and hasattr(obj, "__reduce__"):
        _framed(h, b"K", kind.encode())
        _update(h, obj.__reduce__()[2], depth + 1)  # Cython objects (a tree's state)
    else:
        raise TypeError(f"cannot digest a {kind}: pass a state_dict, a module, tensors, numpy arrays, an XGBoost "
                        f"booster, a scikit-learn estimator, bytes or a file path")


def _file(h: Any, path: str) -> None:
    try:
        with open(path, "rb") as f:
            while True:
                block = f.read(_CHUNK)
                if not block:
                    break
                h.update(block)
    except OSError as error:
        raise OSError(f"cannot digest '{path}': {error.strerror or error}") from None


def digest(obj: Any) -> str:
    """"sha256:<64 hex digits>" over ``obj`` in a stable byte order.

    ``obj`` may be a torch module (its state_dict) or state_dict, tensors,
    numpy arrays, an XGBoost booster (its model as UBJ, without the training
    configuration), a fitted scikit-learn estimator, dicts, lists and tuples
    of these, bytes, or a file: a ``str`` or path-like at the top level is a
    file's path, and its digest is the sha256 of its bytes (as ``sha256sum``
    gives). Tensors and arrays are digested with their dtype and shape, as
    little-endian bytes in C order; dicts in their own order (a state_dict's
    is the model's). Equal digests mean bitwise-equal values.
    """
    h = hashlib.sha256()
    if isinstance(obj, (str, os.PathLike)):
        _file(h, os.fspath(obj))
    else:
        _update(h, obj)
    return "sha256:" + h.hexdigest()


def artifact(name: str, obj: Any) -> str:
    """Reports ``digest(obj)`` as the artifact ``name`` ({"type": "artifact", ...}) and returns it."""
    from . import _protocol

    value = digest(obj)
    _protocol.writer().artifact(name, value)
    return value
