#include "harness/sweep.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace seedgate {
namespace {

Policy policy_with_metric_and_artifact(Stream source) {
  Policy policy;
  MetricSpec metric;
  metric.name = "error";
  metric.source = source;
  metric.regex = source == Stream::protocol ? "" : "err=([0-9.]+)";
  policy.metrics.push_back(metric);
  policy.artifacts.emplace_back("model", "{run_dir}/model.bin");
  policy.subject.timeout = std::chrono::seconds(90);
  return policy;
}

RunRecord record_with(ProcessResult process, std::map<std::string, double> metrics,
                      std::map<std::string, std::string> digests) {
  RunRecord record;
  record.process = process;
  record.report.metrics = std::move(metrics);
  record.report.digests = std::move(digests);
  return record;
}

TEST(ClassifyRunTest, Passed) {
  RunRecord r = record_with({}, {{"error", 0.1}}, {{"model", "xxh3:1"}});
  classify_run(policy_with_metric_and_artifact(Stream::protocol), r);
  EXPECT_EQ(r.status, RunStatus::passed);
  EXPECT_EQ(r.message, "");
}

TEST(ClassifyRunTest, MissingProtocolMetric) {
  RunRecord r = record_with({}, {}, {{"model", "xxh3:1"}});
  classify_run(policy_with_metric_and_artifact(Stream::protocol), r);
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.message, "metric 'error' was not reported in the metrics file");
}

TEST(ClassifyRunTest, RegexMatchedNothing) {
  RunRecord r = record_with({}, {}, {{"model", "xxh3:1"}});
  classify_run(policy_with_metric_and_artifact(Stream::stderr_stream), r);
  EXPECT_EQ(r.message, "metric 'error': regex 'err=([0-9.]+)' matched nothing in stderr");
}

TEST(ClassifyRunTest, OptionalMetricMayBeMissing) {
  Policy policy = policy_with_metric_and_artifact(Stream::protocol);
  policy.metrics[0].required = false;
  RunRecord r = record_with({}, {}, {{"model", "xxh3:1"}});
  classify_run(policy, r);
  EXPECT_EQ(r.status, RunStatus::passed);
}

TEST(ClassifyRunTest, MissingArtifact) {
  RunRecord r = record_with({}, {{"error", 0.1}}, {});
  classify_run(policy_with_metric_and_artifact(Stream::protocol), r);
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.message, "artifact 'model' ({run_dir}/model.bin) was not written");
}

TEST(ClassifyRunTest, ANondeterministicOpEventIsADeterminismViolation) {
  ProcessResult exited;
  exited.exit_code = 1;
  RunRecord r = record_with(exited, {}, {});
  r.report.events.push_back({"nondeterministic-op", "put_ does not have a deterministic implementation"});
  classify_run(policy_with_metric_and_artifact(Stream::protocol), r);
  EXPECT_EQ(r.status, RunStatus::violated);
  EXPECT_EQ(r.message, "determinism violation: put_ does not have a deterministic implementation");
  EXPECT_EQ(r.observation().violation, "put_ does not have a deterministic implementation");
}

TEST(ClassifyRunTest, AFrameworkErrorEventExplainsAFailure) {
  ProcessResult exited;
  exited.exit_code = 1;
  RunRecord r = record_with(exited, {}, {});
  r.report.events.push_back({"framework-error", "CUDA out of memory"});
  classify_run(policy_with_metric_and_artifact(Stream::protocol), r);
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.message, "exited with code 1: CUDA out of memory");
}

TEST(ClassifyRunTest, ProcessOutcomesComeFirst) {
  Policy policy = policy_with_metric_and_artifact(Stream::protocol);
  ProcessResult timed_out;
  timed_out.status = ProcessResult::Status::timed_out;
  timed_out.signal = SIGKILL;
  RunRecord t = record_with(timed_out, {}, {});
  classify_run(policy, t);
  EXPECT_EQ(t.status, RunStatus::timed_out);
  EXPECT_EQ(t.message, "timed out after 90s; process group ended by SIGKILL (killed)");

  ProcessResult interrupted;
  interrupted.status = ProcessResult::Status::interrupted;
  RunRecord i = record_with(interrupted, {}, {});
  classify_run(policy, i);
  EXPECT_EQ(i.status, RunStatus::interrupted);
  EXPECT_EQ(i.message, "interrupted: seedgate was asked to stop");

  ProcessResult segfault;
  segfault.status = ProcessResult::Status::signaled;
  segfault.signal = SIGSEGV;
  RunRecord s = record_with(segfault, {{"error", 0.1}}, {{"model", "xxh3:1"}});
  classify_run(policy, s);
  EXPECT_EQ(s.status, RunStatus::failed);
  EXPECT_EQ(s.message, "killed by signal SIGSEGV (segmentation fault)");
}

}  // namespace
}  // namespace seedgate
