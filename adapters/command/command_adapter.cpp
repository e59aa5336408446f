#include "adapters/command/command_adapter.hpp"

#include <fmt/format.h>

#include "adapters/command/python_env.hpp"
#include "util/atomic_file.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace seedgate {

ProcessSpec CommandAdapter::command_for(const Policy& policy, const RunSpec& run, const RunContext& context,
                                        const std::map<std::string, std::string>& base_env) const {
  auto values = placeholder_values(run, context);
  ProcessSpec spec;
  if (policy.subject.shell) {
    spec.argv = {"/bin/sh", "-c", expand_placeholders(policy.subject.command.front(), values)};
  } else {
    for (const std::string& arg : policy.subject.command) spec.argv.push_back(expand_placeholders(arg, values));
    // A variant's arguments follow the command's.
    for (const VariantSpec& v : policy.variants)
      if (v.name == run.variant)
        for (const std::string& arg : v.args) spec.argv.push_back(expand_placeholders(arg, values));
  }
  spec.env = run_environment(base_env, policy, run, context);
  spec.cwd = policy.subject.workdir;
  spec.stdout_path = context.run_dir / "stdout.log";
  spec.stderr_path = context.run_dir / "stderr.log";
  spec.output_limit = policy.subject.output_limit;
  spec.timeout = policy.subject.timeout;
  spec.grace = policy.subject.grace;
  return spec;
}

RunReport CommandAdapter::collect(const Policy& policy, const RunSpec& run, const RunContext& context,
                                  const ProcessSpec& spec) const {
  RunReport report;
  std::error_code ec;
  if (std::filesystem::exists(context.metrics_file, ec)) {
    auto content = util::read_file_tail(context.metrics_file, kMaxMetricsFileBytes);
    if (!content) {
      report.issues.push_back(content.error());
    } else {
      if (std::filesystem::file_size(context.metrics_file, ec) > kMaxMetricsFileBytes)
        report.issues.push_back(
            fmt::format("metrics.jsonl is larger than {} MiB; only its end was read", kMaxMetricsFileBytes >> 20));
      parse_protocol(*content, "metrics.jsonl", report);
    }
  }
  // seedgate wrote the logs, capped; the program may still have replaced
  // them (by a FIFO, say), so they are read as any file it names.
  apply_extractions(extract_regex_metrics(policy.metrics,
                                          {{Stream::stdout_stream, spec.stdout_path, "stdout.log"},
                                           {Stream::stderr_stream, spec.stderr_path, "stderr.log"}},
                                          spec.output_limit + 4096),
                    report);
  auto values = placeholder_values(run, context);
  for (const auto& [name, path_template] : policy.artifacts) {
    std::filesystem::path path = artifact_path(policy, path_template, values);
    if (auto before = context.artifacts_before.find(name);
        before != context.artifacts_before.end() && !before->second.empty() && file_stamp(path) == before->second) {
      report.issues.push_back(
          fmt::format("artifact '{}': {} was not written by this run (unchanged since before it started): a stale file",
                      name, path.string()));
      continue;
    }
    auto digest = util::digest_file(path);
    if (!digest) {
      report.issues.push_back(fmt::format("artifact '{}': {}", name, digest.error()));
      continue;
    }
    report.digests[name] = *digest;
  }
  return report;
}

void CommandAdapter::describe_environment(const Policy& policy, const std::vector<RunRecord>& runs,
                                          nlohmann::json& environment) const {
  // The protocol's {"type": "env"} record, from the first passed run (the
  // one a regression check compares).
  for (const RunRecord& r : runs) {
    if (r.status == RunStatus::passed && !r.report.env.empty()) {
      environment["program"] = r.report.env;
      break;
    }
  }
  // A sweep asked to stop ends now: no query. Otherwise the interpreter is
  // asked once, as the first run that started was run (same command,
  // environment and folder), for no longer than a run may take.
  const RunRecord* first = nullptr;
  for (const RunRecord& r : runs) {
    if (r.status == RunStatus::interrupted) return;
    if (!first && r.status != RunStatus::skipped) first = &r;
  }
  if (!first || policy.subject.command.empty()) return;
  ProcessSpec spec = command_for(policy, first->run, RunContext{}, current_environment());
  auto run_path = spec.env.find("PATH");
  auto interpreter = python_interpreter(spec.argv, spec.cwd, util::search_path(),
                                        run_path == spec.env.end() ? util::kDefaultSearchPath : run_path->second);
  if (!interpreter) return;
  std::chrono::milliseconds timeout = kPythonQueryTimeout;
  if (policy.subject.timeout.count() > 0) timeout = std::min(timeout, policy.subject.timeout);
  environment["python"] = query_python_environment(*interpreter, spec.cwd, spec.env, timeout);
}

}  // namespace seedgate
