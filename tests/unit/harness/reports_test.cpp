#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "tests/golden.hpp"
#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

SweepResults hostile_results() {
  SweepResults results;
  results.subject = "demo <&> \x01";
  results.policy_path = "seedgate.toml";
  results.seeds = {0, 1};
  results.verdict = SweepVerdict::fail;
  std::string hostile = "bell\x07 ]]> <tag> & \"q\" \xff\xfe\xc3\x28 \x1b[31m end";
  for (int seed = 0; seed < 2; ++seed) {
    RunRecord r;
    r.run = {"s" + std::to_string(seed) + "-deterministic-cpu-r0", seed, "deterministic", "cpu", 0, 0};
    r.status = seed == 0 ? RunStatus::passed : RunStatus::failed;
    r.message = seed == 0 ? "" : "exited with code 1 " + hostile;
    r.report.metrics["accuracy"] = 0.9 + seed * 0.01;
    r.report.issues.push_back("metrics.jsonl:1: not a JSON object: " + hostile);
    r.stdout_tail = hostile;
    r.stderr_tail = hostile;
    r.process.wall_seconds = 1.23456;
    results.runs.push_back(r);
  }
  RunRecord skipped;
  skipped.run = {"s0-deterministic-cuda-r0", 0, "deterministic", "cuda", 0, 0};
  skipped.status = RunStatus::skipped;
  skipped.message = "no GPU on this machine";
  results.runs.push_back(skipped);
  CheckResult check;
  check.outcome.name = "threshold-accuracy";
  check.outcome.metric = "accuracy";
  check.outcome.verdict = checks::Verdict::fail;
  check.outcome.messages = {"accuracy: mean 0.9 is below mean_at_least 0.95 " + hostile};
  check.outcome.statistics.push_back({"mode=deterministic, device=cpu", "mean", 0.9,
                                      checks::Bound{"mean_at_least", 0.95}, std::nullopt, checks::Verdict::fail});
  check.counted_as = checks::Verdict::fail;
  results.checks.push_back(check);
  return results;
}

TEST(JunitReportTest, ValidAgainstSchemaWhateverTheProgramPrinted) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  std::string xml = render_junit(hostile_results(), {});
  auto path = std::filesystem::temp_directory_path() / "seedgate-junit-hostile.xml";
  ASSERT_TRUE(util::write_file_atomic(path, xml));
  std::string command = std::string("xmllint --noout --schema ") + JUNIT_SCHEMA + " " + path.string() + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << xml;
}

TEST(JunitReportTest, NamesTimesAndCounts) {
  std::string xml = render_junit(hostile_results(), {});
  EXPECT_NE(
      xml.find("<testcase name=\"run[seed=1,mode=deterministic,device=cpu,repeat=0]\" classname=\"seedgate.runs\" "
               "time=\"1.235\">"),
      std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"no GPU on this machine\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"runs\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""),
            std::string::npos);
  EXPECT_NE(
      xml.find("<failure type=\"fail\" message=\"accuracy: mean 0.9 is below mean_at_least 0.95 bell\\x07 ]]&gt;"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<property name=\"threshold-accuracy.mean[mode=deterministic, device=cpu]\" value=\"0.9\"/>"),
            std::string::npos);
  EXPECT_EQ(xml.find("]]>"), std::string::npos);
}

TEST(ConsoleReportTest, ShowsDistributionAndVerdict) {
  std::string text = render_console(hostile_results(), {{}, 1});
  EXPECT_NE(text.find("accuracy across seeds"), std::string::npos);
  EXPECT_NE(text.find("per seed (seed:value): 0:0.9"), std::string::npos);
  EXPECT_NE(text.find("FAIL  threshold-accuracy"), std::string::npos);
  EXPECT_NE(text.find("verdict: FAIL (1 of 1 checks failed; exit 1)"), std::string::npos) << text;
}

TEST(MarkdownReportTest, VerdictFirstThenTable) {
  std::string md = render_markdown(hostile_results(), {});
  EXPECT_TRUE(md.starts_with("## seedgate: demo &lt;&> \\x01 — FAIL\n")) << md;
  EXPECT_NE(md.find("**1 of 1 checks failed** (exit 0).\n\n### threshold-accuracy — FAIL\n\n"
                    "| statistic | group | estimate | interval | bound | verdict |\n|---|---|---|---|---|---|\n"
                    "| mean | mode=deterministic, device=cpu | 0.9 |  | mean_at_least 0.95 | fail |\n"),
            std::string::npos)
      << md;
}

// A deterministic sweep with every kind of outcome, for the golden files.
SweepResults golden_results() {
  SweepResults results = hostile_results();
  results.wall_seconds = 12.5;
  results.policy_digest = "xxh3:00000000000000aa";
  for (RunRecord& r : results.runs) {
    r.process.wall_seconds = 1.5;
    r.process.cpu_seconds = 1.25;
    r.process.max_rss_kib = 2048;
  }
  for (int seed = 2; seed < 6; ++seed) {
    RunRecord r;
    r.run = {"s" + std::to_string(seed) + "-deterministic-cpu-r0", seed, "deterministic", "cpu", 0, 0};
    r.report.metrics = {{"accuracy", 0.9 + seed * 0.004}, {"loss", 0.3 - seed * 0.01}};
    r.process.wall_seconds = 2.0;
    results.runs.push_back(r);
  }
  CheckResult pass;
  pass.outcome.name = "variance-accuracy";
  pass.outcome.kind = checks::CheckKind::variance;
  pass.outcome.metric = "accuracy";
  pass.outcome.verdict = checks::Verdict::pass;
  pass.outcome.statistics.push_back({"mode=deterministic, device=cpu", "std", 0.0071,
                                     checks::Bound{"std_at_most", 0.01}, std::nullopt, checks::Verdict::pass});
  pass.outcome.seeds = {0, 2, 3, 4, 5};
  results.checks.push_back(pass);
  // A check judged with confidence whose bounds straddle its bound.
  CheckResult unsure;
  unsure.outcome.name = "threshold-accuracy-confidence";
  unsure.outcome.kind = checks::CheckKind::threshold;
  unsure.outcome.metric = "accuracy";
  unsure.outcome.verdict = checks::Verdict::inconclusive;
  unsure.outcome.confidence = 0.95;
  unsure.counted_as = checks::Verdict::fail;
  unsure.outcome.statistics.push_back({"mode=deterministic, device=cpu", "mean", 0.912,
                                       checks::Bound{"mean_at_least", 0.91}, checks::Interval{0.9061, 0.9179, 0.9},
                                       checks::Verdict::inconclusive});
  unsure.outcome.statistics.push_back(
      {"mode=deterministic, device=cpu", "iqm", 0.912, std::nullopt, std::nullopt, checks::Verdict::pass});
  unsure.outcome.messages = {
      "accuracy: mean 0.912 over seeds 0..5 (95% bounds [0.9061, 0.9179]) straddles mean_at_least 0.91: cannot tell "
      "yet (mode=deterministic, device=cpu)"};
  unsure.outcome.notes = {"still inconclusive after 5 seeds, the most the policy allows"};
  unsure.outcome.seeds = {0, 2, 3, 4, 5};
  results.checks.push_back(unsure);
  return results;
}

TEST(GoldenReportTest, Console) {
  expect_golden("console.txt",
                render_console(golden_results(), {{"1 run failed; the policy allows 0 (allowed_failures)"}, 1}));
}

TEST(GoldenReportTest, Junit) {
  expect_golden("junit.xml", render_junit(golden_results(), {}));
}

// The HTML with its style sheet left out (it changes with the look, not the
// content): what each plot, table and note says of the golden sweep.
std::string normalised_html(std::string html) {
  std::size_t open = html.find("<style>"), close = html.find("</style>");
  if (open != std::string::npos && close != std::string::npos)
    html.replace(open + 7, close - open - 7, "/* style sheet */");
  return html;
}

TEST(GoldenReportTest, Html) {
  expect_golden("report.html", normalised_html(render_html(
                                   golden_results(), {{"1 run failed; the policy allows 0 (allowed_failures)"}, 1})));
}

TEST(GoldenReportTest, Markdown) {
  expect_golden("markdown.md", render_markdown(golden_results(), {}));
}

TEST(AnnotationsTest, PointAtThePolicyLineOfEachCheckThatDidNotPass) {
  SweepResults results = golden_results();
  results.checks[0].policy_line = 21;
  results.checks[2].policy_line = 33;
  std::string annotations = render_annotations(results, {{"1 run failed"}, 1}, "ci/seed,gate.toml");
  EXPECT_EQ(annotations,
            "::error file=ci/seed%2Cgate.toml,line=21,title=seedgate threshold-accuracy%3A FAIL::accuracy: mean 0.9 is "
            "below mean_at_least 0.95 bell\\x07 ]]> <tag> & \"q\" \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD( \\x1b[31m end\n"
            "::error file=ci/seed%2Cgate.toml,line=33,title=seedgate threshold-accuracy-confidence%3A INCONCLUSIVE "
            "(counted as fail)::accuracy: mean 0.912 over seeds 0..5 (95%25 bounds [0.9061, 0.9179]) straddles "
            "mean_at_least 0.91: cannot tell yet (mode=deterministic, device=cpu)\n"
            "::error file=ci/seed%2Cgate.toml,title=seedgate could not evaluate::1 run failed\n");
}

TEST(AnnotationsTest, AtMostGithubsLimitPerStep) {
  SweepResults results = golden_results();
  CheckResult failed = results.checks[0];
  results.checks.assign(12, failed);
  std::string annotations = render_annotations(results, {}, "seedgate.toml");
  std::size_t errors = 0;
  for (std::size_t at = annotations.find("::error "); at != std::string::npos;
       at = annotations.find("::error ", at + 1))
    ++errors;
  EXPECT_EQ(errors, kAnnotationsPerStep);
  EXPECT_TRUE(annotations.ends_with("seedgate: 2 more findings are in the job summary (GitHub shows 10 per step)\n"))
      << annotations;
}

TEST(MarkdownReportTest, StaysUnderGithubsStepSummaryLimit) {
  SweepResults results = golden_results();
  RunRecord run = results.runs.back();
  for (int seed = 0; seed < 60000; ++seed) {
    run.run.seed = seed;
    run.run.id = "s" + std::to_string(seed) + "-deterministic-cpu-r0";
    results.runs.push_back(run);
  }
  std::string md = render_markdown(results, {});
  EXPECT_LE(md.size(), kStepSummaryLimit);
  EXPECT_GT(md.size(), kStepSummaryLimit / 2);
  EXPECT_TRUE(md.starts_with("## seedgate: "));
  EXPECT_TRUE(md.ends_with("_Cut to stay within GitHub's 1 MiB job summary: every value is in the results file._\n"));
  // The verdict and the checks come first and survive a tight limit.
  std::string tight = render_markdown(results, {}, 1200);
  EXPECT_LE(tight.size(), 1200u);
  EXPECT_NE(tight.find("### threshold-accuracy — FAIL"), std::string::npos) << tight;
  // Small sweeps are not cut.
  EXPECT_EQ(render_markdown(golden_results(), {}).find("_Cut to stay"), std::string::npos);
}

TEST(HtmlReportTest, SaysWhatItCannotPlot) {
  SweepResults results = golden_results();
  RunRecord nan_run = results.runs.back();
  nan_run.run.seed = 9;
  nan_run.run.id = "s9-deterministic-cpu-r0";
  nan_run.report.metrics["accuracy"] = std::nan("");
  nan_run.report.series["loss"] = {{0, 0.5}, {1, 0.25}};  // one repeat per seed
  results.runs.push_back(nan_run);
  std::string html = render_html(results, {});
  EXPECT_NE(html.find("<p class=\"note\">Not plotted: seed 9 (mode=deterministic, device=cpu): nan.</p>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("One repeat per seed: divergence between repeats is not measured."), std::string::npos);
  // What the program printed is escaped, in the runs table too.
  EXPECT_EQ(html.find("<tag>"), std::string::npos);
  EXPECT_NE(html.find("&lt;tag&gt;"), std::string::npos);
}

}  // namespace
// Rounding noise beside the numbers it is shown with reads 0; a small value
// that is the whole story does not.
TEST(ReadableNumbersTest, RoundingNoiseReadsZero) {
  EXPECT_EQ(report_parts::number(1.35974e-16, 0.9), "0");
  EXPECT_EQ(report_parts::number(-2e-17, 0.05), "0");
  EXPECT_EQ(report_parts::number(0.0123, 0.9), "0.0123");
  EXPECT_EQ(report_parts::number(1e-13, 1e-13), "1e-13");
  EXPECT_EQ(report_parts::number(0.951234567, 0.951234567), "0.951235");
  checks::Statistic s;
  s.name = "std";
  s.value = 1.35974e-16;
  s.bound = checks::Bound{"std_at_most", 0.01};
  s.verdict = checks::Verdict::pass;
  EXPECT_EQ(report_parts::format_statistic(s), "std 0, std_at_most 0.01: pass");
}

// Runs inside seedgate have no peak of their own: "not measured", not 0.0 MiB.
TEST(ConsoleReportTest, InProcessRunsSayRssIsNotMeasured) {
  SweepResults results;
  RunRecord r;
  r.run.id = "s0-deterministic-cpu-r0";
  r.process.wall_seconds = 1;
  r.process.max_rss_kib = 0;
  results.runs.push_back(r);
  std::string out = render_console(results, ReportContext{});
  EXPECT_NE(out.find("peak rss not measured (runs inside seedgate share its process)"), std::string::npos) << out;
}

}  // namespace seedgate
