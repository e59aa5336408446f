"""seedgate.pytest_plugin: @pytest.mark.seedgate runs a test once per seed and gates the mean over seeds."""
import importlib
import importlib.util
import math
import os
import re
import statistics
import sys
import xml.etree.ElementTree as ElementTree

import pytest

import seedgate

# pytester's in-process runs restore sys.modules afterwards: frameworks that
# seedgate.seed() imports must already be loaded, or each run would import
# them afresh.
for _module in ("numpy", "torch"):
    if importlib.util.find_spec(_module) is not None:
        importlib.import_module(_module)


def _installed() -> bool:
    try:
        from importlib.metadata import entry_points
    except ImportError:  # Python 3.7
        return False
    found = entry_points()
    group = found.select(group="pytest11") if hasattr(found, "select") else found.get("pytest11", [])
    return any(entry.value == "seedgate.pytest_plugin" for entry in group)


# The package beside these tests is not installed: load the plugin by name.
PLUGIN = [] if _installed() else ["-p", "seedgate.pytest_plugin"]
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(seedgate.__file__)))

# A fake training run: accuracy near `centre`, differing by seed.
TRAIN = '''
import random


def train(seed, centre):
    rng = random.Random(seed)
    return round(centre + rng.uniform(-0.015, 0.015), 4)
'''
_namespace: dict = {}
exec(TRAIN, _namespace)
train = _namespace["train"]


def run(pytester, source, *args):
    pytester.makepyfile(train_lib=TRAIN)
    pytester.makepyfile(source)
    return pytester.runpytest(*PLUGIN, "-p", "no:cacheprovider", "-rsfE", *args)


def numbers_after(text, label):
    match = re.search(re.escape(label) + r"\s*\[?(-?[0-9.e+-]+)", text)
    assert match, f"{label!r} not in {text!r}"
    return float(match.group(1))


def test_marker_is_registered(pytester):
    result = pytester.runpytest(*PLUGIN, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.seedgate(seeds=5, check=*"])


def test_a_good_model_passes(pytester):
    result = run(pytester, """
        import pytest, seedgate
        from train_lib import train

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9")
        def test_model():
            seedgate.log(accuracy=train(seedgate.settings().seed, 0.95))
    """)
    result.assert_outcomes(passed=1)


def test_a_bad_model_fails_with_mean_bounds_and_each_seed(pytester):
    result = run(pytester, """
        import pytest, seedgate
        from train_lib import train

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9", confidence=0.95)
        def test_model():
            seedgate.log(accuracy=train(seedgate.settings().seed, 0.87))
    """)
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    values = [train(seed, 0.87) for seed in range(5)]
    mean, std = statistics.mean(values), statistics.stdev(values)
    # t_{0.95,4} from the NIST table (see test_stats), plus the continuity correction for values
    # written to 4 decimals (the inferred resolution 1e-4, over 2n).
    half = 2.1318 * std / math.sqrt(5) + 1e-4 / 10
    assert "accuracy >= 0.9 failed: mean " in output
    assert numbers_after(output, "failed: mean") == pytest.approx(mean, rel=1e-5)
    assert numbers_after(output, "±") == pytest.approx(std, rel=1e-5)
    assert "(std) over 5 seeds (0..4), 95% one-sided bounds [" in output
    assert numbers_after(output, "one-sided bounds") == pytest.approx(mean - half, abs=1e-4 * std)
    upper = float(re.search(r"one-sided bounds \[[^,]+, ([^\]]+)\] below 0.9", output).group(1))
    assert upper == pytest.approx(mean + half, abs=1e-4 * std)
    assert "per seed: " + ", ".join(f"{seed}: {value:g}" for seed, value in enumerate(values)) in output


def test_at_most_fails_above_the_bound(pytester):
    result = run(pytester, """
        import pytest

        @pytest.mark.seedgate(seeds=[10, 20, 30], check="loss <= 0.1")
        def test_model(seedgate_run):
            return {"loss": 0.2 + seedgate_run.seed / 1000}
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*loss <= 0.1 failed: mean 0.22 ± 0.01 (std) over 3 seeds (10, 20, 30), 95% one-sided"
                                 " bounds [[]*, *[]] above 0.1; per seed: 10: 0.21, 20: 0.22, 30: 0.23*"])


INCONCLUSIVE = """
    import pytest

    # mean 0.9067, bounds about [0.864, 0.949]: straddles 0.9.
    @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.9", inconclusive={how!r})
    def test_model(seedgate_run):
        return {{"accuracy": [0.88, 0.93, 0.91][seedgate_run.seed]}}
"""


def test_inconclusive_fails_by_default(pytester):
    result = run(pytester, INCONCLUSIVE.format(how="fail"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*accuracy >= 0.9 inconclusive: mean 0.906667 * straddle 0.9: more seeds would tell*"])


def test_inconclusive_can_skip(pytester):
    result = run(pytester, INCONCLUSIVE.format(how="skip"))
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*accuracy >= 0.9 inconclusive*more seeds would tell*"])


def test_point_estimate_without_confidence(pytester):
    result = run(pytester, """
        import pytest

        @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.9", confidence=None)
        def test_passes(seedgate_run):
            return {"accuracy": [0.88, 0.93, 0.91][seedgate_run.seed]}

        @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.91", confidence=None)
        def test_fails(seedgate_run):
            return {"accuracy": [0.88, 0.93, 0.91][seedgate_run.seed]}
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*accuracy >= 0.91 failed: mean 0.906667 * below 0.91 (the mean itself*"])


def test_logged_and_returned_metrics_merge_and_the_returned_dict_wins(pytester):
    result = run(pytester, """
        import pytest, seedgate

        @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.9", confidence=None)
        def test_last_logged_value_counts():
            seedgate.log(accuracy=0.5)
            seedgate.log(step=7, accuracy=0.95)

        @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.9", confidence=None)
        def test_returned_dict_wins():
            seedgate.log(accuracy=0.5)
            return {"accuracy": 0.95}

        @pytest.mark.seedgate(seeds=3, check=["accuracy >= 0.9", "loss <= 0.2"], confidence=None)
        def test_both_merge(seedgate_run):
            seedgate.log(accuracy=0.95)
            assert seedgate_run.recorder.metrics_by_name == {"accuracy": 0.95}
            return {"loss": 0.1}

        @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.9", confidence=None)
        def test_logged_low_value_fails():
            seedgate.log(accuracy=0.95)
            seedgate.log(accuracy=0.5)
    """)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*_ test_logged_low_value_fails _*", "accuracy >= 0.9 failed: mean 0.5 *"])


def test_an_exception_names_its_seed(pytester):
    result = run(pytester, """
        import pytest

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9")
        def test_model(seedgate_run):
            if seedgate_run.seed == 3:
                raise ValueError("diverged")
            return {"accuracy": 0.95}
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([">*raise ValueError(\"diverged\")", "E*ValueError: diverged"])
    if sys.version_info >= (3, 11):  # the seed as a note under the error
        result.stdout.fnmatch_lines(["E*ValueError: diverged", "E*seedgate: seed 3 (of 0..4)"])
    else:  # the seed in a section of the report
        result.stdout.fnmatch_lines(["*- seedgate -*", "seed 3 (of 0..4) raised ValueError: diverged"])
    result.stdout.fnmatch_lines(["FAILED *::test_model - seed 3: ValueError*"])
    assert "_call_seed" not in result.stdout.str()  # the plugin's frames stay out of the way


def test_a_missing_metric_names_the_seed_and_what_it_reported(pytester):
    result = run(pytester, """
        import pytest, seedgate

        @pytest.mark.seedgate(seeds=4, check="accuracy >= 0.9")
        def test_model(seedgate_run):
            seedgate.log(loss=0.3, f1=0.8)
            if seedgate_run.seed != 2:
                seedgate.log(accuracy=0.95)
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*accuracy >= 0.9: seed 2 did not report accuracy (it reported: f1, loss)*"])


def test_a_return_value_that_is_not_metrics_fails(pytester):
    result = run(pytester, """
        import pytest

        @pytest.mark.seedgate(seeds=2, check="accuracy >= 0.9")
        def test_number():
            return 0.95

        @pytest.mark.seedgate(seeds=2, check="accuracy >= 0.9")
        def test_text():
            return {"accuracy": "high"}
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["seed 0: the test returned float, not a dict of metrics (or None)"])
    result.stdout.fnmatch_lines(["seed 0: the returned dict: metric 'accuracy' is str, not a number"])


def test_a_nondeterministic_op_event_fails_its_seed(pytester):
    result = run(pytester, """
        import pytest, seedgate

        @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.9")
        def test_model(seedgate_run):
            if seedgate_run.seed == 1:
                seedgate.event("nondeterministic-op", "index_add_ does not have a deterministic implementation")
            return {"accuracy": 0.95}
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*seed 1: nondeterministic op: index_add_ does not have a deterministic*"])


@pytest.mark.parametrize("arguments, message", [
    ('check="accuracy > 0.9"', "check 'accuracy > 0.9' is not '<metric> >= <number>' or '<metric> <= <number>'"),
    ('check="accuracy >= high"', "check 'accuracy >= high' is not '<metric> >= <number>'*"),
    ('check=["accuracy >= 0.9", "loss =< 1"]', "check 'loss =< 1' is not*"),
    ('check="accuracy >= 0.9", confidence=0.5', "confidence=0.5 is not above 0.5 and below 1 (or None)"),
    ('seeds=1, check="accuracy >= 0.9"', "confidence=0.95 needs at least 2 seeds, got 1*"),
    ('seeds=[1, 1], check="accuracy >= 0.9"', "seeds repeats 1"),
    ('seeds=0, check="accuracy >= 0.9"', "seeds=0: needs at least one seed"),
    ('check="accuracy >= 0.9", mode="fast"', "mode='fast' is not \"deterministic\" or \"default\""),
    ('check="accuracy >= 0.9", inconclusive="pass"', "inconclusive='pass' is not \"fail\" or \"skip\""),
    ('check="accuracy >= 0.9", seed=3', "unknown argument seed (known: *"),
    ('seeds=3', "needs check='<metric> >= <number>'*"),
])
def test_a_bad_marker_is_a_usage_error(pytester, arguments, message):
    result = run(pytester, f"""
        import pytest

        @pytest.mark.seedgate({arguments})
        def test_model():
            raise AssertionError("must not run")
    """)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: @pytest.mark.seedgate on test_a_bad_marker_is_a_usage_error.py::test_model: "
                                 f"{message}"])
    assert "must not run" not in result.stdout.str() + result.stderr.str()


def test_the_fixture_follows_the_seed_and_settings(pytester):
    result = run(pytester, """
        import pytest, seedgate

        @pytest.mark.seedgate(seeds=[3, 1, 4], check="accuracy >= 0.9", mode="default")
        def test_model(seedgate_run):
            with open("seen.txt", "a") as seen:
                seen.write(f"{seedgate_run.seed} {seedgate_run.settings.seed} {seedgate.settings().seed} "
                           f"{seedgate_run.settings.deterministic} {seedgate.settings().mode} "
                           f"{seedgate.settings().under_seedgate} {seedgate.random_state()}\\n")
            return {"accuracy": 0.95}
    """)
    result.assert_outcomes(passed=1)
    seen = (pytester.path / "seen.txt").read_text().splitlines()
    assert seen == [f"{seed} {seed} {seed} False default True {seed}" for seed in (3, 1, 4)]


def test_each_call_starts_from_its_seed(pytester):
    result = run(pytester, """
        import random, pytest, seedgate

        @pytest.mark.seedgate(seeds=[0, 7, 123456789], check="accuracy >= 0.9")
        def test_model(seedgate_run):
            assert random.random() == random.Random(seedgate_run.seed).random()
            try:
                import numpy
            except ImportError:
                pass
            else:
                expected = numpy.random.RandomState(seedgate_run.seed).random_sample()
                assert numpy.random.random_sample() == expected
            random.random()  # the next seed must not see this draw
            return {"accuracy": 0.95}
    """)
    result.assert_outcomes(passed=1)


def test_nothing_is_overridden_outside_a_marked_test(pytester):
    result = run(pytester, """
        import pytest, seedgate
        from seedgate import _protocol
        from seedgate.pytest_plugin import Recorder

        def test_before(seedgate_run):
            assert seedgate.settings() == seedgate.settings_from_environment()
            assert not isinstance(_protocol.writer(), Recorder)
            assert seedgate_run.seeds == () and seedgate_run.seed == seedgate.settings().seed

        @pytest.mark.seedgate(seeds=2, check="accuracy >= 0.9")
        def test_marked():
            assert isinstance(_protocol.writer(), Recorder)
            assert seedgate.settings().under_seedgate
            return {"accuracy": 0.95}

        def test_after():
            assert seedgate.settings() == seedgate.settings_from_environment()
            assert not seedgate.settings().under_seedgate
            assert not isinstance(_protocol.writer(), Recorder)
    """)
    result.assert_outcomes(passed=3)


def test_junit_xml_carries_the_statistics(pytester, monkeypatch):
    # A fresh interpreter: the plugin loads by -p from PYTHONPATH, as it would in a project's CI.
    monkeypatch.setenv("PYTHONPATH", PACKAGE_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    pytester.makepyfile(train_lib=TRAIN)
    pytester.makepyfile("""
        import pytest, seedgate
        from train_lib import train

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9")
        def test_good():
            seedgate.log(accuracy=train(seedgate.settings().seed, 0.95))

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9")
        def test_bad():
            seedgate.log(accuracy=train(seedgate.settings().seed, 0.87))
    """)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "--junitxml=report.xml")
    result.assert_outcomes(passed=1, failed=1)
    tree = ElementTree.parse(str(pytester.path / "report.xml"))
    for name, centre, verdict in (("test_good", 0.95, "pass"), ("test_bad", 0.87, "fail")):
        case = tree.find(f".//testcase[@name='{name}']")
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        values = [train(seed, centre) for seed in range(5)]
        mean, std = statistics.mean(values), statistics.stdev(values)
        half = 2.1318 * std / math.sqrt(5) + 1e-4 / 10  # and the correction for 4 decimals
        assert properties["seedgate seeds"] == "0..4"
        assert properties["seedgate mode"] == "deterministic"
        assert float(properties["seedgate accuracy >= 0.9 mean"]) == pytest.approx(mean, rel=1e-12)
        assert float(properties["seedgate accuracy >= 0.9 std"]) == pytest.approx(std, rel=1e-12)
        assert float(properties["seedgate accuracy >= 0.9 lower"]) == pytest.approx(mean - half, abs=1e-4 * std)
        assert float(properties["seedgate accuracy >= 0.9 upper"]) == pytest.approx(mean + half, abs=1e-4 * std)
        assert float(properties["seedgate accuracy >= 0.9 confidence"]) == 0.95
        assert properties["seedgate accuracy >= 0.9 verdict"] == verdict


def test_a_real_scikit_learn_model(pytester):
    pytest.importorskip("sklearn", reason="scikit-learn is missing (apt install python3-sklearn)")
    result = run(pytester, """
        import pytest, seedgate
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.8")
        def test_iris_classifier(seedgate_run):
            x, y = load_iris(return_X_y=True)
            x_train, x_test, y_train, y_test = train_test_split(
                x, y, test_size=0.3, random_state=seedgate.random_state("split"), stratify=y)
            model = LogisticRegression(max_iter=500, random_state=seedgate.random_state())
            model.fit(x_train, y_train)
            seedgate.log(accuracy=model.score(x_test, y_test))
            with open("accuracies.txt", "a") as out:
                out.write(f"{seedgate_run.seed} {model.score(x_test, y_test)!r}\\n")
    """)
    result.assert_outcomes(passed=1)
    lines = (pytester.path / "accuracies.txt").read_text().split("\n")[:-1]
    seeds = [int(line.split()[0]) for line in lines]
    accuracies = [float(line.split()[1]) for line in lines]
    assert seeds == [0, 1, 2, 3, 4]
    assert len(set(accuracies)) > 1  # the split follows the seed
    assert statistics.mean(accuracies) >= 0.8


def test_fixtures_draw_from_the_first_seed_and_the_generators_are_given_back(pytester):
    result = run(pytester, """
        import random, pytest, seedgate

        DRAWN = []

        @pytest.fixture
        def split():
            return random.random()

        def test_before():
            random.seed(5)

        @pytest.mark.seedgate(seeds=[7, 8], check="accuracy >= 0.5", confidence=None)
        def test_model(split):
            DRAWN.append(split)
            random.random()
            return {"accuracy": 0.9}

        def test_after():
            assert DRAWN == [random.Random(7).random()] * 2  # the fixture drew from the first seed
            # test_model's seeding and draws are gone: the generator is where test_before left it.
            assert random.random() == random.Random(5).random()
    """)
    result.assert_outcomes(passed=3)


def test_a_unittest_method_with_the_marker_is_a_usage_error(pytester):
    pytester.makepyfile(test_case="""
        import unittest, pytest

        class Case(unittest.TestCase):
            @pytest.mark.seedgate(seeds=3, check="accuracy >= 0.99")
            def test_model(self):
                pass
    """)
    result = pytester.runpytest(*PLUGIN, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*the marker applies to plain pytest test functions*TestCaseFunction*"])


def test_seeds_that_all_score_1_need_the_metrics_step(pytester):
    # Inferred from "1.0", the step is 1: the bounds are [0.5, 1.5], which cannot tell. Told the
    # step (accuracy on 200 examples), 1.0 on every seed clears 0.9.
    result = run(pytester, """
        import pytest

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9")
        def test_inferred():
            return {"accuracy": 1.0}

        @pytest.mark.seedgate(seeds=5, check="accuracy >= 0.9", resolution=0.005)
        def test_told():
            return {"accuracy": 1.0}
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["accuracy >= 0.9 inconclusive: *every seed scored 1, and the step inferred from the "
                                 "values' decimals is 1, so the mean could be 0.5 either way; give resolution=*"])
