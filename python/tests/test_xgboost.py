"""seedgate.xgboost: the callback's records for a real booster, and params() under each setting."""
import json
import os

import pytest

xgboost = pytest.importorskip("xgboost", reason="XGBoost's Python package is missing: install python3-xgboost")
datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn is missing: install python3-sklearn")

import seedgate  # noqa: E402
import seedgate.xgboost as sx  # noqa: E402
from seedgate import _protocol  # noqa: E402

BASE = {"objective": "binary:logistic", "eta": 0.3, "max_depth": 3, "subsample": 0.7, "colsample_bytree": 0.7,
        "eval_metric": ["logloss", "error"]}


@pytest.fixture(scope="module")
def data():
    features, labels = datasets.load_breast_cancer(return_X_y=True)
    # Every 4th row held out: a fixed split, no generator involved.
    test = [i % 4 == 0 for i in range(len(labels))]
    train = [not t for t in test]
    return (xgboost.DMatrix(features[train], label=labels[train]),
            xgboost.DMatrix(features[test], label=labels[test]))


def records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def train(tmp_path, data, settings, rounds=7, name="metrics.jsonl", base=BASE, **callback):
    """Trains under ``settings`` with the callback writing to a file; returns (booster, records, evals_result)."""
    path = str(tmp_path / name)
    writer = _protocol.Writer(path)
    evals_result = {}
    dtrain, dtest = data
    with _protocol._override(settings, writer):
        parameters = sx.params(base)
        booster = xgboost.train(parameters, dtrain, num_boost_round=rounds, evals=[(dtrain, "train"), (dtest, "test")],
                                evals_result=evals_result, verbose_eval=False,
                                callbacks=[sx.Callback(**callback)])
    writer.close()
    return booster, records(path), evals_result


def test_each_round_is_written_with_the_names_and_values_xgboost_reports(tmp_path, data):
    booster, written, evals_result = train(tmp_path, data, _protocol.Settings(seed=3))
    rounds = [r for r in written if "step" in r]
    assert [r["step"] for r in rounds] == list(range(7))
    for r in rounds:
        step = r["step"]
        # XGBoost's own history of the same training is the reference.
        expected = {f"{data_name}-{metric}": values[step]
                    for data_name, metrics in evals_result.items() for metric, values in metrics.items()}
        assert {k: v for k, v in r.items() if k != "step"} == expected
    # The evaluation line's order: each set's metrics, set after set.
    assert list(rounds[0]) == ["step", "train-logloss", "train-error", "test-logloss", "test-error"]
    artifacts = [r for r in written if r.get("type") == "artifact"]
    assert written[-1] == artifacts[0]  # after the last round
    # The booster as training left it: xgboost.train (1.7) adds the
    # best_iteration attributes to the one it returns after the callbacks.
    trained = booster.copy()
    for key in list(trained.attributes()):
        trained.set_attr(**{key: None})
    assert artifacts == [{"type": "artifact", "name": "model", "digest": seedgate.digest(trained)}]


def test_period_writes_every_kth_round_and_always_the_last(tmp_path, data):
    _, written, evals_result = train(tmp_path, data, _protocol.Settings(), rounds=8, period=3)
    rounds = [r for r in written if "step" in r]
    assert [r["step"] for r in rounds] == [0, 3, 6, 7]
    assert rounds[-1]["test-logloss"] == evals_result["test"]["logloss"][7]
    _, written, _ = train(tmp_path, data, _protocol.Settings(), rounds=7, period=3, name="seven.jsonl")
    assert [r["step"] for r in written if "step" in r] == [0, 3, 6]  # the last one is on the period: once


def test_no_artifact_when_asked_and_the_model_is_returned(tmp_path, data):
    booster, written, _ = train(tmp_path, data, _protocol.Settings(), artifact=None)
    assert not [r for r in written if r.get("type") == "artifact"]
    assert isinstance(booster, xgboost.Booster)
    assert booster.num_boosted_rounds() == 7


def test_early_stopping_importance_and_env_record(tmp_path, data):
    path = str(tmp_path / "metrics.jsonl")
    writer = _protocol.Writer(path)
    dtrain, dtest = data
    with _protocol._override(_protocol.Settings(seed=1, threads=1), writer):
        parameters = sx.params(BASE)
        booster = xgboost.train(parameters, dtrain, num_boost_round=200, evals=[(dtest, "test")],
                                early_stopping_rounds=3, verbose_eval=False,
                                callbacks=[sx.Callback(importance="gain", parameters=parameters)])
    writer.close()
    written = records(path)
    assert written[0] == {"type": "env", **sx.environment(parameters)}
    assert written[0]["seed"] == "1" and written[0]["nthread"] == "1" and written[0]["tree_method"] == "hist"
    steps = [r["step"] for r in written if "step" in r]
    # Every round, the one that stopped training included, whatever order
    # XGBoost calls its callbacks in.
    assert steps == list(range(booster.num_boosted_rounds()))
    assert steps[-1] < 199, "early stopping stopped before the last round"
    best = [r for r in written if "best_iteration" in r]
    assert best == [{"best_iteration": booster.best_iteration, "best_score": booster.best_score}]
    importance = [r for r in written if r.get("type") == "importance"]
    assert importance == [{"type": "importance", "kind": "gain", "values": booster.get_score(importance_type="gain")}]


def test_same_seed_same_digest_and_another_seed_another(tmp_path, data):
    first, a, _ = train(tmp_path, data, _protocol.Settings(seed=5), name="a.jsonl")
    second, b, _ = train(tmp_path, data, _protocol.Settings(seed=5), name="b.jsonl")
    other, c, _ = train(tmp_path, data, _protocol.Settings(seed=6), name="c.jsonl")
    digest = [r["digest"] for r in a if r.get("type") == "artifact"]
    assert digest == [r["digest"] for r in b if r.get("type") == "artifact"]
    assert digest != [r["digest"] for r in c if r.get("type") == "artifact"]
    assert bytes(first.save_raw(raw_format="ubj")) == bytes(second.save_raw(raw_format="ubj"))
    assert [r for r in a if "step" in r] == [r for r in b if "step" in r]
    # The seed reaches the booster as XGBoost's own seed parameter.
    config = json.loads(other.save_config())
    assert config["learner"]["generic_param"]["seed"] == "6"
    # The dropout source's own seed wins over SEEDGATE_SEED.
    dropout, d, _ = train(tmp_path, data, _protocol.Settings(seed=5, sources={"dropout": 6}), name="d.jsonl")
    assert [r["digest"] for r in d if r.get("type") == "artifact"] == [r["digest"] for r in c
                                                                       if r.get("type") == "artifact"]


def test_params_by_default_on_the_cpu():
    with _protocol._override(_protocol.Settings(seed=42), _protocol.Writer()):
        p = sx.params({"eta": 0.1, "random_state": 7})
    assert p == {"eta": 0.1, "seed": 42, "tree_method": "hist", **({"device": "cpu"} if _major() >= 2 else {})}


def test_params_keeps_the_tree_method_given_and_replaces_auto():
    settings = _protocol.Settings()
    assert sx.params({"tree_method": "approx"}, settings=settings, version="1.7.4")["tree_method"] == "approx"
    assert sx.params({"tree_method": "auto"}, settings=settings, version="1.7.4")["tree_method"] == "hist"
    assert sx.params({"tree_method": "exact"}, settings=settings, version="2.1.0")["tree_method"] == "exact"


def test_params_threads_and_sources():
    settings = _protocol.Settings(seed=3, sources={"dropout": 11, "init": 12}, threads=2)
    p = sx.params({"n_jobs": 8, "nthread": 8, "seed": 0}, settings=settings, version="1.7.4")
    assert p == {"seed": 11, "nthread": 2, "tree_method": "hist"}
    # Without the threads axis the program's own nthread stays.
    assert sx.params({"nthread": 4}, settings=_protocol.Settings(), version="1.7.4")["nthread"] == 4
    base = {"eta": 0.1}
    sx.params(base, settings=settings)
    assert base == {"eta": 0.1}


def test_params_on_cuda_before_and_after_2_0():
    deterministic = _protocol.Settings(device="cuda")
    default = _protocol.Settings(device="cuda:1", deterministic=False)
    assert sx.params({}, settings=deterministic, version="1.7.4") == {
        "seed": 0, "tree_method": "gpu_hist", "deterministic_histogram": True}
    assert sx.params({}, settings=default, version="1.7.4") == {"seed": 0, "tree_method": "gpu_hist"}
    assert sx.params({}, settings=deterministic, version="2.0.0") == {"seed": 0, "tree_method": "hist",
                                                                       "device": "cuda"}
    # gpu_hist given to 2.0 and later: hist on CUDA, whatever the run's device.
    assert sx.params({"tree_method": "gpu_hist"}, settings=_protocol.Settings(), version="3.0.2") == {
        "seed": 0, "tree_method": "hist", "device": "cuda"}
    assert sx.params({}, settings=_protocol.Settings(), version="2.1.1")["device"] == "cpu"
    assert "device" not in sx.params({}, settings=_protocol.Settings(), version="1.7.4")


def test_environment_has_the_keys_of_the_cpp_record():
    settings = _protocol.Settings(seed=9, threads=2)
    record = sx.environment(sx.params({}, settings=settings, version="1.7.4"))
    assert record == {"adapter": "seedgate.xgboost (python)", "xgboost": xgboost.__version__, "seed": "9",
                      "nthread": "2", "tree_method": "hist", "device": "cpu"}
    cuda = sx.environment(sx.params({}, settings=_protocol.Settings(device="cuda"), version="1.7.4"))
    assert (cuda["device"], cuda["tree_method"], cuda["nthread"]) == ("cuda", "gpu_hist", "default")


def test_period_must_be_positive():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="period"):
            sx.Callback(period=bad)


def _major():
    return int(xgboost.__version__.split(".")[0])


def test_records_go_to_the_run_metrics_file_under_seedgate(tmp_path, data):
    """Through the environment, as `seedgate run` starts a program: SEEDGATE_METRICS and SEEDGATE_SEED."""
    path = tmp_path / "run.jsonl"
    settings = _protocol.settings_from_environment({"SEEDGATE_SEED": "4", "SEEDGATE_METRICS": str(path)})
    writer = _protocol.Writer(settings.metrics_path)
    with _protocol._override(settings, writer):
        booster = xgboost.train(sx.params(BASE), data[0], num_boost_round=2, evals=[(data[1], "test")],
                                verbose_eval=False, callbacks=[sx.Callback()])
    writer.close()
    assert os.path.getsize(path) > 0
    assert [r["step"] for r in records(path) if "step" in r] == [0, 1]
    assert json.loads(booster.save_config())["learner"]["generic_param"]["seed"] == "4"


def test_a_round_early_stopping_kept_from_the_callback_is_written_from_the_history(tmp_path, data):
    """XGBoost's callbacks in a set: the round that stopped training may never reach this callback."""
    path = str(tmp_path / "metrics.jsonl")
    writer = _protocol.Writer(path)
    booster = xgboost.train({"tree_method": "hist"}, data[0], num_boost_round=1)
    history = {"test": {"logloss": []}}
    with _protocol._override(_protocol.Settings(), writer):
        callback = sx.Callback(period=2, artifact=None)
        callback.before_training(booster)
        for epoch in range(3):  # rounds 0 to 2 reach the callback; round 3 stops training before it does
            history["test"]["logloss"].append(0.5 - epoch / 10)
            callback.after_iteration(booster, epoch, history)
        history["test"]["logloss"].append(0.125)
        callback.after_training(booster)
    writer.close()
    assert records(path) == [{"step": 0, "test-logloss": 0.5}, {"step": 2, "test-logloss": 0.3},
                             {"step": 3, "test-logloss": 0.125}]
