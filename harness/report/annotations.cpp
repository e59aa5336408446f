// GitHub workflow commands on the policy's [[check]] lines.
#include <fmt/format.h>

#include <algorithm>

#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "util/strings.hpp"

namespace seedgate {

using namespace report_parts;
using checks::Verdict;

std::string render_annotations(const SweepResults& results, const ReportContext& context,
                               const std::string& policy_file, std::size_t limit) {
  auto escape = [](std::string_view text, bool property) {
    return util::github_escape(util::printable(text), property);
  };
  const std::string file = "file=" + escape(policy_file, true);
  std::vector<std::string> lines;
  for (const CheckResult& c : results.checks) {
    if (c.outcome.verdict == Verdict::pass) continue;
    std::string message = util::join(c.outcome.messages, "\n");
    if (message.empty()) message = check_verdict(c);
    std::string line = c.policy_line > 0 ? fmt::format(",line={}", c.policy_line) : "";
    lines.push_back(fmt::format("::{} {}{},title={}::{}\n", c.counted_as == Verdict::pass ? "warning" : "error", file,
                                line, escape(fmt::format("seedgate {}: {}", c.outcome.name, check_verdict(c)), true),
                                escape(message, false)));
  }
  for (const std::string& e : context.errors)
    lines.push_back(fmt::format("::error {},title=seedgate could not evaluate::{}\n", file, escape(e, false)));
  std::string out;
  for (std::size_t i = 0; i < std::min(lines.size(), limit); ++i) out += lines[i];
  if (lines.size() > limit)
    out += fmt::format("seedgate: {} more findings are in the job summary (GitHub shows {} per step)\n",
                       lines.size() - limit, limit);
  return out;
}

}  // namespace seedgate
