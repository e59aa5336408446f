#include "harness/posix_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "harness/leftovers.hpp"
#include "util/strings.hpp"

namespace seedgate {

ExecArgs::ExecArgs(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  m_argv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) m_argv.push_back(const_cast<char*>(arg.c_str()));
  m_argv.push_back(nullptr);
  m_env_strings.reserve(env.size());
  for (const auto& [key, value] : env) {
    std::string& entry = m_env_strings.emplace_back(key);
    entry += '=';
    entry += value;
  }
  m_envp.reserve(m_env_strings.size() + 1);
  for (std::string& entry : m_env_strings) m_envp.push_back(entry.data());
  m_envp.push_back(nullptr);
}
namespace {

using Clock = std::chrono::steady_clock;

// Signal handlers only write a byte; the poll loop does the work.
int g_wake_write_fd = -1;
volatile sig_atomic_t g_interrupt_signal = 0;

void on_child(int) {
  int saved = errno;
  char byte = 'c';
  [[maybe_unused]] ssize_t n = ::write(g_wake_write_fd, &byte, 1);
  errno = saved;
}

void on_interrupt(int signal) {
  int saved = errno;
  g_interrupt_signal = signal;
  char byte = 'i';
  [[maybe_unused]] ssize_t n = ::write(g_wake_write_fd, &byte, 1);
  errno = saved;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// One output stream of a child: a pipe we drain into a capped file. The file
// is created when the first byte arrives: a run that prints nothing leaves
// no file (and, writing nothing else, no folder).
struct Capture {
  int pipe_fd = -1;
  int file_fd = -1;
  std::string path;    // the file to create on the first byte; empty: output not kept
  int keep_error = 0;  // why the file could not be created or written: the rest is not kept
  std::uint64_t limit = 0;
  std::uint64_t total = 0;  // bytes the child printed
  std::uint64_t kept = 0;   // bytes written to the file

  // Reads what is available; returns false at EOF or error (the pipe is then closed).
  bool pump(int max_reads) {
    if (pipe_fd < 0) return false;
    char buffer[65536];
    for (int i = 0; i < max_reads; ++i) {
      ssize_t got = ::read(pipe_fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (got <= 0) {
        close_fd(pipe_fd);
        return false;
      }
      total += static_cast<std::uint64_t>(got);
      if (!path.empty() && file_fd < 0 && keep_error == 0) {
        file_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (file_fd < 0) keep_error = errno;
      }
      std::uint64_t room = limit > kept ? limit - kept : 0;
      std::uint64_t to_write = std::min<std::uint64_t>(room, static_cast<std::uint64_t>(got));
      const char* data = buffer;
      while (to_write > 0 && file_fd >= 0) {
        ssize_t written = ::write(file_fd, data, to_write);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) {  // disk full or similar: keep draining, stop keeping
          keep_error = errno;
          close_fd(file_fd);
          break;
        }
        kept += static_cast<std::uint64_t>(written);
        data += written;
        to_write -= static_cast<std::uint64_t>(written);
      }
    }
    return true;
  }

  void finish() {
    if (file_fd >= 0 && total > kept) {
      std::string note =
          fmt::format("\n[seedgate: output cut at {} bytes; {} more bytes were discarded]\n", kept, total - kept);
      [[maybe_unused]] ssize_t n = ::write(file_fd, note.data(), note.size());
    }
    close_fd(pipe_fd);
    close_fd(file_fd);
  }

  // "cannot keep stdout in runs/x/stdout.log: is a directory", or empty.
  std::string lost(std::string_view stream) const {
    if (keep_error == 0) return {};
    return fmt::format("cannot keep {} in {}: {}", stream, path, util::error_text(keep_error));
  }
};

struct Child {
  std::size_t token = 0;
  pid_t pid = -1;
  Clock::time_point started;
  std::optional<Clock::time_point> timeout_at;
  std::optional<Clock::time_point> kill_at;  // set once TERM was sent
  long spawner_peak_kib = 0;                 // seedgate's peak RSS once the child had exec'd
  int last_signal_sent = 0;
  bool timed_out = false;
  bool interrupted = false;
  std::chrono::milliseconds grace{0};
  Capture out, err;
  std::pair<std::string, std::string> tracking;  // variable, value: see ProcessSpec::tracking_variable
};

// What the child between clone() and exec needs, built before the clone.
struct ChildStart {
  pid_t parent = 0;
  const char* cwd = nullptr;
  int null_fd = -1, out_fd = -1, err_fd = -1;
  const std::vector<std::string>* candidates = nullptr;
  const ExecArgs* exec_args = nullptr;
  const std::vector<int>* reset_signals = nullptr;  // signals whose disposition is not the default here
  // Written by the child only when it cannot exec, just before it exits:
  // errno, and the step that failed (0 exec, 1 chdir, 2 setup).
  volatile int error = 0;
  volatile int failed_step = 0;
};

// The child between clone() and exec: system calls only, on a stack of its
// own, sharing seedgate's memory (CLONE_VM | CLONE_VFORK: no page tables
// are copied, so starting a run costs the same whatever seedgate's size, and
// seedgate waits until the exec). It writes nothing of seedgate's memory:
// it reads `start` and makes system calls. It dies with seedgate
// (PR_SET_PDEATHSIG), leads its own process group, gets the default
// disposition of every signal (only those that are not the default here
// need resetting) and an empty mask, /dev/null on stdin and the capture
// pipes on stdout and stderr. If exec fails, it writes its errno into
// `start` (seedgate sleeps until the child execs or exits, so no one else
// touches it meanwhile), as glibc's posix_spawn does.
int exec_child(void* argument) {
  ChildStart& start = *static_cast<ChildStart*>(argument);
  auto fail = [&](int error, int step) {
    start.error = error;
    start.failed_step = step;
    ::_exit(127);
  };
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != start.parent) ::_exit(127);  // seedgate died before the line above
  // Every signal is blocked (the parent blocked them before the clone), so no
  // handler of seedgate's runs here before its disposition is reset.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal : *start.reset_signals) ::sigaction(signal, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (start.null_fd < 0) fail(EBADF, 2);  // /dev/null could not be opened
  if (::dup2(start.null_fd, 0) < 0 || ::dup2(start.out_fd, 1) < 0 || ::dup2(start.err_fd, 2) < 0) fail(errno, 2);
  if (start.cwd && ::chdir(start.cwd) != 0) fail(errno, 1);
  int error = ENOENT;
  for (const std::string& candidate : *start.candidates) {
    ::execve(candidate.c_str(), start.exec_args->argv(), start.exec_args->envp());
    // As execvp: a found but unrunnable file is named over a missing one.
    if (errno != ENOENT && errno != ENOTDIR) error = errno;
    if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) break;
  }
  fail(error, 0);
  ::_exit(127);
}

// The signals whose disposition is not the default in this process: the ones
// seedgate handles and any it inherited ignored (nohup's SIGHUP). A child
// resets these, not all 64 one by one.
std::vector<int> signals_not_default() {
  std::vector<int> out;
  for (int signal = 1; signal < NSIG; ++signal) {
    struct sigaction current {};
    if (::sigaction(signal, nullptr, &current) != 0) continue;  // not a signal here (32, 33: glibc's own)
    if (current.sa_handler != SIG_DFL) out.push_back(signal);
  }
  return out;
}

}  // namespace

struct PosixRunner::Impl {
  int wake_read = -1;
  int wake_write = -1;
  struct sigaction old_chld {
  }, old_int{}, old_term{};
  std::list<Child> running;
  std::deque<Completion> done;
  bool stopping = false;
  std::vector<int> reset_signals;  // what a child resets (signals_not_default, after ours are installed)
  std::vector<char> child_stack;   // the child's stack until its exec (CLONE_VFORK: one at a time)
  int null_fd = -1;                // /dev/null, every child's stdin
  pid_t self = ::getpid();

  Impl() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe");
    wake_read = fds[0];
    wake_write = fds[1];
    g_wake_write_fd = wake_write;
    g_interrupt_signal = 0;
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP;
    sa.sa_handler = on_child;
    ::sigaction(SIGCHLD, &sa, &old_chld);
    sa.sa_flags = 0;
    sa.sa_handler = on_interrupt;
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    // Orphans of the runs (a daemon whose parent exited) become seedgate's
    // children rather than init's, so they are reaped here.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    reset_signals = signals_not_default();
    child_stack.resize(std::size_t{256} * 1024);
    null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  // Whether this process has a child other than the runs' leaders. Every
  // living descendant of a run whose leader was reaped hangs below such a
  // child: the leader's children were adopted by this subreaper when it
  // exited, and so were the children of any of them that exited before. With
  // none, nothing of the run can be left. True where /proc cannot say.
  bool has_other_children() const {
    // Children attach to the thread that started them, and a run's orphans to
    // the thread its leader was started by: this one's list holds them all.
    static thread_local const std::string children_file = fmt::format("/proc/self/task/{}/children", ::gettid());
    int fd = ::open(children_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;
    std::string text;
    char buffer[4096];
    ssize_t got = 0;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
    ::close(fd);
    // "123 456 ": the pids, each followed by a space.
    for (const char* at = text.data(); at < text.data() + text.size();) {
      pid_t pid = 0;
      auto [end, ec] = std::from_chars(at, text.data() + text.size(), pid);
      at = end + 1;
      if (ec != std::errc()) continue;
      if (std::none_of(running.begin(), running.end(), [&](const Child& c) { return c.pid == pid; })) return true;
    }
    return false;
  }

  // Stops what the command left behind: its process group, and processes
  // that left the group but carry its tracking variable (looked for in every
  // process's environment only when some process could be one of them).
  void stop_leftovers(const Child& child) const {
    ::killpg(child.pid, SIGKILL);
    if (child.tracking.first.empty() || !has_other_children()) return;
    auto pids = processes_with_env(child.tracking.first, child.tracking.second);
    if (!pids.empty()) stop_processes(pids, std::chrono::milliseconds(2000));
  }

  // Reaps adopted orphans that ended; children being run are left to reap().
  void reap_adopted() {
    while (true) {
      siginfo_t info{};
      if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
      pid_t pid = info.si_pid;
      if (std::any_of(running.begin(), running.end(), [&](const Child& c) { return c.pid == pid; })) return;
      ::waitpid(pid, nullptr, WNOHANG);
    }
  }

  ~Impl() {
    for (Child& child : running) {
      stop_leftovers(child);
      ::waitpid(child.pid, nullptr, 0);
      child.out.finish();
      child.err.finish();
    }
    ::sigaction(SIGCHLD, &old_chld, nullptr);
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    g_wake_write_fd = -1;
    close_fd(wake_read);
    close_fd(wake_write);
    close_fd(null_fd);
  }

  static void spawn_failed(Completion& completion, std::string message) {
    completion.result.status = ProcessResult::Status::spawn_failed;
    completion.result.spawn_error = std::move(message);
  }

  // "./train (resolved in the working folder /src/model)", "train (not on PATH)".
  static std::string where_looked(const ProcessSpec& spec) {
    const std::string& program = spec.argv[0];
    if (program.find('/') == std::string::npos) return fmt::format("{} (not on PATH)", program);
    if (program.front() == '/') return program;
    std::error_code ec;
    std::filesystem::path folder = spec.cwd.empty() ? std::filesystem::current_path(ec) : spec.cwd;
    return fmt::format("{} (resolved in the working folder {})", program, folder.lexically_normal().string());
  }

  void start(std::size_t token, const ProcessSpec& spec) {
    Completion failure{token, {}};
    if (spec.argv.empty()) {
      spawn_failed(failure, "empty command");
      done.push_back(std::move(failure));
      return;
    }
    Child child;
    child.token = token;
    child.grace = spec.grace;
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    // The files are created on the first byte, so the folder is checked now
    // (a run whose output has nowhere to go does not start), and a file left
    // by an earlier run of the same id must not pass for this one's output.
    for (const std::filesystem::path* path : {&spec.stdout_path, &spec.stderr_path}) {
      if (path->empty() || spec.capture_folder_fresh) continue;
      std::string folder = path->has_parent_path() ? path->parent_path().string() : ".";
      if (::access(folder.c_str(), W_OK | X_OK) != 0 || (::unlink(path->c_str()) != 0 && errno != ENOENT)) {
        spawn_failed(failure, fmt::format("cannot set up output capture: {}", util::error_text(errno)));
        done.push_back(std::move(failure));
        return;
      }
    }
    child.out.path = spec.stdout_path.string();
    child.err.path = spec.stderr_path.string();
    child.out.limit = child.err.limit = spec.output_limit;
    // Any step of the setup that fails gives a run that could not start, never a crash or a silent default.
    auto setup_failed = [&](int error) {
      spawn_failed(failure, fmt::format("cannot set up output capture: {}", util::error_text(error)));
      for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
        if (fd >= 0) ::close(fd);
      child.out.finish();
      child.err.finish();
      done.push_back(std::move(failure));
    };
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
        ::fcntl(out_pipe[0], F_SETFL, O_NONBLOCK) != 0 || ::fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) != 0) {
      setup_failed(errno);
      return;
    }

    child.out.pipe_fd = out_pipe[0];
    child.err.pipe_fd = err_pipe[0];

    // Everything the child needs is built before the clone: after it, in a
    // process that may have threads, the child makes only system calls.
    const ExecArgs exec_args(spec.argv, spec.env);
    // A bare name is looked up on seedgate's own PATH, as execvp would.
    std::vector<std::string> candidates = spec.argv[0].find('/') != std::string::npos
                                              ? std::vector<std::string>{spec.argv[0]}
                                              : util::path_candidates(util::search_path(), spec.argv[0]);
    ChildStart start;
    start.parent = self;
    start.cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
    start.null_fd = null_fd;
    start.out_fd = out_pipe[1];
    start.err_fd = err_pipe[1];
    start.candidates = &candidates;
    start.exec_args = &exec_args;
    start.reset_signals = &reset_signals;
    child.started = Clock::now();
    // Every signal blocked across the clone: the child shares this memory,
    // and a handler of seedgate's must not run in it.
    sigset_t all, previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    child.pid = ::clone(exec_child, child_stack.data() + child_stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
    int fork_error = child.pid < 0 ? errno : 0;
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    int rc = fork_error;
    // The child has exec'd or exited by now (CLONE_VFORK); it wrote `start` only if it exited.
    // The child's exec kept this process's peak as the child's: read after it.
    struct rusage self {};
    if (rc == 0 && ::getrusage(RUSAGE_SELF, &self) == 0) child.spawner_peak_kib = self.ru_maxrss;
    if (rc == 0 && start.error != 0) {
      rc = start.error;
      ::waitpid(child.pid, nullptr, 0);
      if (start.failed_step == 1) rc = -1;
    }
    if (rc != 0) {
      // exec failures come back here; name them as a shell would (126/127).
      std::string reason = rc == -1       ? fmt::format("cannot enter working directory {}", spec.cwd.string())
                           : rc == ENOENT ? fmt::format("command not found: {}", where_looked(spec))
                           : rc == EACCES ? fmt::format("permission denied: {}", spec.argv[0])
                                          : fmt::format("cannot start {}: {}", spec.argv[0], util::error_text(rc));
      spawn_failed(failure, reason);
      failure.result.exit_code = rc == ENOENT || rc == -1 ? 127 : 126;
      child.out.finish();
      child.err.finish();
      done.push_back(std::move(failure));
      return;
    }
    child.tracking = spec.tracking_variable.empty() || !spec.env.count(spec.tracking_variable)
                         ? std::pair<std::string, std::string>{}
                         : std::pair{spec.tracking_variable, spec.env.at(spec.tracking_variable)};
    if (spec.timeout.count() > 0) child.timeout_at = child.started + spec.timeout;
    if (stopping) terminate(child, Clock::now());
    running.push_back(child);
  }

  void terminate(Child& child, Clock::time_point now) {
    if (child.kill_at) return;
    ::killpg(child.pid, SIGTERM);
    child.last_signal_sent = SIGTERM;
    child.kill_at = now + child.grace;
  }

  void drain_wake_pipe() {
    char buffer[256];
    // A read that does not fill the buffer has emptied the pipe.
    while (::read(wake_read, buffer, sizeof buffer) == static_cast<ssize_t>(sizeof buffer)) {
    }
    if (g_interrupt_signal != 0 && !stopping) {
      stopping = true;
      Clock::time_point now = Clock::now();
      for (Child& child : running) {
        child.interrupted = true;
        terminate(child, now);
      }
    }
  }

  void enforce_deadlines(Clock::time_point now) {
    for (Child& child : running) {
      if (child.timeout_at && now >= *child.timeout_at && !child.kill_at) {
        child.timed_out = true;
        terminate(child, now);
      }
      if (child.kill_at && now >= *child.kill_at && child.last_signal_sent != SIGKILL) {
        ::killpg(child.pid, SIGKILL);
        child.last_signal_sent = SIGKILL;
      }
    }
  }

  int poll_timeout_ms(Clock::time_point now) const {
    std::optional<Clock::time_point> next;
    for (const Child& child : running) {
      for (auto deadline : {child.last_signal_sent == SIGKILL ? std::nullopt : child.kill_at,
                            child.kill_at ? std::nullopt : child.timeout_at}) {
        if (deadline && (!next || *deadline < *next)) next = deadline;
      }
    }
    if (!next) return -1;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, 24LL * 3600 * 1000));
  }

  void reap() {
    bool reaped = false;
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      struct rusage usage {};
      pid_t got = ::wait4(it->pid, &status, WNOHANG, &usage);
      if (got == 0 || (got < 0 && errno == EINTR)) {
        ++it;
        continue;
      }
      Child& child = *it;
      // The leader is gone: end whatever it left behind, then take the
      // output still buffered in the pipes without waiting for EOF.
      stop_leftovers(child);
      child.out.pump(64);
      child.err.pump(64);
      child.out.finish();
      child.err.finish();

      Completion completion{child.token, {}};
      ProcessResult& r = completion.result;
      r.wall_seconds = std::chrono::duration<double>(Clock::now() - child.started).count();
      r.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
      // Above seedgate's own peak, the figure is the run's; at or below it, only a bound.
      if (usage.ru_maxrss > child.spawner_peak_kib) {
        r.max_rss_kib = usage.ru_maxrss;
      } else {
        r.max_rss_at_most_kib = usage.ru_maxrss;
      }
      r.stdout_bytes = child.out.total;
      r.stderr_bytes = child.err.total;
      r.stdout_truncated = child.out.total > child.out.kept;
      r.stderr_truncated = child.err.total > child.err.kept;
      r.output_error = child.out.lost("stdout");
      if (std::string err = child.err.lost("stderr"); !err.empty())
        r.output_error += (r.output_error.empty() ? "" : "; ") + err;
      if (got > 0 && WIFEXITED(status)) {
        r.status = ProcessResult::Status::exited;
        r.exit_code = WEXITSTATUS(status);
      } else if (got > 0 && WIFSIGNALED(status)) {
        r.status = ProcessResult::Status::signaled;
        r.signal = WTERMSIG(status);
      }
      if (child.timed_out) r.status = ProcessResult::Status::timed_out;
      if (child.interrupted) r.status = ProcessResult::Status::interrupted;
      if (child.timed_out || child.interrupted) r.signal = child.last_signal_sent;
      done.push_back(std::move(completion));
      it = running.erase(it);
      reaped = true;
    }
    reap_adopted();
    // The SIGCHLD of a child reaped here left a byte in the wake pipe: taken
    // now, it does not wake the next poll for nothing.
    if (reaped) drain_wake_pipe();
  }

  std::optional<Completion> wait() {
    while (done.empty() && !running.empty()) {
      std::vector<pollfd> fds;
      std::vector<Capture*> captures;
      fds.push_back({wake_read, POLLIN, 0});
      for (Child& child : running) {
        for (Capture* capture : {&child.out, &child.err}) {
          if (capture->pipe_fd < 0) continue;
          fds.push_back({capture->pipe_fd, POLLIN, 0});
          captures.push_back(capture);
        }
      }
      int timeout = poll_timeout_ms(Clock::now());
      int ready = ::poll(fds.data(), fds.size(), timeout);
      if (ready < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", util::error_text(errno)));
      if (ready > 0) {
        if (fds[0].revents) drain_wake_pipe();
        for (std::size_t i = 1; i < fds.size(); ++i) {
          if (fds[i].revents) captures[i - 1]->pump(4);
        }
      }
      if (g_interrupt_signal != 0 && !stopping) drain_wake_pipe();
      enforce_deadlines(Clock::now());
      reap();
    }
    if (done.empty()) return std::nullopt;
    Completion completion = std::move(done.front());
    done.pop_front();
    return completion;
  }
};

PosixRunner::PosixRunner() : m_impl(std::make_unique<Impl>()) {}
PosixRunner::~PosixRunner() = default;
void PosixRunner::start(std::size_t token, const ProcessSpec& spec) {
  m_impl->start(token, spec);
}
std::optional<CommandRunner::Completion> PosixRunner::wait() {
  return m_impl->wait();
}
bool PosixRunner::interrupted() const {
  return g_interrupt_signal != 0;
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  const char* description = sigdescr_np(signal);
  if (!abbrev) return fmt::format("signal {}", signal);
  std::string text = fmt::format("SIG{}", abbrev);
  if (description) {
    std::string lower(description);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    text += fmt::format(" ({})", lower);
  }
  return text;
}

std::string describe(const ProcessResult& result, std::chrono::milliseconds timeout) {
  using Status = ProcessResult::Status;
  switch (result.status) {
    case Status::exited:
      if (result.exit_code == 126) return "exited with code 126 (command found but not executable)";
      if (result.exit_code == 127) return "exited with code 127 (command not found)";
      return fmt::format("exited with code {}", result.exit_code);
    case Status::signaled:
      return fmt::format("killed by signal {}", signal_name(result.signal));
    case Status::timed_out: {
      std::string after = fmt::format("{:g}s", std::chrono::duration<double>(timeout).count());
      // A run inside seedgate (no process) stops itself between steps.
      if (result.signal == 0) return fmt::format("timed out after {}; stopped after its last finished step", after);
      return fmt::format("timed out after {}; process group ended by {}", after, signal_name(result.signal));
    }
    case Status::spawn_failed:
      return result.exit_code ? fmt::format("{} ({})", result.spawn_error, result.exit_code) : result.spawn_error;
    case Status::interrupted:
      return "interrupted: seedgate was asked to stop";
  }
  return "unknown";
}

}  // namespace seedgate
