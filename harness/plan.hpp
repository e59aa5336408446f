#pragma once
// The sweep plan: every (seed, mode, device, threads, repeat) combination the
// policy asks for, in a stable order, and the protocol each run sees
// (SEEDGATE_* variables, {placeholders}, determinism knobs).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/policy.hpp"

namespace seedgate {

struct RunSpec {
  std::string id;  // "s3-deterministic-cpu-r1", with "-t2" for a threads axis; names the run's folder
  std::int64_t seed = 0;
  std::string mode;
  std::string device;
  int threads = 0;  // 0: no threads axis
  int repeat = 0;
  int fold = -1;               // -1: no folds axis
  std::int64_t fold_seed = 0;  // the split's seed, with a folds axis
  std::string variant = {};    // a [[variant]]'s name; empty: no variants
  // With [sweep] vary: the source of randomness this run varies by `seed`;
  // every other source (and SEEDGATE_SEED) is held at `held_seed`.
  std::string source = {};
  std::int64_t held_seed = 0;
  bool needs_gpu() const { return device != "cpu"; }
  int gpu_index() const;  // N for "cuda:N"; -1 for "cpu" and "cuda"
};

struct SkippedRun {
  RunSpec run;
  std::string reason;
};

struct SweepPlan {
  std::vector<RunSpec> runs;        // to run
  std::vector<SkippedRun> skipped;  // e.g. CUDA runs on a machine without a GPU
};

// `gpu_count`: GPUs visible on this machine; CUDA runs are skipped when it is 0.
SweepPlan build_plan(const Policy& policy, int gpu_count);

// "s3-deterministic-cpu-r1": seed, then variant, source and fold where set,
// mode, device, threads where set, repeat. It names the run's folder.
std::string run_id(const RunSpec& run);

// The seed of one source of randomness (kSeedSources) for a run.
std::int64_t source_seed(const RunSpec& run, std::string_view source);

// Everything a run's protocol needs that the plan does not fix.
struct RunContext {
  std::filesystem::path run_dir;
  std::filesystem::path metrics_file;
  int gpu_slot = -1;  // for device "cuda": which GPU to show the run
  // With shared_artifacts: each artifact's file_stamp() before the run started.
  std::map<std::string, std::string> artifacts_before = {};
};

// A file's modification time, inode and size in words ("" when it does not
// exist): the same stamp after a run means the run did not write the file.
std::string file_stamp(const std::filesystem::path& path);
// Where an [artifacts] path points for a run: its placeholders expanded, a
// relative path taken from the subject's working folder.
std::filesystem::path artifact_path(const Policy& policy, const std::string& path_template,
                                    const std::map<std::string, std::string>& values);

// Placeholder values for {seed}, {mode}, ... as the protocol table defines them.
std::map<std::string, std::string> placeholder_values(const RunSpec& run, const RunContext& context);
// Replaces {name} with its value; "{{" and "}}" stand for literal braces.
std::string expand_placeholders(const std::string& text, const std::map<std::string, std::string>& values);

// The run's environment: `base` (seedgate's own), then the policy's env, then
// the protocol's variables, which win.
std::map<std::string, std::string> run_environment(const std::map<std::string, std::string>& base, const Policy& policy,
                                                   const RunSpec& run, const RunContext& context);

// Number of NVIDIA GPUs the driver reports (0 without a driver).
int detect_gpu_count();

std::map<std::string, std::string> current_environment();

}  // namespace seedgate
