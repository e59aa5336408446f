#include "harness/metrics.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

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

void apply_regex_metric(const MetricSpec& metric, std::string_view output, const std::string& label,
                        RunReport& report) {
  // RE2 runs in time linear in the line whatever the pattern, so a line of
  // output cannot stall the sweep. The policy loader refused what RE2 can't do.
  const RE2 pattern(metric.regex, metric_regex_options());
  if (!pattern.ok()) {
    add_issue(report, fmt::format("metric '{}': regex not usable: {}", metric.name, pattern.error()));
    return;
  }
  std::optional<double> picked;
  std::size_t line_number = 0;
  while (!output.empty()) {
    std::size_t newline = output.find('\n');
    std::string_view line = output.substr(0, newline);
    output.remove_prefix(newline == std::string_view::npos ? output.size() : newline + 1);
    ++line_number;
    re2::StringPiece group;
    if (!RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), pattern, &group) || group.data() == nullptr)
      continue;
    std::string text(group.data(), group.size());
    double value = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (!text.empty() && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end) {
      if (text == "nan" || text == "NaN" || text == "-nan")
        value = std::numeric_limits<double>::quiet_NaN();
      else if (text == "inf" || text == "Infinity")
        value = std::numeric_limits<double>::infinity();
      else if (text == "-inf" || text == "-Infinity")
        value = -std::numeric_limits<double>::infinity();
      else {
        add_issue(report, fmt::format("{}:{}: metric '{}' matched '{}', which is not a number", label, line_number,
                                      metric.name, text));
        continue;
      }
    }
    if (!std::isfinite(value))
      add_issue(report,
                fmt::format("{}:{}: metric '{}' is {}", label, line_number, metric.name, util::format_number(value)));
    switch (metric.pick) {
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
  if (picked) report.metrics[metric.name] = *picked;
}

}  // namespace seedgate
