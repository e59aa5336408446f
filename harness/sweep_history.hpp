#pragma once
// A judged sweep in the history store (history/store.hpp), and what the
// harness reads back from it: the earlier sweeps a drift check compares with,
// and each judged metric's trend for the reports and `seedgate history`.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/policy.hpp"
#include "harness/results.hpp"
#include "history/store.hpp"

namespace seedgate {

// The branch of a sweep whose branch neither the policy, the CI engine nor git could tell.
inline constexpr std::string_view kUnknownBranch = "unknown";

// Sets what identifies the sweep in a history, where unset: a unique id, the
// time (UTC, to the microsecond), and the commit and branch, from the policy's
// [history] branch, the CI engine's variables (GitHub Actions, GitLab CI,
// Jenkins, Buildkite) or git in the policy's folder.
void stamp_sweep(SweepResults& results, const Policy* policy, const std::filesystem::path& dir);

history::SweepRecord to_record(const SweepResults& results);

// The id of a sweep known only by its results files (written before sweeps
// had ids, or shards merged by `check`): the same bytes, the same id, so
// that importing or checking them again finds them stored.
std::string content_sweep_id(const std::vector<std::string>& contents);

// Now, as sweeps' times are kept: UTC, ISO 8601 to the microsecond.
std::string utc_timestamp();

// The store the policy names, or `override` (--history) when given; null
// (and no error) when neither names one.
util::Result<std::unique_ptr<history::Store>> open_history(const Policy& policy, const std::string& override);

// Reads the earlier sweeps every drift check needs into `results.history`
// (per branch: its newest span - 1 sweeps that started before this one, and
// before them enough sweeps for `window` accepted ones).
util::Result<void> read_history(history::Store& store, const Policy& policy, SweepResults& results);

// The runs of the newest sweep of the policy's subject in its history store
// that ran (their wall times order the next sweep's runs longest first). None
// when there is no store, or it cannot be read: judging reports that later.
std::vector<RunRecord> runs_with_durations(const Policy& policy, const std::string& override);

// The metrics the policy's checks judge (a metric of the runs, not a score of predictions).
std::vector<std::string> judged_metrics(const Policy& policy);

// Each metric's level per sweep and group: per-seed means (over repeats and
// folds), their mean and 95% t interval. `records` oldest first; the one
// whose id is `current` is marked.
std::vector<TrendSeries> trend_of(std::span<const history::SweepRecord> records,
                                  const std::vector<std::string>& metrics, const std::string& current);

// The branch's newest `count` sweeps before this one, then this one.
util::Result<std::vector<TrendSeries>> read_trend(history::Store& store, const SweepResults& results,
                                                  const std::vector<std::string>& metrics, std::size_t count);

// Appends the judged sweep. False, without an error, when a sweep with its id
// is already stored (`seedgate check` of results judged before).
util::Result<bool> append_sweep(history::Store& store, const SweepResults& results);

}  // namespace seedgate
