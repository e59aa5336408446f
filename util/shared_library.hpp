#pragma once
// A shared library opened when first needed (dlopen), not at start: seedgate
// starts in about a tenth of the time when libpq and libxgboost, with the
// thirty libraries they pull in, are loaded only by the commands that use
// them.
#include <string>
#include <vector>

#include "util/result.hpp"

namespace util {

class SharedLibrary {
 public:
  // The first of `names` (a path, or a name the loader searches for) that
  // opens; the error names what was tried and why the last one failed.
  static Result<SharedLibrary> open(const std::vector<std::string>& names);
  // Never closed: what the library allocated or registered (atexit
  // handlers, threads) may outlive any handle, as it would were it linked.

  // The address of `name`, as `Function` (whose type comes from the
  // library's own header); an error when the library lacks it.
  template <class Function>
  Result<void> bind(const char* name, Function*& out) const {
    void* address = find(name);
    if (address == nullptr) return make_error(missing(name));
    out = reinterpret_cast<Function*>(address);  // NOLINT: dlsym gives object pointers
    return {};
  }
  const std::string& name() const { return m_name; }

 private:
  SharedLibrary(void* handle, std::string name) : m_handle(handle), m_name(std::move(name)) {}
  void* find(const char* name) const;
  std::string missing(const char* name) const;
  void* m_handle = nullptr;
  std::string m_name;
};

}  // namespace util
