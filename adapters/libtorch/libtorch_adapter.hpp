#pragma once
// The "libtorch" adapter: a program linking seedgate::torch, run as a command.
// On top of the command adapter it knows LibTorch's failure texts (an op with
// no deterministic implementation, cuBLAS without CUBLAS_WORKSPACE_CONFIG,
// CUDA out of memory), checks that the program called
// seedgate::torch::configure(), and puts the LibTorch, CUDA and cuDNN
// versions and GPUs its runs reported into the environment fingerprint.
// It does not link LibTorch.
#include "adapters/command/command_adapter.hpp"

namespace seedgate {

class LibTorchAdapter final : public CommandAdapter {
 public:
  std::string name() const override { return "libtorch"; }
  RunReport collect(const Policy& policy, const RunSpec& run, const RunContext& context,
                    const ProcessSpec& spec) const override;
  void describe_environment(const Policy& policy, const std::vector<RunRecord>& runs,
                            nlohmann::json& environment) const override;
};

// What LibTorch's error text on stderr says, as protocol events: a
// "nondeterministic-op" event naming the op, or a "framework-error" event
// with the cause in a few words. Only what the program did not report itself.
void diagnose_libtorch_output(std::string_view stderr_text, RunReport& report);

}  // namespace seedgate
