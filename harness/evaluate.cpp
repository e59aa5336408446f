#include "harness/evaluate.hpp"

#include <fmt/format.h>

namespace seedgate {

Evaluation evaluate_policy(const Policy& policy, SweepResults& results) {
  Evaluation evaluation;
  std::vector<checks::Observation> observations;
  std::size_t failed = 0, interrupted = 0;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::passed) observations.push_back(r.observation());
    if (r.status == RunStatus::failed || r.status == RunStatus::timed_out) ++failed;
    if (r.status == RunStatus::interrupted) ++interrupted;
  }
  if (failed > static_cast<std::size_t>(policy.subject.allowed_failures)) {
    evaluation.errors.push_back(fmt::format("{} run{} failed; the policy allows {} (allowed_failures)", failed,
                                            failed == 1 ? "" : "s", policy.subject.allowed_failures));
  }
  if (results.interrupted || interrupted > 0) {
    evaluation.errors.push_back(
        fmt::format("the sweep was interrupted with {} run{} unfinished; finish it with "
                    "`seedgate run --resume`",
                    interrupted, interrupted == 1 ? "" : "s"));
  }

  results.checks.clear();
  bool any_failed = false, any_error = false;
  for (const CheckEntry& entry : policy.checks) {
    CheckResult result{{}, entry.position.line};
    std::vector<checks::Observation> baseline;
    if (entry.spec.kind == checks::CheckKind::regression) {
      auto loaded = load_results(entry.baseline);
      if (!loaded) {
        // Nothing to compare against: judge nothing, say why.
        result.outcome = {entry.spec.name,
                          entry.spec.kind,
                          entry.spec.metric,
                          checks::Verdict::error,
                          {fmt::format("cannot read baseline: {}", loaded.error())},
                          {},
                          {}};
      } else {
        for (const RunRecord& r : loaded->runs)
          if (r.status == RunStatus::passed) baseline.push_back(r.observation());
      }
    }
    if (result.outcome.verdict != checks::Verdict::error)
      result.outcome = checks::evaluate(entry.spec, observations, baseline);
    any_failed |= result.outcome.verdict == checks::Verdict::fail;
    any_error |= result.outcome.verdict == checks::Verdict::error;
    results.checks.push_back(std::move(result));
  }
  if (any_failed) {
    evaluation.exit_code = 1;
    results.verdict = "fail";
  } else if (any_error || !evaluation.errors.empty()) {
    evaluation.exit_code = 3;
    results.verdict = "error";
  } else {
    results.verdict = "pass";
  }
  return evaluation;
}

}  // namespace seedgate
