#pragma once
// The "xgboost" adapter: trains every run inside seedgate through XGBoost's C
// API (seedgate::xgboost), from the policy's [subject.xgboost] table. The
// data files are read once and shared; each run builds its own DMatrix and
// booster and trains on one thread from start to finish (XGBoost's random
// generator is thread-local up to 3.2, so boosters must not share or hop
// threads). A run writes what a program would: protocol records (each
// round's evaluation with its step, the model digest, feature importance),
// the evaluation lines on stderr.log, model.ubj in its folder, and its
// predictions on the first evaluation set in `predictions` there.
#include <memory>

#include "adapters/command/command_adapter.hpp"
#include "adapters/xgboost/subject.hpp"
#include "harness/thread_runner.hpp"

namespace seedgate {

struct XGBoostData;  // the tables every run shares

class XGBoostAdapter final : public CommandAdapter {
 public:
  std::string name() const override { return "xgboost"; }
  ProcessSpec command_for(const Policy& policy, const RunSpec& run, const RunContext& context,
                          const std::map<std::string, std::string>& base_env) const override;
  void describe_environment(const Policy& policy, const std::vector<RunRecord>& runs,
                            nlohmann::json& environment) const override;
  // Reads the data files (errors name the file and line) and returns a
  // ThreadRunner that trains each run.
  util::Result<std::unique_ptr<CommandRunner>> make_runner(const Policy& policy) const override;
};

// Reads the [subject.xgboost] data files, each once.
util::Result<std::shared_ptr<const XGBoostData>> load_xgboost_data(const XGBoostSubject& subject);

// Trains one run as described by `spec` (its protocol environment, output
// paths and deadline), with the parameters of the variant its
// SEEDGATE_VARIANT names set over the subject's.
ProcessResult train_xgboost_run(const XGBoostSubject& subject, const XGBoostData& data,
                                const std::vector<VariantSpec>& variants, const ProcessSpec& spec,
                                const RunControl& control);

}  // namespace seedgate
