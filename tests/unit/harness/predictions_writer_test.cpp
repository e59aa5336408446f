// seedgate::protocol's predictions writers, read back by seedgate's reader:
// every kind in both formats, the automatic choice of format, the errors,
// and the README's Python and shell recipes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness/predictions.hpp"
#include "seedgate/protocol.hpp"

namespace seedgate {
namespace {

namespace fs = std::filesystem;
using protocol::PredictionsFormat;

class PredictionsWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("seedgate-predictions-writer-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_path = (m_dir / "predictions").string();
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string contents() const {
    std::ifstream in(m_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  checks::Predictions read_back() const {
    auto read = read_predictions(m_path, "predictions");
    EXPECT_TRUE(read.ok()) << (read.ok() ? "" : read.error());
    return read.ok() ? std::move(read).value() : checks::Predictions{};
  }
  bool temporary_left() const { return fs::exists(m_path + ".tmp"); }

  fs::path m_dir;
  std::string m_path;
};

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Dyadic probabilities sum to exactly 1, so the reader's normalisation keeps them.
const std::vector<int> kLabels = {1, 0, 2};
const std::vector<float> kProbabilities = {0.25f, 0.5f, 0.25f, 0.75f, 0.125f, 0.125f, 0.0f, 0.0f, 1.0f};

TEST_F(PredictionsWriterTest, ProbabilitiesAsCsvAreTheDocumentedText) {
  protocol::write_probabilities(m_path, kLabels, kProbabilities, 3, {}, PredictionsFormat::csv);
  EXPECT_EQ(contents(), "id,label,p0,p1,p2\n0,1,0.25,0.5,0.25\n1,0,0.75,0.125,0.125\n2,2,0,0,1\n");
  EXPECT_FALSE(temporary_left());
}

TEST_F(PredictionsWriterTest, CsvNumbersAreTheShortestThatReadBackExactly) {
  std::vector<float> p = {1.0f / 3, 2.0f / 3, 0.1f, 0.9f};
  protocol::write_probabilities(m_path, {0, 1}, p, 2, {}, PredictionsFormat::csv);
  EXPECT_EQ(contents(), "id,label,p0,p1\n0,0,0.33333334,0.6666667\n1,1,0.1,0.9\n");
  protocol::write_values(m_path, {0.1, -2.5e-300}, {1.0 / 3, 1e22}, {}, PredictionsFormat::csv);
  EXPECT_EQ(contents(), "id,target,value\n0,0.1,0.3333333333333333\n1,-2.5e-300,1e+22\n");
}

TEST_F(PredictionsWriterTest, ProbabilitiesAsBinaryAreTheDocumentedBytes) {
  protocol::write_probabilities(m_path, {1}, {0.25f, 0.75f}, 2, {-7}, PredictionsFormat::binary);
  std::string bytes = contents();
  ASSERT_EQ(bytes.size(), 8u + 4 + 4 + 8 + 8 + 8 + 2 * 4);
  EXPECT_EQ(bytes.substr(0, 8), "SGPRED1\n");
  EXPECT_EQ(bytes.substr(8, 16), std::string("\0\0\0\0\2\0\0\0\1\0\0\0\0\0\0\0", 16));  // kind 0, K 2, 1 row
  EXPECT_EQ(bytes.substr(24, 8), std::string("\xf9\xff\xff\xff\xff\xff\xff\xff", 8));   // id -7
  EXPECT_EQ(bytes.substr(32, 8), std::string("\0\0\0\0\0\0\xf0\x3f", 8));               // label 1.0
  EXPECT_EQ(bytes.substr(40, 8), std::string("\0\0\x80\x3e\0\0\x40\x3f", 8));           // 0.25f, 0.75f
}

TEST_F(PredictionsWriterTest, ProbabilitiesRoundTripInBothFormats) {
  for (PredictionsFormat format : {PredictionsFormat::csv, PredictionsFormat::binary}) {
    SCOPED_TRACE(format == PredictionsFormat::csv ? "csv" : "binary");
    protocol::write_probabilities(m_path, kLabels, kProbabilities, 3, {}, format);
    checks::Predictions p = read_back();
    EXPECT_EQ(p.kind, checks::PredictionKind::probabilities);
    EXPECT_EQ(p.classes, 3u);
    EXPECT_EQ(p.ids, (std::vector<std::string>{"0", "1", "2"}));
    EXPECT_EQ(p.truth, (std::vector<double>{1, 0, 2}));
    EXPECT_EQ(p.probabilities, kProbabilities);
    EXPECT_EQ(p.predicted, (std::vector<double>{1, 0, 2}));  // the arg max
  }
}

TEST_F(PredictionsWriterTest, ProbabilitiesThatAreNotDyadicReadBackWithinTheirNormalisation) {
  std::vector<float> p = {1.0f / 3, 2.0f / 3, 0.1f, 0.9f, 0.7f, 0.3f};
  for (PredictionsFormat format : {PredictionsFormat::csv, PredictionsFormat::binary}) {
    protocol::write_probabilities(m_path, {1, 1, 0}, p, 2, {10, 20, 30}, format);
    checks::Predictions read = read_back();
    EXPECT_EQ(read.ids, (std::vector<std::string>{"10", "20", "30"}));
    ASSERT_EQ(read.probabilities.size(), p.size());
    for (std::size_t i = 0; i < p.size(); ++i) EXPECT_FLOAT_EQ(read.probabilities[i], p[i]) << i;
  }
}

TEST_F(PredictionsWriterTest, ClassesRoundTripInBothFormats) {
  for (PredictionsFormat format : {PredictionsFormat::csv, PredictionsFormat::binary}) {
    SCOPED_TRACE(format == PredictionsFormat::csv ? "csv" : "binary");
    protocol::write_classes(m_path, {0, 3, 1}, {0, 2, 1}, {5, 6, 7}, format);
    if (format == PredictionsFormat::csv) {
      EXPECT_EQ(contents(), "id,label,class\n5,0,0\n6,3,2\n7,1,1\n");
    }
    checks::Predictions p = read_back();
    EXPECT_EQ(p.kind, checks::PredictionKind::classes);
    EXPECT_EQ(p.ids, (std::vector<std::string>{"5", "6", "7"}));
    EXPECT_EQ(p.truth, (std::vector<double>{0, 3, 1}));
    EXPECT_EQ(p.predicted, (std::vector<double>{0, 2, 1}));
  }
}

TEST_F(PredictionsWriterTest, ValuesRoundTripExactlyInBothFormats) {
  std::vector<double> targets = {0.1, -3.25, 1e-310}, values = {1.0 / 3, 2.0 / 7, -1e300};
  for (PredictionsFormat format : {PredictionsFormat::csv, PredictionsFormat::binary}) {
    SCOPED_TRACE(format == PredictionsFormat::csv ? "csv" : "binary");
    protocol::write_values(m_path, targets, values, {}, format);
    checks::Predictions p = read_back();
    EXPECT_EQ(p.kind, checks::PredictionKind::values);
    EXPECT_EQ(p.ids, (std::vector<std::string>{"0", "1", "2"}));
    EXPECT_EQ(p.truth, targets);
    EXPECT_EQ(p.predicted, values);
  }
}

TEST_F(PredictionsWriterTest, AutomaticIsBinaryAboveAMillionValues) {
  auto magic = [&] { return contents().substr(0, 8); };
  std::vector<double> targets(1'000'000, 0.5);
  protocol::write_values(m_path, targets, targets);
  EXPECT_EQ(magic(), "id,targe");
  targets.push_back(0.5);
  protocol::write_values(m_path, targets, targets);
  EXPECT_EQ(magic(), "SGPRED1\n");  // more rows than seedgate reads, but written as asked
  // Probabilities count every class: 500,001 rows of 2 are 1,000,002 values.
  std::vector<int> labels(500'001, 0);
  std::vector<float> p(2 * labels.size(), 0.5f);
  protocol::write_probabilities(m_path, labels, p, 2);
  EXPECT_EQ(magic(), "SGPRED1\n");
  EXPECT_EQ(read_back().rows(), 500'001u);
  labels.pop_back();
  p.resize(2 * labels.size());
  protocol::write_probabilities(m_path, labels, p, 2);
  EXPECT_EQ(magic(), "id,label");
}

TEST_F(PredictionsWriterTest, MismatchedSizesAreErrorsNamingThePath) {
  EXPECT_EQ(error_of([&] {
              protocol::write_probabilities(m_path, {0, 1}, {0.5f, 0.5f, 1.0f}, 2);
            }),
            "cannot write predictions to '" + m_path + "': 3 probabilities for 2 labels and 2 classes");
  EXPECT_EQ(error_of([&] { protocol::write_probabilities(m_path, {0}, {1.0f}, 1); }),
            "cannot write predictions to '" + m_path + "': 1 classes; probabilities need at least 2");
  EXPECT_EQ(error_of([&] {
              protocol::write_classes(m_path, {0, 1}, {0});
            }),
            "cannot write predictions to '" + m_path + "': 1 predicted classes for 2 labels");
  EXPECT_EQ(error_of([&] {
              protocol::write_values(m_path, {0.0}, {1.0, 2.0});
            }),
            "cannot write predictions to '" + m_path + "': 2 values for 1 targets");
  EXPECT_EQ(error_of([&] {
              protocol::write_classes(m_path, {0, 1}, {0, 1}, {4});
            }),
            "cannot write predictions to '" + m_path + "': 1 ids for 2 rows");
  EXPECT_FALSE(fs::exists(m_path));
  EXPECT_FALSE(temporary_left());
}

TEST_F(PredictionsWriterTest, AFileThatCannotBeWrittenIsAnErrorAndLeavesNothing) {
  std::string missing = (m_dir / "no-such-folder" / "predictions").string();
  EXPECT_EQ(error_of([&] { protocol::write_classes(missing, {0}, {0}); }),
            "cannot write predictions to '" + missing + "': No such file or directory");
  EXPECT_EQ(error_of([&] { protocol::write_classes("", {0}, {0}); }),
            "cannot write predictions to '': the path is empty (SEEDGATE_PREDICTIONS is not set)");
  fs::create_directory(m_path);  // the rename onto a folder fails
  EXPECT_EQ(error_of([&] { protocol::write_values(m_path, {0.5}, {0.5}); }),
            "cannot write predictions to '" + m_path + "': Is a directory");
  EXPECT_FALSE(temporary_left());
}

TEST_F(PredictionsWriterTest, ANewFileReplacesTheOldWhole) {
  protocol::write_classes(m_path, {0, 1, 2, 3}, {0, 1, 2, 3});
  protocol::write_classes(m_path, {1}, {1});
  EXPECT_EQ(contents(), "id,label,class\n0,1,1\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator{}), 1);  // no .tmp
}

TEST_F(PredictionsWriterTest, SettingsTakeThePathFromSeedgatePredictions) {
  std::map<std::string, std::string> env = {{"SEEDGATE_PREDICTIONS", "/tmp/run/predictions"}};
  auto lookup = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_EQ(protocol::settings_from_environment(lookup).predictions_path, "/tmp/run/predictions");
  env.clear();
  EXPECT_EQ(protocol::settings_from_environment(lookup).predictions_path, "");
}

// The README's recipes, run as written there (the Python one after a line
// that gives it data).
int run_shell(const std::string& command) {
  return std::system(command.c_str());  // NOLINT(cert-env33-c): a fixed command of this test's
}

TEST_F(PredictionsWriterTest, TheReadmePythonRecipeWritesAFileSeedgateReads) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  std::string script = m_dir / "write.py";
  std::ofstream(script) << R"(ids, labels, probabilities = [0, 1], [1, 0], [[0.2, 0.8], [0.9, 0.1]]
import csv, os
if path := os.environ.get("SEEDGATE_PREDICTIONS"):  # unset when run by hand
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "label"] + [f"p{k}" for k in range(len(probabilities[0]))])
        w.writerows([i, y, *p] for i, y, p in zip(ids, labels, probabilities))
)";
  ASSERT_EQ(run_shell("SEEDGATE_PREDICTIONS='" + m_path + "' /usr/bin/python3 '" + script + "'"), 0);
  EXPECT_EQ(contents(), "id,label,p0,p1\n0,1,0.2,0.8\n1,0,0.9,0.1\n");
  checks::Predictions p = read_back();
  EXPECT_EQ(p.rows(), 2u);
  EXPECT_EQ(p.predicted, (std::vector<double>{1, 0}));
}

TEST_F(PredictionsWriterTest, TheReadmeShellRecipeWritesAFileSeedgateReads) {
  std::string script = m_dir / "write.sh";
  std::ofstream(script)
      << R"({ echo id,target,value; printf '%s,%s,%s\n' a 1.5 1.25 b 2 2.5; } > "$SEEDGATE_PREDICTIONS")"
      << "\n";
  ASSERT_EQ(run_shell("SEEDGATE_PREDICTIONS='" + m_path + "' /bin/sh '" + script + "'"), 0);
  checks::Predictions p = read_back();
  EXPECT_EQ(p.kind, checks::PredictionKind::values);
  EXPECT_EQ(p.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.truth, (std::vector<double>{1.5, 2}));
  EXPECT_EQ(p.predicted, (std::vector<double>{1.25, 2.5}));
}

}  // namespace
}  // namespace seedgate
