#include "harness/thread_runner.hpp"

#include <signal.h>
#include <time.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace seedgate {
namespace {

volatile sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal) {
  g_stop_signal = signal;
}

double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

constexpr auto kSignalPoll = std::chrono::milliseconds(50);

}  // namespace

struct ThreadRunner::Impl {
  Task task;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Completion> completed;
  std::map<std::size_t, std::thread> threads;  // by token, until wait() returns them: the running jobs
  std::atomic<bool> stop{false};
  bool was_interrupted = false;
  struct sigaction old_int {};
  struct sigaction old_term {};

  void run(std::size_t token, const ProcessSpec& spec) {
    auto started = std::chrono::steady_clock::now();
    double cpu_started = thread_cpu_seconds();
    RunControl control;
    control.stop = &stop;
    if (spec.timeout.count() > 0) control.deadline = started + spec.timeout;
    ProcessResult result;
    try {
      result = task(spec, control);
    } catch (const std::exception& e) {
      std::ofstream(spec.stderr_path, std::ios::app) << "error: " << e.what() << "\n";
      result.status = ProcessResult::Status::exited;
      result.exit_code = 1;
    }
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.cpu_seconds = thread_cpu_seconds() - cpu_started;
    std::error_code ec;
    result.stdout_bytes = std::filesystem::file_size(spec.stdout_path, ec);
    result.stderr_bytes = std::filesystem::file_size(spec.stderr_path, ec);
    std::lock_guard lock(mutex);
    completed.push_back({token, std::move(result)});
    changed.notify_all();
  }
};

ThreadRunner::ThreadRunner(Task task) : m_impl(std::make_unique<Impl>()) {
  m_impl->task = std::move(task);
  g_stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &m_impl->old_int);
  ::sigaction(SIGTERM, &sa, &m_impl->old_term);
}

ThreadRunner::~ThreadRunner() {
  m_impl->stop = true;
  for (auto& [token, thread] : m_impl->threads)
    if (thread.joinable()) thread.join();
  ::sigaction(SIGINT, &m_impl->old_int, nullptr);
  ::sigaction(SIGTERM, &m_impl->old_term, nullptr);
}

void ThreadRunner::start(std::size_t token, const ProcessSpec& spec) {
  // The job's output files exist from the start, as a process's would.
  { std::ofstream created_out(spec.stdout_path, std::ios::trunc); }
  { std::ofstream created_err(spec.stderr_path, std::ios::trunc); }
  std::lock_guard lock(m_impl->mutex);
  m_impl->threads.emplace(token, std::thread([impl = m_impl.get(), token, spec] { impl->run(token, spec); }));
}

std::optional<CommandRunner::Completion> ThreadRunner::wait() {
  std::unique_lock lock(m_impl->mutex);
  while (m_impl->completed.empty()) {
    if (m_impl->threads.empty()) return std::nullopt;
    m_impl->changed.wait_for(lock, kSignalPoll);
    if (g_stop_signal != 0 && !m_impl->was_interrupted) {
      m_impl->was_interrupted = true;
      m_impl->stop = true;
    }
  }
  Completion done = std::move(m_impl->completed.front());
  m_impl->completed.pop_front();
  // Only this thread adds or removes threads, so the node stays valid unlocked.
  auto thread = m_impl->threads.find(done.token);
  lock.unlock();
  thread->second.join();
  lock.lock();
  m_impl->threads.erase(thread);
  return done;
}

bool ThreadRunner::interrupted() const {
  return m_impl->was_interrupted || g_stop_signal != 0;
}

}  // namespace seedgate
