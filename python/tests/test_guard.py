"""guard(): torch's error for an op with no deterministic implementation becomes the protocol's event."""
from __future__ import annotations

import pytest

import seedgate
from seedgate import _protocol

from helpers import require


@pytest.mark.parametrize("text, op", [
    ("put_ does not have a deterministic implementation, but you set 'torch.use_deterministic_algorithms(True)'",
     "put_"),
    ("what():  index_add_cuda_ does not have a deterministic implementation", "index_add_cuda_"),
    ("[x]adaptive_avg_pool2d_backward_cuda does not have a deterministic implementation",
     "adaptive_avg_pool2d_backward_cuda"),
    (" does not have a deterministic implementation", None),
    ("CUDA out of memory", None),
])
def test_the_op_is_read_from_the_error_text_as_seedgate_torch_reads_it(text, op):
    assert seedgate.nondeterministic_op(text) == op


class Recorder(_protocol.Writer):
    def __init__(self):
        self.lines = []

    def write(self, line):
        self.lines.append(line)


def test_guard_writes_the_event_and_lets_the_error_through():
    torch = require("torch", "python3-torch")
    recorder = Recorder()
    torch.use_deterministic_algorithms(True)
    try:
        with _protocol._override(_protocol.Settings(), recorder):
            with pytest.raises(RuntimeError, match="put_ does not have a deterministic implementation"):
                with seedgate.guard():
                    torch.zeros(3).put_(torch.tensor([0, 0]), torch.ones(2))
    finally:
        torch.use_deterministic_algorithms(False)
    assert recorder.lines == ['{"type": "event", "name": "nondeterministic-op", "message": '
                              '"put_ does not have a deterministic implementation"}']


def test_guard_as_a_decorator_and_other_errors_write_nothing():
    recorder = Recorder()

    @seedgate.guard()
    def train(error):
        raise error

    with _protocol._override(_protocol.Settings(), recorder):
        with pytest.raises(ValueError):
            train(ValueError("bad data"))
        with pytest.raises(RuntimeError):
            train(RuntimeError("index_add_cuda_ does not have a deterministic implementation"))
        with seedgate.guard():
            pass
    assert recorder.lines == ['{"type": "event", "name": "nondeterministic-op", "message": '
                              '"index_add_cuda_ does not have a deterministic implementation"}']
