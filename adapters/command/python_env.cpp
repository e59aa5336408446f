#include "adapters/command/python_env.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "harness/posix_runner.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = "seedgate-python-env ";
constexpr std::size_t kMaxOutputBytes = 64 << 10;
constexpr std::size_t kMaxValueBytes = 200;

// Versions come from the packages' metadata, which needs no import (importing
// torch takes seconds and loads CUDA's libraries); a package that is not on
// the interpreter's path is absent. Without metadata, the module's
// __version__; anything that fails leaves the package out. The answer is the
// last line, after whatever the interpreter's site hooks print.
constexpr std::string_view kQuery = R"(import json, platform, sys
out = {"version": platform.python_version(), "implementation": platform.python_implementation(),
       "executable": sys.executable}
try:
    from importlib import metadata
except BaseException:
    metadata = None
try:
    from importlib.util import find_spec
except BaseException:
    find_spec = None
for module, distribution in (PACKAGES):
    try:
        if find_spec is not None and find_spec(module) is None:
            continue
        version = None
        if metadata is not None:
            try:
                version = metadata.version(distribution)
            except BaseException:
                version = None
        if version is None:
            version = __import__(module).__version__
        out[module] = str(version)
    except BaseException:
        pass
sys.stdout.write("\nseedgate-python-env " + json.dumps(out) + "\n")
sys.stdout.flush()
)";

std::string query_text() {
  std::string packages;
  for (const PythonPackage& p : kPythonPackages)
    packages += fmt::format("(\"{}\", \"{}\"), ", p.module, p.distribution);
  std::string text(kQuery);
  const std::string_view slot = "(PACKAGES)";
  text.replace(text.find(slot), slot.size(), "(" + packages + ")");
  return text;
}

std::string file_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool is_env_name(std::string_view word) {
  return file_name(word) == "env";
}

bool is_shell_name(std::string_view word) {
  std::string name = file_name(word);
  return name == "sh" || name == "bash" || name == "dash" || name == "zsh" || name == "ksh";
}

// Words that `env` skips before the command: options and NAME=value.
bool is_env_prefix(std::string_view word) {
  if (word.empty()) return true;
  if (word.front() == '-') return true;
  std::size_t eq = word.find('=');
  return eq != std::string_view::npos && eq > 0;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

// The first word of a shell command, where it is a plain word: quotes
// removed, nothing the shell would expand first ($, `, ~, globs).
std::optional<std::string> first_shell_word(std::string_view command) {
  std::size_t i = command.find_first_not_of(" \t\n");
  if (i == std::string_view::npos) return std::nullopt;
  std::string word;
  while (i < command.size()) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' ||
        c == ')')
      break;
    if (c == '\'' || c == '"') {
      std::size_t close = command.find(c, i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view quoted = command.substr(i + 1, close - i - 1);
      if (c == '"' && quoted.find_first_of("$`\\") != std::string_view::npos) return std::nullopt;
      word += quoted;
      i = close + 1;
      continue;
    }
    if (c == '$' || c == '`' || c == '\\' || c == '*' || c == '?' || c == '[' || (c == '~' && word.empty()))
      return std::nullopt;
    word += c;
    ++i;
  }
  if (word.empty()) return std::nullopt;
  return word;
}

// Where a command word leads: a path (relative to `cwd`) or a bare name on `path`.
std::optional<fs::path> find_program(const std::string& word, const fs::path& cwd, std::string_view path) {
  auto runnable = [](const fs::path& candidate) {
    struct stat st {};
    return ::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0;
  };
  auto from_cwd = [&](const fs::path& p) { return p.is_relative() && !cwd.empty() ? cwd / p : p; };
  if (word.find('/') != std::string::npos) {
    fs::path candidate = from_cwd(word);
    return runnable(candidate) ? std::optional<fs::path>(candidate) : std::nullopt;
  }
  for (const std::string& found : util::path_candidates(path, word)) {
    fs::path candidate = from_cwd(found);
    if (runnable(candidate)) return candidate;
  }
  return std::nullopt;
}

// The words of a script's "#!" line (the interpreter and its arguments), or none.
std::vector<std::string> shebang(const fs::path& script) {
  std::ifstream in(script, std::ios::binary);
  char buffer[256] = {};
  in.read(buffer, sizeof buffer);
  std::string_view head(buffer, static_cast<std::size_t>(in.gcount()));
  if (!head.starts_with("#!")) return {};
  head.remove_prefix(2);
  head = head.substr(0, head.find('\n'));
  if (!head.empty() && head.back() == '\r') head.remove_suffix(1);
  return split_words(head);
}

// The interpreter `words` start: python itself, or `env [options] python`
// (which looks it up on `run_path`).
std::optional<PythonInterpreter> interpreter_words(const std::vector<std::string>& words, std::string_view path,
                                                   std::string_view run_path) {
  if (words.empty()) return std::nullopt;
  if (is_python_name(file_name(words.front()))) return PythonInterpreter{words.front(), std::string(path)};
  if (!is_env_name(words.front())) return std::nullopt;
  for (std::size_t i = 1; i < words.size(); ++i) {
    // -u NAME and -C DIR take the next word; -S splits the rest into words.
    if (words[i] == "-u" || words[i] == "-C" || words[i] == "--unset" || words[i] == "--chdir") {
      ++i;
      continue;
    }
    if (is_env_prefix(words[i])) continue;
    if (is_python_name(file_name(words[i]))) return PythonInterpreter{words[i], std::string(run_path)};
    return std::nullopt;
  }
  return std::nullopt;
}

// A command's words: an interpreter, or a script whose shebang names one.
// `path` finds the first word; `run_path` what `env` finds.
std::optional<PythonInterpreter> from_words(const std::vector<std::string>& words, const fs::path& cwd,
                                            std::string_view path, std::string_view run_path) {
  if (auto found = interpreter_words(words, path, run_path)) return found;
  if (words.empty() || is_env_name(words.front())) return std::nullopt;
  auto script = find_program(words.front(), cwd, path);
  if (!script) return std::nullopt;
  // The kernel runs a shebang's interpreter by its path; `env` searches the run's PATH.
  return interpreter_words(shebang(*script), "", run_path);
}

std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::size_t start = text.find_last_of("\r\n");
  std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
  if (line.size() > kMaxValueBytes) line = line.substr(0, kMaxValueBytes);
  return util::printable(line);
}

// One run of the query: what it printed (stdout and stderr, capped) and how it ended.
struct QueryRun {
  std::string start_error;  // set when it could not start
  bool timed_out = false;
  int wait_status = 0;
  std::string output;
};

QueryRun run_query(const std::vector<std::string>& argv_strings, const fs::path& cwd,
                   const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
  QueryRun run;
  // Everything the child needs is built before fork(): after it, only system calls.
  const ExecArgs exec_args(argv_strings, env);
  int out_pipe[2] = {-1, -1}, status_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    run.start_error = util::error_text(errno);
    return run;
  }
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    run.start_error = util::error_text(errno);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return run;
  }
  const char* dir = cwd.empty() ? nullptr : cwd.c_str();
  const pid_t parent = ::getpid();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pid_t pid = ::fork();
  if (pid == 0) {
    // As a run's child: its own group, dies with seedgate, default signals,
    // /dev/null on stdin, one pipe for stdout and stderr.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int null_fd = ::open("/dev/null", O_RDONLY);
    int error = 0;
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 || ::dup2(out_pipe[1], 2) < 0)
      error = errno;
    if (error == 0 && dir && ::chdir(dir) != 0) error = errno;
    if (error == 0) {
      ::execve(exec_args.argv()[0], exec_args.argv(), exec_args.envp());
      error = errno;
    }
    [[maybe_unused]] ssize_t n = ::write(status_pipe[1], &error, sizeof error);
    ::_exit(127);
  }
  int fork_error = pid < 0 ? errno : 0;
  ::close(out_pipe[1]);
  ::close(status_pipe[1]);
  if (pid < 0) {
    ::close(out_pipe[0]);
    ::close(status_pipe[0]);
    run.start_error = util::error_text(fork_error);
    return run;
  }
  int child_error = 0;
  ssize_t got = 0;
  do got = ::read(status_pipe[0], &child_error, sizeof child_error);
  while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof child_error)) {
    ::close(out_pipe[0]);
    ::waitpid(pid, nullptr, 0);
    run.start_error = util::error_text(child_error);
    return run;
  }
  // Read until the interpreter exits or the deadline passes; bounded waits,
  // so neither a silent interpreter nor a grandchild holding the pipe can hang it.
  ::fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  int read_fd = out_pipe[0];
  bool exited = false;
  while (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd fd{read_fd, POLLIN, 0};
    int wait_ms = static_cast<int>(std::min<long long>(left.count(), 50));
    int ready = ::poll(&fd, read_fd >= 0 ? 1 : 0, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    while (read_fd >= 0) {
      char buffer[4096];
      ssize_t n = ::read(read_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;  // nothing more for now
      if (n == 0) {
        ::close(read_fd);
        read_fd = -1;
        break;
      }
      std::size_t room = kMaxOutputBytes - std::min(kMaxOutputBytes, run.output.size());
      run.output.append(buffer, std::min(room, static_cast<std::size_t>(n)));
    }
    pid_t done = ::waitpid(pid, &run.wait_status, WNOHANG);
    exited = done == pid;
  }
  // Whatever is left of its group goes.
  ::killpg(pid, SIGKILL);
  if (!exited) ::waitpid(pid, &run.wait_status, 0);
  if (read_fd >= 0) {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(read_fd, buffer, sizeof buffer)) > 0 && run.output.size() < kMaxOutputBytes)
      run.output.append(buffer, std::min(kMaxOutputBytes - run.output.size(), static_cast<std::size_t>(n)));
    ::close(read_fd);
  }
  return run;
}

}  // namespace

bool is_python_name(std::string_view name) {
  if (!name.starts_with("python")) return false;
  name.remove_prefix(6);
  // python, python3, python3.11 (digits and at most one dot after the first digit)
  if (name.empty()) return true;
  bool dot = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.' && i > 0 && !dot && i + 1 < name.size()) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<PythonInterpreter> python_interpreter(const std::vector<std::string>& argv, const fs::path& cwd,
                                                    std::string_view own_path, std::string_view run_path) {
  if (argv.empty()) return std::nullopt;
  if (argv.size() >= 3 && is_shell_name(argv[0]) && argv[1] == "-c") {
    auto word = first_shell_word(argv[2]);
    if (!word) return std::nullopt;
    std::vector<std::string> words = split_words(argv[2]);
    words.front() = *word;
    // `exec python3 ...` starts the same interpreter.
    if (*word == "exec" && words.size() > 1) {
      auto next = first_shell_word(words[1]);
      if (!next) return std::nullopt;
      words.erase(words.begin());
      words.front() = *next;
    }
    return from_words(words, cwd, run_path, run_path);
  }
  return from_words(argv, cwd, own_path, run_path);
}

util::Result<nlohmann::json> parse_python_versions(std::string_view output) {
  std::size_t at = output.rfind(kMarker);
  while (at != std::string_view::npos && at > 0 && output[at - 1] != '\n') at = output.rfind(kMarker, at - 1);
  if (at == std::string_view::npos) return util::make_error("no answer");
  std::string_view line = output.substr(at + kMarker.size());
  line = line.substr(0, line.find('\n'));
  if (util::json_depth(line) > util::kMaxJsonDepth) return util::make_error("an answer nested too deep");
  nlohmann::json answer = nlohmann::json::parse(line, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) return util::make_error("an answer that is not a JSON object");
  nlohmann::json python = nlohmann::json::object();
  auto take = [&](std::string_view key) {
    auto it = answer.find(key);
    if (it == answer.end() || !it->is_string()) return;
    const std::string& value = it->get_ref<const std::string&>();
    if (value.empty() || value.size() > kMaxValueBytes) return;
    python[std::string(key)] = util::printable(value);
  };
  for (std::string_view key : {"version", "implementation", "executable"}) take(key);
  for (const PythonPackage& p : kPythonPackages) take(p.module);
  if (!python.contains("version")) return util::make_error("an answer without the interpreter's version");
  return python;
}

nlohmann::json query_python_environment(const PythonInterpreter& interpreter, const fs::path& cwd,
                                        const std::map<std::string, std::string>& env,
                                        std::chrono::milliseconds timeout) {
  auto note = [&](const std::string& why) {
    return nlohmann::json{{"note", fmt::format("the version query to {} {}", util::printable(interpreter.name), why)}};
  };
  auto program = find_program(interpreter.name, cwd, interpreter.search_path);
  if (!program) return note("could not start: not found");
  std::vector<std::string> argv = {program->string(), "-c", query_text()};
  QueryRun run = run_query(argv, cwd, env, timeout);
  if (!run.start_error.empty()) return note("could not start: " + run.start_error);
  if (run.timed_out)
    return note(
        fmt::format("did not answer within {}s", util::format_number(static_cast<double>(timeout.count()) / 1000)));
  if (WIFSIGNALED(run.wait_status)) return note(fmt::format("was killed by signal {}", WTERMSIG(run.wait_status)));
  auto versions = parse_python_versions(run.output);
  if (versions) return *versions;
  std::string said = last_line(run.output);
  if (WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) != 0)
    return note(fmt::format("exited with code {}{}", WEXITSTATUS(run.wait_status), said.empty() ? "" : ": " + said));
  return note(fmt::format("gave {}{}", versions.error(), said.empty() ? "" : ": " + said));
}

}  // namespace seedgate
