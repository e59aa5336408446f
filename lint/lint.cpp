#include "lint/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "lint/scan.hpp"
#include "util/atomic_file.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace lint {
namespace fs = std::filesystem;

namespace {

// C sources and headers are linted as C++: the tokenizer and the rules read both.
constexpr std::string_view kCppExtensions[] = {".cpp", ".cc", ".cxx", ".c++", ".cu",  ".c",   ".hpp",
                                               ".h",   ".hh", ".hxx", ".h++", ".cuh", ".ipp", ".inl"};
constexpr std::string_view kCppSources[] = {".cpp", ".cc", ".cxx", ".c++", ".cu", ".c"};

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

// A line's text with each run of whitespace as one space, for fingerprints
// that survive re-indentation and re-spacing.
std::string collapse_spaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
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

// Adds one file's facts to the answers over a set of files.
void add_facts(ProjectFacts& p, const FileFacts& f) {
  p.torch_seeded |= f.seeds_torch;
  p.random_seeded |= f.seeds_random;
  p.numpy_seeded |= f.seeds_numpy;
  p.seed_flows |= f.reads_seed;
  if (static_cast<int>(f.determinism) > static_cast<int>(p.determinism)) p.determinism = f.determinism;
}

// The programs of a project without configured entry points: C++ files that
// define main(); Python files that test __name__ == "__main__", and those no
// other file imports (a script), except package __init__.py files.
std::vector<std::size_t> detect_entry_points(const std::vector<SourceFile>& files, const std::vector<FileFacts>& facts,
                                             const std::vector<std::vector<std::size_t>>& edges) {
  std::vector<bool> imported(files.size(), false);
  for (std::size_t i = 0; i < files.size(); ++i)
    for (std::size_t j : edges[i])
      if (j != i) imported[j] = true;
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    bool script =
        files[i].language == Language::python && !imported[i] && fs::path(files[i].path).filename() != "__init__.py";
    if (facts[i].defines_main || script) out.push_back(i);
  }
  return out;
}

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
  auto inside = [](const fs::path& relative) { return !relative.empty() && *relative.begin() != ".."; };
  auto shown = [&](const fs::path& p) {
    fs::path relative = p.lexically_normal().lexically_relative(root.lexically_normal());
    if (inside(relative)) return relative.generic_string();
    // The root by another name (a symlink on either path): compare the real
    // folders, keeping the file's own name.
    std::error_code ec, root_ec;
    fs::path real_parent = fs::weakly_canonical(p.lexically_normal().parent_path(), ec);
    fs::path real_root = fs::weakly_canonical(root, root_ec);
    if (!ec && !root_ec) {
      relative = (real_parent / p.lexically_normal().filename()).lexically_relative(real_root);
      if (inside(relative)) return relative.generic_string();
    }
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
        return util::make_error(
            fmt::format("lint path '{}' is not a C, C++ or Python file", shown(fs::absolute(full))));
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
  FileIndex index(files);
  std::vector<std::vector<std::size_t>> edges = build_edges(files, facts, index);

  // The entry points: the policy's, or else every program found (see detect_entry_points).
  bool configured = !config.entry_points.empty();
  std::vector<std::size_t> entries;
  if (configured) {
    for (const std::string& entry : config.entry_points) {
      auto i = index.exact(fs::path(strip_dot_slash(entry)).lexically_normal().generic_string());
      if (!i) return util::make_error(fmt::format("lint entry point '{}' is not among the linted files", entry));
      if (std::find(entries.begin(), entries.end(), *i) == entries.end()) entries.push_back(*i);
    }
  } else {
    entries = detect_entry_points(files, facts, edges);
  }
  // What each entry point reaches (itself first, then breadth first), and
  // which entry points reach each file.
  std::vector<std::vector<std::size_t>> reach(entries.size());
  std::vector<std::vector<std::size_t>> reached_by(files.size());
  for (std::size_t e = 0; e < entries.size(); ++e) {
    std::vector<bool> seen(files.size(), false);
    std::deque<std::size_t> queue{entries[e]};
    seen[entries[e]] = true;
    while (!queue.empty()) {
      std::size_t i = queue.front();
      queue.pop_front();
      reach[e].push_back(i);
      reached_by[i].push_back(e);
      for (std::size_t j : edges[i]) {
        if (seen[j]) continue;
        seen[j] = true;
        queue.push_back(j);
      }
    }
  }

  // Each entry point's answers, over what it reaches.
  std::vector<ProjectFacts> entry_facts(entries.size());
  for (std::size_t e = 0; e < entries.size(); ++e) {
    entry_facts[e].seedless_entry = files[entries[e]].path;
    for (std::size_t i : reach[e]) add_facts(entry_facts[e], facts[i]);
  }
  // Files no entry point reaches are judged by the project's answers: over
  // the files the policy's entry points reach, or over every file.
  std::array<ProjectFacts, 2> project{};  // by language
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (configured && reached_by[i].empty()) continue;
    add_facts(project[static_cast<std::size_t>(files[i].language)], facts[i]);
  }
  auto context_of = [&](std::size_t i) {
    if (reached_by[i].empty()) return project[static_cast<std::size_t>(files[i].language)];
    ProjectFacts c = entry_facts[reached_by[i].front()];
    c.seedless_entry.clear();
    for (std::size_t e : reached_by[i]) {
      const ProjectFacts& p = entry_facts[e];
      c.torch_seeded &= p.torch_seeded;
      c.random_seeded &= p.random_seeded;
      c.numpy_seeded &= p.numpy_seeded;
      if (static_cast<int>(p.determinism) < static_cast<int>(c.determinism)) c.determinism = p.determinism;
      if (!p.seed_flows && c.seedless_entry.empty()) c.seedless_entry = p.seedless_entry;
      c.seed_flows &= p.seed_flows;
    }
    return c;
  };

  // "Is torch seeded?" is asked once per entry point, at its first use of
  // torch; where a language has no entry point (a library), once for the
  // project, at the first use.
  std::map<std::size_t, std::vector<std::string>> unseeded_torch;  // file -> the entry points it is reported for
  std::array<bool, 2> has_entry{false, false};
  for (std::size_t e = 0; e < entries.size(); ++e) {
    has_entry[static_cast<std::size_t>(files[entries[e]].language)] = true;
    if (entry_facts[e].torch_seeded) continue;
    for (std::size_t i : reach[e]) {
      if (!facts[i].torch_use.found()) continue;
      unseeded_torch[i].push_back(files[entries[e]].path);
      break;
    }
  }
  if (!configured) {
    std::array<bool, 2> reported{false, false};
    for (std::size_t i = 0; i < files.size(); ++i) {
      auto language = static_cast<std::size_t>(files[i].language);
      if (has_entry[language] || reported[language] || !facts[i].torch_use.found() || project[language].torch_seeded)
        continue;
      reported[language] = true;
      unseeded_torch[i];  // for the project
    }
  }

  LintReport report;
  report.fail_on = config.fail_on;
  // The versions judged against, for the frameworks the project uses.
  auto includes = [&](const FileFacts& f, std::string_view prefix) {
    return std::any_of(f.includes.begin(), f.includes.end(),
                       [&](const std::string& inc) { return inc.starts_with(prefix); });
  };
  if (std::any_of(facts.begin(), facts.end(), [](const FileFacts& f) { return f.uses_xgboost; }))
    report.versions.push_back({"XGBoost", config.xgboost_version, config.xgboost_version_source});
  if (std::any_of(facts.begin(), facts.end(), [&](const FileFacts& f) {
        return f.torch_use.found() || includes(f, "torch/") || includes(f, "ATen/");
      }))
    report.versions.push_back({"torch", config.torch_version, config.torch_version_source});
  // Repeats of a rule on the same text, counted over the whole run.
  std::unordered_map<std::string, int> occurrences;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const SourceFile& file = files[i];
    report.files += 1;
    Lines lines(*file.text);
    report.lines += lines.count();
    Scan scan(file);
    Sink sink;
    const ProjectFacts p = context_of(i);
    RuleContext context{scan, facts[i], p, config, sink};
    bool cpp = file.language == Language::cpp;
    if (auto it = unseeded_torch.find(i); it != unseeded_torch.end()) {
      std::string where = it->second.empty() ? std::string("in the project")
                                             : fmt::format("in {} or the files it {}", util::join(it->second, ", "),
                                                           cpp ? "includes" : "imports");
      Token at{TokenKind::identifier, {}, facts[i].torch_use.line, facts[i].torch_use.column};
      sink.add(
          "torch-no-seed", at,
          cpp ? fmt::format("torch is used but torch::manual_seed is never called {}", where)
              : fmt::format("torch is imported but torch.manual_seed or seed_everything is never called {}", where));
    }
    // A file no configured entry point reaches is not part of the program a sweep runs.
    if (!p.seed_flows && !(configured && reached_by[i].empty())) {
      std::string where =
          p.seedless_entry.empty() ? std::string("in the project") : fmt::format("that {} reaches", p.seedless_entry);
      for (const FileFacts::ConstantSeed& c : facts[i].constant_seeds) {
        sink.add("constant-seed", Token{TokenKind::identifier, {}, c.at.line, c.at.column},
                 fmt::format("{} fixes the seed, and nothing {} reads SEEDGATE_SEED or a command-line seed: the "
                             "sweep's seeds cannot reach the program",
                             c.what, where));
      }
    }
    check_torch(context);
    if (cpp) {
      check_cpp(context);
    } else {
      check_python(context);
      check_sklearn(context);
    }
    check_xgboost(context);
    Suppressions suppressions = read_suppressions(file, sink);

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
      // Not the path: a moved file keeps its findings' fingerprints.
      std::string key = fmt::format("{}\n{}", raw.rule, collapse_spaces(lines.trimmed(raw.line)));
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
