#pragma once
// CommandRunner over real processes. Each command runs in its own process
// group via posix_spawn; one poll loop waits on the children's output pipes,
// a self-pipe fed by SIGCHLD/SIGINT/SIGTERM and the nearest deadline, never
// on a sleep. A command is finished when waitpid says so, not when its pipes
// close: a grandchild that keeps stdout open cannot hang the sweep. On
// SIGINT/SIGTERM every running group gets TERM, then KILL after its grace.
#include <memory>

#include "harness/runner.hpp"

namespace seedgate {

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
