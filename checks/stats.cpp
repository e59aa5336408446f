#include "checks/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace seedgate::checks {

double Summary::cv() const {
  if (mean == 0) return std == 0 ? 0 : std::numeric_limits<double>::infinity();
  return std / std::fabs(mean);
}

Summary summarize(std::span<const double> values) {
  Summary summary;
  summary.count = values.size();
  if (values.empty()) return summary;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  bool finite = std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  // Welford's update: stable for values that are close together, as seeds' accuracies are.
  double mean = 0, m2 = 0;
  std::size_t n = 0;
  for (double v : values) {
    ++n;
    double delta = v - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (v - mean);
  }
  summary.mean = mean;
  summary.std = n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1)) : 0.0;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  summary.min = sorted.front();
  summary.max = sorted.back();
  std::size_t mid = sorted.size() / 2;
  summary.median = sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  if (!finite) {
    summary.mean = summary.std = summary.min = summary.max = summary.median = nan;
  }
  return summary;
}

}  // namespace seedgate::checks
