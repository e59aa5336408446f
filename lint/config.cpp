#include "lint/config.hpp"

#include <fmt/format.h>

#include <regex>

#include "util/atomic_file.hpp"

namespace lint {

// [lint]: paths, exclude, entry_points, fail_on, libtorch_version, [lint.rules].
void parse_lint_table(const util::TomlReader& p, const toml::node& node, LintConfig& config) {
  const toml::table& t = p.table(node, "lint");
  p.reject_unknown(t, {"paths", "exclude", "entry_points", "fail_on", "libtorch_version", "rules"}, "[lint]");
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
  if (auto n = t.get("libtorch_version")) {
    std::string v = p.string(*n, "libtorch_version");
    static const std::regex kVersion(R"(\d+(\.\d+){0,3}([+-][A-Za-z0-9.]+)?)");
    if (!std::regex_match(v, kVersion))
      p.fail(*n, fmt::format("'libtorch_version' must be a version such as \"2.1\", got \"{}\"", v));
    config.libtorch_version = v;
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

}  // namespace lint
