#pragma once
// `seedgate policy lint`: a valid policy whose statistics cannot work as
// written, or whose program cannot run or never gets its seed. Warnings name
// the check or the program; notes say what the statistics imply (seeds
// needed for 80% power, headroom a mean needs to pass).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/policy.hpp"

namespace seedgate {

struct LintFinding {
  SourcePosition position;
  bool warning = true;  // false: a note
  std::string message;
};

std::vector<LintFinding> lint_policy(const Policy& policy);

// Whether the subject's program can run and be given its seed, as far as the
// file system shows before anything runs: warnings at the 'command' key when
// the program (or the script an interpreter is given) is missing or not
// executable, naming the path it resolved to and the folder it resolved
// against, and, in a sweep of more than one seed, when neither an argument
// uses {seed} nor the program reads SEEDGATE_SEED (its adapter's client
// does, or its file, or the script an interpreter runs, holds that text).
// `search_path` is seedgate's own PATH, where a bare name is looked up.
// Reads at most kProgramScanLimit bytes of each file; folders, FIFOs and
// devices are not read.
inline constexpr std::uint64_t kProgramScanLimit = 8ull << 20;
std::vector<LintFinding> lint_program(const Policy& policy, std::string_view search_path);

}  // namespace seedgate
