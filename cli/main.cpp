// seedgate's entry point: parses argv, dispatches to a command, maps errors
// to exit codes. Everything else lives in the libraries.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <csignal>
#include <exception>
#include <iostream>
#include <limits>
#include <optional>
#include <string_view>
#include <thread>

#include "checks/kinds.hpp"
#include "cli/commands.hpp"
#include "cli/completions.hpp"
#include "cli/history_command.hpp"
#include "harness/sweep.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace {

// "Check kinds (...):" and a line per kind with what it judges and its keys, from the table.
std::string check_kinds_help() {
  namespace checks = seedgate::checks;
  std::string text =
      fmt::format("Check kinds ([[check]] kind = ...; each takes {}):", fmt::join(checks::kCommonCheckKeys, ", "));
  for (const checks::KindInfo& kind : checks::kinds())
    text += fmt::format("\n  {}: {}\n      keys: {}", kind.name, kind.judges, fmt::join(checks::own_keys(kind), ", "));
  return text;
}

// A count of 1 or more, said plainly: CLI11's PositiveNumber prints its range
// to 308 digits and calls 0 out of a range that starts at 0. With `auto`,
// "auto" is also taken, as one per CPU.
CLI::Validator whole_number(bool auto_allowed = false) {
  return CLI::Validator(
      [auto_allowed](std::string& text) -> std::string {
        if (auto_allowed && text == "auto") {
          text = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
          return {};
        }
        int value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc{} && end == text.data() + text.size() && value >= 1) return {};
        return fmt::format("expected a whole number from 1 to {}{}, got \"{}\"", std::numeric_limits<int>::max(),
                           auto_allowed ? " or \"auto\"" : "", text);
      },
      auto_allowed ? "N|auto" : "N");
}

// "seedgate rnu": CLI11 alone says "A subcommand is required". Walks argv's
// leading words down the command table; the first word that names no command
// where one is expected gets "unknown command", with the nearest name.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word.starts_with('-')) return std::nullopt;  // an option: CLI11 judges the rest
    std::vector<CLI::App*> subs = at->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;  // a command's own arguments
    std::vector<std::string_view> names;
    CLI::App* next = nullptr;
    for (CLI::App* sub : subs) {
      names.emplace_back(sub->get_name());
      if (sub->get_name() == word) next = sub;
    }
    if (!next) {
      std::string known = path + std::string(word);
      if (auto near = util::closest_match(word, names))
        return fmt::format("seedgate: unknown command '{}'; did you mean '{}'?", known, path + *near);
      return fmt::format("seedgate: unknown command '{}' (commands: {})", known, fmt::join(names, ", "));
    }
    at = next;
    path += std::string(word) + " ";
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  // A reader of stdout or stderr that goes away (`seedgate run | head`, a CI
  // log pipe closing) must not kill the sweep: writes to it fail instead, and
  // the results are still written. Runs start with every signal at its
  // default (posix_runner), so the training programs are not affected.
  ::signal(SIGPIPE, SIG_IGN);
  using namespace seedgate::cli;
  CLI::App app{
      "seedgate: gate CI on the stability of ML training across seeds, modes, devices and threads.\n"
      "Exit codes: 0 every check passed, 1 a check failed, 2 usage or policy error, 3 could not evaluate."};
  app.set_version_flag("--version", "seedgate " + seedgate::seedgate_version());
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd = app.add_subcommand(
      "run",
      "Run the sweep, evaluate the checks, write reports. While it runs: a live line on a terminal (runs done, "
      "running, failed, ETA); one line per finished run when stderr is not a terminal or CI is set");
  run_cmd->add_option("-p,--policy", run.policy, "Policy file")->capture_default_str();
  run_cmd->add_option("-j,--jobs", run.jobs, "Runs at once (default: the policy's jobs; \"auto\" is one per CPU)")
      ->transform(whole_number(true));
  run_cmd->add_option("--out", run.out_dir, "Folder for run folders and results.json")->capture_default_str();
  run_cmd->add_flag("--resume", run.resume, "Finish an interrupted sweep; reuse runs that finished");
  run_cmd->add_option("--shard", run.shard,
                      "Run slice K of N (K counts from 1) and write shard-K-of-N.json for `seedgate check` to merge. "
                      "Without it the slice is read from CI_NODE_INDEX/CI_NODE_TOTAL, "
                      "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, JOB_COMPLETION_INDEX (with --shard-count or "
                      "SEEDGATE_SHARD_COUNT) or GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS");
  run_cmd
      ->add_option("--color", run.color,
                   "Colour the progress: auto (on a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  run_cmd->add_flag("--fail-fast", run.fail_fast,
                    "Start no more runs once the first 3 to finish all failed the same way (as [sweep] fail_fast)");
  run_cmd
      ->add_option("--shard-count", run.shard_count,
                   "Number of shards, where the engine gives only an index (JOB_COMPLETION_INDEX)")
      ->check(whole_number());
  constexpr const char* kHistoryHelp =
      "Append the judged sweep to this history store, and read drift checks' earlier sweeps from it: "
      "sqlite:PATH or postgresql://HOST/DB (over the policy's [history] store)";
  run_cmd->add_option("--history", run.history, kHistoryHelp);

  std::filesystem::path policy = "seedgate.toml";
  std::vector<std::filesystem::path> results;
  auto* check_cmd = app.add_subcommand("check", "Re-evaluate stored results against a policy, without training");
  check_cmd->add_option("-p,--policy", policy, "Policy file")->capture_default_str();
  check_cmd
      ->add_option("RESULTS", results,
                   "Results file (results.json), or every shard's shard-K-of-N.json to merge and judge together")
      ->required()
      ->check(CLI::ExistingFile);
  std::string check_history;
  check_cmd->add_option("--history", check_history, kHistoryHelp);

  ReportOptions report;
  auto* report_cmd = app.add_subcommand(
      "report", "Render reports from stored results (a results file, or shard files), without rerunning");
  report_cmd->add_option("RESULTS", report.results, "Results file, or every shard's shard-K-of-N.json")
      ->required()
      ->check(CLI::ExistingFile);
  report_cmd->add_option("--junit", report.junit, "Write JUnit XML here");
  report_cmd->add_option("--markdown", report.markdown, "Write a Markdown summary here (at most 1 MiB)");
  report_cmd->add_option("--html", report.html, "Write a self-contained HTML report (inline SVG plots) here");
  report_cmd->add_option("--seeds-csv", report.seeds_csv,
                         "Write seeds.csv here: one row per run (seed, mode, device, threads, repeat, status, each "
                         "metric, each artifact digest)");
  report_cmd->add_flag("--github", report.github,
                       "Print GitHub annotations (::error file=POLICY,line=N::...) for failed checks, at most 10");
  report_cmd->add_option("--policy-file", report.policy_file,
                         "The policy file annotations point at (default: the path stored in the results)");

  std::filesystem::path output;
  auto* baseline_cmd = app.add_subcommand("baseline", "Manage baselines for regression checks");
  baseline_cmd->require_subcommand(1);
  auto* save_cmd = baseline_cmd->add_subcommand("save", "Store a sweep's passed runs as a baseline");
  save_cmd->add_option("RESULTS", results, "Results file")->required()->check(CLI::ExistingFile);
  save_cmd->add_option("-o,--output", output, "Baseline file to write")->required();

  auto* policy_cmd = app.add_subcommand("policy", "Work with policy files");
  policy_cmd->require_subcommand(1);
  auto* lint_cmd = policy_cmd->add_subcommand(
      "lint", "Validate a policy and warn where its checks cannot work or its program cannot run or get its seed");
  lint_cmd->footer(check_kinds_help());
  lint_cmd->add_option("-p,--policy", policy, "Policy file")->capture_default_str();

  std::vector<std::filesystem::path> logs;
  auto* metrics_cmd = app.add_subcommand("metrics", "Work with a policy's metrics");
  metrics_cmd->require_subcommand(1);
  auto* metrics_test_cmd = metrics_cmd->add_subcommand(
      "test",
      "Show what each [metrics] regex extracts from saved logs (every match, and the value its `pick` takes), "
      "without training. Exit 1 when a required metric matches nothing.");
  metrics_test_cmd->add_option("-p,--policy", policy, "Policy file")->capture_default_str();
  metrics_test_cmd
      ->add_option("LOG", logs,
                   "A saved log (read as the program's stdout and stderr both), or a run's folder "
                   "(.seedgate/runs/ID: its stdout.log and stderr.log, each read as its stream)")
      ->required()
      ->check(CLI::ExistingPath);

  LintOptions lint;
  auto* code_lint_cmd = app.add_subcommand(
      "lint",
      "Scan C++ and Python training code for reproducibility hazards (unseeded generators, cuDNN benchmark mode,\n"
      "nondeterministic CUDA ops, XGBoost settings) before anything runs. Reads the policy's [lint] table when the\n"
      "policy exists. Suppress a finding with `// seedgate-lint: ignore[rule-id]` (or `#` in Python) on its line\n"
      "or alone on the line before. Exit 1 when a finding is at or above the failing severity.");
  code_lint_cmd->add_option("PATH", lint.paths, "Files or folders to scan (default: the policy's [lint] paths, or .)");
  auto* lint_policy_opt =
      code_lint_cmd->add_option("-p,--policy", lint.policy, "Policy whose [lint] table configures the scan")
          ->capture_default_str();
  code_lint_cmd
      ->add_option("--format", lint.format,
                   "Output: text, sarif (2.1.0), junit, github (annotations) or codequality (GitLab)")
      ->check(CLI::IsMember({"text", "sarif", "junit", "github", "codequality"}))
      ->capture_default_str();
  code_lint_cmd->add_option("-o,--output", lint.output,
                            "Write the output here (the text summary still goes to stdout)");
  code_lint_cmd->add_option("--fail-on", lint.fail_on, "Lowest severity that fails: error, warning, note or never")
      ->check(CLI::IsMember({"error", "warning", "note", "never"}));
  code_lint_cmd->add_flag("--list-rules", lint.list_rules, "List the rules with their severities and exit");

  InitOptions init;
  auto* init_cmd = app.add_subcommand(
      "init",
      "Write a starter seedgate.toml for a training command and a GitHub Actions workflow "
      "(.github/workflows/seedgate.yml), e.g. `seedgate init -- ./build/train --seed {seed} --out {run_dir}`; "
      "warns when the program does not exist or never gets its seed (no {seed}, no SEEDGATE_SEED)");
  init_cmd->add_option("COMMAND", init.command, "The training program and its arguments (after --)");
  init_cmd->add_option("--dir", init.dir, "Where to write them")->capture_default_str();
  init_cmd->add_option("--name", init.name, "The subject's name (default: the program's file name)");
  init_cmd->add_option("--metric", init.metric, "The metric the program reports")->capture_default_str();
  init_cmd->add_option("--goal", init.goal, "Whether higher (max) or lower (min) is better")
      ->check(CLI::IsMember({"max", "min"}))
      ->capture_default_str();
  init_cmd->add_flag("--force", init.force, "Overwrite an existing seedgate.toml and workflow");

  std::string shell;
  auto* completions_cmd = app.add_subcommand(
      "completions",
      "Print a shell completion script written from this command table: `source <(seedgate completions bash)` in "
      "~/.bashrc, or save the zsh one as _seedgate in a folder on fpath");
  completions_cmd->add_option("SHELL", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  std::filesystem::path man_output;
  auto* man_cmd =
      app.add_subcommand("man", "Print the manual page (seedgate.1, man(7) roff) written from this command table");
  man_cmd->add_option("-o,--output", man_output, "Write it to this file instead");

  HistoryOptions hist;
  auto* history_cmd = app.add_subcommand(
      "history",
      "Look at the history store every judged sweep is appended to ([history] store or --history): list sweeps, "
      "a metric's trend, CSV, prune, import results files. Exit 3 when the store cannot be read");
  history_cmd->require_subcommand(1);
  auto history_common = [&](CLI::App* sub) {
    sub->add_option("--store", hist.store,
                    "History store: sqlite:PATH (relative to the current folder) or postgresql://HOST/DB "
                    "(default: the policy's [history] store)");
    sub->add_option("-p,--policy", hist.policy, "Policy whose [history] store is the default")->capture_default_str();
  };
  auto history_filters = [&](CLI::App* sub) {
    sub->add_option("--branch", hist.branch, "Only sweeps of this branch");
    sub->add_option("--subject", hist.subject, "Only sweeps of this subject");
    sub->add_option("--since", hist.since,
                    "Only sweeps started at or after WHEN: 2026-11-01, 2026-11-01T12:00:00Z (UTC) or an age (30d, "
                    "12h, 90m)");
    sub->add_option("--last", hist.last, "Only the newest N sweeps (default: all)")->check(whole_number());
  };
  auto* history_list_cmd =
      history_cmd->add_subcommand("list",
                                  "List the stored sweeps, oldest first: id, started, branch, commit, "
                                  "verdict, runs");
  history_common(history_list_cmd);
  history_filters(history_list_cmd);
  auto* history_trend_cmd = history_cmd->add_subcommand(
      "trend",
      "Show a metric's level per sweep and group: seeds, mean, 95% bounds, verdict and a gauge, then a sparkline "
      "of the means per group");
  history_common(history_trend_cmd);
  history_trend_cmd->add_option("--metric", hist.metric, "The metric (default: each metric the policy's checks judge)");
  history_trend_cmd->add_option("--branch", hist.branch, "Only sweeps of this branch");
  history_trend_cmd->add_option("--last", hist.trend_last, "The newest N sweeps")
      ->check(whole_number())
      ->capture_default_str();
  history_trend_cmd->add_option("--group", hist.group, "Only this group, e.g. \"mode=default, device=cpu\"");
  auto* history_export_cmd = history_cmd->add_subcommand(
      "export",
      "Write the stored runs as CSV, one row per run and metric: sweep, started, branch, commit, subject, verdict, "
      "seed, repeat, mode, device, threads, variant, source, fold, status, metric, value (NaN empty)");
  history_common(history_export_cmd);
  history_export_cmd->add_option("--format", hist.format, "Output format")
      ->check(CLI::IsMember({"csv"}))
      ->capture_default_str();
  history_export_cmd->add_option("-o,--output", hist.output, "Write it to this file (atomically) instead of stdout");
  history_filters(history_export_cmd);
  auto* history_prune_cmd =
      history_cmd->add_subcommand("prune", "Delete the sweeps that started more than AGE ago; print how many");
  history_common(history_prune_cmd);
  history_prune_cmd->add_option("--keep", hist.keep, "Keep sweeps younger than this age: 90d, 12h, 90m, 2w")
      ->required();
  auto* history_import_cmd = history_cmd->add_subcommand(
      "import",
      "Backfill the store from results files; a file without a sweep id gets one from its digest, started from its "
      "modification time. One already stored is skipped; one unreadable is named, the others imported, exit 3");
  history_common(history_import_cmd);
  history_import_cmd->add_option("RESULTS", hist.results, "Results files (results.json)")->required();
  history_import_cmd->add_option("--branch", hist.branch, "Branch of results that name none");

  if (auto unknown = unknown_command(app, argc, argv)) {
    std::cerr << util::printable(*unknown) << "\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::RequiredError& e) {
    // "seedgate" or "seedgate baseline" alone: say which commands there are.
    CLI::App* at = &app;
    std::string path = "seedgate";
    while (!at->get_subcommands().empty()) {
      at = at->get_subcommands().front();
      path += " " + at->get_name();
    }
    std::vector<std::string> names;
    for (const CLI::App* sub : at->get_subcommands({})) names.push_back(sub->get_name());
    if (std::string(e.what()).find("subcommand") == std::string::npos || names.empty())
      return app.exit(e) == 0 ? kExitPass : kExitUsage;
    std::cerr << fmt::format("{}: a command is required: {} (`{} --help` says what each does)\n", path,
                             fmt::join(names, ", "), path);
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitPass : kExitUsage;
  }
  try {
    if (*run_cmd) return run_command(run, std::cout, std::cerr);
    if (*check_cmd) return check_command(policy, results, check_history, std::cout, std::cerr);
    if (*report_cmd) return report_command(report, std::cout, std::cerr);
    if (*save_cmd) return baseline_save_command(results, output, std::cout, std::cerr);
    if (*lint_cmd) return policy_lint_command(policy, std::cout, std::cerr);
    if (*metrics_test_cmd) return metrics_test_command(policy, logs, std::cout, std::cerr);
    if (*code_lint_cmd) {
      lint.policy_given = lint_policy_opt->count() > 0;
      return lint_command(lint, std::cout, std::cerr);
    }
    if (*init_cmd) return init_command(init, std::cout, std::cerr);
    if (*history_cmd) {
      if (*history_list_cmd) return history_list_command(hist, std::cout, std::cerr);
      if (*history_trend_cmd) return history_trend_command(hist, std::cout, std::cerr);
      if (*history_export_cmd) return history_export_command(hist, std::cout, std::cerr);
      if (*history_prune_cmd) return history_prune_command(hist, std::cout, std::cerr);
      if (*history_import_cmd) return history_import_command(hist, std::cout, std::cerr);
    }
    if (*completions_cmd) {
      std::cout << (shell == "bash" ? bash_completion(app) : zsh_completion(app));
      return kExitPass;
    }
    if (*man_cmd) {
      std::string page = man_page(app, seedgate::seedgate_version());
      if (man_output.empty()) {
        std::cout << page;
        return kExitPass;
      }
      auto written = util::write_file_atomic(man_output, page);
      if (!written) std::cerr << "seedgate: " << written.error() << "\n";
      return written ? kExitPass : kExitCannotEvaluate;
    }
  } catch (const std::exception& e) {
    std::cerr << "seedgate: internal error: " << e.what() << "\n";
    return kExitCannotEvaluate;
  }
  return kExitUsage;
}
