#include "harness/policy_lint.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <optional>
#include <variant>

#include "checks/compare.hpp"
#include "checks/compare_variants.hpp"
#include "checks/intervals.hpp"
#include "checks/sequential.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

constexpr double kPower = 0.8;

// The std a variance check on the same metric allows, the spread the policy expects.
std::optional<double> expected_std(const Policy& policy, const std::string& metric) {
  for (const CheckEntry& c : policy.checks) {
    const auto* variance = std::get_if<checks::VarianceSpec>(&c.spec.params);
    if (variance && c.spec.metric == metric && variance->std_at_most && *variance->std_at_most > 0)
      return variance->std_at_most;
  }
  return std::nullopt;
}

// Fewest seeds whose minimum bounds the (1 - coverage) quantile at `confidence`.
std::size_t seeds_for_order_bound(double coverage, double confidence) {
  std::size_t n = 1;
  while (!checks::lower_order_rank(n, 1 - coverage, confidence) && n < 100'000) ++n;
  return n;
}

}  // namespace

std::vector<LintFinding> lint_policy(const Policy& policy) {
  std::vector<LintFinding> out;
  const std::size_t first = policy.sweep.seeds.seeds.size();
  const std::size_t most = policy.sweep.seeds.ceiling().size();
  const bool growing = most > first;
  for (const CheckEntry& entry : policy.checks) {
    const checks::CheckSpec& c = entry.spec;
    auto warn = [&](std::string message) { out.push_back({entry.position, true, std::move(message)}); };
    auto note = [&](std::string message) { out.push_back({entry.position, false, std::move(message)}); };
    const std::string& name = c.name;
    const checks::KindInfo& kind = checks::kind_info(c.kind());
    // The kinds' own keys this advice reads.
    const auto* threshold = std::get_if<checks::ThresholdSpec>(&c.params);
    const auto* variance = std::get_if<checks::VarianceSpec>(&c.params);
    const auto* regression = std::get_if<checks::RegressionSpec>(&c.params);
    const checks::Bound* worst = threshold && threshold->worst ? &*threshold->worst : nullptr;
    const checks::Bound* mean = threshold && threshold->mean ? &*threshold->mean : nullptr;

    if (kind.compares_repeats && policy.sweep.repeats < 2)
      warn(
          fmt::format("check '{}' compares repeats of a seed, but [sweep] repeats = 1; set repeats = 2 or more", name));
    if (kind.across_configurations) {
      auto count = [](const std::vector<std::string>& filter, const std::vector<std::string>& axis) {
        return filter.empty() ? axis.size() : filter.size();
      };
      std::size_t devices = count(c.devices, policy.sweep.devices);
      std::size_t threads = c.threads.empty() ? policy.sweep.threads.size() : c.threads.size();
      if (devices < 2 && threads < 2)
        warn(
            fmt::format("check '{}' compares devices and thread counts, but it sees one device and one thread count; "
                        "set threads = [1, 2] or devices = [\"cpu\", \"cuda\"] in [sweep]",
                        name));
    }
    if (kind.min_seeds > most)
      warn(fmt::format("check '{}' needs at least {} seeds, but [sweep] runs {}", name, kind.min_seeds, most));
    if (kind.reads_history && policy.history.store.empty())
      warn(
          fmt::format("check '{}' judges this sweep against earlier ones, but the policy has no [history]: add "
                      "[history] store = \"sqlite:.seedgate/history.db\", or pass --history to run and check",
                      name));
    if (worst && !entry.confidence && growing) {
      warn(
          fmt::format("check '{}': '{}' without 'confidence' judges the worst seed, which gets worse the more "
                      "seeds run; with a seed count that grows to {}, add 'confidence' to judge a quantile instead",
                      name, worst->key, most));
    }
    if (!entry.confidence) continue;
    double confidence = *entry.confidence;
    if (entry.inconclusive == Inconclusive::pass)
      warn(
          fmt::format("check '{}': inconclusive = \"pass\" passes whatever the interval cannot rule out, so the "
                      "gate cannot catch a regression smaller than the interval's width (it still fails when the "
                      "estimate is past the bound); use \"fail\" or \"more-seeds\" to gate",
                      name));
    if (variance && variance->cv_at_most && variance->tolerance == checks::Tolerance::nonparametric && most < 10)
      note(
          fmt::format("check '{}': the bootstrap covers poorly with few seeds; with fewer than 10 seeds ([sweep] "
                      "runs {}) the cv is bounded by normal theory (noncentral t) instead",
                      name, most));
    if (!checks::baseline_of(c) && most < 2) {
      warn(fmt::format("check '{}' can never pass: a confidence bound needs at least 2 seeds, but [sweep] runs {}",
                       name, most));
      continue;
    }
    if (std::holds_alternative<checks::CompareSpec>(c.params)) {
      // The compare verdict takes the signed-rank bound too, which needs a few seeds before it exists.
      std::size_t needed = 2;
      while (needed < 50 && std::isinf(checks::signed_rank_lower_bound(std::vector<double>(needed, 1.0), confidence)))
        ++needed;
      if (most < needed) {
        warn(
            fmt::format("check '{}' can never pass: at {:g}% confidence the signed-rank bound on the paired "
                        "differences needs at least {} seeds, but [sweep] runs {}",
                        name, confidence * 100, needed, most));
        continue;
      }
    }
    if (worst && threshold->tolerance == checks::Tolerance::nonparametric &&
        !checks::lower_order_rank(most, 1 - threshold->coverage, confidence)) {
      warn(
          fmt::format("check '{}' can never pass: with {:g}% confidence the minimum of n seeds bounds the {:g}th "
                      "percentile only from n = {} on, and [sweep] runs at most {}",
                      name, confidence * 100, (1 - threshold->coverage) * 100,
                      seeds_for_order_bound(threshold->coverage, confidence), most));
    }
    for (auto [key, limit] : {std::pair{"std_at_most", variance ? variance->std_at_most : std::nullopt},
                              std::pair{"cv_at_most", variance ? variance->cv_at_most : std::nullopt}}) {
      if (limit == 0.0)
        warn(fmt::format("check '{}': {} = 0 with confidence passes only when every seed gives the same value", name,
                         key));
    }
    if (variance && variance->range_at_most)
      note(
          fmt::format("check '{}': range_at_most is judged on the observed range, which grows with the seed count; "
                      "confidence does not apply to it",
                      name));

    // Power: what the planned seeds can show, with the spread a variance check allows.
    auto sd = expected_std(policy, c.metric);
    double alpha = 1 - confidence;
    if (mean && sd && first >= 2) {
      // A sequential check's first look spends only part of alpha.
      double look_alpha = alpha;
      std::string when = fmt::format("{} seeds", first);
      if (growing && entry.inconclusive == Inconclusive::more_seeds) {
        auto looks = checks::planned_looks(first, first, most);
        look_alpha = checks::look_alpha(policy.statistics.spending, alpha, looks, 0);
        when = fmt::format("{} seeds (the first of {} looks)", first, looks.size());
      }
      checks::PowerQuery q{0, *sd, look_alpha, kPower, false, false};
      double headroom = checks::t_test_detectable_difference(q, static_cast<double>(first));
      note(
          fmt::format("check '{}': at {} with std up to {} (std_at_most), the true mean must be {} {} by {} to "
                      "pass {:g}% of the time",
                      name, when, util::format_number(*sd), c.goal == checks::Goal::maximize ? "above" : "below",
                      mean->key, fmt::format("{:.3g}", headroom), kPower * 100));
    }
    if (regression) {
      if (!sd) {
        note(
            fmt::format("check '{}': add a variance check with std_at_most on '{}' and lint will say how many "
                        "seeds this comparison needs",
                        name, c.metric));
      } else if (regression->margin <= 0) {
        warn(
            fmt::format("check '{}': with margin = 0 and confidence, a candidate as good as the baseline passes "
                        "only by chance; set a margin",
                        name));
      } else {
        // Equivalence must rule out both sides of the margin (TOST), which takes more seeds.
        checks::PowerQuery q{regression->margin, *sd, alpha, kPower, true, false};
        double n = regression->comparison == checks::Comparison::equivalence ? checks::tost_sample_size(q)
                                                                             : checks::t_test_sample_size(q);
        std::string message = fmt::format(
            "check '{}': to pass a candidate as good as the baseline {:g}% of the time with margin {} and std up "
            "to {}, {} seeds on each side are needed; [sweep] runs {}",
            name, kPower * 100, util::format_number(regression->margin), util::format_number(*sd),
            std::isfinite(n) ? std::to_string(static_cast<long long>(std::ceil(n))) : "more than a billion", most);
        if (std::ceil(n) > static_cast<double>(most))
          warn(std::move(message));
        else
          note(std::move(message));
      }
    }
  }
  return out;
}

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSeedVariable = "SEEDGATE_SEED";
// What a program that gets its seed holds: the variable's name, or an import
// of the Python package seedgate, which reads it (seedgate.configure(),
// seedgate.seed()).
constexpr std::string_view kSeedMarks[] = {kSeedVariable, "import seedgate", "from seedgate"};
constexpr std::size_t longest_seed_mark() {
  std::size_t longest = 0;
  for (std::string_view mark : kSeedMarks) longest = std::max(longest, mark.size());
  return longest;
}
constexpr std::size_t kLongestSeedMark = longest_seed_mark();

// Whether `text` (a command argument) names the placeholder `name`; "{{" and "}}" are literal braces.
bool uses_placeholder(std::string_view text, std::string_view name) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      ++i;
    } else if (c == '{') {
      std::size_t close = text.find('}', i);
      if (close == std::string_view::npos) return false;
      std::string_view inside = text.substr(i + 1, close - i - 1);
      if (name.empty() ? std::ranges::find(kPlaceholders, inside) != std::end(kPlaceholders) : inside == name)
        return true;
      i = close;
    }
  }
  return false;
}

// The argument as every run sees it ("{{" read as "{"); nothing where a
// placeholder makes it differ from run to run.
std::optional<std::string> literal_text(std::string_view text) {
  if (uses_placeholder(text, "")) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) ++i;
  }
  return out;
}

enum class Holds { yes, no, unknown };

// Whether the regular file at `path` holds SEEDGATE_SEED (or imports the
// Python package seedgate) in its first
// kProgramScanLimit bytes, read in blocks; `unknown` for what cannot be read
// (or is longer than that without it), and for anything but a regular file:
// a FIFO or a device is never opened for reading.
Holds holds_seed_variable(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return Holds::unknown;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Holds::unknown;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {  // swapped since the stat above
    ::close(fd);
    return Holds::unknown;
  }
  std::array<char, 1 << 16> block{};
  std::string window;  // the previous block's last bytes, so a match across two blocks is seen
  std::uint64_t total = 0;
  Holds result = Holds::no;
  while (true) {
    if (total >= kProgramScanLimit) {
      result = Holds::unknown;
      break;
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), kProgramScanLimit - total));
    ssize_t n = ::read(fd, block.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = Holds::unknown;
      break;
    }
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    window.append(block.data(), static_cast<std::size_t>(n));
    if (std::ranges::any_of(kSeedMarks,
                            [&](std::string_view mark) { return window.find(mark) != std::string::npos; })) {
      result = Holds::yes;
      break;
    }
    window.erase(0, window.size() - std::min(window.size(), kLongestSeedMark - 1));
  }
  ::close(fd);
  return result;
}

bool is_executable_file(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string in_quotes(std::string_view text) {
  return fmt::format("'{}'", util::printable(text));
}
std::string shown(const fs::path& path) {
  return util::printable(path.string());
}

// Programs that run the script named by their first operand.
bool is_interpreter(std::string_view name) {
  for (std::string_view prefix : {"python", "pypy"}) {
    if (name.starts_with(prefix) && std::ranges::all_of(name.substr(prefix.size()), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
        }))
      return true;
  }
  constexpr std::string_view kOthers[] = {"bash", "sh",   "dash",    "zsh",   "ksh", "perl",
                                          "ruby", "node", "Rscript", "julia", "lua"};
  return std::ranges::find(kOthers, name) != std::end(kOthers);
}

bool is_python(std::string_view name) {
  return name.starts_with("python") || name.starts_with("pypy");
}

// Files a launcher (torchrun, accelerate launch, a wrapper) may be handed as its script.
bool looks_like_script(const fs::path& path) {
  constexpr std::string_view kExtensions[] = {".py", ".sh", ".bash", ".zsh", ".R",  ".r",
                                              ".pl", ".rb", ".js",   ".mjs", ".jl", ".lua"};
  std::string extension = path.extension().string();
  return std::ranges::find(kExtensions, extension) != std::end(kExtensions);
}

// The words of a shell command up to its first one the shell would read as
// more than a plain word (a quote, a variable, a redirection, an operator),
// its leading VAR=value assignments and an `exec` left out; nothing where
// the program is not a plain word or is a shell builtin or keyword.
std::optional<std::vector<std::string>> plain_shell_words(std::string_view text) {
  constexpr std::string_view kSpecial = ";&|<>()$`\"'\\*?#~![]";
  constexpr std::string_view kBuiltins[] = {
      ".",        ":",        "alias",  "bg",     "break",   "builtin", "case",   "cd",      "command",
      "continue", "declare",  "eval",   "exit",   "export",  "false",   "fg",     "for",     "function",
      "getopts",  "hash",     "if",     "jobs",   "kill",    "let",     "local",  "printf",  "pwd",
      "read",     "readonly", "return", "select", "set",     "shift",   "source", "test",    "time",
      "times",    "trap",     "true",   "type",   "typeset", "ulimit",  "umask",  "unalias", "unset",
      "until",    "wait",     "while",  "echo",   "{",       "}"};
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = text.find_first_not_of(" \t", i);
    if (start == std::string_view::npos) break;
    if (text[start] == '\n') break;
    std::size_t end = text.find_first_of(" \t\n", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    i = end;
    if (word.find_first_of(kSpecial) != std::string_view::npos) break;
    std::size_t eq = word.find('=');
    bool assignment =
        eq != std::string_view::npos && eq > 0 &&
        word.substr(0, eq).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
            std::string_view::npos &&
        !std::isdigit(static_cast<unsigned char>(word[0]));
    if (words.empty() && assignment) continue;
    if (words.empty() && word == "exec") continue;
    words.emplace_back(word);
  }
  if (words.empty() || std::ranges::find(kBuiltins, words.front()) != std::end(kBuiltins)) return std::nullopt;
  return words;
}

// What lint_program finds out about the program and the files it runs.
struct Finder {
  const Policy& policy;
  std::string_view search_path;
  std::vector<std::string> problems;  // warnings, in the order found
  std::vector<fs::path> scanned;      // files read for SEEDGATE_SEED, none holding it
  bool seed_read = false;             // a file held SEEDGATE_SEED
  bool seed_unknown = false;          // a file that matters could not be read or found

  const fs::path& workdir() const { return policy.subject.workdir; }

  // Where a relative path went: said beside every path resolved from one.
  std::string working_folder() const {
    return fmt::format(
        "relative paths resolve against the run's working folder, {} ({})", shown(workdir()),
        workdir() == policy.dir ? "the policy's folder; [subject] workdir sets another" : "[subject] workdir");
  }

  void scan(const fs::path& path) {
    switch (holds_seed_variable(path)) {
      case Holds::yes:
        seed_read = true;
        break;
      case Holds::no:
        scanned.push_back(path);
        break;
      case Holds::unknown:
        seed_unknown = true;
        break;
    }
  }

  // argv[0] as the runner finds it: a path with a slash from the working
  // folder, a bare name on seedgate's PATH. The file it runs, if it can.
  std::optional<fs::path> program(const std::string& name) {
    if (name.find('/') == std::string::npos) {
      std::optional<fs::path> unrunnable;
      for (const std::string& found : util::path_candidates(search_path, name)) {
        fs::path candidate = workdir() / found;
        if (is_executable_file(candidate)) return candidate.lexically_normal();
        std::error_code ec;
        if (!unrunnable && fs::exists(candidate, ec)) unrunnable = candidate.lexically_normal();
      }
      if (unrunnable) {
        problems.push_back(fmt::format("program {} cannot run: {}, the first match on PATH, is {}", in_quotes(name),
                                       shown(*unrunnable),
                                       fs::is_directory(*unrunnable) ? "a folder" : "not executable"));
        return std::nullopt;
      }
      std::string message =
          fmt::format("program {} not found: it is not on PATH ({})", in_quotes(name), util::printable(search_path));
      std::error_code ec;
      if (fs::is_regular_file(workdir() / name, ec))
        message += fmt::format("; to run {} from the working folder, write './{}'", shown(workdir() / name),
                               util::printable(name));
      problems.push_back(std::move(message));
      return std::nullopt;
    }
    fs::path path = fs::path(name).is_absolute() ? fs::path(name) : (workdir() / name).lexically_normal();
    std::string where = fs::path(name).is_absolute() ? "" : fmt::format("; {}", working_folder());
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
      problems.push_back(fmt::format("program {} not found: {} does not exist{}", in_quotes(name), shown(path), where));
    } else if (S_ISDIR(info.st_mode)) {
      problems.push_back(fmt::format("program {} cannot run: {} is a folder{}", in_quotes(name), shown(path), where));
    } else if (!S_ISREG(info.st_mode) || ::access(path.c_str(), X_OK) != 0) {
      problems.push_back(
          fmt::format("program {} cannot run: {} is not an executable file; make it executable (chmod +x) or put its "
                      "interpreter first in 'command'",
                      in_quotes(name), shown(path)));
    } else {
      return path;
    }
    return std::nullopt;
  }

  // The script an interpreter is given, from the working folder.
  void script(const std::string& interpreter, const std::string& name) {
    fs::path path = fs::path(name).is_absolute() ? fs::path(name) : (workdir() / name).lexically_normal();
    std::error_code ec;
    if (fs::is_directory(path, ec) && is_python(interpreter)) path /= "__main__.py";  // python runs a folder's
    if (!fs::exists(path, ec)) {
      problems.push_back(fmt::format("script {} for {} not found: {} does not exist{}", in_quotes(name),
                                     util::printable(interpreter), shown(path),
                                     fs::path(name).is_absolute() ? "" : fmt::format("; {}", working_folder())));
      seed_unknown = true;
      return;
    }
    scan(path);
  }

  // `python -m package.module`: the module's file when it is in the working
  // folder; an installed module is not looked for.
  void module(const std::string& name) {
    fs::path base = workdir();
    std::string relative = name;
    std::ranges::replace(relative, '.', '/');
    std::error_code ec;
    for (const fs::path& candidate : {base / (relative + ".py"), base / relative / "__main__.py"}) {
      if (fs::is_regular_file(candidate, ec)) {
        scan(candidate);
        return;
      }
    }
    seed_unknown = true;
  }

  // The interpreter's operands: its script, a module, or code given inline.
  void interpreter_operands(const std::string& interpreter, const std::vector<std::string>& args) {
    bool python = is_python(interpreter);
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (python && arg == "-m" && i + 1 < args.size()) {
        if (auto name = literal_text(args[i + 1]))
          module(*name);
        else
          seed_unknown = true;
        return;
      }
      if (python && arg.starts_with("-m") && arg.size() > 2) {
        module(arg.substr(2));
        return;
      }
      if (arg == "-c" || arg == "-e" || arg == "-E" || arg == "--eval" || arg == "-") {
        seed_unknown = true;  // code on the command line or stdin: only its text was looked at
        return;
      }
      bool takes_value = python ? (arg == "-W" || arg == "-X" || arg == "--check-hash-based-pycs")
                                : (arg == "-o" || arg == "+o" || arg == "-O" || arg == "+O");
      if (takes_value) {
        ++i;
        continue;
      }
      if (arg.starts_with("-") || arg.starts_with("+")) continue;
      if (auto name = literal_text(arg))
        script(interpreter, *name);
      else
        seed_unknown = true;
      return;
    }
    seed_unknown = true;  // an interactive interpreter: nothing to look at
  }
};

}  // namespace

std::vector<LintFinding> lint_program(const Policy& policy, std::string_view search_path) {
  const SubjectSpec& subject = policy.subject;
  if (subject.command.empty()) return {};
  SourcePosition at = subject.command_position.line > 0 ? subject.command_position : SourcePosition{1, 1};
  std::vector<LintFinding> out;
  auto warn = [&](std::string message) { out.push_back({at, true, std::move(message)}); };
  std::error_code ec;
  if (!fs::is_directory(subject.workdir, ec)) {
    warn(fmt::format("the run's working folder {} does not exist ({}), so the program cannot start there",
                     shown(subject.workdir),
                     subject.workdir == policy.dir ? "the policy's folder" : "[subject] workdir"));
    return out;
  }

  bool seed_passed = false;  // an argument (or the command string) uses {seed} or names SEEDGATE_SEED
  for (const std::string& arg : subject.command)
    seed_passed = seed_passed || uses_placeholder(arg, "seed") || arg.find(kSeedVariable) != std::string::npos;

  Finder finder{policy, search_path, {}, {}, false, false};
  std::optional<std::vector<std::string>> words =
      subject.shell ? plain_shell_words(subject.command.front()) : std::optional{subject.command};
  std::optional<std::string> name = words ? literal_text(words->front()) : std::nullopt;
  if (name && name->empty()) {
    warn("'command' names no program: its first argument is empty");
    name.reset();
  }
  std::optional<fs::path> program = name ? finder.program(*name) : std::nullopt;
  std::size_t operands = 1;
  // `env [VAR=value...] program ...` runs the program it names from PATH.
  if (program && fs::path(*name).filename() == "env") {
    while (operands < words->size() &&
           ((*words)[operands].starts_with("-") || (*words)[operands].find('=') != std::string::npos))
      ++operands;
    name = operands < words->size() ? literal_text((*words)[operands]) : std::nullopt;
    program = name ? finder.program(*name) : std::nullopt;
    ++operands;
  }
  if (!program) {
    finder.seed_unknown = true;
  } else {
    std::vector<std::string> rest(words->begin() + static_cast<std::ptrdiff_t>(operands), words->end());
    std::string base = fs::path(*name).filename().string();
    if (is_interpreter(base)) {
      finder.interpreter_operands(base, rest);
    } else {
      finder.scan(*program);
      // A launcher's script (torchrun train.py): read, where it exists, for the seed.
      for (const std::string& arg : rest) {
        auto text = literal_text(arg);
        if (!text || !looks_like_script(*text)) continue;
        fs::path path = fs::path(*text).is_absolute() ? fs::path(*text) : (subject.workdir / *text).lexically_normal();
        if (fs::is_regular_file(path, ec)) finder.scan(path);
      }
    }
  }
  for (std::string& problem : finder.problems) warn(std::move(problem));

  // The libtorch client (seedgate::torch::configure) reads SEEDGATE_SEED; the
  // xgboost adapter trains inside seedgate with the seed.
  bool adapter_reads_seed = subject.adapter != "command";
  // With one seed there is no seed to tell from another: a program that takes none may be swept on purpose.
  bool one_seed = policy.sweep.seeds.ceiling().size() < 2;
  if (!adapter_reads_seed && !one_seed && !seed_passed && !finder.seed_read && !finder.seed_unknown &&
      !finder.scanned.empty()) {
    std::vector<std::string> files;
    for (const fs::path& path : finder.scanned) files.push_back(shown(path));
    std::string in =
        files.size() == 1
            ? files.front()
            : fmt::format("{} or {}", util::join(std::span(files).first(files.size() - 1), ", "), files.back());
    warn(fmt::format(
        "the seed cannot reach the program, so every seed would run the same: {} uses {{seed}} and "
        "{} does not occur in {}; pass the seed as an argument (\"--seed\", \"{{seed}}\") or read "
        "the {} environment variable in the program (the Python package seedgate reads it)",
        subject.shell ? "the command string never" : "no argument of 'command'", kSeedVariable, in, kSeedVariable));
  }
  return out;
}

}  // namespace seedgate
