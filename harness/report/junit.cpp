// JUnit XML: a suite per check kind (a test case per check, statistics as
// properties) and a suite of runs (failures, skips, their output).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "util/strings.hpp"
#include "util/xml_writer.hpp"

namespace seedgate {

using namespace report_parts;
using checks::Verdict;

namespace {

std::string seconds_text(double seconds) {
  return fmt::format("{:.3f}", seconds);
}

// Failed runs are notes, not failures, while their number stays within the
// policy's allowance: the verdict is not made red by them, so no consumer
// should show them red either.
bool failures_allowed(const SweepResults& results, std::optional<int> allowed_failures, std::size_t failed) {
  if (allowed_failures) return failed <= static_cast<std::size_t>(std::max(*allowed_failures, 0));
  // Without the policy only a pass proves it: a failed check outranks failures beyond it.
  return results.verdict == SweepVerdict::pass;
}

}  // namespace

// Every count matches the elements below it: a check counted as failing is a
// <failure>, one that errored an <error>, one element at most per test case;
// each level's time is the sum of the times below it (a check takes none of
// its own; a run its process's wall time).
std::string render_junit(const SweepResults& results, const ReportContext& context,
                         std::optional<int> allowed_failures) {
  util::XmlWriter xml;
  // A testcase per run takes about this much: reserved, the document is not
  // briefly held twice while it grows.
  constexpr std::size_t kBytesPerRun = 256;
  xml.reserve(4096 + results.runs.size() * kBytesPerRun);
  auto time = seconds_text;
  std::map<std::string, std::vector<const CheckResult*>> by_kind;
  for (const CheckResult& c : results.checks) by_kind[checks::to_string(c.outcome.kind)].push_back(&c);

  std::size_t failed_runs = 0;
  double run_seconds = 0;
  for (const RunRecord& r : results.runs) {
    failed_runs += run_failed(r.status);
    run_seconds += std::round(r.process.wall_seconds * 1000) / 1000;  // as each case states it
  }
  const bool allowed = failed_runs > 0 && failures_allowed(results, allowed_failures, failed_runs);
  auto run_red = [&](const RunRecord& r) { return run_failed(r.status) && !allowed; };

  std::size_t tests = results.runs.size() + results.checks.size();
  std::size_t failures = 0, errors = 0;
  for (const CheckResult& c : results.checks) {
    failures += c.counted_as == Verdict::fail;
    errors += c.counted_as == Verdict::error;
  }
  for (const RunRecord& r : results.runs) failures += run_red(r);

  {  // scopes close their elements, so all of them end before the text is taken
    auto root = xml.element("testsuites", {{"name", fmt::format("seedgate: {}", results.subject)},
                                           {"tests", std::to_string(tests)},
                                           {"failures", std::to_string(failures)},
                                           {"errors", std::to_string(errors)},
                                           {"time", time(run_seconds)}});
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
        util::XmlWriter::Attributes attributes = {
            {"name", c->outcome.name}, {"classname", fmt::format("seedgate.checks.{}", kind)}, {"time", time(0)}};
        // Where the check is written, for annotation actions that place a test case on a line.
        if (!results.policy_path.empty()) attributes.emplace_back("file", results.policy_path);
        if (!results.policy_path.empty() && c->policy_line > 0)
          attributes.emplace_back("line", std::to_string(c->policy_line));
        auto testcase = xml.element("testcase", attributes);
        std::string details = fmt::format("verdict: {}\n", check_verdict(*c));
        for (const checks::Statistic& s : c->outcome.statistics)
          details += fmt::format("{} ({})\n", format_statistic(s, check_scale(c->outcome)), s.group);
        for (const std::string& m : c->outcome.messages) details += m + "\n";
        for (const std::string& n : c->outcome.notes) details += "note: " + n + "\n";
        for (const checks::PredictionDetail& d : c->outcome.details) {
          if (std::string line = curve_points(d); !line.empty()) details += fmt::format("{} ({})\n", line, d.group);
          if (std::string line = per_class_line(d); !line.empty()) details += fmt::format("{} ({})\n", line, d.group);
          std::vector<std::string> ids;
          for (const checks::UnstableExample& e : d.least_stable) ids.push_back(e.id);
          if (!ids.empty()) details += fmt::format("least stable examples ({}): {}\n", d.group, util::join(ids, ", "));
        }
        if (c->counted_as != Verdict::pass) {
          // The message carries the estimate, its bounds and the bound: the first
          // reason is what a CI page shows.
          std::string message = c->outcome.messages.empty() ? "" : c->outcome.messages.front();
          if (c->outcome.messages.size() > 1) message += fmt::format(" (and {} more)", c->outcome.messages.size() - 1);
          xml.leaf(c->counted_as == Verdict::error ? "error" : "failure",
                   {{"type", checks::to_string(c->outcome.verdict)}, {"message", message}}, details);
        } else {
          if (c->outcome.verdict == Verdict::inconclusive)
            details.insert(0, "inconclusive, counted as a pass (the policy's `inconclusive`)\n");
          xml.leaf("system-out", {}, details);
        }
      }
    }
    {
      std::size_t run_failures = 0, skipped = 0;
      for (const RunRecord& r : results.runs) {
        run_failures += run_red(r);
        skipped += r.status == RunStatus::skipped || r.status == RunStatus::interrupted;
      }
      auto suite = xml.element("testsuite", {{"name", "runs"},
                                             {"tests", std::to_string(results.runs.size())},
                                             {"failures", std::to_string(run_failures)},
                                             {"errors", "0"},
                                             {"skipped", std::to_string(skipped)},
                                             {"time", time(run_seconds)}});
      {
        auto properties = xml.element("properties");
        // Runs overlap (jobs, shards): the sweep's own wall time beside their sum.
        xml.leaf("property", {{"name", "sweep_wall_seconds"}, {"value", time(results.wall_seconds)}});
        std::vector<ImportanceGroup> groups = importance_groups(results);
        for (const ImportanceGroup& g : groups) {
          xml.leaf("property", {{"name", fmt::format("importance.kendall_tau_mean[{}]", g.group)},
                                {"value", util::format_number(g.stability.mean_tau)}});
          xml.leaf("property", {{"name", fmt::format("importance.kendall_tau_min[{}]", g.group)},
                                {"value", util::format_number(g.stability.min_tau)}});
          if (!g.stability.standings.empty())
            xml.leaf("property", {{"name", fmt::format("importance.top_feature[{}]", g.group)},
                                  {"value", g.stability.standings.front().feature}});
        }
        // Each metric as quoted across seeds, and what its best seed says about a fresh one.
        for (const SeedSummary& s : seed_summaries(results)) {
          xml.leaf("property", {{"name", fmt::format("seeds.{}[{}]", s.metric, s.group)}, {"value", mean_std_line(s)}});
          if (s.best)
            xml.leaf("property", {{"name", fmt::format("best_seed.{}[{}]", s.metric, s.group)},
                                  {"value", results.best_seed_report ? best_seed_warning(s) : best_seed_line(s)}});
        }
      }
      for (const RunRecord& r : results.runs) {
        std::string name = fmt::format("run[seed={},mode={},device={}", r.run.seed, r.run.mode, r.run.device);
        if (r.run.threads > 0) name += fmt::format(",threads={}", r.run.threads);
        name += fmt::format(",repeat={}]", r.run.repeat);
        auto testcase = xml.element(
            "testcase", {{"name", name}, {"classname", "seedgate.runs"}, {"time", time(r.process.wall_seconds)}});
        std::string out;
        if (run_failed(r.status)) {
          std::string details = r.message + "\n";
          for (const std::string& issue : r.report.issues) details += issue + "\n";
          if (std::vector<std::string> lines = last_lines(r.stderr_tail, kReportStderrLines); !lines.empty())
            details += "stderr (last lines):\n" + util::join(lines, "\n") + "\n";
          if (run_red(r)) {
            xml.leaf("failure", {{"type", to_string(r.status)}, {"message", r.message}}, details);
          } else {
            std::string allowance = allowed_failures ? std::to_string(*allowed_failures) : std::string("of the policy");
            out = fmt::format("{}, within allowed_failures {}: {}", to_string(r.status), allowance, details);
          }
        } else if (r.status == RunStatus::skipped || r.status == RunStatus::interrupted) {
          xml.leaf("skipped", {{"message", r.message}});
        }
        // The machine that ran it (sharded sweeps spread runs over several), then its output.
        if (!r.machine.empty()) out += fmt::format("machine: {}\n", r.machine);
        out += r.stdout_tail;
        if (!out.empty()) xml.leaf("system-out", {}, out);
        if (!r.stderr_tail.empty()) xml.leaf("system-err", {}, r.stderr_tail);
      }
    }
  }
  (void)context;
  return xml.take();
}

}  // namespace seedgate
