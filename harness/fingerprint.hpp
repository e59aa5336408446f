#pragma once
// The environment a sweep ran in: host, OS, CPU, memory, GPUs and driver,
// compiler and library versions, and the determinism variables seedgate
// inherited. Two sweeps are comparable only when these agree.
#include <nlohmann/json.hpp>

namespace seedgate {

nlohmann::json environment_fingerprint(int gpu_count);

}  // namespace seedgate
