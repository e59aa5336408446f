#include "adapters/registry.hpp"

#include "adapters/command/command_adapter.hpp"
#include "adapters/libtorch/libtorch_adapter.hpp"
#include "adapters/xgboost/subject.hpp"
#ifdef SEEDGATE_WITH_XGBOOST
#include "adapters/xgboost/xgboost_adapter.hpp"
#endif

namespace seedgate {

std::unique_ptr<Adapter> make_adapter(const std::string& name) {
  if (name == "command") return std::make_unique<CommandAdapter>();
  if (name == "libtorch") return std::make_unique<LibTorchAdapter>();
#ifdef SEEDGATE_WITH_XGBOOST
  if (name == "xgboost") return std::make_unique<XGBoostAdapter>();
#endif
  return nullptr;
}

std::span<const SubjectTable> subject_tables() {
  static const SubjectTable tables[] = {kXGBoostSubjectTable};
  return tables;
}

}  // namespace seedgate
