#include "harness/sweep_history.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "checks/drift.hpp"
#include "checks/group.hpp"
#include "harness/evaluate.hpp"
#include "util/git_head.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

std::string variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The first line `git -C dir args` prints; empty when git fails.
std::string git(const std::filesystem::path& dir, const std::string& args) {
  std::string quoted = "'";
  for (char c : dir.string()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  std::string command = fmt::format("git -C {} {} 2>/dev/null", quoted, args);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "";
  std::array<char, 256> buffer{};
  std::string out;
  if (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) out = buffer.data();
  if (::pclose(pipe) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Commit and branch from the CI engine that runs us, else from the
// repository's files, else from git itself.
std::pair<std::string, std::string> source_of(const std::filesystem::path& dir) {
  if (variable("GITHUB_ACTIONS") == "true") {
    std::string branch = variable("GITHUB_HEAD_REF");  // set on pull requests: the source branch
    return {variable("GITHUB_SHA"), branch.empty() ? variable("GITHUB_REF_NAME") : branch};
  }
  if (variable("GITLAB_CI") == "true") return {variable("CI_COMMIT_SHA"), variable("CI_COMMIT_REF_NAME")};
  if (!variable("BUILDKITE_COMMIT").empty()) return {variable("BUILDKITE_COMMIT"), variable("BUILDKITE_BRANCH")};
  if (!variable("JENKINS_URL").empty()) {
    std::string branch = variable("BRANCH_NAME");
    if (branch.empty()) branch = variable("GIT_BRANCH");
    if (branch.starts_with("origin/")) branch.erase(0, 7);
    return {variable("GIT_COMMIT"), branch};
  }
  if (auto head = util::read_git_head(dir)) return {std::move(head->commit), std::move(head->branch)};
  std::string branch = git(dir, "rev-parse --abbrev-ref HEAD");
  if (branch == "HEAD") branch.clear();  // detached
  return {git(dir, "rev-parse HEAD"), branch};
}

std::string host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

std::string utc_timestamp() {
  auto now = std::chrono::system_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1'000'000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), micros);
}

std::string content_sweep_id(const std::vector<std::string>& contents) {
  std::string digest;
  if (contents.size() == 1) {
    digest = util::digest_bytes(contents.front());
  } else {
    std::vector<std::string> each;
    each.reserve(contents.size());
    for (const std::string& c : contents) each.push_back(util::digest_bytes(c));
    std::sort(each.begin(), each.end());
    digest = util::digest_bytes(util::join(each, "\n"));
  }
  return "imported-" + digest.substr(digest.find(':') + 1);
}

namespace {

checks::Observation observation_of(const history::RunRow& row) {
  checks::Observation o;
  o.seed = row.seed;
  o.repeat = row.repeat;
  o.mode = row.mode;
  o.device = row.device;
  o.threads = row.threads;
  o.variant = row.variant;
  o.source = row.source;
  o.fold = row.fold;
  o.metrics = row.metrics;
  return o;
}

// The sweeps the filter matches, oldest first, with `metrics` of their runs.
util::Result<std::vector<history::SweepRecord>> load_matching(history::Store& store, const history::Filter& filter,
                                                              const std::vector<std::string>& metrics) {
  auto listed = store.list(filter);
  if (!listed) return util::make_error(listed.error());
  std::vector<std::string> ids;
  ids.reserve(listed->size());
  for (const history::SweepSummary& s : *listed) ids.push_back(s.id);
  return store.load(ids, metrics);
}

// The branch's sweeps that started before these results, without them.
history::Filter before_this(const SweepResults& results, const std::string& branch, std::size_t count) {
  history::Filter filter;
  filter.branch = branch;
  filter.subject = results.subject;
  filter.before = results.started;
  filter.exclude = results.sweep_id;
  filter.newest = count;
  return filter;
}

const std::string& branch_of_check(const checks::CheckSpec& spec, const SweepResults& results) {
  const auto& own = spec.as<checks::DriftSpec>().branch;
  return own.empty() ? results.branch : own;
}

}  // namespace

void stamp_sweep(SweepResults& results, const Policy* policy, const std::filesystem::path& dir) {
  if (results.started.empty()) results.started = utc_timestamp();
  if (results.sweep_id.empty()) {
    std::string compact;
    for (char c : results.started.substr(0, 19))
      if (c != '-' && c != ':') compact += c;
    std::string salt = fmt::format("{} {} {} {}", results.started, host(), ::getpid(), results.policy_digest);
    std::string digest = util::digest_bytes(salt);
    results.sweep_id = compact + "Z-" + digest.substr(digest.size() - 8);
  }
  if (policy && !policy->history.branch.empty()) results.branch = policy->history.branch;
  if (results.commit.empty() || results.branch.empty()) {
    auto [commit, branch] = source_of(dir);
    if (results.commit.empty()) results.commit = commit;
    if (results.branch.empty()) results.branch = branch;
  }
  // A branch nobody could tell is a branch of its own: its sweeps are not
  // judged against every other branch's.
  if (results.branch.empty()) results.branch = kUnknownBranch;
}

history::SweepRecord to_record(const SweepResults& results) {
  history::SweepRecord record;
  record.id = results.sweep_id;
  record.started = results.started;
  record.commit = results.commit;
  record.branch = results.branch;
  record.subject = results.subject;
  record.policy_digest = results.policy_digest;
  record.fingerprint = results.environment.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  record.verdict = to_string(results.verdict);
  record.runs.reserve(results.runs.size());
  for (const RunRecord& r : results.runs) {
    // A run that never started has no time of its own (its zero is not one).
    bool ran = r.status != RunStatus::skipped && r.status != RunStatus::interrupted;
    record.runs.push_back({r.run.seed, r.run.repeat, r.run.mode, r.run.device, r.run.threads, r.run.variant,
                           r.run.source, r.run.fold, to_string(r.status), r.report.metrics,
                           ran ? r.process.wall_seconds : std::numeric_limits<double>::quiet_NaN()});
  }
  for (const CheckResult& c : results.checks) {
    const checks::CheckOutcome& o = c.outcome;
    record.checks.push_back(
        {o.name, checks::to_string(o.kind), o.metric, checks::to_string(o.verdict), util::join(o.messages, "\n")});
    for (const checks::Statistic& s : o.statistics) {
      history::StatisticRow row{o.name, s.group, s.name, s.value};
      if (s.bound) {
        row.bound_key = s.bound->key;
        row.bound = s.bound->value;
      }
      if (s.interval) {
        row.lower = s.interval->lower;
        row.upper = s.interval->upper;
      }
      row.verdict = checks::to_string(s.verdict);
      record.statistics.push_back(std::move(row));
    }
  }
  return record;
}

util::Result<std::unique_ptr<history::Store>> open_history(const Policy& policy, const std::string& override) {
  const std::string& url = override.empty() ? policy.history.store : override;
  if (url.empty()) return std::unique_ptr<history::Store>();
  if (auto problem = history_store_problem(url)) return util::make_error(fmt::format("history: {}", *problem));
  // --history's sqlite path is relative to where seedgate runs; the policy's to its folder.
  return history::open_store(url, override.empty() ? policy.dir : std::filesystem::current_path());
}

std::vector<RunRecord> runs_with_durations(const Policy& policy, const std::string& override) {
  auto store = open_history(policy, override);
  if (!store || !*store) return {};
  history::Filter filter;
  filter.subject = policy.subject.name;
  filter.newest = 1;
  auto newest = (*store)->list(filter);
  if (!newest || newest->empty()) return {};
  // The runs without their metrics: no metric is named "".
  auto loaded = (*store)->load({newest->front().id}, {""});
  if (!loaded || loaded->empty()) return {};
  std::vector<RunRecord> runs;
  for (const history::RunRow& row : loaded->front().runs) {
    if (!std::isfinite(row.wall_seconds) || row.wall_seconds < 0) continue;
    RunRecord record;
    record.run.seed = row.seed;
    record.run.repeat = row.repeat;
    record.run.mode = row.mode;
    record.run.device = row.device;
    record.run.threads = row.threads;
    record.run.variant = row.variant;
    record.run.source = row.source;
    record.run.fold = row.fold;
    record.run.id = run_id(record.run);
    // What a duration needs: a run that ended on its own (see DurationHistory::add).
    if (row.status == "passed") {
      record.status = RunStatus::passed;
    } else if (row.status == "failed") {
      record.status = RunStatus::failed;
    } else if (row.status == "timed_out") {
      record.status = RunStatus::timed_out;
    } else {
      continue;
    }
    record.process.wall_seconds = row.wall_seconds;
    runs.push_back(std::move(record));
  }
  return runs;
}

util::Result<void> read_history(history::Store& store, const Policy& policy, SweepResults& results) {
  // Per branch: the longest reference and span its drift checks need, and their metrics.
  struct Need {
    std::size_t window = 0, span = 0;
    std::set<std::string> metrics;
    std::optional<std::string> since;  // the earliest `since` of the branch's checks; "" when one has none
  };
  std::map<std::string, Need> wanted;
  for (const CheckEntry& entry : policy.checks) {
    if (!checks::kind_info(entry.spec.kind()).reads_history) continue;
    const auto& drift = entry.spec.as<checks::DriftSpec>();
    Need& need = wanted[branch_of_check(entry.spec, results)];
    need.window = std::max(need.window, static_cast<std::size_t>(drift.window));
    need.span = std::max(need.span, static_cast<std::size_t>(drift.span));
    need.metrics.insert(entry.spec.metric);
    need.since = need.since ? std::min(*need.since, drift.since) : drift.since;
  }
  for (const auto& [branch, need] : wanted) {
    // The newest `span` - 1 sweeps whatever their verdicts, and before them
    // enough accepted ones for a full reference: a run of failed nights
    // must not starve the reference.
    history::Filter filter = before_this(results, branch, 0);
    filter.since = need.since.value_or("");
    auto listed = store.list(filter);
    if (!listed) return util::make_error(listed.error());
    // Looking back at most 20 references' worth for them.
    std::vector<std::string> ids;
    std::size_t accepted_before = 0;
    const std::size_t in_span = need.span - 1, most = in_span + 20 * need.window;
    for (auto it = listed->rbegin(); it != listed->rend() && ids.size() < most; ++it) {
      if (ids.size() >= in_span && accepted_before >= need.window) break;
      if (ids.size() >= in_span && it->verdict == "pass") ++accepted_before;
      ids.push_back(it->id);
    }
    std::reverse(ids.begin(), ids.end());
    auto loaded = store.load(ids, {need.metrics.begin(), need.metrics.end()});
    if (!loaded) return util::make_error(loaded.error());
    std::vector<checks::PastSweep>& past = results.history[branch];
    past.clear();
    for (const history::SweepRecord& record : *loaded) {
      checks::PastSweep sweep{record.id, record.started, record.commit, record.verdict == "pass", {}, {}};
      for (const history::RunRow& row : record.runs)
        if (row.status == "passed") sweep.runs.push_back(observation_of(row));
      nlohmann::json fingerprint = nlohmann::json::parse(record.fingerprint, nullptr, false);
      if (!fingerprint.is_discarded() && fingerprint.is_object())
        sweep.environment_changes = environment_differences(fingerprint, results.environment);
      past.push_back(std::move(sweep));
    }
  }
  results.history_loaded = true;
  return {};
}

std::vector<std::string> judged_metrics(const Policy& policy) {
  std::vector<std::string> out;
  for (const CheckEntry& entry : policy.checks) {
    const checks::KindInfo& kind = checks::kind_info(entry.spec.kind());
    if (entry.spec.metric.empty() || kind.metric == checks::MetricUse::score) continue;
    if (std::find(out.begin(), out.end(), entry.spec.metric) == out.end()) out.push_back(entry.spec.metric);
  }
  return out;
}

std::vector<TrendSeries> trend_of(std::span<const history::SweepRecord> records,
                                  const std::vector<std::string>& metrics, const std::string& current) {
  std::vector<TrendSeries> out;
  for (const std::string& metric : metrics) {
    std::map<std::string, TrendSeries> by_group;
    for (const history::SweepRecord& record : records) {
      // Per group, per seed: the mean over repeats and folds.
      std::map<std::string, std::map<std::int64_t, std::pair<double, int>>> seeds;
      for (const history::RunRow& row : record.runs) {
        auto value = row.metrics.find(metric);
        if (row.status != "passed" || value == row.metrics.end() || !std::isfinite(value->second)) continue;
        checks::GroupKey key{row.mode, row.device, row.threads, row.variant, row.source};
        auto& [sum, count] = seeds[key.label()][row.seed];
        sum += value->second;
        ++count;
      }
      for (const auto& [group, per_seed] : seeds) {
        std::vector<double> means;
        means.reserve(per_seed.size());
        for (const auto& [seed, sc] : per_seed) means.push_back(sc.first / sc.second);
        TrendPoint point{record.id, record.started, record.commit, record.verdict, means.size()};
        for (double m : means) point.mean += m / static_cast<double>(means.size());
        point.lower = point.upper = point.mean;
        if (means.size() >= 2) {
          checks::Interval interval = checks::mean_interval(means, 0.95);
          point.lower = interval.lower;
          point.upper = interval.upper;
        }
        point.current = record.id == current;
        TrendSeries& series = by_group[group];
        series.metric = metric;
        series.group = group;
        series.points.push_back(std::move(point));
      }
    }
    for (auto& [group, series] : by_group) out.push_back(std::move(series));
  }
  return out;
}

util::Result<std::vector<TrendSeries>> read_trend(history::Store& store, const SweepResults& results,
                                                  const std::vector<std::string>& metrics, std::size_t count) {
  auto loaded = load_matching(store, before_this(results, results.branch, count), metrics);
  if (!loaded) return util::make_error(loaded.error());
  loaded->push_back(to_record(results));
  return trend_of(*loaded, metrics, results.sweep_id);
}

util::Result<bool> append_sweep(history::Store& store, const SweepResults& results) {
  if (store.load({results.sweep_id}, {""})) return false;  // already stored
  auto appended = store.append(to_record(results));
  if (appended) return true;
  // Another process (a second `check` of the same results) stored it between the look and the append.
  if (store.load({results.sweep_id}, {""})) return false;
  return util::make_error(appended.error());
}

}  // namespace seedgate
