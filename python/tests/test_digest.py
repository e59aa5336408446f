"""digest(): equal exactly when the values are bitwise equal, whatever the object's route there."""
from __future__ import annotations

import hashlib

import pytest

import seedgate

from helpers import require


def test_a_file_digests_as_sha256sum_does(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x00weights\xff" * 1000)
    expected = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert seedgate.digest(str(path)) == expected
    assert seedgate.digest(path) == expected


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(OSError, match="cannot digest '.*nothing.bin': No such file"):
        seedgate.digest(tmp_path / "nothing.bin")


def test_structure_and_types_are_part_of_the_digest():
    distinct = [b"1", 1, 1.0, True, "1", [1], (1, 1), {"a": 1}, {"a": 1.0}, {"b": 1}, None, [[1], 1], [1, [1]]]
    digests = [seedgate.digest([value]) for value in distinct]  # a bare str would be a file's path
    assert len(set(digests)) == len(distinct)
    assert seedgate.digest({"a": [1, 2.5, "x"]}) == seedgate.digest({"a": [1, 2.5, "x"]})


def test_arrays_digest_their_dtype_shape_and_values_in_one_byte_order():
    numpy = require("numpy", "python3-numpy")
    a = numpy.arange(12, dtype="<f4").reshape(3, 4)
    assert seedgate.digest(a) == seedgate.digest(a.copy())
    assert seedgate.digest(a) == seedgate.digest(a.astype(">f4"))  # the same values, big-endian in memory
    assert seedgate.digest(a) == seedgate.digest(numpy.asfortranarray(a))  # the same values, another layout
    assert seedgate.digest(a) != seedgate.digest(a.reshape(4, 3))
    assert seedgate.digest(a) != seedgate.digest(a.astype("<f8"))
    b = a.copy()
    b[2, 3] = numpy.nextafter(b[2, 3], numpy.float32(100))  # one ulp
    assert seedgate.digest(a) != seedgate.digest(b)
    with pytest.raises(TypeError, match="cannot digest a builtins.object"):
        seedgate.digest(numpy.array([object()]))  # an object array digests its elements


def test_a_module_digests_as_its_state_dict_and_moves_with_one_ulp():
    torch = require("torch", "python3-torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    assert seedgate.digest(model) == seedgate.digest(model.state_dict())
    copy = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    copy.load_state_dict(model.state_dict())
    assert seedgate.digest(copy) == seedgate.digest(model)
    with torch.no_grad():
        copy[0].weight[0, 0] = torch.nextafter(copy[0].weight[0, 0], torch.tensor(10.0))
    assert seedgate.digest(copy) != seedgate.digest(model)
    # dtype and shape count, and a tensor that is not contiguous digests as its values
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    assert seedgate.digest(t.t()) == seedgate.digest(t.t().contiguous())
    assert seedgate.digest(t) != seedgate.digest(t.double()) != seedgate.digest(t.reshape(3, 2))
    assert seedgate.digest(torch.tensor(1.0, dtype=torch.bfloat16)) != seedgate.digest(torch.tensor(1.0))
    assert seedgate.digest(torch.empty(0)) != seedgate.digest(torch.empty(0, 1))


def test_a_booster_digests_its_model_without_its_training_configuration():
    xgboost = require("xgboost", "python3-xgboost")
    numpy = require("numpy", "python3-numpy")
    rng = numpy.random.default_rng(0)
    x, y = rng.normal(size=(200, 5)), rng.integers(0, 2, 200)
    train = xgboost.DMatrix(x, label=y)
    boosters = [xgboost.train({"seed": seed, "subsample": 0.7, "nthread": threads, "tree_method": "hist"}, train, 5)
                for seed, threads in ((1, 1), (1, 2), (2, 1))]
    digests = [seedgate.digest(b) for b in boosters]
    assert digests[0] == digests[1]  # nthread is configuration, not model
    assert digests[0] != digests[2]


def test_a_fitted_estimator_digests_its_fitted_state():
    require("sklearn", "python3-sklearn")
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    x, y = load_iris(return_X_y=True)
    forests = [RandomForestClassifier(n_estimators=5, random_state=seed).fit(x, y) for seed in (0, 0, 1)]
    digests = [seedgate.digest(f) for f in forests]
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_a_users_own_module_digests_as_its_state_dict():
    torch = require("torch", "python3-torch")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(3, 2)

    torch.manual_seed(0)
    first = Net()
    torch.manual_seed(0)
    assert seedgate.digest(first) == seedgate.digest(Net()) == seedgate.digest(first.state_dict())
    assert seedgate.digest(first) != seedgate.digest(Net())


def test_estimators_holding_generators_object_arrays_and_functions_digest_their_fitted_state():
    require("sklearn", "python3-sklearn")
    numpy = require("numpy", "python3-numpy")
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    x, y = load_iris(return_X_y=True)
    makers = {
        "MLPClassifier (a RandomState)": lambda s: MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=s),
        "GradientBoostingClassifier (an object array of trees)":
            lambda s: GradientBoostingClassifier(n_estimators=5, subsample=0.5, random_state=s),
        "a pipeline with a function":
            lambda s: make_pipeline(FunctionTransformer(numpy.log1p), LogisticRegression(random_state=s, max_iter=300)),
        "a forest given a RandomState":
            lambda s: RandomForestClassifier(n_estimators=3, random_state=numpy.random.RandomState(s)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP's convergence warning
        for name, make in makers.items():
            digests = [seedgate.digest(make(seed).fit(x, y)) for seed in (0, 0, 1)]
            assert digests[0] == digests[1], name
            if "pipeline" not in name:  # a logistic regression on iris converges alike from any seed
                assert digests[0] != digests[2], name


def test_xgboosts_scikit_learn_interface_digests_its_booster():
    xgboost = require("xgboost", "python3-xgboost")
    require("sklearn", "python3-sklearn")
    from sklearn.datasets import load_iris

    x, y = load_iris(return_X_y=True)
    model = xgboost.XGBClassifier(n_estimators=3, subsample=0.5, random_state=1).fit(x, y)
    assert seedgate.digest(model) == seedgate.digest(model.get_booster())


def test_tensor_views_and_sparse_tensors_digest_as_their_values():
    torch = require("torch", "python3-torch")
    t = torch.randn(3, dtype=torch.cfloat)
    assert seedgate.digest(t.conj()) == seedgate.digest(t.conj().resolve_conj())
    assert seedgate.digest(torch.eye(3).to_sparse()) == seedgate.digest(torch.eye(3))


def test_a_plain_dict_digests_whatever_its_insertion_order_and_an_ordered_one_in_its_order():
    from collections import OrderedDict

    assert seedgate.digest([{"a": 1, "b": 2}]) == seedgate.digest([{"b": 2, "a": 1}])
    assert seedgate.digest(OrderedDict(a=1, b=2)) != seedgate.digest(OrderedDict(b=2, a=1))


def test_what_cannot_be_digested_is_refused_by_type():
    with pytest.raises(TypeError, match="cannot digest a builtins.object"):
        seedgate.digest(object())
    with pytest.raises(TypeError, match="cannot digest a builtins.set"):
        seedgate.digest({1, 2})  # its order follows the hash seed
    nested = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(ValueError, match="nested more than 64 levels"):
        seedgate.digest(nested)


def test_artifact_writes_the_record_and_returns_the_digest(tmp_path, capsys):
    from seedgate import _protocol

    metrics = tmp_path / "metrics.jsonl"
    with _protocol._override(_protocol.Settings(), _protocol.Writer(str(metrics))):
        value = seedgate.artifact("weights", [1, 2])
    assert value == seedgate.digest([1, 2])
    assert metrics.read_text() == '{"type": "artifact", "name": "weights", "digest": "%s"}\n' % value
