#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

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
  // Accuracy's goal is known (the best seed is quoted, with the warning); loss's is not.
  results.goals["accuracy"] = checks::Goal::maximize;
  results.best_seed_report = true;
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

// A run smaller than seedgate has only a bound; one larger, its own peak.
TEST(ConsoleReportTest, RunsBelowSeedgatesOwnPeakGetABound) {
  SweepResults results;
  RunRecord small;
  small.run.id = "s0-deterministic-cpu-r0";
  small.process.wall_seconds = 1;
  small.process.max_rss_at_most_kib = 7 * 1024;
  results.runs.push_back(small);
  std::string out = render_console(results, ReportContext{});
  EXPECT_NE(out.find("peak rss every run's at most 7.0 MiB (below seedgate's own)"), std::string::npos) << out;
  RunRecord large = small;
  large.run.id = "s1-deterministic-cpu-r0";
  large.process.max_rss_kib = 512 * 1024;
  large.process.max_rss_at_most_kib = 0;
  results.runs.push_back(large);
  out = render_console(results, ReportContext{});
  EXPECT_NE(out.find("peak rss 512.0 MiB; 1 runs' at most 7.0 MiB (below seedgate's own)"), std::string::npos) << out;
}

// The predictions checks' details in the HTML report: the ensemble-size
// curve, the churn heat map, the least stable examples and churn per class.
namespace {

constexpr const char* kPredictionsGroup = "mode=default, device=cpu";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

// The value of attribute `name` in the first element after `from` that has it.
std::string attribute_after(const std::string& text, std::size_t from, const std::string& name) {
  std::size_t at = text.find(" " + name + "=\"", from);
  if (at == std::string::npos) return "";
  at += name.size() + 3;
  return text.substr(at, text.find('"', at) - at);
}

CheckResult ensemble_check(std::vector<checks::CurvePoint> curve, std::optional<std::size_t> k_for_most) {
  CheckResult c;
  c.outcome.name = "ensemble-accuracy";
  c.outcome.kind = checks::CheckKind::ensemble;
  c.outcome.metric = "accuracy";
  c.outcome.verdict = checks::Verdict::pass;
  c.outcome.statistics.push_back(
      {kPredictionsGroup, "ensemble", 0.95, std::nullopt, std::nullopt, checks::Verdict::pass});
  c.outcome.statistics.push_back(
      {kPredictionsGroup, "mean_seed", 0.9, std::nullopt, std::nullopt, checks::Verdict::pass});
  checks::PredictionDetail d;
  d.group = kPredictionsGroup;
  for (std::size_t i = 0; i < std::max<std::size_t>(curve.size(), 1); ++i)
    d.members.push_back("seed " + std::to_string(i));
  d.curve = std::move(curve);
  d.k_for_most = k_for_most;
  c.outcome.details.push_back(d);
  return c;
}

// Seeds 3, 7, 8 and 9; seed 3 vs seed 7 disagree on 4.1% of the examples.
CheckResult churn_check() {
  CheckResult c;
  c.outcome.name = "churn";
  c.outcome.kind = checks::CheckKind::churn;
  c.outcome.verdict = checks::Verdict::pass;
  checks::PredictionDetail d;
  d.group = kPredictionsGroup;
  d.members = {"seed 3", "seed 7", "seed 8", "seed 9"};
  d.churn_matrix = {0,     0.041, 0.02, 0.01,   //
                    0.041, 0,     0.03, 0.082,  //
                    0.02,  0.03,  0,    0.05,   //
                    0.01,  0.082, 0.05, 0};
  d.per_class = {{0, 40, 0.015}, {1, 50, 0.021}};
  d.least_stable.push_back({"<script>alert(1)</script>", 1, 0.5, {1, 0, 0, 1}});
  d.least_stable.push_back({"img-17", 0, 0.5, {0, 0, 1, 1}});
  c.outcome.details.push_back(d);
  return c;
}

// The report without its style sheet, whose class names would match.
std::string predictions_html(const SweepResults& results) {
  return normalised_html(render_html(results, {}));
}

SweepResults with_checks(std::vector<CheckResult> checks) {
  SweepResults results;
  results.subject = "predictions";
  results.verdict = SweepVerdict::pass;
  results.checks = std::move(checks);
  return results;
}

}  // namespace

TEST(HtmlReportTest, EnsembleCurveHasAPointPerSizeAndMarksTheSmallestThatBuysMostOfTheGain) {
  std::vector<checks::CurvePoint> curve;
  for (std::size_t k = 1; k <= 6; ++k) {
    double mean = 0.95 - 0.05 / static_cast<double>(k);
    curve.push_back({k, mean, mean - 0.01, mean + 0.01, k == 6 ? std::size_t{1} : std::size_t{15}});
  }
  std::string html = predictions_html(with_checks({ensemble_check(curve, 3)}));
  EXPECT_NE(html.find("<h2>Predictions across seeds</h2>"), std::string::npos) << html;
  EXPECT_NE(html.find("<h3>ensemble-accuracy (mode=default, device=cpu)</h3>"), std::string::npos);
  EXPECT_EQ(count_of(html, "class=\"curve-dot\""), 6u) << html;
  EXPECT_EQ(count_of(html, "class=\"band\""), 1u);
  EXPECT_EQ(count_of(html, "class=\"ensemble\""), 1u);
  EXPECT_NE(html.find("<title>3 seeds: mean 0.933333, spread 0.923333 to 0.943333 (15 ensembles)</title>"),
            std::string::npos);
  // The mean single seed's score, dashed across the plot.
  EXPECT_NE(html.find("class=\"seed-mean\"><title>mean single seed: 0.9</title>"), std::string::npos);
  // The marker sits on the curve's third point.
  std::size_t third = html.find("class=\"curve-dot\"><title>3 seeds");
  ASSERT_NE(third, std::string::npos);
  std::size_t third_start = html.rfind("<circle", third);
  std::size_t marker = html.find("class=\"k-most-dot\"");
  ASSERT_NE(marker, std::string::npos);
  std::size_t marker_start = html.rfind("<circle", marker);
  EXPECT_EQ(attribute_after(html, marker_start, "cx"), attribute_after(html, third_start, "cx"));
  EXPECT_EQ(attribute_after(html, marker_start, "cy"), attribute_after(html, third_start, "cy"));
  EXPECT_NE(html.find("<p class=\"caption\">an ensemble of 3 seeds buys 95% of the gain of all 6.</p>"),
            std::string::npos)
      << html;
  // Without k_for_most: no marker, no caption.
  std::string plain = predictions_html(with_checks({ensemble_check(curve, std::nullopt)}));
  EXPECT_EQ(plain.find("k-most"), std::string::npos);
  EXPECT_EQ(plain.find("class=\"caption\""), std::string::npos);
  EXPECT_EQ(count_of(plain, "class=\"curve-dot\""), 6u);
}

TEST(HtmlReportTest, ChurnHeatMapHasACellPerPairOfSeedsWithItsChurn) {
  std::string html = predictions_html(with_checks({churn_check()}));
  EXPECT_EQ(count_of(html, "class=\"cell\"><title>"), 16u) << html;
  EXPECT_EQ(count_of(html, "<title>seed 3 vs seed 7: 4.1%</title>"), 1u) << html;
  EXPECT_EQ(count_of(html, "<title>seed 7 vs seed 3: 4.1%</title>"), 1u);
  EXPECT_EQ(count_of(html, "<title>seed 9 vs seed 7: 8.2%</title>"), 1u);
  EXPECT_EQ(count_of(html, "<title>seed 8 vs seed 8: 0.0%</title>"), 1u);
  // The largest off-diagonal churn gets the darkest colour, none the lightest.
  std::size_t worst = html.find("<title>seed 7 vs seed 9: 8.2%</title>");
  ASSERT_NE(worst, std::string::npos);
  EXPECT_EQ(attribute_after(html, html.rfind("<rect", worst), "fill"), "#a50f15");
  // The legend runs from 0 to the largest churn.
  EXPECT_NE(html.find(">0.0%</text>"), std::string::npos);
  EXPECT_NE(html.find(">8.2%</text>"), std::string::npos);
  // The least stable examples: the truth, the share of pairs that disagree,
  // each seed's prediction (a wrong class marked), the id escaped.
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>1</td><td>50.0%</td><td>1</td>"
                      "<td class=\"miss\">0</td><td class=\"miss\">0</td><td>1</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<th>seed 3</th><th>seed 7</th><th>seed 8</th><th>seed 9</th>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>1</td><td>50</td><td>2.1%</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>0</td><td>40</td><td>1.5%</td></tr>"), std::string::npos);
  // Still well-formed XML.
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    auto path = std::filesystem::temp_directory_path() / "seedgate-predictions-report.html";
    ASSERT_TRUE(util::write_file_atomic(path, html));
    std::string command = "xmllint --noout " + path.string() + " 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << html;
  }
}

TEST(HtmlReportTest, EveryMetricQuotesMeanAndStdAndWarnsOfTheBestSeedOnlyWhenAsked) {
  SweepResults results = golden_results();
  results.goals["accuracy"] = checks::Goal::maximize;
  results.best_seed_report = false;
  std::string html = predictions_html(results);
  auto summaries = report_parts::seed_summaries(results);
  auto accuracy = std::find_if(summaries.begin(), summaries.end(),
                               [](const report_parts::SeedSummary& s) { return s.metric == "accuracy"; });
  ASSERT_NE(accuracy, summaries.end());
  ASSERT_TRUE(accuracy->best);
  EXPECT_NE(html.find("<p class=\"seeds\">mode=deterministic, device=cpu: " + report_parts::mean_std_line(*accuracy) +
                      "</p>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(" over 5 seeds, 95% CI ["), std::string::npos);
  EXPECT_NE(html.find("<p class=\"best\">" + report_parts::best_seed_line(*accuracy) + "</p>"), std::string::npos);
  EXPECT_NE(html.find("best seed 5: "), std::string::npos);
  EXPECT_EQ(html.find("class=\"warning\""), std::string::npos);
  EXPECT_EQ(html.find("choosing it by this sweep overstates"), std::string::npos);

  results.best_seed_report = true;
  std::string warned = predictions_html(results);
  EXPECT_EQ(count_of(warned, "<div class=\"warning\">"), 1u) << warned;  // loss has no goal: no best seed
  EXPECT_NE(
      warned.find("<div class=\"warning\"><strong>Best seed (accuracy, mode=deterministic, device=cpu):</strong> " +
                  report_parts::best_seed_warning(*accuracy) + "</div>"),
      std::string::npos)
      << warned;
  EXPECT_NE(warned.find("seed 5 scored "), std::string::npos);
}

TEST(HtmlReportTest, OddPredictionDetailsAreDrawnOrSkippedWithoutCrashing) {
  const double nan = std::nan("");
  // An empty curve.
  std::string empty = predictions_html(with_checks({ensemble_check({}, 1)}));
  EXPECT_NE(empty.find("No ensemble-size curve to draw."), std::string::npos) << empty;
  EXPECT_EQ(empty.find("curve-dot"), std::string::npos);
  // One member: one point, a marker on it.
  std::string one = predictions_html(with_checks({ensemble_check({{1, 0.9, 0.9, 0.9, 1}}, 1)}));
  EXPECT_EQ(count_of(one, "class=\"curve-dot\""), 1u) << one;
  EXPECT_EQ(count_of(one, "class=\"k-most-dot\""), 1u);
  // NaN scores are left out of the curve and its band; k_for_most off the curve draws no marker.
  std::string odd = predictions_html(
      with_checks({ensemble_check({{1, nan, nan, nan, 5}, {2, 0.9, nan, 0.95, 10}, {3, 0.92, 0.91, 0.93, 10}}, 7)}));
  EXPECT_EQ(count_of(odd, "class=\"curve-dot\""), 2u) << odd;
  EXPECT_EQ(odd.find("class=\"k-most-dot\""), std::string::npos);
  EXPECT_EQ(odd.find("nan,"), std::string::npos);
  EXPECT_EQ(odd.find(",nan"), std::string::npos);
  EXPECT_EQ(odd.find("=\"nan"), std::string::npos);

  CheckResult churn = churn_check();
  checks::PredictionDetail mismatched = churn.outcome.details.front();
  mismatched.group = "mismatched";
  mismatched.members.pop_back();  // 3 members, 16 values
  checks::PredictionDetail zero;
  zero.group = "all-zero";
  zero.members = {"seed 1", "seed 2", "seed 3"};
  zero.churn_matrix.assign(9, 0.0);
  checks::PredictionDetail single;
  single.group = "single";
  single.members = {"seed 1"};
  single.churn_matrix = {0};
  checks::PredictionDetail broken;
  broken.group = "broken";
  broken.members = {"seed 1", "seed 2"};
  broken.churn_matrix = {0, nan, nan, 0};
  broken.least_stable.push_back({"x", nan, nan, {nan}});  // fewer predictions than members
  broken.per_class = {{0, 3, nan}};
  churn.outcome.details = {mismatched, zero, single, broken};
  std::string html = predictions_html(with_checks({churn}));
  EXPECT_NE(html.find("The churn matrix holds 16 values for 3 seeds: not drawn."), std::string::npos) << html;
  EXPECT_EQ(html.find("seed 3 vs seed 7"), std::string::npos);
  // 9 cells of the all-zero matrix, 1 of the single seed, 4 of the broken one.
  EXPECT_EQ(count_of(html, "class=\"cell\"><title>"), 14u);
  EXPECT_EQ(count_of(html, "<title>seed 1 vs seed 2: 0.0%</title>"), 1u);
  EXPECT_EQ(count_of(html, "No two seeds disagree on any example."), 2u);  // not the broken one
  EXPECT_EQ(count_of(html, "<title>seed 1 vs seed 2: not measured</title>"), 1u);
  EXPECT_NE(html.find("<tr><td>x</td><td>nan</td><td>not measured</td><td>nan</td><td></td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>0</td><td>3</td><td>not measured</td></tr>"), std::string::npos);
}

}  // namespace seedgate

namespace seedgate {
namespace {

// Runs where one source at a time varied: only the data order moves the metric.
SweepResults one_source_at_a_time(bool with_noise) {
  SweepResults results;
  for (const char* source : {"init", "order", "split", "dropout"}) {
    for (std::int64_t seed = 0; seed < 5; ++seed) {
      for (int repeat = 0; repeat < 2; ++repeat) {
        RunRecord r;
        r.run.id = "s" + std::to_string(seed) + "-" + source + "-r" + std::to_string(repeat);
        r.run.seed = seed;
        r.run.mode = "deterministic";
        r.run.device = "cpu";
        r.run.repeat = repeat;
        r.run.source = source;
        double order_effect = std::string(source) == "order" ? 0.01 * static_cast<double>(seed % 3) : 0;
        double noise = with_noise ? 0.0005 * (repeat == 0 ? 1 : -1) * static_cast<double>(seed % 2) : 0;
        r.report.metrics = {{"accuracy", 0.9 + order_effect + noise}};
        results.runs.push_back(r);
      }
    }
  }
  return results;
}

TEST(SourceSharesTest, AMetricMovedOnlyByTheDataOrderIsPutOnTheOrder) {
  for (bool noise : {false, true}) {
    std::vector<report_parts::SourceShareGroup> groups = report_parts::source_shares(one_source_at_a_time(noise));
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].group, "mode=deterministic, device=cpu");
    double order = 0;
    for (const checks::SourceShare& s : groups[0].shares.sources)
      if (s.source == "order") order = s.share;
    EXPECT_GE(order, 0.9) << "noise " << noise;
    EXPECT_TRUE(report_parts::source_share_line(groups[0]).starts_with(
        std::to_string(static_cast<int>(std::lround(order * 100))) + "% of the spread comes from the data order"))
        << report_parts::source_share_line(groups[0]);
  }
  // Runs that vary every source at once (no vary) have no shares to report.
  SweepResults plain = one_source_at_a_time(false);
  for (RunRecord& r : plain.runs) r.run.source.clear();
  EXPECT_TRUE(report_parts::source_shares(plain).empty());
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Folds that differ by much more than seeds: the fold's share dominates.
TEST(FoldComponentsTest, AFoldAxisSplitsTheVarianceIntoSeedFoldAndRunParts) {
  SweepResults results;
  for (std::int64_t seed = 0; seed < 6; ++seed) {
    for (int fold = 0; fold < 4; ++fold) {
      for (int repeat = 0; repeat < 2; ++repeat) {
        RunRecord r;
        r.run.id = "s" + std::to_string(seed) + "-f" + std::to_string(fold) + "-r" + std::to_string(repeat);
        r.run.seed = seed;
        r.run.mode = "deterministic";
        r.run.device = "cpu";
        r.run.repeat = repeat;
        r.run.fold = fold;
        double value = 0.9 + 0.03 * fold + 0.002 * static_cast<double>(seed % 3) + 0.0005 * repeat;
        r.report.metrics = {{"accuracy", value}};
        results.runs.push_back(r);
      }
    }
  }
  std::vector<report_parts::FoldComponents> groups = report_parts::fold_components(results);
  ASSERT_EQ(groups.size(), 1u);
  const checks::CrossedComponents& c = groups[0].components;
  EXPECT_EQ(c.seeds, 6u);
  EXPECT_EQ(c.folds, 4u);
  EXPECT_EQ(c.replicates, 2u);
  EXPECT_GT(c.fold.share, 0.95);
  EXPECT_TRUE(report_parts::fold_components_line(groups[0]).starts_with("variance over 6 seeds x 4 folds: fold "))
      << report_parts::fold_components_line(groups[0]);
  // A seed missing a fold is left out of the balanced design.
  results.runs.erase(results.runs.begin());
  results.runs.erase(results.runs.begin());
  ASSERT_EQ(report_parts::fold_components(results).size(), 1u);
  EXPECT_EQ(report_parts::fold_components(results)[0].components.seeds, 5u);
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Two variants on four seeds (two repeats each), and a compare check's
// statistics as the check records them.
TEST(HtmlReportTest, ComparisonDrawsAProfilePerVariantAndADotPerPairedSeed) {
  const std::string fast = "fast<&\"x\">", slow = "slow";
  SweepResults results = with_checks({});
  results.goals["accuracy"] = checks::Goal::maximize;
  const std::string group = "mode=default, device=cpu";
  for (int seed = 0; seed < 4; ++seed)
    for (int repeat = 0; repeat < 2; ++repeat)
      for (const std::string& variant : {fast, slow}) {
        RunRecord r;
        r.run.id = "run";
        r.run.seed = seed;
        r.run.mode = "default";
        r.run.device = "cpu";
        r.run.repeat = repeat;
        r.run.variant = variant;
        r.report.metrics["accuracy"] = (variant == slow ? 0.8 : 0.81) + seed * 0.01 + repeat * 0.002;
        results.runs.push_back(r);
      }
  // A failed run and a run of another group stay out of the plots.
  RunRecord failed = results.runs.front();
  failed.status = RunStatus::failed;
  failed.report.metrics["accuracy"] = 0.1;
  results.runs.push_back(failed);
  CheckResult check;
  check.outcome.name = "compare-accuracy";
  check.outcome.kind = checks::CheckKind::compare;
  check.outcome.metric = "accuracy";
  check.outcome.verdict = checks::Verdict::pass;
  check.counted_as = checks::Verdict::pass;
  auto info = [&](const std::string& name, double value, std::optional<checks::Interval> interval = std::nullopt) {
    check.outcome.statistics.push_back({group, name, value, std::nullopt, interval, checks::Verdict::pass});
  };
  for (const std::string& v : {fast, slow}) {
    info("mean[" + v + "]", v == slow ? 0.816 : 0.826);
    info("iqm[" + v + "]", v == slow ? 0.816 : 0.826, checks::Interval{0.8, 0.83});
    info("mean_rank[" + v + "]", v == slow ? 2 : 1);
    info("win_share[" + v + "]", v == slow ? 0 : 1);
  }
  check.outcome.statistics.push_back({group, "difference[" + slow + "]", 0.01, checks::Bound{"-margin", -0.02},
                                      checks::Interval{0.005, INFINITY}, checks::Verdict::pass});
  info("p_improvement[" + slow + "]", 1, checks::Interval{0.6, 1});
  results.checks.push_back(check);

  std::string html = predictions_html(results);
  EXPECT_NE(html.find("<h2>Variants compared</h2>"), std::string::npos) << html;
  // The table: every column, the names escaped.
  EXPECT_NE(html.find("<th>variant</th><th>mean</th><th>IQM [bounds]</th>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>fast&lt;&amp;&quot;x&quot;&gt; (expected)</td><td>0.826</td><td>0.826 [0.8, 0.83]</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>0.01 [0.005, inf], -margin -0.02: pass</td><td>1 [0.6, 1]</td>"), std::string::npos);
  EXPECT_EQ(html.find("fast<&"), std::string::npos);
  // One step curve per variant, each in the legend.
  EXPECT_EQ(count_of(html, "class=\"profile\""), 2u);
  EXPECT_EQ(count_of(html, "class=\"label\">fast&lt;&amp;&quot;x&quot;&gt;</text>"), 1u);
  EXPECT_EQ(count_of(html, "class=\"label\">slow</text>"), 1u);
  // A dot per seed for the one other variant, at the mean over repeats.
  EXPECT_EQ(count_of(html, "class=\"paired-dot\""), 4u);
  EXPECT_EQ(count_of(html, "<title>seed 3: +0.01</title>"), 1u) << html;
  EXPECT_EQ(count_of(html, "class=\"zero\""), 1u);
  EXPECT_EQ(count_of(html, "class=\"margin\""), 1u);
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    auto path = std::filesystem::temp_directory_path() / "seedgate-compare-report.html";
    ASSERT_TRUE(util::write_file_atomic(path, html));
    std::string command = "xmllint --noout " + path.string() + " 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << html;
  }

  // Edge cases: one seed, a NaN, a variant without runs; nothing crashes.
  results.runs.erase(std::remove_if(results.runs.begin(), results.runs.end(),
                                    [&](const RunRecord& r) { return r.run.seed > 0 || r.run.variant == slow; }),
                     results.runs.end());
  RunRecord not_a_number = results.runs.front();
  not_a_number.run.seed = 1;
  not_a_number.report.metrics["accuracy"] = std::nan("");
  results.runs.push_back(not_a_number);
  std::string odd = predictions_html(results);
  EXPECT_EQ(count_of(odd, "class=\"profile\""), 1u) << odd;
  EXPECT_EQ(count_of(odd, "class=\"paired-dot\""), 0u);
  EXPECT_NE(odd.find("No finite per-seed values for slow."), std::string::npos);
  EXPECT_NE(odd.find("No seed paired with slow."), std::string::npos);
  EXPECT_NE(odd.find("Not plotted: seed 1 (fast&lt;&amp;&quot;x&quot;&gt;): nan."), std::string::npos);
}

}  // namespace
}  // namespace seedgate
