#pragma once
// Normal draws for the checks' seeded simulations: splitmix64 + Box–Muller,
// so the same seed gives the same draws on every platform and a failing
// simulation reproduces.
#include <cmath>
#include <cstdint>

namespace seedgate::test {

class SeededNormal {
 public:
  explicit SeededNormal(std::uint64_t seed) : state_(seed) {}
  double operator()(double mean = 0, double sd = 1) {
    double u1 = uniform(), u2 = uniform();
    return mean + sd * std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  double uniform() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  }
  std::uint64_t state_;
};

}  // namespace seedgate::test
