#pragma once
// seedgate's exit codes, and the one place a verdict becomes one: 0 every
// check passed, 1 a check failed, 2 usage or policy error, 3 could not
// evaluate (a failed check wins over 3).
#include "harness/results.hpp"

namespace seedgate {

inline constexpr int kExitPass = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCannotEvaluate = 3;

// pass 0, fail 1; error, an unjudged shard or no verdict 3.
constexpr int exit_code(SweepVerdict verdict) {
  switch (verdict) {
    case SweepVerdict::pass:
      return kExitPass;
    case SweepVerdict::fail:
      return kExitFail;
    case SweepVerdict::error:
    case SweepVerdict::shard:
    case SweepVerdict::none:
      return kExitCannotEvaluate;
  }
  return kExitCannotEvaluate;
}

}  // namespace seedgate
