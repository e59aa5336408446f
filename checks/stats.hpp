#pragma once
// Descriptive statistics over a sample of per-seed values. Non-finite inputs
// propagate (a NaN in gives NaN out) so that callers can report them.
#include <span>

namespace seedgate::checks {

struct Summary {
  std::size_t count = 0;
  double mean = 0;
  double std = 0;  // sample standard deviation (n - 1); 0 for one value
  double min = 0;
  double max = 0;
  double median = 0;
  double range() const { return max - min; }
  // Coefficient of variation, std / |mean|; inf when the mean is 0 and std is not.
  double cv() const;
};

Summary summarize(std::span<const double> values);

}  // namespace seedgate::checks
