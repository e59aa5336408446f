#pragma once
// What a run reported: the protocol's metrics file (JSON lines, plain and
// typed records), regex metrics over captured output, artifact digests.
// Nothing a training program writes can crash this parser: every malformed,
// non-finite or unknown record becomes an issue with its line number.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/policy.hpp"
#include "util/result.hpp"

namespace seedgate {

struct RunEvent {
  std::string name;
  std::string message;
};

struct RunReport {
  std::map<std::string, double> metrics;                                       // final values (a metric's last line)
  std::map<std::string, std::vector<std::pair<std::int64_t, double>>> series;  // (step, value) lines
  std::map<std::string, std::string> digests;                                  // artifact -> "xxh3:..."
  std::vector<std::string> predictions;                                        // paths
  std::vector<RunEvent> events;
  std::map<std::string, std::string> env;    // from {"type": "env"} records
  std::map<std::string, double> importance;  // feature -> score, from an {"type": "importance"} record
  std::string importance_kind;               // "gain", "weight", ...
  std::vector<std::string> issues;           // "metrics.jsonl:3: ..."
};

// Parses the protocol file's text; `label` names it in issues.
void parse_protocol(std::string_view content, const std::string& label, RunReport& report);

// The number of capture groups of a [metrics] pattern, or why RE2 can't run
// it (backreferences and lookaround have no linear-time match).
util::Result<int> metric_regex_groups(const std::string& pattern);

// Applies a regex metric (group 1 is the value) to captured output.
void apply_regex_metric(const MetricSpec& metric, std::string_view output, const std::string& label, RunReport& report);

inline constexpr std::size_t kMaxIssuesPerRun = 50;
inline constexpr std::size_t kMaxSeriesPoints = 10000;
inline constexpr std::uint64_t kMaxMetricsFileBytes = 64ull << 20;

}  // namespace seedgate
