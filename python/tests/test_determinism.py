"""seed() and configure(): every generator seeded, the switches set, and repeats bitwise equal."""
from __future__ import annotations

import random
import warnings

import pytest

import seedgate
from seedgate import _protocol

from helpers import artifacts, events, require, run_program


def settings(**values) -> _protocol.Settings:
    return _protocol.Settings(**values)


def test_seed_seeds_random_numpy_and_torch_alike_for_equal_seeds():
    numpy = require("numpy", "python3-numpy")
    draws = []
    for _ in range(2):
        seeded = seedgate.seed(1234)
        draws.append((random.random(), numpy.random.rand(), seeded.numpy.random()))
    assert draws[0] == draws[1]
    assert draws[0][0] == random.Random(1234).random()  # the same stream as random.seed(1234)
    numpy.random.seed(1234)
    assert draws[0][1] == numpy.random.rand()  # numpy's legacy seed as numpy.random.seed(1234)
    assert draws[0][2] == numpy.random.default_rng(1234).random()
    other = seedgate.seed(1235)
    assert random.random() != draws[0][0] and other.numpy.random() != draws[0][2]


def test_seed_seeds_torch_and_returns_a_generator():
    torch = require("torch", "python3-torch")
    seeded = seedgate.seed(7)
    first, from_generator = torch.rand(3), torch.rand(3, generator=seeded.torch)
    seedgate.seed(7)
    assert torch.equal(first, torch.rand(3))
    assert torch.equal(from_generator, torch.rand(3, generator=torch.Generator().manual_seed(7)))


@pytest.mark.parametrize("value", [-1, 2**32, 2**63 - 1, -(2**63)])
def test_every_64_bit_seed_is_taken_and_distinct_seeds_draw_differently(value):
    numpy = require("numpy", "python3-numpy")
    a = seedgate.seed(value)
    drawn = (random.random(), numpy.random.rand(), a.numpy.random())
    seedgate.seed(value ^ 1)
    assert (random.random(), numpy.random.rand()) != drawn[:2]


def test_seed_refuses_what_is_not_a_64_bit_integer():
    with pytest.raises(TypeError, match="seed must be an integer"):
        seedgate.seed(1.5)
    with pytest.raises(TypeError):
        seedgate.seed(True)
    with pytest.raises(ValueError, match="outside the 64-bit range"):
        seedgate.seed(2**63)


def test_seed_without_a_value_takes_the_runs_seed_for_the_source():
    with _protocol._override(settings(seed=11, sources={"order": 5}), _protocol.Writer.__new__(_protocol.Writer)):
        assert seedgate.seed().seed == 11
        assert seedgate.seed(source="order").seed == 5
        assert seedgate.random_state() == 11
        assert seedgate.random_state("order") == 5
    with _protocol._override(settings(seed=-1), None):
        assert seedgate.random_state() == 2**32 - 1  # scikit-learn takes 0..2**32-1


def test_unknown_source_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown source of randomness 'weights'"):
        _protocol.Settings().seed_for("weights")


class Recorder:
    def __init__(self):
        self.lines = []

    def write(self, line):
        self.lines.append(line)

    def environment(self, values):
        self.lines.append(dict(values))


def test_configure_sets_the_switches_and_writes_them_in_the_env_record(monkeypatch):
    torch = require("torch", "python3-torch")
    monkeypatch.setenv("PYTHONHASHSEED", "3")
    recorder = Recorder()
    try:
        with _protocol._override(settings(seed=3, deterministic=True), recorder):
            applied = seedgate.configure()
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
        assert applied.settings["deterministic_algorithms"] == "error"
        env = recorder.lines[-1]
        assert env["torch"] == torch.__version__ and env["mode"] == "deterministic"
        assert env["cudnn_deterministic"] == "on" and env["tf32_cublas"] == "off"
        assert env["seedgate"] == seedgate.__version__ and env["python"]
        assert applied.warnings == []
        with _protocol._override(settings(seed=3, deterministic=False), Recorder()):
            applied = seedgate.configure()
        # default mode leaves the switches as the program set them (here: as before)
        assert applied.settings["deterministic_algorithms"] == "error"
    finally:
        torch.use_deterministic_algorithms(False)


def test_configure_warns_where_a_setting_takes_effect_only_at_start(monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    torch = None
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    try:
        with _protocol._override(settings(seed=1, deterministic=True, threads=2), Recorder()):
            with pytest.warns(seedgate.SeedgateWarning) as caught:
                applied = seedgate.configure()
        texts = [str(w.message) for w in caught]
        assert any(t.startswith("PYTHONHASHSEED is not set") for t in texts), texts
        assert any(t.startswith("OMP_NUM_THREADS is 8, not 2") for t in texts), texts
        assert len(applied.warnings) >= 2
        if torch is not None:
            assert torch.get_num_threads() == 2
    finally:
        if torch is not None:
            torch.use_deterministic_algorithms(False)


def test_configure_refuses_a_cuda_device_torch_cannot_use():
    torch = require("torch", "python3-torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is visible here")
    with _protocol._override(settings(device="cuda"), Recorder()):
        with pytest.raises(seedgate.ConfigurationError, match="SEEDGATE_DEVICE='cuda' but torch sees no CUDA"):
            seedgate.configure()


# A small training program as a user writes it: configure, train, report the
# weights' digest. Shuffling, initialisation and dropout all draw.
TRAINING = """
import seedgate, torch
seedgate.configure()
with seedgate.guard():
    torch.set_num_threads(2)
    x = torch.randn(512, 20)
    y = (x[:, :5].sum(1) > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(64, 2))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=True,
                                         generator=seedgate.dataloader_generator(),
                                         worker_init_fn=seedgate.worker_init_fn)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(3):
        for xb, yb in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()
        seedgate.log(step=epoch, loss=torch.nn.functional.cross_entropy(model(x), y).item())
    model.eval()
    seedgate.log(accuracy=(model(x).argmax(1) == y).float().mean().item())
    seedgate.artifact("weights", model)
    PLANT
"""


def protocol_env(seed: int, mode: str = "deterministic") -> dict:
    return {"SEEDGATE_SEED": str(seed), "SEEDGATE_MODE": mode, "SEEDGATE_THREADS": "2", "OMP_NUM_THREADS": "2",
            "PYTHONHASHSEED": str(seed)}


def test_repeats_in_deterministic_mode_give_bitwise_equal_digests(tmp_path):
    require("torch", "python3-torch")
    program = TRAINING.replace("PLANT", "")
    digests = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        code, records, stderr = run_program(program, tmp_path, protocol_env(seed), name)
        assert code == 0, stderr
        digests.append(artifacts(records)["weights"])
        assert [r for r in records if r.get("type") == "env"][0]["deterministic_algorithms"] == "error"
    assert digests[0] == digests[1], "two runs of seed 5 differ"
    assert digests[0] != digests[2], "seeds 5 and 6 trained the same weights: the seed is ignored"


def test_a_forced_nondeterministic_op_is_reported_by_name(tmp_path):
    require("torch", "python3-torch")
    program = TRAINING.replace("PLANT", "torch.zeros(4).put_(torch.tensor([0, 0]), torch.ones(2))")
    code, records, stderr = run_program(program, tmp_path, protocol_env(1), "deterministic")
    assert code == 1, stderr
    assert events(records) == [{"type": "event", "name": "nondeterministic-op",
                                "message": "put_ does not have a deterministic implementation"}]
    assert "RuntimeError: put_ does not have a deterministic implementation" in stderr  # the traceback is kept
    # In default mode the op is allowed: the run finishes.
    code, records, stderr = run_program(program, tmp_path, protocol_env(1, "default"), "default")
    assert code == 0, stderr
    assert events(records) == []
