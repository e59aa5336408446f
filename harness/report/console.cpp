// The console summary: runs, each metric's seed distribution, feature
// importance, each check, and the verdict line.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "checks/stats.hpp"
#include "harness/report/comparison.hpp"
#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "util/strings.hpp"

namespace seedgate {

using namespace report_parts;
using checks::Verdict;

namespace {

// How many runs of a status the console lists by name (passed: those with warnings).
std::size_t console_limit(RunStatus status) {
  return run_failed(status) ? 20 : status == RunStatus::passed ? 10 : 3;
}

// A text histogram of per-seed values: one line per bin.
std::string histogram(const std::vector<SeedValue>& values) {
  std::string out;
  std::vector<double> finite;
  for (const SeedValue& v : values)
    if (std::isfinite(v.value)) finite.push_back(v.value);
  if (finite.size() < 3) return out;
  auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
  double min = *lo, max = *hi;
  if (max == min) return out;
  constexpr int kBins = 6;
  std::vector<int> counts(kBins, 0);
  for (double v : finite) counts[std::min(kBins - 1, static_cast<int>((v - min) / (max - min) * kBins))]++;
  int peak = *std::max_element(counts.begin(), counts.end());
  double width = (max - min) / kBins;
  for (int i = 0; i < kBins; ++i) {
    int bar = counts[i] * 30 / peak;
    out += fmt::format("      [{:<10.6g}, {:<10.6g}{} {:<30} {}\n", min + i * width, min + (i + 1) * width,
                       i == kBins - 1 ? "]" : ")", std::string(static_cast<std::size_t>(bar), '#'), counts[i]);
  }
  return out;
}

}  // namespace

namespace {

// A compare check's table, columns padded to their widest cell.
std::string comparison_text(const ComparisonTable& table) {
  std::vector<std::vector<std::string>> rows = {comparison_header()};
  for (std::vector<std::string>& row : comparison_cells(table)) rows.push_back(std::move(row));
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  std::string out = fmt::format("          {}\n", table.group);
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) line += fmt::format("{:<{}}  ", row[i], widths[i]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += fmt::format("            {}\n", line);
  }
  return out;
}

}  // namespace

std::string render_console(const SweepResults& results, const ReportContext& context) {
  std::string out;
  out += fmt::format("seedgate {}: {} in {:.1f}s\n", results.subject.empty() ? results.policy_path : results.subject,
                     run_summary(results), results.wall_seconds);
  if (!results.merged_from.empty()) out += fmt::format("  merged from {}\n", describe_shards(results.merged_from));
  std::vector<double> wall, cpu, rss;
  double at_most = 0;  // the largest bound of a run whose peak is known only to lie below it
  std::size_t bounded = 0;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::skipped || r.status == RunStatus::interrupted) continue;
    wall.push_back(r.process.wall_seconds);
    cpu.push_back(r.process.cpu_seconds);
    if (r.process.max_rss_kib > 0) rss.push_back(static_cast<double>(r.process.max_rss_kib) / 1024);
    if (r.process.max_rss_kib == 0 && r.process.max_rss_at_most_kib > 0) {
      ++bounded;
      at_most = std::max(at_most, static_cast<double>(r.process.max_rss_at_most_kib) / 1024);
    }
  }
  if (!wall.empty()) {
    std::string peak;
    if (!rss.empty()) peak = fmt::format("{:.1f} MiB", checks::summarize(rss).median);
    if (bounded > 0) {
      // A run smaller than seedgate cannot be measured apart from it.
      peak += fmt::format("{}{} at most {:.1f} MiB (below seedgate's own)", peak.empty() ? "" : "; ",
                          rss.empty() ? std::string("every run's") : fmt::format("{} runs'", bounded), at_most);
    }
    // Runs inside seedgate share its process: no run has a peak of its own.
    if (peak.empty()) peak = "not measured (runs inside seedgate share its process)";
    out += fmt::format("  per run (median): wall {:.2f}s, cpu {:.2f}s, peak rss {}\n", checks::summarize(wall).median,
                       checks::summarize(cpu).median, peak);
  }
  std::map<RunStatus, std::size_t> listed;
  std::vector<std::string> last_tail;  // the stderr lines shown last, and whose
  std::string last_tail_run;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::passed) continue;
    // A large sweep's console stays readable: every run is in results.json and JUnit.
    std::size_t& shown = listed[r.status];
    if (shown++ >= console_limit(r.status)) continue;
    out += fmt::format("  {:<11} {}: {}\n", to_string(r.status), r.run.id, r.message);
    for (std::size_t i = 0; i < std::min<std::size_t>(r.report.issues.size(), 3); ++i)
      out += fmt::format("              {}\n", r.report.issues[i]);
    // Why it failed is usually in the last lines the program wrote to stderr.
    if (run_failed(r.status) && shown <= kShownFailures) {
      std::vector<std::string> lines = last_lines(r.stderr_tail, kConsoleStderrLines);
      if (!lines.empty() && lines == last_tail) {
        out += fmt::format("              stderr ends as {}'s\n", last_tail_run);
      } else {
        if (!lines.empty()) out += "              stderr (last lines):\n";
        for (const std::string& line : lines) out += fmt::format("              | {}\n", line);
        last_tail = std::move(lines);
        last_tail_run = r.run.id;
      }
    }
  }
  for (const auto& [status, count] : listed) {
    std::size_t limit = console_limit(status);
    if (count > limit)
      out += fmt::format("  {:<11} and {} more (see results.json)\n", to_string(status), count - limit);
  }
  // Problems in what passed runs reported: not fatal, but worth a look.
  std::size_t warned = 0;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed || r.report.issues.empty()) continue;
    if (warned++ >= console_limit(RunStatus::passed)) continue;
    out += fmt::format(
        "  warning     {}: {}{}\n", r.run.id, r.report.issues.front(),
        r.report.issues.size() > 1 ? fmt::format(" (and {} more in results.json)", r.report.issues.size() - 1) : "");
  }
  if (warned > console_limit(RunStatus::passed))
    out += fmt::format("  warning     and {} more runs with warnings (see results.json)\n",
                       warned - console_limit(RunStatus::passed));
  std::vector<SeedSummary> summaries = seed_summaries(results);
  for (const auto& [metric, groups] : distributions(results)) {
    out += fmt::format("\n{} across seeds\n", metric);
    // One histogram per metric: of the group with the most seeds.
    const std::vector<SeedValue>* drawn = nullptr;
    std::string drawn_group;
    for (const auto& [group, values] : groups) {
      if (drawn && values.size() <= drawn->size()) continue;
      drawn = &values;
      drawn_group = group;
    }
    for (const auto& [group, values] : groups) {
      std::vector<double> numbers;
      for (const SeedValue& v : values) numbers.push_back(v.value);
      checks::Summary s = checks::summarize(numbers);
      double scale = std::max(std::fabs(s.min), std::fabs(s.max));
      out += fmt::format("  {}: n={} mean={} std={} min={} median={} max={}\n", group, s.count, number(s.mean, scale),
                         number(s.std, scale), number(s.min, scale), number(s.median, scale), number(s.max, scale));
      std::string seeds;
      constexpr std::size_t kListed = 40;
      for (std::size_t i = 0; i < std::min(values.size(), kListed); ++i)
        seeds += fmt::format(" {}:{:.4g}", values[i].seed, values[i].value);
      if (values.size() > kListed) seeds += fmt::format(" … ({} more in results.json)", values.size() - kListed);
      out += fmt::format("    per seed (seed:value):{}\n", seeds);
    }
    if (std::string bars = drawn ? histogram(*drawn) : ""; !bars.empty())
      out += fmt::format("  histogram{}:\n{}", groups.size() > 1 ? fmt::format(" ({})", drawn_group) : "", bars);
    for (const SeedSummary& s : summaries) {
      if (s.metric != metric) continue;
      out += fmt::format("  {}: {}\n", s.group, mean_std_line(s));
      if (s.best) out += fmt::format("    {}\n", best_seed_line(s));
    }
  }
  for (const SourceShareGroup& g : source_shares(results))
    out += fmt::format("\n{} ({}): {}\n", g.metric, g.group, source_share_line(g));
  for (const FoldComponents& c : fold_components(results))
    out += fmt::format("\n{} ({}): {}\n", c.metric, c.group, fold_components_line(c));
  if (results.best_seed_report) {
    for (const SeedSummary& s : summaries)
      if (s.best) out += fmt::format("\nwarning: best seed: {} ({}): {}\n", s.metric, s.group, best_seed_warning(s));
  }
  for (const ImportanceGroup& g : importance_groups(results)) {
    out += fmt::format("\nfeature importance ({}) across seeds\n  {}: {}\n", g.kind, g.group, importance_headline(g));
    out += fmt::format("    {:>9}  {:>12}  {:>7}  {:>6}  feature\n", "mean rank", "mean score", "ranks",
                       fmt::format("top {}", g.stability.top_k));
    const auto& standings = g.stability.standings;
    for (std::size_t i = 0; i < std::min(standings.size(), kImportanceRows); ++i) {
      const checks::FeatureStanding& f = standings[i];
      out += fmt::format("    {:>9.2f}  {:>12.6g}  {:>7}  {:>6}  {}\n", f.mean_rank, f.mean_score, rank_range(f),
                         fmt::format("{}/{}", f.seeds_in_top, g.stability.seeds), f.feature);
    }
    if (standings.size() > kImportanceRows)
      out += fmt::format("    … {} more features in results.json\n", standings.size() - kImportanceRows);
  }
  if (!results.checks.empty()) out += "\nchecks\n";
  for (const CheckResult& c : results.checks) {
    out += fmt::format("  {:<5} {}\n", check_verdict(c), c.outcome.name);
    std::vector<ComparisonTable> comparisons = comparison_tables(c.outcome);
    for (const ComparisonTable& table : comparisons) out += comparison_text(table);
    for (const checks::Statistic& s : c.outcome.statistics)
      if (comparisons.empty() || s.name.find('[') == std::string::npos)
        out += fmt::format("          {} ({})\n", format_statistic(s, check_scale(c.outcome)), s.group);
    for (const std::string& message : c.outcome.messages) out += fmt::format("          {}\n", message);
    for (const std::string& note : c.outcome.notes) out += fmt::format("          note: {}\n", note);
    for (const checks::PredictionDetail& d : c.outcome.details) {
      if (std::string line = curve_points(d); !line.empty()) out += fmt::format("          {} ({})\n", line, d.group);
      if (std::string line = per_class_line(d); !line.empty()) out += fmt::format("          {} ({})\n", line, d.group);
      if (d.least_stable.empty()) continue;
      std::vector<std::string> ids;
      for (const checks::UnstableExample& e : d.least_stable)
        ids.push_back(d.regression ? fmt::format("{} ({:.3g})", e.id, e.disagreement)
                                   : fmt::format("{} ({:.0f}%)", e.id, e.disagreement * 100));
      out += fmt::format("          least stable examples ({}): {}\n", d.group, util::join(ids, ", "));
    }
  }
  for (const std::string& error : context.errors) out += fmt::format("\nerror: {}\n", error);
  std::size_t failed = std::count_if(results.checks.begin(), results.checks.end(),
                                     [](const CheckResult& c) { return c.counted_as == Verdict::fail; });
  if (results.shard) {
    out += fmt::format(
        "\nshard {}/{} on {}: not judged here; merge every shard with `seedgate check shard-*.json` "
        "(exit {})\n",
        results.shard->index, results.shard->count, results.shard->machine, context.exit_code);
    return util::printable(out);
  }
  // An ERROR says what could not be evaluated; "0 of 2 checks failed" would hide it.
  if (results.verdict == SweepVerdict::pass || results.verdict == SweepVerdict::fail)
    out += fmt::format("\nverdict: {} ({} of {} checks failed; exit {})\n", verdict_word(results.verdict), failed,
                       results.checks.size(), context.exit_code);
  else
    out += fmt::format("\nverdict: ERROR: {} (exit {})\n", error_reason(results, context.errors), context.exit_code);
  return util::printable(out);  // training programs' bytes must not drive the terminal
}

}  // namespace seedgate
