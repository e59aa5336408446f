#pragma once
// CommandRunner over real processes. Each command runs in its own process
// group (fork/exec), and dies with seedgate: PR_SET_PDEATHSIG, which fires
// when the *thread* that started it ends, so start() is called from a thread
// that outlives the commands (seedgate's main thread). One poll loop waits
// on the children's output pipes, a self-pipe fed by SIGCHLD/SIGINT/SIGTERM
// and the nearest deadline, never on a sleep. A command is finished when waitpid says so, not when its pipes
// close: a grandchild that keeps stdout open cannot hang the sweep. On
// SIGINT/SIGTERM every running group gets TERM, then KILL after its grace.
// When a command ends, what it left (its group, and processes carrying its
// ProcessSpec::tracking_variable) is killed; seedgate is the subreaper of
// its commands' orphans and reaps them.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/runner.hpp"

namespace seedgate {

// The argv and envp arrays execve takes, built before fork() (after it, in a
// process that may have threads, a child makes only system calls). They
// point into `argv` (which must outlive this) and into strings held here, so
// an ExecArgs stays where it was built.
class ExecArgs {
 public:
  ExecArgs(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ExecArgs(const ExecArgs&) = delete;
  ExecArgs& operator=(const ExecArgs&) = delete;
  char* const* argv() const { return m_argv.data(); }
  char* const* envp() const { return m_envp.data(); }

 private:
  std::vector<std::string> m_env_strings;
  std::vector<char*> m_argv, m_envp;
};

class PosixRunner final : public CommandRunner {
 public:
  PosixRunner();
  ~PosixRunner() override;
  PosixRunner(const PosixRunner&) = delete;
  PosixRunner& operator=(const PosixRunner&) = delete;

  void start(std::size_t token, const ProcessSpec& spec) override;
  std::optional<Completion> wait() override;
  bool interrupted() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace seedgate
