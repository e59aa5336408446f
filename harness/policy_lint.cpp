#include "harness/policy_lint.hpp"

#include <fmt/format.h>

#include <cmath>
#include <variant>

#include "checks/compare.hpp"
#include "checks/intervals.hpp"
#include "checks/sequential.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

constexpr double kPower = 0.8;

// The std a variance check on the same metric allows, the spread the policy expects.
std::optional<double> expected_std(const Policy& policy, const std::string& metric) {
  for (const CheckEntry& c : policy.checks) {
    const auto* variance = std::get_if<checks::VarianceSpec>(&c.spec.params);
    if (variance && c.spec.metric == metric && variance->std_at_most && *variance->std_at_most > 0)
      return variance->std_at_most;
  }
  return std::nullopt;
}

// Fewest seeds whose minimum bounds the (1 - coverage) quantile at `confidence`.
std::size_t seeds_for_order_bound(double coverage, double confidence) {
  std::size_t n = 1;
  while (!checks::lower_order_rank(n, 1 - coverage, confidence) && n < 100'000) ++n;
  return n;
}

}  // namespace

std::vector<LintFinding> lint_policy(const Policy& policy) {
  std::vector<LintFinding> out;
  const std::size_t first = policy.sweep.seeds.seeds.size();
  const std::size_t most = policy.sweep.seeds.ceiling().size();
  const bool growing = most > first;
  for (const CheckEntry& entry : policy.checks) {
    const checks::CheckSpec& c = entry.spec;
    auto warn = [&](std::string message) { out.push_back({entry.position, true, std::move(message)}); };
    auto note = [&](std::string message) { out.push_back({entry.position, false, std::move(message)}); };
    const std::string& name = c.name;
    const checks::KindInfo& kind = checks::kind_info(c.kind());
    // The kinds' own keys this advice reads.
    const auto* threshold = std::get_if<checks::ThresholdSpec>(&c.params);
    const auto* variance = std::get_if<checks::VarianceSpec>(&c.params);
    const auto* regression = std::get_if<checks::RegressionSpec>(&c.params);
    const checks::Bound* worst = threshold && threshold->worst ? &*threshold->worst : nullptr;
    const checks::Bound* mean = threshold && threshold->mean ? &*threshold->mean : nullptr;

    if (kind.compares_repeats && policy.sweep.repeats < 2)
      warn(
          fmt::format("check '{}' compares repeats of a seed, but [sweep] repeats = 1; set repeats = 2 or more", name));
    if (kind.across_configurations) {
      auto count = [](const std::vector<std::string>& filter, const std::vector<std::string>& axis) {
        return filter.empty() ? axis.size() : filter.size();
      };
      std::size_t devices = count(c.devices, policy.sweep.devices);
      std::size_t threads = c.threads.empty() ? policy.sweep.threads.size() : c.threads.size();
      if (devices < 2 && threads < 2)
        warn(
            fmt::format("check '{}' compares devices and thread counts, but it sees one device and one thread count; "
                        "set threads = [1, 2] or devices = [\"cpu\", \"cuda\"] in [sweep]",
                        name));
    }
    if (kind.min_seeds > most)
      warn(fmt::format("check '{}' needs at least {} seeds, but [sweep] runs {}", name, kind.min_seeds, most));
    if (worst && !entry.confidence && growing) {
      warn(
          fmt::format("check '{}': '{}' without 'confidence' judges the worst seed, which gets worse the more "
                      "seeds run; with a seed count that grows to {}, add 'confidence' to judge a quantile instead",
                      name, worst->key, most));
    }
    if (!entry.confidence) continue;
    double confidence = *entry.confidence;
    if (entry.inconclusive == Inconclusive::pass)
      warn(
          fmt::format("check '{}': inconclusive = \"pass\" passes whatever the interval cannot rule out, so the "
                      "gate cannot catch a regression smaller than the interval's width (it still fails when the "
                      "estimate is past the bound); use \"fail\" or \"more-seeds\" to gate",
                      name));
    if (variance && variance->cv_at_most && variance->tolerance == checks::Tolerance::nonparametric && most < 10)
      note(
          fmt::format("check '{}': the bootstrap covers poorly with few seeds; with fewer than 10 seeds ([sweep] "
                      "runs {}) the cv is bounded by normal theory (noncentral t) instead",
                      name, most));
    if (!checks::baseline_of(c) && most < 2) {
      warn(fmt::format("check '{}' can never pass: a confidence bound needs at least 2 seeds, but [sweep] runs {}",
                       name, most));
      continue;
    }
    if (worst && threshold->tolerance == checks::Tolerance::nonparametric &&
        !checks::lower_order_rank(most, 1 - threshold->coverage, confidence)) {
      warn(
          fmt::format("check '{}' can never pass: with {:g}% confidence the minimum of n seeds bounds the {:g}th "
                      "percentile only from n = {} on, and [sweep] runs at most {}",
                      name, confidence * 100, (1 - threshold->coverage) * 100,
                      seeds_for_order_bound(threshold->coverage, confidence), most));
    }
    for (auto [key, limit] : {std::pair{"std_at_most", variance ? variance->std_at_most : std::nullopt},
                              std::pair{"cv_at_most", variance ? variance->cv_at_most : std::nullopt}}) {
      if (limit == 0.0)
        warn(fmt::format("check '{}': {} = 0 with confidence passes only when every seed gives the same value", name,
                         key));
    }
    if (variance && variance->range_at_most)
      note(
          fmt::format("check '{}': range_at_most is judged on the observed range, which grows with the seed count; "
                      "confidence does not apply to it",
                      name));

    // Power: what the planned seeds can show, with the spread a variance check allows.
    auto sd = expected_std(policy, c.metric);
    double alpha = 1 - confidence;
    if (mean && sd && first >= 2) {
      // A sequential check's first look spends only part of alpha.
      double look_alpha = alpha;
      std::string when = fmt::format("{} seeds", first);
      if (growing && entry.inconclusive == Inconclusive::more_seeds) {
        auto looks = checks::planned_looks(first, first, most);
        look_alpha = checks::look_alpha(policy.statistics.spending, alpha, looks, 0);
        when = fmt::format("{} seeds (the first of {} looks)", first, looks.size());
      }
      checks::PowerQuery q{0, *sd, look_alpha, kPower, false, false};
      double headroom = checks::t_test_detectable_difference(q, static_cast<double>(first));
      note(
          fmt::format("check '{}': at {} with std up to {} (std_at_most), the true mean must be {} {} by {} to "
                      "pass {:g}% of the time",
                      name, when, util::format_number(*sd), c.goal == checks::Goal::maximize ? "above" : "below",
                      mean->key, fmt::format("{:.3g}", headroom), kPower * 100));
    }
    if (regression) {
      if (!sd) {
        note(
            fmt::format("check '{}': add a variance check with std_at_most on '{}' and lint will say how many "
                        "seeds this comparison needs",
                        name, c.metric));
      } else if (regression->margin <= 0) {
        warn(
            fmt::format("check '{}': with margin = 0 and confidence, a candidate as good as the baseline passes "
                        "only by chance; set a margin",
                        name));
      } else {
        // Equivalence must rule out both sides of the margin (TOST), which takes more seeds.
        checks::PowerQuery q{regression->margin, *sd, alpha, kPower, true, false};
        double n = regression->comparison == checks::Comparison::equivalence ? checks::tost_sample_size(q)
                                                                             : checks::t_test_sample_size(q);
        std::string message = fmt::format(
            "check '{}': to pass a candidate as good as the baseline {:g}% of the time with margin {} and std up "
            "to {}, {} seeds on each side are needed; [sweep] runs {}",
            name, kPower * 100, util::format_number(regression->margin), util::format_number(*sd),
            std::isfinite(n) ? std::to_string(static_cast<long long>(std::ceil(n))) : "more than a billion", most);
        if (std::ceil(n) > static_cast<double>(most))
          warn(std::move(message));
        else
          note(std::move(message));
      }
    }
  }
  return out;
}

}  // namespace seedgate
