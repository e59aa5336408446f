// seedgate::xgboost: CSV and LibSVM files read into a Table, with every
// problem reported by file and line.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "seedgate/xgboost.hpp"

namespace seedgate::xgboost {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string shown(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out(text.substr(0, kMax));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return "'" + out + (text.size() > kMax ? "...'" : "'");
}

// A number as XGBoost's readers take it; NaN for "nan" (a missing value).
std::optional<float> parse_float(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  float value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

class LineReader {
 public:
  explicit LineReader(const std::string& path) : m_path(path), m_in(path, std::ios::binary) {
    if (!m_in) throw DataError(path + ": cannot open for reading");
  }
  bool next(std::string_view& line) {
    if (!std::getline(m_in, m_line)) {
      if (m_in.bad()) fail("read error");
      return false;
    }
    ++m_number;
    if (m_line.find('\0') != std::string::npos) fail("contains a NUL byte; is this a binary file?");
    line = trim(m_line);
    return true;
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw DataError(m_path + ":" + std::to_string(m_number) + ": " + message);
  }

 private:
  std::string m_path;
  std::ifstream m_in;
  std::string m_line;
  std::size_t m_number = 0;
};

void end_row(Table& table, float label) {
  table.labels.push_back(label);
  table.row_starts.push_back(table.values.size());
  ++table.rows;
}

void check_not_empty(const Table& table, const std::string& path) {
  if (table.rows == 0) throw DataError(path + ": no data rows");
}

}  // namespace

Format format_for(const std::string& path) {
  std::string_view name(path);
  return name.size() >= 4 && name.substr(name.size() - 4) == ".csv" ? Format::csv : Format::libsvm;
}

Table read_csv(const std::string& path, int label_column) {
  LineReader reader(path);
  Table table;
  std::string_view line;
  std::vector<float> fields;  // NaN: missing
  std::size_t width = 0;      // fields per row, fixed by the first row
  std::size_t label = 0;
  while (reader.next(line)) {
    if (line.empty()) continue;
    fields.clear();
    for (std::size_t start = 0;;) {
      std::size_t comma = std::min(line.find(',', start), line.size());
      std::string_view text = trim(line.substr(start, comma - start));
      float value = std::numeric_limits<float>::quiet_NaN();
      if (!text.empty()) {
        std::optional<float> parsed = parse_float(text);
        auto field = [&] { return "field " + std::to_string(fields.size() + 1); };  // for messages only
        if (!parsed)
          reader.fail(field() + " is not a number: " + shown(text) +
                      (table.rows == 0 ? " (the file must have no header line)" : ""));
        if (std::isinf(*parsed)) reader.fail(field() + " is infinite: " + shown(text));
        value = *parsed;
      }
      fields.push_back(value);
      if (comma == line.size()) break;
      start = comma + 1;
    }
    if (width == 0) {
      width = fields.size();
      if (width < 2) reader.fail("has 1 field; rows need features and a label");
      if (label_column >= static_cast<int>(width))
        reader.fail("label column " + std::to_string(label_column) + " is out of range: rows have " +
                    std::to_string(width) + " fields (columns count from 0)");
      label = label_column < 0 ? width - 1 : static_cast<std::size_t>(label_column);
      table.columns = width - 1;
    } else if (fields.size() != width) {
      reader.fail("has " + std::to_string(fields.size()) + " fields, the first row has " + std::to_string(width));
    }
    if (std::isnan(fields[label])) reader.fail("the label (column " + std::to_string(label) + ") is missing");
    for (std::size_t i = 0; i < width; ++i) {
      if (i == label || std::isnan(fields[i])) continue;
      table.indices.push_back(static_cast<unsigned>(i < label ? i : i - 1));  // features skip the label
      table.values.push_back(fields[i]);
    }
    end_row(table, fields[label]);
  }
  check_not_empty(table, path);
  return table;
}

Table read_libsvm(const std::string& path) {
  LineReader reader(path);
  Table table;
  std::string_view line;
  while (reader.next(line)) {
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = trim(line.substr(0, hash));
    if (line.empty()) continue;
    std::size_t start = 0;
    auto token = [&]() -> std::string_view {
      while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
      std::size_t end = start;
      while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
      std::string_view t = line.substr(start, end - start);
      start = end;
      return t;
    };
    std::string_view label_text = token();
    std::optional<float> label = parse_float(label_text);
    if (!label || !std::isfinite(*label)) reader.fail("the label " + shown(label_text) + " is not a number");
    long last_index = -1;
    for (std::string_view item = token(); !item.empty(); item = token()) {
      std::size_t colon = item.find(':');
      unsigned index = 0;
      std::optional<float> value;
      bool index_ok = false;
      if (colon != std::string_view::npos) {
        auto [end, error] = std::from_chars(item.data(), item.data() + colon, index);
        index_ok = error == std::errc() && end == item.data() + colon && colon > 0;
        value = parse_float(item.substr(colon + 1));
      }
      if (!index_ok || !value) reader.fail(shown(item) + " is not index:value");
      if (std::isinf(*value)) reader.fail(shown(item) + " is infinite");
      if (static_cast<long>(index) <= last_index)
        reader.fail("index " + std::to_string(index) + " is not above the previous one (" + std::to_string(last_index) +
                    ")");
      last_index = index;
      if (std::isnan(*value)) continue;
      table.indices.push_back(index);
      table.values.push_back(*value);
      table.columns = std::max<std::size_t>(table.columns, index + 1);
    }
    end_row(table, *label);
  }
  check_not_empty(table, path);
  return table;
}

Split split_rows(const Table& table, std::size_t test_rows, std::uint64_t seed) {
  if (test_rows == 0 || test_rows >= table.rows)
    throw std::invalid_argument("cannot hold out " + std::to_string(test_rows) + " of " + std::to_string(table.rows) +
                                " rows for testing: each side needs a row");
  // SplitMix64 (Steele, Lea and Flood 2014), so the draw is the same everywhere.
  std::uint64_t state = seed;
  auto next = [&state] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  // The first `test_rows` places of a Fisher-Yates shuffle; each pick is
  // unbiased (draws past the last whole multiple of the range are redrawn).
  std::vector<std::size_t> rows(table.rows);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  for (std::size_t i = 0; i < test_rows; ++i) {
    std::uint64_t range = rows.size() - i;
    std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t draw = next();
    while (draw >= limit) draw = next();
    std::swap(rows[i], rows[i + static_cast<std::size_t>(draw % range)]);
  }
  std::vector<bool> held_out(table.rows, false);
  for (std::size_t i = 0; i < test_rows; ++i) held_out[rows[i]] = true;
  Split split;
  split.train.columns = split.test.columns = table.columns;
  for (std::size_t row = 0; row < table.rows; ++row) {
    Table& side = held_out[row] ? split.test : split.train;
    if (held_out[row]) split.test_ids.push_back(row);
    for (std::size_t k = table.row_starts[row]; k < table.row_starts[row + 1]; ++k) {
      side.indices.push_back(table.indices[k]);
      side.values.push_back(table.values[k]);
    }
    side.labels.push_back(table.labels[row]);
    side.row_starts.push_back(side.indices.size());
    ++side.rows;
  }
  return split;
}

Table read_data(const std::string& path, std::optional<Format> format, int label_column) {
  return format.value_or(format_for(path)) == Format::csv ? read_csv(path, label_column) : read_libsvm(path);
}

}  // namespace seedgate::xgboost
