// kind = "failures": the share of a configuration's runs that crashed or
// timed out. Without confidence, the observed share against `rate_at_most`;
// with it, the exact (Clopper–Pearson) interval for the share.
#include <fmt/format.h>

#include "checks/group.hpp"

namespace seedgate::checks {

void judge_failures(const FailuresSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  std::size_t lost = group.lost().size();
  std::size_t total = lost + group.runs().size();
  double rate = static_cast<double>(lost) / static_cast<double>(total);
  Bound bound{"rate_at_most", spec.rate_at_most.value_or(0)};
  std::string what = fmt::format("from {} of {} runs lost", lost, total);
  if (lost > 0) what += fmt::format(": {}", fmt::join(group.describe_lost(), ", "));
  if (check.confidence) {
    group.judged("failure_rate", what, rate, clopper_pearson(lost, total, two_sided_level(*check.confidence)), bound,
                 false);
    return;
  }
  bool ok = rate <= bound.value;
  group.statistic("failure_rate", rate, bound, ok);
  if (!ok) {
    group.fail(fmt::format("failure rate {} ({}) exceeds rate_at_most {} ({})", short_number(rate), what,
                           short_number(bound.value), group.label()));
  }
}

}  // namespace seedgate::checks
