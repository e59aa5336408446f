#pragma once
// What runs leave behind. A run's processes carry SEEDGATE_RUN_DIR in their
// environment, and so does everything they start, even a daemon that leaves
// the run's process group with setsid(): the environment is how seedgate
// finds them again (as CI agents find a build's leftovers by a variable).
// And one output folder belongs to one sweep at a time, under a lock.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace seedgate {

// The processes (other than this one) whose environment has `name`=`value`,
// or, with `prefix`, a value that starts with `value`. Processes of other
// users, whose environment cannot be read, are not found.
std::vector<pid_t> processes_with_env(const std::string& name, const std::string& value, bool prefix = false);

struct Stopped {
  std::vector<pid_t> stopped;    // killed and gone
  std::vector<pid_t> remaining;  // still there after `wait` (not ours to kill, or stuck)
};

// SIGKILLs each process and waits up to `wait` for them to end (a zombie
// counts as ended); children of this process are reaped.
Stopped stop_processes(const std::vector<pid_t>& pids, std::chrono::milliseconds wait);

// The value of SEEDGATE_RUN_DIR for runs under `out_dir`: "<canonical out>/runs/".
std::string run_dir_prefix(const std::filesystem::path& out_dir);

// An exclusive advisory lock (flock) on `<out_dir>/.lock`, held while the
// object lives; the file names the holder's pid. A second sweep into the same
// folder is refused with the holder's pid rather than interleaving its files.
class FolderLock {
 public:
  static util::Result<FolderLock> acquire(const std::filesystem::path& out_dir);
  FolderLock(FolderLock&& other) noexcept;
  FolderLock& operator=(FolderLock&& other) noexcept;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

}  // namespace seedgate
