// The xgboost adapter's data loading and one run's training, called directly.
#include "adapters/xgboost/xgboost_adapter.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "harness/predictions.hpp"
#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(EXAMPLES_DIR) / "data";

class XGBoostAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("seedgate_xgboost_adapter_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
    m_subject.train = kData / "breast_cancer_train.csv";
    m_subject.eval = {{"test", kData / "breast_cancer_test.csv"}};
    m_subject.rounds = 5;
    m_subject.params = {{"objective", "binary:logistic"}, {"eval_metric", "error"}};
  }
  void TearDown() override { fs::remove_all(m_dir); }

  ProcessSpec spec() const {
    ProcessSpec s;
    s.env = {{"SEEDGATE_SEED", "1"},
             {"SEEDGATE_THREADS", "1"},
             {"SEEDGATE_RUN_DIR", m_dir.string()},
             {"SEEDGATE_METRICS", (m_dir / "metrics.jsonl").string()}};
    s.stdout_path = m_dir / "stdout.log";
    s.stderr_path = m_dir / "stderr.log";
    return s;
  }
  ProcessResult train(const RunControl& control = {}) {
    auto data = load_xgboost_data(m_subject);
    EXPECT_TRUE(data) << data.error();
    return train_xgboost_run(m_subject, **data, {}, spec(), control);
  }
  std::string metrics() const { return *util::read_file(m_dir / "metrics.jsonl"); }

  fs::path m_dir;
  XGBoostSubject m_subject;
};

TEST_F(XGBoostAdapterTest, FeatureNamesMustMatchTheData) {
  m_subject.feature_names = {"a", "b"};
  auto data = load_xgboost_data(m_subject);
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error(),
            "[subject.xgboost] 'feature_names' has 2 names, but " + m_subject.train.string() + " has 30 features");
}

TEST_F(XGBoostAdapterTest, AnEvaluationSetWiderThanTheTrainingDataIsRefused) {
  std::ofstream(m_dir / "narrow.csv") << "1,2,0\n3,4,1\n";
  m_subject.train = m_dir / "narrow.csv";
  auto data = load_xgboost_data(m_subject);
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error(), "evaluation set 'test' has 30 features, the training data 2");
}

TEST_F(XGBoostAdapterTest, AnUnknownEarlyStoppingMetricFailsTheRunNamingTheEvaluatedOnes) {
  m_subject.early_stopping_rounds = 2;
  m_subject.early_stopping_metric = "test-auc";
  ProcessResult r = train();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(metrics().find("{\"type\": \"event\", \"name\": \"framework-error\", \"message\": \"XGBoost: "
                           "early_stopping_metric 'test-auc' is not among the evaluated metrics (test-error)\"}"),
            std::string::npos)
      << metrics();
}

TEST_F(XGBoostAdapterTest, ARunWritesRoundsDigestModelAndImportance) {
  ProcessResult r = train();
  EXPECT_TRUE(r.succeeded());
  std::string m = metrics();
  EXPECT_NE(m.find("{\"step\": 4, \"test-error\": "), std::string::npos) << m;
  EXPECT_NE(m.find("{\"type\": \"artifact\", \"name\": \"model\""), std::string::npos) << m;
  EXPECT_NE(m.find("{\"type\": \"importance\", \"kind\": \"gain\""), std::string::npos) << m;
  EXPECT_TRUE(fs::exists(m_dir / "model.ubj"));
  EXPECT_EQ(util::read_file(m_dir / "stderr.log")->substr(0, 16), "[0]\ttest-error:0");
}

TEST_F(XGBoostAdapterTest, DeadlineAndStopAreCheckedBetweenRounds) {
  RunControl late;
  late.deadline = std::chrono::steady_clock::now();
  EXPECT_EQ(train(late).status, ProcessResult::Status::timed_out);
  std::atomic<bool> stop{true};
  RunControl stopped;
  stopped.stop = &stop;
  EXPECT_EQ(train(stopped).status, ProcessResult::Status::interrupted);
}

TEST_F(XGBoostAdapterTest, ARunWritesTheFirstEvaluationSetsPredictions) {
  std::ofstream(m_dir / "second.csv") << "1,2,0\n";
  m_subject.eval.emplace_back("second", m_dir / "second.csv");
  EXPECT_TRUE(train().succeeded());
  auto p = read_predictions(m_dir / kPredictionsFile, "predictions");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->kind, checks::PredictionKind::probabilities);
  EXPECT_EQ(p->classes, 2u);
  EXPECT_EQ(p->rows(), 142u);  // breast_cancer_test.csv, not second.csv
}

TEST_F(XGBoostAdapterTest, PredictionsThatCannotBeWrittenAreLoggedAndTheRunStands) {
  std::ofstream(m_dir / "soft.csv") << "1,2,0.5\n3,4,1\n";  // a soft label: no class
  m_subject.eval = {{"soft", m_dir / "soft.csv"}};
  EXPECT_TRUE(train().succeeded());
  EXPECT_FALSE(fs::exists(m_dir / kPredictionsFile));
  std::string log = *util::read_file(m_dir / "stderr.log");
  EXPECT_NE(log.find("predictions of 'soft' not written: cannot write predictions to '" +
                     (m_dir / kPredictionsFile).string() + "': the label of row 0, 0.5, is not a class\n"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace seedgate
