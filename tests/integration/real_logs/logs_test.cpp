// Regex metrics over real programs' logs: line ends, streams, `seedgate
// metrics test`, and `check` reading a changed regex again from stored logs.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

class LogsTest : public CliTest {
 protected:
  // A program written as a shell script (train.sh, given the seed) whose
  // accuracy is read by `metric` (the body of [metrics.accuracy]).
  void write_script_policy(const std::string& script, const std::string& metric,
                           const std::string& checks = kThreshold) {
    std::ofstream(m_dir / "train.sh") << script;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\", \"{{seed}}\"]\n[sweep]\nseeds = 2\n"
        "[metrics.accuracy]\ngoal = \"max\"\n{}\n{}",
        metric, checks);
  }
  static inline const std::string kThreshold =
      "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n";
};

// A progress bar redraws one line with "\r": pick = "last" takes the last
// update, not the first.
TEST_F(LogsTest, ProgressBarCarriageReturnsEndLines) {
  write_script_policy("printf 'acc=0.10\\racc=0.50\\racc=0.91\\n'\n", "regex = 'acc=([0-9.]+)'\npick = \"last\"\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results(".seedgate/results.json");
  for (const auto& run : r["runs"]) EXPECT_EQ(run["metrics"]["accuracy"], 0.91) << run.dump();
}

// A value on a line of 100,000 characters is read (no line is skipped for its length).
TEST_F(LogsTest, VeryLongLinesAreRead) {
  write_script_policy("head -c 100000 /dev/zero | tr '\\0' x; printf ' acc=0.93\\n'\n", "regex = 'acc=([0-9.]+)'\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  const nlohmann::json sweep = results(".seedgate/results.json");
  for (const auto& run : sweep["runs"]) EXPECT_EQ(run["metrics"]["accuracy"], 0.93);
}

// Python's logging writes to stderr: by default a regex reads both streams.
TEST_F(LogsTest, BothStreamsByDefault) {
  write_script_policy("echo 'INFO:root:acc=0.92' >&2\n", "regex = 'acc=([0-9.]+)'\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  const nlohmann::json sweep = results(".seedgate/results.json");
  for (const auto& run : sweep["runs"]) EXPECT_EQ(run["metrics"]["accuracy"], 0.92);
}

// With stream = "stdout", a value that is only on stderr: the failure says
// where it looked and where the value is.
TEST_F(LogsTest, WrongStreamSaysWhereTheValueIs) {
  write_script_policy("echo 'INFO:root:acc=0.92' >&2\n", "regex = 'acc=([0-9.]+)'\nstream = \"stdout\"\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;  // the seeds are lost, below the bound
  EXPECT_NE(o.out.find("matched nothing in stdout"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("but matches stderr.log:1: set stream = \"stderr\""), std::string::npos) << o.out;
}

// `seedgate metrics test` tries the patterns on a saved log without training.
TEST_F(LogsTest, MetricsTestOnASavedLog) {
  write_script_policy("true\n", "regex = 'acc=([0-9.]+)'\npick = \"max\"\n");
  std::ofstream(m_dir / "train.log") << "epoch 1 acc=0.5\r epoch 2 acc=0.75\nepoch 3 acc=0.7\n";
  Outcome o = seedgate({"metrics", "test", "train.log"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("accuracy: regex 'acc=([0-9.]+)', stream both, pick max"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("3 matches in train.log; first: train.log:1=0.5 train.log:2=0.75 train.log:3=0.7"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("value: 0.75"), std::string::npos) << o.out;

  std::ofstream(m_dir / "empty.log") << "nothing here\n";
  Outcome none = seedgate({"metrics", "test", "empty.log"});
  EXPECT_EQ(none.exit_code, 1) << none.out << none.err;
  EXPECT_NE(none.out.find("matched nothing in empty.log"), std::string::npos) << none.out;
}

// A regex fixed after the sweep: `check` reads the metric again from the
// stored logs (no retraining), says so, and judges the new values.
TEST_F(LogsTest, CheckReadsAChangedRegexFromStoredLogs) {
  write_script_policy("echo \"accuracy: 0.9$1\"\n", "regex = 'acc=([0-9.]+)'\n");
  Outcome first = seedgate({"run"});
  EXPECT_EQ(first.exit_code, 1) << first.out << first.err;  // nothing matched: every seed lost
  write_script_policy("echo \"accuracy: 0.9$1\"\n", "regex = 'accuracy: ([0-9.]+)'\n");
  Outcome again = seedgate({"check", ".seedgate/results.json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("read metric 'accuracy' again from the stored logs of 2 runs"), std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("mean=0.905"), std::string::npos) << again.out;

  // Without the logs it cannot: an error, not the old values under the new regex.
  fs::remove_all(m_dir / ".seedgate" / "runs");
  write_script_policy("echo \"accuracy: 0.9$1\"\n", "regex = 'accuracy:\\s*([0-9.]+)'\n");
  Outcome gone = seedgate({"check", ".seedgate/results.json"});
  EXPECT_EQ(gone.exit_code, 3) << gone.out << gone.err;
  EXPECT_NE(gone.err.find("run the sweep again"), std::string::npos) << gone.err;
}

}  // namespace
