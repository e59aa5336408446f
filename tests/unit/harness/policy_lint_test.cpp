#include "harness/policy_lint.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace seedgate {
namespace {

std::vector<std::string> lint(const std::string& text) {
  auto policy = parse_policy(text, "seedgate.toml", "/tmp");
  EXPECT_TRUE(policy) << policy.error();
  std::vector<std::string> out;
  if (!policy) return out;
  for (const LintFinding& f : lint_policy(*policy))
    out.push_back(
        fmt::format("{}:{}: {}: {}", f.position.line, f.position.column, f.warning ? "warning" : "note", f.message));
  return out;
}

// A policy with the [sweep] lines `sweep` and an accuracy metric, then `checks`.
std::string fixed(const std::string& sweep, const std::string& checks) {
  return fmt::format(
      "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\n{}\n[metrics.accuracy]\ngoal = "
      "\"max\"\n{}",
      sweep, checks);
}

const std::string kHead = R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = { start = 0, count = 5, max = 20 }
[metrics.accuracy]
goal = "max"
[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
)";

TEST(PolicyLintTest, StatisticsThatCannotWork) {
  auto findings = lint(kHead + R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.95
confidence = 0.95
inconclusive = "more-seeds"
[[check]]
kind = "threshold"
metric = "accuracy"
worst_at_least = 0.93
[[check]]
kind = "threshold"
metric = "accuracy"
worst_at_least = 0.93
confidence = 0.95
tolerance = "nonparametric"
[[check]]
kind = "reproducibility"
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.005
confidence = 0.95
)");
  std::vector<std::string> expected = {
      "12:1: note: check 'threshold-accuracy': at 5 seeds (the first of 4 looks) with std up to 0.01 "
      "(std_at_most), the true mean must be above mean_at_least by 0.0185 to pass 80% of the time",
      "18:1: warning: check 'threshold-accuracy-2': 'worst_at_least' without 'confidence' judges the worst seed, "
      "which gets worse the more seeds run; with a seed count that grows to 20, add 'confidence' to judge a "
      "quantile instead",
      "22:1: warning: check 'threshold-accuracy-3' can never pass: with 95% confidence the minimum of n seeds "
      "bounds the 10th percentile only from n = 29 on, and [sweep] runs at most 20",
      "28:1: warning: check 'reproducibility' compares repeats of a seed, but [sweep] repeats = 1; set repeats = 2 "
      "or more",
      "30:1: warning: check 'regression-accuracy': to pass a candidate as good as the baseline 80% of the time with "
      "margin 0.005 and std up to 0.01, 51 seeds on each side are needed; [sweep] runs 20",
  };
  EXPECT_EQ(findings, expected);
}

TEST(PolicyLintTest, ASoundPolicyOnlyGetsNotes) {
  auto findings = lint(fixed("seeds = 30\nrepeats = 2", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
confidence = 0.95
[[check]]
kind = "threshold"
metric = "accuracy"
worst_at_least = 0.9
confidence = 0.95
tolerance = "nonparametric"
[[check]]
kind = "reproducibility"
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.01
confidence = 0.9
)"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            "22:1: note: check 'regression-accuracy': to pass a candidate as good as the baseline 80% of the time "
            "with margin 0.01 and std up to 0.01, 10 seeds on each side are needed; [sweep] runs 30");
}

TEST(PolicyLintTest, OneSeedCannotBeBounded) {
  auto findings = lint(fixed("seeds = 1", R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
confidence = 0.95
)"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            "8:1: warning: check 'threshold-accuracy' can never pass: a confidence bound needs at least 2 seeds, but "
            "[sweep] runs 1");
}

TEST(PolicyLintTest, ZeroBoundsMarginsAndMissingSpread) {
  auto findings = lint(fixed("seeds = 10", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0
cv_at_most = 0
range_at_most = 0.05
confidence = 0.95
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
confidence = 0.95
)"));
  std::vector<std::string> expected = {
      "8:1: warning: check 'variance-accuracy': std_at_most = 0 with confidence passes only when every seed gives "
      "the same value",
      "8:1: warning: check 'variance-accuracy': cv_at_most = 0 with confidence passes only when every seed gives "
      "the same value",
      "8:1: note: check 'variance-accuracy': range_at_most is judged on the observed range, which grows with the "
      "seed count; confidence does not apply to it",
      "15:1: note: check 'regression-accuracy': add a variance check with std_at_most on 'accuracy' and lint will "
      "say how many seeds this comparison needs",
  };
  EXPECT_EQ(findings, expected);
  auto no_margin = lint(fixed("seeds = 10", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
confidence = 0.95
)"));
  EXPECT_EQ(no_margin, (std::vector<std::string>{
                           "12:1: warning: check 'regression-accuracy': with margin = 0 and confidence, a candidate "
                           "as good as the baseline passes only by chance; set a margin"}));
}

TEST(PolicyLintTest, ConsistencyNeedsTwoDevicesOrThreadCounts) {
  EXPECT_EQ(lint(fixed("seeds = 3\n", "[[check]]\nkind = \"consistency\"\natol = 0.01\n")),
            (std::vector<std::string>{
                "9:1: warning: check 'consistency' compares devices and thread counts, but it sees one device and "
                "one thread count; set threads = [1, 2] or devices = [\"cpu\", \"cuda\"] in [sweep]"}));
  EXPECT_TRUE(lint(fixed("seeds = 3\nthreads = [1, 2]\n", "[[check]]\nkind = \"consistency\"\n")).empty());
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Found by fuzz_policy: a std 100 times the margin made the TOST sample-size
// search throw ("internal error", exit 3). It needs 131,391 seeds a side
// (compare_test), and says so.
TEST(PolicyLintTest, EquivalenceFarBeyondTheSweep) {
  auto findings = lint(fixed("seeds = 5", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 5
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.05
comparison = "equivalence"
confidence = 0.9
)"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].find("warning: check 'regression-accuracy': to pass a candidate as good as the baseline 80% "
                             "of the time with margin 0.05 and std up to 5, 131391 seeds on each side are needed; "
                             "[sweep] runs 5"),
            std::string::npos)
      << findings[0];
}

TEST(PolicyLintTest, PassingTheUndecidedBootstrappingFewSeedsAndEquivalence) {
  auto findings = lint(fixed("seeds = 8\nrepeats = 2", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
cv_at_most = 0.02
confidence = 0.95
tolerance = "nonparametric"
inconclusive = "pass"
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.01
comparison = "equivalence"
confidence = 0.95
)"));
  std::vector<std::string> expected = {
      "9:1: warning: check 'variance-accuracy': inconclusive = \"pass\" passes whatever the interval cannot rule "
      "out, so the gate cannot catch a regression smaller than the interval's width (it still fails when the "
      "estimate is past the bound); use \"fail\" or \"more-seeds\" to gate",
      "9:1: note: check 'variance-accuracy': the bootstrap covers poorly with few seeds; with fewer than 10 seeds "
      "([sweep] runs 8) the cv is bounded by normal theory (noncentral t) instead",
      // TOST must rule out both sides of the margin: 18 seeds where non-inferiority needs 14 (compare_test).
      "17:1: warning: check 'regression-accuracy': to pass a candidate as good as the baseline 80% of the time with "
      "margin 0.01 and std up to 0.01, 18 seeds on each side are needed; [sweep] runs 8",
  };
  EXPECT_EQ(findings, expected);
}

}  // namespace
}  // namespace seedgate
