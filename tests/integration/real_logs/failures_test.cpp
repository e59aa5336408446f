// Failures explained where people look: the console, Markdown and JUnit show
// each failed run's reason and the last lines of its stderr; a sweep whose
// every run failed says so, with the first one's reason; fail_fast stops a
// sweep whose first runs all fail the same way; artifacts outside the run's
// folder are refused, and a stale shared one fails its run.
#include <set>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kThreshold = "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n";

class FailuresTest : public CliTest {
 protected:
  // A program written as a shell script (train.sh, given the seed); `subject`,
  // `sweep` and `extra` lines are added verbatim.
  void write_script_policy(const std::string& script, const std::string& subject = "",
                           const std::string& sweep = "seeds = 2\n", const std::string& extra = "",
                           const std::string& checks = kThreshold) {
    std::ofstream(m_dir / "train.sh") << script;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\", \"{{seed}}\"]\n{}[sweep]\n{}"
        "[metrics.accuracy]\ngoal = \"max\"\nregex = 'acc=([0-9.]+)'\n{}[report]\njunit = \"junit.xml\"\n"
        "markdown = \"summary.md\"\n{}",
        subject, sweep, extra, checks);
  }
  std::string file(const std::string& name) {
    auto text = util::read_file(m_dir / name);
    return text ? *text : std::string();
  }
};

// A Python-like traceback on stderr: its last lines (made safe for a
// terminal and for XML) are on the console, in the Markdown summary and in
// the JUnit failure, beside the exit reason.
TEST_F(FailuresTest, StderrTailWherePeopleLook) {
  write_script_policy(
      "echo 'Traceback (most recent call last):' >&2\n"
      "printf '  File \"train.py\", line 3\\n\\033[31mValueError: shapes (3,) and (4,) <not> aligned\\n' >&2\n"
      "exit 1\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("failed      s0-deterministic-cpu-r0: exited with code 1\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("              | \\x1b[31mValueError: shapes (3,) and (4,) <not> aligned\n"), std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << "an escape reached the terminal";
  // The same traceback again is not printed again.
  EXPECT_NE(o.out.find("s1-deterministic-cpu-r0: exited with code 1\n              stderr ends as "
                       "s0-deterministic-cpu-r0's\n"),
            std::string::npos)
      << o.out;
  std::string md = file("summary.md");
  EXPECT_NE(md.find("### Failed runs (2)"), std::string::npos) << md;
  EXPECT_NE(md.find("- `s0-deterministic-cpu-r0`: exited with code 1"), std::string::npos) << md;
  EXPECT_NE(md.find("\n  \\x1b[31mValueError: shapes (3,) and (4,) <not> aligned\n  ```\n"), std::string::npos) << md;
  std::string junit = file("junit.xml");
  EXPECT_TRUE(junit_valid()) << junit;
  EXPECT_NE(junit.find("stderr (last lines):\nTraceback (most recent call last):\n  File &quot;train.py&quot;, line 3\n"
                       "\\x1b[31mValueError: shapes (3,) and (4,) &lt;not&gt; aligned\n</failure>"),
            std::string::npos)
      << junit;
}

// A program that is not there: every run fails, and the verdict says so with
// the first run's reason, naming the folder the relative path was resolved
// in, instead of each check saying that no run matches it.
TEST_F(FailuresTest, EveryRunFailedSaysWhy) {
  std::ofstream(m_dir / "seedgate.toml") << fmt::format(
      "version = 1\n[subject]\ncommand = [\"./build/train\", \"{{seed}}\"]\n[sweep]\nseeds = 2\nrepeats = 2\n"
      "[metrics.accuracy]\ngoal = \"max\"\n[[check]]\nkind = \"reproducibility\"\nmetric = \"accuracy\"\n{}",
      kThreshold);
  Outcome o = seedgate({"run"});
  EXPECT_NE(o.exit_code, 0) << o.out << o.err;
  const std::string reason =
      fmt::format("command not found: ./build/train (resolved in the working folder {}) (127)", m_dir.string());
  EXPECT_NE(o.out.find("error: every run failed (4 runs); the first, s0-deterministic-cpu-r0: " + reason),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("no finished run matches"), std::string::npos) << o.out;
}

// fail_fast: a program that fails at once, the same way, for every seed:
// after the first 3 runs nothing more starts, and the verdict says why.
TEST_F(FailuresTest, FailFastStopsASweepWhoseFirstRunsFailAlike) {
  write_script_policy("echo started >> starts.txt\necho 'no data' >&2\nexit 2\n", "", "seeds = 10\njobs = 1\n");
  Outcome o = seedgate({"run", "--fail-fast"});
  EXPECT_NE(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(file("starts.txt"), "started\nstarted\nstarted\n");
  EXPECT_NE(o.out.find("error: fail_fast stopped the sweep: 7 runs not started; the first 3 runs all failed the same "
                       "way: exited with code 2"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.err.find("fail_fast: 7 runs not started"), std::string::npos) << o.err;

  // The policy's [sweep] fail_fast does the same; failures that differ do not stop it.
  fs::remove(m_dir / "starts.txt");
  write_script_policy("echo started >> starts.txt\nexit $(( $1 + 1 ))\n", "",
                      "seeds = 5\njobs = 1\nfail_fast = true\n");
  Outcome differ = seedgate({"run"});
  EXPECT_NE(differ.exit_code, 0) << differ.out << differ.err;
  EXPECT_EQ(file("starts.txt"), "started\nstarted\nstarted\nstarted\nstarted\n");
  EXPECT_EQ(differ.out.find("fail_fast stopped"), std::string::npos) << differ.out;
  // Without it, every seed runs.
  fs::remove(m_dir / "starts.txt");
  write_script_policy("echo started >> starts.txt\nexit 2\n", "", "seeds = 5\njobs = 1\n");
  seedgate({"run"});
  EXPECT_EQ(file("starts.txt"), "started\nstarted\nstarted\nstarted\nstarted\n");
}

// An artifact at a fixed path in the working folder would be digested from
// whatever an earlier run left there: refused unless the policy says
// shared_artifacts = true, and then a run that did not write it fails.
TEST_F(FailuresTest, ArtifactsOutsideTheRunFolder) {
  const std::string writes = "echo acc=0.9 \necho \"weights $1\" > model.pt\n";
  write_script_policy(writes, "", "seeds = 2\n", "[artifacts]\nmodel = \"model.pt\"\n");
  Outcome refused = seedgate({"run"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("artifact 'model' (\"model.pt\") is outside the run's folder"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("such as \"{run_dir}/model.pt\""), std::string::npos) << refused.err;

  // Runs that share a file go one at a time, whatever jobs says: two at once
  // would digest each other's file.
  write_script_policy("echo acc=0.9\necho \"weights $1\" > model.pt\nsleep 0.2\ncat model.pt > \"$1.seen\"\n",
                      "shared_artifacts = true\n", "seeds = 4\njobs = 4\n", "[artifacts]\nmodel = \"model.pt\"\n");
  Outcome shared = seedgate({"run"});
  EXPECT_EQ(shared.exit_code, 0) << shared.out << shared.err;
  EXPECT_NE(shared.err.find("shared_artifacts: runs go one at a time"), std::string::npos) << shared.err;
  for (int seed = 0; seed < 4; ++seed) EXPECT_EQ(file(fmt::format("{}.seen", seed)), fmt::format("weights {}\n", seed));
  std::set<std::string> digests;
  const nlohmann::json sweep = results(".seedgate/results.json");
  for (const auto& run : sweep["runs"]) digests.insert(run["artifacts"]["model"]);
  EXPECT_EQ(digests.size(), 4u);

  // A stale model.pt from the runs above; the program no longer writes it.
  write_script_policy("echo acc=0.9\n", "shared_artifacts = true\n", "seeds = 2\njobs = 1\n",
                      "[artifacts]\nmodel = \"model.pt\"\n");
  Outcome stale = seedgate({"run"});
  EXPECT_NE(stale.exit_code, 0) << stale.out << stale.err;
  EXPECT_NE(stale.out.find("s0-deterministic-cpu-r0: artifact 'model' (model.pt) was not written by this run"),
            std::string::npos)
      << stale.out;
  EXPECT_NE(stale.out.find("was not written by this run (unchanged since before it started): a stale file"),
            std::string::npos)
      << stale.out;
}

// The console: one histogram per metric (of its largest group), not one per group.
TEST_F(FailuresTest, ConsoleOneHistogramPerMetric) {
  write_script_policy("echo acc=0.$(( 70 + $1 ))\n", "", "seeds = 6\nthreads = [1, 2]\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  std::size_t histograms = 0;
  for (std::size_t at = o.out.find("histogram"); at != std::string::npos; at = o.out.find("histogram", at + 1))
    ++histograms;
  EXPECT_EQ(histograms, 1u) << o.out;
  EXPECT_NE(o.out.find("histogram (mode=deterministic, device=cpu, threads=1):"), std::string::npos) << o.out;
}

// A Python program that cannot import what it needs, on every run: the
// verdict names the interpreter it ran on (asked once per sweep).
TEST_F(FailuresTest, EveryRunFailedNamesThePythonInterpreter) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 is not installed";
  std::ofstream(m_dir / "train.py") << "import no_such_module_here\n";
  std::ofstream(m_dir / "seedgate.toml") << fmt::format(
      "version = 1\n[subject]\ncommand = [\"/usr/bin/python3\", \"train.py\", \"{{seed}}\"]\n[sweep]\nseeds = 2\n"
      "[metrics.accuracy]\ngoal = \"max\"\nregex = 'acc=([0-9.]+)'\n{}",
      kThreshold);
  Outcome o = seedgate({"run"});
  EXPECT_NE(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("ModuleNotFoundError: No module named 'no_such_module_here'"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("error: every run failed (2 runs); the first, s0-deterministic-cpu-r0: exited with code 1 "
                       "(Python 3."),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(" at /usr/bin/python3)"), std::string::npos) << o.out;
}

}  // namespace
