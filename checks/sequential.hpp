#pragma once
// Group-sequential looks for `inconclusive = "more-seeds"`. A sweep planned
// as { start, count, max } looks at count, 2*count, ... seeds up to max. Each
// look spends part of the error rate alpha by a Lan–DeMets spending function
// and tests at the increment it spent (a Bonferroni split over looks), so the
// chance of a wrong decision over all looks stays at or below alpha whatever
// the correlation between looks; ignoring that correlation only makes it
// conservative.
#include <cstddef>
#include <vector>

namespace seedgate::checks {

enum class Spending {
  pocock,          // alpha * ln(1 + (e - 1) t): spends evenly, stops early on clear cases
  obrien_fleming,  // 2 - 2 Phi(z_{1-alpha/2} / sqrt t): keeps almost everything for the last look
};
const char* to_string(Spending spending);

// Cumulative error spent by information fraction t in [0, 1].
double spent_alpha(Spending spending, double alpha, double t);

// Seed counts at which to look: first, first + step, ... up to max (always
// ending at max). A single look when max <= first.
std::vector<std::size_t> planned_looks(std::size_t first, std::size_t step, std::size_t max);

// The error rate look `index` (0-based) of `looks` may spend.
double look_alpha(Spending spending, double alpha, const std::vector<std::size_t>& looks, std::size_t index);

}  // namespace seedgate::checks
