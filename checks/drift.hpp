#pragma once
// The drift kind: this sweep's metric against the history of earlier sweeps
// on the same branch. Two rules, each on the sweeps' levels (a sweep's mean
// over its seeds):
//
//   shift  this sweep's mean against the last `window` accepted sweeps: the
//          t prediction interval for one more sweep's mean, from the spread
//          of the reference sweeps' means (so night-to-night variation that
//          is not seed noise widens it). With equal seed counts and normal
//          sweep means it alarms on a stable program at most 1 - confidence
//          per sweep, split over both sides when `direction = "both"`: near
//          that when nights vary beyond seed noise, well under it when they
//          do not (0.3-0.4% at 0.99); skewed metrics with few seeds exceed it.
//   cusum  slow drift: a two-sided tabular CUSUM (allowance k, decision
//          interval h, both in reference std units) over the last `span`
//          sweeps, standardised by the `window` accepted sweeps just before
//          that span. It alarms when this sweep's CUSUM passes h, and names
//          the sweep where the CUSUM last left zero: where the drift began.
//
// The CUSUM's reference lags the span, so only a very slow drift (about 0.1
// std of a sweep's mean over `span` sweeps) is absorbed; one std over the
// span alarms on about two sweeps in three. Its false-alarm rate with an
// estimated reference is simulated in tests/unit/checks/drift_test.cpp and
// quoted in the README.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/intervals.hpp"

namespace seedgate::checks {

// One sweep's level of a metric in one group.
struct SweepLevel {
  std::string id = {};
  std::string started = {};
  std::string commit = {};
  bool accepted = true;   // its verdict was pass
  std::size_t seeds = 0;  // seeds with a value
  double mean = 0;        // mean of the per-seed means
  double variance = 0;    // variance of the per-seed means (0 with one seed)
};

struct DriftOptions {
  std::size_t window = 20;
  std::size_t span = 20;
  double k = 0.5;
  double h = 8;
  double confidence = 0.99;
  DriftDirection direction = DriftDirection::both;
  Goal goal = Goal::maximize;
};

// Fewer accepted sweeps than this and a rule waits (the check passes, saying so).
inline constexpr std::size_t kMinDriftReference = 3;

struct DriftAnalysis {
  // shift
  std::size_t reference = 0;  // accepted sweeps in the shift reference; < kMinDriftReference: not judged
  double reference_mean = 0;
  Interval expected{};  // where this sweep's mean is expected, at the check's confidence
  bool shift_alarm = false;
  // cusum
  std::size_t cusum_reference = 0;  // accepted sweeps before the span; < window: not judged
  double mu0 = 0;
  double sigma0 = 0;
  std::vector<std::size_t> span;  // indices into `past` of the span, oldest first; this sweep follows them
  std::vector<double> upper;      // CUSUM over the span, this sweep last
  std::vector<double> lower;
  bool cusum_alarm = false;
  bool cusum_down = false;           // the alarm is on the lower side
  std::optional<std::size_t> start;  // index into `past`, or past.size() for this sweep: where the drift began
};

// `past`: earlier sweeps, oldest first.
DriftAnalysis analyse_drift(std::span<const SweepLevel> past, const SweepLevel& current, const DriftOptions& options);

}  // namespace seedgate::checks
