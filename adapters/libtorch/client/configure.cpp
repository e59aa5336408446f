// seedgate::torch: the protocol's environment read and applied to LibTorch.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "seedgate/torch.hpp"
#ifdef SEEDGATE_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace seedgate::torch {
namespace {

const char* read(const Lookup& lookup, const char* name) {
  return lookup ? lookup(name) : std::getenv(name);
}

using protocol::is_cuda;

// "12010" -> "12.1"; cuDNN "8902" -> "8.9.2", "90100" -> "9.1.0".
std::string cuda_version(long v) {
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}
std::string cudnn_version(long v) {
  long major = v >= 90000 ? v / 10000 : v / 1000;
  long rest = v >= 90000 ? v % 10000 : v % 1000;
  return std::to_string(major) + "." + std::to_string(rest / 100) + "." + std::to_string(rest % 100);
}

const char* on_off(bool value) {
  return value ? "on" : "off";
}

}  // namespace

Applied apply(const Settings& settings, const Lookup& lookup) {
  at::Context& context = at::globalContext();
  if (is_cuda(settings.device)) {
    if (!::torch::cuda::is_available()) {
      throw ConfigurationError("SEEDGATE_DEVICE='" + settings.device +
                               "' but LibTorch sees no CUDA device (a CPU-only LibTorch, or no GPU visible)");
    }
    if (settings.deterministic) {
      const char* workspace = read(lookup, "CUBLAS_WORKSPACE_CONFIG");
      std::string_view w = workspace ? workspace : "";
      if (w != ":4096:8" && w != ":16:8") {
        throw ConfigurationError(
            "deterministic mode on CUDA needs CUBLAS_WORKSPACE_CONFIG=:4096:8 (or :16:8) in the environment before "
            "the program starts, or cuBLAS is not deterministic; `seedgate run` sets it, by hand set it yourself "
            "(it is '" +
            std::string(w) + "')");
      }
    }
  }
  ::torch::manual_seed(static_cast<std::uint64_t>(settings.seed_for(Source::init)));
  if (settings.deterministic) {
    context.setDeterministicAlgorithms(true, /*warn_only=*/false);
    context.setDeterministicCuDNN(true);
    context.setBenchmarkCuDNN(false);
    context.setAllowTF32CuBLAS(false);
    context.setAllowTF32CuDNN(false);
  }
  if (settings.threads > 0) {
    ::torch::set_num_threads(settings.threads);
    if (at::get_num_interop_threads() != settings.threads) {
      try {
        at::set_num_interop_threads(settings.threads);
      } catch (const std::exception&) {
        throw ConfigurationError("cannot set LibTorch's inter-op threads to " + std::to_string(settings.threads) +
                                 ": call configure() before any parallel work starts");
      }
    }
  }
  Applied a;
  a.deterministic_algorithms = context.deterministicAlgorithms();
  a.deterministic_warn_only = context.deterministicAlgorithmsWarnOnly();
  a.cudnn_deterministic = context.deterministicCuDNN();
  a.cudnn_benchmark = context.benchmarkCuDNN();
  a.tf32_cublas = context.allowTF32CuBLAS();
  a.tf32_cudnn = context.allowTF32CuDNN();
  a.intra_op_threads = at::get_num_threads();
  a.inter_op_threads = at::get_num_interop_threads();
  return a;
}

bool seed_dropout(const Settings& settings) {
  if (!settings.has_own_seed(Source::init) && !settings.has_own_seed(Source::dropout)) return false;
  ::torch::manual_seed(static_cast<std::uint64_t>(settings.seed_for(Source::dropout)));
  return true;
}

std::map<std::string, std::string> environment_record(const Settings& settings, const Applied& applied) {
  std::map<std::string, std::string> env;
  env["adapter"] = "seedgate::torch";
  env["torch"] = TORCH_VERSION;
  const at::CUDAHooksInterface& hooks = at::detail::getCUDAHooks();
  bool cuda = at::hasCUDA();
  env["cuda"] = cuda ? cuda_version(hooks.versionCUDART()) : "none";
  env["cudnn"] = cuda && hooks.hasCuDNN() ? cudnn_version(hooks.versionCuDNN()) : "none";
  env["gpu"] = "none";
#ifdef SEEDGATE_TORCH_CUDA
  if (cuda && is_cuda(settings.device)) env["gpu"] = at::cuda::getCurrentDeviceProperties()->name;
#else
  (void)settings;
#endif
  env["deterministic_algorithms"] =
      applied.deterministic_algorithms ? (applied.deterministic_warn_only ? "warn" : "error") : "off";
  env["cudnn_deterministic"] = on_off(applied.cudnn_deterministic);
  env["cudnn_benchmark"] = on_off(applied.cudnn_benchmark);
  env["tf32_cublas"] = on_off(applied.tf32_cublas);
  env["tf32_cudnn"] = on_off(applied.tf32_cudnn);
  env["intra_op_threads"] = std::to_string(applied.intra_op_threads);
  env["inter_op_threads"] = std::to_string(applied.inter_op_threads);
  return env;
}

Session configure() {
  Settings settings = settings_from_environment();
  Applied applied = apply(settings);
  Session session(settings, applied);
  session.environment(environment_record(settings, applied));
  return session;
}

std::optional<std::string> nondeterministic_op(std::string_view text) {
  constexpr std::string_view kPhrase = " does not have a deterministic implementation";
  std::size_t at = text.find(kPhrase);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t begin = at;
  while (begin > 0 && !std::isspace(static_cast<unsigned char>(text[begin - 1])) && text[begin - 1] != '\'' &&
         text[begin - 1] != '"' && text[begin - 1] != ']')
    --begin;
  if (begin == at) return std::nullopt;
  return std::string(text.substr(begin, at - begin));
}

int guarded_main(const std::function<void()>& body) {
  std::string text;
  try {
    body();
    return 0;
  } catch (const c10::Error& e) {
    text = e.what_without_backtrace();
  } catch (const std::exception& e) {
    text = e.what();
  }
  std::cerr << "error: " << text << "\n";
  if (auto op = nondeterministic_op(text)) {
    try {
      Session session(settings_from_environment(), Applied{});
      session.event("nondeterministic-op", *op + " does not have a deterministic implementation");
    } catch (const std::exception& e) {
      std::cerr << "error: cannot report the nondeterministic op: " << e.what() << "\n";
    }
  }
  return 1;
}

}  // namespace seedgate::torch
