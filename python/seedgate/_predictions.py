"""Predictions on a fixed evaluation set, in the format seedgate reads (README: Predictions).

CSV (``id,label,p0..pK-1``, ``id,label,class`` or ``id,target,value``) or,
above 1,000,000 values or when asked, binary: ``SGPRED1\\n``, then kind
(uint32: 0 probabilities, 1 classes, 2 values), classes (uint32) and rows
(uint64), then per row the id (int64), the label or target (float64) and the
probabilities (float32 each) or the class or value (float64), little-endian.
The same bytes seedgate::protocol's writers give for the same input.
"""
from __future__ import annotations

import decimal
import fractions
import math
import os
import struct
from typing import Any, List, Optional, Sequence

_MAGIC = b"SGPRED1\n"
_AUTOMATIC_LIMIT = 1_000_000


def _float32(value: float) -> float:
    """``value`` rounded to a float32 (past its range: an infinity, as a C cast gives)."""
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _float32_neighbours(value: float):
    """The float32 below and above ``value`` (a positive, finite float32), as doubles; past the top, FLT_MAX + ulp."""
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    below = struct.unpack("<f", struct.pack("<I", bits - 1))[0]
    if bits + 1 >= 0x7F800000:
        return below, value + (value - below)
    return below, struct.unpack("<f", struct.pack("<I", bits + 1))[0]


def _shortest_digits(value: float, single: bool):
    """(digits, exponent) of the shortest decimal that reads back as ``value`` (positive).

    For a double, Python's repr gives it. For a float32, the decimals of
    each length nearest ``value`` are tried: those inside its rounding
    interval (the midpoints to its neighbours, included when its last bit is
    even, as round-half-to-even reads them) read back, and of those the
    nearest wins, an even last digit on a tie (as Ryu, behind std::to_chars,
    chooses). The midpoints are exact doubles, so a decimal is compared with
    them exactly only where its nearest double is one of them.
    """
    if not single:
        sign_, digit_tuple, exponent = decimal.Decimal(repr(value)).as_tuple()
        digits = "".join(map(str, digit_tuple)).lstrip("0")
        exp = len(digits) - 1 + exponent
        return digits.rstrip("0") or "0", exp
    below, above = _float32_neighbours(value)
    low, high = (value + below) / 2, (value + above) / 2  # exact: a float32 and a neighbour fit in a double
    even = struct.unpack("<I", struct.pack("<f", value))[0] % 2 == 0
    for precision in range(1, 10):
        text = "%.*e" % (precision - 1, value)
        m, _, e = text.partition("e")
        base = int(m.replace(".", ""))
        exp = int(e)
        scale = exp - precision + 1
        inside = []
        for candidate in (base, base - 1, base + 1):
            if candidate <= 0 or len(str(candidate)) != precision:
                continue
            nearest = float(f"{candidate}e{scale}")
            if low < nearest < high:
                inside.append(candidate)
            elif nearest in (low, high):
                decimal_value = fractions.Fraction(candidate) * fractions.Fraction(10) ** scale
                bounds = fractions.Fraction(low), fractions.Fraction(high)
                if bounds[0] < decimal_value < bounds[1] or (even and decimal_value in bounds):
                    inside.append(candidate)
        if inside:
            best = inside[0]
            if len(inside) > 1:
                exact = fractions.Fraction(value)
                best = min(inside, key=lambda c: (abs(fractions.Fraction(c) * fractions.Fraction(10) ** scale - exact),
                                                  c % 2))
            return str(best).rstrip("0") or "0", exp
    raise AssertionError("a float32 always reads back from 9 digits")


def chars_number(value: float, single: bool = False) -> str:
    """The text std::to_chars gives for a float (``single``) or a double.

    The shortest digits that read back, positional or scientific, whichever
    is shorter (positional on a tie); a whole number in positional form is
    written with all its digits, exactly.
    """
    value = float(value)
    if single:
        value = _float32(value)
    if math.isnan(value):
        return "-nan" if math.copysign(1.0, value) < 0 else "nan"
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, exp = _shortest_digits(abs(value), single)
    scientific = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + ("-" if exp < 0 else "+")
    scientific += "%02d" % abs(exp)
    if exp >= 0:
        if len(digits) <= exp + 1:
            positional = digits + "0" * (exp + 1 - len(digits))
        else:
            positional = digits[: exp + 1] + "." + digits[exp + 1 :]
    else:
        positional = "0." + "0" * (-exp - 1) + digits
    if len(positional) > len(scientific):
        return sign + scientific
    if exp + 1 >= len(digits):
        # A whole number: positional form prints it exactly, as printf's %.0f
        # would (the float32 1346871424, not 1346871400; 2**60 as
        # 1152921504606846976, not 1152921504606847000), not as the shortest
        # digits padded with zeros.
        positional = str(int(abs(value)))
    return sign + positional


def _as_list(values: Any, name: str) -> List[Any]:
    """A flat list from a list, tuple, numpy array or tensor (detached, on the CPU)."""
    if hasattr(values, "detach"):
        values = values.detach().cpu()  # tolist() below: any dtype, bfloat16 included
    if hasattr(values, "tolist"):
        values = values.tolist()
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a sequence, a numpy array or a tensor, not {type(values).__name__}")
    return list(values)


def _whole(value: Any, what: str, path: str, row: int) -> int:
    number = float(value)
    if not math.isfinite(number) or number != math.floor(number):
        raise ValueError(f"cannot write predictions to '{path}': {what} of row {row} is {value!r}, not a whole number")
    return int(number)


def _write(path: str, kind: int, classes: int, ids: Sequence[int], rows: int, values_per_row: int,
           header: str, csv_row, binary_row, format: str) -> None:
    if not path:
        raise ValueError(f"cannot write predictions to '{path}': the path is empty (SEEDGATE_PREDICTIONS is not set)")
    if ids and len(ids) != rows:
        raise ValueError(f"cannot write predictions to '{path}': {len(ids)} ids for {rows} rows")
    if format not in ("auto", "csv", "binary"):
        raise ValueError(f"format must be 'auto', 'csv' or 'binary', not {format!r}")
    binary = format == "binary" or (format == "auto" and rows * values_per_row > _AUTOMATIC_LIMIT)
    temporary = path + ".tmp"
    try:
        with open(temporary, "wb") as out:
            chunk: List[bytes] = []
            size = 0
            if binary:
                chunk.append(_MAGIC + struct.pack("<IIQ", kind, classes, rows))
            else:
                chunk.append(header.encode())
            for row in range(rows):
                identifier = int(ids[row]) if ids else row
                if binary:
                    piece = struct.pack("<q", identifier) + binary_row(row)
                else:
                    piece = (str(identifier) + "," + csv_row(row) + "\n").encode()
                chunk.append(piece)
                size += len(piece)
                if size >= 1 << 20:
                    out.write(b"".join(chunk))
                    chunk, size = [], 0
            out.write(b"".join(chunk))
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise OSError(f"cannot write predictions to '{path}': {error.strerror or error}") from None


def write_probabilities(path: str, labels: Any, probabilities: Any, classes: Optional[int] = None,
                        ids: Any = None, format: str = "auto") -> None:
    """Class probabilities (rows x classes; a flat list needs ``classes``) and the true classes."""
    label_list = _as_list(labels, "labels")
    rows_given = _as_list(probabilities, "probabilities")
    if rows_given and isinstance(rows_given[0], (list, tuple)):
        if classes is None:
            classes = len(rows_given[0])
        flat = [p for row in rows_given for p in row]
    else:
        flat = rows_given
    if classes is None or classes < 2:
        raise ValueError(f"cannot write predictions to '{path}': {classes} classes; probabilities need at least 2")
    if len(flat) != len(label_list) * classes:
        raise ValueError(f"cannot write predictions to '{path}': {len(flat)} probabilities for {len(label_list)} "
                         f"labels and {classes} classes")
    label_ints = [_whole(v, "the label", path, i) for i, v in enumerate(label_list)]
    header = "id,label," + ",".join(f"p{c}" for c in range(classes)) + "\n"
    k = classes

    def csv_row(row: int) -> str:
        return str(label_ints[row]) + "," + ",".join(chars_number(p, single=True) for p in flat[row * k:(row + 1) * k])

    def binary_row(row: int) -> bytes:
        values = map(_float32, flat[row * k:(row + 1) * k])
        return struct.pack("<d", float(label_ints[row])) + struct.pack(f"<{k}f", *values)

    _write(path, 0, classes, _as_list(ids, "ids") if ids is not None else [], len(label_list), k, header,
           csv_row, binary_row, format)


def write_classes(path: str, labels: Any, predicted: Any, ids: Any = None, format: str = "auto") -> None:
    """A predicted class per example and the true classes."""
    label_list = _as_list(labels, "labels")
    predicted_list = _as_list(predicted, "predicted classes")
    if len(predicted_list) != len(label_list):
        raise ValueError(f"cannot write predictions to '{path}': {len(predicted_list)} predicted classes for "
                         f"{len(label_list)} labels")
    label_ints = [_whole(v, "the label", path, i) for i, v in enumerate(label_list)]
    predicted_ints = [_whole(v, "the predicted class", path, i) for i, v in enumerate(predicted_list)]

    def csv_row(row: int) -> str:
        return f"{label_ints[row]},{predicted_ints[row]}"

    def binary_row(row: int) -> bytes:
        return struct.pack("<dd", float(label_ints[row]), float(predicted_ints[row]))

    _write(path, 1, 0, _as_list(ids, "ids") if ids is not None else [], len(label_list), 1, "id,label,class\n",
           csv_row, binary_row, format)


def write_values(path: str, targets: Any, values: Any, ids: Any = None, format: str = "auto") -> None:
    """A regression value per example and the targets."""
    target_list = [float(v) for v in _as_list(targets, "targets")]
    value_list = [float(v) for v in _as_list(values, "values")]
    if len(value_list) != len(target_list):
        raise ValueError(f"cannot write predictions to '{path}': {len(value_list)} values for {len(target_list)} "
                         f"targets")

    def csv_row(row: int) -> str:
        return chars_number(target_list[row]) + "," + chars_number(value_list[row])

    def binary_row(row: int) -> bytes:
        return struct.pack("<dd", target_list[row], value_list[row])

    _write(path, 2, 0, _as_list(ids, "ids") if ids is not None else [], len(target_list), 1, "id,target,value\n",
           csv_row, binary_row, format)


def write_predictions(outputs: Any, labels: Any, ids: Any = None, path: Optional[str] = None,
                      format: str = "auto") -> bool:
    """Writes a model's predictions on the evaluation set, as seedgate::torch's does.

    What ``outputs`` holds decides the form:
      [N, K] floating, K >= 2: class probabilities (softmax, not logits), ``labels`` the true classes
      [N] integer:             predicted classes, ``labels`` the true classes
      [N] or [N, 1] floating:  regression values, ``labels`` the targets
    ``outputs`` and ``labels`` may be lists, numpy arrays or tensors (on any
    device). ``path`` defaults to SEEDGATE_PREDICTIONS; run by hand (no path)
    nothing is written and False is returned.
    """
    from . import _protocol

    if path is None:
        path = _protocol.settings().predictions_path
        if not path:
            return False
    shape, floating = _shape_and_kind(outputs)
    if len(shape) == 2 and shape[1] >= 2:
        if not floating:
            raise ValueError(f"cannot write predictions to '{path}': [N, K] outputs must be probabilities (floating)")
        write_probabilities(path, labels, outputs, shape[1], ids, format)
    elif len(shape) == 1 and not floating:
        write_classes(path, labels, outputs, ids, format)
    elif (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)) and floating:
        flat = _as_list(outputs, "outputs")
        if len(shape) == 2:
            flat = [row[0] for row in flat]
        write_values(path, labels, flat, ids, format)
    else:
        raise ValueError(f"cannot write predictions to '{path}': outputs of shape {list(shape)} are neither [N, K] "
                         f"probabilities, [N] classes nor [N] values")
    return True


def _shape_and_kind(outputs: Any):
    """The shape of ``outputs`` and whether it holds floating-point numbers."""
    if hasattr(outputs, "shape") and hasattr(outputs, "dtype"):
        shape = tuple(int(s) for s in outputs.shape)
        dtype = outputs.dtype
        floating = getattr(dtype, "is_floating_point", None)
        if floating is None:  # numpy
            floating = getattr(dtype, "kind", "f") in "fc"
        return shape, bool(floating)
    values = _as_list(outputs, "outputs")
    if values and isinstance(values[0], (list, tuple)):
        return (len(values), len(values[0])), any(isinstance(v, float) for row in values for v in row)
    return (len(values),), any(isinstance(v, float) for v in values)
