// End-to-end tests of what seedgate does in CI: sharded sweeps merged by
// `seedgate check`, and the reports rendered from stored results.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kChecks = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
worst_at_least = 0.85
confidence = 0.95

[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.05

[[check]]
kind = "reproducibility"

[[check]]
kind = "seed-sensitivity"
)";

const std::string kSweep = "seeds = 6\nmodes = [\"deterministic\", \"default\"]\nrepeats = 2\njobs = 2\n";

// What must not differ between a sharded and an unsharded sweep: every run's
// identity, status and metrics in order, and every check's outcome.
nlohmann::json judged_part(const nlohmann::json& results) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& run : results["runs"])
    runs.push_back({run["id"], run["status"], run["metrics"], run.value("digests", nlohmann::json())});
  return {{"runs", runs}, {"checks", results["checks"]}, {"seeds", results["seeds"]}, {"verdict", results["verdict"]}};
}

TEST_F(CliTest, MergedShardsEqualTheUnshardedSweep) {
  write_policy("\"normal\", \"0.95\", \"0.01\"", kChecks, "", kSweep);
  Outcome whole = seedgate({"run", "--out", "whole"});
  ASSERT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  nlohmann::json unsharded = results();
  std::size_t trained = starts();
  EXPECT_EQ(trained, 24u);

  // Three shards started the ways three engines start them, one after another.
  Outcome first = seedgate({"run", "--shard", "1/3", "--out", "s1"});
  Outcome second = seedgate({"run", "--out", "s2"}, {"CI_NODE_INDEX=2", "CI_NODE_TOTAL=3"});
  Outcome third =
      seedgate({"run", "--out", "s3"}, {"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_MIN=1"});
  for (const Outcome* o : {&first, &second, &third}) EXPECT_EQ(o->exit_code, 0) << o->out << o->err;
  EXPECT_EQ(starts(), 2 * trained);
  EXPECT_NE(second.out.find("shard 2/3 on "), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("results: s2/shard-2-of-3.json"), std::string::npos) << second.out;
  // A shard judges nothing and writes none of the policy's reports.
  EXPECT_EQ(nlohmann::json::parse(*util::read_file(m_dir / "s1" / "shard-1-of-3.json"))["verdict"], "shard");
  fs::remove(m_dir / "results.json");
  fs::remove(m_dir / "junit.xml");
  Outcome only_shard = seedgate({"run", "--shard", "1/3", "--out", "again"});
  EXPECT_FALSE(fs::exists(m_dir / "results.json"));
  EXPECT_FALSE(fs::exists(m_dir / "junit.xml"));

  Outcome merged = seedgate({"check", "s3/shard-3-of-3.json", "s1/shard-1-of-3.json", "s2/shard-2-of-3.json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  EXPECT_NE(merged.out.find("merged from 3 shards: 1/3 on "), std::string::npos) << merged.out;
  EXPECT_EQ(judged_part(results()), judged_part(unsharded));
  EXPECT_TRUE(junit_valid());
  // Each run names the machine it ran on, in the results (the sweep's
  // "machine", unless the run says otherwise) and in JUnit.
  nlohmann::json merged_results = results();  // a range-for over results()["runs"] would outlive the temporary
  for (const auto& run : merged_results["runs"])
    EXPECT_FALSE(run.value("machine", merged_results.value("machine", "")).empty()) << run.dump();
  std::string junit = *util::read_file(m_dir / "junit.xml");
  EXPECT_NE(junit.find("<system-out>machine: "), std::string::npos) << junit.substr(0, 3000);
}

TEST_F(CliTest, MissingShardCannotBeEvaluated) {
  write_policy("\"stable\"", kChecks, "", kSweep);
  ASSERT_EQ(seedgate({"run", "--out", "s1"}, {"GTEST_SHARD_INDEX=0", "GTEST_TOTAL_SHARDS=3"}).exit_code, 0);
  ASSERT_EQ(seedgate({"run", "--out", "s3", "--shard-count", "3"}, {"JOB_COMPLETION_INDEX=2"}).exit_code, 0);
  Outcome o = seedgate({"check", "s1/shard-1-of-3.json", "s3/shard-3-of-3.json"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.out.find("error: shard 2/3 is missing: its runs are not judged; give every shard-*.json"),
            std::string::npos)
      << o.out;
}

TEST_F(CliTest, ShardsOfDifferentPoliciesAreRefused) {
  write_policy("\"stable\"", kChecks, "", kSweep);
  ASSERT_EQ(seedgate({"run", "--shard", "1/2", "--out", "s1"}).exit_code, 0);
  write_policy("\"stable\"", kChecks, "", "seeds = 7\nrepeats = 2\n");
  ASSERT_EQ(seedgate({"run", "--shard", "2/2", "--out", "s2"}).exit_code, 0);
  Outcome o = seedgate({"check", "s1/shard-1-of-2.json", "s2/shard-2-of-2.json"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("seedgate: s1/shard-1-of-2.json and s2/shard-2-of-2.json were run under different policies"),
            std::string::npos)
      << o.err;
  // `report` renders shards it cannot judge, and says so.
  Outcome unjudged = seedgate({"report", "s1/shard-1-of-2.json"});
  EXPECT_NE(unjudged.out.find("error: shard 2/2 is missing: its runs are not judged; give every shard-*.json"),
            std::string::npos)
      << unjudged.out;
  EXPECT_NE(unjudged.out.find("error: these shards are not judged yet: `seedgate check` merges and judges them"),
            std::string::npos)
      << unjudged.out;
  Outcome twice = seedgate({"check", "s2/shard-2-of-2.json", "s2/shard-2-of-2.json"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("shard 2/2 is given twice"), std::string::npos) << twice.err;
}

TEST_F(CliTest, ShardUsageErrors) {
  write_policy("\"stable\"", kChecks, "", kSweep);
  Outcome bad = seedgate({"run", "--shard", "4/3"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "seedgate: --shard 4/3: shard 4 is outside 1..3 (shards count from 1 to the count)\n");
  Outcome half = seedgate({"run"}, {"CI_NODE_INDEX=1"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_EQ(half.err, "seedgate: CI_NODE_INDEX is set but CI_NODE_TOTAL is not set\n");
  write_policy("\"stable\"",
               "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\nconfidence = 0.95\n"
               "inconclusive = \"more-seeds\"\n",
               "", "seeds = { start = 0, count = 5, max = 20 }\n");
  Outcome sequential = seedgate({"run", "--shard", "1/2"});
  EXPECT_EQ(sequential.exit_code, 3);
  EXPECT_EQ(sequential.err,
            "seedgate: --shard cannot run a sequential sweep (a check with inconclusive = \"more-seeds\"): its later "
            "looks depend on every shard's runs; shard a fixed number of seeds instead\n");
  EXPECT_EQ(starts(), 0u);
}

TEST_F(CliTest, AShardExitsThreeOnlyWhenItsOwnRunsBreak) {
  // Cells (seed, mode) are dealt round-robin: shard 2 gets s0-default,
  // s2-deterministic, s3-default, s5-deterministic, so no run of seed 1.
  write_policy("\"crash-on-seed\", \"1\"", kChecks, "", kSweep);
  Outcome clean = seedgate({"run", "--shard", "2/3", "--out", "s2"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  Outcome broken = seedgate({"run", "--shard", "1/3", "--out", "s1"});
  EXPECT_EQ(broken.exit_code, 3) << broken.out << broken.err;
  EXPECT_NE(broken.out.find("failed      s1-default-cpu-r0"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("error: 2 runs failed; the policy allows 0 (allowed_failures)"), std::string::npos)
      << broken.out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(CliTest, HtmlReportPlotsSeedsAndMarksWhereRepeatsDiverge) {
  write_policy("\"diverges-at\", \"3\"",
               "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n", "", kSweep);
  ASSERT_EQ(seedgate({"run"}).exit_code, 0);
  Outcome o = seedgate({"report", "results.json", "--html", "report.html"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::string html = *util::read_file(m_dir / "report.html");
  EXPECT_TRUE(xml_valid("report.html"));
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/1999/xhtml"));  // the namespace, nothing loaded
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // A strip plot per metric with a row per mode: a dot per seed in each row.
  EXPECT_NE(html.find("<h3>accuracy</h3>"), std::string::npos);
  EXPECT_NE(html.find("<h3>curve</h3>"), std::string::npos);
  EXPECT_EQ(count(html, "class=\"dot\""), 3u * 2u * 6u);  // accuracy, curve and loss
  // Per-step curves: every seed's repeats part at step 3.
  EXPECT_NE(html.find("<h4>curve by step (mode=deterministic, device=cpu)</h4>"), std::string::npos);
  EXPECT_NE(html.find("seed 0: repeats diverge at step 3; seed 1: repeats diverge at step 3"), std::string::npos);
  EXPECT_NE(html.find("<h4>loss by step (mode=default, device=cpu)</h4>"), std::string::npos);
  EXPECT_NE(html.find("Same-seed repeats agree at every step."), std::string::npos);
  EXPECT_NE(html.find("<h2>Environment</h2>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"pass\">PASS</td>"), std::string::npos);
}

TEST_F(CliTest, HtmlReportEscapesWhatTheProgramPrinted) {
  write_policy("\"xml-hostile\"", "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n", "",
               "seeds = 2\n");
  std::ofstream(m_dir / "seedgate.toml", std::ios::app) << "html = \"report.html\"\n";
  EXPECT_EQ(seedgate({"run"}).exit_code, 1);  // every run lost: counted below the threshold
  std::string html = *util::read_file(m_dir / "report.html");
  EXPECT_TRUE(xml_valid("report.html"));
  EXPECT_EQ(html.find("<tag>"), std::string::npos);
  EXPECT_NE(html.find("&lt;tag&gt; &amp; &quot;quote&quot;"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge fail\">FAIL</span>"), std::string::npos);
}

// Chromium, headless, loads the report: no console message (the page has no
// script, and its Content-Security-Policy would report any load it blocked),
// and the plots are in the rendered DOM.
TEST_F(CliTest, HtmlReportLoadsInChromium) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "chromium is not installed (Debian package `chromium`)";
  write_policy("\"diverges-at\", \"2\"", "[[check]]\nkind = \"reproducibility\"\n", "", kSweep);
  std::ofstream(m_dir / "seedgate.toml", std::ios::app) << "html = \"report.html\"\n";
  Outcome run = seedgate({"run"});
  ASSERT_EQ(run.exit_code, 1) << run.out << run.err;  // the repeats' final `curve` values differ
  std::string command = fmt::format(
      "cd {0} && timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir={0}/chromium-profile "
      "--enable-logging=stderr --v=0 --dump-dom file://{0}/report.html > dom.html 2> chromium.log",
      m_dir.string());
  ASSERT_EQ(std::system(command.c_str()), 0) << *util::read_file(m_dir / "chromium.log");
  std::string dom = *util::read_file(m_dir / "dom.html");
  std::string log = *util::read_file(m_dir / "chromium.log");
  EXPECT_EQ(log.find("CONSOLE"), std::string::npos) << log;
  EXPECT_EQ(log.find("Refused"), std::string::npos) << log;
  EXPECT_NE(dom.find("<svg"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_GT(count(dom, "class=\"dot\""), 0u);
  EXPECT_EQ(count(dom, "class=\"dot\""), count(*util::read_file(m_dir / "report.html"), "class=\"dot\""));
  EXPECT_NE(dom.find("repeats diverge at step 2"), std::string::npos);
}

TEST_F(CliTest, GithubActionsGetAnnotationsOnThePolicyLine) {
  write_policy("\"stable\"", "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.99\n");
  Outcome o = seedgate({"run"}, {"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + m_dir.string()});
  EXPECT_EQ(o.exit_code, 1);
  std::string prefix = "::error file=seedgate.toml,line=";
  std::size_t at = o.out.find(prefix);
  ASSERT_NE(at, std::string::npos) << o.out;
  int line = std::atoi(o.out.c_str() + at + prefix.size());
  std::ifstream policy(m_dir / "seedgate.toml");
  std::string text;
  for (int i = 0; i < line; ++i) std::getline(policy, text);
  EXPECT_EQ(text, "[[check]]");
  EXPECT_NE(o.out.find(",title=seedgate threshold-accuracy%3A FAIL::accuracy: mean 0.9515 over seeds 0..3 is below "
                       "mean_at_least 0.99"),
            std::string::npos)
      << o.out;
  // Outside GitHub Actions, no workflow commands.
  EXPECT_EQ(seedgate({"run"}).out.find("::error"), std::string::npos);
}

TEST_F(CliTest, ProgressInALogIsALinePerRunAndColourFollowsTheFlag) {
  write_policy("\"stable\"", "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n");
  Outcome plain = seedgate({"run"}, {"CI=true"});
  // Runs finish in any order with two at once: a numbered line for each.
  for (int k = 1; k <= 8; ++k) EXPECT_NE(plain.err.find(fmt::format("[{}/8] s", k)), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("] s0-deterministic-cpu-r0      passed         "), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find('\x1b'), std::string::npos);
  Outcome colour = seedgate({"run", "--color", "always"}, {"NO_COLOR=1"});
  EXPECT_NE(colour.err.find("\x1b[32mpassed     \x1b[0m"), std::string::npos) << colour.err;
  EXPECT_EQ(colour.err.find('\r'), std::string::npos) << "no live line outside a terminal";
  EXPECT_EQ(seedgate({"run", "--color", "sometimes"}).exit_code, 2);
}

}  // namespace
