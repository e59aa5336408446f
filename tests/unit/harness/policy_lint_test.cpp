#include "harness/policy_lint.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace seedgate {
namespace {

std::vector<std::string> lint(const std::string& text) {
  auto policy = parse_policy(text, "seedgate.toml", "/tmp");
  EXPECT_TRUE(policy) << policy.error();
  std::vector<std::string> out;
  if (!policy) return out;
  for (const LintFinding& f : lint_policy(*policy))
    out.push_back(
        fmt::format("{}:{}: {}: {}", f.position.line, f.position.column, f.warning ? "warning" : "note", f.message));
  return out;
}

// A policy with the [sweep] lines `sweep` and an accuracy metric, then `checks`.
std::string fixed(const std::string& sweep, const std::string& checks) {
  return fmt::format(
      "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\n{}\n[metrics.accuracy]\ngoal = "
      "\"max\"\n{}",
      sweep, checks);
}

const std::string kHead = R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = { start = 0, count = 5, max = 20 }
[metrics.accuracy]
goal = "max"
[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
)";

TEST(PolicyLintTest, StatisticsThatCannotWork) {
  auto findings = lint(kHead + R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.95
confidence = 0.95
inconclusive = "more-seeds"
[[check]]
kind = "threshold"
metric = "accuracy"
worst_at_least = 0.93
[[check]]
kind = "threshold"
metric = "accuracy"
worst_at_least = 0.93
confidence = 0.95
tolerance = "nonparametric"
[[check]]
kind = "reproducibility"
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.005
confidence = 0.95
)");
  std::vector<std::string> expected = {
      "12:1: note: check 'threshold-accuracy': at 5 seeds (the first of 4 looks) with std up to 0.01 "
      "(std_at_most), the true mean must be above mean_at_least by 0.0185 to pass 80% of the time",
      "18:1: warning: check 'threshold-accuracy-2': 'worst_at_least' without 'confidence' judges the worst seed, "
      "which gets worse the more seeds run; with a seed count that grows to 20, add 'confidence' to judge a "
      "quantile instead",
      "22:1: warning: check 'threshold-accuracy-3' can never pass: with 95% confidence the minimum of n seeds "
      "bounds the 10th percentile only from n = 29 on, and [sweep] runs at most 20",
      "28:1: warning: check 'reproducibility' compares repeats of a seed, but [sweep] repeats = 1; set repeats = 2 "
      "or more",
      "30:1: warning: check 'regression-accuracy': to pass a candidate as good as the baseline 80% of the time with "
      "margin 0.005 and std up to 0.01, 51 seeds on each side are needed; [sweep] runs 20",
  };
  EXPECT_EQ(findings, expected);
}

TEST(PolicyLintTest, ASoundPolicyOnlyGetsNotes) {
  auto findings = lint(fixed("seeds = 30\nrepeats = 2", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
confidence = 0.95
[[check]]
kind = "threshold"
metric = "accuracy"
worst_at_least = 0.9
confidence = 0.95
tolerance = "nonparametric"
[[check]]
kind = "reproducibility"
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.01
confidence = 0.9
)"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            "22:1: note: check 'regression-accuracy': to pass a candidate as good as the baseline 80% of the time "
            "with margin 0.01 and std up to 0.01, 10 seeds on each side are needed; [sweep] runs 30");
}

TEST(PolicyLintTest, OneSeedCannotBeBounded) {
  auto findings = lint(fixed("seeds = 1", R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
confidence = 0.95
)"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            "8:1: warning: check 'threshold-accuracy' can never pass: a confidence bound needs at least 2 seeds, but "
            "[sweep] runs 1");
}

// The compare verdict's signed-rank bound needs 5 seeds at 95% confidence (P(W+ = 0) = 1/32).
TEST(PolicyLintTest, CompareNeedsSeedsForTheSignedRankBound) {
  const std::string check = R"([[variant]]
name = "a"
[[variant]]
name = "b"
[[check]]
kind = "compare"
metric = "accuracy"
expect = "a"
confidence = 0.95
)";
  auto findings = lint(fixed("seeds = 4", check));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            "12:1: warning: check 'compare-accuracy' can never pass: at 95% confidence the signed-rank bound on the "
            "paired differences needs at least 5 seeds, but [sweep] runs 4");
  EXPECT_TRUE(lint(fixed("seeds = 5", check)).empty());
}

TEST(PolicyLintTest, ADriftCheckWithoutAHistoryIsFlagged) {
  const std::string check = "[[check]]\nkind = \"drift\"\nmetric = \"accuracy\"\n";
  auto findings = lint(fixed("seeds = 5", check));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            "8:1: warning: check 'drift-accuracy' judges this sweep against earlier ones, but the policy has no "
            "[history]: add [history] store = \"sqlite:.seedgate/history.db\", or pass --history to run and check");
  EXPECT_TRUE(lint(fixed("seeds = 5", "[history]\nstore = \"sqlite:h.db\"\n" + check)).empty());
}

TEST(PolicyLintTest, ZeroBoundsMarginsAndMissingSpread) {
  auto findings = lint(fixed("seeds = 10", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0
cv_at_most = 0
range_at_most = 0.05
confidence = 0.95
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
confidence = 0.95
)"));
  std::vector<std::string> expected = {
      "8:1: warning: check 'variance-accuracy': std_at_most = 0 with confidence passes only when every seed gives "
      "the same value",
      "8:1: warning: check 'variance-accuracy': cv_at_most = 0 with confidence passes only when every seed gives "
      "the same value",
      "8:1: note: check 'variance-accuracy': range_at_most is judged on the observed range, which grows with the "
      "seed count; confidence does not apply to it",
      "15:1: note: check 'regression-accuracy': add a variance check with std_at_most on 'accuracy' and lint will "
      "say how many seeds this comparison needs",
  };
  EXPECT_EQ(findings, expected);
  auto no_margin = lint(fixed("seeds = 10", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
confidence = 0.95
)"));
  EXPECT_EQ(no_margin, (std::vector<std::string>{
                           "12:1: warning: check 'regression-accuracy': with margin = 0 and confidence, a candidate "
                           "as good as the baseline passes only by chance; set a margin"}));
}

TEST(PolicyLintTest, ConsistencyNeedsTwoDevicesOrThreadCounts) {
  EXPECT_EQ(lint(fixed("seeds = 3\n", "[[check]]\nkind = \"consistency\"\natol = 0.01\n")),
            (std::vector<std::string>{
                "9:1: warning: check 'consistency' compares devices and thread counts, but it sees one device and "
                "one thread count; set threads = [1, 2] or devices = [\"cpu\", \"cuda\"] in [sweep]"}));
  EXPECT_TRUE(lint(fixed("seeds = 3\nthreads = [1, 2]\n", "[[check]]\nkind = \"consistency\"\n")).empty());
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Found by fuzz_policy: a std 100 times the margin made the TOST sample-size
// search throw ("internal error", exit 3). It needs 131,391 seeds a side
// (compare_test), and says so.
TEST(PolicyLintTest, EquivalenceFarBeyondTheSweep) {
  auto findings = lint(fixed("seeds = 5", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 5
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.05
comparison = "equivalence"
confidence = 0.9
)"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].find("warning: check 'regression-accuracy': to pass a candidate as good as the baseline 80% "
                             "of the time with margin 0.05 and std up to 5, 131391 seeds on each side are needed; "
                             "[sweep] runs 5"),
            std::string::npos)
      << findings[0];
}

TEST(PolicyLintTest, PassingTheUndecidedBootstrappingFewSeedsAndEquivalence) {
  auto findings = lint(fixed("seeds = 8\nrepeats = 2", R"([[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01
cv_at_most = 0.02
confidence = 0.95
tolerance = "nonparametric"
inconclusive = "pass"
[[check]]
kind = "regression"
metric = "accuracy"
baseline = "b.json"
margin = 0.01
comparison = "equivalence"
confidence = 0.95
)"));
  std::vector<std::string> expected = {
      "9:1: warning: check 'variance-accuracy': inconclusive = \"pass\" passes whatever the interval cannot rule "
      "out, so the gate cannot catch a regression smaller than the interval's width (it still fails when the "
      "estimate is past the bound); use \"fail\" or \"more-seeds\" to gate",
      "9:1: note: check 'variance-accuracy': the bootstrap covers poorly with few seeds; with fewer than 10 seeds "
      "([sweep] runs 8) the cv is bounded by normal theory (noncentral t) instead",
      // TOST must rule out both sides of the margin: 18 seeds where non-inferiority needs 14 (compare_test).
      "17:1: warning: check 'regression-accuracy': to pass a candidate as good as the baseline 80% of the time with "
      "margin 0.01 and std up to 0.01, 18 seeds on each side are needed; [sweep] runs 8",
  };
  EXPECT_EQ(findings, expected);
}

}  // namespace
}  // namespace seedgate

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace seedgate {
namespace {

namespace fs = std::filesystem;

// lint_program against real files: each test gets a fresh folder that holds
// the policy, the programs and a bin/ folder that is the whole search path.
class ProgramLintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("seedgate-program-lint-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "bin");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  void write(const std::string& name, const std::string& text, bool executable = true) {
    fs::create_directories((m_dir / name).parent_path());
    std::ofstream(m_dir / name) << text;
    fs::permissions(m_dir / name, executable ? fs::perms(0755) : fs::perms(0644));
  }

  // Findings on a policy whose [subject] holds `subject` (its first line is line 3).
  std::vector<std::string> lint(const std::string& subject, const std::string& sweep = "seeds = 4") {
    std::string text = fmt::format(
        "version = 1\n[subject]\n{}\n[sweep]\n{}\n[metrics.accuracy]\ngoal = \"max\"\n[[check]]\nkind = "
        "\"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n",
        subject, sweep);
    auto policy = parse_policy(text, "seedgate.toml", m_dir);
    EXPECT_TRUE(policy) << policy.error();
    std::vector<std::string> out;
    if (!policy) return out;
    for (const LintFinding& f : lint_program(*policy, (m_dir / "bin").string()))
      out.push_back(fmt::format("{}:{}: {}", f.position.line, f.position.column, f.message));
    return out;
  }

  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  std::string seed_warning(const std::string& files, bool shell = false) const {
    return fmt::format(
        "3:1: the seed cannot reach the program, so every seed would run the same: {} uses {{seed}} and "
        "SEEDGATE_SEED does not occur in {}; pass the seed as an argument (\"--seed\", \"{{seed}}\") or read the "
        "SEEDGATE_SEED environment variable in the program (the Python package seedgate reads it)",
        shell ? "the command string never" : "no argument of 'command'", files);
  }

  std::string relative_note() const {
    return fmt::format(
        "relative paths resolve against the run's working folder, {} (the policy's folder; [subject] workdir sets "
        "another)",
        m_dir.string());
  }

  fs::path m_dir;
};

using Findings = std::vector<std::string>;

TEST_F(ProgramLintTest, TheSeedReachesNeitherAnArgumentNorTheProgram) {
  write("train.sh", "#!/bin/sh\necho accuracy=0.9\n");
  EXPECT_EQ(lint("command = [\"./train.sh\", \"--epochs\", \"3\"]"), Findings{seed_warning(path("train.sh"))});
  // "{{seed}}" is the literal text {seed}, not the seed.
  EXPECT_EQ(lint("command = [\"./train.sh\", \"{{seed}}\"]"), Findings{seed_warning(path("train.sh"))});
  EXPECT_EQ(lint("command = \"./train.sh > log.txt\""), Findings{seed_warning(path("train.sh"), true)});
  EXPECT_EQ(lint("command = \"OMP_NUM_THREADS=1 exec ./train.sh\""), Findings{seed_warning(path("train.sh"), true)});
  // The warning is at the 'command' key, wherever it is.
  EXPECT_EQ(lint("name = \"x\"\n  command = [\"./train.sh\"]"),
            Findings{"4:3" + seed_warning(path("train.sh")).substr(3)});
}

TEST_F(ProgramLintTest, TheSeedReachesTheProgram) {
  write("train.sh", "#!/bin/sh\necho accuracy=0.9\n");
  EXPECT_EQ(lint("command = [\"./train.sh\", \"--seed\", \"{seed}\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"./train.sh\", \"--seed={seed}\"]"), Findings{});
  EXPECT_EQ(lint("command = \"./train.sh --seed {seed} | tee log\""), Findings{});
  EXPECT_EQ(lint("command = \"./train.sh --seed $SEEDGATE_SEED\""), Findings{});
  EXPECT_EQ(lint("command = [\"/bin/sh\", \"-c\", \"./train.sh --seed $SEEDGATE_SEED\"]"), Findings{});
  // One seed: nothing tells one seed from another, so a program that takes none is no mistake.
  EXPECT_EQ(lint("command = [\"./train.sh\"]", "seeds = [0]"), Findings{});
  // The adapters' clients read SEEDGATE_SEED themselves.
  EXPECT_EQ(lint("adapter = \"libtorch\"\ncommand = [\"./train.sh\"]"), Findings{});
}

TEST_F(ProgramLintTest, APythonProgramUsingTheSeedgatePackageGetsTheSeed) {
  // seedgate.configure() and seedgate.seed() read SEEDGATE_SEED.
  write("train.py", "import seedgate\nseedgate.configure()\n", false);
  EXPECT_EQ(lint("command = [\"/usr/bin/python3\", \"train.py\"]"), Findings{});
  write("train.py", "from seedgate import configure\nconfigure()\n", false);
  EXPECT_EQ(lint("command = [\"/usr/bin/python3\", \"train.py\"]"), Findings{});
  write("train.py", "import random\nrandom.seed(0)\n", false);
  EXPECT_EQ(lint("command = [\"/usr/bin/python3\", \"train.py\"]"), Findings{seed_warning(path("train.py"))});
}

TEST_F(ProgramLintTest, AProgramThatReadsTheVariable) {
  write("train.sh", "#!/bin/sh\nseed=${SEEDGATE_SEED:-0}\n");
  EXPECT_EQ(lint("command = [\"./train.sh\"]"), Findings{});
  // Split across two of the blocks it is read in.
  write("split", std::string((1 << 16) - 6, '#') + "SEEDGATE_SEED\n");
  EXPECT_EQ(lint("command = [\"./split\"]"), Findings{});
  // Past the part that is read: nothing is known, so nothing is said.
  write("huge", "");
  fs::resize_file(m_dir / "huge", kProgramScanLimit + 1);
  EXPECT_EQ(lint("command = [\"./huge\"]"), Findings{});
}

TEST_F(ProgramLintTest, AnInterpreterIsJudgedByItsScript) {
  write("bin/python3", "#!/bin/sh\n");
  write("bin/sh", "#!/bin/sh\n");
  write("bin/env", "#!/bin/sh\n");
  write("reads.py", "import os\nseed = int(os.environ['SEEDGATE_SEED'])\n", false);
  write("plain.py", "print('accuracy', 0.9)\n", false);
  write("pkg/train.py", "print('accuracy', 0.9)\n", false);
  EXPECT_EQ(lint("command = [\"python3\", \"reads.py\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"python3\", \"-W\", \"ignore\", \"-u\", \"plain.py\"]"),
            Findings{seed_warning(path("plain.py"))});
  EXPECT_EQ(lint("command = \"python3 plain.py --epochs 3 2>&1\""), Findings{seed_warning(path("plain.py"), true)});
  EXPECT_EQ(lint("command = [\"env\", \"PYTHONUNBUFFERED=1\", \"python3\", \"plain.py\"]"),
            Findings{seed_warning(path("plain.py"))});
  EXPECT_EQ(lint("command = [\"python3\", \"-m\", \"pkg.train\"]"), Findings{seed_warning(path("pkg/train.py"))});
  // An installed module, code on the command line: nothing to read, nothing said.
  EXPECT_EQ(lint("command = [\"python3\", \"-m\", \"sklearn.something\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"python3\", \"-c\", \"print(1)\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"python3\", \"-c\", \"import os; os.environ['SEEDGATE_SEED']\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"sh\", \"missing.sh\", \"{seed}\"]"),
            Findings{fmt::format("3:1: script 'missing.sh' for sh not found: {} does not exist; {}", path("missing.sh"),
                                 relative_note())});
}

TEST_F(ProgramLintTest, ALauncherIsJudgedByItsProgramAndItsScript) {
  write("bin/torchrun", "#!/bin/sh\n");
  write("plain.py", "print('accuracy', 0.9)\n", false);
  write("reads.py", "import os\nos.environ['SEEDGATE_SEED']\n", false);
  EXPECT_EQ(lint("command = [\"torchrun\", \"--nproc-per-node\", \"2\", \"reads.py\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"torchrun\", \"plain.py\"]"),
            Findings{seed_warning(fmt::format("{} or {}", path("bin/torchrun"), path("plain.py")))});
}

TEST_F(ProgramLintTest, AMissingProgramNamesWhereItWasLookedFor) {
  EXPECT_EQ(lint("command = [\"./build/train\", \"{seed}\"]"),
            Findings{fmt::format("3:1: program './build/train' not found: {} does not exist; {}", path("build/train"),
                                 relative_note())});
  fs::create_directories(m_dir / "sub");
  EXPECT_EQ(lint("workdir = \"sub\"\ncommand = [\"../train\", \"{seed}\"]"),
            Findings{fmt::format("4:1: program '../train' not found: {} does not exist; relative paths resolve "
                                 "against the run's working folder, {} ([subject] workdir)",
                                 path("train"), path("sub"))});
  EXPECT_EQ(lint("command = [\"/no/such/train\", \"{seed}\"]"),
            Findings{"3:1: program '/no/such/train' not found: /no/such/train does not exist"});
  EXPECT_EQ(lint("command = \"./missing --seed {seed} > log\""),
            Findings{fmt::format("3:1: program './missing' not found: {} does not exist; {}", path("missing"),
                                 relative_note())});
  EXPECT_EQ(lint("workdir = \"nowhere\"\ncommand = [\"./train\", \"{seed}\"]"),
            Findings{fmt::format("4:1: the run's working folder {} does not exist ([subject] workdir), so the "
                                 "program cannot start there",
                                 path("nowhere"))});
  // What the shell would run is not a plain word: nothing is said about it.
  EXPECT_EQ(lint("command = \"cd sub && ./missing {seed}\""), Findings{});
  EXPECT_EQ(lint("command = [\"{run_dir}/train\", \"{seed}\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"\", \"{seed}\"]"),
            Findings{"3:1: 'command' names no program: its first argument is empty"});
}

TEST_F(ProgramLintTest, ABareNameNotOnThePath) {
  std::string bin = path("bin");
  EXPECT_EQ(lint("command = [\"no-such-trainer\", \"{seed}\"]"),
            Findings{fmt::format("3:1: program 'no-such-trainer' not found: it is not on PATH ({})", bin)});
  write("train", "#!/bin/sh\n");
  EXPECT_EQ(lint("command = [\"train\", \"{seed}\"]"),
            Findings{fmt::format("3:1: program 'train' not found: it is not on PATH ({}); to run {} from the "
                                 "working folder, write './train'",
                                 bin, path("train"))});
  write("bin/unrunnable", "#!/bin/sh\n", false);
  EXPECT_EQ(lint("command = [\"unrunnable\", \"{seed}\"]"),
            Findings{fmt::format("3:1: program 'unrunnable' cannot run: {}, the first match on PATH, is not "
                                 "executable",
                                 path("bin/unrunnable"))});
}

TEST_F(ProgramLintTest, AProgramThatCannotRun) {
  write("train.sh", "#!/bin/sh\n", false);
  EXPECT_EQ(lint("command = [\"./train.sh\", \"{seed}\"]"),
            Findings{fmt::format("3:1: program './train.sh' cannot run: {} is not an executable file; make it "
                                 "executable (chmod +x) or put its interpreter first in 'command'",
                                 path("train.sh"))});
  fs::create_directories(m_dir / "build");
  EXPECT_EQ(
      lint("command = [\"./build\", \"{seed}\"]"),
      Findings{fmt::format("3:1: program './build' cannot run: {} is a folder; {}", path("build"), relative_note())});
}

// A FIFO in the program's place is never opened: reading it would wait for a writer forever.
TEST_F(ProgramLintTest, AFifoIsNotRead) {
  write("bin/sh", "#!/bin/sh\n");
  ASSERT_EQ(::mkfifo((m_dir / "train.sh").c_str(), 0755), 0);
  EXPECT_EQ(lint("command = [\"sh\", \"train.sh\"]"), Findings{});
  EXPECT_EQ(lint("command = [\"./train.sh\", \"{seed}\"]"),
            Findings{fmt::format("3:1: program './train.sh' cannot run: {} is not an executable file; make it "
                                 "executable (chmod +x) or put its interpreter first in 'command'",
                                 path("train.sh"))});
}

}  // namespace
}  // namespace seedgate
