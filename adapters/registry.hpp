#pragma once
// Adapters by the name a policy gives in `subject.adapter`, and the tables
// they add to [subject].
#include <memory>
#include <span>
#include <string>

#include "harness/adapter.hpp"

namespace seedgate {

std::unique_ptr<Adapter> make_adapter(const std::string& name);

// The adapters' own [subject.<adapter>] tables, for load_policy.
std::span<const SubjectTable> subject_tables();

}  // namespace seedgate
