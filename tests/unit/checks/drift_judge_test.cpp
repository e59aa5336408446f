// The drift judge through checks::evaluate: what it reads from earlier sweeps
// (their runs in the same group only, per-seed means over repeats), what it
// says while the history is short, and that an alarm names what changed in
// the environment since the last accepted sweep.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/drift.hpp"

namespace seedgate::checks {
namespace {

CheckSpec drift_check(double window = 3, double span = 4) {
  CheckSpec spec;
  spec.name = "drift-accuracy";
  spec.metric = "accuracy";
  spec.confidence = 0.99;
  DriftSpec drift;
  drift.window = window;
  drift.span = span;
  spec.params = drift;
  return spec;
}

// Seeds 0..2 with accuracy `mean` + (-spread, 0, +spread), in mode `mode`.
std::vector<Observation> sweep_runs(double mean, const std::string& mode = "deterministic", double spread = 0.001) {
  std::vector<Observation> runs;
  for (int seed = 0; seed < 3; ++seed) {
    Observation o;
    o.seed = seed;
    o.mode = mode;
    o.device = "cpu";
    o.metrics["accuracy"] = mean + spread * (seed - 1);
    runs.push_back(o);
  }
  return runs;
}

std::vector<PastSweep> history(const std::vector<double>& means) {
  std::vector<PastSweep> out;
  for (std::size_t i = 0; i < means.size(); ++i)
    out.push_back({"sweep-" + std::to_string(i),
                   "2026-11-0" + std::to_string(i + 1) + "T03:17:00.000000Z",
                   "",
                   true,
                   sweep_runs(means[i]),
                   {}});
  return out;
}

bool says(const CheckOutcome& outcome, const std::string& text) {
  for (const auto* list : {&outcome.messages, &outcome.notes})
    for (const std::string& line : *list)
      if (line.find(text) != std::string::npos) return true;
  return false;
}

TEST(DriftJudge, WithoutEnoughHistoryItPassesSayingWhy) {
  std::vector<Observation> now = sweep_runs(0.5);
  CheckOutcome outcome = evaluate(drift_check(), now, {}, history({0.9, 0.9}));
  EXPECT_EQ(outcome.verdict, Verdict::pass);
  EXPECT_TRUE(says(outcome, "2 accepted earlier sweeps in the history, 3 needed before a shift is judged"));
  EXPECT_TRUE(says(outcome, "the CUSUM waits for 3 accepted sweeps before its span, the history has 2"));
}

TEST(DriftJudge, AShiftFailsAndNamesWhatChangedInTheEnvironment) {
  std::vector<PastSweep> past = history({0.900, 0.902, 0.899, 0.901});
  past.back().environment_changes = {"torch: 2.1.0 (baseline) vs 2.2.0"};
  std::vector<Observation> now = sweep_runs(0.85);
  CheckOutcome outcome = evaluate(drift_check(), now, {}, past);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_TRUE(says(outcome, "this sweep's mean 0.85 is outside the range the last 3 accepted sweeps predict"));
  EXPECT_TRUE(says(outcome, "environment changed since sweep-3: torch: 2.1.0 (baseline) vs 2.2.0"));
  // Within the range: a pass, and the change is a note.
  CheckOutcome same = evaluate(drift_check(), sweep_runs(0.9005), {}, past);
  EXPECT_EQ(same.verdict, Verdict::pass);
  EXPECT_TRUE(says(same, "environment changed since sweep-3"));
}

TEST(DriftJudge, EarlierSweepsCountOnlyInTheirOwnGroup) {
  // The history's default-mode runs sit at 0.5; only deterministic-mode runs are this group's reference.
  std::vector<PastSweep> past = history({0.900, 0.902, 0.899, 0.901});
  for (PastSweep& p : past)
    for (Observation& o : sweep_runs(0.5, "default")) p.runs.push_back(o);
  CheckOutcome outcome = evaluate(drift_check(), sweep_runs(0.9005), {}, past);
  EXPECT_EQ(outcome.verdict, Verdict::pass) << (outcome.messages.empty() ? "" : outcome.messages.front());
  // A sweep that did not run this group at all is left out of its history.
  std::vector<PastSweep> other = history({0.900, 0.902, 0.899});
  other.push_back({"other-mode", "2026-11-09T03:17:00.000000Z", "", true, sweep_runs(0.5, "default"), {}});
  CheckOutcome skipped = evaluate(drift_check(), sweep_runs(0.9005), {}, other);
  EXPECT_EQ(skipped.verdict, Verdict::pass);
}

TEST(DriftJudge, ARejectedSweepIsNotPartOfTheReference) {
  // Three accepted nights at 0.90, then a failed one at 0.80: the reference
  // stays at 0.90, so tonight's 0.80 is still a shift.
  std::vector<PastSweep> past = history({0.900, 0.902, 0.899, 0.80});
  past.back().accepted = false;
  CheckOutcome outcome = evaluate(drift_check(), sweep_runs(0.80), {}, past);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
}

TEST(DriftJudge, SweepsBeforeSinceAreNotTheReference) {
  // Three nights at 0.80, then a deliberate change to 0.90 from 2026-11-04 on.
  std::vector<PastSweep> past = history({0.800, 0.802, 0.799, 0.900, 0.902, 0.899});
  EXPECT_EQ(evaluate(drift_check(), sweep_runs(0.9005), {}, past).verdict, Verdict::fail);
  CheckSpec since = drift_check();
  since.as<DriftSpec>().since = "2026-11-04";
  CheckOutcome outcome = evaluate(since, sweep_runs(0.9005), {}, past);
  EXPECT_EQ(outcome.verdict, Verdict::pass) << (outcome.messages.empty() ? "" : outcome.messages.front());
}

TEST(DriftJudge, FloatingPointNoiseOnADeterministicProgramIsNotAShift) {
  // Every night every seed scores exactly 0.9; tonight's differ in the last bits.
  std::vector<PastSweep> past;
  for (int i = 0; i < 4; ++i)
    past.push_back({"sweep-" + std::to_string(i),
                    "2026-11-0" + std::to_string(i + 1) + "T03:17:00.000000Z",
                    "",
                    true,
                    sweep_runs(0.9, "deterministic", 0),
                    {}});
  EXPECT_EQ(evaluate(drift_check(), sweep_runs(0.9 + 2e-16, "deterministic", 0), {}, past).verdict, Verdict::pass);
  CheckOutcome moved = evaluate(drift_check(), sweep_runs(0.9 + 1e-6, "deterministic", 0), {}, past);
  EXPECT_EQ(moved.verdict, Verdict::fail);
  EXPECT_TRUE(says(moved, "outside the range the last 3 accepted sweeps predict"));
}

TEST(DriftJudge, AMissingMetricFailsTheRun) {
  std::vector<Observation> now = sweep_runs(0.9);
  now[1].metrics.clear();
  CheckOutcome outcome = evaluate(drift_check(), now, {}, history({0.9, 0.9, 0.9}));
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_TRUE(says(outcome, "accuracy: not reported by seed 1"));
}

}  // namespace
}  // namespace seedgate::checks
