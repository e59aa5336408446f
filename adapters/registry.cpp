#include "adapters/registry.hpp"

#include "adapters/command/command_adapter.hpp"

namespace seedgate {

std::unique_ptr<Adapter> make_adapter(const std::string& name) {
  if (name == "command") return std::make_unique<CommandAdapter>();
  return nullptr;
}

}  // namespace seedgate
