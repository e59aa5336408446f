#include "harness/plan.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "harness/predictions.hpp"

extern char** environ;

namespace seedgate {

namespace {

// What a seed's runs differ in besides mode, device and threads: the variant,
// the source of randomness it varies, the fold.
struct Slot {
  const VariantSpec* variant = nullptr;
  std::string source;
  int fold = -1;
};

std::vector<Slot> slots(const Policy& policy) {
  std::vector<const VariantSpec*> variants;
  for (const VariantSpec& v : policy.variants) variants.push_back(&v);
  if (variants.empty()) variants.push_back(nullptr);
  std::vector<std::string> sources = policy.sweep.vary;
  if (sources.empty()) sources.emplace_back();
  std::vector<int> folds;
  folds.reserve(static_cast<std::size_t>(std::max(policy.sweep.folds, 1)));
  for (int fold = 0; fold < policy.sweep.folds; ++fold) folds.push_back(fold);
  if (folds.empty()) folds.push_back(-1);
  std::vector<Slot> out;
  for (const VariantSpec* variant : variants)
    for (const std::string& source : sources)
      for (int fold : folds) out.push_back({variant, source, fold});
  return out;
}

}  // namespace

std::string run_id(const RunSpec& run) {
  std::string device_part = run.device;
  std::erase(device_part, ':');
  std::string id = fmt::format("s{}", run.seed);
  if (!run.variant.empty()) id += "-v" + run.variant;
  if (!run.source.empty()) id += "-" + run.source;
  if (run.fold >= 0) id += fmt::format("-f{}", run.fold);
  id += fmt::format("-{}-{}", run.mode, device_part);
  if (run.threads > 0) id += fmt::format("-t{}", run.threads);
  id += fmt::format("-r{}", run.repeat);
  return id;
}

SweepPlan build_plan(const Policy& policy, int gpu_count) {
  SweepPlan plan;
  const SweepSpec& sweep = policy.sweep;
  std::vector<int> threads = sweep.threads.empty() ? std::vector<int>{0} : sweep.threads;
  const std::int64_t held = sweep.seeds.seeds.empty() ? 0 : sweep.seeds.seeds.front();
  for (std::int64_t seed : sweep.seeds.seeds) {
    for (const Slot& slot : slots(policy)) {
      for (const std::string& mode : sweep.modes) {
        for (const std::string& device : sweep.devices) {
          for (int thread_count : threads) {
            for (int repeat = 0; repeat < sweep.repeats; ++repeat) {
              RunSpec run{"", seed, mode, device, thread_count, repeat};
              run.fold = slot.fold;
              run.fold_seed = slot.fold < 0 ? 0 : sweep.paired_folds ? seed : sweep.fold_seed;
              if (slot.variant) run.variant = slot.variant->name;
              run.source = slot.source;
              run.held_seed = slot.source.empty() ? seed : held;
              run.id = run_id(run);
              if (run.needs_gpu() && gpu_count == 0) {
                plan.skipped.push_back({run, "no GPU on this machine"});
                continue;
              }
              if (run.gpu_index() >= gpu_count) {
                plan.skipped.push_back({run, fmt::format("{} is not present ({} GPU{} on this machine)", device,
                                                         gpu_count, gpu_count == 1 ? "" : "s")});
                continue;
              }
              plan.runs.push_back(std::move(run));
            }
          }
        }
      }
    }
  }
  // Held for the whole sweep beside the runs' records: no spare capacity.
  plan.runs.shrink_to_fit();
  return plan;
}

std::string file_stamp(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "";
  return fmt::format("{}.{:09} {} {}", info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ino, info.st_size);
}

std::filesystem::path artifact_path(const Policy& policy, const std::string& path_template,
                                    const std::map<std::string, std::string>& values) {
  std::filesystem::path path = expand_placeholders(path_template, values);
  return path.is_relative() ? policy.subject.workdir / path : path;
}

// A source's seed: the run's seed where it varies that source (or, without
// [sweep] vary, every source), the held seed otherwise.
std::int64_t source_seed(const RunSpec& run, std::string_view source) {
  return run.source.empty() || run.source == source ? run.seed : run.held_seed;
}

std::map<std::string, std::string> placeholder_values(const RunSpec& run, const RunContext& context) {
  std::map<std::string, std::string> values = {
      // SEEDGATE_SEED's value: with [sweep] vary, the held seed.
      {"seed", std::to_string(run.source.empty() ? run.seed : run.held_seed)},
      {"mode", run.mode},
      {"device", run.device},
      {"threads", run.threads > 0 ? std::to_string(run.threads) : ""},
      {"repeat", std::to_string(run.repeat)},
      {"fold", run.fold >= 0 ? std::to_string(run.fold) : ""},
      {"fold_seed", run.fold >= 0 ? std::to_string(run.fold_seed) : ""},
      {"variant", run.variant},
      {"run_dir", context.run_dir.string()},
      {"metrics", context.metrics_file.string()},
      {"predictions", (context.run_dir / kPredictionsFile).string()},
  };
  for (std::string_view source : kSeedSources)
    values[fmt::format("seed_{}", source)] = std::to_string(source_seed(run, source));
  return values;
}

std::string expand_placeholders(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c == '{') {
      std::size_t close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = values.find(text.substr(i + 1, close - i - 1));
        if (it != values.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

std::map<std::string, std::string> run_environment(const std::map<std::string, std::string>& base, const Policy& policy,
                                                   const RunSpec& run, const RunContext& context) {
  std::map<std::string, std::string> env = base;
  // seedgate's own caller may have set protocol variables; a run sees only its own.
  std::erase_if(env, [](const auto& entry) { return entry.first.starts_with("SEEDGATE_"); });
  for (const auto& [key, value] : policy.subject.env) env[key] = value;
  env["SEEDGATE_SEED"] = std::to_string(run.seed);
  if (!run.source.empty()) {
    // One source varies by the run's seed; the others, and anything else the
    // program seeds from SEEDGATE_SEED, stay at the held seed.
    env["SEEDGATE_SEED"] = std::to_string(run.held_seed);
    for (std::string_view source : kSeedSources) {
      std::string name = "SEEDGATE_SEED_";
      for (char c : source) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      env[name] = std::to_string(source_seed(run, source));
    }
  }
  if (!run.variant.empty()) {
    env["SEEDGATE_VARIANT"] = run.variant;
    for (const VariantSpec& v : policy.variants)
      if (v.name == run.variant)
        for (const auto& [key, value] : v.env) env[key] = value;
  }
  env["SEEDGATE_MODE"] = run.mode;
  env["SEEDGATE_DEVICE"] = run.device;
  env["SEEDGATE_REPEAT"] = std::to_string(run.repeat);
  if (run.fold >= 0) {
    env["SEEDGATE_FOLD"] = std::to_string(run.fold);
    env["SEEDGATE_FOLDS"] = std::to_string(policy.sweep.folds);
    env["SEEDGATE_FOLD_SEED"] = std::to_string(run.fold_seed);
  }
  env["SEEDGATE_RUN_DIR"] = context.run_dir.string();
  env["SEEDGATE_METRICS"] = context.metrics_file.string();
  env["SEEDGATE_PREDICTIONS"] = (context.run_dir / kPredictionsFile).string();
  if (run.threads > 0) {
    env["SEEDGATE_THREADS"] = std::to_string(run.threads);
    env["OMP_NUM_THREADS"] = std::to_string(run.threads);
    env["MKL_NUM_THREADS"] = std::to_string(run.threads);
  }
  if (run.mode == "deterministic") {
    env["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8";
    env["PYTHONHASHSEED"] = std::to_string(run.seed);
    env["PL_GLOBAL_SEED"] = std::to_string(run.seed);
    env["TF_DETERMINISTIC_OPS"] = "1";
    env["NVIDIA_TF32_OVERRIDE"] = "0";
  }
  if (run.device == "cpu") {
    env["CUDA_VISIBLE_DEVICES"] = "";
  } else if (run.device.starts_with("cuda:")) {
    env["CUDA_VISIBLE_DEVICES"] = std::to_string(run.gpu_index());
  } else if (context.gpu_slot >= 0) {
    env["CUDA_VISIBLE_DEVICES"] = std::to_string(context.gpu_slot);
  }
  return env;
}

int RunSpec::gpu_index() const {
  if (!device.starts_with("cuda:")) return -1;
  int index = 0;
  const char* digits = device.data() + 5;
  auto [end, ec] = std::from_chars(digits, device.data() + device.size(), index);
  // The policy allows only digits here; too many for an int name no GPU there is.
  if (ec != std::errc{} || end == digits) return std::numeric_limits<int>::max();
  return index;
}

int detect_gpu_count() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/driver/nvidia/gpus", ec);
  if (ec) return 0;
  int count = 0;
  for (const auto& entry : it) {
    (void)entry;
    ++count;
  }
  return count;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

}  // namespace seedgate
