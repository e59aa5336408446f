#include "harness/shard.hpp"

#include <gtest/gtest.h>

#include <set>

namespace seedgate {
namespace {

Policy sweep_policy(int seeds, std::vector<std::string> devices, int repeats) {
  Policy p;
  for (int i = 0; i < seeds; ++i) p.sweep.seeds.seeds.push_back(i);
  p.sweep.modes = {"deterministic", "default"};
  p.sweep.devices = std::move(devices);
  p.sweep.repeats = repeats;
  return p;
}

Shard resolved(const std::map<std::string, std::string>& env, ShardRequest request = {}) {
  auto shard = resolve_shard(request, env);
  EXPECT_TRUE(shard.ok()) << shard.error();
  EXPECT_TRUE(shard.ok() && shard->has_value());
  return shard.ok() && shard->has_value() ? **shard : Shard{0, 0, ""};
}

std::string resolve_error(const std::map<std::string, std::string>& env, ShardRequest request = {}) {
  auto shard = resolve_shard(request, env);
  return shard.ok() ? "(no error)" : shard.error();
}

TEST(ShardTest, ParsesKOverN) {
  auto shard = parse_shard("2/3");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(shard->index, 2);
  EXPECT_EQ(shard->count, 3);
  EXPECT_EQ(parse_shard("0/3").error(), "--shard 0/3: shard 0 is outside 1..3 (shards count from 1 to the count)");
  EXPECT_EQ(parse_shard("4/3").error(), "--shard 4/3: shard 4 is outside 1..3 (shards count from 1 to the count)");
  EXPECT_EQ(parse_shard("1/0").error(), "--shard 1/0: the shard count must be from 1 to 10000, not 0");
  EXPECT_EQ(parse_shard("2").error(), "--shard '2' is not K/N (for example 2/3: the second of three)");
  EXPECT_EQ(parse_shard("a/b").error(), "--shard 'a/b' is not K/N (for example 2/3: the second of three)");
}

TEST(ShardTest, EachEnginesVariablesMapToOneBasedShards) {
  // GitLab parallel: 1-based.
  Shard gitlab = resolved({{"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "3"}});
  EXPECT_EQ(gitlab.index, 3);
  EXPECT_EQ(gitlab.count, 3);
  EXPECT_EQ(gitlab.source, "CI_NODE_INDEX=3, CI_NODE_TOTAL=3");
  // Slurm arrays: offset by the array's first index, whatever it is.
  Shard slurm =
      resolved({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "0"}});
  EXPECT_EQ(slurm.index, 1);
  EXPECT_EQ(slurm.count, 4);
  Shard slurm1 =
      resolved({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"}});
  EXPECT_EQ(slurm1.index, 4);
  // Kubernetes Indexed Jobs: 0-based index, count from the flag or SEEDGATE_SHARD_COUNT.
  Shard k8s = resolved({{"JOB_COMPLETION_INDEX", "1"}, {"SEEDGATE_SHARD_COUNT", "3"}});
  EXPECT_EQ(k8s.index, 2);
  EXPECT_EQ(k8s.count, 3);
  Shard k8s_flag = resolved({{"JOB_COMPLETION_INDEX", "0"}}, {"", 2});
  EXPECT_EQ(k8s_flag.index, 1);
  EXPECT_EQ(k8s_flag.count, 2);
  // GoogleTest-style: 0-based.
  Shard gtest = resolved({{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "2"}});
  EXPECT_EQ(gtest.index, 1);
  EXPECT_EQ(gtest.count, 2);
  // The flag wins over the environment.
  Shard flag = resolved({{"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "3"}}, {"1/2", 0});
  EXPECT_EQ(flag.index, 1);
  EXPECT_EQ(flag.count, 2);
  // Nothing set: unsharded.
  auto none = resolve_shard({}, {{"CI", "true"}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(ShardTest, BadVariablesAreNamed) {
  EXPECT_EQ(resolve_error({{"CI_NODE_INDEX", "2"}}), "CI_NODE_INDEX is set but CI_NODE_TOTAL is not set");
  EXPECT_EQ(resolve_error({{"CI_NODE_INDEX", "x"}, {"CI_NODE_TOTAL", "2"}}), "CI_NODE_INDEX='x' is not an integer");
  EXPECT_EQ(resolve_error({{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "2"}}),
            "CI_NODE_INDEX=0, CI_NODE_TOTAL=2: shard 0 is outside 1..2 (shards count from 1 to the count)");
  EXPECT_EQ(resolve_error({{"JOB_COMPLETION_INDEX", "0"}}),
            "JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count N or set "
            "SEEDGATE_SHARD_COUNT to the Job's completions (SEEDGATE_SHARD_COUNT is not set)");
  EXPECT_EQ(
      resolve_error({{"JOB_COMPLETION_INDEX", "3"}, {"SEEDGATE_SHARD_COUNT", "3"}}),
      "JOB_COMPLETION_INDEX=3, SEEDGATE_SHARD_COUNT=3: shard 4 is outside 1..3 (shards count from 1 to the count)");
  EXPECT_EQ(resolve_error({}, {"2/3", 4}), "--shard 2/3 and --shard-count 4 disagree on the count");
  EXPECT_EQ(resolve_error({}, {"", 4}), "--shard-count 4 needs an index: --shard K/N or JOB_COMPLETION_INDEX");
}

TEST(ShardTest, SlicesPartitionThePlanAndKeepRepeatsTogether) {
  Policy policy = sweep_policy(5, {"cpu", "cuda"}, 3);
  SweepPlan plan = build_plan(policy, 0);
  std::multiset<std::string> seen;
  std::map<std::string, int> shard_of_cell;
  for (int k = 1; k <= 3; ++k) {
    SweepPlan slice = shard_plan(policy, plan, {k, 3, ""});
    EXPECT_FALSE(slice.runs.empty());
    for (const RunSpec& r : slice.runs) seen.insert(r.id);
    for (const SkippedRun& s : slice.skipped) seen.insert(s.run.id);
    for (const RunSpec& r : slice.runs) {
      std::string cell = r.id.substr(0, r.id.rfind("-r"));
      auto [it, inserted] = shard_of_cell.emplace(cell, k);
      EXPECT_EQ(it->second, k) << cell << " is split across shards";
    }
  }
  // Every planned run, skipped ones included, in exactly one shard.
  EXPECT_EQ(seen.size(), plan.runs.size() + plan.skipped.size());
  for (const std::string& id : seen) EXPECT_EQ(seen.count(id), 1u) << id;
}

TEST(ShardTest, SlicesDoNotDependOnTheMachinesGpus) {
  Policy policy = sweep_policy(4, {"cpu", "cuda"}, 2);
  for (int k = 1; k <= 2; ++k) {
    SweepPlan with_gpu = shard_plan(policy, build_plan(policy, 1), {k, 2, ""});
    SweepPlan without = shard_plan(policy, build_plan(policy, 0), {k, 2, ""});
    std::vector<std::string> a, b;
    for (const RunSpec& r : with_gpu.runs) a.push_back(r.id);
    for (const RunSpec& r : without.runs) b.push_back(r.id);
    for (const SkippedRun& s : without.skipped) b.push_back(s.run.id);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
  }
}

TEST(ShardTest, MoreShardsThanCellsLeavesSomeEmpty) {
  Policy policy = sweep_policy(1, {"cpu"}, 2);  // two cells: two modes
  SweepPlan plan = build_plan(policy, 0);
  EXPECT_EQ(shard_plan(policy, plan, {1, 3, ""}).runs.size(), 2u);
  EXPECT_EQ(shard_plan(policy, plan, {2, 3, ""}).runs.size(), 2u);
  EXPECT_TRUE(shard_plan(policy, plan, {3, 3, ""}).runs.empty());
}

SweepResults shard_results(const Policy& policy, int index, int count) {
  SweepResults r;
  r.policy_digest = "xxh3:policy";
  r.seeds = policy.sweep.seeds.seeds;
  r.shard =
      ShardInfo{index, count, plan_digest(policy), "host" + std::to_string(index), 1.0 * index, plan_cells(policy)};
  for (const RunSpec& run : shard_plan(policy, build_plan(policy, 0), {index, count, ""}).runs) {
    RunRecord record;
    record.run = run;
    r.runs.push_back(record);
  }
  return r;
}

TEST(ShardTest, MergeRestoresThePlansOrder) {
  Policy policy = sweep_policy(4, {"cpu"}, 2);
  auto merged = merge_shards({shard_results(policy, 3, 3), shard_results(policy, 1, 3), shard_results(policy, 2, 3)},
                             {"c", "a", "b"});
  ASSERT_TRUE(merged.ok()) << merged.error();
  SweepPlan plan = build_plan(policy, 0);
  ASSERT_EQ(merged->runs.size(), plan.runs.size());
  for (std::size_t i = 0; i < plan.runs.size(); ++i) EXPECT_EQ(merged->runs[i].run.id, plan.runs[i].id);
  EXPECT_TRUE(missing_shards(*merged).empty());
  ASSERT_EQ(merged->merged_from.size(), 3u);
  EXPECT_EQ(merged->merged_from[0].machine, "host1");
  EXPECT_DOUBLE_EQ(merged->wall_seconds, 3.0);
}

TEST(ShardTest, MergeRefusesWhatCannotBeOneSweep) {
  Policy policy = sweep_policy(4, {"cpu"}, 2);
  SweepResults other_policy = shard_results(policy, 2, 3);
  other_policy.policy_digest = "xxh3:other";
  EXPECT_EQ(merge_shards({shard_results(policy, 1, 3), other_policy}, {"a.json", "b.json"}).error(),
            "a.json and b.json were run under different policies (xxh3:policy vs xxh3:other); every shard must run "
            "the same policy");
  SweepResults other_count = shard_results(policy, 2, 2);
  std::string message = merge_shards({shard_results(policy, 1, 3), other_count}, {"a.json", "b.json"}).error();
  EXPECT_NE(message.find("slice different plans"), std::string::npos) << message;
  EXPECT_EQ(merge_shards({shard_results(policy, 1, 3), shard_results(policy, 1, 3)}, {"a.json", "b.json"}).error(),
            "shard 1/3 is given twice (a.json and b.json)");
  SweepResults unsharded = shard_results(policy, 1, 3);
  unsharded.shard.reset();
  EXPECT_EQ(merge_shards({shard_results(policy, 1, 3), unsharded}, {"a.json", "results.json"}).error(),
            "results.json is not a shard (it was not run with --shard); check it alone, or merge only shard files");
}

TEST(ShardTest, MergeListsMissingShards) {
  Policy policy = sweep_policy(4, {"cpu"}, 2);
  auto merged = merge_shards({shard_results(policy, 2, 4)}, {"b.json"});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(missing_shards(*merged), (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(describe_missing_shards(*merged),
            "shards 1/4, 3/4, 4/4 are missing: their runs are not judged; give every shard-*.json");
  EXPECT_EQ(describe_missing_shards(SweepResults{}), "");
}

}  // namespace
}  // namespace seedgate
