#pragma once
// Adapters by the name a policy gives in `subject.adapter`.
#include <memory>
#include <string>

#include "harness/adapter.hpp"

namespace seedgate {

std::unique_ptr<Adapter> make_adapter(const std::string& name);

}  // namespace seedgate
