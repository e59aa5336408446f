#include "harness/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace seedgate {
namespace {

RunRecord record(const std::string& id, RunStatus status, const std::string& message = "") {
  RunRecord r;
  r.run.id = id;
  r.status = status;
  r.message = message;
  r.process.wall_seconds = 1.5;
  if (status == RunStatus::passed) r.report.metrics["accuracy"] = 0.95;
  return r;
}

TEST(ProgressTest, StyleFollowsTheTerminalCiAndNoColor) {
  EXPECT_TRUE(progress_style("auto", true, false, false, false).live);
  EXPECT_TRUE(progress_style("auto", true, false, false, false).color);
  EXPECT_FALSE(progress_style("auto", true, true, false, false).live);  // CI: a line per run
  EXPECT_FALSE(progress_style("auto", false, false, false, false).live);
  EXPECT_FALSE(progress_style("auto", false, false, false, false).color);
  EXPECT_FALSE(progress_style("auto", true, false, true, false).color);   // NO_COLOR
  EXPECT_TRUE(progress_style("auto", true, false, true, false).live);     // NO_COLOR keeps the live line
  EXPECT_TRUE(progress_style("always", false, true, true, false).color);  // --color wins
  EXPECT_FALSE(progress_style("never", true, false, false, false).color);
  // TERM=dumb: no cursor movement and, unless asked for, no colour.
  EXPECT_FALSE(progress_style("auto", true, false, false, true).live);
  EXPECT_FALSE(progress_style("auto", true, false, false, true).color);
  EXPECT_TRUE(progress_style("always", true, false, false, true).color);
  EXPECT_FALSE(progress_style("always", true, false, false, true).live);
}

TEST(ProgressTest, ALogGetsOneLinePerFinishedRun) {
  std::ostringstream out;
  Progress progress(out, {false, false});
  progress.begin(12, 0);
  progress.started();
  progress.finished(record("s0-deterministic-cpu-r0", RunStatus::passed));
  progress.started();
  progress.finished(record("s1-deterministic-cpu-r0", RunStatus::failed, "exited with code 1"));
  progress.end();
  EXPECT_EQ(out.str(),
            "[ 1/12] s0-deterministic-cpu-r0      passed         1.50s accuracy=0.95\n"
            "[ 2/12] s1-deterministic-cpu-r0      failed         1.50s  exited with code 1\n");
}

TEST(ProgressTest, ATerminalGetsALiveLineAndTheRunsThatBroke) {
  std::ostringstream out;
  Progress progress(out, {true, true});
  progress.begin(4, 1);
  progress.started();
  progress.started();
  EXPECT_EQ(progress.status_line(), "[1/4] running 2, failed 0");
  progress.finished(record("s1-deterministic-cpu-r0", RunStatus::passed));
  EXPECT_TRUE(progress.status_line().starts_with("[2/4] running 1, failed 0, ETA ")) << progress.status_line();
  progress.finished(record("s2-deterministic-cpu-r0", RunStatus::timed_out, "timed out after 10s"));
  EXPECT_TRUE(progress.status_line().starts_with("[3/4] running 0, failed 1, ETA "));
  progress.end();
  std::string text = out.str();
  EXPECT_EQ(text.find("s1-deterministic-cpu-r0"), std::string::npos) << "passed runs only move the live line";
  EXPECT_NE(text.find("\r\x1b[2K[3/4] s2-deterministic-cpu-r0      \x1b[31mtimed-out  \x1b[0m    1.50s  timed out"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\r\x1b[2K\x1b[2m[1/4] running 2, failed 0\x1b[0m"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\r\x1b[2K"));  // the live line is cleared at the end
}

TEST(ProgressTest, Durations) {
  EXPECT_EQ(format_duration(42.4), "42s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(-1), "0s");
}

}  // namespace
}  // namespace seedgate
