// seedgate::protocol: the protocol's environment and its records.
#include "seedgate/protocol.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

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

}  // namespace

bool is_cuda(std::string_view device) {
  return device.substr(0, 4) == "cuda";
}

Settings settings_from_environment(const Lookup& lookup) {
  Settings s;
  if (const char* seed = read(lookup, "SEEDGATE_SEED")) {
    s.seed = parse_integer("SEEDGATE_SEED", seed, INT64_MIN, INT64_MAX);
    s.under_seedgate = true;
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
  return s;
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
