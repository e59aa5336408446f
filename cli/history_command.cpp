#include "cli/history_command.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <set>

#include "adapters/registry.hpp"
#include "cli/commands.hpp"
#include "harness/policy.hpp"
#include "harness/results.hpp"
#include "harness/sweep_history.hpp"
#include "history/store.hpp"
#include "util/atomic_file.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace seedgate::cli {
namespace {

// How wide a trend row's gauge is, in characters.
constexpr std::size_t kGaugeWidth = 24;
constexpr std::array<std::string_view, 8> kSparks = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

std::string utc_micros(std::int64_t seconds, std::int64_t micros) {
  auto t = static_cast<std::time_t>(seconds);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(t), micros);
}

// The instant (UTC, to the microsecond, as sweeps are stamped) that `when`
// names: an ISO date or date and time (UTC), or an age before now. nullopt
// when it names none; `age_only` accepts ages alone.
std::optional<std::string> parse_when(const std::string& when, bool age_only) {
  static const std::regex age(R"(([0-9]{1,9})([smhdw]))");
  std::smatch m;
  if (std::regex_match(when, m, age)) {
    static constexpr std::int64_t kUnit[] = {1, 60, 3600, 86400, 604800};
    std::int64_t unit = kUnit[std::string_view("smhdw").find(m[2].str()[0])];
    std::int64_t back = std::stoll(m[1].str()) * unit;
    auto now =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::int64_t at = now - std::min(back, now / 1'000'000) * 1'000'000;
    return utc_micros(at / 1'000'000, at % 1'000'000);
  }
  if (age_only) return std::nullopt;
  static const std::regex date(
      R"(([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?Z?)?)");
  if (!std::regex_match(when, m, date)) return std::nullopt;
  int year = std::stoi(m[1].str()), month = std::stoi(m[2].str()), day = std::stoi(m[3].str());
  int hour = m[4].matched ? std::stoi(m[4].str()) : 0, minute = m[5].matched ? std::stoi(m[5].str()) : 0;
  int second = m[6].matched ? std::stoi(m[6].str()) : 0;
  std::string fraction = m[7].matched ? m[7].str() : "";
  fraction.resize(6, '0');
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap ? 1 : 0) || hour > 23 ||
      minute > 59 || second > 59)
    return std::nullopt;
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{}Z", year, month, day, hour, minute, second, fraction);
}

std::string when_error(const char* option, const std::string& when, bool age_only) {
  if (age_only)
    return fmt::format("seedgate: {}: expected an age (90d, 12h, 90m, 45s, 2w), got \"{}\"", option,
                       util::printable(when));
  return fmt::format(
      "seedgate: {}: expected an ISO date (2026-11-01), a date and time (2026-11-01T12:00:00Z) or an age (30d, 12h, "
      "90m), got \"{}\"",
      option, util::printable(when));
}

// The store the options name, opened; or the exit code and its message on `err`.
struct Opened {
  std::unique_ptr<history::Store> store;
  int code = kExitPass;
};

Opened open_named_store(const HistoryOptions& options, bool create, std::ostream& err) {
  std::string url = options.store;
  std::filesystem::path base = std::filesystem::current_path();
  std::string where = "--store";
  if (url.empty()) {
    std::string none = fmt::format("seedgate: no history store: pass --store URL or set [history] store in {}\n",
                                   options.policy.string());
    std::error_code ec;
    if (!std::filesystem::exists(options.policy, ec)) {
      err << none;
      return {nullptr, kExitUsage};
    }
    auto policy = load_policy(options.policy, subject_tables());
    if (!policy) {
      err << policy.error() << "\n";
      return {nullptr, kExitUsage};
    }
    if (policy->history.store.empty()) {
      err << none;
      return {nullptr, kExitUsage};
    }
    url = policy->history.store;
    base = policy->dir;
    where = fmt::format("{}: [history] store", options.policy.string());
  }
  if (auto problem = history_store_problem(url)) {
    err << fmt::format("seedgate: {}: {}\n", where, *problem);
    return {nullptr, kExitUsage};
  }
  if (!create && url.starts_with("sqlite:")) {
    // Looking at a history must not create one where a path is mistyped.
    std::filesystem::path file = url.substr(7);
    if (file.is_relative()) file = base / file;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      err << fmt::format("seedgate: history store {} does not exist ({}): nothing has been appended to it yet\n",
                         util::printable(url), util::printable(file.string()));
      return {nullptr, kExitCannotEvaluate};
    }
  }
  auto store = history::open_store(url, base);
  if (!store) {
    err << "seedgate: " << store.error() << "\n";
    return {nullptr, kExitCannotEvaluate};
  }
  return {std::move(*store), kExitPass};
}

// The list's filters; false (with the message on `err`) when --since names no time.
bool make_filter(const HistoryOptions& options, std::size_t newest, history::Filter& filter, std::ostream& err) {
  filter.branch = options.branch;
  filter.subject = options.subject;
  filter.newest = newest;
  if (!options.since.empty()) {
    auto since = parse_when(options.since, false);
    if (!since) {
      err << when_error("--since", options.since, false) << "\n";
      return false;
    }
    filter.since = *since;
  }
  return true;
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Rows of columns, left-aligned, two spaces apart, without trailing blanks.
std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : util::printable(text);
}
std::string short_commit(const std::string& commit) {
  return or_dash(commit.substr(0, 12));
}

std::string number(double value) {
  return fmt::format("{:.6g}", value);
}

// The mean as ● on the interval drawn as ─, over [low, high] in kGaugeWidth characters.
std::string gauge(const TrendPoint& point, double low, double high) {
  auto at = [&](double x) {
    if (!(high > low)) return kGaugeWidth / 2;
    double share = std::clamp((x - low) / (high - low), 0.0, 1.0);
    return static_cast<std::size_t>(std::lround(share * static_cast<double>(kGaugeWidth - 1)));
  };
  std::size_t from = at(point.lower), to = at(point.upper), mean = at(point.mean);
  std::string out;
  for (std::size_t i = 0; i < kGaugeWidth; ++i) out += i == mean ? "●" : (i >= from && i <= to ? "─" : " ");
  return out;
}

std::string sparkline(const std::vector<TrendPoint>& points) {
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const TrendPoint& p : points) {
    low = std::min(low, p.mean);
    high = std::max(high, p.mean);
  }
  std::string out;
  for (const TrendPoint& p : points) {
    std::size_t level = high > low ? static_cast<std::size_t>(std::lround((p.mean - low) / (high - low) * 7)) : 3;
    out += kSparks[std::min<std::size_t>(level, 7)];
  }
  return out;
}

std::string stored_metrics(const std::vector<history::SweepRecord>& records) {
  std::set<std::string> names;
  for (const history::SweepRecord& record : records)
    for (const history::RunRow& run : record.runs)
      for (const auto& [name, value] : run.metrics) names.insert(util::printable(name));
  if (names.empty()) return "none";
  return fmt::format("{}", fmt::join(names, ", "));
}

// One metric's trend table (every group's row per sweep) and a sparkline per group.
std::string render_trend(const std::string& metric, const std::vector<const TrendSeries*>& series,
                         const std::vector<history::SweepRecord>& records) {
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const TrendSeries* s : series)
    for (const TrendPoint& p : s->points) {
      low = std::min(low, p.lower);
      high = std::max(high, p.upper);
    }
  bool groups = series.size() > 1;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"started", "sweep", "commit"};
  if (groups) header.emplace_back("group");
  for (const char* h : {"seeds", "mean", "95% bounds", "verdict"}) header.emplace_back(h);
  header.push_back(fmt::format("{} .. {}", number(low), number(high)));
  rows.push_back(std::move(header));
  for (const history::SweepRecord& record : records) {
    for (const TrendSeries* s : series) {
      auto point = std::find_if(s->points.begin(), s->points.end(),
                                [&](const TrendPoint& p) { return p.sweep_id == record.id; });
      if (point == s->points.end()) continue;
      std::string started = point->started.substr(0, 19);
      std::replace(started.begin(), started.end(), 'T', ' ');
      std::vector<std::string> row = {util::printable(started), util::printable(point->sweep_id),
                                      short_commit(point->commit)};
      if (groups) row.push_back(util::printable(s->group));
      row.push_back(std::to_string(point->seeds));
      row.push_back(number(point->mean));
      row.push_back(fmt::format("[{}, {}]", number(point->lower), number(point->upper)));
      row.push_back(or_dash(point->verdict));
      row.push_back(gauge(*point, low, high));
      rows.push_back(std::move(row));
    }
  }
  std::string out = fmt::format("{}\n", util::printable(metric)) + render_table(rows);
  for (const TrendSeries* s : series)
    out += fmt::format("{} ({}): {}\n", util::printable(metric), util::printable(s->group), sparkline(s->points));
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_value(double value) {
  return std::isnan(value) ? "" : util::format_number(value);
}

// "2026-11-01T12:00:00.000000Z": the file's modification time, UTC.
std::optional<std::string> modified_at(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return utc_micros(info.st_mtim.tv_sec, info.st_mtim.tv_nsec / 1000);
}

// The sweeps `filter` matches, oldest first; nullopt when the store cannot
// list them (`code`: could not evaluate) or none match (said on `out`).
std::optional<std::vector<history::SweepSummary>> matching(history::Store& store, const history::Filter& filter,
                                                           std::ostream& out, std::ostream& err, int& code) {
  auto listed = store.list(filter);
  if (!listed) {
    err << "seedgate: " << listed.error() << "\n";
    code = kExitCannotEvaluate;
    return std::nullopt;
  }
  if (listed->empty()) {
    out << fmt::format("no sweeps in {} match\n", store.describe());
    return std::nullopt;
  }
  return std::move(*listed);
}

}  // namespace

int history_list_command(const HistoryOptions& options, std::ostream& out, std::ostream& err) {
  history::Filter filter;
  if (!make_filter(options, options.last, filter, err)) return kExitUsage;
  Opened opened = open_named_store(options, false, err);
  if (!opened.store) return opened.code;
  int code = kExitPass;
  auto listed = matching(*opened.store, filter, out, err, code);
  if (!listed) return code;
  std::vector<std::vector<std::string>> rows = {{"id", "started", "branch", "commit", "verdict", "runs"}};
  for (const history::SweepSummary& s : *listed)
    rows.push_back({util::printable(s.id), util::printable(s.started), or_dash(s.branch), short_commit(s.commit),
                    or_dash(s.verdict), std::to_string(s.runs)});
  out << render_table(rows);
  return kExitPass;
}

int history_trend_command(const HistoryOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::string> metrics;
  if (!options.metric.empty()) {
    metrics.push_back(options.metric);
  } else if (std::error_code ec; std::filesystem::exists(options.policy, ec)) {
    auto policy = load_policy(options.policy, subject_tables());
    if (!policy) {
      err << policy.error() << "\n";
      return kExitUsage;
    }
    metrics = judged_metrics(*policy);
  }
  history::Filter filter;
  filter.branch = options.branch;
  filter.newest = options.trend_last;
  Opened opened = open_named_store(options, false, err);
  if (!opened.store) return opened.code;
  int code = kExitPass;
  auto listed = matching(*opened.store, filter, out, err, code);
  if (!listed) return code;
  std::vector<std::string> ids;
  ids.reserve(listed->size());
  for (const history::SweepSummary& s : *listed) ids.push_back(s.id);
  // Every metric when the names are unknown or one is missing: the error lists them.
  auto all_metrics = [&]() -> std::string {
    auto every = opened.store->load(ids, {});
    return every ? stored_metrics(*every) : "unreadable";
  };
  if (metrics.empty()) {
    err << fmt::format("seedgate: no metric to show: pass --metric (stored metrics: {})\n", all_metrics());
    return kExitUsage;
  }
  auto records = opened.store->load(ids, metrics);
  if (!records) {
    err << "seedgate: " << records.error() << "\n";
    return kExitCannotEvaluate;
  }
  std::vector<TrendSeries> trend = trend_of(*records, metrics, "");
  std::string text;
  for (const std::string& metric : metrics) {
    std::vector<const TrendSeries*> series;
    std::vector<std::string> groups;
    for (const TrendSeries& s : trend) {
      if (s.metric != metric) continue;
      groups.push_back(util::printable(s.group));
      if (options.group.empty() || s.group == options.group) series.push_back(&s);
    }
    if (groups.empty()) {
      err << fmt::format("seedgate: no stored run has metric '{}' (stored metrics: {})\n", util::printable(metric),
                         all_metrics());
      return kExitUsage;
    }
    if (series.empty()) {
      err << fmt::format("seedgate: no group '{}' has metric '{}' (groups: {})\n", util::printable(options.group),
                         util::printable(metric), fmt::join(groups, "; "));
      return kExitUsage;
    }
    if (!text.empty()) text += "\n";
    text += render_trend(metric, series, *records);
  }
  out << text;
  return kExitPass;
}

int history_export_command(const HistoryOptions& options, std::ostream& out, std::ostream& err) {
  history::Filter filter;
  if (!make_filter(options, options.last, filter, err)) return kExitUsage;
  Opened opened = open_named_store(options, false, err);
  if (!opened.store) return opened.code;
  auto listed = opened.store->list(filter);
  if (!listed) {
    err << "seedgate: " << listed.error() << "\n";
    return kExitCannotEvaluate;
  }
  std::vector<std::string> ids;
  ids.reserve(listed->size());
  for (const history::SweepSummary& s : *listed) ids.push_back(s.id);
  auto records = opened.store->load(ids, {});
  if (!records) {
    err << "seedgate: " << records.error() << "\n";
    return kExitCannotEvaluate;
  }
  std::string csv =
      "sweep,started,branch,commit,subject,verdict,seed,repeat,mode,device,threads,variant,source,fold,status,metric,"
      "value\n";
  std::size_t rows = 0;
  for (const history::SweepRecord& r : *records) {
    std::string sweep = fmt::format("{},{},{},{},{},{}", csv_field(r.id), csv_field(r.started), csv_field(r.branch),
                                    csv_field(r.commit), csv_field(r.subject), csv_field(r.verdict));
    for (const history::RunRow& run : r.runs) {
      std::string prefix = fmt::format("{},{},{},{},{},{},{},{},{},{}", sweep, run.seed, run.repeat,
                                       csv_field(run.mode), csv_field(run.device), run.threads, csv_field(run.variant),
                                       csv_field(run.source), run.fold, csv_field(run.status));
      // A run without metrics (one that failed) still gets its row.
      if (run.metrics.empty()) {
        csv += prefix + ",,\n";
        ++rows;
      }
      for (const auto& [metric, value] : run.metrics) {
        csv += fmt::format("{},{},{}\n", prefix, csv_field(metric), csv_value(value));
        ++rows;
      }
    }
  }
  if (options.output.empty()) {
    out << csv;
    return kExitPass;
  }
  std::error_code ec;
  if (options.output.has_parent_path()) std::filesystem::create_directories(options.output.parent_path(), ec);
  auto written = util::write_file_atomic(options.output, csv);
  if (!written) {
    err << "seedgate: " << written.error() << "\n";
    return kExitCannotEvaluate;
  }
  out << fmt::format("history: {} rows from {} sweeps written to {}\n", rows, records->size(), options.output.string());
  return kExitPass;
}

int history_prune_command(const HistoryOptions& options, std::ostream& out, std::ostream& err) {
  auto before = parse_when(options.keep, true);
  if (!before) {
    err << when_error("--keep", options.keep, true) << "\n";
    return kExitUsage;
  }
  Opened opened = open_named_store(options, false, err);
  if (!opened.store) return opened.code;
  auto pruned = opened.store->prune(*before);
  if (!pruned) {
    err << "seedgate: " << pruned.error() << "\n";
    return kExitCannotEvaluate;
  }
  out << fmt::format("pruned {} sweep{} started before {} from {}\n", *pruned, *pruned == 1 ? "" : "s", *before,
                     opened.store->describe());
  return kExitPass;
}

int history_import_command(const HistoryOptions& options, std::ostream& out, std::ostream& err) {
  Opened opened = open_named_store(options, true, err);
  if (!opened.store) return opened.code;
  const std::string& store = opened.store->describe();
  bool failed = false;
  for (const std::filesystem::path& path : options.results) {
    std::string name = util::printable(path.string());
    auto bytes = util::read_file(path);
    auto results = bytes ? load_results(path) : util::Result<SweepResults>(util::make_error(bytes.error()));
    if (!results) {
      err << fmt::format("seedgate: {}: not imported: {}\n", name, results.error());
      failed = true;
      continue;
    }
    if (results->shard) {
      err << fmt::format(
          "seedgate: {}: not imported: it is one shard's results; merge the shards with `seedgate check` first\n",
          name);
      failed = true;
      continue;
    }
    if (results->sweep_id.empty()) {
      // Stable across imports: the same bytes get the same id, whatever the file's time.
      results->sweep_id = content_sweep_id({*bytes});
    }
    if (results->started.empty()) {
      auto modified = modified_at(path);
      if (!modified) {
        err << fmt::format("seedgate: {}: not imported: cannot read its modification time\n", name);
        failed = true;
        continue;
      }
      results->started = *modified;
    }
    if (results->branch.empty()) results->branch = options.branch;
    auto appended = append_sweep(*opened.store, *results);
    if (!appended) {
      err << fmt::format("seedgate: {}: not imported: {}\n", name, appended.error());
      failed = true;
      continue;
    }
    if (*appended)
      out << fmt::format("{}: sweep {} imported into {} (branch {})\n", name, util::printable(results->sweep_id), store,
                         or_dash(results->branch));
    else
      out << fmt::format("{}: sweep {} already stored in {}\n", name, util::printable(results->sweep_id), store);
  }
  return failed ? kExitCannotEvaluate : kExitPass;
}

}  // namespace seedgate::cli
