"""Student-t bounds of a mean over seeds, in pure Python (standard library only).

The quantile inverts the t distribution's CDF, which is a regularized
incomplete beta function evaluated by its continued fraction (modified
Lentz). ``judge_mean`` is the rule of seedgate's ``threshold`` check for
``mean_at_least`` / ``mean_at_most`` with ``confidence``: one-sided bounds at
confidence c; pass when the whole interval meets the bound, fail when none of
it does, inconclusive otherwise.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import Optional, Sequence

_EPSILON = 1e-16
_TINY = 1e-300
_MAX_TERMS = 10_000


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean (fsum, so a long run of close values loses nothing); ValueError when empty."""
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)


def std(values: Sequence[float]) -> float:
    """The sample standard deviation (n - 1 denominator); 0 for fewer than two values."""
    n = len(values)
    if n < 2:
        return 0.0
    centre = mean(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (n - 1))


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPSILON:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")


def incomplete_beta(a: float, b: float, x: float, y: Optional[float] = None) -> float:
    """The regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1.

    ``y`` is 1 - x where the caller has it more precisely than ``1 - x``.
    """
    if a <= 0 or b <= 0:
        raise ValueError(f"incomplete beta needs a, b > 0, got a={a}, b={b}")
    if y is None:
        y = 1.0 - x
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"incomplete beta needs 0 <= x <= 1, got {x}")
    if x == 0.0:
        return 0.0
    if y == 0.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, y) / b


def student_t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    t2 = t * t
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
    return tail if t >= 0 else 1.0 - tail


def student_t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    return 1.0 - student_t_upper_tail(t, df) if t >= 0 else student_t_upper_tail(-t, df)


def student_t_pdf(t: float, df: float) -> float:
    """The density of Student's t with ``df`` degrees of freedom at ``t``."""
    log_norm = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(t * t / df))


@functools.lru_cache(maxsize=4096)
def student_t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p for Student's t with ``df`` > 0 degrees of freedom, 0 < p < 1.

    Newton's method on the upper tail, kept inside a bracket by bisection,
    to a relative step of 1e-15 (the tail itself is good to about 1e-14).
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"t quantile needs 0 < p < 1, got {p}")
    if df <= 0 or math.isnan(df):
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    target = 1.0 - p  # the upper tail, below 0.5
    lo, hi = 0.0, 1.0
    while student_t_upper_tail(hi, df) > target:
        lo, hi = hi, hi * 2.0
        if hi > 1e300:
            raise ArithmeticError(f"t quantile out of range (p={p}, df={df})")
    t = 0.5 * (lo + hi)
    for _ in range(400):
        excess = student_t_upper_tail(t, df) - target  # > 0: t is too small
        if excess == 0.0:
            return t
        if excess > 0:
            lo = t
        else:
            hi = t
        density = student_t_pdf(t, df)
        step = excess / density if density > 0 else math.inf
        candidate = t + step
        if not lo < candidate < hi:
            candidate = 0.5 * (lo + hi)
        if abs(candidate - t) <= 1e-15 * abs(candidate) or hi - lo <= 1e-15 * hi:
            return candidate
        t = candidate
    return t


@dataclasses.dataclass(frozen=True)
class Judgement:
    """A mean judged against a bound: the verdict ("pass", "fail", "inconclusive") and what it rests on.

    ``lower`` and ``upper`` are the one-sided bounds at ``confidence`` (None
    when the point estimate was judged).
    """

    verdict: str
    mean: float
    std: float
    n: int
    lower: Optional[float] = None
    upper: Optional[float] = None
    confidence: Optional[float] = None


def inferred_resolution(values: Sequence[float]) -> float:
    """The decimal step the values are written to, as seedgate infers it (checks/intervals.cpp).

    From their shortest round-trip representations: 0.91, 0.9 and 0.925 give
    0.001. 0 when there are no values, one is not finite, or one needs more
    than 9 decimals (a continuous metric rather than a rounded one).
    """
    import decimal

    places = 0
    for value in values:
        if not math.isfinite(value):
            return 0.0
        exponent = decimal.Decimal(repr(float(value))).normalize().as_tuple().exponent
        places = max(places, -int(exponent))
    if not values or places > 9:
        return 0.0
    return 1 / 10.0 ** places


def mean_bounds(values: Sequence[float], confidence: float, resolution: float = 0.0) -> "tuple[float, float]":
    """One-sided Student-t bounds of the mean at ``confidence``: mean -/+ t_{c,n-1} s / sqrt(n).

    With ``resolution`` > 0 (a metric rounded to that step), seedgate's
    continuity correction: each end moves out by resolution / (2n), and at
    least half a step from the mean.
    """
    n = len(values)
    if n < 2:
        raise ValueError(f"bounds of a mean need at least 2 values, got {n}")
    if not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence must be above 0.5 and below 1, got {confidence}")
    centre, spread = mean(values), std(values)
    half = student_t_quantile(confidence, n - 1) * spread / math.sqrt(n)
    lower, upper = centre - half, centre + half
    if resolution > 0:
        correction = resolution / (2 * n)
        lower = min(lower - correction, centre - resolution / 2)
        upper = max(upper + correction, centre + resolution / 2)
    return lower, upper


def judge_mean(values: Sequence[float], at_least: bool, bound: float, confidence: Optional[float] = 0.95,
               resolution: float = 0.0) -> Judgement:
    """Judges the mean of ``values`` against ``bound`` (``>=`` when ``at_least``, else ``<=``).

    With ``confidence`` None the point estimate is judged (pass or fail).
    Otherwise, for ``>=``: pass when the lower bound is at least ``bound``,
    fail when the upper bound is below it, inconclusive otherwise; ``<=``
    mirrors it. Raises ValueError for fewer than 2 values with confidence.
    """
    n = len(values)
    centre, spread = mean(values), std(values)
    if confidence is None:
        ok = centre >= bound if at_least else centre <= bound
        return Judgement("pass" if ok else "fail", centre, spread, n)
    lower, upper = mean_bounds(values, confidence, resolution)
    if at_least:
        verdict = "pass" if lower >= bound else "fail" if upper < bound else "inconclusive"
    else:
        verdict = "pass" if upper <= bound else "fail" if lower > bound else "inconclusive"
    return Judgement(verdict, centre, spread, n, lower, upper, confidence)


def seeds_to_decide(values: Sequence[float], bound: float, confidence: float, limit: int = 10_000) -> Optional[int]:
    """How many seeds would decide an inconclusive mean if its mean and std held; None past ``limit``.

    The smallest n with t_{c,n-1} s / sqrt(n) below |mean - bound|.
    """
    distance, spread = abs(mean(values) - bound), std(values)
    if distance == 0.0:
        return None
    n = max(2, len(values))
    while n <= limit:
        if student_t_quantile(confidence, n - 1) * spread / math.sqrt(n) < distance:
            return n
        n = n + 1 if n < 100 else int(n * 1.1)
    return None
