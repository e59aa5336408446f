#include "lint/config.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <regex>

#include "util/atomic_file.hpp"

namespace lint {
namespace fs = std::filesystem;

namespace {

// A version such as "2.1", "1.7.4" or "2.1.0+cu121", else a `path:line:col` error.
std::string read_version(const util::TomlReader& p, const toml::node& node, std::string_view key,
                         std::string_view example) {
  std::string v = p.string(node, key);
  static const std::regex kVersion(R"(\d+(\.\d+){0,3}([+-][A-Za-z0-9.]+)?)");
  if (!std::regex_match(v, kVersion))
    p.fail(node, fmt::format("'{}' must be a version such as \"{}\", got \"{}\"", key, example, v));
  return v;
}

// The value of `#define NAME <digits>` in a header's text.
std::optional<std::string> defined_number(const std::string& text, std::string_view name) {
  std::regex define(fmt::format(R"((^|\n)[ \t]*#[ \t]*define[ \t]+{}[ \t]+(\d+))", name));
  std::smatch m;
  if (!std::regex_search(text, m, define)) return std::nullopt;
  return m[2].str();
}

// "MAJOR.MINOR[.PATCH]" from a header's defines, if it has the first two.
std::optional<std::string> header_version(const fs::path& header, std::string_view prefix) {
  std::error_code ec;
  if (!fs::is_regular_file(header, ec)) return std::nullopt;
  auto text = util::read_file(header);
  if (!text) return std::nullopt;
  auto major = defined_number(*text, fmt::format("{}MAJOR", prefix));
  auto minor = defined_number(*text, fmt::format("{}MINOR", prefix));
  if (!major || !minor) return std::nullopt;
  std::string version = *major + "." + *minor;
  if (auto patch = defined_number(*text, fmt::format("{}PATCH", prefix))) version += "." + *patch;
  return version;
}

void split_into(const char* list, std::vector<fs::path>& out, std::string_view suffix = {}) {
  if (!list) return;
  std::string_view rest(list);
  while (!rest.empty()) {
    std::size_t colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    if (!dir.empty()) out.push_back(fs::path(dir) / suffix);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

// [lint]: paths, exclude, entry_points, fail_on, torch_version (libtorch_version), xgboost_version, [lint.rules].
void parse_lint_table(const util::TomlReader& p, const toml::node& node, LintConfig& config) {
  const toml::table& t = p.table(node, "lint");
  p.reject_unknown(
      t,
      {"paths", "exclude", "entry_points", "fail_on", "torch_version", "libtorch_version", "xgboost_version", "rules"},
      "[lint]");
  if (auto n = t.get("paths")) {
    config.paths = p.string_list(*n, "paths");
    if (config.paths.empty()) p.fail(*n, "'paths' must name at least one file or folder");
  }
  if (auto n = t.get("exclude")) config.exclude = p.string_list(*n, "exclude");
  if (auto n = t.get("entry_points")) config.entry_points = p.string_list(*n, "entry_points");
  if (auto n = t.get("fail_on")) {
    std::string v = p.choice(*n, "fail_on", {"error", "warning", "note", "never"});
    config.fail_on = parse_severity(v);
  }
  for (std::string_view key : {"torch_version", "libtorch_version"}) {
    auto n = t.get(key);
    if (!n) continue;
    if (key == "libtorch_version" && t.get("torch_version"))
      p.fail(*n, "'libtorch_version' is the older name of 'torch_version'; give only one of them");
    config.torch_version = read_version(p, *n, key, "2.1");
    config.torch_version_source = fmt::format("[lint] {}", key);
  }
  if (auto n = t.get("xgboost_version")) {
    config.xgboost_version = read_version(p, *n, "xgboost_version", "1.7");
    config.xgboost_version_source = "[lint] xgboost_version";
  }
  if (auto n = t.get("rules")) {
    const toml::table& rules = p.table(*n, "rules");
    std::vector<std::string_view> ids;
    for (const RuleInfo& r : all_rules()) ids.push_back(r.id);
    for (auto&& [key, value] : rules) {
      const RuleInfo* rule = find_rule(key.str());
      if (!rule) {
        std::string message = fmt::format("unknown lint rule '{}' in [lint.rules]", key.str());
        if (auto near = util::closest_match(key.str(), ids)) message += fmt::format("; did you mean '{}'?", *near);
        p.fail(key.source(), message);
      }
      std::string v = p.choice(value, key.str(), {"on", "off", "note", "warning", "error"});
      if (v == "off") {
        config.rules[std::string(key.str())] = std::nullopt;
      } else {
        config.rules[std::string(key.str())] = v == "on" ? rule->severity : *parse_severity(v);
      }
    }
  }
}

util::Result<LintConfig> parse_lint_config(std::string_view text, const std::string& display_path) {
  util::TomlReader p(display_path);
  LintConfig config;
  try {
    toml::table root = p.parse(text);
    if (auto n = root.get("lint")) parse_lint_table(p, *n, config);
  } catch (const util::TomlError& e) {
    return util::make_error(e.message);
  }
  return config;
}

util::Result<LintConfig> load_lint_config(const std::filesystem::path& path) {
  auto text = util::read_file(path);
  if (!text) return util::make_error(text.error());
  return parse_lint_config(*text, path.string());
}

std::vector<fs::path> default_include_dirs() {
  std::vector<fs::path> dirs;
  for (const char* name : {"CPATH", "CPLUS_INCLUDE_PATH", "C_INCLUDE_PATH"}) split_into(std::getenv(name), dirs);
  split_into(std::getenv("CMAKE_PREFIX_PATH"), dirs, "include");
  dirs.emplace_back("/usr/local/include");
  dirs.emplace_back("/usr/include");
  return dirs;
}

void assume_installed_versions(LintConfig& config, const std::vector<fs::path>& include_dirs) {
  for (const fs::path& dir : include_dirs) {
    if (config.xgboost_version.empty()) {
      fs::path header = dir / "xgboost" / "version_config.h";
      if (auto v = header_version(header, "XGBOOST_VER_")) {
        config.xgboost_version = *v;
        config.xgboost_version_source = fmt::format("installed: {}", header.lexically_normal().string());
      }
    }
    for (const fs::path& header :
         {dir / "torch" / "version.h", dir / "torch" / "csrc" / "api" / "include" / "torch" / "version.h"}) {
      if (!config.torch_version.empty()) break;
      if (auto v = header_version(header, "TORCH_VERSION_")) {
        config.torch_version = *v;
        config.torch_version_source = fmt::format("installed: {}", header.lexically_normal().string());
      }
    }
  }
}

}  // namespace lint
