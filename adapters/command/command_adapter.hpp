#pragma once
// The "command" adapter: any program. It expands {placeholders} in the
// policy's argv (or runs a string command through /bin/sh -c), sets the
// protocol's environment, and reads metrics from the protocol file, from
// regex sources over the captured output, and digests of artifact files.
#include "harness/adapter.hpp"

namespace seedgate {

class CommandAdapter : public Adapter {
 public:
  std::string name() const override { return "command"; }
  ProcessSpec command_for(const Policy& policy, const RunSpec& run, const RunContext& context,
                          const std::map<std::string, std::string>& base_env) const override;
  RunReport collect(const Policy& policy, const RunSpec& run, const RunContext& context,
                    const ProcessSpec& spec) const override;
  // The program's env record (from its first passed run) as "program", and
  // for a Python program the versions its interpreter gives, asked once
  // (python_env.hpp), as "python".
  void describe_environment(const Policy& policy, const std::vector<RunRecord>& runs,
                            nlohmann::json& environment) const override;
};

}  // namespace seedgate
