#include "harness/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/exit_codes.hpp"
#include "harness/shard.hpp"

namespace seedgate {
namespace {

bool is_last_look(const SweepResults& results) {
  const SequentialState& q = results.sequential;
  return q.looks.empty() || q.look + 1 >= q.looks.size();
}

// The spec a check is judged with at this look: a sequential check spends a
// share of its error rate at each look.
checks::CheckSpec spec_at_look(const Policy& policy, const CheckEntry& entry, const SweepResults& results,
                               std::string& note) {
  checks::CheckSpec spec = entry.spec;
  const SequentialState& q = results.sequential;
  if (!entry.confidence || entry.inconclusive != Inconclusive::more_seeds || q.looks.size() < 2) return spec;
  double alpha = 1 - *entry.confidence;
  double spent = checks::look_alpha(policy.statistics.spending, alpha, q.looks, q.look);
  spec.confidence = 1 - spent;
  note = fmt::format("look {} of {} ({} seeds): each bound at {:.4g}% confidence, {} spending of {:g}%", q.look + 1,
                     q.looks.size(), q.looks[q.look], 100 * (1 - spent), checks::to_string(policy.statistics.spending),
                     100 * alpha);
  return spec;
}

std::vector<checks::Observation> passed_observations(const SweepResults& results) {
  std::vector<checks::Observation> out;
  for (const RunRecord& r : results.runs)
    if (r.status == RunStatus::passed || r.status == RunStatus::violated) out.push_back(r.observation());
  return out;
}

// The library versions the training program reported ({"type": "env"}), from its first passed run.
nlohmann::json program_environment(const SweepResults& results) {
  for (const RunRecord& r : results.runs)
    if (r.status == RunStatus::passed && !r.report.env.empty()) return r.report.env;
  return nlohmann::json::object();
}

std::string json_text(const nlohmann::json& value) {
  if (value.is_null()) return "none";
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void compare_key(const nlohmann::json& a, const nlohmann::json& b, const std::string& key, const std::string& label,
                 std::vector<std::string>& out) {
  nlohmann::json left = a.contains(key) ? a.at(key) : nlohmann::json();
  nlohmann::json right = b.contains(key) ? b.at(key) : nlohmann::json();
  if (left != right) out.push_back(fmt::format("{}: {} (baseline) vs {}", label, json_text(left), json_text(right)));
}

CheckResult judge(const Policy& policy, const CheckEntry& entry, const SweepResults& results,
                  const std::vector<checks::Observation>& observations) {
  CheckResult result;
  result.policy_line = entry.position.line;
  std::string look_note;
  checks::CheckSpec spec = spec_at_look(policy, entry, results, look_note);
  std::vector<checks::Observation> baseline;
  std::vector<std::string> notes;
  if (const std::filesystem::path* baseline_path = checks::baseline_of(spec)) {
    auto loaded = load_results(*baseline_path);
    if (!loaded) {
      // Nothing to compare against: judge nothing, say why.
      result.outcome.name = spec.name;
      result.outcome.kind = spec.kind();
      result.outcome.metric = spec.metric;
      result.outcome.verdict = result.counted_as = checks::Verdict::error;
      result.outcome.messages.push_back(fmt::format("cannot read baseline: {}", loaded.error()));
      return result;
    }
    baseline = passed_observations(*loaded);
    nlohmann::json base_env = loaded->environment, here_env = results.environment;
    base_env["seedgate_version"] = loaded->seedgate_version;
    here_env["seedgate_version"] = results.seedgate_version;
    base_env["program"] = program_environment(*loaded);
    here_env["program"] = program_environment(results);
    for (const std::string& d : environment_differences(base_env, here_env))
      notes.push_back("baseline and candidate ran on different environments: " + d);
  }
  result.outcome = checks::evaluate(spec, observations, baseline);
  if (!look_note.empty()) result.outcome.notes.push_back(look_note);
  result.outcome.notes.insert(result.outcome.notes.end(), notes.begin(), notes.end());

  result.counted_as = result.outcome.verdict;
  if (result.outcome.verdict == checks::Verdict::inconclusive) {
    if (entry.inconclusive == Inconclusive::pass) {
      result.counted_as = checks::Verdict::pass;
    } else if (entry.inconclusive == Inconclusive::fail) {
      result.counted_as = checks::Verdict::fail;
    } else if (is_last_look(results)) {
      result.counted_as = checks::Verdict::fail;
      result.outcome.notes.push_back(
          fmt::format("still inconclusive after {} seeds, the most the policy allows", result.outcome.seeds.size()));
    } else {
      result.counted_as = checks::Verdict::error;
      result.outcome.notes.push_back(
          "the sequential sweep stopped before its last look; finish it with `seedgate run --resume`");
    }
  }
  return result;
}

}  // namespace

std::vector<std::string> environment_differences(const nlohmann::json& baseline, const nlohmann::json& candidate) {
  std::vector<std::string> out;
  for (const char* key : {"cpu", "cpu_count", "gpus", "gpu_driver", "os", "compiler", "seedgate_version"})
    compare_key(baseline, candidate, key, key, out);
  for (const char* group : {"libraries", "libtorch", "program"}) {
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json& a = baseline.contains(group) ? baseline.at(group) : empty;
    const nlohmann::json& b = candidate.contains(group) ? candidate.at(group) : empty;
    if (!a.is_object() || !b.is_object()) continue;
    nlohmann::json keys = a;
    keys.update(b);
    for (const auto& [key, value] : keys.items()) compare_key(a, b, key, fmt::format("{}.{}", group, key), out);
  }
  return out;
}

std::vector<std::string> run_errors(const Policy& policy, const SweepResults& results) {
  std::vector<std::string> errors;
  std::size_t failed = 0, interrupted = 0;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::failed || r.status == RunStatus::timed_out) ++failed;
    if (r.status == RunStatus::interrupted) ++interrupted;
    // A determinism violation is a finding of the reproducibility checks that
    // select the run; with none, it is a run that failed.
    if (r.status == RunStatus::violated) {
      checks::Observation o = r.observation();
      bool judged = std::any_of(policy.checks.begin(), policy.checks.end(), [&](const CheckEntry& c) {
        return checks::kind_info(c.spec.kind()).sees_violations && checks::selects(c.spec, o);
      });
      failed += judged ? 0 : 1;
    }
  }
  if (failed > static_cast<std::size_t>(policy.subject.allowed_failures)) {
    errors.push_back(fmt::format("{} run{} failed; the policy allows {} (allowed_failures)", failed,
                                 failed == 1 ? "" : "s", policy.subject.allowed_failures));
  }
  if (results.interrupted || interrupted > 0) {
    errors.push_back(
        fmt::format("the sweep was interrupted with {} run{} unfinished; finish it with "
                    "`seedgate run --resume`",
                    interrupted, interrupted == 1 ? "" : "s"));
  }
  if (std::string missing = describe_missing_shards(results); !missing.empty()) errors.push_back(missing);
  return errors;
}

Evaluation evaluate_policy(const Policy& policy, SweepResults& results) {
  Evaluation evaluation;
  evaluation.errors = run_errors(policy, results);

  std::vector<checks::Observation> observations = passed_observations(results);
  results.checks.clear();
  bool any_failed = false, any_error = false;
  for (const CheckEntry& entry : policy.checks) {
    CheckResult result = judge(policy, entry, results, observations);
    any_failed |= result.counted_as == checks::Verdict::fail;
    any_error |= result.counted_as == checks::Verdict::error;
    results.checks.push_back(std::move(result));
  }
  results.verdict = any_failed                                ? SweepVerdict::fail
                    : any_error || !evaluation.errors.empty() ? SweepVerdict::error
                                                              : SweepVerdict::pass;
  evaluation.exit_code = exit_code(results.verdict);
  return evaluation;
}

bool wants_more_seeds(const Policy& policy, SweepResults& results) {
  if (is_last_look(results)) return false;
  std::vector<checks::Observation> observations = passed_observations(results);
  for (const CheckEntry& entry : policy.checks) {
    if (entry.inconclusive != Inconclusive::more_seeds) continue;
    if (judge(policy, entry, results, observations).outcome.verdict == checks::Verdict::inconclusive) return true;
  }
  return false;
}

}  // namespace seedgate
