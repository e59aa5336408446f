#include "harness/report/comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace seedgate::report_parts {
namespace {

// "difference[fast]" -> {"difference", "fast"}; nullopt for a name without brackets.
std::optional<std::pair<std::string, std::string>> split_name(const std::string& name) {
  std::size_t open = name.find('[');
  if (open == std::string::npos || name.empty() || name.back() != ']') return std::nullopt;
  return std::pair{name.substr(0, open), name.substr(open + 1, name.size() - open - 2)};
}

std::string value_text(double value) {
  return fmt::format("{:.4g}", value);
}

std::string bounds_text(const std::optional<checks::Interval>& interval) {
  if (!interval) return "";
  auto end = [](double v) { return std::isinf(v) ? std::string(v < 0 ? "-inf" : "inf") : value_text(v); };
  return fmt::format(" [{}, {}]", end(interval->lower), end(interval->upper));
}

}  // namespace

std::vector<ComparisonTable> comparison_tables(const checks::CheckOutcome& outcome) {
  std::vector<ComparisonTable> tables;
  if (outcome.kind != checks::CheckKind::compare) return tables;
  for (const checks::Statistic& s : outcome.statistics) {
    auto parts = split_name(s.name);
    if (!parts) continue;
    const std::string& what = parts->first;
    const std::string& variant = parts->second;
    if (tables.empty() || tables.back().group != s.group) {
      tables.push_back({s.group, {}});
    }
    std::vector<ComparisonRow>& rows = tables.back().rows;
    auto row = std::find_if(rows.begin(), rows.end(), [&](const ComparisonRow& r) { return r.variant == variant; });
    if (row == rows.end()) {
      rows.push_back(ComparisonRow{.variant = variant,
                                   .mean = {},
                                   .mean_rank = {},
                                   .win_share = {},
                                   .iqm = {},
                                   .difference = {},
                                   .p_improvement = {}});
      row = rows.end() - 1;
    }
    if (what == "mean")
      row->mean = s.value;
    else if (what == "mean_rank")
      row->mean_rank = s.value;
    else if (what == "win_share")
      row->win_share = s.value;
    else if (what == "iqm")
      row->iqm = s;
    else if (what == "difference")
      row->difference = s;
    else if (what == "p_improvement")
      row->p_improvement = s;
  }
  return tables;
}

std::vector<std::string> comparison_header() {
  return {"variant", "mean", "IQM [bounds]", "mean rank", "wins", "expected - this [bounds]", "P(expected better)"};
}

std::vector<std::vector<std::string>> comparison_cells(const ComparisonTable& table) {
  std::vector<std::vector<std::string>> cells;
  for (const ComparisonRow& r : table.rows) {
    std::vector<std::string> row;
    row.push_back(r.difference ? r.variant : r.variant + " (expected)");
    row.push_back(r.mean ? value_text(*r.mean) : "");
    row.push_back(r.iqm ? value_text(r.iqm->value) + bounds_text(r.iqm->interval) : "");
    row.push_back(r.mean_rank ? fmt::format("{:.2f}", *r.mean_rank) : "");
    row.push_back(r.win_share ? fmt::format("{:g}%", std::round(*r.win_share * 1000) / 10) : "");
    std::string difference;
    if (r.difference) {
      difference = value_text(r.difference->value) + bounds_text(r.difference->interval);
      if (r.difference->bound)
        difference += fmt::format(", {} {}: {}", r.difference->bound->key, value_text(r.difference->bound->value),
                                  checks::to_string(r.difference->verdict));
    }
    row.push_back(std::move(difference));
    row.push_back(r.p_improvement ? value_text(r.p_improvement->value) + bounds_text(r.p_improvement->interval) : "");
    cells.push_back(std::move(row));
  }
  return cells;
}

}  // namespace seedgate::report_parts
