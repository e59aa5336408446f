#include "checks/sequential.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace seedgate::checks {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

double normal_density(double z) {
  return std::exp(-z * z / 2) * std::numbers::inv_sqrtpi / std::numbers::sqrt2;
}

// erfc keeps its relative accuracy far into the tail, where early O'Brien–Fleming looks live.
double upper_tail(double z) {
  return std::erfc(z / std::numbers::sqrt2) / 2;
}

// The z with upper_tail(z) = p; a look that may spend nothing can never reject.
double upper_quantile(double p) {
  if (p <= 0) return kInfinity;
  return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<double>(), p));
}

double increment(Spending spending, double alpha, std::span<const double> t, std::size_t k) {
  return spent_alpha(spending, alpha, t[k]) - (k == 0 ? 0.0 : spent_alpha(spending, alpha, t[k - 1]));
}

// A quadrature node: Simpson weight times the sub-density of Z at z, so that
// sums over nodes are integrals over the region where no look has crossed.
struct Node {
  double z = 0, mass = 0;
};

// How Z moves between looks at t_before and t_now (canonical joint
// distribution): Z_now sqrt(t_now) = Z_before sqrt(t_before) + N(0, t_now - t_before).
struct Step {
  Step(double t_before, double t_now)
      : from(std::sqrt(t_before)), to(std::sqrt(t_now)), spread(std::sqrt(t_now - t_before)) {}
  // The standard score of the increment that takes Z from `before` to `now`.
  double score(double before, double now) const { return (now * to - before * from) / spread; }
  double from, to, spread;
};

// Jennison & Turnbull's (2000, §19.2) grid for a standard normal density:
// spacing 3 / (2r) on [-3, 3], thinning out logarithmically to ±(3 + 4 ln r).
double grid_point(int r, int i) {
  if (i < r) return -3 - 4 * std::log(static_cast<double>(r) / i);
  if (i <= 5 * r) return -3 + 3.0 * (i - r) / (2 * r);
  return 3 + 4 * std::log(static_cast<double>(r) / (6 * r - i));
}

// Grid density: gsDesign's default r = 18, finer when the next look comes so
// soon that the step's spread, in this look's z units, is under two grid
// spacings 3 / (2r): Simpson's rule needs the transition density resolved.
int grid_density(double t_now, double t_next) {
  double spread = std::sqrt((t_next - t_now) / t_now);
  return std::max(18, static_cast<int>(std::ceil(3 / spread)));
}

// Simpson's rule on (-inf, upper] for a sub-density f: the grid points below
// `upper`, `upper` itself, and each panel's midpoint.
template <class Density>
std::vector<Node> on_grid(int r, double upper, Density f) {
  std::vector<double> x;
  for (int i = 1; i < 6 * r && grid_point(r, i) < upper; ++i) x.push_back(grid_point(r, i));
  if (std::isfinite(upper)) x.push_back(upper);
  std::vector<Node> nodes(2 * x.size() - 1);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    double width = x[i + 1] - x[i];
    nodes[2 * i].z = x[i];
    nodes[2 * i].mass += width / 6;
    nodes[2 * i + 1] = {(x[i] + x[i + 1]) / 2, 4 * width / 6};
    nodes[2 * i + 2].mass += width / 6;
  }
  nodes.back().z = x.back();
  for (Node& node : nodes) node.mass *= f(node.z);
  return nodes;
}

// Sub-density of Z at this look at z, over paths that crossed at no earlier
// look. Increments beyond kNegligible spreads weigh under 1e-21 of the near
// ones; skipping them saves most of the work when looks come close together.
double carried_density(const std::vector<Node>& alive, const Step& step, double z) {
  constexpr double kNegligible = 10;
  const double now = z * step.to / step.spread, scale = step.from / step.spread;
  double sum = 0;
  for (const Node& node : alive) {
    double d = now - node.z * scale;
    if (std::abs(d) < kNegligible) sum += node.mass * normal_density(d);
  }
  return sum * step.to / step.spread;
}

// P(no earlier crossing, Z >= c at this look).
double crossing(const std::vector<Node>& alive, const Step& step, double c) {
  double sum = 0;
  for (const Node& node : alive) sum += node.mass * upper_tail(step.score(node.z, c));
  return sum;
}

double solve_bound(const std::vector<Node>& alive, const Step& step, double target) {
  if (target <= 0) return kInfinity;
  auto excess = [&](double c) { return crossing(alive, step, c) - target; };
  // The crossing probability is at most the marginal tail, so the bound lies
  // at or below upper_quantile(target); widen for quadrature error. Far
  // below, every path still running crosses, which is more than the target.
  double hi = upper_quantile(target);
  while (excess(hi) > 0) hi += 1;
  double lo = hi - 1;
  while (lo > -40 && excess(lo) < 0) lo -= 1;
  std::uintmax_t iterations = 200;
  auto [a, b] =
      boost::math::tools::toms748_solve(excess, lo, hi, boost::math::tools::eps_tolerance<double>(45), iterations);
  return (a + b) / 2;
}

std::vector<double> exact_bounds(Spending spending, double alpha, std::span<const double> t) {
  std::vector<double> bounds{upper_quantile(increment(spending, alpha, t, 0))};
  if (t.size() == 1) return bounds;
  std::vector<Node> alive = on_grid(grid_density(t[0], t[1]), bounds[0], normal_density);
  for (std::size_t k = 1; k < t.size(); ++k) {
    Step step(t[k - 1], t[k]);
    bounds.push_back(solve_bound(alive, step, increment(spending, alpha, t, k)));
    if (k + 1 == t.size()) break;
    alive = on_grid(grid_density(t[k], t[k + 1]), bounds[k], [&](double z) { return carried_density(alive, step, z); });
  }
  return bounds;
}

// Each look alone at the increment it spent: at or below alpha whatever the
// correlation between looks.
std::vector<double> bonferroni_bounds(Spending spending, double alpha, std::span<const double> t) {
  std::vector<double> bounds;
  for (std::size_t k = 0; k < t.size(); ++k) bounds.push_back(upper_quantile(increment(spending, alpha, t, k)));
  return bounds;
}

void check_arguments(double alpha, std::span<const double> t) {
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("sequential bounds need 0 < alpha < 1");
  if (t.empty() || !(t.front() > 0) || t.back() != 1.0)
    throw std::invalid_argument("sequential bounds need information fractions in (0, 1], the last at 1");
  for (std::size_t k = 1; k < t.size(); ++k)
    if (!(t[k] > t[k - 1])) throw std::invalid_argument("sequential bounds need increasing information fractions");
}

}  // namespace

const char* to_string(Spending spending) {
  switch (spending) {
    case Spending::pocock:
      return "pocock";
    case Spending::obrien_fleming:
      return "obrien-fleming";
    case Spending::bonferroni:
      return "bonferroni";
  }
  return "unknown";
}

double spent_alpha(Spending spending, double alpha, double t) {
  t = std::clamp(t, 0.0, 1.0);
  if (t <= 0) return 0;
  if (spending != Spending::obrien_fleming) return alpha * std::log(1 + (std::numbers::e - 1) * t);
  return 2 * upper_tail(upper_quantile(alpha / 2) / std::sqrt(t));
}

std::vector<std::size_t> planned_looks(std::size_t first, std::size_t step, std::size_t max) {
  std::vector<std::size_t> looks{first};
  if (step == 0) return looks;
  while (looks.back() < max) looks.push_back(std::min(max, looks.back() + step));
  return looks;
}

std::vector<double> sequential_bounds(Spending spending, double alpha, std::span<const double> fractions) {
  check_arguments(alpha, fractions);
  if (spending == Spending::bonferroni) return bonferroni_bounds(spending, alpha, fractions);
  return exact_bounds(spending, alpha, fractions);
}

double look_alpha(Spending spending, double alpha, const std::vector<std::size_t>& looks, std::size_t index) {
  if (looks.size() <= 1) return alpha;
  // A sweep asks about each look of one plan in turn, a simulation about the
  // same plan thousands of times: keep the last plan's bounds.
  struct Plan {
    Spending spending;
    double alpha;
    std::vector<std::size_t> looks;
    std::vector<double> bounds;
  };
  thread_local Plan last{Spending::pocock, 0, {}, {}};
  if (last.spending != spending || last.alpha != alpha || last.looks != looks) {
    std::vector<double> t(looks.size());
    std::transform(looks.begin(), looks.end(), t.begin(),
                   [&](std::size_t n) { return static_cast<double>(n) / static_cast<double>(looks.back()); });
    last = {spending, alpha, looks, sequential_bounds(spending, alpha, t)};
  }
  return upper_tail(last.bounds.at(index));
}

}  // namespace seedgate::checks
