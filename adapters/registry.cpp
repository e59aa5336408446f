#include "adapters/registry.hpp"

#include "adapters/command/command_adapter.hpp"
#include "adapters/libtorch/libtorch_adapter.hpp"

namespace seedgate {

std::unique_ptr<Adapter> make_adapter(const std::string& name) {
  if (name == "command") return std::make_unique<CommandAdapter>();
  if (name == "libtorch") return std::make_unique<LibTorchAdapter>();
  return nullptr;
}

}  // namespace seedgate
