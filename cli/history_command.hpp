#pragma once
// `seedgate history`: the sweeps a history store (history/store.hpp) holds,
// listed, trended, exported as CSV, pruned, and backfilled from results
// files. The store is --store URL (a sqlite path relative to the current
// folder) or the policy's [history] store (relative to the policy's folder).
// Exit codes: 0 done, 2 usage (no store, a bad URL, time or metric), 3 the
// store or a file could not be read or written.
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace seedgate::cli {

struct HistoryOptions {
  std::filesystem::path policy = "seedgate.toml";
  std::string store;             // --store; empty: the policy's [history] store
  std::string branch;            // list/trend/export: only this branch; import: the branch of results without one
  std::string subject;           // only this subject
  std::string since;             // an ISO date or time, or an age ("30d", "12h", "90m"); empty: no limit
  std::size_t last = 0;          // list/export: only the newest N sweeps; 0: all
  std::size_t trend_last = 30;   // trend: the newest N sweeps
  std::string metric;            // trend: empty: the metrics the policy's checks judge
  std::string group;             // trend: only this group ("mode=default, device=cpu"); empty: every group
  std::string format = "csv";    // export
  std::filesystem::path output;  // export: empty: stdout
  std::string keep;              // prune: an age
  std::vector<std::filesystem::path> results;  // import
};

int history_list_command(const HistoryOptions& options, std::ostream& out, std::ostream& err);
int history_trend_command(const HistoryOptions& options, std::ostream& out, std::ostream& err);
int history_export_command(const HistoryOptions& options, std::ostream& out, std::ostream& err);
int history_prune_command(const HistoryOptions& options, std::ostream& out, std::ostream& err);
int history_import_command(const HistoryOptions& options, std::ostream& out, std::ostream& err);

}  // namespace seedgate::cli
