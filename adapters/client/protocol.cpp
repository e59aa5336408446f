// seedgate::protocol: the protocol's environment and its records.
#include "seedgate/protocol.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <type_traits>

namespace seedgate::protocol {
namespace {

const char* read(const Lookup& lookup, const char* name) {
  return lookup ? lookup(name) : std::getenv(name);
}

std::int64_t parse_integer(const char* name, const char* text, std::int64_t low, std::int64_t high) {
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno == ERANGE || value < low || value > high) {
    throw ConfigurationError(std::string(name) + "='" + text + "' is not an integer between " + std::to_string(low) +
                             " and " + std::to_string(high));
  }
  return value;
}

// The binary predictions format is little-endian; rows are copied as they lie in memory.
constexpr bool little_endian_host() {
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
#else
  return true;  // MSVC targets are little-endian
#endif
}
static_assert(little_endian_host(), "the binary predictions format is little-endian");
static_assert(sizeof(float) == 4 && sizeof(double) == 8 && std::numeric_limits<float>::is_iec559 &&
              std::numeric_limits<double>::is_iec559);

// The shortest text that reads back as the same value.
template <typename T>
void append_number(std::string& out, T value) {
  char text[40];
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  (void)error;  // 40 characters hold any float or double
  out.append(text, end);
#else
  int start = std::is_same_v<T, float> ? 6 : 15, last = std::is_same_v<T, float> ? 9 : 17;
  for (int precision = start; precision <= last; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, static_cast<double>(value));
    if (static_cast<T>(std::strtod(text, nullptr)) == value) break;
  }
  out += text;
#endif
}

void append_integer(std::string& out, std::int64_t value) {
  char text[24];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  (void)error;
  out.append(text, end);
}

template <typename T>
void append_binary(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw std::runtime_error("cannot write predictions to '" + path + "': " + reason);
}

// What each writer passes to `write_predictions`: the kind's header and a
// row's fields, in both formats.
struct PredictionRows {
  std::uint32_t kind = 0;  // 0 probabilities, 1 classes, 2 values
  std::uint32_t classes = 0;
  std::size_t rows = 0;
  std::size_t values_per_row = 1;
  const char* csv_header = "";
  std::function<void(std::string&, std::size_t)> csv_row;     // after "id,"
  std::function<void(std::string&, std::size_t)> binary_row;  // after the id
};

void check_sizes(const std::string& path, const char* what, std::size_t size, const char* other,
                 std::size_t other_size) {
  if (size != other_size)
    fail(path, std::to_string(size) + " " + what + " for " + std::to_string(other_size) + " " + other);
}

std::int64_t id_of(const std::vector<std::int64_t>& ids, std::size_t row) {
  return ids.empty() ? static_cast<std::int64_t>(row) : ids[row];
}

// Writes `path`.tmp in pieces of about 1 MB, then renames it to `path`.
void write_predictions(const std::string& path, const std::vector<std::int64_t>& ids, const PredictionRows& rows,
                       PredictionsFormat format) {
  if (path.empty()) fail(path, "the path is empty (SEEDGATE_PREDICTIONS is not set)");
  if (!ids.empty()) check_sizes(path, "ids", ids.size(), "rows", rows.rows);
  bool binary = format == PredictionsFormat::binary ||
                (format == PredictionsFormat::automatic && rows.rows * rows.values_per_row > 1'000'000);
  std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (!file) fail(path, std::strerror(errno));
  std::string buffer;
  bool ok = true;
  auto flush = [&] {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) ok = false;
    buffer.clear();
  };
  if (binary) {
    buffer.append("SGPRED1\n", 8);
    append_binary(buffer, rows.kind);
    append_binary(buffer, rows.classes);
    append_binary(buffer, static_cast<std::uint64_t>(rows.rows));
  } else {
    buffer += rows.csv_header;
  }
  for (std::size_t row = 0; row < rows.rows && ok; ++row) {
    if (binary) {
      append_binary(buffer, id_of(ids, row));
      rows.binary_row(buffer, row);
    } else {
      append_integer(buffer, id_of(ids, row));
      buffer += ',';
      rows.csv_row(buffer, row);
      buffer += '\n';
    }
    if (buffer.size() >= (1U << 20)) flush();
  }
  flush();
  int saved = ok ? 0 : errno;
  if (std::fclose(file) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    std::remove(temporary.c_str());
    fail(path, std::strerror(saved));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    saved = errno;
    std::remove(temporary.c_str());
    fail(path, std::strerror(saved));
  }
}

}  // namespace

bool is_cuda(std::string_view device) {
  return device.substr(0, 4) == "cuda";
}

std::string_view source_name(Source source) {
  switch (source) {
    case Source::init:
      return "init";
    case Source::order:
      return "order";
    case Source::split:
      return "split";
    case Source::dropout:
      return "dropout";
  }
  return "init";
}

std::string_view source_variable(Source source) {
  switch (source) {
    case Source::init:
      return "SEEDGATE_SEED_INIT";
    case Source::order:
      return "SEEDGATE_SEED_ORDER";
    case Source::split:
      return "SEEDGATE_SEED_SPLIT";
    case Source::dropout:
      return "SEEDGATE_SEED_DROPOUT";
  }
  return "SEEDGATE_SEED_INIT";
}

namespace {

// A source's own seed in `seeds` (const or not).
template <typename Seeds>
auto& own_seed(Seeds& seeds, Source source) {
  switch (source) {
    case Source::order:
      return seeds.order;
    case Source::split:
      return seeds.split;
    case Source::dropout:
      return seeds.dropout;
    case Source::init:
      break;
  }
  return seeds.init;
}

}  // namespace

std::int64_t Settings::seed_for(Source source) const {
  return own_seed(sources, source).value_or(seed);
}

bool Settings::has_own_seed(Source source) const {
  return own_seed(sources, source).has_value();
}

Settings settings_from_environment(const Lookup& lookup) {
  Settings s;
  if (const char* seed = read(lookup, "SEEDGATE_SEED")) {
    s.seed = parse_integer("SEEDGATE_SEED", seed, INT64_MIN, INT64_MAX);
    s.under_seedgate = true;
  }
  for (Source source : kSources) {
    std::string variable(source_variable(source));
    if (const char* value = read(lookup, variable.c_str()))
      own_seed(s.sources, source) = parse_integer(variable.c_str(), value, INT64_MIN, INT64_MAX);
  }
  if (const char* mode = read(lookup, "SEEDGATE_MODE")) {
    std::string_view m(mode);
    if (m != "deterministic" && m != "default")
      throw ConfigurationError(std::string("SEEDGATE_MODE='") + mode + "' is not \"deterministic\" or \"default\"");
    s.deterministic = m == "deterministic";
  }
  if (const char* device = read(lookup, "SEEDGATE_DEVICE")) {
    std::string d(device);
    bool valid = d == "cpu" || d == "cuda";
    if (!valid && d.rfind("cuda:", 0) == 0 && d.size() > 5)
      valid = d.find_first_not_of("0123456789", 5) == std::string::npos;
    if (!valid) throw ConfigurationError("SEEDGATE_DEVICE='" + d + "' is not \"cpu\", \"cuda\" or \"cuda:N\"");
    s.device = d;
  }
  if (const char* threads = read(lookup, "SEEDGATE_THREADS"); threads && *threads)
    s.threads = static_cast<int>(parse_integer("SEEDGATE_THREADS", threads, 1, 4096));
  if (const char* repeat = read(lookup, "SEEDGATE_REPEAT"); repeat && *repeat)
    s.repeat = static_cast<int>(parse_integer("SEEDGATE_REPEAT", repeat, 0, INT32_MAX));
  if (const char* dir = read(lookup, "SEEDGATE_RUN_DIR")) s.run_dir = dir;
  if (const char* metrics = read(lookup, "SEEDGATE_METRICS")) s.metrics_path = metrics;
  if (const char* predictions = read(lookup, "SEEDGATE_PREDICTIONS")) s.predictions_path = predictions;
  return s;
}

void write_probabilities(const std::string& path, const std::vector<int>& labels,
                         const std::vector<float>& probabilities, int classes, const std::vector<std::int64_t>& ids,
                         PredictionsFormat format) {
  if (classes < 2) fail(path, std::to_string(classes) + " classes; probabilities need at least 2");
  auto k = static_cast<std::size_t>(classes);
  if (probabilities.size() != labels.size() * k)
    fail(path, std::to_string(probabilities.size()) + " probabilities for " + std::to_string(labels.size()) +
                   " labels and " + std::to_string(classes) + " classes");
  std::string header = "id,label";
  for (std::size_t c = 0; c < k; ++c) header += ",p" + std::to_string(c);
  header += "\n";
  PredictionRows rows;
  rows.kind = 0;
  rows.classes = static_cast<std::uint32_t>(classes);
  rows.rows = labels.size();
  rows.values_per_row = k;
  rows.csv_header = header.c_str();
  rows.csv_row = [&](std::string& out, std::size_t row) {
    append_integer(out, labels[row]);
    for (std::size_t c = 0; c < k; ++c) {
      out += ',';
      append_number(out, probabilities[row * k + c]);
    }
  };
  rows.binary_row = [&](std::string& out, std::size_t row) {
    append_binary(out, static_cast<double>(labels[row]));
    out.append(reinterpret_cast<const char*>(&probabilities[row * k]), k * sizeof(float));
  };
  write_predictions(path, ids, rows, format);
}

void write_classes(const std::string& path, const std::vector<int>& labels, const std::vector<int>& predicted,
                   const std::vector<std::int64_t>& ids, PredictionsFormat format) {
  check_sizes(path, "predicted classes", predicted.size(), "labels", labels.size());
  PredictionRows rows;
  rows.kind = 1;
  rows.rows = labels.size();
  rows.csv_header = "id,label,class\n";
  rows.csv_row = [&](std::string& out, std::size_t row) {
    append_integer(out, labels[row]);
    out += ',';
    append_integer(out, predicted[row]);
  };
  rows.binary_row = [&](std::string& out, std::size_t row) {
    append_binary(out, static_cast<double>(labels[row]));
    append_binary(out, static_cast<double>(predicted[row]));
  };
  write_predictions(path, ids, rows, format);
}

void write_values(const std::string& path, const std::vector<double>& targets, const std::vector<double>& values,
                  const std::vector<std::int64_t>& ids, PredictionsFormat format) {
  check_sizes(path, "values", values.size(), "targets", targets.size());
  PredictionRows rows;
  rows.kind = 2;
  rows.rows = targets.size();
  rows.csv_header = "id,target,value\n";
  rows.csv_row = [&](std::string& out, std::size_t row) {
    append_number(out, targets[row]);
    out += ',';
    append_number(out, values[row]);
  };
  rows.binary_row = [&](std::string& out, std::size_t row) {
    append_binary(out, targets[row]);
    append_binary(out, values[row]);
  };
  write_predictions(path, ids, rows, format);
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char text[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

Writer::Writer(const std::string& metrics_path) : m_path(metrics_path) {
  if (m_path.empty()) return;
  m_file = std::make_unique<std::ofstream>(m_path, std::ios::app);
  if (!*m_file) throw ConfigurationError("cannot open SEEDGATE_METRICS='" + m_path + "' for appending");
}

void Writer::write(const std::string& line) {
  if (!m_file) {
    std::cout << line << "\n" << std::flush;
    return;
  }
  *m_file << line << "\n" << std::flush;
  if (!*m_file) throw std::runtime_error("cannot write to SEEDGATE_METRICS='" + m_path + "'");
}

void Writer::metrics(const std::vector<std::pair<std::string, double>>& values, std::optional<std::int64_t> step) {
  std::string line = "{";
  if (step) line += "\"step\": " + std::to_string(*step);
  for (const auto& [name, value] : values) {
    if (line.size() > 1) line += ", ";
    line += json_string(name) + ": " + json_number(value);
  }
  write(line + "}");
}

void Writer::artifact(std::string_view name, std::string_view digest) {
  write("{\"type\": \"artifact\", \"name\": " + json_string(name) + ", \"digest\": " + json_string(digest) + "}");
}

void Writer::event(std::string_view name, std::string_view message) {
  write("{\"type\": \"event\", \"name\": " + json_string(name) + ", \"message\": " + json_string(message) + "}");
}

void Writer::environment(const std::map<std::string, std::string>& values) {
  std::string line = "{\"type\": \"env\"";
  for (const auto& [key, value] : values) line += ", " + json_string(key) + ": " + json_string(value);
  write(line + "}");
}

void Writer::importance(std::string_view kind, const std::vector<std::pair<std::string, double>>& values) {
  std::string line = "{\"type\": \"importance\", \"kind\": " + json_string(kind) + ", \"values\": {";
  for (std::size_t i = 0; i < values.size(); ++i)
    line += (i ? ", " : "") + json_string(values[i].first) + ": " + json_number(values[i].second);
  write(line + "}}");
}

}  // namespace seedgate::protocol
