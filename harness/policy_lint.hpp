#pragma once
// `seedgate policy lint`: a valid policy whose statistics cannot work as
// written. Warnings name the check; notes say what the statistics imply
// (seeds needed for 80% power, headroom a mean needs to pass).
#include <string>
#include <vector>

#include "harness/policy.hpp"

namespace seedgate {

struct LintFinding {
  SourcePosition position;
  bool warning = true;  // false: a note
  std::string message;
};

std::vector<LintFinding> lint_policy(const Policy& policy);

}  // namespace seedgate
