#include "harness/leftovers.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <thread>

#include "util/strings.hpp"

namespace seedgate {
namespace {

// Reads at most `limit` bytes of a /proc file (their size is not known ahead).
std::string read_proc_file(const std::string& path, std::size_t limit) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[16384];
  while (text.size() < limit) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

// Gone, or a zombie waiting for its parent: either way it writes nothing more.
bool has_ended(pid_t pid) {
  std::string stat = read_proc_file(fmt::format("/proc/{}/stat", pid), 4096);
  if (stat.empty()) return true;
  // "pid (comm) S ...": the state follows the last ')' (comm may hold one).
  std::size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z' || stat[close + 2] == 'X';
}

}  // namespace

std::vector<pid_t> processes_with_env(const std::string& name, const std::string& value, bool prefix) {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (!proc) return found;
  const std::string wanted = name + "=" + value;
  const pid_t self = ::getpid();
  while (const dirent* entry = ::readdir(proc)) {
    pid_t pid = 0;
    std::string_view digits(entry->d_name);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (ec != std::errc() || end != digits.data() + digits.size() || pid == self) continue;
    std::string environ = read_proc_file(fmt::format("/proc/{}/environ", pid), 1 << 20);
    for (std::size_t at = 0; at < environ.size();) {
      std::size_t nul = environ.find('\0', at);
      std::string_view variable(environ.data() + at, (nul == std::string::npos ? environ.size() : nul) - at);
      if (prefix ? variable.starts_with(wanted) : variable == wanted) {
        found.push_back(pid);
        break;
      }
      if (nul == std::string::npos) break;
      at = nul + 1;
    }
  }
  ::closedir(proc);
  return found;
}

Stopped stop_processes(const std::vector<pid_t>& pids, std::chrono::milliseconds wait) {
  Stopped result;
  for (pid_t pid : pids) ::kill(pid, SIGKILL);
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::vector<pid_t> pending = pids;
  while (true) {
    std::vector<pid_t> still;
    for (pid_t pid : pending) {
      // Reap it if it is ours (a subreaper adopts orphans); ECHILD otherwise.
      ::waitpid(pid, nullptr, WNOHANG);
      (has_ended(pid) ? result.stopped : still).push_back(pid);
    }
    pending = std::move(still);
    if (pending.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.remaining = std::move(pending);
  return result;
}

std::string run_dir_prefix(const std::filesystem::path& out_dir) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(out_dir), ec);
  if (ec) canonical = std::filesystem::absolute(out_dir).lexically_normal();
  return (canonical / "runs").string() + "/";
}

util::Result<FolderLock> FolderLock::acquire(const std::filesystem::path& out_dir) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return util::make_error(fmt::format("cannot create {}: {}", out_dir.string(), ec.message()));
  std::filesystem::path path = out_dir / ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return util::make_error(fmt::format("cannot open {}: {}", path.string(), util::error_text(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder = read_proc_file(path.string(), 32);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(fd);
    if (error == EWOULDBLOCK)
      return util::make_error(fmt::format(
          "{} is in use by another seedgate{}: two sweeps into one folder would mix their runs (use another --out)",
          out_dir.string(), holder.empty() ? "" : fmt::format(" (pid {})", holder)));
    return util::make_error(fmt::format("cannot lock {}: {}", path.string(), util::error_text(error)));
  }
  std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return FolderLock(fd);
}

FolderLock::FolderLock(FolderLock&& other) noexcept : m_fd(other.m_fd) {
  other.m_fd = -1;
}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

FolderLock::~FolderLock() {
  if (m_fd >= 0) ::close(m_fd);
}

}  // namespace seedgate
