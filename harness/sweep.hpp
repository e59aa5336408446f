#pragma once
// Runs a policy's sweep: plans it, prepares a fresh folder per run, runs
// everything through the scheduler, records each finished run atomically
// (so an interrupted sweep keeps what finished and --resume completes it).
#include <filesystem>
#include <ostream>

#include "harness/adapter.hpp"
#include "harness/makespan.hpp"
#include "harness/progress.hpp"
#include "harness/results.hpp"
#include "harness/runner.hpp"
#include "harness/shard.hpp"

namespace seedgate {

struct SweepOptions {
  std::filesystem::path out_dir = ".seedgate";
  int jobs = 0;                  // 0: the policy's `jobs`
  bool resume = false;           // reuse finished runs of the same policy
  int gpu_count = -1;            // -1: the policy's [sweep] gpus, else detect
  Progress* progress = nullptr;  // shows the sweep while it runs
  std::optional<Shard> shard;    // run only this shard's slice of the plan
  bool fail_fast = false;        // --fail-fast: as the policy's [sweep] fail_fast = true
  // Runs of earlier sweeps (oldest first): their wall times tell how long this
  // sweep's runs take, so the longest start first (harness/makespan.hpp).
  std::vector<RunRecord> earlier_runs;
};

// The caller holds `out_dir`'s FolderLock (harness/leftovers.hpp): the sweep
// stops processes an earlier sweep into that folder left running.
util::Result<SweepResults> run_sweep(const Policy& policy, const Adapter& adapter, CommandRunner& runner,
                                     const SweepOptions& options);

// The status and message a run gets from its process result and report.
void classify_run(const Policy& policy, RunRecord& record);

// When the policy reads a regex metric differently from the sweep that made
// `results` (its regex, stream or pick changed), reads it again from each
// run's logs kept under one of `roots` (the results files' folders, as
// runs/<id>/), before the runs are classified again. Returns what it re-read,
// in words; an error when a run's logs are gone.
// What the reports take from the policy: each metric's goal and
// [report] best_seed_report (`check` sets them from the policy it judges by).
void set_report_settings(const Policy& policy, SweepResults& results);

util::Result<std::vector<std::string>> reextract_regex_metrics(const Policy& policy, SweepResults& results,
                                                               const std::vector<std::filesystem::path>& roots);

std::string seedgate_version();

}  // namespace seedgate
