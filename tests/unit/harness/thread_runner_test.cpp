#include "harness/thread_runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

namespace fs = std::filesystem;

class ThreadRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("seedgate_thread_runner_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  ProcessSpec spec(const std::string& name, std::chrono::milliseconds timeout = {}) {
    ProcessSpec s;
    s.argv = {name};
    s.stdout_path = m_dir / (name + ".out");
    s.stderr_path = m_dir / (name + ".err");
    s.timeout = timeout;
    return s;
  }
  fs::path m_dir;
};

TEST_F(ThreadRunnerTest, EachJobRunsOnAThreadOfItsOwnAndCompletes) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  ThreadRunner runner([&](const ProcessSpec& s, const RunControl&) {
    std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
    std::ofstream(s.stderr_path, std::ios::app) << "hello from " << s.argv[0] << "\n";
    ProcessResult r;
    r.exit_code = s.argv[0] == "b" ? 1 : 0;
    return r;
  });
  runner.start(0, spec("a"));
  runner.start(1, spec("b"));
  std::map<std::size_t, ProcessResult> done;
  while (auto c = runner.wait()) done[c->token] = c->result;
  ASSERT_EQ(done.size(), 2u);
  EXPECT_TRUE(done[0].succeeded());
  EXPECT_EQ(done[1].exit_code, 1);
  EXPECT_EQ(done[1].stderr_bytes, std::string("hello from b\n").size());
  EXPECT_GE(done[0].wall_seconds, 0.0);
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_FALSE(threads.count(std::this_thread::get_id()));
  EXPECT_FALSE(runner.wait());
  EXPECT_FALSE(runner.interrupted());
}

TEST_F(ThreadRunnerTest, AThrowingJobIsAFailedRunWithItsMessageOnStderr) {
  ThreadRunner runner(
      [](const ProcessSpec&, const RunControl&) -> ProcessResult { throw std::runtime_error("data went missing"); });
  runner.start(7, spec("x"));
  auto c = runner.wait();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->token, 7u);
  EXPECT_EQ(c->result.status, ProcessResult::Status::exited);
  EXPECT_EQ(c->result.exit_code, 1);
  EXPECT_EQ(*util::read_file(m_dir / "x.err"), "error: data went missing\n");
}

TEST_F(ThreadRunnerTest, AJobSeesItsDeadline) {
  ThreadRunner runner([](const ProcessSpec&, const RunControl& control) {
    ProcessResult r;
    while (!control.past_deadline()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    r.status = ProcessResult::Status::timed_out;
    return r;
  });
  runner.start(0, spec("slow", std::chrono::milliseconds(50)));
  auto c = runner.wait();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->result.status, ProcessResult::Status::timed_out);
  EXPECT_GE(c->result.wall_seconds, 0.05);
  EXPECT_EQ(describe(c->result, std::chrono::milliseconds(50)),
            "timed out after 0.05s; stopped after its last finished step");
}

TEST_F(ThreadRunnerTest, SigintAsksRunningJobsToStop) {
  ThreadRunner runner([](const ProcessSpec&, const RunControl& control) {
    ProcessResult r;
    while (!control.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    r.status = ProcessResult::Status::interrupted;
    return r;
  });
  runner.start(0, spec("endless"));
  ::raise(SIGINT);
  auto c = runner.wait();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->result.status, ProcessResult::Status::interrupted);
  EXPECT_TRUE(runner.interrupted());
}

}  // namespace
}  // namespace seedgate
