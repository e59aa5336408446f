"""Turning torch's error for an op with no deterministic implementation into the protocol's event."""
from __future__ import annotations

import contextlib
import functools
import sys
from typing import Any, Callable, Iterator, Optional

from . import _protocol

_PHRASE = " does not have a deterministic implementation"
_EVENT = "nondeterministic-op"  # the event that ends a run as a determinism violation


def nondeterministic_op(text: str) -> Optional[str]:
    """The op named by torch's "<op> does not have a deterministic implementation" error; None for other text."""
    at = text.find(_PHRASE)
    if at < 0:
        return None
    begin = at
    while begin > 0 and not text[begin - 1].isspace() and text[begin - 1] not in "'\"]":
        begin -= 1
    if begin == at:
        return None
    return text[begin:at]


def report_exception(error: BaseException) -> Optional[str]:
    """Writes the ``nondeterministic-op`` event when ``error`` is torch's determinism error; returns the op."""
    op = nondeterministic_op(str(error))
    if op is not None:
        try:
            _protocol.writer().event(_EVENT, op + _PHRASE)
        except Exception as failure:  # the original error matters more
            print(f"error: cannot report the nondeterministic op: {failure}", file=sys.stderr)
    return op


class guard(contextlib.ContextDecorator):
    """A context manager and decorator: torch's nondeterministic-op error becomes a protocol event.

    ``with seedgate.guard(): train()``, or ``@seedgate.guard()`` on ``main``.
    When the body raises torch's error for an op with no deterministic
    implementation, a {"type": "event", "name": "nondeterministic-op"}
    record naming the op is written, so seedgate reports a determinism
    violation rather than a crash; the error then propagates as before.
    """

    def __enter__(self) -> "guard":
        return self

    def __exit__(self, kind: Any, error: Optional[BaseException], traceback: Any) -> bool:
        if error is not None and isinstance(error, Exception):
            report_exception(error)
        return False
