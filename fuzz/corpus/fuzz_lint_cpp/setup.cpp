#include "setup.hpp"

#include <torch/torch.h>

void setup(std::uint64_t seed) {
  torch::manual_seed(seed);
  at::globalContext().setDeterministicAlgorithms(true, false);
}
