"""seedgate._stats: the Student-t quantile, mean/std, the mean's bounds, and how often the verdicts mislead."""
import math
import random
import statistics

import pytest

from seedgate import _stats

# Upper-tail critical values, NIST/SEMATECH e-Handbook of Statistical Methods,
# section 1.3.6.7.2 "Critical Values of the Student's t Distribution" (three
# decimals): {df: {p: t_{p,df}}}. Left out: df 1 at 0.999, printed there as 318.313, where the
# quantile is 1 / tan(pi / 1000) = 318.3088 (the closed-form test covers df 1).
NIST = {
    1: {0.90: 3.078, 0.95: 6.314, 0.975: 12.706, 0.99: 31.821, 0.995: 63.657},
    2: {0.90: 1.886, 0.95: 2.920, 0.975: 4.303, 0.99: 6.965, 0.995: 9.925, 0.999: 22.327},
    4: {0.90: 1.533, 0.95: 2.132, 0.975: 2.776, 0.99: 3.747, 0.995: 4.604, 0.999: 7.173},
    10: {0.90: 1.372, 0.95: 1.812, 0.975: 2.228, 0.99: 2.764, 0.995: 3.169, 0.999: 4.144},
    30: {0.90: 1.310, 0.95: 1.697, 0.975: 2.042, 0.99: 2.457, 0.995: 2.750, 0.999: 3.385},
    100: {0.90: 1.290, 0.95: 1.660, 0.975: 1.984, 0.99: 2.364, 0.995: 2.626, 0.999: 3.174},
}

# The same quantiles as four-decimal tables print them.
FOUR_DECIMALS = [(0.975, 1, 12.7062), (0.95, 4, 2.1318), (0.975, 10, 2.2281), (0.995, 30, 2.7500)]

GRID_P = [0.51, 0.55, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9995, 0.9999]


@pytest.mark.parametrize("df", sorted(NIST))
def test_quantile_matches_the_nist_table(df):
    for p, expected in NIST[df].items():
        assert _stats.student_t_quantile(p, df) == pytest.approx(expected, abs=5e-4), (p, df)


@pytest.mark.parametrize("p, df, expected", FOUR_DECIMALS)
def test_quantile_matches_four_decimal_tables(p, df, expected):
    assert _stats.student_t_quantile(p, df) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize("p", GRID_P)
def test_quantile_matches_closed_forms(p):
    # df = 1 (Cauchy): cot(pi (1 - p)); df = 2: (2p - 1) / sqrt(2 p (1 - p)); df = 4: with
    # a = 4 p (1 - p), q = cos(arccos(sqrt(a)) / 3) / sqrt(a), t = 2 sqrt(q - 1) (Hill 1970, via
    # the quantile function's closed forms for small degrees of freedom).
    assert _stats.student_t_quantile(p, 1) == pytest.approx(1 / math.tan(math.pi * (1 - p)), rel=1e-12)
    assert _stats.student_t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-12)
    a = 4 * p * (1 - p)
    q = math.cos(math.acos(math.sqrt(a)) / 3) / math.sqrt(a)
    assert _stats.student_t_quantile(p, 4) == pytest.approx(2 * math.sqrt(q - 1), rel=1e-12)


def test_quantile_is_antisymmetric_and_inverts_the_cdf():
    assert _stats.student_t_quantile(0.5, 7) == 0.0
    for df in (1, 3, 29.5, 200):
        for p in GRID_P:
            t = _stats.student_t_quantile(p, df)
            assert _stats.student_t_quantile(1 - p, df) == pytest.approx(-t, rel=1e-12)
            assert _stats.student_t_cdf(t, df) == pytest.approx(p, rel=1e-13)
    with pytest.raises(ValueError):
        _stats.student_t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        _stats.student_t_quantile(0.9, 0)


def test_incomplete_beta_closed_forms():
    for x in (1e-6, 0.1, 0.37, 0.5, 0.9, 0.999999):
        assert _stats.incomplete_beta(3.5, 1, x) == pytest.approx(x ** 3.5, rel=1e-13)
        assert _stats.incomplete_beta(1, 2.5, x) == pytest.approx(1 - (1 - x) ** 2.5, rel=1e-12)
        assert _stats.incomplete_beta(0.5, 0.5, x) == pytest.approx(2 / math.pi * math.asin(math.sqrt(x)), rel=1e-12)
        assert _stats.incomplete_beta(7, 0.5, x) == pytest.approx(1 - _stats.incomplete_beta(0.5, 7, 1 - x), rel=1e-12)
    assert _stats.incomplete_beta(2, 3, 0.0) == 0.0
    assert _stats.incomplete_beta(2, 3, 1.0) == 1.0


def test_quantile_matches_scipy_over_a_grid():
    scipy_stats = pytest.importorskip("scipy.stats", reason="scipy is missing (apt install python3-scipy)")
    scipy_special = pytest.importorskip("scipy.special")
    worst_ppf = worst_beta = 0.0
    for df in range(1, 201):
        for p in GRID_P:
            ours = _stats.student_t_quantile(p, df)
            ppf = scipy_stats.t.ppf(p, df)
            # The same quantile through scipy's inverse incomplete beta: x = I^-1(df/2, 1/2; 2(1-p)).
            x = scipy_special.betaincinv(df / 2, 0.5, 2 * (1 - p))
            by_beta = math.sqrt(df * (1 / x - 1))
            worst_ppf = max(worst_ppf, abs(ours - ppf) / ppf)
            worst_beta = max(worst_beta, abs(ours - by_beta) / by_beta)
    print(f"\nt quantile vs scipy over df 1..200: t.ppf worst relative {worst_ppf:.2e}, betaincinv {worst_beta:.2e}")
    # scipy 1.10's t.ppf (cdflib's stdtrit) is itself off by up to ~5e-9: at p = 0.7, df = 25 it gives
    # 0.53115379213 where 40-digit mpmath gives 0.53115378958 (see the mpmath test), so 1e-8 there.
    assert worst_ppf < 1e-8
    assert worst_beta < 1e-9


def test_quantile_matches_high_precision_mpmath():
    mpmath = pytest.importorskip("mpmath", reason="mpmath is missing (apt install python3-mpmath)")
    mpmath.mp.dps = 40
    worst = 0.0
    for df in (1, 2, 3, 5, 8, 13, 25, 50, 99, 200):
        for p in GRID_P:
            tail = 1 - mpmath.mpf(p)
            reference = mpmath.findroot(
                lambda t: mpmath.betainc(mpmath.mpf(df) / 2, 0.5, 0, df / (df + t * t), regularized=True) / 2 - tail,
                mpmath.mpf(_stats.student_t_quantile(p, df)))
            worst = max(worst, abs(_stats.student_t_quantile(p, df) - float(reference)) / float(reference))
    print(f"\nt quantile vs 40-digit mpmath: worst relative {worst:.2e}")
    assert worst < 1e-12


def test_mean_and_std_match_the_statistics_module():
    rng = random.Random(7)
    for n in (1, 2, 5, 40):
        values = [0.9 + rng.gauss(0, 0.01) for _ in range(n)]
        assert _stats.mean(values) == pytest.approx(statistics.fmean(values), rel=1e-15)
        expected_std = statistics.stdev(values) if n > 1 else 0.0
        assert _stats.std(values) == pytest.approx(expected_std, rel=1e-12, abs=1e-300)
    with pytest.raises(ValueError):
        _stats.mean([])


def test_judge_mean_by_hand():
    values = [0.86, 0.88, 0.87, 0.85, 0.89]
    # mean 0.87, deviations -0.01, 0.01, 0, -0.02, 0.02: s = sqrt(0.001 / 4); t_{0.95,4} = 2.1318 (table).
    half = 2.1318 * math.sqrt(0.001 / 4) / math.sqrt(5)
    judged = _stats.judge_mean(values, True, 0.9, 0.95)
    assert judged.verdict == "fail"
    assert judged.mean == pytest.approx(0.87, abs=1e-12)
    assert judged.lower == pytest.approx(0.87 - half, abs=1e-5)
    assert judged.upper == pytest.approx(0.87 + half, abs=1e-5)
    assert _stats.judge_mean(values, True, 0.85, 0.95).verdict == "pass"  # lower 0.8549 >= 0.85
    assert _stats.judge_mean(values, True, 0.88, 0.95).verdict == "inconclusive"  # 0.855 < 0.88 <= 0.885
    assert _stats.judge_mean(values, False, 0.89, 0.95).verdict == "pass"  # upper 0.8851 <= 0.89
    assert _stats.judge_mean(values, False, 0.85, 0.95).verdict == "fail"  # lower 0.8549 > 0.85
    assert _stats.judge_mean(values, False, 0.87, 0.95).verdict == "inconclusive"
    point = _stats.judge_mean(values, True, 0.8699, None)
    assert (point.verdict, point.lower, point.upper) == ("pass", None, None)
    assert _stats.judge_mean(values, True, 0.8701, None).verdict == "fail"
    assert _stats.judge_mean(values, False, 0.8701, None).verdict == "pass"
    with pytest.raises(ValueError):
        _stats.judge_mean([0.9], True, 0.9, 0.95)
    with pytest.raises(ValueError):
        _stats.judge_mean(values, True, 0.9, 0.5)


def test_resolution_widens_the_bounds_as_seedgate_does():
    # Every seed at 0.9 on a 0.02 step: the t interval is a point; the correction makes it
    # [0.9 - 0.01, 0.9 + 0.01] (half a step), so a bound of 0.9 is inconclusive, not a pass.
    tied = [0.9] * 5
    assert _stats.judge_mean(tied, True, 0.9, 0.95).verdict == "pass"
    judged = _stats.judge_mean(tied, True, 0.9, 0.95, resolution=0.02)
    assert judged.verdict == "inconclusive"
    assert (judged.lower, judged.upper) == (pytest.approx(0.89), pytest.approx(0.91))


# ---------------------------------------------------------------------------
# How often the verdicts mislead: 4,000 seeded simulated gates per cell.

BOUND, SD, STEP, DRAWS, CONFIDENCE = 0.9, 0.01, 1 / 50, 4000, 0.95
MC_SE = math.sqrt(0.05 * 0.95 / DRAWS)  # the Monte Carlo standard error of a 5% rate
_LOGNORMAL_MEAN = math.exp(0.125)  # lognormal(0, 0.5): skewness 1.75
_LOGNORMAL_SD = math.sqrt((math.exp(0.25) - 1) * math.exp(0.25))
_BETA_SD = math.sqrt(18 * 2 / (20 ** 2 * 21))  # Beta(18, 2): mean 0.9, skewness -1.11


def _normal(rng, centre):
    return rng.gauss(centre, SD)


def _coarse(rng, centre):
    # Accuracy on 50 test examples, correct / 50 as a program computes it: a latent normal (sd one
    # step) rounded to 1/50.
    return round(rng.gauss(centre, STEP) / STEP) / round(1 / STEP)


def _lognormal(rng, centre):
    # A long tail of bad seeds: the mirrored lognormal, mean `centre`, sd SD, skewness -1.75.
    return centre - SD * (rng.lognormvariate(0, 0.5) - _LOGNORMAL_MEAN) / _LOGNORMAL_SD


def _beta(rng, centre):
    # Accuracy skewed toward 1: Beta(18, 2) (mean 0.9), shifted to mean `centre`.
    return centre - 0.9 + rng.betavariate(18, 2)


# name, draw, the metric's sd (the "one std better" shift), resolution the judge is told (None:
# inferred from the values' decimals, the marker's default).
CASES = [
    ("normal", _normal, SD, 0.0),
    ("coarse 1/50, resolution=0", _coarse, STEP, 0.0),
    ("coarse 1/50, resolution auto", _coarse, STEP, None),
    ("coarse 1/50, resolution=0.02", _coarse, STEP, STEP),
    ("skewed lognormal", _lognormal, SD, 0.0),
    ("skewed beta(18,2)", _beta, _BETA_SD, 0.0),
]


def _judge(values, resolution):
    if resolution is None:
        resolution = _stats.inferred_resolution(values)
    return _stats.judge_mean(values, True, BOUND, CONFIDENCE, resolution).verdict


def _rates(draw, sd, resolution, n, seed):
    rng = random.Random(seed)
    false_pass = 0
    for _ in range(DRAWS):
        values = [draw(rng, BOUND) for _ in range(n)]
        false_pass += _judge(values, resolution) == "pass"
    false_fail = inconclusive = 0
    for _ in range(DRAWS):
        verdict = _judge([draw(rng, BOUND + sd) for _ in range(n)], resolution)
        false_fail += verdict == "fail"
        inconclusive += verdict == "inconclusive"
    return false_pass / DRAWS, false_fail / DRAWS, inconclusive / DRAWS


def test_simulated_error_rates_at_95_percent():
    measured = {}
    print(f"\nmean >= bound at confidence {CONFIDENCE}, {DRAWS} simulated gates per cell "
          f"(false pass: truth on the bound; false fail / inconclusive: truth one sd better)")
    for index, (name, draw, sd, resolution) in enumerate(CASES):
        for n in (3, 5, 10):
            rates = _rates(draw, sd, resolution, n, seed=1000 * index + n)
            measured[name, n] = rates
            print(f"  {name:30s} n={n:2d}: false pass {rates[0]:6.2%}  false fail {rates[1]:6.2%}  "
                  f"inconclusive {rates[2]:6.2%}")
    for n in (3, 5, 10):
        # Normal metrics: the t bound is exact, so the false-pass rate is 5% up to Monte Carlo noise.
        assert abs(measured["normal", n][0] - 0.05) <= 3 * MC_SE, measured["normal", n]
        # The corrected bound on a coarse metric holds the rate.
        assert measured["coarse 1/50, resolution=0.02", n][0] <= 0.05 + 3 * MC_SE
        assert measured["coarse 1/50, resolution auto", n][0] <= 0.05 + 3 * MC_SE  # the marker's default
        # Skewed metrics with a long tail of bad seeds pass on the bound about twice as often as 5%.
        for skewed in ("skewed lognormal", "skewed beta(18,2)"):
            assert 0.05 + 3 * MC_SE < measured[skewed, n][0] < 0.2, (skewed, n, measured[skewed, n])
        for name, _, _, _ in CASES:
            assert measured[name, n][1] <= 0.01, (name, n, measured[name, n])  # one sd better: rarely fails
    # Uncorrected, a coarse metric passes on the bound more than 5% with few seeds: seeds that all
    # round to the bound have no spread, and their lower bound sits on it.
    assert measured["coarse 1/50, resolution=0", 3][0] > 0.05 + 3 * MC_SE
    assert all(measured["coarse 1/50, resolution=0", n][0] < 0.1 for n in (3, 5, 10))


@pytest.mark.parametrize("values, step", [
    ([0.91, 0.9, 0.925], 0.001),  # checks/intervals.hpp's own example
    ([47 / 50, 48 / 50], 0.01),
    ([100.0, 200.0], 1.0),
    ([1e-05], 1e-05),
    ([0.1 + 0.2], 0.0),  # 0.30000000000000004: more than 9 decimals, a continuous metric
    ([0.5, float("nan")], 0.0),
    ([], 0.0),
])
def test_the_resolution_is_inferred_from_decimals_as_seedgate_infers_it(values, step):
    assert _stats.inferred_resolution(values) == step
