#pragma once
// Judges a sweep's results against a policy's checks and decides the exit
// code: 0 every check passed, 1 a check failed, 3 could not evaluate (runs
// failed beyond `allowed_failures`, a check had nothing to judge, the sweep
// was interrupted). A failed check wins over 3.
#include <string>
#include <vector>

#include "harness/policy.hpp"
#include "harness/results.hpp"

namespace seedgate {

struct Evaluation {
  int exit_code = 0;
  std::vector<std::string> errors;  // why the sweep could not be evaluated
};

// Fills `results.checks` and `results.verdict`.
Evaluation evaluate_policy(const Policy& policy, SweepResults& results);

}  // namespace seedgate
