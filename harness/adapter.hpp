#pragma once
// How the harness talks to a kind of training subject. An adapter turns a
// planned run into a command, and reads back what the run reported. The
// "command" adapter serves any program; framework adapters add what they
// know of their framework's events and failure texts.
#include <memory>
#include <string>

#include "harness/metrics.hpp"
#include "harness/plan.hpp"
#include "harness/policy.hpp"
#include "harness/posix_runner.hpp"
#include "harness/results.hpp"
#include "harness/runner.hpp"

namespace seedgate {

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string name() const = 0;
  // The command for one run. `base_env` is seedgate's own environment.
  virtual ProcessSpec command_for(const Policy& policy, const RunSpec& run, const RunContext& context,
                                  const std::map<std::string, std::string>& base_env) const = 0;
  // What a finished run reported: metrics, digests, events, issues.
  virtual RunReport collect(const Policy& policy, const RunSpec& run, const RunContext& context,
                            const ProcessSpec& spec) const = 0;
  // Adds what the program ran on (its interpreter and packages, what the runs
  // reported of their framework: versions, GPU) to the sweep's environment
  // fingerprint. Called once per sweep, after its runs.
  virtual void describe_environment(const Policy& /*policy*/, const std::vector<RunRecord>& /*runs*/,
                                    nlohmann::json& /*environment*/) const {}
  // What runs the sweep's commands: real processes, unless the adapter trains
  // inside seedgate (then it also loads what every run shares, once).
  virtual util::Result<std::unique_ptr<CommandRunner>> make_runner(const Policy& /*policy*/) const {
    return std::unique_ptr<CommandRunner>(std::make_unique<PosixRunner>());
  }
};

}  // namespace seedgate
