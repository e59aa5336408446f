#pragma once
// The results file: schema version, the policy's digest, the plan, every
// run's record, the environment fingerprint and the checks' outcomes. It is
// what `seedgate check` and `seedgate report` read back, so it holds all they
// need (no run folder is required to re-judge a sweep).
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.hpp"
#include "harness/metrics.hpp"
#include "harness/plan.hpp"
#include "harness/runner.hpp"
#include "util/result.hpp"
#include "util/strings.hpp"

namespace seedgate {

// Version 2 keeps each run compactly (to_compact_json), its machine once for
// the sweep, and the runs last, one per line; version 1 files still read.
inline constexpr int kResultsSchemaVersion = 2;
inline constexpr int kOldestResultsSchemaVersion = 1;

// `violated`: the run stopped on an op with no deterministic implementation
// (a "nondeterministic-op" event); reproducibility checks fail on it.
enum class RunStatus { passed, failed, timed_out, interrupted, skipped, violated };
const char* to_string(RunStatus status);
// The run ended without results: failed, timed out or violated determinism.
inline bool run_failed(RunStatus s) {
  return s == RunStatus::failed || s == RunStatus::timed_out || s == RunStatus::violated;
}

// Protocol event names seedgate acts on.
inline constexpr std::string_view kNondeterministicOpEvent = "nondeterministic-op";
inline constexpr std::string_view kFrameworkErrorEvent = "framework-error";
// How a skipped run's message starts when fail_fast kept it from starting.
inline constexpr std::string_view kFailFastPrefix = "not started: fail_fast: ";

// The deepest a results or run record file may nest: a program's records
// (util::kMaxJsonDepth) inside the file's own few levels.
inline constexpr std::size_t kMaxResultsDepth = util::kMaxJsonDepth + 16;

struct RunRecord {
  RunSpec run;
  RunStatus status = RunStatus::passed;
  std::string message;  // why it failed, in words; empty when it passed
  std::string machine;  // host that ran it
  ProcessResult process;
  RunReport report;
  std::string stdout_tail;  // last few KiB, for reports of failed runs
  std::string stderr_tail;

  checks::Observation observation() const;
};

struct CheckResult {
  checks::CheckOutcome outcome;
  // What decides the exit code: an inconclusive outcome counts as the policy's
  // `inconclusive` says (pass or fail); other verdicts count as themselves.
  checks::Verdict counted_as = checks::Verdict::pass;
  int policy_line = 0;
};

// Where a sequential sweep (`inconclusive = "more-seeds"`) stands.
struct SequentialState {
  std::vector<std::size_t> looks;  // planned seed counts; empty: a fixed sweep
  std::size_t look = 0;            // 0-based index of the look these results are
  std::string spending;            // "pocock" or "obrien-fleming"
};

// A shard's place in a sharded sweep (see harness/shard.hpp).
// More shards than this is a typo (or a tampered file), not a cluster.
inline constexpr int kMaxShardCount = 10'000;

struct ShardInfo {
  int index = 0;  // 1-based
  int count = 0;
  std::string plan_digest;
  std::string machine;
  double wall_seconds = 0;
  std::vector<std::string> cells;  // the full plan's cells in order (a shard's own results only)
};

// The sweep's verdict: every check passed, a check failed, the sweep could
// not be judged; `shard` for one shard's own results, which are judged only
// once merged; `none` before evaluation.
enum class SweepVerdict { none, pass, fail, error, shard };
const char* to_string(SweepVerdict verdict);
std::optional<SweepVerdict> sweep_verdict_from(std::string_view text);

// One sweep's level of a metric in a history trend: its mean over seeds and
// the 95% t interval of that mean.
struct TrendPoint {
  std::string sweep_id;
  std::string started;
  std::string commit;
  std::string verdict;
  std::size_t seeds = 0;
  double mean = 0;
  double lower = 0;
  double upper = 0;
  bool current = false;  // the sweep these results are
};

// A metric's trend in one group ("mode=default, device=cpu"), oldest first.
struct TrendSeries {
  std::string metric;
  std::string group;
  std::vector<TrendPoint> points;
};

struct SweepResults {
  int schema_version = kResultsSchemaVersion;
  std::string seedgate_version;
  std::string policy_path;
  std::string policy_digest;
  std::string subject;
  std::vector<std::int64_t> seeds;  // seeds run (a sequential sweep: up to its last look)
  SequentialState sequential;
  std::vector<RunRecord> runs;  // every planned run, skipped and interrupted ones included
  bool interrupted = false;
  double wall_seconds = 0;
  nlohmann::json environment = nlohmann::json::object();
  // How the regex metrics were read (metric -> regex, stream, pick), so that
  // `check` re-reads the stored logs when a policy's pattern changed.
  nlohmann::json regex_metrics = nlohmann::json::object();
  // Each metric's goal, as the policy declared it: which seed is the best.
  std::map<std::string, checks::Goal> goals;
  bool best_seed_report = false;    // [report] best_seed_report
  std::vector<CheckResult> checks;  // filled by evaluation
  SweepVerdict verdict = SweepVerdict::none;
  std::optional<ShardInfo> shard;      // set in a shard's own results
  std::vector<ShardInfo> merged_from;  // the shards a merged sweep was made of
  // Who the sweep is in a history store: a unique id, when it started (UTC,
  // ISO 8601), the commit and branch it ran on. Set when it is first judged.
  std::string sweep_id;
  std::string started;
  std::string commit;
  std::string branch;
  std::string history_store;       // where it was appended (without credentials); empty: nowhere
  std::vector<TrendSeries> trend;  // each judged metric over the branch's recent sweeps, this one last
  // Not stored: earlier sweeps read from the history store for drift checks,
  // oldest first, per branch, and whether they were read (a drift check
  // without them is an error).
  std::map<std::string, std::vector<checks::PastSweep>> history;
  bool history_loaded = false;
  std::string history_error;  // why the store could not be opened or read

  // Not stored: the folders whose runs/<id>/ hold the runs' files (the sweep's
  // --out, or the results files' folders), for the checks that read predictions.
  std::vector<std::filesystem::path> run_roots;
};

// True for a sweep's time as it is kept ("2026-12-01T03:17:00.123456Z":
// UTC, to the microsecond), which sorts as text.
bool is_utc_timestamp(std::string_view text);

nlohmann::json to_json(const RunRecord& record);
// The record without what a reader fills in by itself (empty texts and
// tables, zero counts, the default fold): how the journal and the results
// file since schema version 2 keep a run.
nlohmann::json to_compact_json(const RunRecord& record);
util::Result<RunRecord> run_record_from_json(const nlohmann::json& value);
nlohmann::json to_json(const SweepResults& results);
util::Result<SweepResults> results_from_json(const nlohmann::json& value, const std::string& label);

util::Result<void> save_results(const std::filesystem::path& path, const SweepResults& results);
util::Result<SweepResults> load_results(const std::filesystem::path& path);

}  // namespace seedgate
