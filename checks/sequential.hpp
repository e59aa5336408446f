#pragma once
// Group-sequential looks for `inconclusive = "more-seeds"`. A sweep planned
// as { start, count, max } looks at count, 2*count, ... seeds up to max. A
// Lan–DeMets spending function says how much of the error rate alpha may be
// spent by each look, and the look's one-sided bound is set so that exactly
// that much is spent there: P(no earlier crossing, crossing at look k) equals
// the increment. These are the exact group-sequential boundaries of
// Armitage, McPherson & Rowe (1969), found by recursive numerical integration
// over the looks (Jennison & Turnbull 2000, ch. 19; as gsDesign and ld98 do).
//
// They assume the statistic at successive looks behaves like a z-statistic
// with independent increments (Brownian motion in the information fraction
// t = seeds / max seeds, so Cov(Z_j, Z_k) = sqrt(t_j / t_k)). Seedgate judges
// looks with t statistics and order statistics; at small seed counts the
// correlation between looks is then only approximately this, so the overall
// error rate is approximately, not exactly, alpha. `bonferroni` ignores the
// correlation altogether and tests each look at the increment it spent: at or
// below alpha whatever the correlation, at the price of power.
#include <cstddef>
#include <span>
#include <vector>

namespace seedgate::checks {

enum class Spending {
  pocock,          // alpha * ln(1 + (e - 1) t): spends evenly, stops early on clear cases
  obrien_fleming,  // 2 - 2 Phi(z_{1-alpha/2} / sqrt t): keeps almost everything for the last look
  bonferroni,      // Pocock-type spending, each look tested at its increment alone
};
// "pocock", "obrien-fleming", "bonferroni".
const char* to_string(Spending spending);

// Cumulative error spent by information fraction t in [0, 1]. `bonferroni`
// spends like `pocock`.
double spent_alpha(Spending spending, double alpha, double t);

// Seed counts at which to look: first, first + step, ... up to max (always
// ending at max). A single look when max <= first.
std::vector<std::size_t> planned_looks(std::size_t first, std::size_t step, std::size_t max);

// Upper z bounds c_1..c_K of a one-sided test at total error alpha (0 < alpha
// < 1) with looks at information fractions 0 < t_1 < ... < t_K = 1: look k
// rejects when Z_k >= c_k. A look that may spend nothing gets +infinity.
// Throws std::invalid_argument on other fractions or alpha.
std::vector<double> sequential_bounds(Spending spending, double alpha, std::span<const double> fractions);

// The nominal one-sided level 1 - Phi(c) look `index` (0-based) of `looks`
// tests at, with fractions looks[i] / looks.back(); alpha for a single look.
double look_alpha(Spending spending, double alpha, const std::vector<std::size_t>& looks, std::size_t index);

}  // namespace seedgate::checks
