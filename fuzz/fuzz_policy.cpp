// The policy loader over any bytes: a policy or an error naming its line,
// never a crash, a hang or a leak. A policy that loads also goes through
// `seedgate policy lint`, which reads every check's numbers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/registry.hpp"
#include "harness/policy.hpp"
#include "harness/policy_lint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // As the CLI loads it: with the adapters' own [subject.<adapter>] tables.
  auto policy = seedgate::parse_policy(text, "seedgate.toml", "/work/project", seedgate::subject_tables());
  if (!policy) return 0;
  (void)policy->sweep.seeds.ceiling();
  for (const seedgate::MetricSpec& metric : policy->metrics) (void)policy->find_metric(metric.name);
  (void)seedgate::lint_policy(*policy);
  return 0;
}
