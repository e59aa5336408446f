#include "harness/plan.hpp"

#include <gtest/gtest.h>

namespace seedgate {
namespace {

Policy policy_with(std::vector<std::string> modes, std::vector<std::string> devices, std::vector<int> threads,
                   int repeats, int seeds) {
  Policy p;
  for (int i = 0; i < seeds; ++i) p.sweep.seeds.seeds.push_back(i);
  p.sweep.modes = std::move(modes);
  p.sweep.devices = std::move(devices);
  p.sweep.threads = std::move(threads);
  p.sweep.repeats = repeats;
  return p;
}

TEST(PlanTest, CrossProductInStableOrder) {
  SweepPlan plan = build_plan(policy_with({"deterministic", "default"}, {"cpu"}, {1, 2}, 2, 3), 0);
  ASSERT_EQ(plan.runs.size(), 3u * 2 * 2 * 2);
  EXPECT_EQ(plan.runs[0].id, "s0-deterministic-cpu-t1-r0");
  EXPECT_EQ(plan.runs[1].id, "s0-deterministic-cpu-t1-r1");
  EXPECT_EQ(plan.runs[2].id, "s0-deterministic-cpu-t2-r0");
  EXPECT_EQ(plan.runs.back().id, "s2-default-cpu-t2-r1");
  EXPECT_TRUE(plan.skipped.empty());
}

// Each seed runs once per fold; the split's seed is the policy's, or with
// fold_seed = "paired" the model seed.
TEST(PlanTest, FoldsRunEachSeedOncePerFold) {
  Policy policy = policy_with({"deterministic"}, {"cpu"}, {}, 1, 2);
  policy.sweep.folds = 3;
  policy.sweep.fold_seed = 42;
  SweepPlan plan = build_plan(policy, 0);
  ASSERT_EQ(plan.runs.size(), 2u * 3);
  EXPECT_EQ(plan.runs[0].id, "s0-f0-deterministic-cpu-r0");
  EXPECT_EQ(plan.runs[2].id, "s0-f2-deterministic-cpu-r0");
  EXPECT_EQ(plan.runs[3].id, "s1-f0-deterministic-cpu-r0");
  for (const RunSpec& run : plan.runs) EXPECT_EQ(run.fold_seed, 42);
  RunContext context{"/r", "/r/metrics.jsonl", -1};
  auto env = run_environment({}, policy, plan.runs[4], context);
  EXPECT_EQ(env.at("SEEDGATE_FOLD"), "1");
  EXPECT_EQ(env.at("SEEDGATE_FOLDS"), "3");
  EXPECT_EQ(env.at("SEEDGATE_FOLD_SEED"), "42");
  EXPECT_EQ(expand_placeholders("--fold={fold} --split-seed={fold_seed}", placeholder_values(plan.runs[4], context)),
            "--fold=1 --split-seed=42");
  policy.sweep.paired_folds = true;
  for (const RunSpec& run : build_plan(policy, 0).runs) EXPECT_EQ(run.fold_seed, run.seed);
  // Without a folds axis nothing of it reaches the run.
  Policy plain = policy_with({"deterministic"}, {"cpu"}, {}, 1, 1);
  RunSpec run = build_plan(plain, 0).runs.front();
  EXPECT_EQ(run.fold, -1);
  EXPECT_EQ(run_environment({}, plain, run, context).count("SEEDGATE_FOLD"), 0u);
}

// Variants run across the same seeds, each with its own env and arguments.
TEST(PlanTest, VariantsRunAcrossTheSameSeeds) {
  Policy policy = policy_with({"deterministic"}, {"cpu"}, {}, 1, 2);
  policy.variants = {{"lr-0.1", {{"LR", "0.1"}}, {"--lr", "0.1"}, {}, {}},
                     {"lr-0.01", {{"LR", "0.01"}}, {"--lr", "0.01"}, {}, {}}};
  SweepPlan plan = build_plan(policy, 0);
  ASSERT_EQ(plan.runs.size(), 2u * 2);
  EXPECT_EQ(plan.runs[0].id, "s0-vlr-0.1-deterministic-cpu-r0");
  EXPECT_EQ(plan.runs[1].id, "s0-vlr-0.01-deterministic-cpu-r0");
  EXPECT_EQ(plan.runs[3].variant, "lr-0.01");
  RunContext context{"/r", "/r/metrics.jsonl", -1};
  policy.subject.env = {{"LR", "1"}, {"OTHER", "x"}};
  auto env = run_environment({}, policy, plan.runs[1], context);
  EXPECT_EQ(env.at("SEEDGATE_VARIANT"), "lr-0.01");
  EXPECT_EQ(env.at("LR"), "0.01");  // the variant's env over the subject's
  EXPECT_EQ(env.at("OTHER"), "x");
  EXPECT_EQ(expand_placeholders("{variant}", placeholder_values(plan.runs[1], context)), "lr-0.01");
}

// vary = [...]: one source at a time varies by the seed, the rest (and
// SEEDGATE_SEED) stay at the first seed.
TEST(PlanTest, VaryingOneSourceHoldsTheOthers) {
  Policy policy = policy_with({"deterministic"}, {"cpu"}, {}, 1, 3);
  for (auto& s : policy.sweep.seeds.seeds) s += 10;  // seeds 10, 11, 12
  policy.sweep.vary = {"init", "order"};
  SweepPlan plan = build_plan(policy, 0);
  ASSERT_EQ(plan.runs.size(), 3u * 2);
  EXPECT_EQ(plan.runs[0].id, "s10-init-deterministic-cpu-r0");
  EXPECT_EQ(plan.runs[3].id, "s11-order-deterministic-cpu-r0");
  RunContext context{"/r", "/r/metrics.jsonl", -1};
  auto env = run_environment({}, policy, plan.runs[3], context);
  EXPECT_EQ(env.at("SEEDGATE_SEED"), "10");
  EXPECT_EQ(env.at("SEEDGATE_SEED_ORDER"), "11");
  EXPECT_EQ(env.at("SEEDGATE_SEED_INIT"), "10");
  EXPECT_EQ(env.at("SEEDGATE_SEED_SPLIT"), "10");
  EXPECT_EQ(env.at("SEEDGATE_SEED_DROPOUT"), "10");
  // The placeholders say the same: {seed} is SEEDGATE_SEED, {seed_<source>} each source's.
  EXPECT_EQ(expand_placeholders("{seed} {seed_init} {seed_order}", placeholder_values(plan.runs[3], context)),
            "10 10 11");
  // Without vary, no per-source variable: every source follows SEEDGATE_SEED.
  Policy plain = policy_with({"deterministic"}, {"cpu"}, {}, 1, 1);
  EXPECT_EQ(run_environment({}, plain, build_plan(plain, 0).runs[0], context).count("SEEDGATE_SEED_INIT"), 0u);
}

TEST(PlanTest, CudaRunsSkippedWithoutGpu) {
  SweepPlan plan = build_plan(policy_with({"deterministic"}, {"cpu", "cuda", "cuda:1"}, {}, 1, 2), 0);
  EXPECT_EQ(plan.runs.size(), 2u);
  ASSERT_EQ(plan.skipped.size(), 4u);
  EXPECT_EQ(plan.skipped[0].run.id, "s0-deterministic-cuda-r0");
  EXPECT_EQ(plan.skipped[0].reason, "no GPU on this machine");
  SweepPlan one_gpu = build_plan(policy_with({"deterministic"}, {"cuda", "cuda:1"}, {}, 1, 1), 1);
  ASSERT_EQ(one_gpu.runs.size(), 1u);
  ASSERT_EQ(one_gpu.skipped.size(), 1u);
  EXPECT_EQ(one_gpu.skipped[0].reason, "cuda:1 is not present (1 GPU on this machine)");
}

// The policy takes any run of digits after "cuda:"; one too large for an int
// names a GPU that is not there, not a crash.
TEST(PlanTest, AGpuNumberTooLargeForAnIntIsNotPresent) {
  SweepPlan plan = build_plan(policy_with({"deterministic"}, {"cuda:99999999999999999999", "cuda:01"}, {}, 1, 1), 2);
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].reason, "cuda:99999999999999999999 is not present (2 GPUs on this machine)");
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].gpu_index(), 1);
  RunSpec any_gpu;
  any_gpu.device = "cuda";
  EXPECT_EQ(any_gpu.gpu_index(), -1);
  any_gpu.device = "cpu";
  EXPECT_EQ(any_gpu.gpu_index(), -1);
}

TEST(PlanTest, Placeholders) {
  RunSpec run{"id", 7, "deterministic", "cpu", 2, 1};
  RunContext context{"/out/runs/id", "/out/runs/id/metrics.jsonl", -1};
  auto values = placeholder_values(run, context);
  EXPECT_EQ(expand_placeholders("--seed={seed} {mode} {device} t{threads} r{repeat} {run_dir} {metrics}", values),
            "--seed=7 deterministic cpu t2 r1 /out/runs/id /out/runs/id/metrics.jsonl");
  EXPECT_EQ(expand_placeholders("{{seed}} {unknown}", values), "{seed} {unknown}");
}

TEST(PlanTest, ProtocolEnvironmentInDeterministicMode) {
  Policy policy;
  policy.subject.env = {{"OMP_NUM_THREADS", "8"}, {"MY_FLAG", "1"}};
  RunSpec run{"id", 7, "deterministic", "cpu", 2, 1};
  RunContext context{"/r", "/r/metrics.jsonl", -1};
  auto env = run_environment({{"PATH", "/bin"}, {"SEEDGATE_SEED", "999"}}, policy, run, context);
  EXPECT_EQ(env.at("PATH"), "/bin");
  EXPECT_EQ(env.at("MY_FLAG"), "1");
  EXPECT_EQ(env.at("SEEDGATE_SEED"), "7");
  EXPECT_EQ(env.at("SEEDGATE_MODE"), "deterministic");
  EXPECT_EQ(env.at("SEEDGATE_DEVICE"), "cpu");
  EXPECT_EQ(env.at("SEEDGATE_THREADS"), "2");
  EXPECT_EQ(env.at("SEEDGATE_REPEAT"), "1");
  EXPECT_EQ(env.at("SEEDGATE_RUN_DIR"), "/r");
  EXPECT_EQ(env.at("SEEDGATE_METRICS"), "/r/metrics.jsonl");
  EXPECT_EQ(env.at("OMP_NUM_THREADS"), "2");  // the threads axis wins over the policy's env
  EXPECT_EQ(env.at("MKL_NUM_THREADS"), "2");
  EXPECT_EQ(env.at("CUBLAS_WORKSPACE_CONFIG"), ":4096:8");
  EXPECT_EQ(env.at("PYTHONHASHSEED"), "7");
  EXPECT_EQ(env.at("PL_GLOBAL_SEED"), "7");
  EXPECT_EQ(env.at("TF_DETERMINISTIC_OPS"), "1");
  EXPECT_EQ(env.at("NVIDIA_TF32_OVERRIDE"), "0");
  EXPECT_EQ(env.at("CUDA_VISIBLE_DEVICES"), "");
}

TEST(PlanTest, DefaultModeLeavesKnobsAlone) {
  Policy policy;
  RunSpec run{"id", 7, "default", "cuda:1", 0, 0};
  auto env = run_environment({}, policy, run, RunContext{"/r", "/r/m", -1});
  EXPECT_FALSE(env.count("CUBLAS_WORKSPACE_CONFIG"));
  EXPECT_FALSE(env.count("SEEDGATE_THREADS"));
  EXPECT_EQ(env.at("CUDA_VISIBLE_DEVICES"), "1");
  RunSpec any_gpu{"id", 7, "default", "cuda", 0, 0};
  EXPECT_EQ(run_environment({}, policy, any_gpu, RunContext{"/r", "/r/m", 3}).at("CUDA_VISIBLE_DEVICES"), "3");
}

}  // namespace
}  // namespace seedgate
