"""The protocol's environment and its records, byte for byte as seedgate::protocol writes them.

A run started by ``seedgate run`` gets SEEDGATE_SEED, SEEDGATE_MODE,
SEEDGATE_DEVICE, SEEDGATE_THREADS, SEEDGATE_REPEAT, SEEDGATE_RUN_DIR,
SEEDGATE_METRICS and SEEDGATE_PREDICTIONS (and SEEDGATE_SEED_<SOURCE> when a
sweep varies one source of randomness at a time). Records are JSON objects,
one per line, appended to SEEDGATE_METRICS, or printed when it is unset.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import sys
import threading
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

SOURCES: Tuple[str, ...] = ("init", "order", "split", "dropout")
"""The sources of randomness a sweep can seed apart (the policy's ``[sweep] vary``)."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class ConfigurationError(ValueError):
    """A protocol variable with a value the package cannot use; the message names both."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the protocol asked of this run (run by hand: seed 0, deterministic, CPU)."""

    seed: int = 0
    sources: Mapping[str, int] = dataclasses.field(default_factory=dict)  # SEEDGATE_SEED_<SOURCE>, where set
    deterministic: bool = True
    device: str = "cpu"
    threads: int = 0  # 0: the framework's own default
    repeat: int = 0
    run_dir: str = ""
    metrics_path: str = ""  # empty: records go to standard output
    predictions_path: str = ""  # empty: nobody reads predictions
    under_seedgate: bool = False  # SEEDGATE_SEED was set

    def seed_for(self, source: str) -> int:
        """The seed ``source`` draws from: its own SEEDGATE_SEED_<SOURCE>, else ``seed``."""
        if source not in SOURCES:
            raise ValueError(f"unknown source of randomness {source!r} (known: {', '.join(SOURCES)})")
        return self.sources.get(source, self.seed)

    def has_own_seed(self, source: str) -> bool:
        return source in self.sources

    @property
    def mode(self) -> str:
        return "deterministic" if self.deterministic else "default"


# strtoll's grammar: leading white space, an optional sign, decimal digits.
_INTEGER = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")


def _parse_integer(name: str, text: str, low: int, high: int) -> int:
    if _INTEGER.fullmatch(text):
        value = int(text)
        if low <= value <= high:
            return value
    raise ConfigurationError(f"{name}='{text}' is not an integer between {low} and {high}")


def is_cuda(device: str) -> bool:
    """"cuda" or "cuda:N", as seedgate::protocol::is_cuda."""
    return device.startswith("cuda")


def source_variable(source: str) -> str:
    """"SEEDGATE_SEED_INIT" for "init", and so on."""
    return "SEEDGATE_SEED_" + source.upper()


def settings_from_environment(environ: Optional[Mapping[str, str]] = None) -> Settings:
    """Reads the SEEDGATE_* variables from ``environ`` (the process environment by default).

    Raises ConfigurationError for a malformed value, with the same message
    seedgate::protocol gives.
    """
    env = os.environ if environ is None else environ
    seed, under = 0, False
    if "SEEDGATE_SEED" in env:
        seed, under = _parse_integer("SEEDGATE_SEED", env["SEEDGATE_SEED"], INT64_MIN, INT64_MAX), True
    sources: Dict[str, int] = {}
    for source in SOURCES:
        variable = source_variable(source)
        if variable in env:
            sources[source] = _parse_integer(variable, env[variable], INT64_MIN, INT64_MAX)
    deterministic = True
    if "SEEDGATE_MODE" in env:
        mode = env["SEEDGATE_MODE"]
        if mode not in ("deterministic", "default"):
            raise ConfigurationError(f"SEEDGATE_MODE='{mode}' is not \"deterministic\" or \"default\"")
        deterministic = mode == "deterministic"
    device = "cpu"
    if "SEEDGATE_DEVICE" in env:
        device = env["SEEDGATE_DEVICE"]
        valid = device in ("cpu", "cuda") or (
            device.startswith("cuda:") and len(device) > 5 and all(c in "0123456789" for c in device[5:])
        )
        if not valid:
            raise ConfigurationError(f"SEEDGATE_DEVICE='{device}' is not \"cpu\", \"cuda\" or \"cuda:N\"")
    threads = 0
    if env.get("SEEDGATE_THREADS"):
        threads = _parse_integer("SEEDGATE_THREADS", env["SEEDGATE_THREADS"], 1, 4096)
    repeat = 0
    if env.get("SEEDGATE_REPEAT"):
        repeat = _parse_integer("SEEDGATE_REPEAT", env["SEEDGATE_REPEAT"], 0, 2**31 - 1)
    return Settings(
        seed=seed,
        sources=sources,
        deterministic=deterministic,
        device=device,
        threads=threads,
        repeat=repeat,
        run_dir=env.get("SEEDGATE_RUN_DIR", ""),
        metrics_path=env.get("SEEDGATE_METRICS", ""),
        predictions_path=env.get("SEEDGATE_PREDICTIONS", ""),
        under_seedgate=under,
    )


def json_string(text: str) -> str:
    """A JSON string literal, escaped as seedgate::protocol escapes it."""
    out = ['"']
    for c in text:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def json_number(value: float) -> str:
    """The shortest of %.15g, %.16g and %.17g that reads back as the same double.

    NaN and the infinities as the bare words seedgate's protocol parser accepts.
    """
    value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    for precision in (15, 16, 17):
        text = "%.*g" % (precision, value)
        if float(text) == value:
            return text
    return text


def _number(name: str, value: Any) -> float:
    if isinstance(value, (bool, str, bytes)):
        raise TypeError(f"metric {name!r} is {type(value).__name__}, not a number")
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"metric {name!r} is {type(value).__name__}, not a number ({error})") from None


def _step(step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, int):
        try:
            import operator

            step = operator.index(step)  # numpy integers, 0-d integer tensors
        except TypeError:
            raise TypeError(f"step must be an integer, not {type(step).__name__}") from None
    if not INT64_MIN <= step <= INT64_MAX:
        raise ValueError(f"step {step} is outside the 64-bit range")
    return int(step)


class Writer:
    """Writes protocol records, one whole line each, flushed, so a crash loses nothing written.

    An empty path writes to standard output.
    """

    def __init__(self, metrics_path: str = "") -> None:
        self.path = metrics_path
        self._lock = threading.Lock()
        self._file = None
        if metrics_path:
            try:
                self._file = open(metrics_path, "a", encoding="utf-8", newline="\n")
            except OSError as error:
                raise ConfigurationError(
                    f"cannot open SEEDGATE_METRICS='{metrics_path}' for appending: {error.strerror}"
                ) from None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, line: str) -> None:
        with self._lock:
            if self._file is None:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
                return
            try:
                self._file.write(line + "\n")
                self._file.flush()
            except OSError as error:
                raise OSError(f"cannot write to SEEDGATE_METRICS='{self.path}': {error.strerror}") from None

    @staticmethod
    def metrics_line(values: Sequence[Tuple[str, float]], step: Optional[int] = None) -> str:
        parts = []
        if step is not None:
            parts.append('"step": ' + str(_step(step)))
        for name, value in values:
            if name in ("step", "type") or "\0" in name:
                raise ValueError(f"{name!r} cannot name a metric: seedgate reads 'step' as the step, 'type' as a "
                                 f"typed record, and a NUL cuts a name short")
            parts.append(json_string(name) + ": " + json_number(_number(name, value)))
        return "{" + ", ".join(parts) + "}"

    def metrics(self, values: Sequence[Tuple[str, float]], step: Optional[int] = None) -> None:
        """{"accuracy": 0.95} or {"step": 3, "loss": 0.41}."""
        self.write(self.metrics_line(values, step))

    def artifact(self, name: str, digest: str) -> None:
        self.write('{"type": "artifact", "name": ' + json_string(name) + ', "digest": ' + json_string(digest) + "}")

    def event(self, name: str, message: str) -> None:
        self.write('{"type": "event", "name": ' + json_string(name) + ', "message": ' + json_string(message) + "}")

    def environment(self, values: Mapping[str, str]) -> None:
        """{"type": "env", ...}, keys in sorted order (as a std::map holds them)."""
        line = '{"type": "env"'
        for key in sorted(values, key=lambda k: k.encode("utf-8")):
            line += ", " + json_string(key) + ": " + json_string(str(values[key]))
        self.write(line + "}")

    def importance(self, kind: str, values: Sequence[Tuple[str, float]]) -> None:
        line = '{"type": "importance", "kind": ' + json_string(kind) + ', "values": {'
        line += ", ".join(json_string(f) + ": " + json_number(_number(f, v)) for f, v in values)
        self.write(line + "}}")


# The process's settings and writer, made on first use. A pytest run of the
# plugin swaps in its own for each seed (``_override``).
_state_lock = threading.RLock()
_settings: Optional[Settings] = None
_writer: Optional[Any] = None


def settings() -> Settings:
    """The protocol's settings for this process (read once from the environment)."""
    global _settings
    with _state_lock:
        if _settings is None:
            _settings = settings_from_environment()
        return _settings


def writer() -> Any:
    """The process's record writer: SEEDGATE_METRICS, or standard output."""
    global _writer
    with _state_lock:
        if _writer is None:
            _writer = Writer(settings().metrics_path)
        return _writer


@contextlib.contextmanager
def _override(new_settings: Settings, new_writer: Any) -> Iterator[None]:
    """Within the block, settings() and writer() are these (the pytest plugin's runs)."""
    global _settings, _writer
    with _state_lock:
        saved = (_settings, _writer)
        _settings, _writer = new_settings, new_writer
    try:
        yield
    finally:
        with _state_lock:
            _settings, _writer = saved


def log(step: Optional[int] = None, **metrics: Any) -> None:
    """Reports metrics: ``log(accuracy=0.95)`` or ``log(step=3, loss=0.41)``.

    Values are anything ``float()`` takes (numpy scalars, one-element tensors).
    A metric's final value is its last record. ``type`` cannot name a
    metric (seedgate reads it as a typed record's).
    """
    if not metrics and step is None:
        return  # nothing to report
    writer().metrics(list(metrics.items()), step)


def event(name: str, message: str = "") -> None:
    """{"type": "event", ...}; ``nondeterministic-op`` ends the run as a determinism violation."""
    writer().event(name, message)


def importance(values: Mapping[str, float], kind: str = "gain") -> None:
    """Feature importance per feature; reports show how stable its ranking is across seeds."""
    writer().importance(kind, list(values.items()))
