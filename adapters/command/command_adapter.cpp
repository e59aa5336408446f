#include "adapters/command/command_adapter.hpp"

#include <fmt/format.h>

#include "util/atomic_file.hpp"
#include "util/hash.hpp"

namespace seedgate {

ProcessSpec CommandAdapter::command_for(const Policy& policy, const RunSpec& run, const RunContext& context,
                                        const std::map<std::string, std::string>& base_env) const {
  auto values = placeholder_values(run, context);
  ProcessSpec spec;
  if (policy.subject.shell) {
    spec.argv = {"/bin/sh", "-c", expand_placeholders(policy.subject.command.front(), values)};
  } else {
    for (const std::string& arg : policy.subject.command) spec.argv.push_back(expand_placeholders(arg, values));
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
    std::filesystem::path path = expand_placeholders(path_template, values);
    if (path.is_relative()) path = policy.subject.workdir / path;
    auto digest = util::digest_file(path);
    if (!digest) {
      report.issues.push_back(fmt::format("artifact '{}': {}", name, digest.error()));
      continue;
    }
    report.digests[name] = *digest;
  }
  return report;
}

}  // namespace seedgate
