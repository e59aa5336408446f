#pragma once
// The history of sweeps: every sweep's runs, checks and environment, kept in
// a store that outlives the sweep's folder, so that a check can judge tonight's
// sweep against the nights before it (the `drift` kind) and people can look at
// a metric's trend. Two stores behind one interface: SQLite (a file, the
// default) and PostgreSQL (a team's shared server, through libpq).
//
// A sweep is appended in one transaction: all of it or nothing, whoever else
// is appending. A store whose schema is newer than this seedgate's is refused;
// an older one is migrated in a transaction. Nothing here deletes a store it
// cannot read.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace seedgate::history {

// The schema this seedgate writes; stores record theirs in seedgate_meta.
inline constexpr int kSchemaVersion = 2;

// One run of a sweep, as far as the history needs it.
struct RunRow {
  std::int64_t seed = 0;
  int repeat = 0;
  std::string mode = {};
  std::string device = {};
  int threads = 0;
  std::string variant = {};
  std::string source = {};
  int fold = -1;
  std::string status = {};  // "passed", "failed", "timed_out", ... (harness/results.hpp)
  std::map<std::string, double> metrics = {};
  // How long it ran, for the next sweep's longest-first order; NaN where not
  // known (a run that never started, a sweep stored before schema version 2).
  double wall_seconds = std::numeric_limits<double>::quiet_NaN();
};

// One check's outcome.
struct CheckRow {
  std::string name = {};
  std::string kind = {};
  std::string metric = {};
  std::string verdict = {};   // "pass", "fail", "inconclusive", "error"
  std::string messages = {};  // one per line
};

// One statistic a check computed: the estimate, its bound and interval.
struct StatisticRow {
  std::string check = {};
  std::string group = {};  // "mode=deterministic, device=cpu"
  std::string name = {};   // "mean", "std", ...
  double value = 0;
  std::string bound_key = {};  // "mean_at_least"; empty: reported for information
  std::optional<double> bound = {};
  std::optional<double> lower = {};
  std::optional<double> upper = {};
  std::string verdict = {};
};

struct SweepRecord {
  std::string id = {};       // unique in the store, e.g. "20261201T193500Z-1a2b3c4d"
  std::string started = {};  // UTC, ISO 8601 to the second: "2026-12-01T19:35:00Z" (sorts as text)
  std::string commit = {};
  std::string branch = {};
  std::string subject = {};
  std::string policy_digest = {};
  std::string fingerprint = {};  // the environment fingerprint, JSON text
  std::string verdict = {};      // the sweep's: "pass", "fail", "error"
  std::vector<RunRow> runs = {};
  std::vector<CheckRow> checks = {};
  std::vector<StatisticRow> statistics = {};
};

// A stored sweep without its runs and checks.
struct SweepSummary {
  std::string id = {};
  std::string started = {};
  std::string commit = {};
  std::string branch = {};
  std::string subject = {};
  std::string policy_digest = {};
  std::string verdict = {};
  std::size_t runs = 0;
};

struct Filter {
  std::string branch = {};   // empty: every branch
  std::string subject = {};  // empty: every subject
  std::string since = {};    // sweeps started at or after this time (ISO 8601); empty: no limit
  std::string before = {};   // sweeps started before this time; empty: no limit
  std::string exclude = {};  // leave out the sweep with this id (the one being judged)
  std::size_t newest = 0;    // only the newest `newest` of the matching sweeps; 0: all
};

class Store {
 public:
  virtual ~Store() = default;
  // Where it is, without credentials: "sqlite:.seedgate/history.db", "postgresql://host/db".
  virtual const std::string& describe() const = 0;
  // One transaction: all of the sweep or nothing. Retries while another
  // writer holds the store (up to a bounded wait); an error when a sweep with
  // the same id is already stored.
  virtual util::Result<void> append(const SweepRecord& sweep) = 0;
  // Matching sweeps, oldest first (by `started`, then id).
  virtual util::Result<std::vector<SweepSummary>> list(const Filter& filter) = 0;
  // The sweeps with these ids, in the order given, with their fingerprint,
  // runs, checks and statistics. `metrics` non-empty: only those metrics of
  // each run. An error names an id that is not stored.
  virtual util::Result<std::vector<SweepRecord>> load(const std::vector<std::string>& ids,
                                                      const std::vector<std::string>& metrics) = 0;
  // Deletes the sweeps that started before `before` (ISO 8601), with their
  // rows, in one transaction; returns how many.
  virtual util::Result<std::size_t> prune(const std::string& before) = 0;
};

// "sqlite:PATH" (PATH relative to `base` unless absolute; the folder is
// created), or "postgresql://..." / "postgres://..." (a libpq connection URI:
// host, port, database, user and options; the password comes from PGPASSWORD
// or ~/.pgpass, never from the URI, which is refused if it holds one).
// Opening creates or migrates the schema; a newer schema, a file that is not
// a SQLite database, or a server that cannot be reached is an error that says so.
util::Result<std::unique_ptr<Store>> open_store(std::string_view url, const std::filesystem::path& base);

}  // namespace seedgate::history
