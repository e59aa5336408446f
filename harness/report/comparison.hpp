#pragma once
// A compare check's statistics as the table the reports show: one row per
// variant and group (mean, IQM with its bounds, mean rank, share of seeds won,
// and for every variant but the expected one its difference from the expected
// one and the probability that the expected one improves on it). Read from
// the check's named statistics ("mean[fast]", "difference[fast]"), so a
// results file read back renders the same table.
#include <optional>
#include <string>
#include <vector>

#include "checks/check.hpp"

namespace seedgate::report_parts {

struct ComparisonRow {
  std::string variant;
  std::optional<double> mean, mean_rank, win_share;
  std::optional<checks::Statistic> iqm, difference, p_improvement;
};

struct ComparisonTable {
  std::string group;
  std::vector<ComparisonRow> rows;  // in the order the check recorded them (variant names, ascending)
};

// One table per group; empty for a check of another kind.
std::vector<ComparisonTable> comparison_tables(const checks::CheckOutcome& outcome);

// The table's cells, one vector per row, headed by `comparison_header()`:
// variant, mean, IQM [bounds], mean rank, share of seeds won, the expected
// variant's improvement over this one [bounds] against -margin with its
// verdict, and the probability that the expected variant does better on a
// seed [bounds].
std::vector<std::string> comparison_header();
// The expected variant is the row without a difference: it is marked "(expected)".
std::vector<std::vector<std::string>> comparison_cells(const ComparisonTable& table);

}  // namespace seedgate::report_parts
