#pragma once
// Reports rendered from a judged SweepResults: a console summary (verdict,
// each metric's seed distribution, each check), JUnit XML, Markdown, HTML
// and GitHub annotations.
// Renderers are pure: results in, text out.
#include <optional>
#include <string>
#include <vector>

#include "harness/results.hpp"

namespace seedgate {

inline constexpr std::size_t kStepSummaryLimit = std::size_t{1024} * 1024;
inline constexpr std::size_t kAnnotationsPerStep = 10;

struct ReportContext {
  std::vector<std::string> errors;  // why the sweep could not be evaluated
  int exit_code = 0;
};

std::string render_console(const SweepResults& results, const ReportContext& context);
// `allowed_failures` is the policy's: runs that failed within it are notes, not
// failures. Unset (stored results reported without their policy): within it
// only when the sweep passed.
std::string render_junit(const SweepResults& results, const ReportContext& context,
                         std::optional<int> allowed_failures = std::nullopt);
// At most `limit` bytes (GitHub's job summary takes 1 MiB per step): per-seed
// tables are cut first, with a line saying where the rest is.
std::string render_markdown(const SweepResults& results, const ReportContext& context,
                            std::size_t limit = kStepSummaryLimit);
// Self-contained HTML: inline SVG plots, no script, no network.
std::string render_html(const SweepResults& results, const ReportContext& context);
// GitHub workflow commands for the checks that failed or were inconclusive,
// `::error file=POLICY,line=N,title=...::message`, at most `limit` (GitHub
// shows 10 errors per step); a last plain line counts the rest, which the
// Markdown summary lists.
std::string render_annotations(const SweepResults& results, const ReportContext& context,
                               const std::string& policy_file, std::size_t limit = kAnnotationsPerStep);

}  // namespace seedgate
