// The command line as a new user meets it: unknown commands, colour and the
// terminal, `init --force`, the words of an ERROR verdict, shell completions
// and the man page. Each test runs the real seedgate binary.
#include <poll.h>
#include <pty.h>

#include <cstdio>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

class CliPolishTest : public CliTest {
 protected:
  // `seedgate ARGS` with stderr on a pseudo-terminal (stdout to out.txt), in
  // the fixture's cleaned environment plus `extra_env`: the exit code and the
  // bytes the terminal received.
  Outcome on_terminal(const std::vector<std::string>& args, const std::vector<std::string>& extra_env) {
    std::vector<std::string> argv_strings = {SEEDGATE_BIN};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "HOME=" + m_dir.string(),
                                            "FAKE_TRAINER_LOG=" + (m_dir / "starts.log").string()};
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_strings) argv.push_back(a.data());
    for (auto& e : env_strings) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    std::string dir = m_dir.string(), out_file = (m_dir / "out.txt").string();
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
      int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || ::dup2(fd, 1) < 0 || ::chdir(dir.c_str()) != 0) ::_exit(126);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    Outcome o;
    if (pid < 0) {
      ADD_FAILURE() << "forkpty failed";
      return o;
    }
    char buffer[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO once the program and its runs closed the terminal
      o.err.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = *util::read_file(m_dir / "out.txt");
    return o;
  }

  // What `command` prints on stdout, run by the shell in the test's folder.
  std::string shell_output(const std::string& command) {
    std::string full = fmt::format("cd '{}' && {} 2>&1", m_dir.string(), command);
    std::string out;
    FILE* pipe = ::popen(full.c_str(), "r");
    if (!pipe) return out;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    ::pclose(pipe);
    return out;
  }

  // The words after "PREFIX: " on the line that starts with it.
  static std::set<std::string> words_after(const std::string& text, const std::string& prefix) {
    std::set<std::string> words;
    std::size_t at = text.find("\n" + prefix + ": ");
    if (at == std::string::npos) return words;
    std::istringstream line(text.substr(at + prefix.size() + 3, text.find('\n', at + 1) - at - prefix.size() - 3));
    for (std::string w; line >> w;) words.insert(w);
    return words;
  }

  // Every "--long" option a command's --help lists.
  std::set<std::string> long_options_in_help(const std::vector<std::string>& command) {
    std::vector<std::string> args = command;
    args.emplace_back("--help");
    std::string help = seedgate(args).out;
    std::set<std::string> options;
    std::regex option("(^|[ ,])(--[a-z][a-z-]*)");
    for (auto it = std::sregex_iterator(help.begin(), help.end(), option); it != std::sregex_iterator(); ++it)
      options.insert((*it)[2]);
    return options;
  }

  static bool has_colour(const std::string& bytes) { return std::regex_search(bytes, std::regex("\x1b\\[[0-9;]*m")); }
  static bool has_cursor_codes(const std::string& bytes) { return bytes.find("\x1b[2K") != std::string::npos; }
};

TEST_F(CliPolishTest, UnknownCommandSaysWhichAndSuggestsTheNearest) {
  Outcome o = seedgate({"rnu"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_EQ(o.err, "seedgate: unknown command 'rnu'; did you mean 'run'?\n");
  Outcome nested = seedgate({"baseline", "sve", "results.json"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_EQ(nested.err, "seedgate: unknown command 'baseline sve'; did you mean 'baseline save'?\n");
  Outcome far = seedgate({"xyzzy"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_TRUE(far.err.starts_with("seedgate: unknown command 'xyzzy' (commands: run, check, report,")) << far.err;
  // Options and a command's own arguments are still CLI11's to judge.
  EXPECT_EQ(seedgate({"--version"}).exit_code, 0);
  EXPECT_EQ(seedgate({"check", "rnu"}).err.find("unknown command"), std::string::npos);
  // No command at all, or a group without its command: which ones there are.
  Outcome none = seedgate({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(none.err.starts_with("seedgate: a command is required: run, check, report, baseline,")) << none.err;
  Outcome group = seedgate({"baseline"});
  EXPECT_EQ(group.exit_code, 2);
  EXPECT_EQ(group.err,
            "seedgate baseline: a command is required: save (`seedgate baseline --help` says what each does)\n");
}

TEST_F(CliPolishTest, ColourFollowsNoColorTermAndTheFlag) {
  write_policy("\"stable\"", "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n", "",
               "seeds = 2\nrepeats = 1\njobs = 1\n");
  // A terminal: the live line (cursor codes) in colour.
  Outcome tty = on_terminal({"run"}, {"TERM=xterm"});
  EXPECT_EQ(tty.exit_code, 0) << tty.out << tty.err;
  EXPECT_TRUE(has_cursor_codes(tty.err)) << tty.err;
  EXPECT_TRUE(has_colour(tty.err)) << tty.err;
  // NO_COLOR set to anything, "0" included, takes the colour away but keeps the live line.
  for (const char* value : {"NO_COLOR=0", "NO_COLOR=1", "NO_COLOR=false"}) {
    Outcome o = on_terminal({"run"}, {"TERM=xterm", value});
    EXPECT_EQ(o.exit_code, 0) << value << o.err;
    EXPECT_FALSE(has_colour(o.err)) << value << ": " << o.err;
    EXPECT_TRUE(has_cursor_codes(o.err)) << value << ": " << o.err;
  }
  // An empty NO_COLOR is unset.
  EXPECT_TRUE(has_colour(on_terminal({"run"}, {"TERM=xterm", "NO_COLOR="}).err));
  // TERM=dumb: a line per run, not one escape byte.
  Outcome dumb = on_terminal({"run"}, {"TERM=dumb"});
  EXPECT_EQ(dumb.exit_code, 0) << dumb.err;
  EXPECT_EQ(dumb.err.find('\x1b'), std::string::npos) << dumb.err;
  EXPECT_NE(dumb.err.find("[2/2] s"), std::string::npos) << dumb.err;
  // The flag wins over the environment both ways.
  Outcome dumb_always = on_terminal({"run", "--color=always"}, {"TERM=dumb"});
  EXPECT_TRUE(has_colour(dumb_always.err)) << dumb_always.err;
  EXPECT_FALSE(has_cursor_codes(dumb_always.err)) << dumb_always.err;
  EXPECT_TRUE(has_colour(on_terminal({"run", "--color=always"}, {"TERM=xterm", "NO_COLOR=1"}).err));
  EXPECT_FALSE(has_colour(on_terminal({"run", "--color=never"}, {"TERM=xterm"}).err));
  // Not a terminal: neither, unless asked.
  Outcome log = seedgate({"run"}, {"TERM=xterm"});
  EXPECT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(log.err.find('\x1b'), std::string::npos) << log.err;
  EXPECT_TRUE(has_colour(seedgate({"run", "--color=always"}, {"TERM=xterm"}).err));
}

TEST_F(CliPolishTest, InitForceOverwritesAndSaysSo) {
  fs::create_directories(m_dir / ".github" / "workflows");
  std::ofstream(m_dir / "seedgate.toml") << "# mine\n";
  Outcome refused = seedgate({"init"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "seedgate: ./seedgate.toml exists; not overwriting it (--force overwrites)\n");
  EXPECT_EQ(*util::read_file(m_dir / "seedgate.toml"), "# mine\n");
  EXPECT_FALSE(fs::exists(m_dir / ".github" / "workflows" / "seedgate.yml"));
  Outcome forced = seedgate({"init", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(forced.out.starts_with("overwrote ./seedgate.toml\nwrote ./.github/workflows/seedgate.yml\n"))
      << forced.out;
  EXPECT_NE(util::read_file(m_dir / "seedgate.toml")->find("[[check]]"), std::string::npos);
  Outcome again = seedgate({"init", "--force", "--metric", "val_loss", "--goal", "min"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.out.starts_with("overwrote ./seedgate.toml\noverwrote ./.github/workflows/seedgate.yml\n"))
      << again.out;
  EXPECT_NE(util::read_file(m_dir / "seedgate.toml")->find("[metrics.\"val_loss\"]"), std::string::npos);
  // A folder where the policy would go is not a file to overwrite.
  fs::remove(m_dir / "seedgate.toml");
  fs::create_directories(m_dir / "seedgate.toml");
  Outcome folder = seedgate({"init", "--force"});
  EXPECT_EQ(folder.exit_code, 2);
  EXPECT_EQ(folder.err, "seedgate: ./seedgate.toml exists and is not a file; not overwriting it\n");
}

TEST_F(CliPolishTest, AnErrorVerdictSaysWhatCouldNotBeJudged) {
  write_policy("\"stable\"", R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9

[[check]]
kind = "regression"
metric = "accuracy"
baseline = "baselines/missing.json"
margin = 0.01
)",
               "", "seeds = 3\nrepeats = 1\njobs = 2\n");
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_EQ(o.out.find("0 of 2 checks failed"), std::string::npos) << o.out;
  const std::string why = fmt::format(
      "1 of 2 checks could not be judged: regression-accuracy (cannot read baseline: cannot read {}: no such file or "
      "directory)",
      (m_dir / "baselines" / "missing.json").string());
  const std::string verdict_line = fmt::format("\nverdict: ERROR: {} (exit 3)\n", why);
  const std::string markdown_line = fmt::format("\n**ERROR: {}** (exit 3).\n", why);
  EXPECT_NE(o.out.find(verdict_line), std::string::npos) << o.out;
  std::string markdown = *util::read_file(m_dir / "summary.md");
  EXPECT_NE(markdown.find(markdown_line), std::string::npos) << markdown;
  // `report` reads the same verdict back from the results.
  EXPECT_NE(seedgate({"report", "results.json"}).out.find(verdict_line), std::string::npos);
  // A sweep whose runs broke beyond allowed_failures, with no check failing: the runs are named.
  write_policy("\"crash-on-seed\", \"1\"", "[[check]]\nkind = \"reproducibility\"\n", "",
               "seeds = 3\nrepeats = 2\njobs = 2\n");
  Outcome crashed = seedgate({"run"});
  EXPECT_EQ(crashed.exit_code, 3) << crashed.out << crashed.err;
  EXPECT_NE(
      crashed.out.find(
          "\nverdict: ERROR: could not evaluate: 2 runs failed; the policy allows 0 (allowed_failures) (exit 3)\n"),
      std::string::npos)
      << crashed.out;
  // PASS and FAIL keep their count.
  write_policy("\"stable\"", "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n", "",
               "seeds = 3\nrepeats = 1\njobs = 2\n");
  EXPECT_NE(seedgate({"run"}).out.find("verdict: PASS (0 of 1 checks failed; exit 0)"), std::string::npos);
  EXPECT_NE(util::read_file(m_dir / "summary.md")->find("**0 of 1 checks failed** (exit 0).\n"), std::string::npos);
}

TEST_F(CliPolishTest, BashCompletionWalksTheCommandTable) {
  if (std::system("command -v bash >/dev/null 2>&1") != 0) GTEST_SKIP() << "no bash";
  Outcome script = seedgate({"completions", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.bash", script.out));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "driver.sh", R"(source ./seedgate.bash || exit 1
complete -p seedgate
candidates() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _seedgate; echo "$*: ${COMPREPLY[*]}"; }
echo
candidates seedgate ''
candidates seedgate rep
candidates seedgate run --
candidates seedgate run --color ''
candidates seedgate run --color = al
candidates seedgate lint --format ''
candidates seedgate baseline ''
candidates seedgate metrics ''
candidates seedgate policy lint --
candidates seedgate completions ''
candidates seedgate run -p seedgate.t
)"));
  std::ofstream(m_dir / "seedgate.toml") << "version = 1\n";
  std::string out = shell_output("bash --norc --noprofile driver.sh");
  EXPECT_NE(out.find("complete -o filenames -F _seedgate seedgate\n"), std::string::npos) << out;
  std::set<std::string> commands = {"run",  "check", "report",      "baseline", "policy", "metrics",
                                    "lint", "init",  "completions", "man",      "history"};
  EXPECT_EQ(words_after(out, "seedgate "), commands) << out;
  EXPECT_EQ(words_after(out, "seedgate rep"), std::set<std::string>{"report"}) << out;
  // Every option `seedgate run --help` lists, and no other command's.
  std::set<std::string> run_options = words_after(out, "seedgate run --");
  EXPECT_EQ(run_options, long_options_in_help({"run"})) << out;
  EXPECT_TRUE(run_options.contains("--color") && run_options.contains("--fail-fast")) << out;
  EXPECT_FALSE(run_options.contains("--junit")) << out;
  EXPECT_EQ(words_after(out, "seedgate policy lint --"), long_options_in_help({"policy", "lint"})) << out;
  // Choices come from the options' checks.
  EXPECT_EQ(words_after(out, "seedgate run --color "), (std::set<std::string>{"auto", "always", "never"})) << out;
  EXPECT_EQ(words_after(out, "seedgate run --color = al"), (std::set<std::string>{"always"})) << out;
  EXPECT_EQ(words_after(out, "seedgate lint --format "),
            (std::set<std::string>{"text", "sarif", "junit", "github", "codequality"}))
      << out;
  EXPECT_EQ(words_after(out, "seedgate completions "), (std::set<std::string>{"bash", "zsh"})) << out;
  EXPECT_EQ(words_after(out, "seedgate baseline "), std::set<std::string>{"save"}) << out;
  EXPECT_EQ(words_after(out, "seedgate metrics "), std::set<std::string>{"test"}) << out;
  // A file where an option takes a path.
  EXPECT_EQ(words_after(out, "seedgate run -p seedgate.t"), std::set<std::string>{"seedgate.toml"}) << out;
}

TEST_F(CliPolishTest, ZshCompletionHasAFunctionPerCommand) {
  Outcome script = seedgate({"completions", "zsh"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_TRUE(script.out.starts_with("#compdef seedgate\n")) << script.out;
  for (const char* function :
       {"_seedgate() {", "_seedgate_run() {", "_seedgate_baseline() {", "_seedgate_baseline_save() {",
        "_seedgate_policy_lint() {", "_seedgate_metrics_test() {", "_seedgate_init() {"})
    EXPECT_NE(script.out.find(function), std::string::npos) << function;
  EXPECT_NE(script.out.find("'--color[Colour the progress: auto (on a terminal, unless NO_COLOR is set), always or "
                            "never]:value:(auto always never)'"),
            std::string::npos)
      << script.out;
  EXPECT_NE(script.out.find("'(-p --policy)'{-p,--policy}'[Policy file]:value:_files'"), std::string::npos);
  EXPECT_NE(script.out.find("'--resume[Finish an interrupted sweep; reuse runs that finished]' \\\n"),
            std::string::npos);
  EXPECT_NE(script.out.find("'1:SHELL:(bash zsh)'"), std::string::npos);
  EXPECT_NE(script.out.find("'run:Run the sweep, evaluate the checks, write reports'"), std::string::npos);
  EXPECT_EQ(seedgate({"completions", "fish"}).exit_code, 2);
  if (std::system("command -v zsh >/dev/null 2>&1") != 0) return;  // the shell's own parse, where it is installed
  ASSERT_TRUE(util::write_file_atomic(m_dir / "_seedgate", script.out));
  EXPECT_EQ(shell_output("zsh -n _seedgate && echo parsed"), "parsed\n");
  // Sourced after compinit, it registers itself for seedgate.
  EXPECT_EQ(shell_output("zsh -f -c 'autoload -U compinit; compinit -u -D; source ./_seedgate; "
                         "print ${_comps[seedgate]}; whence -w _seedgate_baseline_save'"),
            "_seedgate\n_seedgate_baseline_save: function\n");
}

TEST_F(CliPolishTest, ManPageListsEveryCommandAndRenders) {
  Outcome page = seedgate({"man"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  // The build wrote the same page beside the binary, for install.
  auto built = util::read_file(fs::path(SEEDGATE_BIN).parent_path() / "seedgate.1");
  ASSERT_TRUE(built) << "the build writes seedgate.1";
  EXPECT_EQ(*built, page.out);
  EXPECT_TRUE(page.out.starts_with(".TH SEEDGATE 1 ")) << page.out.substr(0, 200);
  for (const char* section : {"\n.SH NAME\nseedgate \\- gate CI on the stability", "\n.SH SYNOPSIS\n",
                              "\n.SH COMMANDS\n", "\n.SH \"EXIT STATUS\"\n", "\n.SH ENVIRONMENT\n"})
    EXPECT_NE(page.out.find(section), std::string::npos) << section;
  for (const char* command : {"run", "check RESULTS", "report RESULTS", "baseline save RESULTS", "policy lint",
                              "metrics test LOG", "lint PATH", "init COMMAND", "completions SHELL", "man"})
    EXPECT_NE(page.out.find(fmt::format("\n.SS \"seedgate {}\"\n", command)), std::string::npos) << command;
  EXPECT_NE(page.out.find("\n.TP\n\\fB\\-p\\fR, \\fB\\-\\-policy\\fR \\fIvalue\\fR\nPolicy file\n"), std::string::npos);
  EXPECT_NE(page.out.find("\\fB\\-\\-color\\fR {auto|always|never}"), std::string::npos);
  // A flag takes no value.
  EXPECT_NE(page.out.find("\n.TP\n\\fB\\-\\-resume\\fR\nFinish an interrupted sweep"), std::string::npos);
  // No line the formatter would read as a request by accident.
  std::istringstream lines(page.out);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(".") || line.starts_with("'")) {
      EXPECT_TRUE(std::regex_match(line, std::regex("\\.(TH|SH|SS|TP|PP|B|I|RI|RB|br|nf|fi)( .*)?"))) << line;
    }
  // Rendered where groff (and col, to strip its overstrikes) is installed.
  if (std::system("command -v groff >/dev/null 2>&1 && command -v col >/dev/null 2>&1") != 0) return;
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.1", page.out));
  std::string rendered = shell_output("groff -man -Tutf8 -ww -rLL=100n seedgate.1 2>groff.err | col -b");
  EXPECT_EQ(*util::read_file(m_dir / "groff.err"), "");
  EXPECT_NE(rendered.find("seedgate - gate CI on the stability"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("-h, --help"), std::string::npos) << "--help once, not under every command";
  EXPECT_NE(rendered.find("seedgate baseline save RESULTS"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("-p, --policy value"), std::string::npos) << rendered;
  if (std::system("command -v man >/dev/null 2>&1") == 0) {
    EXPECT_NE(shell_output("MANWIDTH=100 man -l seedgate.1 | col -b").find("EXIT STATUS"), std::string::npos);
  }
}

}  // namespace
