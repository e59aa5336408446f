#pragma once
// What the SQLite and PostgreSQL stores share: the tables (one DDL both
// accept), the migration steps, the list query, and the reading of a row into
// a record, written once over any Row with text/integer/real/optional_real.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "history/store.hpp"

namespace seedgate::history::schema {

// Created before any step, so that a store records its version from the start.
inline constexpr std::string_view kMetaTable =
    "CREATE TABLE IF NOT EXISTS seedgate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

inline constexpr std::string_view kSetVersion =
    "INSERT INTO seedgate_meta (key, value) VALUES ('schema_version', $1) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

inline constexpr std::string_view kReadVersion = "SELECT value FROM seedgate_meta WHERE key = 'schema_version'";

// kMigrations[i] takes a store from version i to i + 1, inside the one
// transaction that also records the new version. A value that is not a
// number (NaN) is stored as NULL; infinities are stored as they are.
inline constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {
    R"sql(
CREATE TABLE sweeps (
  id TEXT PRIMARY KEY,
  started TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  branch TEXT NOT NULL,
  subject TEXT NOT NULL,
  policy_digest TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  verdict TEXT NOT NULL,
  run_count INTEGER NOT NULL);
CREATE INDEX sweeps_branch_started ON sweeps (branch, started);
CREATE INDEX sweeps_started ON sweeps (started);
CREATE TABLE runs (
  sweep_id TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  run_index INTEGER NOT NULL,
  seed BIGINT NOT NULL,
  repeat_index INTEGER NOT NULL,
  mode TEXT NOT NULL,
  device TEXT NOT NULL,
  threads INTEGER NOT NULL,
  variant TEXT NOT NULL,
  source TEXT NOT NULL,
  fold INTEGER NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (sweep_id, run_index));
CREATE TABLE run_metrics (
  sweep_id TEXT NOT NULL,
  run_index INTEGER NOT NULL,
  metric TEXT NOT NULL CHECK (metric <> ''),
  value DOUBLE PRECISION,
  PRIMARY KEY (sweep_id, run_index, metric),
  FOREIGN KEY (sweep_id, run_index) REFERENCES runs (sweep_id, run_index) ON DELETE CASCADE);
CREATE TABLE checks (
  sweep_id TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  check_index INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  metric TEXT NOT NULL,
  verdict TEXT NOT NULL,
  messages TEXT NOT NULL,
  PRIMARY KEY (sweep_id, check_index));
CREATE TABLE statistics (
  sweep_id TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  statistic_index INTEGER NOT NULL,
  check_name TEXT NOT NULL,
  group_name TEXT NOT NULL,
  name TEXT NOT NULL,
  value DOUBLE PRECISION,
  bound_key TEXT NOT NULL,
  bound DOUBLE PRECISION,
  lower_bound DOUBLE PRECISION,
  upper_bound DOUBLE PRECISION,
  verdict TEXT NOT NULL,
  PRIMARY KEY (sweep_id, statistic_index));
)sql",
    // 2: each run's wall time, which orders the next sweep's runs longest first.
    "ALTER TABLE runs ADD COLUMN wall_seconds DOUBLE PRECISION",
};

// Parameters in order of first use, so that SQLite's "$N" names get index N.
// $6 is the row limit: kNoLimit for all.
inline constexpr std::string_view kList =
    "SELECT id, started, commit_id, branch, subject, policy_digest, verdict, run_count FROM ("
    "SELECT * FROM sweeps WHERE (branch = $1 OR $1 = '') AND (subject = $2 OR $2 = '') "
    "AND (started >= $3 OR $3 = '') AND (started < $4 OR $4 = '') AND id <> $5 "
    "ORDER BY started DESC, id DESC LIMIT $6) AS newest ORDER BY started, id";
inline constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

inline constexpr std::string_view kSweepColumns =
    "id, started, commit_id, branch, subject, policy_digest, fingerprint, verdict, run_count";
inline constexpr std::string_view kRunColumns =
    "sweep_id, run_index, seed, repeat_index, mode, device, threads, variant, source, fold, status, wall_seconds";
inline constexpr std::string_view kMetricColumns = "sweep_id, run_index, metric, value";
inline constexpr std::string_view kCheckColumns = "sweep_id, check_index, name, kind, metric, verdict, messages";
inline constexpr std::string_view kStatisticColumns =
    "sweep_id, statistic_index, check_name, group_name, name, value, bound_key, bound, lower_bound, upper_bound, "
    "verdict";

// Readers of rows selected with the column lists above (a sweep without its
// run count; a run, metric, check or statistic from run_index on, after sweep_id).
template <typename Row>
SweepSummary read_summary(const Row& row) {
  return {row.text(0), row.text(1), row.text(2), row.text(3),
          row.text(4), row.text(5), row.text(6), static_cast<std::size_t>(row.integer(7))};
}

template <typename Row>
SweepRecord read_sweep(const Row& row) {
  return {row.text(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5), row.text(6), row.text(7)};
}

template <typename Row>
RunRow read_run(const Row& row) {
  return {row.integer(2),
          static_cast<int>(row.integer(3)),
          row.text(4),
          row.text(5),
          static_cast<int>(row.integer(6)),
          row.text(7),
          row.text(8),
          static_cast<int>(row.integer(9)),
          row.text(10),
          {},
          row.real(11)};
}

template <typename Row>
CheckRow read_check(const Row& row) {
  return {row.text(2), row.text(3), row.text(4), row.text(5), row.text(6)};
}

template <typename Row>
StatisticRow read_statistic(const Row& row) {
  return {row.text(2),          row.text(3),          row.text(4),          row.real(5), row.text(6),
          row.optional_real(7), row.optional_real(8), row.optional_real(9), row.text(10)};
}

}  // namespace seedgate::history::schema
