#include "harness/fingerprint.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

std::string first_line_with(const std::filesystem::path& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::size_t colon = line.find(':');
    std::string value = colon == std::string::npos ? line : line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "";
}

nlohmann::json gpus() {
  nlohmann::json list = nlohmann::json::array();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/driver/nvidia/gpus", ec)) {
    std::filesystem::path info = entry.path() / "information";
    list.push_back({{"bus", entry.path().filename().string()}, {"model", first_line_with(info, "Model")}});
  }
  return list;
}

}  // namespace

nlohmann::json environment_fingerprint(int gpu_count) {
  struct utsname uts {};
  ::uname(&uts);
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGE_SIZE);
  nlohmann::json determinism = nlohmann::json::object();
  for (const char* name : {"CUBLAS_WORKSPACE_CONFIG", "PYTHONHASHSEED", "TF_DETERMINISTIC_OPS", "NVIDIA_TF32_OVERRIDE",
                           "OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES"}) {
    if (const char* value = std::getenv(name)) determinism[name] = value;
  }
  std::string driver = first_line_with("/proc/driver/nvidia/version", "NVRM version");
  return {
      {"host", uts.nodename},
      {"os", fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine)},
      {"cpu", first_line_with("/proc/cpuinfo", "model name")},
      {"cpu_count", std::thread::hardware_concurrency()},
      {"memory_bytes", static_cast<long long>(pages) * page_size},
      {"gpu_count", gpu_count},
      {"gpus", gpus()},
      {"gpu_driver", driver},
      {"compiler", fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__)},
      {"libraries",
       {{"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
        {"tomlplusplus", fmt::format("{}.{}.{}", TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH)},
        {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                      NLOHMANN_JSON_VERSION_PATCH)}}},
      {"determinism_variables", determinism},
  };
}

}  // namespace seedgate
