#include "checks/sequential.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace seedgate::checks {

const char* to_string(Spending spending) {
  return spending == Spending::pocock ? "pocock" : "obrien-fleming";
}

double spent_alpha(Spending spending, double alpha, double t) {
  t = std::clamp(t, 0.0, 1.0);
  if (t <= 0) return 0;
  if (spending == Spending::pocock) return alpha * std::log(1 + (std::exp(1.0) - 1) * t);
  boost::math::normal_distribution<double> normal;
  double z = boost::math::quantile(normal, 1 - alpha / 2);
  return 2 * boost::math::cdf(boost::math::complement(normal, z / std::sqrt(t)));
}

std::vector<std::size_t> planned_looks(std::size_t first, std::size_t step, std::size_t max) {
  std::vector<std::size_t> looks{first};
  if (step == 0) return looks;
  while (looks.back() < max) looks.push_back(std::min(max, looks.back() + step));
  return looks;
}

double look_alpha(Spending spending, double alpha, const std::vector<std::size_t>& looks, std::size_t index) {
  if (looks.size() <= 1) return alpha;
  auto total = static_cast<double>(looks.back());
  double now = spent_alpha(spending, alpha, static_cast<double>(looks[index]) / total);
  double before = index == 0 ? 0.0 : spent_alpha(spending, alpha, static_cast<double>(looks[index - 1]) / total);
  return now - before;
}

}  // namespace seedgate::checks
