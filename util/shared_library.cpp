#include "util/shared_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include "util/strings.hpp"

namespace util {

Result<SharedLibrary> SharedLibrary::open(const std::vector<std::string>& names) {
  std::string last_error = "no library named";
  for (const std::string& name : names) {
    // RTLD_LOCAL: its symbols serve only the calls made through this handle.
    if (void* handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) return SharedLibrary(handle, name);
    const char* error = ::dlerror();
    last_error = error ? error : "unknown error";
  }
  return make_error(fmt::format("cannot load {}: {}", join(names, " or "), last_error));
}

void* SharedLibrary::find(const char* name) const {
  return m_handle == nullptr ? nullptr : ::dlsym(m_handle, name);
}

std::string SharedLibrary::missing(const char* name) const {
  return fmt::format("{} has no {}: a version older than seedgate was built with?", m_name, name);
}

}  // namespace util
