// kind = "variance": the spread of a metric across seeds (std, range, cv);
// with confidence, the chi-square bound on the std and a bootstrap BCa bound
// on the cv.
#include <fmt/format.h>

#include <cmath>

#include "checks/group.hpp"
#include "checks/stats.hpp"

namespace seedgate::checks {

void judge_variance(const VarianceSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  SeedValues values = group.values();
  if (group.reject_bad_values(values)) return;
  if (values.per_seed.size() < 2) {
    group.error(fmt::format("{}: variance needs at least 2 seeds, got {} ({})", check.metric, values.per_seed.size(),
                            group.label()));
    return;
  }
  Summary summary = summarize(values.per_seed);
  std::string over = fmt::format("over seeds {}", describe_seeds(values.seeds));
  auto judge = [&](const char* name, double value, const std::optional<double>& limit, const char* key_name) {
    if (!limit) return;
    bool ok = value <= *limit;
    group.statistic(name, value, Bound{key_name, *limit}, ok);
    if (!ok) {
      group.fail(fmt::format("{}: {} {} {} exceeds {} {} ({})", check.metric, name, short_number(value), over, key_name,
                             short_number(*limit), group.label()));
    }
  };
  if (spec.std_at_most && check.confidence) {
    Interval interval = std_interval(summary.std, summary.count, two_sided_level(*check.confidence));
    group.judged("std", over, summary.std, interval, Bound{"std_at_most", *spec.std_at_most}, false);
  } else {
    judge("std", summary.std, spec.std_at_most, "std_at_most");
  }
  // The range is a property of the sample (it grows with the seed count), so
  // it is judged as observed even with confidence.
  judge("range", summary.range(), spec.range_at_most, "range_at_most");
  if (spec.cv_at_most && check.confidence) {
    BootstrapResult boot =
        bootstrap(values.per_seed, BootStatistic::cv, two_sided_level(*check.confidence), check.bootstrap);
    group.judged("cv", over + ", bootstrap BCa", boot.estimate, boot.bca, Bound{"cv_at_most", *spec.cv_at_most}, false);
  } else {
    judge("cv", summary.cv(), spec.cv_at_most, "cv_at_most");
  }
  // With repeats, the variance splits into a seed-to-seed part and a
  // run-to-run part (nondeterminism with the seed fixed); both are reported as stds.
  if (auto components = variance_components(values.by_seed)) {
    group.information("seed_std", std::sqrt(components->between_seeds));
    group.information("run_std", std::sqrt(components->within_seed));
  }
}

}  // namespace seedgate::checks
