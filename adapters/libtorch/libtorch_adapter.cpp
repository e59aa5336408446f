#include "adapters/libtorch/libtorch_adapter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

constexpr std::uint64_t kStderrTailBytes = 64 << 10;

bool has_event(const RunReport& report, std::string_view name) {
  return std::any_of(report.events.begin(), report.events.end(), [&](const RunEvent& e) { return e.name == name; });
}

// LibTorch's texts and what they mean, in the words a report shows.
struct KnownFailure {
  std::string_view text;
  std::string_view cause;
};
constexpr KnownFailure kKnownFailures[] = {
    {"CUBLAS_WORKSPACE_CONFIG",
     "cuBLAS is not deterministic unless CUBLAS_WORKSPACE_CONFIG=:4096:8 is set before the program starts"},
    {"CUDA out of memory", "CUDA out of memory"},
    {"device-side assert triggered", "CUDA device-side assert triggered"},
    {"Torch not compiled with CUDA enabled", "a CUDA run, but this LibTorch was built without CUDA"},
    {"LibTorch sees no CUDA device", "a CUDA run, but LibTorch sees no CUDA device"},
    {"CUDNN_STATUS_", "cuDNN error"},
};

}  // namespace

void diagnose_libtorch_output(std::string_view stderr_text, RunReport& report) {
  if (!has_event(report, kNondeterministicOpEvent)) {
    // "put_ does not have a deterministic implementation, but you set ..."
    static const std::regex op_pattern(R"(([A-Za-z0-9_.:<>]+) does not have a deterministic implementation)");
    std::match_results<std::string_view::const_iterator> match;
    if (std::regex_search(stderr_text.begin(), stderr_text.end(), match, op_pattern)) {
      report.events.push_back(
          {std::string(kNondeterministicOpEvent), match[1].str() + " does not have a deterministic implementation"});
      return;
    }
  }
  if (has_event(report, kFrameworkErrorEvent)) return;
  for (const KnownFailure& known : kKnownFailures) {
    if (stderr_text.find(known.text) == std::string_view::npos) continue;
    report.events.push_back({std::string(kFrameworkErrorEvent), std::string(known.cause)});
    return;
  }
}

RunReport LibTorchAdapter::collect(const Policy& policy, const RunSpec& run, const RunContext& context,
                                   const ProcessSpec& spec) const {
  RunReport report = CommandAdapter::collect(policy, run, context, spec);
  auto stderr_text = util::read_file_tail(spec.stderr_path, kStderrTailBytes);
  if (stderr_text) diagnose_libtorch_output(*stderr_text, report);
  auto adapter = report.env.find("adapter");
  if (!report.metrics.empty() && (adapter == report.env.end() || adapter->second != "seedgate::torch")) {
    report.issues.push_back(
        "no env record from seedgate::torch::configure(): with adapter = \"libtorch\" the program should call it, "
        "or LibTorch's determinism switches and seed are not applied");
  }
  return report;
}

void LibTorchAdapter::describe_environment(const Policy& policy, const std::vector<RunRecord>& runs,
                                           nlohmann::json& environment) const {
  CommandAdapter::describe_environment(policy, runs, environment);
  nlohmann::json libtorch = nlohmann::json::object();
  std::set<std::string> gpus;
  for (const RunRecord& r : runs) {
    const auto& env = r.report.env;
    if (env.empty()) continue;
    for (const char* key : {"torch", "cuda", "cudnn"}) {
      auto it = env.find(key);
      // A CPU run of a CUDA LibTorch sees no GPU and says "none": a CUDA run knows better.
      if (it != env.end() && (!libtorch.contains(key) || libtorch[key] == "none")) libtorch[key] = it->second;
    }
    if (auto it = env.find("gpu"); it != env.end() && it->second != "none") gpus.insert(it->second);
  }
  if (libtorch.empty()) return;
  libtorch["gpus"] = gpus;
  environment["libtorch"] = libtorch;
}

}  // namespace seedgate
