// Hostile and broken inputs against the real binary: each case is one test,
// named for what the program, the file or the neighbour does, and says what
// seedgate must do instead of crashing, hanging or lying. Add the next one
// here.
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kThreshold = "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n";

// Runs `shell` (bash) in the test's folder; its exit status.
int shell(const fs::path& dir, const std::string& command) {
  std::string line = fmt::format("cd '{}' && bash -c '{}'", dir.string(), command);
  int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class HostileTest : public CliTest {
 protected:
  // A training program written as a shell script (train.sh, given the seed),
  // judged by kThreshold; `subject` and `sweep` lines are added verbatim.
  void write_script_policy(const std::string& script, const std::string& subject = "",
                           const std::string& sweep = "seeds = 2\n", const std::string& extra = "") {
    std::ofstream(m_dir / "train.sh") << script;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\", \"{{seed}}\"]\n{}[sweep]\n{}"
        "[metrics.accuracy]\ngoal = \"max\"\n{}{}",
        subject, sweep, extra, kThreshold);
  }
};

// `seedgate run | head`, or a CI log pipe that closes: the reader of stdout
// and stderr goes away before seedgate has written. It must not die of
// SIGPIPE: the sweep finishes, its results are written and the exit code is
// the verdict's.
TEST_F(HostileTest, ReaderOfTheOutputGoesAway) {
  write_policy("\"stable\"", kThreshold, "", "seeds = 3\n");
  int status = shell(m_dir, fmt::format("{} run 2>&1 | true; exit ${{PIPESTATUS[0]}}", SEEDGATE_BIN));
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(fs::exists(m_dir / ".seedgate" / "results.json"));
  EXPECT_EQ(results(".seedgate/results.json")["verdict"], "pass");
}

// The results file cannot be written (here a folder stands at its path, as
// a full disk or a read-only folder would refuse it): the exit is 3, the
// error names the file and the system's reason, and the console does not
// name a results file that does not exist.
TEST_F(HostileTest, ResultsCannotBeWritten) {
  write_policy("\"stable\"", kThreshold, "", "seeds = 2\n");
  fs::create_directories(m_dir / "sweep" / "results.json");
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.err.find("to sweep/results.json: is a directory"), std::string::npos) << o.err;
  EXPECT_EQ(o.out.find("results: sweep/results.json\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("results: not written to sweep/results.json"), std::string::npos) << o.out;
}

// A report the policy asks for cannot be written: exit 3, naming it; a
// failed check still wins.
TEST_F(HostileTest, ReportCannotBeWritten) {
  write_policy("\"stable\"", kThreshold, "", "seeds = 2\n");
  std::ofstream(m_dir / "not-a-folder") << "a file\n";
  std::string policy = *util::read_file(m_dir / "seedgate.toml");
  const std::string junit = "junit = \"junit.xml\"";
  policy.replace(policy.find(junit), junit.size(), "junit = \"not-a-folder/junit.xml\"");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.err.find("not-a-folder/junit.xml"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("not a directory"), std::string::npos) << o.err;
  const std::string bound = "mean_at_least = 0.9";
  policy.replace(policy.find(bound), bound.size(), "mean_at_least = 0.99");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  EXPECT_EQ(seedgate({"run"}).exit_code, 1);
}

// A program names a metric, and reports a framework error, with escape
// sequences in them (clear the screen, retitle the terminal): nothing it
// controls reaches the terminal raw, on stdout or on stderr's progress lines.
TEST_F(HostileTest, EscapeSequencesInWhatTheProgramReports) {
  write_script_policy(R"(printf '%s\n' '{"acc\u001b[2Jx": 1, "accuracy": 0.95}' >> "$SEEDGATE_METRICS"
printf '%s\n' '{"type": "event", "name": "framework-error", "message": "boom \u001b]0;pwned\u0007"}' >> "$SEEDGATE_METRICS"
[ "$1" = 1 ] && exit 1
exit 0
)",
                      "allowed_failures = 1\n", "seeds = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.err.find('\x1b'), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\x07'), std::string::npos) << o.err;
  EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("acc\\x1b[2Jx=1"), std::string::npos) << o.err;  // shown, escaped
  EXPECT_NE(o.err.find("boom \\x1b]0;pwned\\x07"), std::string::npos) << o.err;
}

// A program's env record nested 100,000 levels deep: writing it back would
// recurse that deep. The record is refused with an issue naming its line, the
// sweep finishes and its results are written.
TEST_F(HostileTest, RecordNestedTooDeep) {
  write_script_policy(R"(open=$(head -c 100000 /dev/zero | tr '\0' '[')
close=$(head -c 100000 /dev/zero | tr '\0' ']')
printf '{"type": "env", "deep": %s1%s}\n' "$open" "$close" >> "$SEEDGATE_METRICS"
printf '{"accuracy": 0.95}\n' >> "$SEEDGATE_METRICS"
)",
                      "", "seeds = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results(".seedgate/results.json");
  EXPECT_EQ(r["verdict"], "pass");
  EXPECT_EQ(r["runs"][0]["issues"][0], "metrics.jsonl:1: nested deeper than 64 levels: ignored");
  EXPECT_EQ(seedgate({"check", ".seedgate/results.json"}).exit_code, 0);
  // A results file tampered the same way is refused, not crashed on.
  std::ofstream(m_dir / "deep.json") << std::string(100000, '[') << std::string(100000, ']');
  Outcome deep = seedgate({"check", "deep.json"});
  EXPECT_EQ(deep.exit_code, 2) << deep.err;
  EXPECT_NE(deep.err.find("deep.json: nested deeper than 80 levels"), std::string::npos) << deep.err;
}

// Numbers and names past what the protocol can hold: a value past a double's
// range, a step past a signed 64-bit integer (it read back as -1), a NUL in
// a metric's name (it cut the name short). Each is an issue naming its line.
TEST_F(HostileTest, NumbersAndNamesPastTheirRange) {
  write_script_policy(R"(cat >> "$SEEDGATE_METRICS" <<'END'
{"accuracy": 1e400}
{"step": 18446744073709551615, "loss": 0.5}
{"acc\u0000uracy": 0.1, "accuracy": 0.95}
END
)",
                      "", "seeds = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json run = results(".seedgate/results.json")["runs"][0];
  EXPECT_EQ(run["issues"], nlohmann::json::array({
                               "metrics.jsonl:1: a number out of range: {\"accuracy\": 1e400}",
                               "metrics.jsonl:2: 'step' 18446744073709551615 is out of range (at most "
                               "9223372036854775807)",
                               "metrics.jsonl:3: metric name 'acc\\x00uracy' holds a NUL byte: ignored",
                           }))
      << run.dump();
  EXPECT_EQ(run["metrics"]["accuracy"], 0.95);
  EXPECT_FALSE(run["metrics"].contains("acc"));
}

// The program leaves a FIFO where its metrics file should be (opening it
// would wait for a writer for ever) and links its artifact to /dev/zero
// (reading it never ends): neither is read, each is an issue naming the
// file, and the run fails.
TEST_F(HostileTest, FilesThatNeverEnd) {
  write_script_policy(R"(rm -f "$SEEDGATE_METRICS" && mkfifo "$SEEDGATE_METRICS"
ln -s /dev/zero "$SEEDGATE_RUN_DIR/model.bin"
)",
                      "", "seeds = 1\n", "[artifacts]\nmodel = \"{run_dir}/model.bin\"\n");
  auto started = std::chrono::steady_clock::now();
  Outcome o = seedgate({"run"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_NE(o.exit_code, 0);
  std::string issues = results(".seedgate/results.json")["runs"][0]["issues"].dump();
  EXPECT_NE(issues.find("metrics.jsonl: not a regular file"), std::string::npos) << issues;
  EXPECT_NE(issues.find("model.bin: not a regular file"), std::string::npos) << issues;
}

// A [metrics] pattern that backtracks exponentially, (a+)+$, over a line of
// 40 'a's and a 'b': a backtracking engine never ends, deaf to the run's
// timeout and to SIGTERM. RE2 answers in linear time, and a pattern RE2
// cannot run in linear time (a backreference) is a policy error.
TEST_F(HostileTest, CatastrophicRegexOnTheOutput) {
  write_script_policy(R"(printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n'
printf '{"accuracy": 0.95}\n' >> "$SEEDGATE_METRICS"
)",
                      "", "seeds = 2\n", "[metrics.pattern]\ngoal = \"max\"\nregex = '(a+)+$'\nrequired = false\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(results(".seedgate/results.json")["verdict"], "pass");
  write_script_policy("exit 0\n", "", "seeds = 2\n", "[metrics.pattern]\ngoal = \"max\"\nregex = '(a)\\1=(\\d+)'\n");
  Outcome refused = seedgate({"run"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("'regex' is not a regular expression RE2 can run"), std::string::npos) << refused.err;
}

// The program swaps the files seedgate reads back for huge ones (sparse, 2
// GiB): its stdout log, which a regex metric reads, and, for --resume, the
// runs journal. Each is read only up to its cap or line by line, never whole
// into memory.
TEST_F(HostileTest, FilesSwappedForHugeOnes) {
  write_script_policy(R"(echo 'acc=0.95'
printf '{"accuracy": 0.95}\n' >> "$SEEDGATE_METRICS"
rm -f "$SEEDGATE_RUN_DIR/stdout.log" && truncate -s 2G "$SEEDGATE_RUN_DIR/stdout.log"
)",
                      "", "seeds = 1\n", "[metrics.acc]\ngoal = \"max\"\nregex = 'acc=([0-9.]+)'\nrequired = false\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  fs::path journal = m_dir / ".seedgate" / "runs.journal";
  fs::resize_file(journal, 2ull << 30);
  Outcome resumed = seedgate({"run", "--resume"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  // The zeros after the record are a torn last line: cut off, and the run kept.
  EXPECT_NE(resumed.err.find("resuming: 1 of 1 runs already finished"), std::string::npos) << resumed.err;
  EXPECT_NE(resumed.err.find("runs.journal: 1 record cut short or unreadable; its run runs again"), std::string::npos)
      << resumed.err;
  EXPECT_LT(fs::file_size(journal), 4096u);
  EXPECT_EQ(results(".seedgate/results.json")["runs"][0]["status"], "passed");
}

// Whether process `pid` has ended (gone, or a zombie no one reaped yet).
bool ended(const std::string& pid_text) {
  std::string stat_path = "/proc/" + pid_text + "/stat";
  auto stat = util::read_file(stat_path);
  if (!stat || stat->empty()) return true;
  std::size_t close = stat->rfind(')');
  return close == std::string::npos || close + 2 >= stat->size() || (*stat)[close + 2] == 'Z';
}

std::string read_pid(const fs::path& path) {
  auto text = util::read_file(path);
  std::string pid = text ? *text : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

// Waits up to 20 s for `path` to exist.
bool appears(const fs::path& path) {
  for (int i = 0; i < 2000 && !fs::exists(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return fs::exists(path);
}

// A program starts a daemon that leaves the run's process group (setsid)
// and exits: killing the group would miss it. Once the run ends, no process
// of the run is left.
TEST_F(HostileTest, DaemonThatLeavesTheProcessGroup) {
  write_script_policy(
      R"(setsid sh -c 'echo $$ > "$SEEDGATE_RUN_DIR/daemon.pid"; exec sleep 300' > /dev/null 2>&1 < /dev/null &
while [ ! -s "$SEEDGATE_RUN_DIR/daemon.pid" ]; do sleep 0.01; done
printf '{"accuracy": 0.95}\n' >> "$SEEDGATE_METRICS"
)",
      "", "seeds = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  for (const char* run : {"s0-deterministic-cpu-r0", "s1-deterministic-cpu-r0"}) {
    std::string pid = read_pid(m_dir / ".seedgate" / "runs" / run / "daemon.pid");
    ASSERT_FALSE(pid.empty()) << run;
    EXPECT_TRUE(ended(pid)) << "daemon " << pid << " of " << run << " is still running";
    if (!ended(pid)) ::kill(std::stoi(pid), SIGKILL);
  }
}

// seedgate is killed (kill -9) while its runs train: its direct children die
// with it (PR_SET_PDEATHSIG); what they started goes on writing into the run
// folders until `--resume` stops it, then the resumed sweep finishes with
// valid results and leaves nothing running.
TEST_F(HostileTest, KilledSweepThenResume) {
  write_script_policy(R"(echo $$ > "$SEEDGATE_RUN_DIR/shell.pid"
sleep 300 &
echo $! > "$SEEDGATE_RUN_DIR/child.pid"
setsid sh -c 'echo $$ > "$SEEDGATE_RUN_DIR/daemon.pid"; exec sleep 300' > /dev/null 2>&1 < /dev/null &
while [ -e "$SEEDGATE_RUN_DIR/../../../hang" ]; do sleep 0.05; done
printf '{"accuracy": 0.95}\n' >> "$SEEDGATE_METRICS"
)",
                      "", "seeds = 1\n");
  std::ofstream(m_dir / "hang") << "";
  pid_t first = spawn({"run"});
  fs::path run = m_dir / ".seedgate" / "runs" / "s0-deterministic-cpu-r0";
  ASSERT_TRUE(appears(run / "daemon.pid"));
  ASSERT_TRUE(appears(run / "child.pid"));
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);
  std::string shell_pid = read_pid(run / "shell.pid");
  for (int i = 0; i < 500 && !ended(shell_pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(ended(shell_pid)) << "the run's own process outlived seedgate";
  std::string child_pid = read_pid(run / "child.pid"), daemon_pid = read_pid(run / "daemon.pid");
  EXPECT_FALSE(ended(child_pid));  // what it started is still there, for --resume to stop
  EXPECT_FALSE(ended(daemon_pid));

  fs::remove(m_dir / "hang");
  Outcome resumed = seedgate({"run", "--resume"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  // The two sleeps, and perhaps a short one of the shell's loop still ending.
  EXPECT_NE(resumed.err.find("processes left running in .seedgate by an earlier sweep"), std::string::npos)
      << resumed.err;
  EXPECT_EQ(results(".seedgate/results.json")["verdict"], "pass");
  for (const std::string& pid : {child_pid, daemon_pid}) {
    EXPECT_TRUE(ended(pid)) << pid;
    if (!ended(pid)) ::kill(std::stoi(pid), SIGKILL);
  }
}

// Two sweeps into one --out would interleave their run folders and results:
// the second is refused, naming the first's pid, while the first runs.
TEST_F(HostileTest, TwoSweepsIntoOneFolder) {
  write_script_policy(R"(touch "$SEEDGATE_RUN_DIR/../../../started"
while [ -e "$SEEDGATE_RUN_DIR/../../../hang" ]; do sleep 0.05; done
printf '{"accuracy": 0.95}\n' >> "$SEEDGATE_METRICS"
)",
                      "", "seeds = 1\n");
  std::ofstream(m_dir / "hang") << "";
  pid_t first = spawn({"run"});
  ASSERT_TRUE(appears(m_dir / "started"));
  int second = shell(m_dir, fmt::format("{} run > second.out 2> second.err", SEEDGATE_BIN));
  EXPECT_EQ(second, 2);
  std::string err = *util::read_file(m_dir / "second.err");
  EXPECT_NE(err.find(fmt::format(".seedgate is in use by another seedgate (pid {})", first)), std::string::npos) << err;
  fs::remove(m_dir / "hang");
  EXPECT_EQ(finish(first).exit_code, 0);
  EXPECT_EQ(seedgate({"run"}).exit_code, 0);  // the lock goes with the sweep that held it
}

// A policy without a [[check]] judges nothing, so it would pass whatever the
// runs did: run, check and policy lint refuse it.
TEST_F(HostileTest, PolicyWithoutChecks) {
  std::ofstream(m_dir / "seedgate.toml")
      << "version = 1\n[subject]\ncommand = [\"/bin/false\"]\n[sweep]\nseeds = 2\n[metrics.accuracy]\ngoal = \"max\"\n";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"run"}, {"policy", "lint"}}) {
    Outcome o = seedgate(args);
    EXPECT_EQ(o.exit_code, 2) << args[0];
    EXPECT_NE(o.err.find("seedgate.toml: the policy has no [[check]]"), std::string::npos) << o.err;
  }
  EXPECT_FALSE(fs::exists(m_dir / ".seedgate" / "results.json"));
}

// Shard files that do not add up to the plan: an emptied shard, a shard's
// runs relabelled as another's index, shards of different seedgate versions,
// a run deleted, a shard count of 2^31. Each merge is refused with the
// reason; the honest shards merge and pass.
TEST_F(HostileTest, ShardFilesThatDoNotAddUp) {
  write_script_policy("printf '{\"accuracy\": 0.95}\\n' >> \"$SEEDGATE_METRICS\"\n", "", "seeds = 4\n");
  ASSERT_EQ(seedgate({"run", "--shard", "1/2", "--out", "a"}).exit_code, 0);
  ASSERT_EQ(seedgate({"run", "--shard", "2/2", "--out", "b"}).exit_code, 0);
  const std::string one = "a/shard-1-of-2.json", two = "b/shard-2-of-2.json";
  EXPECT_EQ(seedgate({"check", one, two}).exit_code, 0);
  auto tampered = [&](const std::string& from, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json v = results(from);
    edit(v);
    std::ofstream(m_dir / "tampered.json") << v.dump();
    return seedgate({"check", one, "tampered.json"});
  };
  struct Case {
    std::string what, source, expected;
    std::function<void(nlohmann::json&)> edit;
  };
  std::vector<Case> cases = {
      {"emptied", two, "tampered.json: shard 2/2 has no runs of s1-deterministic-cpu",
       [](nlohmann::json& v) { v["runs"] = nlohmann::json::array(); }},
      {"relabelled", one, "tampered.json (shard 2/2): run s0-deterministic-cpu-r0 belongs to shard 1/2",
       [](nlohmann::json& v) { v["shard"]["index"] = 2; }},
      {"another version", two, "was written by seedgate", [](nlohmann::json& v) { v["seedgate_version"] = "0.0.1"; }},
      {"a run deleted", two, "tampered.json: shard 2/2 has no runs of s3-deterministic-cpu",
       [](nlohmann::json& v) { v["runs"].erase(v["runs"].size() - 1); }},
      {"2^31 shards", two, "tampered.json: shard 2/2147483648 is outside 1..10000 shards",
       [](nlohmann::json& v) { v["shard"]["count"] = 2147483648LL; }},
  };
  for (const Case& c : cases) {
    Outcome o = tampered(c.source, c.edit);
    EXPECT_EQ(o.exit_code, 2) << c.what << ": " << o.out << o.err;
    EXPECT_NE(o.err.find(c.expected), std::string::npos) << c.what << ": " << o.err;
  }
}

}  // namespace
