#pragma once
// Reports rendered from a judged SweepResults: a console summary (verdict,
// each metric's seed distribution, each check), JUnit XML and Markdown.
// Renderers are pure: results in, text out.
#include <string>
#include <vector>

#include "harness/results.hpp"

namespace seedgate {

struct ReportContext {
  std::vector<std::string> errors;  // why the sweep could not be evaluated
  int exit_code = 0;
};

std::string render_console(const SweepResults& results, const ReportContext& context);
std::string render_junit(const SweepResults& results, const ReportContext& context);
std::string render_markdown(const SweepResults& results, const ReportContext& context);

}  // namespace seedgate
