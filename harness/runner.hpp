#pragma once
// The seam between the scheduler and processes. `CommandRunner` starts
// commands and reports them finished; the real one (PosixRunner) spawns
// processes, tests use a fake with virtual time.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seedgate {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // the child's whole environment
  std::filesystem::path cwd;
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  // The capture files' folder was made empty and writable for this command:
  // nothing to check there, no earlier file to clear.
  bool capture_folder_fresh = false;
  std::uint64_t output_limit = 16ull << 20;  // bytes kept per stream; the rest is read and dropped
  std::chrono::milliseconds timeout{0};      // 0: none
  std::chrono::milliseconds grace{5000};     // TERM to KILL
  // A variable of `env` that marks the command's processes: everything it
  // starts inherits it, so once the command ends, processes still carrying
  // it (a daemon that left the process group) are stopped too. Empty: none.
  std::string tracking_variable;
};

struct ProcessResult {
  enum class Status { exited, signaled, timed_out, spawn_failed, interrupted };
  Status status = Status::exited;
  int exit_code = 0;  // Status::exited
  int signal = 0;     // Status::signaled, or the signal that ended a timed-out / interrupted run
  std::string spawn_error;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  // The run's peak resident set. A child shares seedgate's memory until its
  // exec, and the kernel keeps that memory's peak as the child's own: a run
  // whose peak stays below it cannot be told apart. Then max_rss_kib is 0 and
  // max_rss_at_most_kib (seedgate's own peak at the start) bounds it.
  long max_rss_kib = 0;
  long max_rss_at_most_kib = 0;
  std::uint64_t stdout_bytes = 0;  // as printed, before the cap
  std::uint64_t stderr_bytes = 0;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  // The output printed but not kept, and why (its file could not be created
  // or written); empty when all that was meant to be kept was.
  std::string output_error;

  bool succeeded() const { return status == Status::exited && exit_code == 0; }
};

// "exited with code 3", "killed by signal SIGSEGV (segmentation fault)",
// "exited with code 127 (command not found)", "timed out after 10s; ended by SIGKILL".
std::string describe(const ProcessResult& result, std::chrono::milliseconds timeout);
std::string signal_name(int signal);

class CommandRunner {
 public:
  struct Completion {
    std::size_t token;
    ProcessResult result;
  };
  virtual ~CommandRunner() = default;
  // Starts a command; a command that cannot start still completes (spawn_failed).
  virtual void start(std::size_t token, const ProcessSpec& spec) = 0;
  // Blocks until a started command finishes; nullopt when none is running.
  virtual std::optional<Completion> wait() = 0;
  // True once seedgate was asked to stop (SIGINT/SIGTERM): start no more commands.
  virtual bool interrupted() const = 0;
};

}  // namespace seedgate
