"""A pytest plugin that gates a unit test on a metric's mean over seeds.

::

    @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9", confidence=0.95)
    def test_model_is_accurate():
        model = train(random_state=seedgate.random_state())
        seedgate.log(accuracy=model.score(x_test, y_test))   # or: return {"accuracy": ...}

The test function runs once per seed, in this process. Before each call the
protocol's settings are those of that seed (``seedgate.settings()``,
``seedgate.random_state()`` and the other helpers see it) and
``seedgate.seed(seed)`` has seeded ``random``, numpy and torch. Metrics the
test reports with ``seedgate.log`` go to an in-memory recorder that keeps
each metric's last value; a returned dict of numbers is merged over them.
After the last seed each check is judged as seedgate's ``threshold`` check
judges ``mean_at_least`` / ``mean_at_most`` with ``confidence``: one-sided
Student-t bounds of the mean over the seeds; pass when the whole interval
meets the bound, fail when none of it does, inconclusive otherwise
(``inconclusive="fail"`` or ``"skip"``). With ``confidence=None`` the mean
itself is compared with the bound.

Marker arguments (keywords only):

``seeds``
    an int n (seeds 0..n-1) or a list (or range) of distinct ints; default 5.
``check``
    ``"<metric> >= <number>"`` or ``"<metric> <= <number>"``, or a list of them.
``confidence``
    above 0.5 and below 1 (default 0.95), or None to judge the point estimate.
``mode``
    ``"deterministic"`` (default) or ``"default"``: ``seedgate.settings().deterministic``.
``inconclusive``
    ``"fail"`` (default) or ``"skip"``.
``resolution``
    the step a coarse metric moves in (accuracy on 50 examples: 0.02); the
    bounds take seedgate's continuity correction for it. Default ``"auto"``:
    the step the values are written to, from their decimals, as a policy's
    threshold check infers it (0.94 and 0.96 give 0.01); 0 for a continuous
    metric.

A marker the plugin cannot use (a check it cannot read, an unknown
argument, a confidence with one seed) stops the session at collection with
a pytest usage error naming the test and the text.

An exception in a seed's call fails the test at once (the report names the
seed), as does a ``nondeterministic-op`` event or a checked metric some seed
did not report. Function-scoped fixtures are set up once, before the first
seed; the
``seedgate_run`` fixture's ``seed`` and ``settings`` follow the seed being
run. Mean, std, bounds and verdict of each check go to
``item.user_properties``, so ``--junitxml`` carries them.

The plugin loads by its ``pytest11`` entry point when the package is
installed, or with ``-p seedgate.pytest_plugin``.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import math
import random
import re
import sys
import unittest
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import pytest

from . import _protocol, _stats
from ._determinism import seed as _seed_generators

MARKER = "seedgate"
_KNOWN = ("seeds", "check", "confidence", "mode", "inconclusive", "resolution")
_CHECK = re.compile(r"\s*([^\s<>=]+)\s*(>=|<=)\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*")


@dataclasses.dataclass(frozen=True)
class Check:
    """One ``<metric> >= <number>`` or ``<metric> <= <number>``."""

    metric: str
    at_least: bool
    bound: float

    @property
    def text(self) -> str:
        return f"{self.metric} {'>=' if self.at_least else '<='} {_short(self.bound)}"


@dataclasses.dataclass(frozen=True)
class Spec:
    """The marker's arguments, checked."""

    seeds: Tuple[int, ...]
    checks: Tuple[Check, ...]
    confidence: Optional[float]
    deterministic: bool
    skip_inconclusive: bool
    resolution: Optional[float]  # None: inferred from the values (auto)


class Recorder:
    """An in-memory protocol writer (the Writer interface) keeping each metric's last value.

    ``lines`` holds every record as ``seedgate run`` would have read it.
    """

    def __init__(self) -> None:
        self.lines: List[str] = []
        self.metrics_by_name: Dict[str, float] = {}
        self.artifacts: Dict[str, str] = {}
        self.events: List[Tuple[str, str]] = []
        self.environment_record: Dict[str, str] = {}
        self.importances: List[Tuple[str, Dict[str, float]]] = []

    def write(self, line: str) -> None:
        """Takes one record; a metrics record (no ``type``) updates the metrics' last values."""
        self.lines.append(line)
        try:
            record = json.loads(line)
        except ValueError:
            return
        if isinstance(record, dict) and "type" not in record:
            for name, value in record.items():
                if name != "step" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    self.metrics_by_name[name] = float(value)

    def metrics(self, values: Sequence[Tuple[str, float]], step: Optional[int] = None) -> None:
        """Records metrics as Writer.metrics would write them (the same checks on names and values)."""
        self.write(_protocol.Writer.metrics_line(values, step))

    def artifact(self, name: str, digest: str) -> None:
        """Records an artifact's digest (the last one of each name)."""
        self.artifacts[name] = digest
        self.lines.append(json.dumps({"type": "artifact", "name": name, "digest": digest}))

    def event(self, name: str, message: str) -> None:
        """Records an event; ``nondeterministic-op`` fails the seed, as it ends a run under ``seedgate run``."""
        self.events.append((name, message))
        self.lines.append(json.dumps({"type": "event", "name": name, "message": message}))

    def environment(self, values: Mapping[str, str]) -> None:
        """Records the env record's values."""
        self.environment_record.update({key: str(value) for key, value in values.items()})
        self.lines.append(json.dumps({"type": "env", **self.environment_record}))

    def importance(self, kind: str, values: Sequence[Tuple[str, float]]) -> None:
        """Records feature importances of one kind."""
        self.importances.append((kind, {name: float(value) for name, value in values}))

    def close(self) -> None:
        """Nothing to close (the Writer interface)."""


class SeedgateRun:
    """What the ``seedgate_run`` fixture gives: the seed being run and its protocol settings.

    ``seeds`` is every seed the marker asks for (empty outside a marked
    test), ``recorder`` the current seed's records and ``metrics`` each
    finished seed's metrics.
    """

    def __init__(self, seeds: Tuple[int, ...], settings: _protocol.Settings) -> None:
        self.seeds = seeds
        self.settings = settings
        self.seed: int = settings.seed
        self.recorder: Optional[Recorder] = None
        self.metrics: Dict[int, Dict[str, float]] = {}
        self.failed: Optional[Tuple[int, str]] = None  # the seed whose call raised, and what to say
        self.saved_state: Optional[Dict[str, Any]] = None  # the generators before the test, given back after

    def __repr__(self) -> str:
        return f"SeedgateRun(seed={self.seed}, seeds={list(self.seeds)}, mode={self.settings.mode!r})"


_RUN_KEY: Any = pytest.StashKey() if hasattr(pytest, "StashKey") else None


def _stashed(item: pytest.Item) -> Optional[Tuple[Spec, SeedgateRun]]:
    if _RUN_KEY is not None:
        return item.stash.get(_RUN_KEY, None)
    return getattr(item, "_seedgate_run", None)


def _stash(item: pytest.Item, value: Tuple[Spec, SeedgateRun]) -> None:
    if _RUN_KEY is not None:
        item.stash[_RUN_KEY] = value
    else:
        item._seedgate_run = value  # type: ignore[attr-defined]


def _short(value: float) -> str:
    """A number as seedgate's reports print it (six significant digits)."""
    return "%.6g" % value


def describe_seeds(seeds: Sequence[int]) -> str:
    """"0..4" for more than two consecutive seeds, else "3, 7"."""
    if len(seeds) > 2 and all(b == a + 1 for a, b in zip(seeds, seeds[1:])):
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def _usage(item: pytest.Item, problem: str) -> pytest.UsageError:
    return pytest.UsageError(f"@pytest.mark.{MARKER} on {item.nodeid}: {problem}")


def parse_check(text: str) -> Check:
    """``"accuracy >= 0.9"`` -> Check("accuracy", True, 0.9); ValueError for anything else."""
    match = _CHECK.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"check {text!r} is not '<metric> >= <number>' or '<metric> <= <number>'")
    metric, op, number = match.groups()
    return Check(metric, op == ">=", float(number))


def _parse_seeds(item: pytest.Item, seeds: Any) -> Tuple[int, ...]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise _usage(item, f"seeds={seeds}: needs at least one seed")
        return tuple(range(seeds))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise _usage(item, f"seeds={seeds!r} is not an int or an iterable of ints")
    listed = list(seeds)
    for value in listed:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _usage(item, f"seeds={seeds!r}: {value!r} is not an int")
        if not _protocol.INT64_MIN <= value <= _protocol.INT64_MAX:
            raise _usage(item, f"seeds={seeds!r}: {value} is outside the 64-bit range")
    if not listed:
        raise _usage(item, "seeds is empty")
    duplicates = sorted({s for s in listed if listed.count(s) > 1})
    if duplicates:
        raise _usage(item, f"seeds repeats {', '.join(map(str, duplicates))}")
    return tuple(listed)


def _parse_spec(item: pytest.Item, mark: Any) -> Spec:
    if mark.args:
        raise _usage(item, f"takes keywords only ({', '.join(_KNOWN)}), got positional {mark.args!r}")
    unknown = sorted(set(mark.kwargs) - set(_KNOWN))
    if unknown:
        raise _usage(item, f"unknown argument {', '.join(unknown)} (known: {', '.join(_KNOWN)})")
    kwargs = mark.kwargs
    seeds = _parse_seeds(item, kwargs.get("seeds", 5))
    raw_checks = kwargs.get("check")
    if raw_checks is None:
        raise _usage(item, "needs check='<metric> >= <number>' (or a list of such checks)")
    texts = [raw_checks] if isinstance(raw_checks, str) else raw_checks
    if not isinstance(texts, (list, tuple)) or not texts:
        raise _usage(item, f"check={raw_checks!r} is not a string or a non-empty list of strings")
    checks = []
    for text in texts:
        try:
            checks.append(parse_check(text))
        except ValueError as error:
            raise _usage(item, str(error)) from None
    confidence = kwargs.get("confidence", 0.95)
    if confidence is not None:
        if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.5 < confidence < 1:
            raise _usage(item, f"confidence={confidence!r} is not above 0.5 and below 1 (or None)")
        if len(seeds) < 2:
            raise _usage(item, f"confidence={confidence} needs at least 2 seeds, got {len(seeds)} "
                               f"(or confidence=None to judge the point estimate)")
        confidence = float(confidence)
    mode = kwargs.get("mode", "deterministic")
    if mode not in ("deterministic", "default"):
        raise _usage(item, f"mode={mode!r} is not \"deterministic\" or \"default\"")
    inconclusive = kwargs.get("inconclusive", "fail")
    if inconclusive not in ("fail", "skip"):
        raise _usage(item, f"inconclusive={inconclusive!r} is not \"fail\" or \"skip\"")
    resolution = kwargs.get("resolution", "auto")
    if resolution == "auto":
        resolution = None
    elif isinstance(resolution, bool) or not isinstance(resolution, (int, float)) or not (
            math.isfinite(resolution) and resolution >= 0):
        raise _usage(item, f"resolution={resolution!r} is not \"auto\" or a number at least 0")
    else:
        resolution = float(resolution)
    return Spec(seeds, tuple(checks), confidence, mode == "deterministic", inconclusive == "skip", resolution)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(seeds=5, check='accuracy >= 0.9', confidence=0.95, mode='deterministic', inconclusive='fail', "
        "resolution='auto'): run the test once per seed and judge each checked metric's mean over the seeds "
        "(one-sided Student-t bounds at confidence; None judges the mean itself)",
    )


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Checks every seedgate marker once collected: a bad one is a usage error, before any test runs."""
    for item in items:
        mark = item.get_closest_marker(MARKER)
        if mark is not None:
            cls = getattr(item, "cls", None)
            if not isinstance(item, pytest.Function) or (cls is not None and issubclass(cls, unittest.TestCase)):
                raise _usage(item, "the marker applies to plain pytest test functions; this test is run by "
                                   f"{type(item).__name__}, which the plugin cannot run once per seed")
            spec = _parse_spec(item, mark)
            _stash(item, (spec, SeedgateRun(spec.seeds, _settings_for(spec, spec.seeds[0]))))


def _settings_for(spec: Spec, seed: int) -> _protocol.Settings:
    """The protocol settings a seed's call sees: that seed, the marker's mode, on the CPU."""
    return _protocol.Settings(seed=seed, deterministic=spec.deterministic, under_seedgate=True)


@pytest.fixture
def seedgate_run(request: pytest.FixtureRequest) -> SeedgateRun:
    """The seed being run and its settings; outside a marked test, the process's own settings."""
    stashed = _stashed(request.node)
    if stashed is not None:
        return stashed[1]
    return SeedgateRun((), _protocol.settings())


def _call_seed(item: pytest.Function, run: SeedgateRun, spec: Spec, seed: int,
               arguments: Dict[str, Any]) -> Dict[str, float]:
    settings = _settings_for(spec, seed)
    recorder = Recorder()
    run.seed, run.settings, run.recorder = seed, settings, recorder
    with _protocol._override(settings, recorder):
        try:
            _seed_generators(seed)
            result = item.obj(**arguments)
        except (Exception, pytest.fail.Exception) as error:
            # The error goes on as it is, so pytest shows the test's own frames; the report names the seed.
            run.failed = (seed, f"seed {seed} (of {describe_seeds(spec.seeds)}) raised {type(error).__name__}")
            if hasattr(error, "add_note"):  # Python 3.11: shown under the error's message
                error.add_note(f"seedgate: seed {seed} (of {describe_seeds(spec.seeds)})")
            raise
        if inspect.isawaitable(result):
            if hasattr(result, "close"):
                result.close()
            pytest.fail(f"@pytest.mark.{MARKER} on {item.nodeid}: the test is a coroutine; the plugin runs plain "
                        f"functions only", pytrace=False)
        returned: Dict[str, float] = {}
        if result is not None:
            if not isinstance(result, Mapping):
                pytest.fail(f"seed {seed}: the test returned {type(result).__name__}, not a dict of metrics "
                            f"(or None)", pytrace=False)
            try:
                line = _protocol.Writer.metrics_line(list(result.items()))
            except (TypeError, ValueError) as error:
                pytest.fail(f"seed {seed}: the returned dict: {error}", pytrace=False)
            returned = {name: value for name, value in json.loads(line).items()}
    for name, message in recorder.events:
        if name == "nondeterministic-op":
            pytest.fail(f"seed {seed}: nondeterministic op: {message}", pytrace=False)
    metrics = dict(recorder.metrics_by_name)
    metrics.update(returned)
    return metrics


def _percent(confidence: float) -> str:
    return "%g%%" % (confidence * 100)


def _describe(check: Check, spec: Spec, values: List[float], judgement: _stats.Judgement) -> str:
    n = len(values)
    text = (f"mean {_short(judgement.mean)} ± {_short(judgement.std)} (std) over {n} seed{'s' if n != 1 else ''} "
            f"({describe_seeds(spec.seeds)})")
    if judgement.lower is not None and judgement.upper is not None:
        text += f", {_percent(spec.confidence or 0)} one-sided bounds [{_short(judgement.lower)}, " \
                f"{_short(judgement.upper)}]"
    return text


def _per_seed(seeds: Sequence[int], values: Sequence[float]) -> str:
    return ", ".join(f"{s}: {_short(v)}" for s, v in zip(seeds, values))


def judge(check: Check, spec: Spec, values: List[float]) -> Tuple[_stats.Judgement, str]:
    """Judges one check over the seeds' values; returns the judgement and its message."""
    resolution = spec.resolution
    if resolution is None:
        # Inferred from the values' decimals, as a policy's threshold check infers it. Seeds that all
        # score exactly 1.0 give a step of 1, and so an inconclusive verdict: on a small test set a
        # model whose mean is just under the bound scores 1.0 on every seed often enough to pass
        # falsely, and only the test set's size (resolution=1/size) tells how often.
        resolution = _stats.inferred_resolution(values)
    judgement = _stats.judge_mean(values, check.at_least, check.bound, spec.confidence, resolution)
    described = _describe(check, spec, values, judgement)
    per_seed = "per seed: " + _per_seed(spec.seeds, values)
    side = "below" if check.at_least else "above"
    if judgement.verdict == "fail":
        how = "" if spec.confidence is not None else " (the mean itself: confidence=None)"
        return judgement, f"{check.text} failed: {described} {side} {_short(check.bound)}{how}; {per_seed}"
    if judgement.verdict == "inconclusive":
        assert spec.confidence is not None
        needed = _stats.seeds_to_decide(values, check.bound, spec.confidence)
        more = f" (about {needed} if the mean and std hold)" if needed is not None else ""
        past = ", and the mean is already past the bound" if (
            judgement.mean < check.bound if check.at_least else judgement.mean > check.bound) else ""
        if judgement.std == 0 and resolution > 0:
            # Every seed scored the same: the bounds are the rounding step's, which more seeds do not narrow.
            how = ("the step inferred from the values' decimals" if spec.resolution is None
                   else "the metric's step (resolution)")
            return judgement, (f"{check.text} inconclusive: {described} straddle {_short(check.bound)}: every seed "
                               f"scored {_short(judgement.mean)}, and {how} is {_short(resolution)}, so the "
                               f"mean could be {_short(resolution / 2)} either way; give resolution= the metric's "
                               f"step (1 / the test set's size); {per_seed}")
        return judgement, (f"{check.text} inconclusive: {described} straddle {_short(check.bound)}{past}: "
                           f"more seeds would tell{more}; {per_seed}")
    return judgement, f"{check.text} passed: {described}; {per_seed}"


def _record(item: pytest.Item, check: Check, judgement: _stats.Judgement, values: List[float],
            seeds: Sequence[int]) -> None:
    prefix = f"seedgate {check.text}"
    item.user_properties.append((f"{prefix} mean", judgement.mean))
    item.user_properties.append((f"{prefix} std", judgement.std))
    if judgement.lower is not None:
        item.user_properties.append((f"{prefix} lower", judgement.lower))
        item.user_properties.append((f"{prefix} upper", judgement.upper))
        item.user_properties.append((f"{prefix} confidence", judgement.confidence))
    item.user_properties.append((f"{prefix} per seed", _per_seed(seeds, values)))
    item.user_properties.append((f"{prefix} verdict", judgement.verdict))


def _generator_state() -> Dict[str, Any]:
    """What a marked test changes in the process: the global generators and torch's determinism switches."""
    state: Dict[str, Any] = {"random": random.getstate()}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        state["numpy"] = numpy.random.get_state()
    torch = sys.modules.get("torch")
    if torch is not None:
        state["torch"] = torch.get_rng_state()
        state["torch switches"] = (torch.are_deterministic_algorithms_enabled(),
                                   torch.is_deterministic_algorithms_warn_only_enabled(),
                                   torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark,
                                   torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
        if torch.cuda.is_initialized():
            state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _restore(state: Dict[str, Any]) -> None:
    random.setstate(state["random"])
    if "numpy" in state:
        sys.modules["numpy"].random.set_state(state["numpy"])
    if "torch" in state:
        torch = sys.modules["torch"]
        torch.set_rng_state(state["torch"])
        deterministic, warn_only, cudnn_deterministic, benchmark, tf32_matmul, tf32_cudnn = state["torch switches"]
        torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn_deterministic, benchmark
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32_matmul, tf32_cudnn
        if "cuda" in state:
            torch.cuda.set_rng_state_all(state["cuda"])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    """Before a marked test's fixtures: the process's generator state is kept, and the first seed seeds them.

    So a fixture that draws (a dataset split, say) draws the same on every
    run of the suite, whatever ran before; the state is given back after the
    test (pytest_runtest_teardown), so tests that follow see what they would
    have seen without it.
    """
    stashed = _stashed(item)
    if stashed is not None:
        stashed[1].saved_state = _generator_state()
        _seed_generators(stashed[0].seeds[0])
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Any:
    yield
    stashed = _stashed(item)
    if stashed is not None and getattr(stashed[1], "saved_state", None) is not None:
        _restore(stashed[1].saved_state)
        stashed[1].saved_state = None


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Optional[bool]:
    """Runs a marked test once per seed under that seed's settings, then judges its checks."""
    stashed = _stashed(pyfuncitem)
    if stashed is None:
        return None
    spec, run = stashed
    run.failed = None
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        pytest.fail(f"@pytest.mark.{MARKER} on {pyfuncitem.nodeid}: the test is a coroutine function; the plugin "
                    f"runs plain functions only", pytrace=False)
    funcargs = pyfuncitem.funcargs
    arguments = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    pyfuncitem.user_properties.append(("seedgate seeds", describe_seeds(spec.seeds)))
    pyfuncitem.user_properties.append(("seedgate mode", "deterministic" if spec.deterministic else "default"))
    for seed in spec.seeds:
        run.metrics[seed] = _call_seed(pyfuncitem, run, spec, seed, arguments)

    problems = []
    for check in spec.checks:
        missing = [s for s in spec.seeds if check.metric not in run.metrics[s]]
        for s in missing:
            reported = ", ".join(sorted(run.metrics[s])) or "nothing"
            problems.append(f"{check.text}: seed {s} did not report {check.metric} (it reported: {reported})")
        bad = [s for s in spec.seeds if s not in missing and not math.isfinite(run.metrics[s][check.metric])]
        if bad:
            problems.append(f"{check.text}: non-finite {check.metric} at seed{'s' if len(bad) > 1 else ''} "
                            + ", ".join(f"{s} ({run.metrics[s][check.metric]})" for s in bad))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)

    failed, inconclusive = [], []
    for check in spec.checks:
        values = [run.metrics[s][check.metric] for s in spec.seeds]
        judgement, message = judge(check, spec, values)
        _record(pyfuncitem, check, judgement, values, spec.seeds)
        if judgement.verdict == "fail":
            failed.append(message)
        elif judgement.verdict == "inconclusive":
            inconclusive.append(message)
    if failed or (inconclusive and not spec.skip_inconclusive):
        pytest.fail("\n".join(failed + inconclusive), pytrace=False)
    if inconclusive:
        _skip_at_item("\n".join(inconclusive))
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    """A seed's exception: the report's message and a section of its own name the seed."""
    outcome = yield
    stashed = _stashed(item)
    if call.when != "call" or stashed is None or stashed[1].failed is None:
        return
    report = outcome.get_result()
    if not report.failed:
        return
    seed, said = stashed[1].failed
    longrepr = report.longrepr
    error = call.excinfo.value if call.excinfo is not None else None
    detail = f"{said}: {error}" if error is not None else said
    if hasattr(longrepr, "addsection") and error is not None and not hasattr(error, "add_note"):
        longrepr.addsection("seedgate", detail)
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and not crash.message.startswith(f"seed {seed} "):
        try:
            crash.message = f"seed {seed}: {crash.message}"
        except AttributeError:  # a frozen location in some pytest
            pass


def _skip_at_item(message: str) -> None:
    """Skips, reported at the test's own location rather than the plugin's."""
    try:
        raise pytest.skip.Exception(message, _use_item_location=True)
    except TypeError:  # a pytest without the keyword
        pytest.skip(message)
