#pragma once
// The commands behind the CLI, each returning its exit code (SPEC: 0 pass,
// 1 a check failed, 2 usage or policy error, 3 could not evaluate). They print
// reports to `out` and diagnostics to `err`.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "harness/exit_codes.hpp"

namespace seedgate::cli {

using seedgate::kExitCannotEvaluate;
using seedgate::kExitFail;
using seedgate::kExitPass;
using seedgate::kExitUsage;

struct RunOptions {
  std::filesystem::path policy = "seedgate.toml";
  int jobs = 0;
  std::filesystem::path out_dir = ".seedgate";
  bool resume = false;
  std::string shard;           // "K/N"; empty: from the engine's variables, or unsharded
  int shard_count = 0;         // for engines that give only an index (Kubernetes Indexed Jobs)
  std::string color = "auto";  // "auto", "always", "never"
  bool fail_fast = false;      // as [sweep] fail_fast = true
  std::string history;         // a history store over the policy's [history] store; empty: the policy's
};

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);
int check_command(const std::filesystem::path& policy, const std::vector<std::filesystem::path>& results,
                  const std::string& history, std::ostream& out, std::ostream& err);
struct ReportOptions {
  std::vector<std::filesystem::path> results;   // one results file, or shard files to merge
  std::filesystem::path junit, markdown, html;  // empty: not written
  std::filesystem::path seeds_csv;              // empty: not written
  bool github = false;                          // print GitHub annotations
  std::string policy_file;                      // the file annotations point at; empty: the results' policy
};
int report_command(const ReportOptions& options, std::ostream& out, std::ostream& err);
int baseline_save_command(const std::vector<std::filesystem::path>& results, const std::filesystem::path& output,
                          std::ostream& out, std::ostream& err);
int policy_lint_command(const std::filesystem::path& policy, std::ostream& out, std::ostream& err);
struct LintOptions {
  std::vector<std::string> paths;  // on the command line; empty: the policy's [lint] paths
  std::filesystem::path policy = "seedgate.toml";
  bool policy_given = false;  // -p was passed: a missing file is an error
  std::string format = "text";
  std::filesystem::path output;  // empty: the format goes to stdout
  std::string fail_on;           // empty: the policy's
  bool list_rules = false;
};

int lint_command(const LintOptions& options, std::ostream& out, std::ostream& err);
// What each regex metric of the policy extracts from saved logs: a log file
// (read as both streams) or a run's folder (its stdout.log and stderr.log).
// Exit 1 when a required metric matched nothing.
int metrics_test_command(const std::filesystem::path& policy, const std::vector<std::filesystem::path>& logs,
                         std::ostream& out, std::ostream& err);
struct InitOptions {
  std::filesystem::path dir = ".";
  std::vector<std::string> command;  // the training program's argv; empty: a placeholder
  std::string name;                  // empty: the program's file name
  std::string metric = "accuracy";
  std::string goal = "max";
  bool force = false;  // overwrite an existing seedgate.toml or workflow
};
// Writes a starter seedgate.toml for the command and the GitHub Actions
// workflow of ci-templates/github/seedgate.yml; refuses to overwrite either
// unless `force` (and then says which it overwrote).
int init_command(const InitOptions& options, std::ostream& out, std::ostream& err);

}  // namespace seedgate::cli
