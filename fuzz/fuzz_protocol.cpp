// The protocol reader (a training program's metrics.jsonl) over any bytes:
// every malformed record is an issue naming its line, never a crash, a hang
// or a leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/metrics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  seedgate::RunReport report;
  seedgate::parse_protocol(content, "metrics.jsonl", report);
  return 0;
}
