#include "adapters/command/python_env.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>

namespace seedgate {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> name_of(const std::optional<PythonInterpreter>& found) {
  if (!found) return std::nullopt;
  return found->name;
}

class PythonInterpreterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("seedgate-python-env-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "bin");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  // An executable file `name` (under the test's folder) holding `text`.
  void script(const std::string& name, const std::string& text, bool executable = true) {
    std::ofstream(m_dir / name) << text;
    ::chmod((m_dir / name).c_str(), executable ? 0755 : 0644);
  }

  std::optional<PythonInterpreter> find(const std::vector<std::string>& argv) {
    return python_interpreter(argv, m_dir, (m_dir / "bin").string(), "/run/path");
  }

  fs::path m_dir;
};

TEST(PythonNameTest, NamesAnInterpreterAndNothingElse) {
  for (const char* name : {"python", "python3", "python3.11", "python2.7", "python312"})
    EXPECT_TRUE(is_python_name(name)) << name;
  for (const char* name :
       {"python3-config", "pythonw", "ipython", "python3.", "python3.1.2", "py", "", "Python3", "python3.x", "bpython"})
    EXPECT_FALSE(is_python_name(name)) << name;
}

TEST_F(PythonInterpreterTest, AnInterpreterAsTheCommandFoundOnSeedgatesPath) {
  auto found = find({"python3", "train.py", "--seed", "3"});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "python3");
  EXPECT_EQ(found->search_path, (m_dir / "bin").string());  // as the runner finds argv[0]
  EXPECT_EQ(name_of(find({"/opt/venv/bin/python3.11", "-m", "train"})), "/opt/venv/bin/python3.11");
  EXPECT_EQ(name_of(find({".venv/bin/python", "train.py"})), ".venv/bin/python");
  // `env` finds the interpreter on the run's PATH.
  found = find({"/usr/bin/env", "-u", "HOME", "PYTHONHASHSEED=0", "python3", "train.py"});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "python3");
  EXPECT_EQ(found->search_path, "/run/path");
}

TEST_F(PythonInterpreterTest, ProgramsThatAreNotPythonGetNothing) {
  EXPECT_FALSE(find({}));
  EXPECT_FALSE(find({"/usr/bin/env", "node", "train.js"}));
  EXPECT_FALSE(find({"ipython", "train.py"}));
  EXPECT_FALSE(find({"/bin/sh", "train.sh"}));     // a shell script run by a shell, no -c
  EXPECT_FALSE(find({"./missing-program", "x"}));  // nothing to read a "#!" line from
  script("train", std::string("\x7f"
                              "ELF\x02\x01\x01",
                              7));  // a binary
  EXPECT_FALSE(find({"./train"}));
  script("train.sh", "#!/bin/sh\npython3 train.py\n");
  EXPECT_FALSE(find({"./train.sh"}));  // the shell's own commands are not read
  script("empty", "");
  EXPECT_FALSE(find({"./empty"}));
}

TEST_F(PythonInterpreterTest, AScriptWhoseShebangNamesPython) {
  script("train.py", "#!/usr/bin/env python3\nprint('hi')\n");
  auto found = find({"./train.py", "--seed", "1"});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "python3");
  EXPECT_EQ(found->search_path, "/run/path");
  script("direct.py", "#!/usr/bin/python3.11 -u\r\n");
  EXPECT_EQ(name_of(find({"./direct.py"})), "/usr/bin/python3.11");
  script("split.py", "#!/usr/bin/env -S python3 -X dev\n");
  EXPECT_EQ(name_of(find({"./split.py"})), "python3");
  // Found on PATH by its bare name, as the runner would.
  script("bin/train-model", "#!/usr/bin/python3\n");
  EXPECT_EQ(name_of(find({"train-model"})), "/usr/bin/python3");
  // A script the runner could not execute is not the program's interpreter.
  script("plain.py", "#!/usr/bin/python3\n", false);
  EXPECT_FALSE(find({"./plain.py"}));
}

TEST_F(PythonInterpreterTest, AShellCommandWhoseFirstWordIsPython) {
  auto found = find({"/bin/sh", "-c", "  python3 train.py --seed 4 > log.txt"});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "python3");
  EXPECT_EQ(found->search_path, "/run/path");  // the shell searches the run's PATH
  EXPECT_EQ(name_of(find({"/bin/sh", "-c", "exec python3.12 train.py"})), "python3.12");
  EXPECT_EQ(name_of(find({"bash", "-c", "'/opt/my env/bin/python' train.py"})), "/opt/my env/bin/python");
  EXPECT_EQ(name_of(find({"/bin/sh", "-c", "python3;echo done"})), "python3");
  script("train.py", "#!/usr/bin/env python3\n");
  EXPECT_EQ(name_of(find({"/bin/sh", "-c", "./train.py 3"})), "python3");
  // What the shell expands first is not guessed at.
  EXPECT_FALSE(find({"/bin/sh", "-c", "$PYTHON train.py"}));
  EXPECT_FALSE(find({"/bin/sh", "-c", "\"$VENV/bin/python\" train.py"}));
  EXPECT_FALSE(find({"/bin/sh", "-c", "cd src && python3 train.py"}));
  EXPECT_FALSE(find({"/bin/sh", "-c", ""}));
  EXPECT_FALSE(find({"/bin/sh", "-c", "'unterminated"}));
}

TEST(PythonVersionsTest, TheAnswerLineAmongWhateverElseWasPrinted) {
  auto parsed = parse_python_versions(
      "site hook says hello\nseedgate-python-env {\"version\": \"0\"} not at a line start\n"
      "seedgate-python-env {\"version\": \"3.11.2\", \"implementation\": \"CPython\", \"sklearn\": \"1.2.1\", "
      "\"numpy\": 1.24, \"extra\": \"x\", \"torch\": \"\"}\ntrailing\n");
  ASSERT_TRUE(parsed) << parsed.error();
  // Numbers, empty strings and keys it was not asked for are dropped.
  EXPECT_EQ(*parsed,
            nlohmann::json::parse(R"({"version": "3.11.2", "implementation": "CPython", "sklearn": "1.2.1"})"));
  auto escaped = parse_python_versions("seedgate-python-env {\"version\": \"3.11\\u001b[31m\"}\n");
  ASSERT_TRUE(escaped);
  EXPECT_EQ((*escaped)["version"], "3.11\\x1b[31m");
}

TEST(PythonVersionsTest, GarbageIsAnErrorNeverACrash) {
  EXPECT_EQ(parse_python_versions("").error(), "no answer");
  EXPECT_EQ(parse_python_versions("Traceback (most recent call last):\n").error(), "no answer");
  EXPECT_EQ(parse_python_versions("seedgate-python-env {\"version\": \n").error(),
            "an answer that is not a JSON object");
  EXPECT_EQ(parse_python_versions("seedgate-python-env [1, 2]\n").error(), "an answer that is not a JSON object");
  EXPECT_EQ(parse_python_versions("seedgate-python-env {\"numpy\": \"1.0\"}\n").error(),
            "an answer without the interpreter's version");
  EXPECT_EQ(parse_python_versions("seedgate-python-env " + std::string(100000, '[')).error(),
            "an answer nested too deep");
  EXPECT_EQ(parse_python_versions("seedgate-python-env {\"version\": \"" + std::string(300, '3') + "\"}").error(),
            "an answer without the interpreter's version");
}

TEST_F(PythonInterpreterTest, AnInterpreterThatHangsOrFailsGivesANote) {
  std::map<std::string, std::string> env = {{"PATH", "/usr/bin:/bin"}};
  // It hangs, and so does the child it leaves holding the output pipe.
  script("bin/python3", "#!/bin/sh\nsleep 30 &\nexec sleep 30\n");
  auto started = std::chrono::steady_clock::now();
  nlohmann::json hung = query_python_environment({"./bin/python3", ""}, m_dir, env, std::chrono::milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));  // not the 30 s it sleeps
  EXPECT_EQ(hung, nlohmann::json({{"note", "the version query to ./bin/python3 did not answer within 0.3s"}}));

  script("bin/python3", "#!/bin/sh\necho 'ModuleNotFoundError: no module named json' >&2\nexit 1\n");
  EXPECT_EQ(query_python_environment({"./bin/python3", ""}, m_dir, env, std::chrono::seconds(10)),
            nlohmann::json({{"note",
                             "the version query to ./bin/python3 exited with code 1: ModuleNotFoundError: "
                             "no module named json"}}));
  script("bin/python3", "#!/bin/sh\nhead -c 200000 /dev/zero | tr '\\0' 'x'\n");
  EXPECT_EQ(query_python_environment({"./bin/python3", ""}, m_dir, env, std::chrono::seconds(10)),
            nlohmann::json({{"note", "the version query to ./bin/python3 gave no answer: " + std::string(200, 'x')}}));
  script("bin/python3", "#!/bin/sh\nkill -9 $$\n");
  EXPECT_EQ(query_python_environment({"./bin/python3", ""}, m_dir, env, std::chrono::seconds(10)),
            nlohmann::json({{"note", "the version query to ./bin/python3 was killed by signal 9"}}));
  EXPECT_EQ(query_python_environment({"python3", m_dir.string()}, m_dir, env, std::chrono::seconds(10)),
            nlohmann::json({{"note", "the version query to python3 could not start: not found"}}))
      << "bin/ is not on this search path, the test's folder is";
  script("bin/python3", "not a script\n");
  ::chmod((m_dir / "bin/python3").c_str(), 0644);
  EXPECT_EQ(query_python_environment({"./bin/python3", ""}, m_dir, env, std::chrono::seconds(10)),
            nlohmann::json({{"note", "the version query to ./bin/python3 could not start: not found"}}));
}

TEST_F(PythonInterpreterTest, TheRealInterpreterAnswersWithItsPackages) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 on this machine";
  nlohmann::json python =
      query_python_environment({"/usr/bin/python3", ""}, m_dir, {{"PATH", "/usr/bin:/bin"}}, std::chrono::seconds(20));
  ASSERT_TRUE(python.contains("version")) << python.dump();
  EXPECT_EQ(python["executable"], "/usr/bin/python3");
  EXPECT_EQ(python["implementation"], "CPython");
  EXPECT_TRUE(python["version"].get<std::string>().starts_with("3.")) << python.dump();
}

}  // namespace
}  // namespace seedgate
