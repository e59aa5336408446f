// The Python tokenizer and the whole lint over one Python file: any bytes
// give tokens and findings, never a crash, a hang or a leak.
#include "lint_one_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return lint_one_file(data, size, lint::Language::python);
}
