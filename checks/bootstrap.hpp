#pragma once
// Bootstrap intervals, percentile and BCa, for the statistics a check judges.
// Resampling is seeded and uses a fixed generator (xoshiro256**) and
// unbiased index draws, so the same data and seed give the same interval on
// every platform: a report can be reproduced.
#include <cstddef>
#include <cstdint>
#include <span>

#include "checks/intervals.hpp"

namespace seedgate::checks {

// The resampling generator, shared by every seeded resampling in checks:
// splitmix64 expands the seed; xoshiro256** draws. Both are fixed algorithms,
// unlike the standard library's distributions.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }
  std::uint64_t next() {
    std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Lemire's nearly divisionless unbiased draw from [0, bound).
  std::uint32_t below(std::uint32_t bound) {
    std::uint64_t m = (next() >> 32) * bound;
    auto low = static_cast<std::uint32_t>(m);
    if (low < bound) {
      std::uint32_t threshold = -bound % bound;
      while (low < threshold) {
        m = (next() >> 32) * bound;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return static_cast<std::uint32_t>(m >> 32);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

enum class BootStatistic { mean, std, cv, median, iqm };
const char* to_string(BootStatistic statistic);

// The statistic itself on a sample: mean, sample std (n-1), std/|mean|,
// median, interquartile mean.
double bootstrap_statistic(BootStatistic statistic, std::span<const double> values);

struct BootstrapOptions {
  std::size_t resamples = 10000;
  std::uint64_t seed = 0;
};

struct BootstrapResult {
  double estimate = 0;
  Interval percentile;
  Interval bca;
  double bias_correction = 0;  // z0
  double acceleration = 0;     // a, from the jackknife
};

// Needs two values or more. When every value is the same, both intervals are
// that value (no NaN): there is nothing to resample.
BootstrapResult bootstrap(std::span<const double> values, BootStatistic statistic, double level,
                          const BootstrapOptions& options = {});

}  // namespace seedgate::checks
