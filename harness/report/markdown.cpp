// The Markdown summary (GitHub's job summary): the verdict, a table per
// check, feature importance, then per-seed tables, within a byte limit.
#include <fmt/format.h>

#include <algorithm>

#include "harness/report/comparison.hpp"
#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

// Every line of `text` after `prefix`.
std::string indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

}  // namespace

using namespace report_parts;
using checks::Verdict;

std::string render_markdown(const SweepResults& results, const ReportContext& context, std::size_t limit) {
  auto cell = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '|')
        out += "\\|";
      else if (c == '\n')
        out += "<br>";
      else if (c == '<')
        out += "&lt;";
      else
        out += c;
    }
    return out;
  };
  std::string out = fmt::format("## seedgate: {} — {}\n\n", cell(results.subject), verdict_word(results.verdict));
  out += fmt::format("{}, {:.1f}s. Policy `{}` ({}).\n\n", run_summary(results), results.wall_seconds,
                     cell(results.policy_path), results.policy_digest);
  for (const std::string& error : context.errors) out += fmt::format("- **error**: {}\n", cell(error));
  if (!context.errors.empty()) out += "\n";
  if (!results.merged_from.empty())
    out += fmt::format("Merged from {}.\n\n", cell(describe_shards(results.merged_from)));
  std::size_t failed = std::count_if(results.checks.begin(), results.checks.end(),
                                     [](const CheckResult& c) { return c.counted_as == Verdict::fail; });
  if (results.verdict == SweepVerdict::pass || results.verdict == SweepVerdict::fail)
    out += fmt::format("**{} of {} checks failed** (exit {}).\n", failed, results.checks.size(), context.exit_code);
  else  // what could not be evaluated, not "0 of 2 checks failed"
    out += fmt::format("**ERROR: {}** (exit {}).\n", cell(error_reason(results, context.errors)), context.exit_code);
  // A table per check: what was estimated, its interval, the bound it is held to, and the verdict.
  for (const CheckResult& c : results.checks) {
    out += fmt::format("\n### {} — {}\n\n", cell(c.outcome.name), check_verdict(c));
    // A compare check's statistics as one row per variant; the rest as usual.
    std::vector<ComparisonTable> comparisons = comparison_tables(c.outcome);
    for (const ComparisonTable& table : comparisons) {
      std::vector<std::string> header = comparison_header();
      out += fmt::format("{}:\n\n| {} |\n|", cell(table.group), util::join(header, " | "));
      for (std::size_t i = 0; i < header.size(); ++i) out += "---|";
      out += "\n";
      for (const std::vector<std::string>& row : comparison_cells(table)) {
        std::vector<std::string> cells;
        cells.reserve(row.size());
        for (const std::string& text : row) cells.push_back(cell(text));
        out += fmt::format("| {} |\n", util::join(cells, " | "));
      }
      out += "\n";
    }
    auto in_comparison = [&](const checks::Statistic& s) {
      return !comparisons.empty() && s.name.find('[') != std::string::npos;
    };
    if (std::any_of(c.outcome.statistics.begin(), c.outcome.statistics.end(),
                    [&](const checks::Statistic& s) { return !in_comparison(s); }))
      out += "| statistic | group | estimate | interval | bound | verdict |\n|---|---|---|---|---|---|\n";
    for (const checks::Statistic& s : c.outcome.statistics) {
      if (in_comparison(s)) continue;
      std::string bound = s.bound ? fmt::format("{} {:.6g}", s.bound->key, s.bound->value) : "";
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", s.name, cell(s.group),
                         number(s.value, check_scale(c.outcome)), s.interval ? format_interval(*s.interval) : "", bound,
                         s.bound ? checks::to_string(s.verdict) : "");
    }
    if (!c.outcome.messages.empty() || !c.outcome.notes.empty()) out += "\n";
    for (const std::string& m : c.outcome.messages) out += fmt::format("- {}\n", cell(m));
    for (const std::string& n : c.outcome.notes) out += fmt::format("- note: {}\n", cell(n));
    for (const checks::PredictionDetail& d : c.outcome.details) {
      if (std::string line = curve_points(d); !line.empty()) out += fmt::format("- {} ({})\n", line, cell(d.group));
      if (std::string line = per_class_line(d); !line.empty()) out += fmt::format("- {} ({})\n", line, cell(d.group));
      if (d.least_stable.empty()) continue;
      out += fmt::format(
          "\nLeast stable examples ({}):\n\n| id | truth | disagreement | predictions |\n|---|---|---|---|\n",
          cell(d.group));
      for (const checks::UnstableExample& e : d.least_stable) {
        std::vector<std::string> predictions;
        for (double p : e.predictions) predictions.push_back(prediction_text(p));
        out += fmt::format(
            "| {} | {} | {} | {} |\n", cell(e.id), prediction_text(e.truth),
            d.regression ? fmt::format("{:.3g}", e.disagreement) : fmt::format("{:.0f}%", e.disagreement * 100),
            util::join(predictions, " "));
      }
    }
  }
  // Each metric as a paper quotes it, and what its best seed says about a fresh one.
  std::vector<SeedSummary> summaries = seed_summaries(results);
  if (!summaries.empty()) out += "\n### Seeds\n\n";
  for (const SeedSummary& s : summaries) {
    out += fmt::format("- **{}** ({}): {}", cell(s.metric), cell(s.group), mean_std_line(s));
    out += s.best ? fmt::format("; {}\n", best_seed_line(s)) : "\n";
  }
  for (const SourceShareGroup& g : source_shares(results))
    out += fmt::format("- **{}** ({}): {}\n", cell(g.metric), cell(g.group), source_share_line(g));
  for (const FoldComponents& c : fold_components(results))
    out += fmt::format("- **{}** ({}): {}\n", cell(c.metric), cell(c.group), fold_components_line(c));
  if (results.best_seed_report) {
    for (const SeedSummary& s : summaries)
      if (s.best)
        out += fmt::format("\n> **Warning: best seed.** {} ({}): {}\n", cell(s.metric), cell(s.group),
                           cell(best_seed_warning(s)));
  }
  // Failed runs: why each ended, and the last lines it wrote to stderr.
  std::size_t failed_runs =
      std::count_if(results.runs.begin(), results.runs.end(), [](const RunRecord& r) { return run_failed(r.status); });
  if (failed_runs > 0) out += fmt::format("\n### Failed runs ({})\n\n", failed_runs);
  std::size_t shown = 0;
  for (const RunRecord& r : results.runs) {
    if (!run_failed(r.status) || shown++ >= kShownFailures) continue;
    out += fmt::format("- `{}`: {}\n", r.run.id, cell(r.message));
    std::vector<std::string> lines = last_lines(r.stderr_tail, kReportStderrLines);
    if (lines.empty()) continue;
    std::string text = util::join(lines, "\n");
    // A fence longer than any run of backticks in the text, so it cannot close early.
    std::size_t longest = 0, run = 0;
    for (char c : text) longest = std::max(longest, run = c == '`' ? run + 1 : 0);
    std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    out += fmt::format("\n  {}text\n{}\n  {}\n", fence, indent(text, "  "), fence);
  }
  if (failed_runs > kShownFailures)
    out += fmt::format("- and {} more (every run is in the results file)\n", failed_runs - kShownFailures);
  for (const ImportanceGroup& g : importance_groups(results)) {
    out += fmt::format("\n### Feature importance ({}), {}\n\n{}.\n\n", g.kind, g.group, importance_headline(g));
    out += fmt::format("| mean rank | feature | mean score | ranks | in top {} |\n|---|---|---|---|---|\n",
                       g.stability.top_k);
    const auto& standings = g.stability.standings;
    for (std::size_t i = 0; i < std::min(standings.size(), kImportanceRows); ++i) {
      const checks::FeatureStanding& f = standings[i];
      out += fmt::format("| {:.2f} | {} | {:.6g} | {} | {}/{} |\n", f.mean_rank, cell(f.feature), f.mean_score,
                         rank_range(f), f.seeds_in_top, g.stability.seeds);
    }
  }
  out = util::printable(out);
  // Room for the line that says what was cut.
  constexpr std::size_t kReserve = 200;
  const std::string cut = "\n_Cut to stay within GitHub's 1 MiB job summary: every value is in the results file._\n";
  if (out.size() + kReserve > limit) {
    out.resize(out.rfind('\n', limit > kReserve ? limit - kReserve : 0) + 1);
    return out + cut;
  }
  out += "\n### Per-seed values\n\n";
  for (const auto& [metric, groups] : distributions(results)) {
    for (const auto& [group, values] : groups) {
      std::string table = fmt::format("**{}** ({})\n\n| seed | value |\n|---|---|\n", cell(metric), group);
      for (const SeedValue& v : values) table += fmt::format("| {} | {:.6g} |\n", v.seed, v.value);
      table = util::printable(table) + "\n";
      if (out.size() + table.size() + kReserve > limit) return out + cut;
      out += table;
    }
  }
  return out;
}

}  // namespace seedgate
