// End-to-end tests: the real seedgate binary, run in a cleaned environment
// against the fake trainer (one behaviour per failure mode) and the example.
// Each asserts the exit code, the verdict and the message a user would see.
#include <set>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kChecks = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
worst_at_least = 0.85

[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01

[[check]]
kind = "reproducibility"

[[check]]
kind = "seed-sensitivity"
)";

TEST_F(CliTest, StableProgramPasses) {
  write_policy("\"stable\"", kChecks);
  std::ofstream(m_dir / "step-summary.md") << "earlier step\n";
  Outcome o = seedgate({"run", "-j", "2"}, {"GITHUB_STEP_SUMMARY=" + (m_dir / "step-summary.md").string()});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("seedgate fake: 8 runs (8 passed)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("per seed (seed:value): 0:0.95 1:0.951 2:0.952 3:0.953"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("verdict: PASS (0 of 4 checks failed; exit 0)"), std::string::npos) << o.out;
  EXPECT_TRUE(junit_valid());
  auto r = results();
  EXPECT_EQ(r["schema_version"], 2);
  EXPECT_EQ(r["verdict"], "pass");
  EXPECT_EQ(r["runs"].size(), 8u);
  EXPECT_TRUE(r["policy"]["digest"].get<std::string>().starts_with("xxh3:"));
  EXPECT_FALSE(r["environment"]["host"].get<std::string>().empty());
  EXPECT_EQ(r["runs"][0]["series"]["loss"].size(), 2u);
  // Every run had a fresh folder with its logs, and a line of its own in the journal.
  for (const auto& run : r["runs"]) {
    fs::path dir = m_dir / ".seedgate" / "runs" / run["id"].get<std::string>();
    EXPECT_TRUE(fs::exists(dir / "stdout.log") && fs::exists(dir / "metrics.jsonl"));
  }
  auto journal = util::read_file(m_dir / ".seedgate" / "runs.journal");
  ASSERT_TRUE(journal);
  EXPECT_EQ(std::count(journal->begin(), journal->end(), '\n'), 1 + 8);
  EXPECT_TRUE(fs::exists(m_dir / ".seedgate" / "results.json"));
  EXPECT_NE(util::read_file(m_dir / "summary.md")->find("## seedgate: fake — PASS"), std::string::npos);
  EXPECT_TRUE(util::read_file(m_dir / "step-summary.md")->starts_with("earlier step\n## seedgate: fake — PASS"));
}

TEST_F(CliTest, TermStopsTheSweepLikeInterrupt) {
  write_policy("\"slow\", \"300\", \"cli-term-marker\"",
               "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n", "",
               "seeds = 20\nrepeats = 1\njobs = 2\n");
  pid_t pid = spawn({"run"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (starts() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGTERM);
  Outcome o = finish(pid);
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.out.find("interrupted s"), std::string::npos) << o.out;
  EXPECT_NE(std::system("pgrep -f 'fake_traine[r] slow 300 cli-term-marker' >/dev/null"), 0);
  EXPECT_TRUE(results(".seedgate/results.json")["interrupted"].get<bool>());
}

TEST_F(CliTest, NondeterministicProgramFailsReproducibility) {
  // The fake's repeats differ by 0.004 and its seeds by at most 1e-5, so the
  // seed's share is near zero on every run, not just on most.
  write_policy("\"nondeterministic\"", kChecks, "", "seeds = 20\nrepeats = 2\njobs = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("FAIL  reproducibility"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("seed 0 (mode=deterministic, device=cpu): artifact 'model' differs: repeat 0 xxh3:"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("seed 0 (mode=deterministic, device=cpu): metric 'accuracy' differs: repeat 0 0.9"),
            std::string::npos);
  // It ignores its seed and reads the clock: different seeds differ, but no
  // more than repeats of one seed do, so seed-sensitivity fails too.
  EXPECT_NE(o.out.find("FAIL  seed-sensitivity"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("the seed's effect is within run-to-run noise"), std::string::npos) << o.out;
  EXPECT_TRUE(junit_valid());
  EXPECT_NE(util::read_file(m_dir / "junit.xml")->find("<failure type=\"fail\" message=\"seed 0 (mode=deterministic"),
            std::string::npos);
}

TEST_F(CliTest, ProgramIgnoringItsSeedFailsSeedSensitivity) {
  write_policy("\"ignores-seed\"", kChecks);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("FAIL  seed-sensitivity"), std::string::npos);
  EXPECT_NE(o.out.find("seeds 0 and 1 produced the same artifact 'model' (xxh3:"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("the program may ignore its seed"), std::string::npos);
}

TEST_F(CliTest, CrashOnOneSeedCountsBelowTheBounds) {
  write_policy("\"crash-on-seed\", \"2\"", kChecks);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("failed      s2-deterministic-cpu-r0: killed by signal SIGABRT (aborted)"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("error: 2 runs failed; the policy allows 0 (allowed_failures)"), std::string::npos) << o.out;
  // The lost seed is not left out of the threshold: it counts as below both bounds.
  EXPECT_NE(o.out.find("accuracy: seed 2 (failed: killed by signal SIGABRT (aborted)) lost, counted as below "
                       "mean_at_least 0.9"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("verdict: FAIL"), std::string::npos);
  auto r = results();
  EXPECT_EQ(r["runs"][4]["status"], "failed");
  EXPECT_NE(r["runs"][4]["stderr_tail"].get<std::string>().find("about to crash on seed 2"), std::string::npos);
  EXPECT_TRUE(junit_valid());
}

TEST_F(CliTest, AllowedFailuresStillCountLostSeedsUnlessExcluded) {
  // A program that crashes on a seed must not look better than one that
  // doesn't: the threshold counts the lost seed as below its bounds.
  write_policy("\"crash-on-seed\", \"2\"", kChecks, "allowed_failures = 2");
  Outcome counted = seedgate({"run"});
  EXPECT_EQ(counted.exit_code, 1) << counted.out << counted.err;
  EXPECT_NE(counted.out.find("8 runs (2 failed, 6 passed)"), std::string::npos) << counted.out;
  EXPECT_NE(counted.out.find("counted as below worst_at_least 0.85"), std::string::npos) << counted.out;
  // Excluded, by the policy's choice: judged on the seeds that finished, and every check says what it lost.
  std::string checks = kChecks;
  checks.replace(checks.find("worst_at_least = 0.85\n"), 22, "worst_at_least = 0.85\nlost_seeds = \"exclude\"\n");
  write_policy("\"crash-on-seed\", \"2\"", checks, "allowed_failures = 2");
  Outcome excluded = seedgate({"run"});
  EXPECT_EQ(excluded.exit_code, 0) << excluded.out << excluded.err;
  EXPECT_NE(excluded.out.find("lost 1 seed (mode=deterministic, device=cpu): seed 2 (failed: killed by signal "
                              "SIGABRT (aborted)); left out of the statistics (lost_seeds = \"exclude\")"),
            std::string::npos)
      << excluded.out;
  bool reported = false;
  nlohmann::json judged = results();
  for (const auto& statistic : judged["checks"][1]["statistics"])
    reported |= statistic["name"] == "lost_seeds" && statistic["value"] == 1;
  EXPECT_TRUE(reported) << judged["checks"][1].dump();
}

TEST_F(CliTest, HangWithGrandchildTimesOutAndKillsTheGroup) {
  write_policy("\"grandchild-hang\", \"cli-hang-marker\"", kChecks, "grace = \"200ms\"", "seeds = 2\njobs = 2\n");
  auto started = std::chrono::steady_clock::now();
  std::ofstream(m_dir / "seedgate.toml", std::ios::app);
  std::string policy = *util::read_file(m_dir / "seedgate.toml");
  policy.replace(policy.find("timeout = \"60s\""), 15, "timeout = \"1s\"");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  Outcome o = seedgate({"run"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
  // Every run lost: the threshold counts them below its bounds, and a failed check wins over 3.
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("timed-out   s0-deterministic-cpu-r0: timed out after 1s; process group ended by SIGTERM "
                       "(terminated)"),
            std::string::npos)
      << o.out;
  // The grandchild (sleeping 300 s) went with its group.
  EXPECT_NE(std::system(fmt::format("pgrep -f 'fake_traine[r] grandchild-hang cli-hang-marker' >/dev/null").c_str()),
            0);
}

TEST_F(CliTest, FloodingProgramIsCapped) {
  write_policy("\"flood\", \"200\"", kChecks, "output_limit = \"1MiB\"", "seeds = 2\nrepeats = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  auto r = results();
  EXPECT_GE(r["runs"][0]["process"]["stdout_bytes"].get<std::uint64_t>(), 200u << 20);
  EXPECT_TRUE(r["runs"][0]["process"]["stdout_truncated"].get<bool>());
  EXPECT_LT(fs::file_size(m_dir / ".seedgate/runs/s0-deterministic-cpu-r0/stdout.log"), (1u << 20) + 200);
}

TEST_F(CliTest, MalformedMetricsAreReportedNotFatal) {
  write_policy("\"malformed\"", kChecks);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  auto issues = results()["runs"][0]["issues"];
  EXPECT_EQ(issues[0], "metrics.jsonl:1: not a JSON object: this is not json");
  EXPECT_EQ(issues[1], "metrics.jsonl:2: metric 'loss' is nan");
  EXPECT_NE(o.out.find("metrics.jsonl:1: not a JSON object: this is not json"), std::string::npos) << o.out;
}

TEST_F(CliTest, NanMetricFailsTheThreshold) {
  write_policy("\"nan\"", kChecks);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("accuracy: non-finite value in seed 0 repeat 0 (nan), seed 0 repeat 1 (nan)"), std::string::npos)
      << o.out;
}

TEST_F(CliTest, XmlHostileOutputStillGivesValidJunit) {
  write_policy("\"xml-hostile\"", kChecks);
  Outcome o = seedgate({"run"});
  // Every run lost: the threshold counts them below its bounds, and a failed check wins over 3.
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("failed      s0-deterministic-cpu-r0: exited with code 1"), std::string::npos);
  EXPECT_TRUE(junit_valid()) << *util::read_file(m_dir / "junit.xml");
  std::string xml = *util::read_file(m_dir / "junit.xml");
  EXPECT_NE(xml.find("bell\\x07 nul-free esc\\x1b[31m ]]&gt; &lt;tag&gt;"), std::string::npos);
}

TEST_F(CliTest, MissingMetricFailsTheRun) {
  write_policy("\"exit\", \"0\"", kChecks);
  Outcome o = seedgate({"run"});
  // Every run lost: the threshold counts them below its bounds, and a failed check wins over 3.
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("s0-deterministic-cpu-r0: metric 'accuracy' was not reported in the metrics file"),
            std::string::npos)
      << o.out;
}

TEST_F(CliTest, MissingProgramIsNamed) {
  std::ofstream(m_dir / "seedgate.toml")
      << "version = 1\n[subject]\ncommand = [\"./no-such-trainer\"]\n[sweep]\nseeds = 1\n"
      << "[[check]]\nkind = \"failures\"\nrate_at_most = 0.5\n";
  Outcome o = seedgate({"run"});
  // The run that could not start is a failure the check counts: it fails.
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find(fmt::format("s0-deterministic-cpu-r0: command not found: ./no-such-trainer (resolved in the "
                                   "working folder {}) (127)",
                                   m_dir.string())),
            std::string::npos)
      << o.out;
}

TEST_F(CliTest, RegexMetricsFromAnUnchangedProgram) {
  std::ofstream(m_dir / "seedgate.toml") << fmt::format(R"(version = 1
[subject]
command = ["{}", "stable"]
[sweep]
seeds = 3
[metrics.error]
goal = "min"
regex = 'test-error:([0-9.]+)'
stream = "stdout"
[[check]]
kind = "threshold"
metric = "error"
mean_at_most = 0.06
)",
                                                        FAKE_TRAINER);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("per seed (seed:value): 0:0.05 1:0.049 2:0.048"), std::string::npos) << o.out;
}

// Each run starts in an empty folder of its own, whatever an earlier sweep
// left under the same names, and only runs that wrote something keep one.
// Folders of runs that wrote nothing are handed on from run to run.
TEST_F(CliTest, EachRunStartsInAnEmptyFolderAndOnlyRunsThatWroteKeepOne) {
  write_script_policy(R"(#!/bin/sh
left=$(ls -A "$SEEDGATE_RUN_DIR")
if [ -n "$left" ]; then echo "folder not empty: $left" >&2; exit 3; fi
case $((SEEDGATE_SEED % 3)) in
  0) echo "printed by seed $SEEDGATE_SEED" ;;
  1) echo "written by seed $SEEDGATE_SEED" > "$SEEDGATE_RUN_DIR/note.txt" ;;
esac
)",
                      12, 2);
  // An earlier sweep's leftovers: full folders for runs that will print, write
  // and stay silent, and a plain file where a folder must go.
  fs::path runs = m_dir / ".seedgate" / "runs";
  for (const char* id : {"s0-deterministic-cpu-r0", "s1-deterministic-cpu-r0", "s2-deterministic-cpu-r0"}) {
    fs::create_directories(runs / id / "sub");
    std::ofstream(runs / id / "stdout.log") << "stale\n";
    std::ofstream(runs / id / "sub" / "old.bin") << "stale\n";
  }
  std::ofstream(runs / "s5-deterministic-cpu-r0") << "a file, not a folder\n";

  Outcome o = seedgate({"run"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  auto r = results(".seedgate/results.json");
  ASSERT_EQ(r["runs"].size(), 12u);
  for (const auto& run : r["runs"]) EXPECT_EQ(run["status"], "passed") << run.dump();
  std::set<std::string> kept;
  for (const auto& entry : fs::directory_iterator(runs)) kept.insert(entry.path().filename().string());
  std::set<std::string> expected;
  for (int seed = 0; seed < 12; ++seed)
    if (seed % 3 != 2) expected.insert(fmt::format("s{}-deterministic-cpu-r0", seed));
  EXPECT_EQ(kept, expected);
  for (int seed = 0; seed < 12; ++seed) {
    fs::path dir = runs / fmt::format("s{}-deterministic-cpu-r0", seed);
    if (seed % 3 == 2) continue;
    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir)) files.insert(entry.path().filename().string());
    std::string file = seed % 3 == 0 ? "stdout.log" : "note.txt";
    EXPECT_EQ(files, std::set<std::string>{file}) << dir;
    EXPECT_EQ(*util::read_file(dir / file),
              fmt::format("{} by seed {}\n", seed % 3 == 0 ? "printed" : "written", seed));
  }
}

// A run's output file is made when it first prints: a run that printed what
// could not be kept fails, named, whatever it exited with (its metrics, or why
// it failed, may have been in that output).
TEST_F(CliTest, ARunWhoseOutputCouldNotBeKeptFailsAndSaysWhy) {
  write_script_policy(R"(#!/bin/sh
if [ "$SEEDGATE_SEED" = 1 ]; then mkdir "$SEEDGATE_RUN_DIR/stdout.log"; fi
echo "printed by seed $SEEDGATE_SEED"
)",
                      3, 1);
  Outcome o = seedgate({"run"});
  // A failed run is more than the policy's allowed_failures (0): the sweep cannot be judged.
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  const std::string lost =
      fmt::format("cannot keep stdout in {}: is a directory",
                  (m_dir / ".seedgate" / "runs" / "s1-deterministic-cpu-r0" / "stdout.log").string());
  auto r = results(".seedgate/results.json");
  ASSERT_EQ(r["runs"].size(), 3u);
  EXPECT_EQ(r["runs"][0]["status"], "passed");
  EXPECT_EQ(r["runs"][1]["status"], "failed");
  EXPECT_EQ(r["runs"][1]["message"], lost);
  EXPECT_EQ(r["runs"][2]["status"], "passed");
  EXPECT_EQ(*util::read_file(m_dir / ".seedgate/runs/s2-deterministic-cpu-r0/stdout.log"), "printed by seed 2\n");
  EXPECT_NE(o.out.find("failed      s1-deterministic-cpu-r0: " + lost), std::string::npos) << o.out << o.err;
}

// A run that failed and lost its output says both.
TEST_F(CliTest, AFailedRunWhoseOutputCouldNotBeKeptSaysBoth) {
  write_script_policy(R"(#!/bin/sh
mkdir "$SEEDGATE_RUN_DIR/stdout.log"
echo "printed by seed $SEEDGATE_SEED"
exit 4
)",
                      1, 1);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;  // the failures check fails
  auto r = results(".seedgate/results.json");
  ASSERT_EQ(r["runs"].size(), 1u);
  EXPECT_EQ(r["runs"][0]["status"], "failed");
  EXPECT_EQ(r["runs"][0]["message"],
            fmt::format("exited with code 4; cannot keep stdout in {}: is a directory",
                        (m_dir / ".seedgate" / "runs" / "s0-deterministic-cpu-r0" / "stdout.log").string()));
}

// libpq and libxgboost (with the thirty libraries they need) are loaded by
// the commands that use them, not at every start.
TEST_F(CliTest, StartsWithoutLibpqOrXGBoost) {
  if (std::system("command -v readelf >/dev/null 2>&1") != 0) GTEST_SKIP() << "readelf is not installed";
  std::string command = fmt::format("readelf -d '{}' > '{}'", SEEDGATE_BIN, (m_dir / "dynamic.txt").string());
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::string dynamic = *util::read_file(m_dir / "dynamic.txt");
  EXPECT_NE(dynamic.find("(NEEDED)"), std::string::npos) << dynamic;
  EXPECT_EQ(dynamic.find("libpq"), std::string::npos) << dynamic;
  EXPECT_EQ(dynamic.find("libxgboost"), std::string::npos) << dynamic;
}

TEST_F(CliTest, PolicyErrorExitsTwoWithPosition) {
  std::ofstream(m_dir / "seedgate.toml") << "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseds = 3\n";
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "seedgate.toml:5:1: unknown key 'seds' in [sweep]; did you mean 'seeds'?\n");
  EXPECT_EQ(seedgate({"policy", "lint"}).exit_code, 2);
}

TEST_F(CliTest, PolicyLintWarnsWhereChecksCannotWork) {
  write_policy("\"stable\"", kChecks, "", "seeds = 1\n");
  Outcome o = seedgate({"policy", "lint"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(
      o.out,
      "seedgate.toml:22:1: warning: check 'variance-accuracy' needs at least 2 seeds, but [sweep] runs 1\n"
      "seedgate.toml:27:1: warning: check 'reproducibility' compares repeats of a seed, but [sweep] repeats = 1; "
      "set repeats = 2 or more\n"
      "seedgate.toml:30:1: warning: check 'seed-sensitivity' compares repeats of a seed, but [sweep] repeats = 1; "
      "set repeats = 2 or more\n"
      "seedgate.toml:30:1: warning: check 'seed-sensitivity' needs at least 2 seeds, but [sweep] runs 1\n"
      "seedgate.toml: ok (4 checks, 4 warnings)\n");
}

TEST_F(CliTest, InitWritesStarterFilesOnce) {
  Outcome o = seedgate({"init"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(o.out.starts_with("wrote ./seedgate.toml\nwrote ./.github/workflows/seedgate.yml\n")) << o.out;
  EXPECT_EQ(seedgate({"policy", "lint"}).exit_code, 0);
  Outcome again = seedgate({"init"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.err, "seedgate: ./seedgate.toml exists; not overwriting it (--force overwrites)\n");
}

TEST_F(CliTest, InitForACommandGivesAPolicyThatRunsAndTheTemplateWorkflow) {
  Outcome o = seedgate({"init", "--dir", "project", "--", FAKE_TRAINER, "stable", "--label", "a \"quoted\" \\ arg"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("next: make the program append {\"accuracy\": ...} lines to $SEEDGATE_METRICS, run `seedgate "
                       "run`, and set the repository variable SEEDGATE_REPOSITORY (owner/name of your seedgate copy) "
                       "for the workflow\n"),
            std::string::npos)
      << o.out;
  std::string policy = *util::read_file(m_dir / "project" / "seedgate.toml");
  EXPECT_NE(policy.find(fmt::format(R"(command = ["{}", "stable", "--label", "a \"quoted\" \\ arg"])", FAKE_TRAINER)),
            std::string::npos)
      << policy;
  EXPECT_NE(policy.find("name = \"fake_trainer\""), std::string::npos);
  EXPECT_EQ(*util::read_file(m_dir / "project" / ".github" / "workflows" / "seedgate.yml"),
            *util::read_file(fs::path(EXAMPLES_DIR) / ".." / "ci-templates" / "github" / "seedgate.yml"));
  // The policy works as written: the sweep runs and passes, the linter reads its [lint] table.
  Outcome run = seedgate({"run", "-p", "project/seedgate.toml", "--out", "project/.seedgate"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("verdict: PASS (0 of 3 checks failed; exit 0)"), std::string::npos) << run.out;
  EXPECT_TRUE(fs::exists(m_dir / "project" / "seedgate-report.html"));
  EXPECT_EQ(seedgate({"lint", "-p", "project/seedgate.toml"}).exit_code, 0);
  Outcome loss = seedgate({"init", "--dir", "loss", "--metric", "val_loss", "--goal", "min", "--", "./train"});
  EXPECT_EQ(loss.exit_code, 0);
  std::string loss_policy = *util::read_file(m_dir / "loss" / "seedgate.toml");
  EXPECT_NE(loss_policy.find("[metrics.\"val_loss\"]\ngoal = \"min\""), std::string::npos) << loss_policy;
  EXPECT_NE(loss_policy.find("# mean_at_most = 0.9"), std::string::npos);
  EXPECT_EQ(seedgate({"policy", "lint", "-p", "loss/seedgate.toml"}).exit_code, 0);
}

TEST_F(CliTest, UsageErrors) {
  EXPECT_EQ(seedgate({"run", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(seedgate({}).exit_code, 2);
  Outcome missing = seedgate({"run", "-p", "absent.toml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "cannot read absent.toml: no such file or directory\n");
  Outcome version = seedgate({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(version.out.starts_with("seedgate ")) << version.out;
  Outcome help = seedgate({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--policy", "--jobs", "--out", "--resume"})
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
}

// A count is a whole number from 1, said so in one short line; -j also takes
// "auto" (one run per CPU), as the policy's jobs does.
TEST_F(CliTest, CountsAreWholeNumbersFromOneAndJobsTakesAuto) {
  for (const char* bad : {"0", "-5", "1.5", "99999999999999999999", "some"}) {
    Outcome o = seedgate({"run", "-j", bad});
    EXPECT_EQ(o.exit_code, 2) << bad;
    EXPECT_NE(
        o.err.find(fmt::format("--jobs: expected a whole number from 1 to 2147483647 or \"auto\", got \"{}\"", bad)),
        std::string::npos)
        << o.err;
    EXPECT_LT(o.err.size(), 200u) << o.err;
  }
  Outcome last = seedgate({"history", "list", "--last", "0"});
  EXPECT_EQ(last.exit_code, 2);
  EXPECT_NE(last.err.find("--last: expected a whole number from 1 to 2147483647, got \"0\""), std::string::npos)
      << last.err;
  write_script_policy("echo $SEEDGATE_SEED\n", 3, 1);
  Outcome o = seedgate({"run", "-j", "auto"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(results(".seedgate/results.json")["runs"].size(), 3u);
}

TEST_F(CliTest, CheckRejudgesStoredResultsWithoutTraining) {
  write_policy("\"stable\"", kChecks);
  ASSERT_EQ(seedgate({"run"}).exit_code, 0);
  std::size_t trained = starts();
  EXPECT_EQ(trained, 8u);
  std::string strict = kChecks;
  strict.replace(strict.find("mean_at_least = 0.9"), 19, "mean_at_least = 0.99");
  write_policy("\"stable\"", strict, "", "seeds = 4\nrepeats = 2\njobs = 2\n", "strict.toml");
  Outcome o = seedgate({"check", "-p", "strict.toml", ".seedgate/results.json"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("accuracy: mean 0.9515 over seeds 0..3 is below mean_at_least 0.99"), std::string::npos)
      << o.out;
  EXPECT_EQ(starts(), trained);
  EXPECT_EQ(seedgate({"check", "-p", "seedgate.toml", ".seedgate/results.json"}).exit_code, 0);
  Outcome two = seedgate({"check", ".seedgate/results.json", ".seedgate/results.json"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(two.err,
            "seedgate: .seedgate/results.json is not a shard (it was not run with --shard); check it alone, or merge "
            "only shard files\n");
  Outcome report = seedgate({"report", ".seedgate/results.json", "--junit", "again.xml"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("PASS  threshold-accuracy"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("verdict: PASS (0 of 4 checks failed; exit 0)"), std::string::npos) << report.out;
  EXPECT_TRUE(junit_valid("again.xml"));
  EXPECT_NE(util::read_file(m_dir / "again.xml")->find("<testcase name=\"threshold-accuracy\""), std::string::npos);
}

TEST_F(CliTest, BaselineAndRegression) {
  write_policy("\"stable\"", kChecks);
  ASSERT_EQ(seedgate({"run"}).exit_code, 0);
  Outcome saved = seedgate({"baseline", "save", ".seedgate/results.json", "-o", "baselines/main.json"});
  EXPECT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_EQ(saved.out, "baseline: 8 runs over seeds 0..3 written to baselines/main.json\n");
  write_policy(
      "\"stable\"",
      "[[check]]\nkind = \"regression\"\nmetric = \"accuracy\"\nbaseline = \"baselines/main.json\"\nmargin = 0.005\n",
      "", "seeds = 4\nrepeats = 2\njobs = 2\n", "regression.toml");
  Outcome o = seedgate({"check", "-p", "regression.toml", ".seedgate/results.json"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("PASS  regression-accuracy"), std::string::npos);
  fs::remove(m_dir / "baselines/main.json");
  Outcome missing = seedgate({"check", "-p", "regression.toml", ".seedgate/results.json"});
  EXPECT_EQ(missing.exit_code, 3) << missing.out;
  EXPECT_NE(missing.out.find(fmt::format("ERROR regression-accuracy\n          cannot read baseline: cannot read {}: "
                                         "no such file or directory",
                                         (m_dir / "baselines/main.json").string())),
            std::string::npos)
      << missing.out;
}

TEST_F(CliTest, InterruptKeepsFinishedRunsAndResumeFinishesTheSweep) {
  write_policy("\"slow\", \"400\", \"cli-interrupt-marker\"",
               "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n", "",
               "seeds = 6\nrepeats = 1\njobs = 1\n");
  pid_t pid = spawn({"run"});
  fs::path runs = m_dir / ".seedgate" / "runs";
  auto finished_runs = [&] {  // the journal's lines after its header
    auto journal = util::read_file(runs.parent_path() / "runs.journal");
    std::size_t lines = journal ? static_cast<std::size_t>(std::count(journal->begin(), journal->end(), '\n')) : 0;
    return lines > 0 ? lines - 1 : 0;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (finished_runs() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGINT);
  Outcome interrupted = finish(pid);
  EXPECT_EQ(interrupted.exit_code, 3) << interrupted.out << interrupted.err;
  EXPECT_NE(interrupted.out.find("the sweep was interrupted with"), std::string::npos) << interrupted.out;
  EXPECT_NE(std::system(fmt::format("pgrep -f 'fake_traine[r] slow 400 cli-interrupt-marker' >/dev/null").c_str()), 0);
  std::size_t kept = finished_runs();
  auto r = results(".seedgate/results.json");
  EXPECT_TRUE(r["interrupted"].get<bool>());
  std::size_t passed = 0;
  for (const auto& run : r["runs"]) passed += run["status"] == "passed";
  EXPECT_GE(passed, 2u);
  EXPECT_LT(passed, 6u);
  std::size_t started_before = starts();

  Outcome resumed = seedgate({"run", "--resume"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find(fmt::format("resuming: {} of 6 runs already finished", passed)), std::string::npos)
      << resumed.err;
  EXPECT_EQ(starts() - started_before, 6 - passed);  // finished runs were not rerun
  EXPECT_GE(kept, passed);
}

TEST_F(CliTest, CudaRunsAreSkippedWithoutAGpu) {
  if (fs::exists("/proc/driver/nvidia/gpus")) GTEST_SKIP() << "this machine has a GPU";
  write_policy("\"stable\"", kChecks, "", "seeds = 2\nrepeats = 2\ndevices = [\"cpu\", \"cuda\"]\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("8 runs (4 passed, 4 skipped)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("skipped     s0-deterministic-cuda-r0: no GPU on this machine"), std::string::npos) << o.out;
  EXPECT_TRUE(junit_valid());
  EXPECT_NE(util::read_file(m_dir / "junit.xml")->find("<skipped message=\"no GPU on this machine\"/>"),
            std::string::npos);
  // A check that insists on CUDA has nothing to judge.
  write_policy("\"stable\"",
               "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\ndevices = [\"cuda\"]\n",
               "", "seeds = 2\nrepeats = 2\ndevices = [\"cpu\", \"cuda\"]\n");
  Outcome cuda_only = seedgate({"run"});
  EXPECT_EQ(cuda_only.exit_code, 3) << cuda_only.out;
  EXPECT_NE(cuda_only.out.find("no finished run matches this check's modes, devices and threads"), std::string::npos);
}

TEST_F(CliTest, ExampleSweepRunsAndShowsDistribution) {
  std::string policy = *util::read_file(fs::path(EXAMPLES_DIR) / "digits_mlp" / "seedgate.toml");
  policy.replace(policy.find("../../build/examples/digits_mlp"), 31, DIGITS_MLP);
  policy.replace(policy.find("../data/digits.csv"), 18, std::string(EXAMPLES_DIR) + "/data/digits.csv");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("accuracy across seeds"), std::string::npos);
  EXPECT_NE(o.out.find("verdict: PASS"), std::string::npos);
  EXPECT_TRUE(junit_valid("seedgate-junit.xml"));
  expect_round_trip(".seedgate/results.json", "seedgate-results.json");

  // The same sweep in 3 shards, one after another, merged: the same verdicts
  // and statistics, every run in the same place.
  nlohmann::json whole = results("seedgate-results.json");
  for (int k = 1; k <= 3; ++k)
    ASSERT_EQ(seedgate({"run", "--shard", fmt::format("{}/3", k), "--out", fmt::format("shard{}", k)}).exit_code, 0);
  Outcome merged =
      seedgate({"check", "shard1/shard-1-of-3.json", "shard2/shard-2-of-3.json", "shard3/shard-3-of-3.json"});
  EXPECT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  nlohmann::json sharded = results("seedgate-results.json");
  EXPECT_EQ(sharded["checks"], whole["checks"]);
  ASSERT_EQ(sharded["runs"].size(), whole["runs"].size());
  for (std::size_t i = 0; i < whole["runs"].size(); ++i) {
    EXPECT_EQ(sharded["runs"][i]["id"], whole["runs"][i]["id"]);
    EXPECT_EQ(sharded["runs"][i]["metrics"], whole["runs"][i]["metrics"]);
    EXPECT_EQ(sharded["runs"][i]["digests"], whole["runs"][i]["digests"]);
  }
  // The console's statistics match line for line, from the distributions to the verdict.
  auto from_distribution = [](const std::string& text) {
    std::size_t from = text.find("accuracy across seeds");
    return text.substr(from, text.find('\n', text.find("verdict: ")) - from);
  };
  EXPECT_EQ(from_distribution(merged.out), from_distribution(o.out));
}

}  // namespace

// Sequential sweeps: the fake's accuracy is Normal(MEAN, SD) by seed, so the
// decision at each look is known in advance of nothing but the distribution.
const std::string kSequentialCheck = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.90
confidence = 0.95
inconclusive = "more-seeds"
)";
const std::string kSequentialSweep = "seeds = { start = 0, count = 5, max = 20 }\njobs = 2\n";

TEST_F(CliTest, MoreSeedsStopsAtTheFirstLookOnAClearCase) {
  write_policy("\"normal\", \"0.95\", \"0.005\"", kSequentialCheck, "", kSequentialSweep);
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(starts(), 5u);
  nlohmann::json r = results();
  EXPECT_EQ(r["sequential"]["look"], 0);
  EXPECT_EQ(r["sequential"]["looks"], nlohmann::json::parse("[5, 10, 15, 20]"));
  EXPECT_EQ(r["checks"][0]["verdict"], "pass");
  EXPECT_NE(o.out.find("look 1 of 4"), std::string::npos) << o.out;
}

TEST_F(CliTest, MoreSeedsExtendsABorderlineCaseUntilDecided) {
  // True mean 0.905 against a bound of 0.90 with sd 0.01: five seeds cannot tell, more can.
  write_policy("\"normal\", \"0.905\", \"0.01\"", kSequentialCheck, "", kSequentialSweep);
  Outcome o = seedgate({"run", "--out", "sweep"});
  nlohmann::json r = results();
  EXPECT_GT(starts(), 5u) << o.out;
  EXPECT_LT(starts(), 20u) << o.out;
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(r["checks"][0]["verdict"], "pass");
  EXPECT_EQ(r["seeds"].size(), starts());
  EXPECT_GE(r["sequential"]["look"].get<int>(), 1);
  // `seedgate check` judges the stored look the same way.
  Outcome again = seedgate({"check", "results.json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST_F(CliTest, MoreSeedsUndecidedAtTheCeilingFails) {
  // True mean exactly at the bound: no number of seeds decides it.
  write_policy("\"normal\", \"0.90\", \"0.02\"", kSequentialCheck, "", kSequentialSweep);
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_EQ(starts(), 20u);
  nlohmann::json r = results();
  EXPECT_EQ(r["checks"][0]["verdict"], "inconclusive");
  EXPECT_EQ(r["checks"][0]["counted_as"], "fail");
  EXPECT_NE(o.out.find("still inconclusive after 20 seeds"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("INCONCLUSIVE (counted as fail)"), std::string::npos) << o.out;
  EXPECT_TRUE(junit_valid());
}

TEST_F(CliTest, InconclusiveCountsAsThePolicySays) {
  std::string check = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.90
confidence = 0.95
inconclusive = "pass"
)";
  write_policy("\"normal\", \"0.90\", \"0.02\"", check, "", "seeds = 5\njobs = 2\n");
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(results()["checks"][0]["verdict"], "inconclusive");
  EXPECT_EQ(results()["checks"][0]["counted_as"], "pass");
  std::string junit = *util::read_file(m_dir / "junit.xml");
  EXPECT_EQ(junit.find("<failure type=\"inconclusive\""), std::string::npos);
  EXPECT_NE(junit.find("95% bounds ["), std::string::npos);
}

TEST_F(CliTest, RegressionWithConfidenceAgainstASavedBaseline) {
  const std::string check = R"([[check]]
kind = "regression"
metric = "accuracy"
baseline = "baselines/main.json"
margin = 0.005
confidence = 0.95
)";
  write_policy("\"normal\", \"0.95\", \"0.005\"", check, "", "seeds = 12\njobs = 2\n");
  ASSERT_EQ(seedgate({"run", "--out", "base"}).exit_code, 3);  // no baseline yet: cannot evaluate
  Outcome saved = seedgate({"baseline", "save", "results.json", "-o", "baselines/main.json"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  // The same distribution: non-inferior within the margin.
  Outcome same = seedgate({"run", "--out", "same"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("worse_by 0, 95% bounds ["), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("prob_improvement 0.5"), std::string::npos) << same.out;
  EXPECT_EQ(same.out.find("different environments"), std::string::npos) << same.out;
  // Two points worse: a regression, with its bounds in the JUnit failure message.
  write_policy("\"normal\", \"0.93\", \"0.005\"", check, "", "seeds = 12\njobs = 2\n");
  Outcome worse = seedgate({"run", "--out", "worse"});
  EXPECT_EQ(worse.exit_code, 1) << worse.out << worse.err;
  std::string junit = *util::read_file(m_dir / "junit.xml");
  EXPECT_NE(junit.find("message=\"accuracy: worse_by 0.02 against the baseline mean 0.95"), std::string::npos) << junit;
  EXPECT_NE(junit.find("is above margin 0.005"), std::string::npos) << junit;
  EXPECT_TRUE(junit_valid());
}
// Results written before schema version 2 (tests/data/results-v1: a sweep
// with crashed runs that failed its threshold check) still check, report and
// save as a baseline, judged as they were.
TEST_F(CliTest, ResultsOfSchemaVersion1StillCheckReportAndSave) {
  const fs::path v1 = fs::path(JUNIT_SCHEMA).parent_path() / "results-v1";
  fs::copy_file(v1 / "seedgate.toml", m_dir / "seedgate.toml", fs::copy_options::overwrite_existing);
  fs::copy_file(v1 / "results.json", m_dir / "old.json");
  const nlohmann::json stored = nlohmann::json::parse(*util::read_file(v1 / "results.json"));
  ASSERT_EQ(stored["schema_version"], 1);

  Outcome checked = seedgate({"check", "old.json"});
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  for (const auto& check : stored["checks"]) {
    std::string word = check["verdict"] == "fail" ? "FAIL" : "PASS";
    EXPECT_NE(checked.out.find(fmt::format("  {}  {}", word, check["name"].get<std::string>())), std::string::npos)
        << checked.out;
  }
  EXPECT_NE(checked.out.find("24 runs (4 failed, 20 passed)"), std::string::npos) << checked.out;

  Outcome reported = seedgate({"report", "old.json", "--junit", "old-junit.xml"});
  EXPECT_EQ(reported.exit_code, 0) << reported.out << reported.err;
  EXPECT_NE(util::read_file(m_dir / "old-junit.xml")->find("threshold-accuracy"), std::string::npos);

  Outcome saved = seedgate({"baseline", "save", "old.json", "-o", "baseline.json"});
  EXPECT_EQ(saved.exit_code, 0) << saved.out << saved.err;
  const nlohmann::json baseline = nlohmann::json::parse(*util::read_file(m_dir / "baseline.json"));
  EXPECT_EQ(baseline["schema_version"], 2);
  EXPECT_EQ(baseline["runs"].size(), 20u);  // the passed runs
}
