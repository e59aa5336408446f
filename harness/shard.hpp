#pragma once
// Sharded sweeps. Past one machine seedgate does not schedule: the CI system
// or cluster starts N copies of `seedgate run --shard K/N`, each computes the
// same plan and runs its own slice, and `seedgate check shard-*.json` merges
// the slices and judges them. A slice is made of whole cells (seed, mode,
// device, threads): the repeats of one seed stay on one machine, so
// reproducibility is judged between runs of the same machine.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan.hpp"
#include "harness/policy.hpp"
#include "harness/results.hpp"
#include "util/result.hpp"

namespace seedgate {

// Where the shard's index and count come from: the flag, or the variables of
// the engine that started it (GitLab `parallel:`, Slurm arrays, Kubernetes
// Indexed Jobs, GoogleTest-style sharding).
struct ShardRequest {
  std::string flag;  // "K/N" from --shard; empty: read the environment
  int count = 0;     // --shard-count: the count where the engine gives only an index
};

// `index` counts from 1 to `count`; `source` says where it came from, for messages.
struct Shard {
  int index = 1;
  int count = 1;
  std::string source;
};

// Parses "K/N" (1 <= K <= N <= kMaxShardCount).
util::Result<Shard> parse_shard(const std::string& text);

// The flag wins; then CI_NODE_INDEX/CI_NODE_TOTAL (1-based),
// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (offset by SLURM_ARRAY_TASK_MIN),
// JOB_COMPLETION_INDEX (0-based; the count from --shard-count or
// SEEDGATE_SHARD_COUNT), GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS (0-based).
// No flag and none of these: nullopt, an unsharded run.
util::Result<std::optional<Shard>> resolve_shard(const ShardRequest& request,
                                                 const std::map<std::string, std::string>& env);

// Keeps the runs (and skipped runs) of `plan` that belong to `shard`. Cells
// are dealt round-robin in the order of the full plan, which does not depend
// on the machine's GPUs, so every shard agrees on the slices.
SweepPlan shard_plan(const Policy& policy, const SweepPlan& plan, const Shard& shard);

// The full plan's cells ("s3-deterministic-cpu"), in the plan's order. A shard
// carries them so that a merge restores the order without the policy.
std::vector<std::string> plan_cells(const Policy& policy);

// A digest of the full plan's run ids: shards of different plans must not merge.
std::string plan_digest(const Policy& policy);

// Merges shard results into one sweep, runs in the order an unsharded sweep
// records them, with `merged_from` naming the shards. Refuses files that are
// not shards, shards of different policies, plans or seedgate versions, a
// shard given twice, a shard holding runs of another's slice (relabelled) or
// lacking runs of its own (emptied), a run given twice, and a complete set
// of shards whose runs are not the plan's.
// Missing shards are not an error here: `missing_shards` finds them, and
// judging reports them.
util::Result<SweepResults> merge_shards(const std::vector<SweepResults>& shards,
                                        const std::vector<std::string>& labels);

// The 1-based indexes of the shards a merged sweep lacks (none for a sweep
// that was not merged).
std::vector<int> missing_shards(const SweepResults& results);

// "shard 2/3 is missing: its runs are not judged; ...", or empty when none is.
std::string describe_missing_shards(const SweepResults& results);

}  // namespace seedgate
