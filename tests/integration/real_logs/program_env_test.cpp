// The program's own environment in the fingerprint: interpreter and package versions, and regression notes naming what
// changed.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kChecks = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.5

[[check]]
kind = "regression"
metric = "accuracy"
baseline = "baselines/main.json"
margin = 0.05
)";

class ProgramEnvTest : public CliTest {
 protected:
  // An executable file in the test's folder.
  void write_executable(const std::string& name, const std::string& text) {
    ASSERT_TRUE(util::write_file_atomic(m_dir / name, text));
    ::chmod((m_dir / name).c_str(), 0755);
  }

  // A policy running `command` (a TOML array's items) that prints "accuracy: ...".
  void write_program_policy(const std::string& command, const std::string& checks = kChecks,
                            const std::string& subject = "") {
    ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", fmt::format(R"(version = 1
[subject]
command = [{}]
timeout = "60s"
{}
[sweep]
seeds = 3
jobs = 2

[metrics.accuracy]
goal = "max"
regex = 'accuracy: ([0-9.]+)'

{}
[report]
json = "results.json"
)",
                                                                             command, subject, checks)));
  }

  // A Python stand-in named python3: it trains (prints an accuracy from its
  // seed) and answers the version query with sklearn $FAKE_SKLEARN, noting
  // each query in queries.log.
  void write_fake_python() {
    write_executable("python3", R"(#!/bin/sh
if [ "$1" = "-c" ]; then
  echo query >> queries.log
  echo "importing site..."
  echo "seedgate-python-env {\"version\": \"3.11.2\", \"implementation\": \"CPython\", \"sklearn\": \"$FAKE_SKLEARN\", \"numpy\": \"1.24.2\"}"
  exit 0
fi
echo "accuracy: 0.9$2"
)");
  }

  std::size_t queries() {
    auto log = util::read_file(m_dir / "queries.log");
    return log ? static_cast<std::size_t>(std::count(log->begin(), log->end(), '\n')) : 0;
  }

  static std::vector<std::string> notes(const nlohmann::json& results, const std::string& kind) {
    for (const nlohmann::json& c : results["checks"])
      if (c["kind"] == kind) return c.value("notes", std::vector<std::string>{});
    ADD_FAILURE() << "no " << kind << " check";
    return {};
  }

  // A baseline from one sweep, then a candidate sweep against it.
  void baseline_then_candidate(const std::vector<std::string>& baseline_env,
                               const std::vector<std::string>& candidate_env) {
    Outcome base = seedgate({"run", "--out", "base"}, baseline_env);
    ASSERT_EQ(base.exit_code, 3) << base.out << base.err;  // no baseline yet
    Outcome saved = seedgate({"baseline", "save", "results.json", "-o", "baselines/main.json"});
    ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
    m_candidate = seedgate({"run", "--out", "candidate"}, candidate_env);
  }

  Outcome m_candidate;
};

std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The real interpreter: its version and numpy's (Debian's python3-numpy) in
// the fingerprint, kept by `check`, `report` and `baseline save`.
TEST_F(ProgramEnvTest, RealPythonReportsItsVersionAndPackages) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 is not installed";
  std::string numpy = command_output("/usr/bin/python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null");
  std::string version = command_output("/usr/bin/python3 -c 'import platform; print(platform.python_version())'");
  ASSERT_FALSE(version.empty());
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train.py", "import sys\nprint('accuracy: 0.9' + sys.argv[1])\n"));
  write_program_policy(R"("/usr/bin/python3", "train.py", "{seed}")",
                       "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json python = results()["environment"]["python"];
  EXPECT_EQ(python["version"], version) << python.dump();
  EXPECT_EQ(python["executable"], "/usr/bin/python3") << python.dump();
  if (numpy.empty()) {
    EXPECT_FALSE(python.contains("numpy")) << python.dump();
  } else {
    EXPECT_EQ(python["numpy"], numpy) << python.dump();
  }
  expect_round_trip("sweep/results.json", "results.json");
  EXPECT_EQ(results()["environment"]["python"], python);
  EXPECT_EQ(results("rt-baseline.json")["environment"]["python"], python);
}

// A baseline trained under sklearn 1.2.1, a candidate under 1.3.0: the
// regression check says which package changed, on the console, in the
// results and again from `seedgate check`. The interpreter is asked once per
// sweep, with the run's environment.
TEST_F(ProgramEnvTest, RegressionNotesNameThePackageThatChanged) {
  write_fake_python();
  write_program_policy(R"("./python3", "train.py", "{seed}")");
  baseline_then_candidate({"FAKE_SKLEARN=1.2.1"}, {"FAKE_SKLEARN=1.3.0"});
  EXPECT_EQ(m_candidate.exit_code, 0) << m_candidate.out << m_candidate.err;
  EXPECT_EQ(queries(), 2u) << "one query per sweep, not one per run";
  const std::string note =
      "baseline and candidate ran on different environments: python.sklearn: 1.2.1 (baseline) "
      "vs 1.3.0";
  EXPECT_NE(m_candidate.out.find(note), std::string::npos) << m_candidate.out;
  nlohmann::json r = results();
  EXPECT_EQ(r["environment"]["python"], nlohmann::json::parse(R"({"version": "3.11.2", "implementation": "CPython",
                                                                  "sklearn": "1.3.0", "numpy": "1.24.2"})"));
  EXPECT_EQ(notes(r, "regression"), std::vector<std::string>{note});
  Outcome checked = seedgate({"check", "results.json"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(notes(results(), "regression"), std::vector<std::string>{note});
  EXPECT_EQ(queries(), 2u) << "check asks nothing";

  // The same packages again: no note.
  Outcome same = seedgate({"run", "--out", "same"}, {"FAKE_SKLEARN=1.2.1"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_EQ(same.out.find("different environments"), std::string::npos) << same.out;
}

// An interpreter that never answers (and leaves a child holding its output)
// costs the sweep at most the run timeout, and says so; nothing of it is left running.
TEST_F(ProgramEnvTest, AnInterpreterThatHangsDoesNotHangTheSweep) {
  write_executable("python3", R"(#!/bin/sh
if [ "$1" = "-c" ]; then
  sleep 31415 &
  exec sleep 31415
fi
echo "accuracy: 0.9$2"
)");
  write_program_policy(R"("./python3", "train.py", "{seed}")",
                       "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  std::string policy = *util::read_file(m_dir / "seedgate.toml");
  policy.replace(policy.find("timeout = \"60s\""), 15, "timeout = \"2s\"");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  auto started = std::chrono::steady_clock::now();
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(results()["environment"]["python"],
            nlohmann::json({{"note", "the version query to ./python3 did not answer within 2s"}}));
  EXPECT_EQ(command_output("grep -la '3141[5]' /proc/[0-9]*/cmdline 2>/dev/null"), "")
      << "the query's processes were left running";
}

// An interpreter that prints something else than an answer gives a note.
TEST_F(ProgramEnvTest, AnInterpreterThatPrintsGarbageGivesANote) {
  write_executable("python3", R"(#!/bin/sh
if [ "$1" = "-c" ]; then
  echo 'seedgate-python-env {"version": [[[['
  exit 0
fi
echo "accuracy: 0.9$2"
)");
  write_program_policy(R"("/bin/sh", "-c", "./python3 train.py {seed}")",
                       "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(results()["environment"]["python"],
            nlohmann::json({{"note",
                             "the version query to ./python3 gave an answer that is not a JSON object: "
                             "seedgate-python-env {\"version\": [[[["}}));
}

// A program that is not Python gets no query: here a shell script whose
// python3 neighbour would log one.
TEST_F(ProgramEnvTest, ANonPythonCommandGetsNoQuery) {
  write_fake_python();
  write_executable("train.sh", "#!/bin/sh\necho \"accuracy: 0.9$1\"\n");
  write_program_policy(R"("./train.sh", "{seed}")",
                       "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_FALSE(results()["environment"].contains("python")) << results()["environment"].dump();
  EXPECT_EQ(queries(), 0u);
}

// The protocol's {"type": "env"} record of any program is in the
// fingerprint as "program", and a change of it is named in regression notes.
TEST_F(ProgramEnvTest, TheProtocolsEnvRecordReachesTheFingerprint) {
  write_executable("train.sh", R"(#!/bin/sh
echo "{\"type\": \"env\", \"torch\": \"$FAKE_TORCH\", \"cuda\": \"none\"}" >> "$SEEDGATE_METRICS"
echo "accuracy: 0.9$1"
)");
  write_program_policy(R"("./train.sh", "{seed}")");
  baseline_then_candidate({"FAKE_TORCH=2.1.0"}, {"FAKE_TORCH=2.2.0"});
  EXPECT_EQ(m_candidate.exit_code, 0) << m_candidate.out << m_candidate.err;
  nlohmann::json r = results();
  EXPECT_EQ(r["environment"]["program"], nlohmann::json({{"torch", "2.2.0"}, {"cuda", "none"}}));
  EXPECT_EQ(notes(r, "regression"),
            std::vector<std::string>{
                "baseline and candidate ran on different environments: program.torch: 2.1.0 (baseline) vs 2.2.0"});
  EXPECT_EQ(results("baselines/main.json")["environment"]["program"]["torch"], "2.1.0");
}

// The in-process XGBoost adapter records the XGBoost it links.
TEST_F(ProgramEnvTest, TheXGBoostAdapterRecordsItsLinkedVersion) {
  fs::path example = fs::path(EXAMPLES_DIR) / "breast_cancer_xgboost" / "seedgate.toml";
  std::string policy = *util::read_file(example);
  for (auto [from, to] : {std::pair<std::string, std::string>{"../data", (fs::path(EXAMPLES_DIR) / "data").string()},
                          {"seeds = 16", "seeds = 2"},
                          {"threads = [1, 2]", "threads = [1]"},
                          {"repeats = 2", "repeats = 1"}}) {
    for (std::size_t at = policy.find(from); at != std::string::npos; at = policy.find(from, at + to.size()))
      policy.replace(at, from.size(), to);
  }
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  Outcome o = seedgate({"run", "--out", "sweep"});
  if (o.err.find("adapter 'xgboost' is not available in this build") != std::string::npos)
    GTEST_SKIP() << "seedgate was built without XGBoost";
  nlohmann::json r = results("sweep/results.json");
  ASSERT_TRUE(r["environment"].contains("xgboost")) << o.out << o.err;
  std::string version = r["environment"]["xgboost"]["version"];
  EXPECT_FALSE(version.empty());
  // The same version every run reported from the library it trained on.
  for (const nlohmann::json& run : r["runs"]) EXPECT_EQ(run["env"]["xgboost"], version) << run.dump();
  EXPECT_FALSE(r["environment"].contains("python"));
}

}  // namespace
