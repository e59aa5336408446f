#pragma once
// How long each run of a sweep is expected to take, from runs that finished
// before (an earlier sweep's results, a baseline, this sweep's finished runs),
// so that the scheduler can start the longest first; and the lower bound on
// the sweep's make-span that any order of starts meets at best.
//
// Starting the longest jobs first (LPT) finishes within 4/3 - 1/(3m) of the
// shortest possible make-span on m slots (R. L. Graham, "Bounds on
// multiprocessing timing anomalies", SIAM J. Appl. Math. 17(2), 1969), where
// list order can take nearly twice it: one long job started last runs alone.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "harness/plan.hpp"
#include "harness/results.hpp"

namespace seedgate {

// The wall times of finished runs, by run id and by configuration. A run's
// own earlier time is the best guess of its next one; another seed of the
// same configuration (mode, device, threads, variant, fold) is the next best,
// since the seed changes the numbers a run computes, not how many.
class DurationHistory {
 public:
  // Records a run that finished (passed, failed or timed out). Runs that were
  // interrupted, skipped, stopped by a determinism violation or never started
  // say nothing of how long a whole run takes and are left out. Of several
  // records of one run id the last added counts: add the oldest first.
  void add(const RunRecord& record);
  // The run's own last wall time, else the mean over its configuration's
  // recorded runs, else -1 (unknown).
  double expected(const RunSpec& run) const;

 private:
  using Configuration = std::tuple<std::string, std::string, int, std::string, int>;
  static Configuration configuration_of(const RunSpec& run);
  struct Sum {
    double seconds = 0;
    std::size_t runs = 0;
  };
  std::map<std::string, double> m_by_id;
  std::map<Configuration, Sum> m_by_configuration;
};

// Each run's expected wall time in seconds from `earlier` (oldest first), -1
// where nothing is known: see DurationHistory.
std::vector<double> expected_seconds(const std::vector<RunSpec>& runs, const std::vector<RunRecord>& earlier);

// max(longest, total / jobs) over the known (non-negative) durations: no order
// of starts on `jobs` slots finishes sooner. 0 when none is known.
double lpt_bound(const std::vector<double>& seconds, int jobs);

}  // namespace seedgate
