"""XGBoost's Python package under seedgate: the protocol applied to parameters, and a training callback.

::

    import seedgate.xgboost

    parameters = seedgate.xgboost.params({"objective": "binary:logistic", "subsample": 0.8})
    booster = xgboost.train(parameters, dtrain, num_boost_round=50, evals=[(dtrain, "train"), (dtest, "test")],
                            callbacks=[seedgate.xgboost.Callback(parameters=parameters)])

``params`` sets what seedgate::xgboost's ``apply`` sets on a booster (seed,
nthread, an explicit tree_method, the device); the callback writes every
round's evaluations as the C++ ``Session::evaluation`` does
(``{"step": 3, "train-logloss": 0.41, "test-error": 0.05}``), then the
model's digest as an artifact.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

try:
    import xgboost as _xgboost
    from xgboost.callback import TrainingCallback as _TrainingCallback
except ImportError as _error:  # pragma: no cover - depends on the machine
    raise ImportError(f"seedgate.xgboost needs XGBoost's Python package (Debian: python3-xgboost; pip: xgboost): "
                      f"{_error}") from None

from . import _digest, _protocol

__all__ = ["Callback", "environment", "params"]


def _version_tuple(text: str) -> Tuple[int, int]:
    """(major, minor) of a version such as "1.7.4" or "2.1.0rc1"; (0, 0) when it has none."""
    match = re.match(r"\s*(\d+)(?:\.(\d+))?", text)
    if not match:
        return (0, 0)
    return (int(match.group(1)), int(match.group(2) or 0))


def params(base: Optional[Mapping[str, Any]] = None, *, settings: Optional[_protocol.Settings] = None,
           version: Optional[str] = None) -> Dict[str, Any]:
    """``base`` with the protocol applied, as seedgate::xgboost's C++ ``apply`` applies it to a booster.

    - ``seed``: the run's seed for the ``dropout`` source (SEEDGATE_SEED_DROPOUT,
      else SEEDGATE_SEED): it drives row and column subsampling and dart's
      dropped trees. ``random_state``, its alias, is removed.
    - ``nthread``: SEEDGATE_THREADS where the sweep sets it (``n_jobs`` is then
      removed); otherwise ``base``'s, if any.
    - ``tree_method``: ``base``'s, or ``"hist"`` when it is missing or
      ``"auto"`` (the default changed between 1.7 and 2.0).
    - The device: from 2.0 on, ``device = "cuda"`` or ``"cpu"`` (a
      ``gpu_hist`` in ``base`` becomes ``hist`` on CUDA); before 2.0, a CUDA
      run gets ``tree_method = "gpu_hist"`` and, in deterministic mode,
      ``deterministic_histogram``.

    ``settings`` defaults to the run's and ``version`` to the installed
    XGBoost's. Returns a new dict; ``base`` is not changed.
    """
    if settings is None:
        settings = _protocol.settings()
    major_minor = _version_tuple(version if version is not None else _xgboost.__version__)
    result: Dict[str, Any] = dict(base or {})
    result.pop("random_state", None)
    result["seed"] = settings.seed_for("dropout")
    if settings.threads > 0:
        result.pop("n_jobs", None)
        result["nthread"] = settings.threads
    tree_method = result.get("tree_method") or "hist"
    if tree_method == "auto":
        tree_method = "hist"
    cuda = settings.device.startswith("cuda")
    if major_minor >= (2, 0):
        # 2.0 moved the device out of tree_method; 3.1 removed gpu_hist.
        if tree_method == "gpu_hist":
            tree_method, cuda = "hist", True
        result["device"] = "cuda" if cuda else "cpu"
    elif cuda:
        tree_method = "gpu_hist"
        if settings.deterministic:
            result["deterministic_histogram"] = True
    result["tree_method"] = tree_method
    return result


def environment(parameters: Optional[Mapping[str, Any]] = None) -> Dict[str, str]:
    """The env record's values for a booster trained with ``parameters`` (by default ``params()``).

    The keys seedgate::xgboost's C++ ``environment_record`` gives: adapter,
    xgboost (the installed version), seed, nthread ("default" when unset),
    tree_method and device.
    """
    if parameters is None:
        parameters = params()
    tree_method = str(parameters.get("tree_method") or "hist")
    device = parameters.get("device")
    if device is None:
        device = "cuda" if tree_method == "gpu_hist" else "cpu"
    nthread = parameters.get("nthread", parameters.get("n_jobs"))
    return {
        "adapter": "seedgate.xgboost (python)",
        "xgboost": str(_xgboost.__version__),
        "seed": str(parameters.get("seed", parameters.get("random_state", 0))),
        "nthread": str(nthread) if nthread is not None and int(nthread) > 0 else "default",
        "tree_method": tree_method,
        "device": "cuda" if str(device).startswith("cuda") else "cpu",
    }


def _latest(evals_log: Mapping[str, Mapping[str, List[Any]]]) -> List[Tuple[str, float]]:
    """The last round's values as "<eval set>-<metric>" pairs, in XGBoost's order (xgboost.cv: -mean, -std)."""
    values: List[Tuple[str, float]] = []
    for data, metrics in evals_log.items():
        for metric, history in metrics.items():
            if not history:
                continue
            last = history[-1]
            name = f"{data}-{metric}"
            if isinstance(last, tuple):
                values.append((name + "-mean", float(last[0])))
                values.append((name + "-std", float(last[1])))
            else:
                values.append((name, float(last)))
    return values


def _rounds(evals_log: Mapping[str, Mapping[str, List[Any]]]) -> int:
    """How many rounds the history holds."""
    return max((len(history) for metrics in evals_log.values() for history in metrics.values()), default=0)


class Callback(_TrainingCallback):
    """Writes each round's evaluations as protocol records, and the trained model's digest.

    After round ``r`` (every ``period`` rounds, and always the last one
    trained): ``{"step": r, "train-logloss": ..., "test-error": ...}``, the
    names XGBoost prints and seedgate::xgboost's C++ session writes. After
    training: ``best_iteration`` and ``best_score`` where early stopping set
    them, the feature importance of kind ``importance`` (``"gain"``,
    ``"weight"``, ...; None for none), and the model's digest as the artifact
    ``artifact`` (None for none). With ``parameters`` (what ``params()``
    returned), the env record is written before training.

    The digest is of the booster as training left it, as the C++ session
    digests it. XGBoost 1.7's ``train`` then adds the attributes
    ``best_iteration`` and ``best_ntree_limit`` to the booster it returns, so
    ``seedgate.digest()`` of that one differs. XGBoost has kept callbacks in
    a set (dmlc/xgboost#11811): with ``EarlyStopping(save_best=True)`` among
    them, whether this callback sees the sliced model is left to chance;
    pass ``early_stopping_rounds`` to ``train`` instead.
    """

    def __init__(self, period: int = 1, artifact: Optional[str] = "model", importance: Optional[str] = None,
                 parameters: Optional[Mapping[str, Any]] = None) -> None:
        if isinstance(period, bool) or not isinstance(period, int) or period < 1:
            raise ValueError(f"period must be a whole number of rounds, 1 or more, not {period!r}")
        self.period = period
        self.artifact = artifact
        self.importance = importance
        self.parameters = parameters
        self._pending: Optional[Tuple[int, List[Tuple[str, float]]]] = None
        self._history: Optional[Mapping[str, Mapping[str, List[Any]]]] = None
        self._first_round = 0
        self._written = -1
        super().__init__()

    def before_training(self, model: Any) -> Any:
        """Writes the env record when ``parameters`` were given."""
        self._pending = None
        self._history = None
        self._written = -1
        if self.parameters is not None:
            _protocol.writer().environment(environment(self.parameters))
        return model

    def after_iteration(self, model: Any, epoch: int, evals_log: Dict[str, Dict[str, List[Any]]]) -> bool:
        """Writes round ``epoch``'s evaluations when it falls on the period; never stops training."""
        values = _latest(evals_log)
        if not values:
            return False
        # XGBoost's own history of this training: every round's values, the
        # first at ``_first_round``.
        self._history = evals_log
        self._first_round = epoch - _rounds(evals_log) + 1
        if epoch % self.period == 0:
            _protocol.writer().metrics(values, epoch)
            self._written = epoch
            self._pending = None
        else:
            self._pending = (epoch, values)
        return False

    def after_training(self, model: Any) -> Any:
        """The last round (when the period skipped it), early stopping's best, importance, the digest."""
        out = _protocol.writer()
        if self._history is not None:
            # XGBoost has kept callbacks in a set and stopped calling them
            # once early stopping said stop (dmlc/xgboost#11811): the round
            # that decided it may never have reached this callback. Its
            # values are in the history all the same.
            last = self._first_round + _rounds(self._history) - 1
            if last > self._written and (self._pending is None or last > self._pending[0]):
                self._pending = (last, _latest(self._history))
        if self._pending is not None:
            epoch, values = self._pending
            out.metrics(values, epoch)
            self._written = epoch
            self._pending = None
        if not isinstance(model, _xgboost.Booster):  # xgboost.cv's folds: no single model to digest
            return model
        best_iteration = model.attr("best_iteration")
        best_score = model.attr("best_score")
        if best_iteration is not None and best_score is not None:
            out.metrics([("best_iteration", int(best_iteration)), ("best_score", float(best_score))])
        if self.importance is not None:
            scores = model.get_score(importance_type=self.importance)
            out.importance(self.importance, [(feature, float(value)) for feature, value in scores.items()])
        if self.artifact is not None:
            _digest.artifact(self.artifact, model)
        return model
