#include "harness/posix_runner.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

class PosixRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("seedgate-runner-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }

  ProcessSpec spec(std::vector<std::string> args) {
    ProcessSpec s;
    s.argv = {FAKE_TRAINER};
    s.argv.insert(s.argv.end(), args.begin(), args.end());
    s.env = {{"PATH", "/usr/bin:/bin"},
             {"SEEDGATE_SEED", "3"},
             {"SEEDGATE_RUN_DIR", m_dir.string()},
             {"SEEDGATE_METRICS", (m_dir / "metrics.jsonl").string()}};
    s.cwd = m_dir;
    s.stdout_path = m_dir / "stdout.log";
    s.stderr_path = m_dir / "stderr.log";
    s.timeout = std::chrono::seconds(60);
    s.grace = std::chrono::milliseconds(300);
    return s;
  }

  ProcessResult run_one(const ProcessSpec& s) {
    PosixRunner runner;
    runner.start(0, s);
    auto completion = runner.wait();
    EXPECT_TRUE(completion.has_value());
    EXPECT_FALSE(runner.wait().has_value());
    return completion->result;
  }

  std::filesystem::path m_dir;
};

// A child shares this process's memory until its exec, and the kernel keeps
// that memory's peak as the child's: a small program's peak is only bounded,
// a large one's is its own.
TEST_F(PosixRunnerTest, PeakRssIsTheRunsOwnOrABound) {
  ProcessSpec small = spec({});
  small.argv = {"/bin/true"};
  ProcessResult r = run_one(small);
  EXPECT_EQ(r.max_rss_kib, 0);
  EXPECT_GT(r.max_rss_at_most_kib, 0);
  // A shell holding a string 32 MiB larger than this test's own peak (which
  // a sanitizer's shadow memory makes large).
  struct rusage self {};
  ASSERT_EQ(::getrusage(RUSAGE_SELF, &self), 0);
  long bytes = (self.ru_maxrss + 32 * 1024) * 1024;
  ProcessSpec large = spec({});
  large.argv = {"/bin/sh", "-c", fmt::format("x=$(head -c {} /dev/zero | tr '\\0' a); echo ${{#x}}", bytes)};
  r = run_one(large);
  EXPECT_EQ(*util::read_file(m_dir / "stdout.log"), fmt::format("{}\n", bytes));
  EXPECT_GT(r.max_rss_kib, bytes / 1024);
  EXPECT_EQ(r.max_rss_at_most_kib, 0);
}

TEST_F(PosixRunnerTest, SuccessfulRunCapturesOutputAndUsage) {
  ProcessResult r = run_one(spec({"stable"}));
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(describe(r, std::chrono::seconds(1)), "exited with code 0");
  EXPECT_EQ(*util::read_file(m_dir / "stdout.log"), "epoch 1 test-error:0.0470\n");
  EXPECT_GT(r.max_rss_kib + r.max_rss_at_most_kib, 0);
  EXPECT_GE(r.cpu_seconds, 0.0);
  EXPECT_TRUE(std::filesystem::exists(m_dir / "model.bin"));  // cwd and env reached the child
}

TEST_F(PosixRunnerTest, ExitCode) {
  ProcessResult r = run_one(spec({"exit", "3"}));
  EXPECT_EQ(r.status, ProcessResult::Status::exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(describe(r, {}), "exited with code 3");
}

TEST_F(PosixRunnerTest, ShellStyleExitCodesInWords) {
  EXPECT_EQ(describe(run_one(spec({"exit", "127"})), {}), "exited with code 127 (command not found)");
  EXPECT_EQ(describe(run_one(spec({"exit", "126"})), {}), "exited with code 126 (command found but not executable)");
}

TEST_F(PosixRunnerTest, SignalIsNamed) {
  ProcessResult r = run_one(spec({"crash-on-seed", "3"}));
  EXPECT_EQ(r.status, ProcessResult::Status::signaled);
  EXPECT_EQ(r.signal, SIGABRT);
  EXPECT_EQ(describe(r, {}), "killed by signal SIGABRT (aborted)");
}

TEST_F(PosixRunnerTest, MissingCommand) {
  ProcessSpec s = spec({});
  s.argv = {"/nonexistent/train"};
  ProcessResult r = run_one(s);
  EXPECT_EQ(r.status, ProcessResult::Status::spawn_failed);
  EXPECT_EQ(describe(r, {}), "command not found: /nonexistent/train (127)");
  s.argv = {"no-such-program-on-path"};
  EXPECT_EQ(describe(run_one(s), {}), "command not found: no-such-program-on-path (not on PATH) (127)");
  // A relative path names the folder it was resolved in.
  s.argv = {"./bin/train"};
  s.cwd = "/tmp";
  EXPECT_EQ(describe(run_one(s), {}), "command not found: ./bin/train (resolved in the working folder /tmp) (127)");
}

// Output that cannot be captured is a run that could not start, named, with no process left behind.
TEST_F(PosixRunnerTest, OutputThatCannotBeCapturedIsASetupFailure) {
  ProcessSpec s = spec({"stable"});
  s.stdout_path = m_dir / "missing-folder" / "stdout.log";
  ProcessResult r = run_one(s);
  EXPECT_EQ(r.status, ProcessResult::Status::spawn_failed);
  EXPECT_EQ(describe(r, {}), "cannot set up output capture: no such file or directory");
  EXPECT_FALSE(std::filesystem::exists(m_dir / "metrics.jsonl")) << "the program must not have run";
}

// The capture file is created on the first byte: if it cannot be by then,
// the run still ends as it would, and its result says what was not kept.
TEST_F(PosixRunnerTest, OutputThatCannotBeKeptOnceTheRunPrintsIsNamed) {
  ProcessSpec s = spec({});
  s.argv = {"/bin/sh", "-c", "mkdir \"$SEEDGATE_RUN_DIR/stdout.log\" && echo printed && echo kept >&2"};
  ProcessResult r = run_one(s);
  EXPECT_TRUE(r.succeeded()) << describe(r, {});
  EXPECT_EQ(r.stdout_bytes, 8u);
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_EQ(r.output_error, fmt::format("cannot keep stdout in {}: is a directory", s.stdout_path.string()));
  EXPECT_EQ(*util::read_file(s.stderr_path), "kept\n");
  // Everything kept: nothing to say.
  ProcessSpec fine = spec({});
  fine.argv = {"/bin/sh", "-c", "echo printed"};
  EXPECT_EQ(run_one(fine).output_error, "");
}

TEST_F(PosixRunnerTest, NotExecutable) {
  std::ofstream(m_dir / "script.txt") << "not a program\n";
  ProcessSpec s = spec({});
  s.argv = {(m_dir / "script.txt").string()};
  EXPECT_EQ(describe(run_one(s), {}), fmt::format("permission denied: {} (126)", (m_dir / "script.txt").string()));
}

TEST_F(PosixRunnerTest, TimeoutSendsTermToTheGroup) {
  ProcessSpec s = spec({"hang"});
  s.timeout = std::chrono::milliseconds(200);
  ProcessResult r = run_one(s);
  EXPECT_EQ(r.status, ProcessResult::Status::timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(describe(r, s.timeout), "timed out after 0.2s; process group ended by SIGTERM (terminated)");
}

TEST_F(PosixRunnerTest, KillAfterGraceWhenTermIsIgnored) {
  ProcessSpec s = spec({"ignore-term"});
  s.timeout = std::chrono::milliseconds(200);
  s.grace = std::chrono::milliseconds(200);
  ProcessResult r = run_one(s);
  EXPECT_EQ(r.status, ProcessResult::Status::timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(describe(r, s.timeout), "timed out after 0.2s; process group ended by SIGKILL (killed)");
}

// The grandchild sleeps 300 s holding stdout: completion must come from
// waitpid, not from the pipe closing, or this test would take 5 minutes.
TEST_F(PosixRunnerTest, GrandchildHoldingStdoutDoesNotHang) {
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_one(spec({"grandchild-exit"}));
  EXPECT_TRUE(r.succeeded());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
  EXPECT_EQ(*util::read_file(m_dir / "stdout.log"), "epoch 1 test-error:0.0470\n");
}

TEST_F(PosixRunnerTest, HangingProgramWithGrandchildTimesOut) {
  ProcessSpec s = spec({"grandchild-hang"});
  s.timeout = std::chrono::milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_one(s);
  EXPECT_EQ(r.status, ProcessResult::Status::timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
}

TEST_F(PosixRunnerTest, FloodIsCappedAndDrained) {
  ProcessSpec s = spec({"flood", "64"});
  s.output_limit = 1 << 20;
  ProcessResult r = run_one(s);
  EXPECT_TRUE(r.succeeded());  // the child never blocked on a full pipe
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_GE(r.stdout_bytes, 64u << 20);
  auto size = std::filesystem::file_size(m_dir / "stdout.log");
  EXPECT_GE(size, 1u << 20);
  EXPECT_LT(size, (1u << 20) + 200);
  std::string tail = *util::read_file_tail(m_dir / "stdout.log", 200);
  EXPECT_NE(tail.find("[seedgate: output cut at 1048576 bytes;"), std::string::npos) << tail;
}

TEST_F(PosixRunnerTest, ManyAtOnce) {
  PosixRunner runner;
  for (std::size_t i = 0; i < 6; ++i) runner.start(i, spec({i % 2 ? "slow" : "exit", i % 2 ? "50" : "0"}));
  std::vector<bool> seen(6, false);
  while (auto c = runner.wait()) {
    EXPECT_TRUE(c->result.succeeded());
    seen[c->token] = true;
  }
  EXPECT_EQ(seen, std::vector<bool>(6, true));
}

}  // namespace
}  // namespace seedgate
