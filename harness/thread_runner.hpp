#pragma once
// CommandRunner over threads, for adapters that train inside seedgate. Each
// started job runs on a thread of its own from start to finish (XGBoost's
// random generator is thread-local, so a booster must not hop threads), and
// the scheduler above still decides how many run at once. A job cannot be
// killed: it is told to stop (SIGINT/SIGTERM to seedgate) and given its
// deadline through RunControl, and checks both between steps.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "harness/runner.hpp"

namespace seedgate {

struct RunControl {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* stop = nullptr;

  bool stop_requested() const { return stop && stop->load(std::memory_order_relaxed); }
  bool past_deadline() const { return std::chrono::steady_clock::now() >= deadline; }
};

class ThreadRunner final : public CommandRunner {
 public:
  // Runs one job: writes its output to the spec's stdout and stderr paths and
  // returns its result (exited 0 or 1, timed_out, interrupted). Wall time is
  // measured here; an exception thrown by the task is a failed run with its
  // message on stderr.
  using Task = std::function<ProcessResult(const ProcessSpec& spec, const RunControl& control)>;

  explicit ThreadRunner(Task task);
  ~ThreadRunner() override;  // tells running jobs to stop and waits for them
  ThreadRunner(const ThreadRunner&) = delete;
  ThreadRunner& operator=(const ThreadRunner&) = delete;

  void start(std::size_t token, const ProcessSpec& spec) override;
  std::optional<Completion> wait() override;
  bool interrupted() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace seedgate
