#include "harness/sweep.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>

#include "harness/evaluate.hpp"
#include "harness/fingerprint.hpp"
#include "harness/journal.hpp"
#include "harness/leftovers.hpp"
#include "harness/run_folders.hpp"
#include "harness/scheduler.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

constexpr std::size_t kTailBytes = 4096;

std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string read_tail(const std::filesystem::path& path) {
  auto text = util::read_file_tail(path, kTailBytes);
  return text ? *text : std::string();
}

constexpr const char* kRunDirVariable = "SEEDGATE_RUN_DIR";
constexpr std::size_t kMaxRunRecordBytes = 64u << 20;

// A run's record as sweeps before the journal kept it, in runs/<id>/result.json
// with the policy's digest: --resume still reuses those.
std::optional<RunRecord> load_finished_run(const std::filesystem::path& dir, const RunSpec& run,
                                           const std::string& policy_digest) {
  // The run's program could have left anything under this name.
  auto text = util::read_file_tail(dir / "result.json", kMaxRunRecordBytes);
  if (!text || util::json_depth(*text) > kMaxResultsDepth) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(*text, nullptr, false);
  if (value.is_discarded() || value.value("policy_digest", "") != policy_digest) return std::nullopt;
  auto record = run_record_from_json(value);
  if (!record || record->run.id != run.id || record->status == RunStatus::interrupted) return std::nullopt;
  return std::move(*record);
}

}  // namespace

std::string seedgate_version() {
  return SEEDGATE_VERSION;
}

void classify_run(const Policy& policy, RunRecord& record) {
  const ProcessResult& p = record.process;
  if (p.status == ProcessResult::Status::interrupted) {
    record.status = RunStatus::interrupted;
    record.message = describe(p, policy.subject.timeout);
    return;
  }
  for (const RunEvent& e : record.report.events) {
    if (e.name != kNondeterministicOpEvent) continue;
    record.status = RunStatus::violated;
    record.message = "determinism violation: " +
                     (e.message.empty() ? std::string("an op with no deterministic implementation ran") : e.message);
    return;
  }
  if (p.status == ProcessResult::Status::timed_out) {
    record.status = RunStatus::timed_out;
    record.message = describe(p, policy.subject.timeout);
    return;
  }
  if (!p.succeeded()) {
    record.status = RunStatus::failed;
    record.message = describe(p, policy.subject.timeout);
    for (const RunEvent& e : record.report.events)
      if (e.name == kFrameworkErrorEvent) record.message += ": " + e.message;
    if (!p.output_error.empty()) record.message += "; " + p.output_error;
    return;
  }
  // Output that could not be kept may hold metrics, or why a check fails.
  if (!p.output_error.empty()) {
    record.status = RunStatus::failed;
    record.message = p.output_error;
    return;
  }
  for (const MetricSpec& metric : policy.metrics) {
    if (metric.required && !record.report.metrics.count(metric.name)) {
      record.status = RunStatus::failed;
      record.message = metric.source == Stream::protocol
                           ? fmt::format("metric '{}' was not reported in the metrics file", metric.name)
                           : fmt::format("metric '{}': regex '{}' matched nothing in {}", metric.name, metric.regex,
                                         stream_name(metric.source));
      return;
    }
  }
  for (const auto& [name, path] : policy.artifacts) {
    if (!record.report.digests.count(name)) {
      record.status = RunStatus::failed;
      const std::string prefix = fmt::format("artifact '{}':", name);
      bool stale = std::any_of(record.report.issues.begin(), record.report.issues.end(), [&](const std::string& i) {
        return i.starts_with(prefix) && i.ends_with("a stale file");
      });
      record.message = fmt::format("artifact '{}' ({}) was not written{}", name, path, stale ? " by this run" : "");
      return;
    }
  }
  record.status = RunStatus::passed;
  record.message.clear();
}

namespace {

// "metric 'loss': regex 'b' (the sweep's: 'a')".
std::string describe_change(const std::string& name, const nlohmann::json& before, const nlohmann::json& now) {
  std::vector<std::string> changes;
  for (const char* key : {"regex", "stream", "pick"}) {
    std::string was = before.contains(key) && before[key].is_string() ? before[key].get<std::string>() : "";
    std::string is = now[key].get<std::string>();
    if (was != is) changes.push_back(fmt::format("{} '{}' (the sweep's: '{}')", key, is, was));
  }
  return fmt::format("metric '{}': {}", name, util::join(changes, ", "));
}

}  // namespace

void set_report_settings(const Policy& policy, SweepResults& results) {
  results.goals.clear();
  for (const MetricSpec& metric : policy.metrics) results.goals[metric.name] = metric.goal;
  results.best_seed_report = policy.report.best_seed_report;
}

util::Result<std::vector<std::string>> reextract_regex_metrics(const Policy& policy, SweepResults& results,
                                                               const std::vector<std::filesystem::path>& roots) {
  const nlohmann::json now = regex_metric_specs(policy.metrics);
  std::vector<MetricSpec> changed;
  std::vector<std::string> notes;
  for (const MetricSpec& metric : policy.metrics) {
    if (metric.source == Stream::protocol) continue;
    auto before = results.regex_metrics.find(metric.name);
    if (before != results.regex_metrics.end() && *before == now[metric.name]) continue;
    changed.push_back(metric);
    notes.push_back(before == results.regex_metrics.end()
                        ? fmt::format("metric '{}': the results do not say how it was read", metric.name)
                        : describe_change(metric.name, *before, now[metric.name]));
  }
  if (changed.empty()) return notes;
  std::size_t reread = 0;
  for (RunRecord& record : results.runs) {
    if (record.status != RunStatus::passed && record.status != RunStatus::failed) continue;
    std::optional<std::filesystem::path> dir;
    for (const std::filesystem::path& root : roots) {
      std::error_code ec;
      std::filesystem::path candidate = root / "runs" / record.run.id;
      if (std::filesystem::exists(candidate / "stdout.log", ec) ||
          std::filesystem::exists(candidate / "stderr.log", ec)) {
        dir = candidate;
        break;
      }
    }
    if (!dir) {
      if (!record.process.succeeded()) continue;  // it failed before any metric mattered
      // It printed nothing (so left no log): there is nothing to read again.
      if (record.process.stdout_bytes == 0 && record.process.stderr_bytes == 0) continue;
      return util::make_error(
          fmt::format("{}; the logs of run {} are not under {}: run the sweep again to read the metric the new way",
                      util::join(notes, "; "), record.run.id, (roots.front() / "runs" / record.run.id).string()));
    }
    std::vector<std::string> kept;
    for (const std::string& issue : record.report.issues) {
      bool about_changed = std::any_of(changed.begin(), changed.end(), [&](const MetricSpec& m) {
        return issue.find(fmt::format("metric '{}'", m.name)) != std::string::npos;
      });
      if (!about_changed) kept.push_back(issue);
    }
    record.report.issues = std::move(kept);
    apply_extractions(extract_regex_metrics(changed,
                                            {{Stream::stdout_stream, *dir / "stdout.log", "stdout.log"},
                                             {Stream::stderr_stream, *dir / "stderr.log", "stderr.log"}},
                                            policy.subject.output_limit + 4096),
                      record.report);
    ++reread;
  }
  for (const MetricSpec& metric : changed) results.regex_metrics[metric.name] = now[metric.name];
  notes.push_back(fmt::format("read {} again from the stored logs of {} run{}",
                              changed.size() == 1 ? fmt::format("metric '{}'", changed.front().name)
                                                  : fmt::format("{} metrics", changed.size()),
                              reread, reread == 1 ? "" : "s"));
  return notes;
}

namespace {

// The sweep's finished runs, in the order they finished, and where each
// run's record is: the records themselves become the results' runs (put in
// plan order in place), so a large sweep never holds them twice.
struct Finished {
  std::vector<RunRecord> records;
  // By a hash of the run's id (its text would be a third copy of every id),
  // the ids compared on lookup.
  std::unordered_multimap<std::size_t, std::size_t> index;

  static std::size_t hash(std::string_view id) { return std::hash<std::string_view>{}(id); }
  std::optional<std::size_t> slot(const std::string& id) const {
    auto [first, last] = index.equal_range(hash(id));
    for (auto it = first; it != last; ++it)
      if (records[it->second].run.id == id) return it->second;
    return std::nullopt;
  }
  RunRecord* find(const std::string& id) {
    auto at = slot(id);
    return at ? &records[*at] : nullptr;
  }
  // Takes a journal's records (file order: a run's later record wins).
  void adopt(std::vector<RunRecord> journaled) {
    records = std::move(journaled);
    index.clear();
    index.reserve(records.size());
    for (std::size_t j = 0; j < records.size(); ++j) {
      if (auto earlier = slot(records[j].run.id)) {
        records[*earlier] = std::move(records[j]);
        records[j] = {};
        records[j].status = RunStatus::interrupted;  // an empty slot: neither reused nor timed
        continue;
      }
      index.emplace(hash(records[j].run.id), j);
    }
  }
  // Replaces an earlier record of the same run.
  RunRecord& put(RunRecord record) {
    if (RunRecord* earlier = find(record.run.id)) return *earlier = std::move(record);
    index.emplace(hash(record.run.id), records.size());
    return records.emplace_back(std::move(record));
  }
};

// Runs one plan's runs that are not finished yet (`done`, keyed by run id) and
// adds them to `done`. Returns false when the sweep was asked to stop.
struct LookRunner {
  const Policy& policy;
  const Adapter& adapter;
  CommandRunner& runner;
  const SweepOptions& options;
  int gpu_count;
  std::string machine;
  std::string runs_prefix;       // run_dir_prefix(out_dir): a run's folder is this and its id
  RunJournal& journal;           // each finished run's record, for --resume
  std::string fail_fast_reason;  // set when fail_fast stopped the sweep: why the rest did not start

  bool run(const SweepPlan& plan, Finished& done) {
    // Room for every record at once: a vector that grows by doubling would
    // briefly hold a large sweep's records twice.
    done.records.reserve(std::max(done.records.size(), plan.runs.size()));
    std::vector<std::size_t> to_run;
    std::size_t reused = 0;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
      const RunSpec& run = plan.runs[i];
      if (const RunRecord* record = done.find(run.id); record && record->status != RunStatus::interrupted) {
        reused += options.resume ? 1 : 0;
        continue;
      }
      if (options.resume) {
        if (auto record = load_finished_run(runs_prefix + run.id, run, policy.digest)) {
          done.put(std::move(*record));
          ++reused;
          continue;
        }
      }
      to_run.push_back(i);
    }
    if (options.progress && options.resume && reused > 0)
      options.progress->note(fmt::format("resuming: {} of {} runs already finished", reused, plan.runs.size()));

    const auto base_env = current_environment();
    int jobs = options.jobs > 0 ? options.jobs : policy.sweep.jobs;
    if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // One file shared by every run can only be told apart run by run.
    if (policy.subject.shared_artifacts && !policy.artifacts.empty() && jobs > 1) {
      jobs = 1;
      if (options.progress) options.progress->note("shared_artifacts: runs go one at a time (they share files)");
    }
    std::vector<JobNeeds> needs;
    needs.reserve(to_run.size());
    // Earlier sweeps' wall times, then this one's finished runs (newest last):
    // the runs expected to take longest start first.
    DurationHistory durations;
    for (const RunRecord& record : options.earlier_runs) durations.add(record);
    for (const RunRecord& record : done.records) durations.add(record);
    for (std::size_t i : to_run)
      needs.push_back({plan.runs[i].needs_gpu(), std::max(1, plan.runs[i].threads), durations.expected(plan.runs[i]),
                       plan.runs[i].gpu_index()});
    // Only the running jobs' commands and folders: a finished run's are dropped.
    std::map<std::size_t, ProcessSpec> specs;
    std::map<std::size_t, RunContext> contexts;
    if (options.progress) options.progress->begin(plan.runs.size(), plan.runs.size() - to_run.size());

    RunFolders folders;
    Scheduler scheduler(runner, jobs, gpu_count);
    auto prepare = [&](std::size_t job, int gpu_slot) -> util::Result<ProcessSpec> {
      const RunSpec& run = plan.runs[to_run[job]];
      RunContext& context = contexts[job];
      context.run_dir = runs_prefix + run.id;
      context.metrics_file = context.run_dir / "metrics.jsonl";
      context.gpu_slot = gpu_slot;
      if (auto made = folders.make(context.run_dir); !made) return util::make_error(made.error());
      if (policy.subject.shared_artifacts) {
        auto values = placeholder_values(run, context);
        for (const auto& [name, path_template] : policy.artifacts)
          context.artifacts_before[name] = file_stamp(artifact_path(policy, path_template, values));
      }
      specs[job] = adapter.command_for(policy, run, context, base_env);
      specs[job].tracking_variable = kRunDirVariable;
      specs[job].capture_folder_fresh = specs[job].stdout_path.parent_path() == context.run_dir &&
                                        specs[job].stderr_path.parent_path() == context.run_dir;
      if (options.progress) options.progress->started();
      return specs[job];
    };
    auto finish = [&](std::size_t job, const ProcessResult& result) {
      const RunSpec& run = plan.runs[to_run[job]];
      RunRecord record;
      record.run = run;
      record.machine = machine;
      record.process = result;
      if (result.status != ProcessResult::Status::spawn_failed || !specs[job].argv.empty()) {
        record.report = adapter.collect(policy, run, contexts[job], specs[job]);
      }
      classify_run(policy, record);
      if (record.status != RunStatus::passed) {
        record.stdout_tail = read_tail(specs[job].stdout_path);
        record.stderr_tail = read_tail(specs[job].stderr_path);
      }
      if (auto saved = journal.append(record); !saved && options.progress)
        options.progress->note("warning: " + saved.error());
      // A run that wrote nothing leaves no folder: its empty one becomes the next run's.
      folders.release(contexts[job].run_dir);
      if (options.progress) options.progress->finished(record);
      done.put(std::move(record));
      // A finished run's command (its whole environment) is not needed again:
      // kept for every run, it would be most of a large sweep's memory.
      specs.erase(job);
      contexts.erase(job);
    };
    // Fail fast: the first finished runs all failed with one message.
    std::vector<std::string> first_failures;
    std::size_t finished = 0;
    auto stop = [&] {
      if (!fail_fast_reason.empty()) return true;
      if (!(options.fail_fast || policy.sweep.fail_fast) || first_failures.size() < kFailFastRuns ||
          first_failures.size() != std::min(finished, kFailFastRuns))
        return false;
      if (std::count(first_failures.begin(), first_failures.end(), first_failures.front()) <
          static_cast<std::ptrdiff_t>(kFailFastRuns))
        return false;
      fail_fast_reason = fmt::format("{}the first {} runs all failed the same way: {}", kFailFastPrefix, kFailFastRuns,
                                     first_failures.front());
      return true;
    };
    auto finish_counting = [&](std::size_t job, const ProcessResult& result) {
      finish(job, result);
      const RunRecord& record = *done.find(plan.runs[to_run[job]].id);
      if (finished++ < kFailFastRuns && (record.status == RunStatus::failed || record.status == RunStatus::timed_out))
        first_failures.push_back(record.message);
    };
    SchedulerStats stats = scheduler.run(needs, prepare, finish_counting, stop);
    if (options.progress) options.progress->end();
    if (!fail_fast_reason.empty() && options.progress)
      options.progress->note(fmt::format("fail_fast: {} runs not started; the first {} all failed: {}",
                                         stats.not_started, kFailFastRuns, first_failures.front()));
    return !runner.interrupted() && stats.not_started == 0;
  }
};

// Every planned run in plan order: finished ones from `done`, the rest as
// interrupted; then the skipped ones. The finished records are put in plan
// order where they lie (a permutation by swaps), so they are never held twice.
void collect_runs(const SweepPlan& plan, Finished& done, const std::string& machine,
                  const std::string& fail_fast_reason, SweepResults& results) {
  constexpr std::size_t kNowhere = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> target(std::max(done.records.size(), plan.runs.size()), kNowhere);
  for (std::size_t p = 0; p < plan.runs.size(); ++p)
    if (auto slot = done.slot(plan.runs[p].id)) target[*slot] = p;
  std::vector<RunRecord> runs = std::move(done.records);
  done = {};
  runs.resize(target.size());
  for (std::size_t j = 0; j < runs.size(); ++j) {
    while (target[j] != j && target[j] != kNowhere) {
      std::size_t k = target[j];
      std::swap(runs[j], runs[k]);
      std::swap(target[j], target[k]);
    }
  }
  runs.resize(plan.runs.size());
  for (std::size_t p = 0; p < plan.runs.size(); ++p) {
    if (target[p] == p) continue;
    RunRecord& never_ran = runs[p];
    never_ran = {};
    never_ran.run = plan.runs[p];
    never_ran.machine = machine;
    if (!fail_fast_reason.empty()) {
      never_ran.status = RunStatus::skipped;
      never_ran.message = fail_fast_reason;
    } else {
      never_ran.status = RunStatus::interrupted;
      never_ran.message = "not started: seedgate was asked to stop";
      never_ran.process.status = ProcessResult::Status::interrupted;
    }
  }
  results.runs = std::move(runs);
  for (const SkippedRun& skipped : plan.skipped) {
    RunRecord record;
    record.run = skipped.run;
    record.machine = machine;
    record.status = RunStatus::skipped;
    record.message = skipped.reason;
    results.runs.push_back(std::move(record));
  }
}

// The policy's loader makes "more-seeds" imply `confidence` and a seed ceiling.
bool sequential(const Policy& policy) {
  return std::any_of(policy.checks.begin(), policy.checks.end(),
                     [](const CheckEntry& c) { return c.inconclusive == Inconclusive::more_seeds; });
}

}  // namespace

util::Result<SweepResults> run_sweep(const Policy& policy, const Adapter& adapter, CommandRunner& runner,
                                     const SweepOptions& options) {
  auto started = std::chrono::steady_clock::now();
  int gpu_count = options.gpu_count >= 0   ? options.gpu_count
                  : policy.sweep.gpus >= 0 ? policy.sweep.gpus
                                           : detect_gpu_count();
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir / "runs", ec);
  if (ec)
    return util::make_error(fmt::format("cannot create {}: {}", (options.out_dir / "runs").string(), ec.message()));
  // Processes that an earlier sweep into this folder left running (it was
  // killed) would write into the run folders this one reuses: stop them.
  const std::string runs_prefix = run_dir_prefix(options.out_dir);
  if (auto left = processes_with_env(kRunDirVariable, runs_prefix, true); !left.empty()) {
    Stopped stopped = stop_processes(left, std::chrono::seconds(5));
    if (!stopped.remaining.empty())
      return util::make_error(fmt::format(
          "{}: process {} left running by an earlier sweep still writes there and cannot be stopped; stop it, or "
          "use another --out",
          options.out_dir.string(), stopped.remaining.front()));
    if (options.progress)
      options.progress->note(fmt::format("stopped {} process{} left running in {} by an earlier sweep",
                                         stopped.stopped.size(), stopped.stopped.size() == 1 ? "" : "es",
                                         options.out_dir.string()));
  }

  if (options.shard && sequential(policy))
    return util::make_error(
        "--shard cannot run a sequential sweep (a check with inconclusive = \"more-seeds\"): its later looks "
        "depend on every shard's runs; shard a fixed number of seeds instead");
  SweepResults results;
  results.seedgate_version = seedgate_version();
  results.policy_path = policy.path.string();
  results.policy_digest = policy.digest;
  results.subject = policy.subject.name;
  results.environment = environment_fingerprint(gpu_count);
  results.regex_metrics = regex_metric_specs(policy.metrics);
  results.run_roots = {options.out_dir};
  set_report_settings(policy, results);
  // With --resume the journal is read once: its finished runs, and where the
  // appending goes on.
  Finished done;
  std::optional<JournalContents> kept;
  if (options.resume) {
    auto contents = read_journal(options.out_dir / kJournalName, policy.digest);
    if (!contents) return util::make_error(contents.error());
    done.adopt(std::move(contents->runs));
    kept = std::move(*contents);
    if (std::size_t lost = kept->torn + kept->unreadable; lost > 0 && options.progress)
      options.progress->note(fmt::format("{}: {} record{} cut short or unreadable; {} again", kJournalName, lost,
                                         lost == 1 ? "" : "s", lost == 1 ? "its run runs" : "their runs run"));
  }
  auto journal = RunJournal::open(options.out_dir / kJournalName, policy.digest, kept ? &*kept : nullptr);
  if (!journal) return util::make_error(journal.error());
  LookRunner look_runner{policy, adapter, runner, options, gpu_count, hostname(), runs_prefix, *journal, {}};

  // A sequential sweep looks at count, 2 count, ... seeds up to max and stops
  // once no check with inconclusive = "more-seeds" is undecided.
  std::vector<std::int64_t> ceiling = policy.sweep.seeds.ceiling();
  std::vector<std::size_t> looks{policy.sweep.seeds.seeds.size()};
  if (sequential(policy)) {
    std::size_t first = policy.sweep.seeds.seeds.size();
    looks = checks::planned_looks(first, first, ceiling.size());
    results.sequential = {looks, 0, checks::to_string(policy.statistics.spending)};
  }
  for (std::size_t k = 0; k < looks.size(); ++k) {
    Policy look_policy = policy;
    look_policy.sweep.seeds.seeds.assign(ceiling.begin(), ceiling.begin() + static_cast<std::ptrdiff_t>(looks[k]));
    if (options.progress && looks.size() > 1)
      options.progress->note(fmt::format("look {} of {}: {} seeds", k + 1, looks.size(), looks[k]));
    SweepPlan plan = build_plan(look_policy, gpu_count);
    if (options.shard) plan = shard_plan(look_policy, plan, *options.shard);
    bool completed = look_runner.run(plan, done);
    results.seeds = look_policy.sweep.seeds.seeds;
    results.sequential.look = k;
    collect_runs(plan, done, look_runner.machine, look_runner.fail_fast_reason, results);
    results.interrupted = !completed && look_runner.fail_fast_reason.empty();
    if (!look_runner.fail_fast_reason.empty()) break;
    if (!completed) break;
    NextLook next = next_look(policy, results);
    if (next.futility && options.progress)
      options.progress->note(fmt::format("stopped at look {}: check '{}' fails whatever later seeds show ({})", k + 1,
                                         next.futility->check, next.futility->reason));
    if (!next.more_seeds) break;
    // The next look reuses this one's finished runs.
    for (const RunRecord& record : results.runs)
      if (record.status != RunStatus::interrupted && record.status != RunStatus::skipped) done.put(record);
  }
  if (auto synced = journal->sync(); !synced) return util::make_error(synced.error());
  adapter.describe_environment(policy, results.runs, results.environment);
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options.shard) {
    results.shard = ShardInfo{options.shard->index, options.shard->count, plan_digest(policy),
                              look_runner.machine,  results.wall_seconds, plan_cells(policy)};
    results.verdict = SweepVerdict::shard;
  }
  return results;
}

}  // namespace seedgate
