#include "harness/predictions.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

using checks::PredictionKind;
using checks::Predictions;

constexpr double kSumTolerance = 1e-3;
constexpr std::size_t kShownBytes = 60;
constexpr std::size_t kBinaryHeaderBytes = 24;
constexpr std::string_view kAcceptedHeaders =
    "the header is one of 'id,label,p0,...,pK-1' (K >= 2 probability columns), 'id,label,class' or "
    "'id,target,value'";

// A field as a message shows it: control characters escaped, long text cut.
// A field as a message shows it: every control character (tab and carriage
// return too) written as "\xNN", invalid UTF-8 as U+FFFD, long text cut.
std::string shown(std::string_view text) {
  const bool cut = text.size() > kShownBytes;
  std::string out =
      util::rewrite_utf8(text.substr(0, kShownBytes), [](std::string& out, char32_t c, std::string_view bytes) {
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
          out += util::hex_escape(c);
        else
          out += bytes;
      });
  if (cut) out += "...";
  return out;
}

// The whole field as a finite number, or what is wrong with it (without the column's name).
util::Result<double> parse_number(std::string_view field) {
  if (field.empty()) return util::make_error(" is empty");
  double value = 0;
  const char* end = field.data() + field.size();
  auto [stop, ec] = std::from_chars(field.data(), end, value);
  if (ec == std::errc::result_out_of_range && stop == end)
    return util::make_error(fmt::format(": '{}' is out of range", shown(field)));
  if (ec != std::errc() || stop != end) return util::make_error(fmt::format(": '{}' is not a number", shown(field)));
  if (!std::isfinite(value)) return util::make_error(fmt::format(": '{}' is not a finite number", shown(field)));
  return value;
}

// What is wrong with a class label (`limit` classes allowed), or nothing.
std::optional<std::string> class_problem(double value, std::size_t limit, bool probabilities) {
  if (!(value >= 0) || std::floor(value) != value)
    return fmt::format("{} is not a whole number >= 0", util::format_number(value));
  if (value >= static_cast<double>(limit)) {
    if (probabilities)
      return fmt::format("{} is not a class of {} (0..{})", util::format_number(value), limit, limit - 1);
    return fmt::format("{} is more classes than seedgate reads (at most {})", util::format_number(value), limit);
  }
  return std::nullopt;
}

std::optional<std::string> probability_problem(double value) {
  if (!(value >= 0 && value <= 1)) return fmt::format("{} is not in [0, 1]", util::format_number(value));
  return std::nullopt;
}

std::optional<std::string> id_problem(std::string_view id) {
  if (id.empty()) return std::string("the id is empty");
  if (id.size() > kMaxPredictionIdBytes)
    return fmt::format("the id is {} bytes; ids are at most {}", id.size(), kMaxPredictionIdBytes);
  for (char c : id) {
    if (c == '"') return fmt::format("id '{}' has a quote; ids are written unquoted", shown(id));
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      return fmt::format("id '{}' has a control character", shown(id));
  }
  return std::nullopt;
}

// Checks a row's probabilities sum to 1 (within the tolerance), then appends
// them normalised and the arg max (lowest index on ties).
std::optional<std::string> add_probabilities(Predictions& out, const std::vector<double>& row) {
  double sum = 0;
  for (double p : row) sum += p;
  if (!(std::fabs(sum - 1) <= kSumTolerance))
    return fmt::format("probabilities sum to {:.6g}, not 1 (within {})", sum, kSumTolerance);
  std::size_t best = 0;
  const std::size_t start = out.probabilities.size();
  for (std::size_t k = 0; k < row.size(); ++k) {
    out.probabilities.push_back(static_cast<float>(row[k] / sum));
    if (out.probabilities[start + k] > out.probabilities[start + best]) best = k;
  }
  out.predicted.push_back(static_cast<double>(best));
  return std::nullopt;
}

std::string probability_cap_error(const std::string& where, std::size_t rows, std::size_t classes) {
  return fmt::format("{}{} rows of {} probabilities; seedgate reads at most {} probabilities", where, rows, classes,
                     kMaxPredictionCells);
}

// --- CSV ---

struct Columns {
  PredictionKind kind = PredictionKind::probabilities;
  std::size_t classes = 0;  // probabilities only
  std::vector<std::string> names;
};

util::Result<Columns> parse_header(std::string_view line, const std::vector<std::string_view>& fields,
                                   const std::string& label) {
  auto unknown = [&] {
    return util::make_error(
        fmt::format("{}:1: header '{}' is not one seedgate reads; {}", label, shown(line), kAcceptedHeaders));
  };
  Columns columns;
  if (fields.size() < 3 || fields[0] != "id") return unknown();
  if (fields.size() == 3 && fields[1] == "label" && fields[2] == "class") {
    columns.kind = PredictionKind::classes;
  } else if (fields.size() == 3 && fields[1] == "target" && fields[2] == "value") {
    columns.kind = PredictionKind::values;
  } else if (fields[1] == "label" && fields[2] == "p0") {
    columns.kind = PredictionKind::probabilities;
    columns.classes = fields.size() - 2;
    if (columns.classes < 2)
      return util::make_error(fmt::format("{}:1: one probability column; probabilities need two or more", label));
    if (columns.classes > kMaxPredictionClasses)
      return util::make_error(fmt::format("{}:1: {} probability columns; seedgate reads at most {} classes", label,
                                          columns.classes, kMaxPredictionClasses));
    char expected[24] = {'p'};
    for (std::size_t k = 0; k < columns.classes; ++k) {
      auto [end, ec] = std::to_chars(expected + 1, expected + sizeof expected, k);
      const std::string_view want(expected, static_cast<std::size_t>(end - expected));
      if (fields[2 + k] != want)
        return util::make_error(
            fmt::format("{}:1: column {} is '{}', expected '{}' (probability columns are p0, p1, ... in order)", label,
                        k + 3, shown(fields[2 + k]), want));
    }
  } else {
    return unknown();
  }
  columns.names.reserve(fields.size());
  for (auto field : fields) columns.names.emplace_back(field);
  return columns;
}

void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

util::Result<Predictions> parse_csv(std::string_view content, const std::string& label) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  std::size_t pos = 0;
  std::size_t line_number = 0;
  std::size_t first_blank = 0;  // the line of the first blank line not yet followed by text; 0 when none
  // The next line without its line end ("\n" or "\r\n"); false at the end of the content.
  auto next_line = [&](std::string_view& line) {
    if (pos == content.size()) return false;
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = std::min(end + 1, content.size());
    ++line_number;
    return true;
  };
  // The next line that is not blank; an error when blank lines come before it.
  std::string blank_error;
  auto next_text = [&](std::string_view& line) {
    while (next_line(line)) {
      if (line.empty()) {
        if (first_blank == 0) first_blank = line_number;
        continue;
      }
      if (first_blank != 0) {
        blank_error = fmt::format("{}:{}: blank line before the end of the file (only the end may have blank lines)",
                                  label, first_blank);
        return false;
      }
      return true;
    }
    return false;
  };

  std::string_view line;
  std::vector<std::string_view> fields;
  if (!next_text(line)) {
    if (!blank_error.empty()) return util::make_error(blank_error);
    return util::make_error(fmt::format("{}: is empty", label));
  }
  split_fields(line, fields);
  auto header = parse_header(line, fields, label);
  if (!header) return util::make_error(header.error());
  const Columns& columns = *header;

  Predictions out;
  out.kind = columns.kind;
  out.classes = columns.classes;
  out.source = label;
  // Enough room for every line, so the vectors grow once.
  const std::size_t lines = std::min<std::size_t>(
      static_cast<std::size_t>(std::count(content.begin() + static_cast<std::ptrdiff_t>(pos), content.end(), '\n')) + 1,
      kMaxPredictionRows);
  out.ids.reserve(lines);
  out.truth.reserve(lines);
  out.predicted.reserve(lines);
  if (columns.kind == PredictionKind::probabilities)
    out.probabilities.reserve(std::min(lines * columns.classes, kMaxPredictionCells));
  std::unordered_map<std::string_view, std::size_t> first_line;
  first_line.reserve(lines);
  std::vector<double> row;
  row.reserve(columns.classes);
  std::size_t largest_class = 0;

  while (next_text(line)) {
    auto fail = [&](const std::string& message) {
      return util::make_error(fmt::format("{}:{}: {}", label, line_number, message));
    };
    const std::size_t rows = out.ids.size();
    if (rows == kMaxPredictionRows)
      return fail(fmt::format("more than {} rows; seedgate reads at most {}", kMaxPredictionRows, kMaxPredictionRows));
    if (columns.kind == PredictionKind::probabilities && (rows + 1) * columns.classes > kMaxPredictionCells)
      return util::make_error(
          probability_cap_error(fmt::format("{}:{}: ", label, line_number), rows + 1, columns.classes));
    split_fields(line, fields);
    if (fields.size() != columns.names.size())
      return fail(fmt::format("{} columns, the header has {}", fields.size(), columns.names.size()));
    if (auto problem = id_problem(fields[0])) return fail(*problem);
    // Each number in its column, by the column's name.
    double numbers[2] = {0, 0};
    for (std::size_t c = 1; c < 3; ++c) {
      auto number = parse_number(fields[c]);
      if (!number) return fail(fmt::format("column {}{}", columns.names[c], number.error()));
      numbers[c - 1] = *number;
    }
    auto [found, inserted] = first_line.try_emplace(fields[0], line_number);
    if (!inserted) return fail(fmt::format("id '{}' again (first on row {})", shown(fields[0]), found->second));
    switch (columns.kind) {
      case PredictionKind::probabilities: {
        if (auto problem = class_problem(numbers[0], columns.classes, true))
          return fail(fmt::format("column label: {}", *problem));
        row.clear();
        row.push_back(numbers[1]);
        for (std::size_t c = 3; c < fields.size(); ++c) {
          auto number = parse_number(fields[c]);
          if (!number) return fail(fmt::format("column {}{}", columns.names[c], number.error()));
          row.push_back(*number);
        }
        for (std::size_t k = 0; k < row.size(); ++k)
          if (auto problem = probability_problem(row[k]))
            return fail(fmt::format("column {}: {}", columns.names[k + 2], *problem));
        if (auto problem = add_probabilities(out, row)) return fail(*problem);
        break;
      }
      case PredictionKind::classes:
        for (std::size_t c = 1; c < 3; ++c) {
          if (auto problem = class_problem(numbers[c - 1], kMaxPredictionClasses, false))
            return fail(fmt::format("column {}: {}", columns.names[c], *problem));
          largest_class = std::max(largest_class, static_cast<std::size_t>(numbers[c - 1]));
        }
        out.predicted.push_back(numbers[1]);
        break;
      case PredictionKind::values:
        out.predicted.push_back(numbers[1]);
        break;
    }
    out.ids.emplace_back(fields[0]);
    out.truth.push_back(numbers[0]);
  }
  if (!blank_error.empty()) return util::make_error(blank_error);
  if (out.ids.empty()) return util::make_error(fmt::format("{}: has a header but no rows", label));
  if (columns.kind == PredictionKind::classes) out.classes = largest_class + 1;
  return out;
}

// --- Binary ---

std::uint64_t little_endian(std::string_view bytes, std::size_t at, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return value;
}

util::Result<Predictions> parse_binary(std::string_view content, const std::string& label) {
  if (content.size() < kBinaryHeaderBytes)
    return util::make_error(
        fmt::format("{}: the binary header is {} bytes, not {}", label, content.size(), kBinaryHeaderBytes));
  const auto kind_code = static_cast<std::uint32_t>(little_endian(content, 8, 4));
  const auto classes = static_cast<std::uint32_t>(little_endian(content, 12, 4));
  const std::uint64_t rows = little_endian(content, 16, 8);
  if (kind_code > 2)
    return util::make_error(
        fmt::format("{}: unknown kind {} (0 probabilities, 1 classes, 2 values)", label, kind_code));
  const auto kind = static_cast<PredictionKind>(kind_code);
  if (kind == PredictionKind::probabilities) {
    if (classes < 2)
      return util::make_error(
          fmt::format("{}: {} probability classes; probabilities need two or more", label, classes));
    if (classes > kMaxPredictionClasses)
      return util::make_error(fmt::format("{}: {} probability classes; seedgate reads at most {} classes", label,
                                          classes, kMaxPredictionClasses));
  } else if (classes != 0) {
    return util::make_error(
        fmt::format("{}: kind {} declares {} classes; only probabilities have a class count (0 expected)", label,
                    checks::to_string(kind), classes));
  }
  if (rows == 0) return util::make_error(fmt::format("{}: has a header but no rows", label));
  if (rows > kMaxPredictionRows)
    return util::make_error(
        fmt::format("{}: declares {} rows; seedgate reads at most {}", label, rows, kMaxPredictionRows));
  const auto row_count = static_cast<std::size_t>(rows);
  if (kind == PredictionKind::probabilities && row_count * classes > kMaxPredictionCells)
    return util::make_error(probability_cap_error(fmt::format("{}: declares ", label), row_count, classes));
  const std::size_t row_bytes = kind == PredictionKind::probabilities ? 16 + 4 * std::size_t{classes} : 24;
  const std::size_t expected = kBinaryHeaderBytes + row_count * row_bytes;
  if (content.size() != expected)
    return util::make_error(
        fmt::format("{}: declares {} rows ({} bytes) but holds {} bytes", label, rows, expected, content.size()));

  Predictions out;
  out.kind = kind;
  out.classes = classes;
  out.source = label;
  out.ids.reserve(row_count);
  out.truth.reserve(row_count);
  out.predicted.reserve(row_count);
  if (kind == PredictionKind::probabilities) out.probabilities.reserve(row_count * classes);
  std::unordered_map<std::int64_t, std::size_t> first_row;
  first_row.reserve(row_count);
  std::vector<double> row;
  row.reserve(classes);
  std::size_t largest_class = 0;
  for (std::size_t r = 0; r < row_count; ++r) {
    const std::size_t at = kBinaryHeaderBytes + r * row_bytes;
    auto fail = [&](const std::string& message) {
      return util::make_error(fmt::format("{}: row {}: {}", label, r + 1, message));
    };
    const auto id = static_cast<std::int64_t>(little_endian(content, at, 8));
    const auto truth = std::bit_cast<double>(little_endian(content, at + 8, 8));
    auto [found, inserted] = first_row.try_emplace(id, r + 1);
    if (!inserted) return fail(fmt::format("id {} again (first on row {})", id, found->second));
    switch (kind) {
      case PredictionKind::probabilities: {
        if (auto problem = class_problem(truth, classes, true)) return fail(fmt::format("label: {}", *problem));
        row.clear();
        for (std::size_t k = 0; k < classes; ++k) {
          const auto p = std::bit_cast<float>(static_cast<std::uint32_t>(little_endian(content, at + 16 + 4 * k, 4)));
          if (auto problem = probability_problem(p)) return fail(fmt::format("p{}: {}", k, *problem));
          row.push_back(static_cast<double>(p));
        }
        if (auto problem = add_probabilities(out, row)) return fail(*problem);
        break;
      }
      case PredictionKind::classes: {
        const auto predicted = std::bit_cast<double>(little_endian(content, at + 16, 8));
        if (auto problem = class_problem(truth, kMaxPredictionClasses, false))
          return fail(fmt::format("label: {}", *problem));
        if (auto problem = class_problem(predicted, kMaxPredictionClasses, false))
          return fail(fmt::format("class: {}", *problem));
        largest_class = std::max({largest_class, static_cast<std::size_t>(truth), static_cast<std::size_t>(predicted)});
        out.predicted.push_back(predicted);
        break;
      }
      case PredictionKind::values: {
        const auto predicted = std::bit_cast<double>(little_endian(content, at + 16, 8));
        if (!std::isfinite(truth))
          return fail(fmt::format("target: {} is not a finite number", util::format_number(truth)));
        if (!std::isfinite(predicted))
          return fail(fmt::format("value: {} is not a finite number", util::format_number(predicted)));
        out.predicted.push_back(predicted);
        break;
      }
    }
    out.ids.push_back(std::to_string(id));
    out.truth.push_back(truth);
  }
  if (kind == PredictionKind::classes) out.classes = largest_class + 1;
  return out;
}

// Closes a descriptor when it goes out of scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : m_fd(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }

 private:
  int m_fd;
};

std::string too_large(const std::string& label, std::uint64_t size) {
  return fmt::format("{}: {} bytes; seedgate reads predictions files of at most {} bytes", label, size,
                     kMaxPredictionFileBytes);
}

}  // namespace

util::Result<checks::Predictions> parse_predictions(std::string_view content, const std::string& label) {
  if (content.substr(0, kPredictionsMagic.size()) == kPredictionsMagic) return parse_binary(content, label);
  return parse_csv(content, label);
}

util::Result<checks::Predictions> read_predictions(const std::filesystem::path& path, const std::string& label) {
  auto cannot_read = [&] {
    return util::make_error(fmt::format("{}: cannot read: {}", label, util::error_text(errno)));
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return cannot_read();
  if (S_ISDIR(info.st_mode)) return util::make_error(fmt::format("{}: is a directory, not a file", label));
  if (!S_ISREG(info.st_mode)) return util::make_error(fmt::format("{}: not a regular file", label));
  if (static_cast<std::uint64_t>(info.st_size) > kMaxPredictionFileBytes)
    return util::make_error(too_large(label, static_cast<std::uint64_t>(info.st_size)));
  // O_NONBLOCK: should the path have become a FIFO since, opening it does not wait for a writer.
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return cannot_read();
  if (::fstat(fd.get(), &info) != 0) return cannot_read();
  if (!S_ISREG(info.st_mode)) return util::make_error(fmt::format("{}: not a regular file", label));
  if (static_cast<std::uint64_t>(info.st_size) > kMaxPredictionFileBytes)
    return util::make_error(too_large(label, static_cast<std::uint64_t>(info.st_size)));
  // Read what the file holds, and a little more should it be growing, but never past the cap.
  std::string content(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t have = 0;
  while (true) {
    if (have == content.size()) {
      if (content.size() > kMaxPredictionFileBytes) return util::make_error(too_large(label, content.size()));
      content.resize(std::min<std::size_t>(content.size() + 65536, kMaxPredictionFileBytes + 1));
    }
    const ssize_t got = ::read(fd.get(), content.data() + have, content.size() - have);
    if (got < 0) {
      if (errno == EINTR) continue;
      return cannot_read();
    }
    if (got == 0) break;
    have += static_cast<std::size_t>(got);
  }
  content.resize(have);
  return parse_predictions(content, label);
}

}  // namespace seedgate
