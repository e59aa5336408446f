#include "harness/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>

#include "harness/exit_codes.hpp"
#include "harness/predictions.hpp"
#include "harness/shard.hpp"

namespace seedgate {
namespace {

// What an undecided sequential check says when the sweep stopped before its
// last look; a stop for futility replaces it with the reason.
constexpr std::string_view kUnfinishedNote =
    "the sequential sweep stopped before its last look; finish it with `seedgate run --resume`";

bool is_last_look(const SweepResults& results) {
  const SequentialState& q = results.sequential;
  return q.looks.empty() || q.look + 1 >= q.looks.size();
}

bool is_sequential(const CheckEntry& entry, const SweepResults& results) {
  return entry.confidence && entry.inconclusive == Inconclusive::more_seeds && results.sequential.looks.size() >= 2;
}

// The spec a check is judged with at this look: a sequential check tests at
// its look's boundary, and under Holm's step-down each check with confidence
// at 1/`share` of its error rate.
checks::CheckSpec spec_at_look(const Policy& policy, const CheckEntry& entry, const SweepResults& results,
                               std::size_t look, std::size_t share, std::vector<std::string>& notes) {
  checks::CheckSpec spec = entry.spec;
  if (!entry.confidence) return spec;
  const SequentialState& q = results.sequential;
  double alpha = 1 - *entry.confidence;
  if (is_sequential(entry, results)) {
    double nominal = checks::look_alpha(policy.statistics.spending, alpha, q.looks, look);
    notes.push_back(
        fmt::format("look {} of {} ({} seeds): {} boundary, each bound at {:.4g}% confidence for {:g}% "
                    "over all looks",
                    look + 1, q.looks.size(), q.looks[look], checks::to_string(policy.statistics.spending),
                    100 * (1 - nominal), 100 * alpha));
    alpha = nominal;
  }
  if (share > 1) {
    notes.push_back(fmt::format("Holm's step-down over {} open checks with confidence: judged at {:.4g}% confidence",
                                share, 100 * (1 - alpha / static_cast<double>(share))));
    alpha /= static_cast<double>(share);
  }
  spec.confidence = 1 - alpha;
  return spec;
}

bool reads_predictions(const Policy& policy) {
  return std::any_of(policy.checks.begin(), policy.checks.end(),
                     [](const CheckEntry& e) { return checks::kind_info(e.spec.kind()).reads_predictions; });
}

// What a run's predictions take in memory, roughly: per row its id, truth
// and prediction, and its probabilities.
std::size_t predictions_bytes(const checks::Predictions& p) {
  std::size_t bytes = p.probabilities.size() * sizeof(float) + p.truth.size() * 2 * sizeof(double);
  for (const std::string& id : p.ids) bytes += sizeof(std::string) + id.capacity();
  return bytes;
}

// A finished run's predictions, from its folder under one of the results'
// roots: the file a {"type": "predictions"} record named, else the one
// SEEDGATE_PREDICTIONS named.
void read_run_predictions(const SweepResults& results, const RunRecord& record, checks::Observation& o) {
  std::filesystem::path name = record.report.predictions.empty()
                                   ? std::filesystem::path(kPredictionsFile)
                                   : std::filesystem::path(record.report.predictions.back());
  std::string label = (std::filesystem::path("runs") / record.run.id / name).lexically_normal().string();
  if (name.is_absolute()) label = name.string();
  for (const std::filesystem::path& root : results.run_roots) {
    std::filesystem::path dir = root / "runs" / record.run.id;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::filesystem::path path = name.is_absolute() ? name : dir / name;
    if (!std::filesystem::exists(path, ec)) {
      o.predictions_error = fmt::format(
          "wrote no predictions ({} does not exist; the program writes them to "
          "$SEEDGATE_PREDICTIONS)",
          label);
      return;
    }
    auto read = read_predictions(path, label);
    if (read)
      o.predictions = std::make_shared<const checks::Predictions>(std::move(*read));
    else
      o.predictions_error = read.error();
    return;
  }
  o.predictions_error = results.run_roots.empty()
                            ? "its folder is unknown"
                            : fmt::format("its folder {} is gone: run the sweep again",
                                          (results.run_roots.front() / "runs" / record.run.id).string());
}

// The runs the checks see: finished ones, those stopped by a determinism
// violation, and those that crashed or timed out (as lost runs). Finished
// runs carry their predictions when a check reads them.
// Every run's file is capped; all of them together are held to
// kMaxHeldPredictionBytes, so a sweep of many seeds cannot exhaust memory: the
// runs past it have none, and the checks say why.
std::vector<checks::Observation> passed_observations(const SweepResults& results, bool predictions = false) {
  std::vector<checks::Observation> out;
  out.reserve(results.runs.size());  // grown by doubling, a large sweep's would briefly be held twice
  std::size_t held = 0;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::passed || r.status == RunStatus::violated || r.status == RunStatus::failed ||
        r.status == RunStatus::timed_out) {
      out.push_back(r.observation());
      if (!predictions || r.status != RunStatus::passed) continue;
      checks::Observation& o = out.back();
      if (held > kMaxHeldPredictionBytes) {
        o.predictions_error = fmt::format(
            "not read: the runs before it hold {} MiB of predictions, the most seedgate "
            "holds at once",
            kMaxHeldPredictionBytes >> 20);
        continue;
      }
      read_run_predictions(results, r, o);
      if (o.predictions) held += predictions_bytes(*o.predictions);
    }
  }
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

CheckResult judge_at(const Policy& policy, const CheckEntry& entry, const SweepResults& results,
                     const std::vector<checks::Observation>& observations, std::size_t look, std::size_t share) {
  CheckResult result;
  result.policy_line = entry.position.line;
  std::vector<std::string> look_notes;
  checks::CheckSpec spec = spec_at_look(policy, entry, results, look, share, look_notes);
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
    std::set<std::int64_t> seeds;
    for (const checks::Observation& o : baseline) seeds.insert(o.seed);
    if (seeds.size() == 1)
      notes.push_back(fmt::format(
          "selection: the baseline is one seed ({}): a single draw of the seed-to-seed spread, and a best-of-n seed "
          "overstates what a fresh seed gives; save a baseline from the sweep's seeds",
          *seeds.begin()));
    nlohmann::json base_env = loaded->environment, here_env = results.environment;
    base_env["seedgate_version"] = loaded->seedgate_version;
    here_env["seedgate_version"] = results.seedgate_version;
    base_env["program"] = program_environment(*loaded);
    here_env["program"] = program_environment(results);
    for (const std::string& d : environment_differences(base_env, here_env))
      notes.push_back("baseline and candidate ran on different environments: " + d);
  }
  std::span<const checks::PastSweep> history;
  if (checks::kind_info(spec.kind()).reads_history) {
    if (!results.history_loaded) {
      result.outcome.name = spec.name;
      result.outcome.kind = spec.kind();
      result.outcome.metric = spec.metric;
      result.outcome.verdict = result.counted_as = checks::Verdict::error;
      result.outcome.messages.emplace_back(
          !results.history_error.empty() ? "the history of earlier sweeps could not be read: " + results.history_error
                                         : "a drift check needs a history of earlier sweeps: add [history] store = "
                                           "\"sqlite:.seedgate/history.db\" to the policy, or pass --history");
      return result;
    }
    const std::string& own = spec.as<checks::DriftSpec>().branch;
    auto found = results.history.find(own.empty() ? results.branch : own);
    if (found != results.history.end()) history = found->second;
  }
  result.outcome = checks::evaluate(spec, observations, baseline, history);
  result.outcome.notes.insert(result.outcome.notes.begin(), look_notes.begin(), look_notes.end());
  result.outcome.notes.insert(result.outcome.notes.end(), notes.begin(), notes.end());

  result.counted_as = result.outcome.verdict;
  if (result.outcome.verdict == checks::Verdict::inconclusive) {
    if (entry.inconclusive == Inconclusive::pass && result.outcome.estimate_breaches) {
      // "pass" gives the benefit of the doubt, not of an estimate already past the bound.
      result.counted_as = checks::Verdict::fail;
      result.outcome.notes.push_back(
          "counted as a failure although inconclusive = \"pass\": the estimate is already past the bound");
    } else if (entry.inconclusive == Inconclusive::pass) {
      result.counted_as = checks::Verdict::pass;
    } else if (entry.inconclusive == Inconclusive::fail) {
      result.counted_as = checks::Verdict::fail;
    } else if (is_last_look(results)) {
      result.counted_as = checks::Verdict::fail;
      result.outcome.notes.push_back(
          fmt::format("still inconclusive after {} seeds, the most the policy allows", result.outcome.seeds.size()));
    } else {
      result.counted_as = checks::Verdict::error;
      result.outcome.notes.emplace_back(kUnfinishedNote);
    }
  }
  return result;
}

// The runs of the first `count` seeds (in seed order): what an earlier look saw.
std::vector<checks::Observation> first_seeds(const std::vector<checks::Observation>& observations, std::size_t count) {
  std::set<std::int64_t> seeds;
  for (const checks::Observation& o : observations) seeds.insert(o.seed);
  if (seeds.size() <= count) return observations;
  std::int64_t last = *std::next(seeds.begin(), static_cast<std::ptrdiff_t>(count) - 1);
  std::vector<checks::Observation> out;
  for (const checks::Observation& o : observations)
    if (o.seed <= last) out.push_back(o);
  return out;
}

// A sequential check is judged at each look up to this one, on the seeds
// each look had: the first look that reached a verdict decides it, so a
// check decided at an earlier look stays decided. `judged_look`, when given,
// receives the look whose verdict this is.
CheckResult judge(const Policy& policy, const CheckEntry& entry, const SweepResults& results,
                  const std::vector<checks::Observation>& observations, std::size_t share,
                  std::size_t* judged_look = nullptr) {
  std::size_t now = results.sequential.look;
  if (is_sequential(entry, results)) {
    for (std::size_t look = 0; look < now; ++look) {
      std::size_t seeds = results.sequential.looks[look];
      CheckResult earlier = judge_at(policy, entry, results, first_seeds(observations, seeds), look, share);
      if (earlier.outcome.verdict == checks::Verdict::pass || earlier.outcome.verdict == checks::Verdict::fail) {
        earlier.outcome.notes.push_back(fmt::format("decided at look {} on its first {} seeds", look + 1, seeds));
        if (judged_look) *judged_look = look;
        return earlier;
      }
    }
  }
  if (judged_look) *judged_look = now;
  return judge_at(policy, entry, results, observations, now, share);
}

// Every check judged: each on its own, or, with `family = "holm"`, by Holm's
// step-down over the checks with confidence. With r checks still open, each
// is judged at 1/r of its error rate; those that reach a verdict (pass or
// fail) close, and the rest are judged again at the larger share, until a
// step closes none. Since each check's two verdicts are complementary
// hypotheses, at most one per check can be wrongly reached, and the chance of
// any wrong verdict over the family stays at the checks' error rate.
std::vector<CheckResult> judge_all(const Policy& policy, const SweepResults& results,
                                   const std::vector<checks::Observation>& observations) {
  std::vector<CheckResult> out(policy.checks.size());
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < policy.checks.size(); ++i) {
    const CheckEntry& entry = policy.checks[i];
    if (policy.statistics.family == Family::holm && entry.confidence)
      open.push_back(i);
    else
      out[i] = judge(policy, entry, results, observations, 1);
  }
  std::size_t family = open.size();
  while (!open.empty()) {
    std::vector<std::size_t> still_open;
    for (std::size_t i : open) {
      out[i] = judge(policy, policy.checks[i], results, observations, open.size());
      checks::Verdict v = out[i].outcome.verdict;
      if (v != checks::Verdict::pass && v != checks::Verdict::fail) still_open.push_back(i);
    }
    if (still_open.size() == open.size()) break;
    open = std::move(still_open);
  }
  if (family > 1) {
    for (CheckResult& r : out)
      if (r.outcome.confidence)
        r.outcome.notes.push_back(
            fmt::format("Holm's correction across the policy's {} checks with confidence", family));
  }
  return out;
}

// The share of its error rate a check with confidence gets in Holm's first
// step, the smallest it gets at any look: every check with confidence is
// open then. 1 without Holm.
std::size_t first_step_share(const Policy& policy) {
  if (policy.statistics.family != Family::holm) return 1;
  auto with_confidence = std::count_if(policy.checks.begin(), policy.checks.end(),
                                       [](const CheckEntry& e) { return e.confidence.has_value(); });
  return std::max<std::size_t>(1, static_cast<std::size_t>(with_confidence));
}

// A sequential check that failed: judge() judges every later look's check at
// the looks before it first, on the same seeds, and returns the first
// decided one, so this failure is its verdict at every later look. Under
// Holm a check may fail only at a later step, at a larger share of the error
// rate that depends on which other checks closed; only a failure at the first
// step's share, which every later look judges first, is sure to stand.
std::optional<std::string> sequential_failure(const Policy& policy, const CheckEntry& entry,
                                              const SweepResults& results,
                                              const std::vector<checks::Observation>& observations) {
  std::size_t look = 0;
  CheckResult first_step = judge(policy, entry, results, observations, first_step_share(policy), &look);
  if (first_step.outcome.verdict != checks::Verdict::fail) return std::nullopt;
  const SequentialState& q = results.sequential;
  return fmt::format(
      "failed at look {} of {} ({} seeds) at the {} boundary, and a look's verdict stands at every "
      "later look",
      look + 1, q.looks.size(), q.looks[look], checks::to_string(policy.statistics.spending));
}

// A failures check that fails even if every run of the seeds still to come
// finishes. Its runs lost so far stay lost; at any later look the count lost
// is at least this one over fewer runs than the last look's, and both the
// observed share and the Clopper–Pearson interval only rise with more lost
// runs and fall with more runs in all, so the best case it can reach is this
// one: every later run finished, the last look's runs in all. Judged at the
// first Holm step's share, the widest interval any look gives it.
std::optional<std::string> failures_beyond_recovery(const Policy& policy, const CheckEntry& entry,
                                                    const SweepResults& results,
                                                    const std::vector<checks::Observation>& observations) {
  const SequentialState& q = results.sequential;
  if (results.runs.empty() || results.seeds.size() >= q.looks.back()) return std::nullopt;
  // Every seed runs the same cells: the first seed's records are the plan of one seed.
  std::int64_t pattern_seed = results.runs.front().run.seed;
  std::int64_t next_seed = pattern_seed;
  for (const RunRecord& r : results.runs) next_seed = std::max(next_seed, r.run.seed + 1);
  std::vector<checks::Observation> best = observations;
  std::size_t to_come = q.looks.back() - results.seeds.size();
  for (std::size_t i = 0; i < to_come; ++i, ++next_seed) {
    for (const RunRecord& r : results.runs) {
      if (r.run.seed != pattern_seed) continue;
      checks::Observation o = r.observation();
      o.seed = next_seed;
      o.lost.clear();
      o.violation.clear();
      best.push_back(std::move(o));
    }
  }
  std::vector<std::string> notes;
  checks::CheckSpec spec = spec_at_look(policy, entry, results, q.look, first_step_share(policy), notes);
  checks::CheckOutcome outcome = checks::evaluate(spec, best);
  if (outcome.verdict != checks::Verdict::fail || outcome.messages.empty()) return std::nullopt;
  return fmt::format("even if every run of the {} seed{} still to come finishes: {}", to_come, to_come == 1 ? "" : "s",
                     outcome.messages.front());
}

// Why a check that failed at this look fails at every later one, or nullopt
// when more seeds might still turn it. Kinds are counted only where the code
// shows it: a point estimate without confidence (a mean, a std) moves with
// more seeds, and an inconclusive check counted as a failure is not a
// failure at all.
std::optional<std::string> binding_failure(const Policy& policy, const CheckEntry& entry, const CheckResult& judged,
                                           const SweepResults& results,
                                           const std::vector<checks::Observation>& observations) {
  if (judged.outcome.verdict != checks::Verdict::fail) return std::nullopt;
  if (is_sequential(entry, results)) return sequential_failure(policy, entry, results, observations);
  switch (entry.spec.kind()) {
    // Both compare the runs of each seed among themselves (checks/digests):
    // the runs that disagree are in every later look's group, and a failure
    // in a group wins over anything the other seeds show.
    case checks::CheckKind::reproducibility:
      return "a seed's repeats already disagree (or one stopped on a determinism violation), and later seeds only add "
             "seeds to compare";
    case checks::CheckKind::consistency:
      return "a seed already disagrees across devices or thread counts, and later seeds only add seeds to compare";
    case checks::CheckKind::failures:
      return failures_beyond_recovery(policy, entry, results, observations);
    default:
      return std::nullopt;
  }
}

// The first check, in policy order, that fails for good at this look; none at
// the last look, where nothing is left to save.
std::optional<FutilityStop> find_futility(const Policy& policy, const SweepResults& results,
                                          const std::vector<checks::Observation>& observations,
                                          const std::vector<CheckResult>& judged) {
  if (is_last_look(results)) return std::nullopt;
  for (std::size_t i = 0; i < judged.size(); ++i) {
    if (auto reason = binding_failure(policy, policy.checks[i], judged[i], results, observations))
      return FutilityStop{policy.checks[i].spec.name, std::move(*reason)};
  }
  return std::nullopt;
}

// A sweep that stopped because its runs did (interrupted, or fail_fast) did
// not stop for futility, whatever its checks show.
bool runs_stopped(const SweepResults& results) {
  return results.interrupted || std::any_of(results.runs.begin(), results.runs.end(), [](const RunRecord& r) {
           return r.status == RunStatus::interrupted ||
                  (r.status == RunStatus::skipped && r.message.starts_with(kFailFastPrefix));
         });
}

}  // namespace

std::vector<std::string> environment_differences(const nlohmann::json& baseline, const nlohmann::json& candidate) {
  std::vector<std::string> out;
  for (const char* key : {"cpu", "cpu_count", "gpus", "gpu_driver", "os", "compiler", "seedgate_version"})
    compare_key(baseline, candidate, key, key, out);
  for (const char* group : {"libraries", "libtorch", "xgboost", "program", "python"}) {
    const nlohmann::json empty = nlohmann::json::object();
    // Results written before seedgate asked the interpreter have no "python":
    // that is not a change of environment.
    if (std::string_view(group) == "python" && (!baseline.contains(group) || !candidate.contains(group))) continue;
    const nlohmann::json& a = baseline.contains(group) ? baseline.at(group) : empty;
    const nlohmann::json& b = candidate.contains(group) ? candidate.at(group) : empty;
    if (!a.is_object() || !b.is_object()) continue;
    nlohmann::json keys = a;
    keys.update(b);
    for (const auto& [key, value] : keys.items()) {
      // The same interpreter and packages in another folder (a CI runner's workspace) are the same environment.
      if (std::string_view(group) == "python" && key == "executable") continue;
      compare_key(a, b, key, fmt::format("{}.{}", group, key), out);
    }
  }
  return out;
}

const RunRecord* every_run_failed(const SweepResults& results) {
  const RunRecord* first = nullptr;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::passed) return nullptr;
    if (!first && run_failed(r.status)) first = &r;
  }
  return first;
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
  if (const RunRecord* first = every_run_failed(results)) {
    std::size_t ran = std::count_if(results.runs.begin(), results.runs.end(),
                                    [](const RunRecord& r) { return run_failed(r.status); });
    // A program that cannot import what it needs: which interpreter it ran on.
    std::string interpreter;
    if (const auto python = results.environment.find("python");
        python != results.environment.end() && python->is_object()) {
      auto text = [&](const char* key) {
        auto it = python->find(key);
        return it != python->end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      if (!text("executable").empty())
        interpreter = fmt::format(" (Python {} at {})", text("version"), text("executable"));
    }
    errors.push_back(fmt::format("every run failed ({} run{}); the first, {}: {}{}", ran, ran == 1 ? "" : "s",
                                 first->run.id, first->message, interpreter));
  }
  std::size_t not_started = 0;
  const RunRecord* stopped = nullptr;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::skipped || !r.message.starts_with(kFailFastPrefix)) continue;
    ++not_started;
    stopped = &r;
  }
  if (stopped)
    errors.push_back(fmt::format("fail_fast stopped the sweep: {} run{} not started; {}", not_started,
                                 not_started == 1 ? "" : "s", stopped->message.substr(kFailFastPrefix.size())));
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

  std::vector<checks::Observation> observations = passed_observations(results, reads_predictions(policy));
  std::vector<CheckResult> judged = judge_all(policy, results, observations);
  // With no run finished, "no run matches this check" hides why: say it.
  if (const RunRecord* first = every_run_failed(results)) {
    for (CheckResult& result : judged)
      for (std::string& message : result.outcome.messages)
        if (message.starts_with("no finished run matches"))
          message = fmt::format("no run finished: every run failed; the first, {}: {}", first->run.id, first->message);
  }
  // A sequential sweep that stopped early because a check fails whatever later
  // seeds show: its undecided checks say so rather than ask for the rest of
  // the sweep; that failure decides the verdict.
  if (!is_last_look(results) && !runs_stopped(results)) {
    if (std::optional<FutilityStop> stop = find_futility(policy, results, observations, judged)) {
      const SequentialState& q = results.sequential;
      for (CheckResult& result : judged) {
        if (result.outcome.notes.empty() || result.outcome.notes.back() != kUnfinishedNote) continue;
        result.outcome.notes.back() = fmt::format(
            "not finished: the sweep stopped at look {} of {} ({} seeds) because check '{}' fails at any "
            "later look",
            q.look + 1, q.looks.size(), q.looks[q.look], stop->check);
      }
    }
  }
  bool any_failed = false, any_error = false;
  for (const CheckResult& result : judged) {
    any_failed |= result.counted_as == checks::Verdict::fail;
    any_error |= result.counted_as == checks::Verdict::error;
  }
  results.checks = std::move(judged);
  results.verdict = any_failed                                ? SweepVerdict::fail
                    : any_error || !evaluation.errors.empty() ? SweepVerdict::error
                                                              : SweepVerdict::pass;
  evaluation.exit_code = exit_code(results.verdict);
  return evaluation;
}

NextLook next_look(const Policy& policy, SweepResults& results) {
  NextLook next;
  if (is_last_look(results)) return next;
  std::vector<checks::Observation> observations = passed_observations(results, reads_predictions(policy));
  std::vector<CheckResult> judged = judge_all(policy, results, observations);
  bool open = false;
  for (std::size_t i = 0; i < judged.size(); ++i) {
    open |= policy.checks[i].inconclusive == Inconclusive::more_seeds &&
            judged[i].outcome.verdict == checks::Verdict::inconclusive;
  }
  if (!open) return next;
  next.futility = find_futility(policy, results, observations, judged);
  next.more_seeds = !next.futility;
  return next;
}

bool wants_more_seeds(const Policy& policy, SweepResults& results) {
  return next_look(policy, results).more_seeds;
}

}  // namespace seedgate
