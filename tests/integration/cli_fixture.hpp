#pragma once
// The fixture of the end-to-end tests: each test gets a fresh folder, writes a
// policy there and runs the real seedgate binary in it, in a cleaned
// environment, capturing its exit code and output.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "util/atomic_file.hpp"

namespace seedgate_test {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("seedgate-cli-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }

  // A policy around the fake trainer; `checks` and `extra_subject` are appended verbatim.
  void write_policy(const std::string& behaviour, const std::string& checks, const std::string& extra_subject = "",
                    const std::string& sweep = "seeds = 4\nrepeats = 2\njobs = 2\n",
                    const std::string& name = "seedgate.toml") {
    std::ofstream(m_dir / name) << fmt::format(R"(version = 1
[subject]
name = "fake"
command = ["{}", {}]
timeout = "60s"
{}
[sweep]
{}
[metrics.accuracy]
goal = "max"

[artifacts]
model = "{{run_dir}}/model.bin"

{}
[report]
junit = "junit.xml"
json = "results.json"
markdown = "summary.md"
)",
                                               FAKE_TRAINER, behaviour, extra_subject, sweep, checks);
  }

  // `script` as program.sh, and a policy that runs it with sh over `seeds`
  // seeds, `jobs` at a time, gating only on failures (half may fail).
  void write_script_policy(const std::string& script, int seeds, int jobs, const std::string& name = "script") {
    ASSERT_TRUE(util::write_file_atomic(m_dir / "program.sh", script));
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(R"(version = 1
[subject]
name = "{}"
command = ["sh", "./program.sh"]
[sweep]
seeds = {}
jobs = {}
[[check]]
kind = "failures"
rate_at_most = 0.5
)",
                                                          name, seeds, jobs);
  }

  pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
    std::vector<std::string> argv_strings = {SEEDGATE_BIN};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "HOME=" + m_dir.string(),
                                            "FAKE_TRAINER_LOG=" + (m_dir / "starts.log").string()};
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (m_dir / "out.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, (m_dir / "err.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, m_dir.c_str());
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  Outcome finish(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = *util::read_file(m_dir / "out.txt");
    o.err = *util::read_file(m_dir / "err.txt");
    return o;
  }

  Outcome seedgate(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
    return finish(spawn(args, extra_env));
  }

  // The check of that name in a results file's checks (a test failure when there is none).
  static const nlohmann::json& check(const nlohmann::json& results, const std::string& name) {
    for (const nlohmann::json& c : results["checks"])
      if (c["name"] == name) return c;
    static const nlohmann::json none;
    ADD_FAILURE() << "no check " << name;
    return none;
  }

  nlohmann::json results(const std::string& name = "results.json") {
    return nlohmann::json::parse(*util::read_file(m_dir / name));
  }

  // `name` is well-formed XML and, with a schema, valid against it; checked where xmllint exists.
  bool xml_valid(const std::string& name, const std::string& schema = "") {
    if (std::system("command -v xmllint >/dev/null 2>&1") != 0) return true;
    std::string command =
        fmt::format("xmllint --noout {} {} 2>&1", schema.empty() ? "" : "--schema " + schema, (m_dir / name).string());
    return std::system(command.c_str()) == 0;
  }

  bool junit_valid(const std::string& name = "junit.xml") { return xml_valid(name, JUNIT_SCHEMA); }

  // What a user does with the results `seedgate run` wrote: `check` judges
  // them exactly as the run did (the checks it writes to `judged_json`, the
  // policy's [report] json, equal the run's) and exits `expected_exit`, as
  // `report` does; every report names every check; `baseline save` exits 0
  // and its file reads back.
  void expect_round_trip(const std::string& results_file, const std::string& judged_json, int expected_exit = 0) {
    nlohmann::json first = results(results_file)["checks"];
    ASSERT_FALSE(first.empty()) << results_file;
    fs::remove(m_dir / judged_json);
    Outcome checked = seedgate({"check", results_file});
    EXPECT_EQ(checked.exit_code, expected_exit) << checked.out << checked.err;
    EXPECT_EQ(results(judged_json)["checks"], first);
    Outcome reported =
        seedgate({"report", results_file, "--junit", "rt-junit.xml", "--markdown", "rt.md", "--html", "rt.html"});
    EXPECT_EQ(reported.exit_code, expected_exit) << reported.out << reported.err;
    EXPECT_TRUE(junit_valid("rt-junit.xml"));
    for (const char* file : {"rt-junit.xml", "rt.md", "rt.html"}) {
      std::string text = *util::read_file(m_dir / file);
      for (const nlohmann::json& check : first)
        EXPECT_NE(text.find(check["name"].get<std::string>()), std::string::npos) << file << ": " << check.dump();
    }
    for (const nlohmann::json& check : first)
      EXPECT_NE(reported.out.find(check["name"].get<std::string>()), std::string::npos) << reported.out;
    Outcome saved = seedgate({"baseline", "save", results_file, "-o", "rt-baseline.json"});
    EXPECT_EQ(saved.exit_code, 0) << saved.out << saved.err;
    Outcome baseline = seedgate({"report", "rt-baseline.json"});
    EXPECT_EQ(baseline.exit_code, expected_exit) << baseline.out << baseline.err;
  }

  std::size_t starts() {
    auto log = util::read_file(m_dir / "starts.log");
    if (!log) return 0;
    return static_cast<std::size_t>(std::count(log->begin(), log->end(), '\n'));
  }

  fs::path m_dir;
};

}  // namespace seedgate_test
