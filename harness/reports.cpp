#include "harness/reports.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "checks/importance.hpp"
#include "checks/stats.hpp"
#include "harness/report_parts.hpp"
#include "util/strings.hpp"
#include "util/xml_writer.hpp"

namespace seedgate {
namespace report_parts {

using checks::Verdict;

std::string group_label(const RunSpec& run) {
  std::string text = fmt::format("mode={}, device={}", run.mode, run.device);
  if (run.threads > 0) text += fmt::format(", threads={}", run.threads);
  return text;
}

// metric -> group -> per-seed values, from runs that passed.
std::map<std::string, std::map<std::string, std::vector<SeedValue>>> distributions(const SweepResults& results) {
  std::map<std::string, std::map<std::string, std::map<std::int64_t, std::vector<double>>>> raw;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed) continue;
    for (const auto& [name, value] : r.report.metrics) raw[name][group_label(r.run)][r.run.seed].push_back(value);
  }
  std::map<std::string, std::map<std::string, std::vector<SeedValue>>> out;
  for (const auto& [metric, groups] : raw) {
    for (const auto& [group, seeds] : groups) {
      for (const auto& [seed, values] : seeds) {
        double sum = 0;
        for (double v : values) sum += v;
        out[metric][group].push_back({seed, sum / static_cast<double>(values.size())});
      }
    }
  }
  return out;
}

struct ImportanceGroup {
  std::string group;
  std::string kind;  // "gain", ...
  checks::ImportanceStability stability;
};

// Per group, how stable the feature-importance ranking is across seeds: the
// first passed run of each seed that reported importance.
std::vector<ImportanceGroup> importance_groups(const SweepResults& results) {
  std::map<std::string, std::map<std::int64_t, std::map<std::string, double>>> per_group;
  std::map<std::string, std::string> kinds;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed || r.report.importance.empty()) continue;
    std::string group = group_label(r.run);
    per_group[group].emplace(r.run.seed, r.report.importance);
    kinds.emplace(group, r.report.importance_kind);
  }
  std::vector<ImportanceGroup> out;
  for (const auto& [group, seeds] : per_group)
    if (seeds.size() >= 2) out.push_back({group, kinds[group], checks::importance_stability(seeds)});
  return out;
}

constexpr std::size_t kImportanceRows = 10;

std::string rank_range(const checks::FeatureStanding& f) {
  return f.best_rank == f.worst_rank ? fmt::format("{:g}", f.best_rank)
                                     : fmt::format("{:g}–{:g}", f.best_rank, f.worst_rank);
}

std::string importance_headline(const ImportanceGroup& g) {
  const checks::ImportanceStability& s = g.stability;
  return fmt::format(
      "{} seeds, Kendall's tau mean {:.3f}, min {:.3f} (seeds {} and {}); {} features in some seed's "
      "top {}",
      s.seeds, s.mean_tau, s.min_tau, s.min_pair[0], s.min_pair[1], s.distinct_in_top, s.top_k);
}

// How many runs of a status the console lists by name (passed: those with warnings).
std::size_t console_limit(RunStatus status) {
  return run_failed(status) ? 20 : status == RunStatus::passed ? 10 : 3;
}

std::string verdict_word(checks::Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "PASS";
    case Verdict::fail:
      return "FAIL";
    case Verdict::inconclusive:
      return "INCONCLUSIVE";
    case Verdict::error:
      return "ERROR";
  }
  return "ERROR";
}

std::string verdict_word(SweepVerdict verdict) {
  switch (verdict) {
    case SweepVerdict::pass:
      return "PASS";
    case SweepVerdict::fail:
      return "FAIL";
    default:
      return "ERROR";
  }
}

std::map<std::string, std::size_t> run_counts(const SweepResults& results) {
  std::map<std::string, std::size_t> counts;
  for (const RunRecord& r : results.runs) ++counts[to_string(r.status)];
  return counts;
}

std::string run_summary(const SweepResults& results) {
  std::vector<std::string> parts;
  for (const auto& [status, count] : run_counts(results)) parts.push_back(fmt::format("{} {}", count, status));
  return fmt::format("{} runs ({})", results.runs.size(), util::join(parts, ", "));
}

// "3 shards: 1/3 on host-a (12.0s), 2/3 on host-b (11.5s), ..."
std::string describe_shards(const std::vector<ShardInfo>& shards) {
  std::vector<std::string> parts;
  parts.reserve(shards.size());
  for (const ShardInfo& s : shards)
    parts.push_back(fmt::format("{}/{} on {} ({:.1f}s)", s.index, s.count, s.machine, s.wall_seconds));
  return fmt::format("{} shard{}: {}", shards.size(), shards.size() == 1 ? "" : "s", util::join(parts, ", "));
}

// "95% bounds [0.946, 0.955]": each end is a one-sided bound at that confidence.
std::string format_interval(const checks::Interval& i) {
  return fmt::format("{:.4g}% bounds [{:.6g}, {:.6g}]", (1 + i.level) / 2 * 100, i.lower, i.upper);
}

// "mean 0.951, 95% bounds [0.946, 0.955], mean_at_least 0.95: pass"
std::string format_statistic(const checks::Statistic& s) {
  std::string text = fmt::format("{} {:.6g}", s.name, s.value);
  if (s.interval) text += ", " + format_interval(*s.interval);
  if (s.bound) text += fmt::format(", {} {:.6g}: {}", s.bound->key, s.bound->value, checks::to_string(s.verdict));
  return text;
}

// "FAIL", or "INCONCLUSIVE (counted as fail)".
std::string check_verdict(const CheckResult& c) {
  std::string word = verdict_word(c.outcome.verdict);
  if (c.outcome.verdict == Verdict::inconclusive)
    word += fmt::format(" (counted as {})", checks::to_string(c.counted_as));
  return word;
}

// A text histogram of per-seed values: one line per bin.
void histogram(std::string& out, const std::vector<SeedValue>& values) {
  std::vector<double> finite;
  for (const SeedValue& v : values)
    if (std::isfinite(v.value)) finite.push_back(v.value);
  if (finite.size() < 3) return;
  auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
  double min = *lo, max = *hi;
  if (max == min) return;
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
}

}  // namespace report_parts

using namespace report_parts;

std::string render_console(const SweepResults& results, const ReportContext& context) {
  std::string out;
  out += fmt::format("seedgate {}: {} in {:.1f}s\n", results.subject.empty() ? results.policy_path : results.subject,
                     run_summary(results), results.wall_seconds);
  if (!results.merged_from.empty()) out += fmt::format("  merged from {}\n", describe_shards(results.merged_from));
  std::vector<double> wall, cpu, rss;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::skipped || r.status == RunStatus::interrupted) continue;
    wall.push_back(r.process.wall_seconds);
    cpu.push_back(r.process.cpu_seconds);
    rss.push_back(static_cast<double>(r.process.max_rss_kib) / 1024);
  }
  if (!wall.empty()) {
    out += fmt::format("  per run (median): wall {:.2f}s, cpu {:.2f}s, peak rss {:.1f} MiB\n",
                       checks::summarize(wall).median, checks::summarize(cpu).median, checks::summarize(rss).median);
  }
  std::map<RunStatus, std::size_t> listed;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::passed) continue;
    // A large sweep's console stays readable: every run is in results.json and JUnit.
    std::size_t& shown = listed[r.status];
    if (shown++ >= console_limit(r.status)) continue;
    out += fmt::format("  {:<11} {}: {}\n", to_string(r.status), r.run.id, r.message);
    for (std::size_t i = 0; i < std::min<std::size_t>(r.report.issues.size(), 3); ++i)
      out += fmt::format("              {}\n", r.report.issues[i]);
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
  for (const auto& [metric, groups] : distributions(results)) {
    out += fmt::format("\n{} across seeds\n", metric);
    for (const auto& [group, values] : groups) {
      std::vector<double> numbers;
      for (const SeedValue& v : values) numbers.push_back(v.value);
      checks::Summary s = checks::summarize(numbers);
      out += fmt::format("  {}: n={} mean={:.6g} std={:.6g} min={:.6g} median={:.6g} max={:.6g}\n", group, s.count,
                         s.mean, s.std, s.min, s.median, s.max);
      std::string seeds;
      constexpr std::size_t kListed = 40;
      for (std::size_t i = 0; i < std::min(values.size(), kListed); ++i)
        seeds += fmt::format(" {}:{:.4g}", values[i].seed, values[i].value);
      if (values.size() > kListed) seeds += fmt::format(" … ({} more in results.json)", values.size() - kListed);
      out += fmt::format("    per seed (seed:value):{}\n", seeds);
      histogram(out, values);
    }
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
    for (const checks::Statistic& s : c.outcome.statistics)
      out += fmt::format("          {} ({})\n", format_statistic(s), s.group);
    for (const std::string& message : c.outcome.messages) out += fmt::format("          {}\n", message);
    for (const std::string& note : c.outcome.notes) out += fmt::format("          note: {}\n", note);
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
  out += fmt::format("\nverdict: {} ({} of {} checks failed; exit {})\n", verdict_word(results.verdict), failed,
                     results.checks.size(), context.exit_code);
  return util::printable(out);  // training programs' bytes must not drive the terminal
}

std::string render_junit(const SweepResults& results, const ReportContext& context) {
  util::XmlWriter xml;
  auto time = [](double seconds) { return fmt::format("{:.3f}", seconds); };
  std::map<std::string, std::vector<const CheckResult*>> by_kind;
  for (const CheckResult& c : results.checks) by_kind[checks::to_string(c.outcome.kind)].push_back(&c);

  std::size_t tests = results.runs.size() + results.checks.size();
  std::size_t failures = 0, errors = 0;
  for (const CheckResult& c : results.checks) {
    failures += c.counted_as == Verdict::fail;
    errors += c.counted_as == Verdict::error;
  }
  for (const RunRecord& r : results.runs) failures += run_failed(r.status);

  {  // scopes close their elements, so all of them end before the text is taken
    auto root = xml.element("testsuites", {{"name", fmt::format("seedgate: {}", results.subject)},
                                           {"tests", std::to_string(tests)},
                                           {"failures", std::to_string(failures)},
                                           {"errors", std::to_string(errors)},
                                           {"time", time(results.wall_seconds)}});
    for (const auto& [kind, list] : by_kind) {
      std::size_t kind_failures = 0, kind_errors = 0;
      for (const CheckResult* c : list) {
        kind_failures += c->counted_as == Verdict::fail;
        kind_errors += c->counted_as == Verdict::error;
      }
      auto suite = xml.element("testsuite", {{"name", fmt::format("checks.{}", kind)},
                                             {"tests", std::to_string(list.size())},
                                             {"failures", std::to_string(kind_failures)},
                                             {"errors", std::to_string(kind_errors)},
                                             {"skipped", "0"},
                                             {"time", time(0)}});
      {
        auto properties = xml.element("properties");
        xml.leaf("property", {{"name", "policy"}, {"value", results.policy_path}});
        xml.leaf("property", {{"name", "policy_digest"}, {"value", results.policy_digest}});
        xml.leaf("property", {{"name", "seeds"}, {"value", fmt::format("{}", fmt::join(results.seeds, ","))}});
        for (const CheckResult* c : list) {
          xml.leaf("property", {{"name", fmt::format("{}.seeds", c->outcome.name)},
                                {"value", checks::describe_seeds(c->outcome.seeds)}});
          for (const checks::Statistic& s : c->outcome.statistics) {
            std::string name = fmt::format("{}.{}[{}]", c->outcome.name, s.name, s.group);
            xml.leaf("property", {{"name", name}, {"value", util::format_number(s.value)}});
            if (s.interval) {
              xml.leaf("property", {{"name", name + ".lower"}, {"value", util::format_number(s.interval->lower)}});
              xml.leaf("property", {{"name", name + ".upper"}, {"value", util::format_number(s.interval->upper)}});
            }
          }
        }
      }
      for (const CheckResult* c : list) {
        auto testcase = xml.element(
            "testcase",
            {{"name", c->outcome.name}, {"classname", fmt::format("seedgate.checks.{}", kind)}, {"time", time(0)}});
        std::string details = fmt::format("verdict: {}\n", check_verdict(*c));
        for (const checks::Statistic& s : c->outcome.statistics)
          details += fmt::format("{} ({})\n", format_statistic(s), s.group);
        for (const std::string& m : c->outcome.messages) details += m + "\n";
        for (const std::string& n : c->outcome.notes) details += "note: " + n + "\n";
        if (c->counted_as != Verdict::pass) {
          // The message carries the estimate, its bounds and the bound: the first
          // reason is what a CI page shows.
          std::string message = c->outcome.messages.empty() ? "" : c->outcome.messages.front();
          if (c->outcome.messages.size() > 1) message += fmt::format(" (and {} more)", c->outcome.messages.size() - 1);
          xml.leaf("failure", {{"type", checks::to_string(c->outcome.verdict)}, {"message", message}}, details);
        } else {
          xml.leaf("system-out", {}, details);
        }
      }
    }
    {
      std::size_t run_failures = 0, skipped = 0;
      for (const RunRecord& r : results.runs) {
        run_failures += run_failed(r.status);
        skipped += r.status == RunStatus::skipped || r.status == RunStatus::interrupted;
      }
      double total = 0;
      for (const RunRecord& r : results.runs) total += r.process.wall_seconds;
      auto suite = xml.element("testsuite", {{"name", "runs"},
                                             {"tests", std::to_string(results.runs.size())},
                                             {"failures", std::to_string(run_failures)},
                                             {"errors", "0"},
                                             {"skipped", std::to_string(skipped)},
                                             {"time", time(total)}});
      if (auto groups = importance_groups(results); !groups.empty()) {
        auto properties = xml.element("properties");
        for (const ImportanceGroup& g : groups) {
          xml.leaf("property", {{"name", fmt::format("importance.kendall_tau_mean[{}]", g.group)},
                                {"value", util::format_number(g.stability.mean_tau)}});
          xml.leaf("property", {{"name", fmt::format("importance.kendall_tau_min[{}]", g.group)},
                                {"value", util::format_number(g.stability.min_tau)}});
          if (!g.stability.standings.empty())
            xml.leaf("property", {{"name", fmt::format("importance.top_feature[{}]", g.group)},
                                  {"value", g.stability.standings.front().feature}});
        }
      }
      for (const RunRecord& r : results.runs) {
        std::string name = fmt::format("run[seed={},mode={},device={}", r.run.seed, r.run.mode, r.run.device);
        if (r.run.threads > 0) name += fmt::format(",threads={}", r.run.threads);
        name += fmt::format(",repeat={}]", r.run.repeat);
        auto testcase = xml.element(
            "testcase", {{"name", name}, {"classname", "seedgate.runs"}, {"time", time(r.process.wall_seconds)}});
        if (run_failed(r.status)) {
          std::string details = r.message + "\n";
          for (const std::string& issue : r.report.issues) details += issue + "\n";
          xml.leaf("failure", {{"type", to_string(r.status)}, {"message", r.message}}, details);
        } else if (r.status == RunStatus::skipped || r.status == RunStatus::interrupted) {
          xml.leaf("skipped", {{"message", r.message}});
        }
        // The machine that ran it (sharded sweeps spread runs over several), then its output.
        std::string out = r.machine.empty() ? "" : fmt::format("machine: {}\n", r.machine);
        out += r.stdout_tail;
        if (!out.empty()) xml.leaf("system-out", {}, out);
        if (!r.stderr_tail.empty()) xml.leaf("system-err", {}, r.stderr_tail);
      }
    }
  }
  (void)context;
  return xml.str();
}

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
  out += fmt::format("**{} of {} checks failed** (exit {}).\n", failed, results.checks.size(), context.exit_code);
  // A table per check: what was estimated, its interval, the bound it is held to, and the verdict.
  for (const CheckResult& c : results.checks) {
    out += fmt::format("\n### {} — {}\n\n", cell(c.outcome.name), check_verdict(c));
    if (!c.outcome.statistics.empty())
      out += "| statistic | group | estimate | interval | bound | verdict |\n|---|---|---|---|---|---|\n";
    for (const checks::Statistic& s : c.outcome.statistics) {
      std::string bound = s.bound ? fmt::format("{} {:.6g}", s.bound->key, s.bound->value) : "";
      out += fmt::format("| {} | {} | {:.6g} | {} | {} | {} |\n", s.name, cell(s.group), s.value,
                         s.interval ? format_interval(*s.interval) : "", bound,
                         s.bound ? checks::to_string(s.verdict) : "");
    }
    if (!c.outcome.messages.empty() || !c.outcome.notes.empty()) out += "\n";
    for (const std::string& m : c.outcome.messages) out += fmt::format("- {}\n", cell(m));
    for (const std::string& n : c.outcome.notes) out += fmt::format("- note: {}\n", cell(n));
  }
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
