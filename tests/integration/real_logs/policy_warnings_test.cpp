// What init and policy lint say about a command the seed cannot reach or a program that does not exist.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

class PolicyWarningsTest : public CliTest {
 protected:
  // A policy whose [subject] runs `command` (a TOML value) over 4 seeds, twice each; 'command' is on line 4.
  void write_subject(const std::string& command, const std::string& extra_subject = "") {
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(R"(version = 1
[subject]
name = "program"
command = {}
{}
[sweep]
seeds = 4
repeats = 2

[metrics.accuracy]
goal = "max"
regex = 'accuracy=([0-9.]+)'
stream = "stdout"

[[check]]
kind = "seed-sensitivity"
metric = "accuracy"
)",
                                                          command, extra_subject);
  }

  // A file in the test's folder; `mode` its permissions.
  void write_file(const std::string& name, const std::string& text, fs::perms mode = fs::perms(0755)) {
    fs::create_directories((m_dir / name).parent_path());
    std::ofstream(m_dir / name) << text;
    fs::permissions(m_dir / name, mode);
  }

  std::string lint_output() {
    Outcome o = seedgate({"policy", "lint"});
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;  // warnings, not errors: the policy loads
    EXPECT_EQ(o.err, "");
    return o.out;
  }

  std::string relative_note(const fs::path& folder) const {
    return fmt::format(
        "relative paths resolve against the run's working folder, {} (the policy's folder; [subject] workdir sets "
        "another)",
        folder.string());
  }

  std::string seed_warning(const std::string& path, const std::string& policy = "seedgate.toml") const {
    return fmt::format(
        "{}:4:1: warning: the seed cannot reach the program, so every seed would run the same: no argument of "
        "'command' uses {{seed}} and SEEDGATE_SEED does not occur in {}; pass the seed as an argument (\"--seed\", "
        "\"{{seed}}\") or read the SEEDGATE_SEED environment variable in the program (the Python package seedgate "
        "reads it)\n",
        policy, path);
  }
};

constexpr const char* kIgnoresSeed = "#!/bin/sh\necho accuracy=0.9\n";

TEST_F(PolicyWarningsTest, NoSeedPlaceholderAndNoSeedVariable) {
  write_file("train.sh", kIgnoresSeed);
  write_subject(R"(["./train.sh", "--epochs", "3"])");
  EXPECT_EQ(lint_output(), seed_warning((m_dir / "train.sh").string()) + "seedgate.toml: ok (1 checks, 1 warning)\n");
  // What the warning foretells: the sweep's seeds all print the same.
  Outcome run = seedgate({"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("all 4 seeds produced accuracy = 0.9"), std::string::npos) << run.out;
}

TEST_F(PolicyWarningsTest, TheSeedPlaceholderReachesTheProgram) {
  write_file("train.sh", kIgnoresSeed);
  write_subject(R"(["./train.sh", "--seed", "{seed}"])");
  EXPECT_EQ(lint_output(), "seedgate.toml: ok (1 checks, 0 warnings)\n");
  write_subject(R"("./train.sh --seed {seed} > /dev/null")");
  EXPECT_EQ(lint_output(), "seedgate.toml: ok (1 checks, 0 warnings)\n");
}

TEST_F(PolicyWarningsTest, AScriptThatReadsTheSeedVariable) {
  write_file("train.py", "import os\nseed = int(os.environ['SEEDGATE_SEED'])\nprint(f'accuracy={seed}')\n",
             fs::perms(0644));
  write_subject(R"(["python3", "train.py"])");
  EXPECT_EQ(lint_output(), "seedgate.toml: ok (1 checks, 0 warnings)\n");
  // The same interpreter with a script that reads nothing: the script is named, not python3.
  write_file("other.py", "print('accuracy=0.9')\n", fs::perms(0644));
  write_subject(R"(["python3", "-u", "other.py"])");
  EXPECT_EQ(lint_output(), seed_warning((m_dir / "other.py").string()) + "seedgate.toml: ok (1 checks, 1 warning)\n");
}

TEST_F(PolicyWarningsTest, AMissingRelativeProgramNamesTheFolderItWasResolvedFrom) {
  write_subject(R"(["./build/train", "--seed", "{seed}"])");
  EXPECT_EQ(lint_output(), fmt::format("seedgate.toml:4:1: warning: program './build/train' not found: {} does not "
                                       "exist; {}\nseedgate.toml: ok (1 checks, 1 warning)\n",
                                       (m_dir / "build" / "train").string(), relative_note(m_dir)));
  fs::create_directories(m_dir / "src");
  write_subject(R"(["python3", "train.py", "{seed}"])", "workdir = \"src\"");
  EXPECT_EQ(lint_output(), fmt::format("seedgate.toml:4:1: warning: script 'train.py' for python3 not found: {} does "
                                       "not exist; relative paths resolve against the run's working folder, {} "
                                       "([subject] workdir)\nseedgate.toml: ok (1 checks, 1 warning)\n",
                                       (m_dir / "src" / "train.py").string(), (m_dir / "src").string()));
}

TEST_F(PolicyWarningsTest, AProgramThatIsNotExecutable) {
  write_file("train.sh", kIgnoresSeed, fs::perms(0644));
  write_subject(R"(["./train.sh", "{seed}"])");
  EXPECT_EQ(lint_output(),
            fmt::format("seedgate.toml:4:1: warning: program './train.sh' cannot run: {} is not an executable file; "
                        "make it executable (chmod +x) or put its interpreter first in 'command'\n"
                        "seedgate.toml: ok (1 checks, 1 warning)\n",
                        (m_dir / "train.sh").string()));
}

TEST_F(PolicyWarningsTest, ABareNameThatIsNotOnThePath) {
  write_subject(R"(["seedgate-no-such-trainer", "{seed}"])");
  // The fixture runs seedgate with PATH=/usr/bin:/bin.
  EXPECT_EQ(lint_output(),
            "seedgate.toml:4:1: warning: program 'seedgate-no-such-trainer' not found: it is not on "
            "PATH (/usr/bin:/bin)\nseedgate.toml: ok (1 checks, 1 warning)\n");
  write_file("train", kIgnoresSeed);
  write_subject(R"(["train", "{seed}"])");
  EXPECT_EQ(lint_output(), fmt::format("seedgate.toml:4:1: warning: program 'train' not found: it is not on PATH "
                                       "(/usr/bin:/bin); to run {} from the working folder, write './train'\n"
                                       "seedgate.toml: ok (1 checks, 1 warning)\n",
                                       (m_dir / "train").string()));
}

TEST_F(PolicyWarningsTest, InitPrintsTheWarningsAboutThePolicyItWrote) {
  const std::string next = "next: make the program append";
  Outcome missing = seedgate({"init", "--dir", "project", "--", "./build/train", "--seed", "{seed}"});
  ASSERT_EQ(missing.exit_code, 0) << missing.err;
  EXPECT_TRUE(missing.out.starts_with(fmt::format(
      "wrote project/seedgate.toml\nwrote project/.github/workflows/seedgate.yml\nproject/seedgate.toml:9:1: "
      "warning: program './build/train' not found: {} does not exist; {}\n{}",
      (m_dir / "project" / "build" / "train").string(), relative_note(m_dir / "project"), next)))
      << missing.out;

  write_file("train.py", "print('accuracy=0.9')\n", fs::perms(0644));
  Outcome deaf = seedgate({"init", "--", "python3", "train.py"});
  ASSERT_EQ(deaf.exit_code, 0) << deaf.err;
  std::string warning = seed_warning((m_dir / "train.py").string(), "./seedgate.toml");
  warning.replace(warning.find(":4:1:"), 5, ":9:1:");
  EXPECT_TRUE(deaf.out.starts_with("wrote ./seedgate.toml\nwrote ./.github/workflows/seedgate.yml\n" + warning + next))
      << deaf.out;
  // policy lint says the same of the file init wrote.
  Outcome lint = seedgate({"policy", "lint"});
  EXPECT_NE(lint.out.find(warning.substr(2)), std::string::npos) << lint.out;

  fs::remove_all(m_dir / "ok");
  Outcome fine = seedgate({"init", "--dir", "ok", "--", FAKE_TRAINER, "stable"});
  ASSERT_EQ(fine.exit_code, 0) << fine.err;
  EXPECT_TRUE(fine.out.starts_with("wrote ok/seedgate.toml\nwrote ok/.github/workflows/seedgate.yml\n" + next))
      << fine.out;
}

}  // namespace
