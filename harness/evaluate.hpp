#pragma once
// Judges a sweep's results against a policy's checks and decides the exit
// code: 0 every check passed, 1 a check failed, 3 could not evaluate (runs
// failed beyond `allowed_failures`, a check had nothing to judge, the sweep
// was interrupted). A failed check wins over 3. An inconclusive check counts
// as its policy's `inconclusive` says; with "more-seeds" the sweep runs its
// next look, and after the last one it counts as a failure. A sequential
// sweep also stops once some check fails in a way later seeds cannot undo
// (`next_look`); its verdict is then that failure.
#include <optional>
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

// A check that fails at the look these results are and at every later look,
// whatever the later seeds show: a sequential check a look decided fail (a
// decided look stands), repeats or configurations of a seed that already
// disagree (reproducibility, consistency), or more runs lost than the
// failures check allows even if every later run finishes.
struct FutilityStop {
  std::string check;   // its name
  std::string reason;  // why later seeds cannot turn it into a pass, in words
};

// What a sequential sweep does after a look: `more_seeds` when some check with
// inconclusive = "more-seeds" is still inconclusive, looks remain and no check
// fails for good; `futility` names such a check when it is what stops a sweep
// that would otherwise have gone on.
struct NextLook {
  bool more_seeds = false;
  std::optional<FutilityStop> futility;
};
NextLook next_look(const Policy& policy, SweepResults& results);

// next_look(policy, results).more_seeds.
bool wants_more_seeds(const Policy& policy, SweepResults& results);

// Where the two environments differ in hardware or library versions, one line
// per difference ("cpu: A (baseline) vs B").
std::vector<std::string> environment_differences(const nlohmann::json& baseline, const nlohmann::json& candidate);

}  // namespace seedgate
