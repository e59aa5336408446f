#pragma once
// Judges a sweep's results against a policy's checks and decides the exit
// code: 0 every check passed, 1 a check failed, 3 could not evaluate (runs
// failed beyond `allowed_failures`, a check had nothing to judge, the sweep
// was interrupted). A failed check wins over 3. An inconclusive check counts
// as its policy's `inconclusive` says; with "more-seeds" the sweep runs its
// next look, and after the last one it counts as a failure.
#include <string>
#include <vector>

#include "harness/policy.hpp"
#include "harness/results.hpp"

namespace seedgate {

struct Evaluation {
  int exit_code = 0;
  std::vector<std::string> errors;  // why the sweep could not be evaluated
};

// The first failed run, when no run passed and some failed (skipped and
// unfinished runs aside); nullptr otherwise.
const RunRecord* every_run_failed(const SweepResults& results);

// Why the runs cannot be judged: every run failed (naming the first), failures beyond `allowed_failures`, runs left
// unfinished, shards missing from a merge. Empty when they can.
std::vector<std::string> run_errors(const Policy& policy, const SweepResults& results);

// Fills `results.checks` and `results.verdict`.
Evaluation evaluate_policy(const Policy& policy, SweepResults& results);

// True when a sequential sweep should run its next look: some check with
// inconclusive = "more-seeds" is still inconclusive and looks remain.
bool wants_more_seeds(const Policy& policy, SweepResults& results);

// Where the two environments differ in hardware or library versions, one line
// per difference ("cpu: A (baseline) vs B").
std::vector<std::string> environment_differences(const nlohmann::json& baseline, const nlohmann::json& candidate);

}  // namespace seedgate
