#include "lint/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <set>
#include <unordered_map>

#include "lint/scan.hpp"
#include "util/atomic_file.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace lint {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCppExtensions[] = {".cpp", ".cc",  ".cxx", ".c++", ".cu",  ".hpp", ".h",
                                               ".hh",  ".hxx", ".h++", ".cuh", ".ipp", ".inl"};
constexpr std::string_view kCppSources[] = {".cpp", ".cc", ".cxx", ".c++", ".cu"};

// `*`, `?` within a component, `**` across components.
bool match_here(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.starts_with("**")) {
      p.remove_prefix(2);
      if (p.starts_with("/")) p.remove_prefix(1);
      for (std::size_t k = 0; k <= s.size(); ++k)
        if (match_here(p, s.substr(k))) return true;
      return false;
    }
    if (p[0] == '*') {
      p.remove_prefix(1);
      for (std::size_t k = 0; k <= s.size(); ++k) {
        if (match_here(p, s.substr(k))) return true;
        if (k < s.size() && s[k] == '/') break;
      }
      return false;
    }
    if (s.empty() || (p[0] == '?' ? s[0] == '/' : p[0] != s[0])) return false;
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

std::string strip_dot_slash(std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  return std::string(path);
}

std::string parent_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

std::string join_path(const std::string& dir, std::string_view rest) {
  return fs::path(dir.empty() ? std::string(rest) : dir + "/" + std::string(rest)).lexically_normal().generic_string();
}

// Files by path, by every '/'-suffix of their path, and by path without extension.
class FileIndex {
 public:
  explicit FileIndex(const std::vector<SourceFile>& files) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string& p = files[i].path;
      m_exact.emplace(p, i);
      m_suffix[p].push_back(i);
      for (std::size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1))
        m_suffix[p.substr(slash + 1)].push_back(i);
      std::string ext = fs::path(p).extension().string();
      if (std::find(std::begin(kCppSources), std::end(kCppSources), ext) != std::end(kCppSources))
        m_stem[p.substr(0, p.size() - ext.size())].push_back(i);
    }
  }
  std::optional<std::size_t> exact(const std::string& path) const {
    auto it = m_exact.find(path);
    return it == m_exact.end() ? std::nullopt : std::optional(it->second);
  }
  const std::vector<std::size_t>* suffix(const std::string& path) const {
    auto it = m_suffix.find(path);
    return it == m_suffix.end() ? nullptr : &it->second;
  }
  const std::vector<std::size_t>* sources_of(const std::string& header) const {
    auto it = m_stem.find(header.substr(0, header.size() - fs::path(header).extension().string().size()));
    return it == m_stem.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string, std::size_t> m_exact;
  std::unordered_map<std::string, std::vector<std::size_t>> m_suffix;
  std::unordered_map<std::string, std::vector<std::size_t>> m_stem;
};

// The files each file includes or imports (and, for a header, its sources).
std::vector<std::vector<std::size_t>> build_edges(const std::vector<SourceFile>& files,
                                                  const std::vector<FileFacts>& facts, const FileIndex& index) {
  std::vector<std::vector<std::size_t>> edges(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto& out = edges[i];
    auto add_exact = [&](const std::string& path) {
      if (auto j = index.exact(path)) out.push_back(*j);
    };
    auto add_suffix = [&](const std::string& path) {
      if (auto* js = index.suffix(path)) out.insert(out.end(), js->begin(), js->end());
    };
    std::string dir = parent_of(files[i].path);
    if (files[i].language == Language::cpp) {
      if (auto* sources = index.sources_of(files[i].path)) out.insert(out.end(), sources->begin(), sources->end());
      for (const std::string& inc : facts[i].includes) {
        std::size_t before = out.size();
        add_exact(join_path(dir, inc));
        if (out.size() == before) add_suffix(inc);
      }
      continue;
    }
    for (const FileFacts::Import& imp : facts[i].imports) {
      std::size_t dots = 0;
      while (dots < imp.module.size() && imp.module[dots] == '.') ++dots;
      std::string rest = imp.module.substr(dots);
      std::replace(rest.begin(), rest.end(), '.', '/');
      if (dots > 0) {
        std::string base = dir;
        for (std::size_t up = 1; up < dots; ++up) base = parent_of(base);
        std::string module_dir = rest.empty() ? base : join_path(base, rest);
        add_exact(join_path(base, rest + ".py"));
        add_exact(join_path(module_dir, "__init__.py"));
        for (const std::string& name : imp.names) {
          add_exact(join_path(module_dir, name + ".py"));
          add_exact(join_path(module_dir, name + "/__init__.py"));
        }
      } else {
        add_suffix(rest + ".py");
        add_suffix(rest + "/__init__.py");
        for (const std::string& name : imp.names) add_suffix(fmt::format("{}/{}.py", rest, name));
      }
    }
  }
  return edges;
}

struct Suppressions {
  std::unordered_map<std::uint32_t, std::vector<std::string>> by_line;
  bool covers(std::uint32_t line, std::string_view rule) const {
    auto it = by_line.find(line);
    return it != by_line.end() && std::find(it->second.begin(), it->second.end(), rule) != it->second.end();
  }
};

// `seedgate-lint: ignore[rule-a, rule-b]` in a comment: its line, and the
// next line when the comment stands alone on its line.
Suppressions read_suppressions(const SourceFile& file, Sink& sink) {
  Suppressions out;
  static const std::vector<std::string_view> ids = [] {
    std::vector<std::string_view> v;
    for (const RuleInfo& r : all_rules()) v.push_back(r.id);
    return v;
  }();
  for (const Comment& c : file.lexed.comments) {
    // The directive opens the comment: a comment that mentions it mid-text
    // (documentation like this) suppresses nothing.
    std::string_view rest = c.text;
    while (!rest.empty() && (rest.front() == '/' || rest.front() == '*' || rest.front() == '#' || rest.front() == '!' ||
                             rest.front() == ' ' || rest.front() == '\t'))
      rest.remove_prefix(1);
    if (!rest.starts_with("seedgate-lint:")) continue;
    rest.remove_prefix(14);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (!rest.starts_with("ignore[")) continue;
    rest.remove_prefix(7);
    std::string_view list = rest.substr(0, rest.find(']'));
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      std::string_view id =
          list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
      while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
      if (!id.empty()) {
        if (!find_rule(id)) {
          std::string message = fmt::format("suppression names unknown rule '{}'", id);
          if (auto near = util::closest_match(id, ids)) message += fmt::format("; did you mean '{}'?", *near);
          sink.add("unknown-suppression", Token{TokenKind::punct, {}, c.line, c.column}, message);
        }
        out.by_line[c.line].emplace_back(id);
        if (c.own_line) out.by_line[c.line + 1].emplace_back(id);
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

// The lines of a text, trimmed, for fingerprints.
class Lines {
 public:
  explicit Lines(std::string_view text) : m_text(text) {
    for (std::size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1))
      m_starts.push_back(at + 1);
  }
  std::size_t count() const { return m_starts.size() - (m_starts.back() == m_text.size() ? 1 : 0); }
  std::string_view trimmed(std::uint32_t line) const {
    if (line == 0 || line > m_starts.size()) return {};
    std::size_t begin = m_starts[line - 1];
    std::size_t end = line < m_starts.size() ? m_starts[line] - 1 : m_text.size();
    std::string_view s = m_text.substr(begin, end - begin);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  }

 private:
  std::string_view m_text;
  std::vector<std::size_t> m_starts{0};
};

}  // namespace

SourceFile make_source(std::string path, Language language, std::string text) {
  SourceFile file{std::move(path), language, std::make_unique<const std::string>(std::move(text)), {}};
  file.lexed = tokenize(*file.text, language);
  return file;
}

std::optional<Language> language_of(const fs::path& path) {
  std::string ext = path.extension().string();
  if (ext == ".py" || ext == ".pyi") return Language::python;
  if (std::find(std::begin(kCppExtensions), std::end(kCppExtensions), ext) != std::end(kCppExtensions))
    return Language::cpp;
  return std::nullopt;
}

bool glob_match(std::string_view pattern, std::string_view path) {
  std::string p = strip_dot_slash(pattern);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (p.empty()) return false;
  if (p.find('/') == std::string::npos) {  // any component
    std::size_t begin = 0;
    while (begin <= path.size()) {
      std::size_t slash = path.find('/', begin);
      std::string_view component =
          path.substr(begin, slash == std::string_view::npos ? std::string_view::npos : slash - begin);
      if (match_here(p, component)) return true;
      if (slash == std::string_view::npos) break;
      begin = slash + 1;
    }
    return false;
  }
  if (p.front() == '/') p.erase(0, 1);
  if (match_here(p, path)) return true;
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1))
    if (match_here(p, path.substr(0, slash))) return true;  // a folder the file is in
  return false;
}

util::Result<std::vector<SourceFile>> read_sources(const fs::path& root, const std::vector<std::string>& paths,
                                                   const std::vector<std::string>& exclude) {
  auto shown = [&](const fs::path& p) {
    fs::path relative = p.lexically_normal().lexically_relative(root.lexically_normal());
    if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
    return p.lexically_normal().generic_string();
  };
  auto excluded = [&](const std::string& path) {
    return std::any_of(exclude.begin(), exclude.end(), [&](const std::string& g) { return glob_match(g, path); });
  };
  std::set<std::string> seen;
  std::vector<std::pair<std::string, fs::path>> found;
  for (const std::string& given : paths) {
    fs::path full = fs::path(given).is_absolute() ? fs::path(given) : root / given;
    std::error_code ec;
    fs::file_status status = fs::status(full, ec);
    if (ec || !fs::exists(status))
      return util::make_error(fmt::format("lint path '{}' does not exist", shown(fs::absolute(full))));
    if (fs::is_regular_file(status)) {
      if (!language_of(full))
        return util::make_error(fmt::format("lint path '{}' is not a C++ or Python file", shown(fs::absolute(full))));
      std::string path = shown(fs::absolute(full));
      if (seen.insert(path).second) found.emplace_back(path, full);
      continue;
    }
    fs::recursive_directory_iterator it(full, fs::directory_options::skip_permission_denied, ec);
    if (ec) return util::make_error(fmt::format("cannot read '{}': {}", given, util::error_text(ec.value())));
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return util::make_error(fmt::format("cannot read '{}': {}", given, util::error_text(ec.value())));
      std::string name = it->path().filename().string();
      std::string path = shown(fs::absolute(it->path()));
      if (it->is_directory(ec)) {
        if ((name.starts_with(".") && name != "." && name != "..") || excluded(path)) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec) || !language_of(it->path()) || excluded(path)) continue;
      if (seen.insert(path).second) found.emplace_back(path, it->path());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<SourceFile> files;
  files.reserve(found.size());
  for (auto& [path, full] : found) {
    auto text = util::read_file(full);
    if (!text) return util::make_error(text.error());
    files.push_back(make_source(path, *language_of(full), std::move(*text)));
  }
  return files;
}

bool LintReport::failed() const {
  if (!fail_on) return false;
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return static_cast<int>(f.severity) >= static_cast<int>(*fail_on); });
}

util::Result<LintReport> lint_sources(const std::vector<SourceFile>& files, const LintConfig& config) {
  std::vector<FileFacts> facts;
  facts.reserve(files.size());
  for (const SourceFile& f : files) facts.push_back(gather_facts(Scan(f)));

  // Reachability from the entry points (every file when none are named).
  std::vector<bool> reachable(files.size(), config.entry_points.empty());
  std::vector<std::size_t> order;  // entry points first, then path order
  if (!config.entry_points.empty()) {
    FileIndex index(files);
    std::vector<std::vector<std::size_t>> edges = build_edges(files, facts, index);
    std::deque<std::size_t> queue;
    for (const std::string& entry : config.entry_points) {
      auto i = index.exact(fs::path(strip_dot_slash(entry)).lexically_normal().generic_string());
      if (!i) return util::make_error(fmt::format("lint entry point '{}' is not among the linted files", entry));
      order.push_back(*i);
      if (!reachable[*i]) queue.push_back(*i);
      reachable[*i] = true;
    }
    while (!queue.empty()) {
      std::size_t i = queue.front();
      queue.pop_front();
      for (std::size_t j : edges[i]) {
        if (reachable[j]) continue;
        reachable[j] = true;
        queue.push_back(j);
      }
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) order.push_back(i);

  std::array<ProjectFacts, 2> project{};  // by language
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!reachable[i]) continue;
    ProjectFacts& p = project[static_cast<std::size_t>(files[i].language)];
    p.torch_seeded |= facts[i].seeds_torch;
    p.random_seeded |= facts[i].seeds_random;
    p.numpy_seeded |= facts[i].seeds_numpy;
    if (static_cast<int>(facts[i].determinism) > static_cast<int>(p.determinism)) p.determinism = facts[i].determinism;
  }
  // "Is torch seeded?" is asked once per language, at its first reachable use.
  std::array<std::size_t, 2> unseeded_torch{npos, npos};
  for (std::size_t i : order) {
    auto language = static_cast<std::size_t>(files[i].language);
    if (reachable[i] && facts[i].torch_use.found() && !project[language].torch_seeded &&
        unseeded_torch[language] == npos)
      unseeded_torch[language] = i;
  }

  LintReport report;
  report.fail_on = config.fail_on;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const SourceFile& file = files[i];
    report.files += 1;
    Lines lines(*file.text);
    report.lines += lines.count();
    Scan scan(file);
    Sink sink;
    const ProjectFacts& p = project[static_cast<std::size_t>(file.language)];
    RuleContext context{scan, facts[i], p, config, sink};
    if (unseeded_torch[static_cast<std::size_t>(file.language)] == i) {
      std::string where = config.entry_points.empty()
                              ? std::string("in the project")
                              : fmt::format("from the entry points ({})", util::join(config.entry_points, ", "));
      Token at{TokenKind::identifier, {}, facts[i].torch_use.line, facts[i].torch_use.column};
      sink.add(
          "torch-no-seed", at,
          file.language == Language::cpp
              ? fmt::format("torch is used but torch::manual_seed is never called {}", where)
              : fmt::format("torch is imported but torch.manual_seed or seed_everything is never called {}", where));
    }
    check_torch(context);
    if (file.language == Language::cpp) {
      check_cpp(context);
    } else {
      check_python(context);
    }
    check_xgboost(context);
    Suppressions suppressions = read_suppressions(file, sink);

    std::unordered_map<std::string, int> occurrences;
    for (RawFinding& raw : sink.findings()) {
      const RuleInfo* info = find_rule(raw.rule);
      Severity severity = info->severity;
      if (auto it = config.rules.find(raw.rule); it != config.rules.end()) {
        if (!it->second) continue;  // turned off
        severity = *it->second;
      }
      if (raw.rule != "unknown-suppression" && suppressions.covers(raw.line, raw.rule)) {
        report.suppressed += 1;
        continue;
      }
      std::string key = fmt::format("{}\n{}\n{}", raw.rule, file.path, lines.trimmed(raw.line));
      int occurrence = occurrences[key]++;
      std::string digest = util::digest_bytes(fmt::format("{}\n{}", key, occurrence));
      report.findings.push_back(Finding{std::string(raw.rule), severity, file.path, raw.line, raw.column,
                                        std::move(raw.message), digest.substr(digest.find(':') + 1)});
    }
  }
  std::sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.line, a.column, a.rule) < std::tie(b.path, b.line, b.column, b.rule);
  });
  return report;
}

}  // namespace lint
