"""Digests of trained models that are equal exactly when the models are bitwise equal."""
from __future__ import annotations

import hashlib
import os
import struct
import sys
from typing import Any

_CHUNK = 1 << 20


def _framed(h: Any, tag: bytes, payload: bytes) -> None:
    h.update(tag + struct.pack("<Q", len(payload)) + payload)


def _tensor_bytes(tensor: Any) -> tuple:
    """(dtype text, shape, bytes) of a tensor: detached, on the CPU, dense, contiguous, its views resolved."""
    import torch

    t = tensor.detach()
    if t.is_sparse:
        t = t.to_dense()
    t = t.resolve_conj().resolve_neg().cpu().contiguous()
    raw = t.reshape(-1).view(torch.uint8) if t.numel() else torch.empty(0, dtype=torch.uint8)
    return str(t.dtype), tuple(t.shape), raw.numpy().tobytes()


def _is(obj: Any, module: str, attribute: str) -> bool:
    """isinstance(obj, module.attribute), for a module the program imported; False otherwise."""
    found = sys.modules.get(module)  # only what the program imported: nothing is imported here
    for part in attribute.split(".") if found is not None else ():
        found = getattr(found, part, None)
    return isinstance(found, type) and isinstance(obj, found)


def _shape(shape) -> bytes:
    return ",".join(map(str, shape)).encode()


def _array(h: Any, array: Any, depth: int) -> None:
    """A numpy array: dtype and shape, then its values, little-endian, in C order."""
    import numpy

    array = numpy.asarray(array)
    if array.dtype.fields:
        # Field by field: a structured dtype's padding bytes may hold anything.
        _framed(h, b"R", str(array.dtype.descr).encode() + b"|" + _shape(array.shape))
        for name in array.dtype.names:
            _array(h, array[name], depth + 1)
        return
    if array.dtype.hasobject:
        # An array of Python objects (a boosting model's trees): each element in turn.
        _framed(h, b"J", _shape(array.shape))
        for element in array.reshape(-1):
            _update(h, element, depth + 1)
        return
    array = numpy.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    _framed(h, b"A", array.dtype.str.encode() + b"|" + _shape(array.shape))
    _framed(h, b"D", array.tobytes())


def _key_bytes(key: Any, depth: int) -> bytes:
    inner = hashlib.sha256()
    _update(inner, key, depth + 1)
    return inner.digest()


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
    elif _is(obj, "torch", "Tensor"):
        dtype, shape, raw = _tensor_bytes(obj)
        _framed(h, b"T", dtype.encode() + b"|" + _shape(shape))
        _framed(h, b"D", raw)
    elif _is(obj, "torch", "nn.Module") or _is(obj, "torch", "optim.Optimizer"):
        _update(h, obj.state_dict(), depth + 1)  # a module digests as its state_dict
    elif _is(obj, "numpy", "ndarray"):
        _array(h, obj, depth)
    elif _is(obj, "numpy", "generic"):  # numpy scalars
        _update(h, obj.item(), depth + 1)
    elif _is(obj, "numpy", "random.RandomState"):
        _framed(h, b"G", b"RandomState")
        _update(h, obj.get_state(), depth + 1)
    elif _is(obj, "numpy", "random.Generator"):
        _framed(h, b"G", b"Generator")
        _update(h, obj.bit_generator.state, depth + 1)
    elif _is(obj, "xgboost", "Booster"):
        _framed(h, b"X", bytes(obj.save_raw(raw_format="ubj")))
    elif _is(obj, "xgboost", "XGBModel"):
        _update(h, obj.get_booster(), depth + 1)  # the scikit-learn interface: its booster
    elif isinstance(obj, dict):
        _framed(h, b"M", struct.pack("<Q", len(obj)))
        items = list(obj.items())
        if type(obj) is dict:
            # A plain dict in an order of its own keys; an OrderedDict (a state_dict) in its order.
            items.sort(key=lambda item: _key_bytes(item[0], depth))
        for key, value in items:
            _update(h, key, depth + 1)
            _update(h, value, depth + 1)
    elif isinstance(obj, (list, tuple)):
        _framed(h, b"L", struct.pack("<Q", len(obj)))
        for value in obj:
            _update(h, value, depth + 1)
    elif isinstance(obj, os.PathLike):
        _framed(h, b"P", b"")
        _file(h, os.fspath(obj))
    elif callable(obj) and (hasattr(obj, "__qualname__") or hasattr(obj, "__name__")):
        # A function an estimator holds (FunctionTransformer, a scorer; numpy's ufuncs): by its name.
        name = getattr(obj, "__qualname__", None) or obj.__name__
        module = getattr(obj, "__module__", None) or type(obj).__module__
        _framed(h, b"C", f"{module}.{name}".encode())
    elif _is(obj, "sklearn", "base.BaseEstimator") or kind.startswith("sklearn."):
        # A fitted scikit-learn estimator: its parameters and fitted state;
        # Cython objects (a tree) through their pickled state.
        _framed(h, b"K", kind.encode())
        state = obj.__getstate__() if hasattr(obj, "__getstate__") else None
        if not isinstance(state, dict) and hasattr(obj, "__reduce__"):
            state = obj.__reduce__()[2]
        _update(h, state, depth + 1)
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
    is the model's, a plain dict's is sorted). A fitted estimator digests
    everything it holds: GridSearchCV's ``cv_results_`` hold fit times, so
    digest its ``best_estimator_``. Equal digests mean bitwise-equal values.
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
