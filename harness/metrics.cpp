#include "harness/metrics.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

using nlohmann::json;
constexpr std::string_view kNonFinite = "\x01nonfinite:";

void add_issue(RunReport& report, std::string message) {
  if (report.issues.size() < kMaxIssuesPerRun)
    report.issues.push_back(std::move(message));
  else if (report.issues.size() == kMaxIssuesPerRun)
    report.issues.push_back("further issues omitted");
}

// JSON has no NaN or Infinity, but programs print them (Python's json module
// does by default). Rewrite those bare words, outside strings, to marked
// strings so the line still parses and the value can be reported.
std::string mark_non_finite(std::string_view line) {
  static const std::pair<std::string_view, std::string_view> kWords[] = {
      {"-Infinity", "-inf"}, {"+Infinity", "inf"}, {"Infinity", "inf"}, {"-inf", "-inf"}, {"+inf", "inf"},
      {"inf", "inf"},        {"-NaN", "nan"},      {"NaN", "nan"},      {"-nan", "nan"},  {"nan", "nan"}};
  std::string out;
  out.reserve(line.size());
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < line.size())
        out += line[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (auto [word, value] : kWords) {
      if (line.substr(i, word.size()) != word) continue;
      std::size_t end = i + word.size();
      if (end < line.size() && std::isalnum(static_cast<unsigned char>(line[end]))) continue;
      out += fmt::format("\"\\u0001nonfinite:{}\"", value);  // parses back to kNonFinite + value
      i = end - 1;
      replaced = true;
      break;
    }
    if (!replaced) out += c;
  }
  return out;
}

// A metric value: a number, or a marked non-finite word. nullopt otherwise.
std::optional<double> metric_value(const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (!s.starts_with(kNonFinite)) return std::nullopt;
    std::string_view word = std::string_view(s).substr(kNonFinite.size());
    if (word == "nan") return std::numeric_limits<double>::quiet_NaN();
    return word == "-inf" ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

std::string json_type(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

std::optional<std::string> string_field(const json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

void parse_typed(const json& record, const std::string& type, const std::string& where, RunReport& report) {
  if (type == "artifact") {
    auto name = string_field(record, "name");
    auto digest = string_field(record, "digest");
    if (!name || !digest || name->empty() || digest->empty())
      return add_issue(report, fmt::format("{}: artifact record needs string fields 'name' and 'digest'", where));
    report.digests[*name] = *digest;
  } else if (type == "predictions") {
    auto path = string_field(record, "path");
    if (!path) return add_issue(report, fmt::format("{}: predictions record needs a string field 'path'", where));
    report.predictions.push_back(*path);
  } else if (type == "event") {
    auto name = string_field(record, "name");
    if (!name) return add_issue(report, fmt::format("{}: event record needs a string field 'name'", where));
    report.events.push_back({*name, string_field(record, "message").value_or("")});
  } else if (type == "env") {
    for (const auto& [key, value] : record.items()) {
      if (key == "type") continue;
      report.env[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  } else if (type == "importance") {
    auto values = record.find("values");
    if (values == record.end() || !values->is_object())
      return add_issue(report, fmt::format("{}: importance record needs an object field 'values'", where));
    report.importance.clear();
    report.importance_kind = string_field(record, "kind").value_or("");
    for (const auto& [feature, value] : values->items()) {
      std::optional<double> v = metric_value(value);
      if (!v || !std::isfinite(*v)) {
        add_issue(report, fmt::format("{}: importance of '{}' is not a finite number", where, feature));
        continue;
      }
      report.importance[feature] = *v;
    }
  } else {
    add_issue(report, fmt::format("{}: unknown record type '{}' (known: artifact, predictions, event, env, importance)",
                                  where, type));
  }
}

void parse_plain(const json& record, const std::string& where, RunReport& report) {
  std::optional<std::int64_t> step;
  if (auto it = record.find("step"); it != record.end()) {
    if (!it->is_number_integer()) return add_issue(report, fmt::format("{}: 'step' must be an integer", where));
    // An unsigned step past the signed range would read back negative.
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      return add_issue(report, fmt::format("{}: 'step' {} is out of range (at most {})", where,
                                           it->get<std::uint64_t>(), INT64_MAX));
    step = it->get<std::int64_t>();
  }
  for (const auto& [name, value] : record.items()) {
    if (name == "step") continue;
    // A NUL would cut the name short wherever it is used as a C string.
    if (name.find('\0') != std::string::npos) {
      add_issue(report, fmt::format("{}: metric name '{}' holds a NUL byte: ignored", where, util::printable(name)));
      continue;
    }
    std::optional<double> v = metric_value(value);
    if (!v) {
      add_issue(report, fmt::format("{}: metric '{}' is {}, not a number", where, name, json_type(value)));
      continue;
    }
    if (!std::isfinite(*v))
      add_issue(report, fmt::format("{}: metric '{}' is {}", where, name, util::format_number(*v)));
    report.metrics[name] = *v;
    if (step) {
      auto& points = report.series[name];
      if (points.size() < kMaxSeriesPoints) points.emplace_back(*step, *v);
    }
  }
}

}  // namespace

void parse_protocol(std::string_view content, const std::string& label, RunReport& report) {
  std::size_t line_number = 0;
  while (!content.empty()) {
    std::size_t newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline == std::string_view::npos ? content.size() : newline + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;
    std::string where = fmt::format("{}:{}", label, line_number);
    if (util::json_depth(line) > util::kMaxJsonDepth) {
      add_issue(report, fmt::format("{}: nested deeper than {} levels: ignored", where, util::kMaxJsonDepth));
      continue;
    }
    json record;
    try {
      record = json::parse(mark_non_finite(line));
    } catch (const json::out_of_range&) {
      // nlohmann reports a number past a double's range (1e400) this way.
      add_issue(report, fmt::format("{}: a number out of range: {}", where, util::tail(line.substr(0, 80), 80)));
      continue;
    } catch (const json::exception&) {
      add_issue(report, fmt::format("{}: not a JSON object: {}", where, util::tail(line.substr(0, 80), 80)));
      continue;
    }
    if (!record.is_object()) {
      add_issue(report, fmt::format("{}: expected a JSON object, got {}", where, json_type(record)));
      continue;
    }
    if (auto type = record.find("type"); type != record.end()) {
      if (!type->is_string()) {
        add_issue(report, fmt::format("{}: 'type' must be a string", where));
        continue;
      }
      parse_typed(record, type->get<std::string>(), where, report);
    } else {
      parse_plain(record, where, report);
    }
  }
}

RE2::Options metric_regex_options() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

util::Result<int> metric_regex_groups(const std::string& pattern) {
  const RE2 compiled(pattern, metric_regex_options());
  if (!compiled.ok()) return util::make_error(compiled.error());
  return compiled.NumberOfCapturingGroups();
}

namespace {

bool reads(Stream metric, Stream log) {
  return log == Stream::both_streams || metric == Stream::both_streams || metric == log;
}

void pick_value(Pick pick, std::optional<double>& picked, double value) {
  switch (pick) {
    case Pick::first:
      if (!picked) picked = value;
      break;
    case Pick::last:
      picked = value;
      break;
    case Pick::min:
      if (!picked || value < *picked || std::isnan(value)) picked = value;
      break;
    case Pick::max:
      if (!picked || value > *picked || std::isnan(value)) picked = value;
      break;
  }
}

std::optional<double> parse_matched(const std::string& text) {
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc() && ptr == end) return value;
  if (text == "nan" || text == "NaN" || text == "-nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "inf" || text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-inf" || text == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// One metric's matches in one log.
struct LogScan {
  std::string label;
  std::size_t matches = 0;
  std::optional<double> picked;
};

// One regex metric over the lines of its logs.
class MetricScan {
 public:
  explicit MetricScan(const MetricSpec& metric) : m_metric(metric), m_pattern(metric.regex, metric_regex_options()) {
    m_out.metric = metric.name;
    if (!m_pattern.ok())
      m_out.issues.push_back(fmt::format("metric '{}': regex not usable: {}", metric.name, m_pattern.error()));
  }

  bool usable() const { return m_pattern.ok(); }
  const MetricSpec& metric() const { return m_metric; }

  void begin(const std::string& label) { m_logs.push_back({label, 0, std::nullopt}); }

  void line(std::string_view text, std::size_t number) {
    LogScan& log = m_logs.back();
    re2::StringPiece group;
    if (!RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), m_pattern, &group) || group.data() == nullptr)
      return;
    std::string matched(group.data(), group.size());
    std::optional<double> value = parse_matched(matched);
    if (!value) {
      issue(fmt::format("{}:{}: metric '{}' matched '{}', which is not a number", log.label, number, m_metric.name,
                        util::printable(util::tail(matched, 80))));
      return;
    }
    if (!std::isfinite(*value))
      issue(fmt::format("{}:{}: metric '{}' is {}", log.label, number, m_metric.name, util::format_number(*value)));
    ++log.matches;
    pick_value(m_metric.pick, log.picked, *value);
    RegexMatch match{log.label, number, *value};
    if (m_out.first.size() < kKeptMatches) m_out.first.push_back(match);
    m_out.last.push_back(match);
    if (m_out.last.size() > kKeptMatches) m_out.last.erase(m_out.last.begin());
  }

  // Combines the logs' picks. Lines of two streams are not ordered against
  // each other, so "first" takes the first log's and "last" the last log's.
  RegexExtraction finish() {
    std::vector<const LogScan*> matched;
    for (const LogScan& log : m_logs) {
      m_out.matches += log.matches;
      if (log.picked) matched.push_back(&log);
    }
    std::vector<std::string> labels;
    for (const LogScan& log : m_logs) labels.push_back(log.label);
    m_out.looked_in = util::join(labels, " and ");
    if (matched.size() > 1 && (m_metric.pick == Pick::first || m_metric.pick == Pick::last)) {
      const LogScan* chosen = m_metric.pick == Pick::first ? matched.front() : matched.back();
      m_out.picked = chosen->picked;
      issue(fmt::format(
          "metric '{}' matched in {} and {}, whose lines are not ordered against each other: pick = \"{}\" took "
          "{}'s; set stream to the one the value is written to",
          m_metric.name, matched.front()->label, matched.back()->label, m_metric.pick == Pick::first ? "first" : "last",
          chosen->label));
    } else {
      for (const LogScan* log : matched) pick_value(m_metric.pick, m_out.picked, *log->picked);
    }
    return std::move(m_out);
  }

 private:
  void issue(std::string message) {
    if (m_out.issues.size() < kMaxIssuesPerRun) m_out.issues.push_back(std::move(message));
  }

  const MetricSpec& m_metric;
  RE2 m_pattern;
  RegexExtraction m_out;
  std::vector<LogScan> m_logs;
};

// Feeds a log's lines to the scans that read it.
util::Result<void> scan_log(const LogFile& log, std::uint64_t max_bytes, const std::vector<MetricScan*>& scans) {
  for (MetricScan* scan : scans) scan->begin(log.label);
  LineSplitter splitter([&](std::string_view line, std::size_t number) {
    for (MetricScan* scan : scans) scan->line(line, number);
  });
  // A run that printed nothing to a stream has no log of it: an empty log.
  std::error_code ec;
  if (!std::filesystem::exists(log.path, ec) && !ec) {
    splitter.finish();
    return {};
  }
  auto read = util::read_file_chunks(log.path, max_bytes, [&](std::string_view chunk) { splitter.feed(chunk); });
  splitter.finish();
  return read;
}

}  // namespace

void LineSplitter::emit() {
  m_on_line(m_line, m_number);
  m_line.clear();
  m_cut_piece = false;
}

void LineSplitter::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    if (m_after_cr && chunk.front() == '\n') {
      chunk.remove_prefix(1);  // the "\n" of a "\r\n" split across chunks
      m_after_cr = false;
      continue;
    }
    m_after_cr = false;
    std::size_t end = chunk.find_first_of("\r\n");
    std::string_view part = chunk.substr(0, end);
    // Past the longest line kept, pass the piece on and keep its end for
    // matches that straddle the cut.
    while (m_line.size() + part.size() > kMaxLineBytes) {
      std::size_t take = kMaxLineBytes - m_line.size();
      m_line.append(part.substr(0, take));
      part.remove_prefix(take);
      m_on_line(m_line, m_number);
      m_line.erase(0, m_line.size() - kLineOverlapBytes);
      m_cut_piece = true;
    }
    m_line.append(part);
    if (end == std::string_view::npos) return;
    char ended_by = chunk[end];
    chunk.remove_prefix(end + 1);
    emit();
    ++m_number;
    if (ended_by == '\r') {
      if (!chunk.empty() && chunk.front() == '\n')
        chunk.remove_prefix(1);
      else if (chunk.empty())
        m_after_cr = true;
    }
  }
}

void LineSplitter::finish() {
  if (!m_line.empty() || m_cut_piece) emit();
}

std::string stream_name(Stream stream) {
  switch (stream) {
    case Stream::stdout_stream:
      return "stdout";
    case Stream::stderr_stream:
      return "stderr";
    case Stream::both_streams:
      return "stdout and stderr";
    case Stream::protocol:
      break;
  }
  return "the metrics file";
}

std::vector<RegexExtraction> extract_regex_metrics(const std::vector<MetricSpec>& metrics,
                                                   const std::vector<LogFile>& logs, std::uint64_t max_bytes) {
  std::vector<std::unique_ptr<MetricScan>> scans;
  for (const MetricSpec& metric : metrics)
    if (metric.source != Stream::protocol) scans.push_back(std::make_unique<MetricScan>(metric));
  std::vector<std::string> log_errors;
  for (const LogFile& log : logs) {
    std::vector<MetricScan*> readers;
    for (auto& scan : scans)
      if (scan->usable() && reads(scan->metric().source, log.stream)) readers.push_back(scan.get());
    if (readers.empty()) continue;
    if (auto read = scan_log(log, max_bytes, readers); !read) log_errors.push_back(read.error());
  }
  std::vector<RegexExtraction> out;
  for (auto& scan : scans) {
    RegexExtraction extraction = scan->finish();
    extraction.issues.insert(extraction.issues.begin(), log_errors.begin(), log_errors.end());
    if (extraction.looked_in.empty()) extraction.looked_in = stream_name(scan->metric().source);
    out.push_back(std::move(extraction));
  }
  // A metric read from one stream that matched nothing there: would the other have had it?
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const MetricSpec& metric = scans[i]->metric();
    if (out[i].matches > 0 || !scans[i]->usable() ||
        (metric.source != Stream::stdout_stream && metric.source != Stream::stderr_stream))
      continue;
    for (const LogFile& log : logs) {
      if (log.stream == metric.source || log.stream == Stream::both_streams) continue;
      MetricScan other(metric);
      MetricScan* reader = &other;
      if (!scan_log(log, max_bytes, {reader})) continue;
      RegexExtraction found = other.finish();
      if (found.first.empty()) continue;
      out[i].issues.push_back(
          fmt::format("metric '{}': regex matched nothing in {}, but matches {}:{}: set stream = "
                      "\"{}\" (or \"both\")",
                      metric.name, stream_name(metric.source), found.first.front().log, found.first.front().line,
                      stream_name(log.stream)));
    }
  }
  return out;
}

nlohmann::json regex_metric_specs(const std::vector<MetricSpec>& metrics) {
  static constexpr const char* kPicks[] = {"last", "first", "min", "max"};
  nlohmann::json out = nlohmann::json::object();
  for (const MetricSpec& m : metrics) {
    if (m.source == Stream::protocol) continue;
    out[m.name] = {{"regex", m.regex},
                   {"stream", m.source == Stream::stdout_stream   ? "stdout"
                              : m.source == Stream::stderr_stream ? "stderr"
                                                                  : "both"},
                   {"pick", kPicks[static_cast<int>(m.pick)]}};
  }
  return out;
}

void apply_extractions(const std::vector<RegexExtraction>& extractions, RunReport& report) {
  for (const RegexExtraction& e : extractions) {
    for (const std::string& issue : e.issues) add_issue(report, issue);
    if (e.picked)
      report.metrics[e.metric] = *e.picked;
    else
      report.metrics.erase(e.metric);
  }
}

void apply_regex_metric(const MetricSpec& metric, std::string_view output, const std::string& label,
                        RunReport& report) {
  // RE2 runs in time linear in the line whatever the pattern, so a line of
  // output cannot stall the sweep. The policy loader refused what RE2 can't do.
  MetricScan scan(metric);
  if (scan.usable()) {
    scan.begin(label);
    LineSplitter splitter([&](std::string_view line, std::size_t number) { scan.line(line, number); });
    splitter.feed(output);
    splitter.finish();
  }
  apply_extractions({scan.finish()}, report);
}

}  // namespace seedgate
