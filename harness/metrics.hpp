#pragma once
// What a run reported: the protocol's metrics file (JSON lines, plain and
// typed records), regex metrics over captured output, artifact digests.
// Nothing a training program writes can crash this parser: every malformed,
// non-finite or unknown record becomes an issue with its line number.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
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

// Splits text into lines at "\n", "\r\n" and a lone "\r" (a progress bar's
// updates), chunk by chunk, so a log of any size is read in bounded memory. A
// line longer than kMaxLineBytes reaches `on_line` in pieces of that size,
// each overlapping the one before by kLineOverlapBytes, under one line number.
class LineSplitter {
 public:
  using OnLine = std::function<void(std::string_view line, std::size_t number)>;
  explicit LineSplitter(OnLine on_line) : m_on_line(std::move(on_line)) {}
  void feed(std::string_view chunk);
  void finish();

 private:
  void emit();
  OnLine m_on_line;
  std::string m_line;
  std::size_t m_number = 1;
  bool m_after_cr = false;   // the last byte fed was a '\r': a '\n' next ends nothing more
  bool m_cut_piece = false;  // m_line continues a piece already passed on
};
inline constexpr std::size_t kMaxLineBytes = 1u << 20;
inline constexpr std::size_t kLineOverlapBytes = 4096;

// One value a regex metric matched.
struct RegexMatch {
  std::string log;  // "stdout.log"
  std::size_t line = 0;
  double value = 0;
};

// What one regex metric found in the logs it reads: every match counted, the
// first and last few kept, and the value its `pick` chose.
struct RegexExtraction {
  std::string metric;
  std::string looked_in;  // "stdout", "stderr", "stdout and stderr", or a log's name
  std::size_t matches = 0;
  std::vector<RegexMatch> first, last;  // at most kKeptMatches each
  std::optional<double> picked;
  std::vector<std::string> issues;
};
inline constexpr std::size_t kKeptMatches = 5;

// The logs a run's regex metrics read: a captured stream, or a saved log that
// stands for both (`seedgate metrics test`).
struct LogFile {
  Stream stream = Stream::both_streams;
  std::filesystem::path path;
  std::string label;  // "stdout.log"
};

// "stdout", "stderr" or "stdout and stderr".
std::string stream_name(Stream stream);

// Reads each log once (at most `max_bytes` of it, from its start) and applies
// every regex metric whose stream it is. A metric that matches nothing on the
// one stream it reads but would on the other says so in its issues.
std::vector<RegexExtraction> extract_regex_metrics(const std::vector<MetricSpec>& metrics,
                                                   const std::vector<LogFile>& logs, std::uint64_t max_bytes);
// How each regex metric is read: metric -> {regex, stream, pick}.
nlohmann::json regex_metric_specs(const std::vector<MetricSpec>& metrics);

// Sets each extraction's picked value as the metric's, and adds its issues.
void apply_extractions(const std::vector<RegexExtraction>& extractions, RunReport& report);

// Applies a regex metric (group 1 is the value) to captured output.
void apply_regex_metric(const MetricSpec& metric, std::string_view output, const std::string& label, RunReport& report);

inline constexpr std::size_t kMaxIssuesPerRun = 50;
inline constexpr std::size_t kMaxSeriesPoints = 10000;
inline constexpr std::uint64_t kMaxMetricsFileBytes = 64ull << 20;

}  // namespace seedgate
