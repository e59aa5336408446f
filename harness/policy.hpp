#pragma once
// The policy (seedgate.toml) as a validated value. Loading checks every key's
// type and range and rejects unknown keys; errors read
// "path:line:col: message", lower-case, with "did you mean" for near misses.
#include <any>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/sequential.hpp"
#include "lint/lint.hpp"
#include "util/result.hpp"

// toml::node without toml++'s whole header in every file that includes this.
#include <toml++/impl/forward_declarations.h>

namespace util {
class TomlReader;
}

namespace seedgate {

using Duration = std::chrono::milliseconds;

struct SourcePosition {
  int line = 0;
  int column = 0;
};

// An adapter's own table in [subject], named after it ([subject.xgboost]):
// declared by the adapter (adapters/registry lists them), read by the policy
// loader with the same errors as every other key, and kept, parsed, in
// SubjectSpec::adapter_table for the adapter alone to read.
struct SubjectTable {
  std::string_view adapter;  // the adapter that takes the table, and the table's name
  std::string_view keys;     // "(train, eval, params, rounds)": named when the table is missing
  bool in_process = false;   // the adapter trains inside seedgate: no command, env or workdir
  std::any (*parse)(const util::TomlReader& reader, const toml::node& table,
                    const std::filesystem::path& dir) = nullptr;
};

struct SubjectSpec {
  std::string name;
  std::string adapter = "command";
  std::vector<std::string> command;  // argv template with {placeholders}
  SourcePosition command_position;   // of the 'command' key, for warnings about the program
  bool shell = false;                // command was one string: run through /bin/sh -c
  Duration timeout = std::chrono::minutes(10);
  Duration grace = std::chrono::seconds(5);  // between TERM and KILL
  std::map<std::string, std::string> env;
  int allowed_failures = 0;
  std::filesystem::path workdir;             // absolute
  std::uint64_t output_limit = 16ull << 20;  // bytes kept per stream per run
  // [artifacts] may name files outside {run_dir}; one a run did not write then fails it.
  bool shared_artifacts = false;
  std::any adapter_table;  // [subject.<adapter>], parsed by its SubjectTable
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
  // GPUs the runs with device "cuda" share, one run per GPU at a time, each
  // shown its own through CUDA_VISIBLE_DEVICES; -1: as many as are detected.
  int gpus = -1;
  // Stop starting runs once the first kFailFastRuns finished runs all failed
  // with the same message (a program that fails at once, for every seed).
  bool fail_fast = false;
  // Cross-validation: each seed runs once per fold (SEEDGATE_FOLD, {fold});
  // 0: no folds axis. The split's seed (SEEDGATE_FOLD_SEED) is `fold_seed`,
  // the same for every model seed, or with `paired_folds` the model seed.
  int folds = 0;
  std::int64_t fold_seed = 0;
  bool paired_folds = false;
  // Sources of randomness varied one at a time (kSeedSources), the others
  // held at the first seed: each run varies `source` by the run's seed
  // (SEEDGATE_SEED_<SOURCE>). Empty: every source follows SEEDGATE_SEED.
  std::vector<std::string> vary;
};
// What `vary` may name; each reaches the run as SEEDGATE_SEED_<NAME>.
inline constexpr std::string_view kSeedSources[] = {"init", "order", "split", "dropout"};

// One configuration the sweep runs across the same seeds ([[variant]]).
struct VariantSpec {
  std::string name;                                         // [A-Za-z0-9._-]+, in run ids and SEEDGATE_VARIANT
  std::map<std::string, std::string> env;                   // over the subject's env
  std::vector<std::string> args;                            // appended to the command, {placeholders} expanded
  std::vector<std::pair<std::string, std::string>> params;  // the xgboost adapter's parameters, over its own
  SourcePosition position;
};
inline constexpr int kMaxFolds = 100;
inline constexpr std::size_t kFailFastRuns = 3;

enum class Stream { protocol, stdout_stream, stderr_stream, both_streams };
enum class Pick { last, first, min, max };

struct MetricSpec {
  std::string name;
  checks::Goal goal = checks::Goal::maximize;
  Stream source = Stream::protocol;
  std::string regex;  // with a stream other than protocol; group 1 is the value
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
// How the checks of one policy share the error rate: each on its own, or
// Holm's step-down across the checks that take `confidence`, so that the
// chance of any wrong verdict among them stays at 1 - confidence.
enum class Family { none, holm };
const char* to_string(Family family);

struct StatisticsSpec {
  checks::BootstrapOptions bootstrap;  // seed and resamples, so reports reproduce
  checks::Spending spending = checks::Spending::pocock;
  Family family = Family::none;
};

struct ReportSpec {
  std::filesystem::path junit;  // empty: not written
  std::filesystem::path json;
  std::filesystem::path markdown;
  std::filesystem::path html;
  // A warning block in every report: the best seed's value, what a fresh seed
  // is expected to give, and how much choosing the best overstates.
  bool best_seed_report = false;
};

// [history]: where every judged sweep is appended, and where drift checks
// read earlier sweeps from (history/store.hpp).
struct HistorySpec {
  // "sqlite:PATH" (PATH relative to the policy's folder) or "postgresql://..."
  // (no password: PGPASSWORD or ~/.pgpass). Empty: no history.
  std::string store;
  std::string branch;  // the sweep's branch; empty: from the CI engine's variables, or git
};

struct Policy {
  std::filesystem::path path;  // as given
  std::filesystem::path dir;   // absolute folder that holds it
  std::string digest;          // of the policy's bytes
  SubjectSpec subject;
  SweepSpec sweep;
  std::vector<VariantSpec> variants;                           // empty: the subject as it is
  std::vector<MetricSpec> metrics;                             // in policy order
  std::vector<std::pair<std::string, std::string>> artifacts;  // name -> path template
  StatisticsSpec statistics;
  std::vector<CheckEntry> checks;
  ReportSpec report;
  HistorySpec history;
  lint::LintConfig lint;  // [lint] (lint/config): what `seedgate lint` scans and how it judges

  const MetricSpec* find_metric(const std::string& name) const;
};

// Placeholders a command or artifact path may use.
inline constexpr std::string_view kPlaceholders[] = {"seed",   "mode",    "device", "threads",
                                                     "repeat", "run_dir", "metrics"};

// `tables`: the adapters' own [subject.<adapter>] tables (adapters/registry's
// subject_tables()); without them such a table is an unknown key.
util::Result<Policy> load_policy(const std::filesystem::path& path, std::span<const SubjectTable> tables = {});
// `display_path` names the policy in messages; relative paths resolve against `dir`.
util::Result<Policy> parse_policy(std::string_view text, const std::string& display_path,
                                  const std::filesystem::path& dir, std::span<const SubjectTable> tables = {});

util::Result<Duration> parse_duration(std::string_view text);
// Why a [history] store (or --history) cannot be used: not "sqlite:PATH" or
// "postgresql://...", or it holds a password. nullopt when it can.
std::optional<std::string> history_store_problem(std::string_view store);
util::Result<std::uint64_t> parse_size(std::string_view text);

}  // namespace seedgate
