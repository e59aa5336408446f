#include "harness/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

TEST(ProtocolTest, PlainRecordsKeepLastValueAndSteps) {
  RunReport r;
  parse_protocol("{\"step\": 0, \"loss\": 0.5}\n{\"step\": 1, \"loss\": 0.25}\n{\"accuracy\": 0.953}\n", "m", r);
  EXPECT_EQ(r.metrics.at("loss"), 0.25);
  EXPECT_EQ(r.metrics.at("accuracy"), 0.953);
  ASSERT_EQ(r.series.at("loss").size(), 2u);
  EXPECT_EQ(r.series.at("loss")[1], (std::pair<std::int64_t, double>{1, 0.25}));
  EXPECT_FALSE(r.series.count("accuracy"));
  EXPECT_TRUE(r.issues.empty());
}

TEST(ProtocolTest, TypedRecords) {
  RunReport r;
  parse_protocol(R"({"type": "artifact", "name": "weights", "digest": "xxh3:0123"}
{"type": "predictions", "path": "preds.csv"}
{"type": "event", "name": "nondeterministic-op", "message": "index_add_cuda_"}
{"type": "env", "torch": "1.13.1", "cuda": null}
)",
                 "m", r);
  EXPECT_EQ(r.digests.at("weights"), "xxh3:0123");
  EXPECT_EQ(r.predictions, (std::vector<std::string>{"preds.csv"}));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].message, "index_add_cuda_");
  EXPECT_EQ(r.env.at("torch"), "1.13.1");
  EXPECT_EQ(r.env.at("cuda"), "null");
  EXPECT_TRUE(r.issues.empty());
}

TEST(ProtocolTest, MalformedLinesAreIssuesWithLineNumbers) {
  RunReport r;
  parse_protocol(
      "not json\n{\"loss\": NaN, \"step\": 1}\n[1, 2]\n{\"accuracy\": \"high\"}\n"
      "{\"type\": \"artifact\", \"name\": \"w\"}\n{\"type\": \"bogus\"}\n{\"accuracy\": 0.9\n"
      "{\"loss\": -Infinity}\n{\"note\": \"NaN inside a string stays a string\"}\n",
      "metrics.jsonl", r);
  std::vector<std::string> expected = {
      "metrics.jsonl:1: not a JSON object: not json",
      "metrics.jsonl:2: metric 'loss' is nan",
      "metrics.jsonl:3: expected a JSON object, got an array",
      "metrics.jsonl:4: metric 'accuracy' is a string, not a number",
      "metrics.jsonl:5: artifact record needs string fields 'name' and 'digest'",
      "metrics.jsonl:6: unknown record type 'bogus' (known: artifact, predictions, event, env, importance)",
      "metrics.jsonl:7: not a JSON object: {\"accuracy\": 0.9",
      "metrics.jsonl:8: metric 'loss' is -inf",
      "metrics.jsonl:9: metric 'note' is a string, not a number",
  };
  EXPECT_EQ(r.issues, expected);
  EXPECT_TRUE(std::isinf(r.metrics.at("loss")));
  EXPECT_FALSE(r.metrics.count("accuracy"));
}

TEST(ProtocolTest, BinaryGarbageDoesNotCrash) {
  RunReport r;
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131) % 256);
  parse_protocol(garbage, "m", r);
  EXPECT_FALSE(r.issues.empty());
  EXPECT_LE(r.issues.size(), kMaxIssuesPerRun + 1);
}

TEST(RegexMetricTest, PicksValues) {
  MetricSpec metric;
  metric.name = "error";
  metric.regex = "test-error:([0-9.eE+-]+)";
  metric.source = Stream::stderr_stream;
  std::string log = "[0]\ttest-error:0.2\n[1]\ttest-error:0.1\n[2]\ttest-error:0.15\n";
  RunReport last;
  apply_regex_metric(metric, log, "stderr.log", last);
  EXPECT_EQ(last.metrics.at("error"), 0.15);
  metric.pick = Pick::min;
  RunReport min;
  apply_regex_metric(metric, log, "stderr.log", min);
  EXPECT_EQ(min.metrics.at("error"), 0.1);
  metric.pick = Pick::first;
  RunReport first;
  apply_regex_metric(metric, log, "stderr.log", first);
  EXPECT_EQ(first.metrics.at("error"), 0.2);
}

TEST(RegexMetricTest, UnparsableCaptureIsAnIssue) {
  MetricSpec metric;
  metric.name = "error";
  metric.regex = "error=(\\S+)";
  RunReport r;
  apply_regex_metric(metric, "error=abc\nerror=nan\n", "stdout.log", r);
  EXPECT_EQ(r.issues, (std::vector<std::string>{"stdout.log:1: metric 'error' matched 'abc', which is not a number",
                                                "stdout.log:2: metric 'error' is nan"}));
  EXPECT_TRUE(std::isnan(r.metrics.at("error")));
}

TEST(RegexMetricTest, CatastrophicPatternEndsInLinearTime) {
  // (a+)+$ on a run of 'a's ending in 'b' backtracks exponentially in a
  // backtracking engine; RE2 answers at once, on 40 'a's or on 100,000.
  MetricSpec metric;
  metric.name = "error";
  metric.regex = "(a+)+$";
  RunReport r;
  std::string line = std::string(100000, 'a') + "b\n" + std::string(40, 'a') + "b\n";
  apply_regex_metric(metric, line, "stdout.log", r);
  EXPECT_FALSE(r.metrics.count("error"));
  EXPECT_TRUE(r.issues.empty());
}

TEST(RegexMetricTest, NoMatchLeavesMetricMissing) {
  MetricSpec metric;
  metric.name = "error";
  metric.regex = "error=([0-9.]+)";
  RunReport r;
  apply_regex_metric(metric, "nothing here\n", "stdout.log", r);
  EXPECT_FALSE(r.metrics.count("error"));
}

// Lines of every kind of ending, fed a byte at a time: a "\r\n" split across
// chunks ends one line, not two.
TEST(LineSplitterTest, EveryLineEndInAnyChunking) {
  const std::string text = "a\nb\r\nc\rd\r\re\n\nf";
  for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{3}, text.size()}) {
    std::vector<std::pair<std::string, std::size_t>> lines;
    LineSplitter splitter([&](std::string_view line, std::size_t n) { lines.emplace_back(line, n); });
    for (std::size_t i = 0; i < text.size(); i += step) splitter.feed(std::string_view(text).substr(i, step));
    splitter.finish();
    std::vector<std::pair<std::string, std::size_t>> expected = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4},
                                                                 {"", 5},  {"e", 6}, {"", 7},  {"f", 8}};
    EXPECT_EQ(lines, expected) << "chunks of " << step;
  }
}

// A line longer than the longest kept reaches the scan in overlapping pieces,
// so a value anywhere in it (even across a cut) is found, in bounded memory.
TEST(LineSplitterTest, LineOfAnyLengthInBoundedPieces) {
  std::string line(3 * kMaxLineBytes, 'x');
  line.replace(kMaxLineBytes - 5, 10, "loss=0.125");  // straddles the first cut
  std::size_t pieces = 0, longest = 0;
  MetricSpec metric;
  metric.name = "loss";
  metric.regex = "loss=([0-9.]+)";
  RunReport report;
  apply_regex_metric(metric, line + "\n", "stdout.log", report);
  EXPECT_EQ(report.metrics.at("loss"), 0.125);
  LineSplitter splitter([&](std::string_view piece, std::size_t n) {
    EXPECT_EQ(n, 1u);
    ++pieces;
    longest = std::max(longest, piece.size());
  });
  for (std::size_t i = 0; i < line.size(); i += 65536) splitter.feed(std::string_view(line).substr(i, 65536));
  splitter.finish();
  EXPECT_EQ(pieces, 4u);
  EXPECT_EQ(longest, kMaxLineBytes);
}

// tqdm redraws its bar with "\r": the last value is the last update's.
TEST(RegexMetricTest, ProgressBarUpdatesAreLines) {
  MetricSpec metric;
  metric.name = "loss";
  metric.regex = "loss=([0-9.]+)";
  RunReport report;
  apply_regex_metric(metric, "epoch 1: 10%|#  | loss=0.9\r 50%|###  | loss=0.5\r100%|#####| loss=0.25\n", "stderr.log",
                     report);
  EXPECT_EQ(report.metrics.at("loss"), 0.25);
}

// A value on both streams: their lines are not ordered against each other,
// so "last" takes stderr's and says so; "max" needs no order.
TEST(RegexMetricTest, BothStreamsMatchingSaysWhichValueWasTaken) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "seedgate-both-streams";
  fs::create_directories(dir);
  ASSERT_TRUE(util::write_file_atomic(dir / "stdout.log", "acc=0.7\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / "stderr.log", "acc=0.6\n"));
  MetricSpec metric;
  metric.name = "accuracy";
  metric.regex = "acc=([0-9.]+)";
  metric.source = Stream::both_streams;
  const std::vector<LogFile> logs = {{Stream::stdout_stream, dir / "stdout.log", "stdout.log"},
                                     {Stream::stderr_stream, dir / "stderr.log", "stderr.log"}};
  std::vector<RegexExtraction> last = extract_regex_metrics({metric}, logs, 1 << 20);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].picked, 0.6);
  EXPECT_EQ(last[0].matches, 2u);
  EXPECT_EQ(last[0].looked_in, "stdout.log and stderr.log");
  EXPECT_EQ(last[0].issues,
            (std::vector<std::string>{
                "metric 'accuracy' matched in stdout.log and stderr.log, whose lines are not ordered "
                "against each other: pick = \"last\" took stderr.log's; set stream to the one the value "
                "is written to"}));
  metric.pick = Pick::max;
  std::vector<RegexExtraction> max = extract_regex_metrics({metric}, logs, 1 << 20);
  EXPECT_EQ(max[0].picked, 0.7);
  EXPECT_TRUE(max[0].issues.empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace seedgate
