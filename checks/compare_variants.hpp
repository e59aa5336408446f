#pragma once
// The compare kind's verdict on one pair of variants, apart from the judge so
// that its operating characteristics can be simulated.
#include <span>

#include "checks/check.hpp"
#include "checks/variants.hpp"

namespace seedgate::checks {

// One-sided lower confidence bound at `confidence` for the centre (the
// Hodges–Lehmann pseudo-median) of symmetric differences: the k-th smallest
// Walsh average (d_i + d_j) / 2, i <= j, with k from the exact null
// distribution of the signed-rank statistic W+ (normal approximation above 50
// differences). -infinity when there are too few differences for any bound at
// that confidence (at 0.95: fewer than 5).
double signed_rank_lower_bound(std::span<const double> differences, double confidence);

// Whether `expect` is non-inferior to `other` by `margin`, paired by seed. The
// interval's lower end is the lower of the paired t bound and the signed-rank
// bound; its upper end is the t bound. pass: the lower end is above -margin;
// fail: the upper end is below it; inconclusive otherwise.
struct CompareVerdict {
  PairedDifferences paired;
  double signed_rank_lower = 0;
  Interval interval;
  Verdict verdict = Verdict::inconclusive;
};
// Needs two seeds or more, margin >= 0, confidence in (0.5, 1) (as paired_differences).
CompareVerdict compare_verdict(std::span<const double> expect, std::span<const double> other, Goal goal, double margin,
                               double confidence);

}  // namespace seedgate::checks
