// Uses one call of each seedgate component the build found (consumer/CMakeLists.txt).
#include <cstdio>
#include <string>

#ifdef SEEDGATE_HAS_protocol
#include <seedgate/protocol.hpp>
#endif
#ifdef SEEDGATE_HAS_torch
#include <seedgate/torch.hpp>
#endif
#ifdef SEEDGATE_HAS_xgboost
#include <seedgate/xgboost.hpp>
#endif

int main() {
#ifdef SEEDGATE_HAS_protocol
  std::printf("protocol: %s\n", seedgate::protocol::json_string("a\"b").c_str());
#endif
#ifdef SEEDGATE_HAS_torch
  std::printf("torch: %s\n",
              seedgate::torch::nondeterministic_op("no such operation").value_or("(deterministic)").c_str());
#endif
#ifdef SEEDGATE_HAS_xgboost
  std::printf("xgboost: %s\n", seedgate::xgboost::library_version().text().c_str());
#endif
  return 0;
}
