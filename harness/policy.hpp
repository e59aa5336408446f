#pragma once
// The policy (seedgate.toml) as a validated value. Loading checks every key's
// type and range and rejects unknown keys; errors read
// "path:line:col: message", lower-case, with "did you mean" for near misses.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/sequential.hpp"
#include "lint/lint.hpp"
#include "util/result.hpp"

namespace seedgate {

using Duration = std::chrono::milliseconds;

struct SourcePosition {
  int line = 0;
  int column = 0;
};

// [subject.xgboost]: what adapter = "xgboost" trains inside seedgate.
struct XGBoostSubject {
  std::filesystem::path train;                                      // absolute
  std::vector<std::pair<std::string, std::filesystem::path>> eval;  // set name -> data, by name
  std::string format;                                               // "csv", "libsvm"; empty: by extension
  int label_column = -1;                                            // csv; -1: the last column
  int rounds = 10;
  int early_stopping_rounds = 0;                            // 0: off
  std::string early_stopping_metric;                        // "test-logloss"; empty: the last one evaluated
  std::vector<std::pair<std::string, std::string>> params;  // in policy order, arrays as repeated names
  std::string tree_method;                                  // from params; empty: "hist"
  std::vector<std::string> feature_names;
  std::string importance = "gain";
};

struct SubjectSpec {
  std::string name;
  std::string adapter = "command";
  std::vector<std::string> command;  // argv template with {placeholders}
  bool shell = false;                // command was one string: run through /bin/sh -c
  Duration timeout = std::chrono::minutes(10);
  Duration grace = std::chrono::seconds(5);  // between TERM and KILL
  std::map<std::string, std::string> env;
  int allowed_failures = 0;
  std::filesystem::path workdir;             // absolute
  std::uint64_t output_limit = 16ull << 20;  // bytes kept per stream per run
  std::optional<XGBoostSubject> xgboost;     // adapter = "xgboost"
};

struct SeedsSpec {
  std::vector<std::int64_t> seeds;        // the first look's seeds
  std::optional<std::int64_t> max_count;  // { start, count, max }: ceiling for sequential sweeps
  // Seeds up to `max_count` (start, start + 1, ...); just `seeds` without a ceiling.
  std::vector<std::int64_t> ceiling() const;
};

struct SweepSpec {
  SeedsSpec seeds;
  std::vector<std::string> modes = {"deterministic"};
  std::vector<std::string> devices = {"cpu"};
  std::vector<int> threads;  // empty: no threads axis
  int repeats = 1;
  int jobs = 0;  // 0: "auto", one per CPU
};

enum class Stream { protocol, stdout_stream, stderr_stream };
enum class Pick { last, first, min, max };

struct MetricSpec {
  std::string name;
  checks::Goal goal = checks::Goal::maximize;
  Stream source = Stream::protocol;
  std::string regex;  // with Stream::stdout_stream / stderr_stream; group 1 is the value
  Pick pick = Pick::last;
  bool required = true;  // a finished run that does not report it has failed
};

// What an inconclusive verdict counts as: a failure, a pass, or (with a
// ceiling on seeds) a reason to run the next look's seeds.
enum class Inconclusive { fail, pass, more_seeds };

struct CheckEntry {
  checks::CheckSpec spec;
  std::optional<double> confidence;
  Inconclusive inconclusive = Inconclusive::fail;
  SourcePosition position;  // of the [[check]] table, for annotations
};

// [statistics]: how intervals are computed and how sequential looks spend
// the error rate.
struct StatisticsSpec {
  checks::BootstrapOptions bootstrap;  // seed and resamples, so reports reproduce
  checks::Spending spending = checks::Spending::pocock;
};

struct ReportSpec {
  std::filesystem::path junit;  // empty: not written
  std::filesystem::path json;
  std::filesystem::path markdown;
  std::filesystem::path html;
};

struct Policy {
  std::filesystem::path path;  // as given
  std::filesystem::path dir;   // absolute folder that holds it
  std::string digest;          // of the policy's bytes
  SubjectSpec subject;
  SweepSpec sweep;
  std::vector<MetricSpec> metrics;                             // in policy order
  std::vector<std::pair<std::string, std::string>> artifacts;  // name -> path template
  StatisticsSpec statistics;
  std::vector<CheckEntry> checks;
  ReportSpec report;
  lint::LintConfig lint;  // [lint] (lint/config): what `seedgate lint` scans and how it judges

  const MetricSpec* find_metric(const std::string& name) const;
};

// Placeholders a command or artifact path may use.
inline constexpr std::string_view kPlaceholders[] = {"seed",   "mode",    "device", "threads",
                                                     "repeat", "run_dir", "metrics"};

util::Result<Policy> load_policy(const std::filesystem::path& path);
// `display_path` names the policy in messages; relative paths resolve against `dir`.
util::Result<Policy> parse_policy(std::string_view text, const std::string& display_path,
                                  const std::filesystem::path& dir);

util::Result<Duration> parse_duration(std::string_view text);
util::Result<std::uint64_t> parse_size(std::string_view text);

}  // namespace seedgate
