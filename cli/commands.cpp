#include "cli/commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>

#include "adapters/registry.hpp"
#include "cli/init_templates.hpp"
#include "harness/evaluate.hpp"
#include "harness/leftovers.hpp"
#include "harness/metrics.hpp"
#include "harness/policy.hpp"
#include "harness/policy_lint.hpp"
#include "harness/posix_runner.hpp"
#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "harness/shard.hpp"
#include "harness/sweep.hpp"
#include "harness/sweep_history.hpp"
#include "lint/config.hpp"
#include "lint/report.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace seedgate::cli {
namespace {

bool write_report(const std::filesystem::path& path, const std::string& content, std::ostream& err) {
  if (path.empty()) return true;
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  auto written = util::write_file_atomic(path, content);
  if (!written) err << "seedgate: " << written.error() << "\n";
  return written.ok();
}

// The policy as GitHub names files in annotations: relative to the workspace.
std::string annotation_path(const std::filesystem::path& policy) {
  const char* workspace = std::getenv("GITHUB_WORKSPACE");
  if (!workspace || !*workspace) return policy.string();
  std::error_code ec;
  std::filesystem::path relative = std::filesystem::weakly_canonical(policy, ec)
                                       .lexically_relative(std::filesystem::weakly_canonical(workspace, ec));
  return ec || relative.empty() || relative.native().starts_with("..") ? policy.string() : relative.string();
}

bool save_reporting(const std::filesystem::path& path, const SweepResults& results, std::ostream& err) {
  auto saved = save_results(path, results);
  if (!saved) err << "seedgate: " << saved.error() << "\n";
  return saved.ok();
}

// A file that could not be written makes the outcome "could not evaluate"
// (3), unless a check failed, which wins as it does over 3.
int with_writes(int code, bool written) {
  return written || code == kExitFail ? code : kExitCannotEvaluate;
}

// Console summary, configured report files, the GitHub job summary and, in
// GitHub Actions, annotations on the policy's lines. False when a file could
// not be written (each named on `err` with the system's reason).
bool emit_reports(const Policy* policy, const SweepResults& results, const ReportContext& context, std::ostream& out,
                  std::ostream& err) {
  out << render_console(results, context);
  if (!policy) return true;
  // Each report is rendered only when the policy asks for it: one of a large sweep is tens of megabytes.
  bool ok = true;
  if (!policy->report.junit.empty())
    ok &= write_report(policy->report.junit, render_junit(results, context, policy->subject.allowed_failures), err);
  if (!policy->report.json.empty()) ok &= save_reporting(policy->report.json, results, err);
  if (!policy->report.markdown.empty()) {
    std::string markdown = render_markdown(results, context);
    ok &= write_report(policy->report.markdown, markdown, err);
    if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
      std::ofstream file(summary, std::ios::app);
      file << markdown << "\n";
      if (!file.flush()) {
        err << fmt::format("seedgate: cannot append to GITHUB_STEP_SUMMARY {}: {}\n", summary, util::error_text(errno));
        ok = false;
      }
    }
  }
  if (!policy->report.html.empty()) ok &= write_report(policy->report.html, render_html(results, context), err);
  if (const char* actions = std::getenv("GITHUB_ACTIONS"); actions && std::string_view(actions) == "true")
    out << render_annotations(results, context, annotation_path(policy->path));
  return ok;
}

// How many earlier sweeps the reports' trend shows.
constexpr std::size_t kTrendSweeps = 60;

// A failed check wins over "could not evaluate". With a history store, the
// drift checks read earlier sweeps from it, the reports get each judged
// metric's trend, and the judged sweep is appended: a store that cannot be
// read or written makes the sweep "could not evaluate" (the results are
// still written).
int judge(const Policy& policy, SweepResults& results, const std::string& history_url, std::ostream& out,
          std::ostream& err) {
  stamp_sweep(results, &policy, policy.dir);
  // What a results file says of a trend is re-read from the store, or dropped.
  results.trend.clear();
  results.history_store.clear();
  std::vector<std::string> history_errors;
  auto store = open_history(policy, history_url);
  if (!store) history_errors.push_back(store.error());
  if (store && *store) {
    if (auto read = read_history(**store, policy, results); !read) history_errors.push_back(read.error());
  }
  if (!history_errors.empty()) results.history_error = history_errors.front();
  Evaluation evaluation = evaluate_policy(policy, results);
  if (store && *store) {
    auto trend = read_trend(**store, results, judged_metrics(policy), kTrendSweeps);
    if (trend)
      results.trend = std::move(*trend);
    else
      history_errors.push_back(trend.error());
    auto appended = append_sweep(**store, results);
    if (!appended) {
      history_errors.push_back(appended.error());
    } else {
      results.history_store = (*store)->describe();
      const std::string id = util::printable(results.sweep_id);
      out << (*appended
                  ? fmt::format("history: sweep {} appended to {} (branch {})\n", id, results.history_store,
                                util::printable(results.branch))
                  : fmt::format("history: sweep {} is already in {}; not appended again\n", id, results.history_store));
    }
  }
  for (const std::string& e : history_errors) err << "seedgate: " << e << "\n";
  if (!history_errors.empty() && evaluation.exit_code == kExitPass) evaluation.exit_code = kExitCannotEvaluate;
  evaluation.errors.insert(evaluation.errors.end(), history_errors.begin(), history_errors.end());
  ReportContext context{evaluation.errors, evaluation.exit_code};
  bool written = emit_reports(&policy, results, context, out, err);
  return with_writes(evaluation.exit_code, written);
}

// A shard saves its slice for the merge and judges nothing: it exits 0 unless
// its own runs broke (failures beyond allowed_failures, an interruption).
int finish_shard(const Policy& policy, SweepResults& results, const std::filesystem::path& out_dir, std::ostream& out,
                 std::ostream& err) {
  std::filesystem::path path = out_dir / fmt::format("shard-{}-of-{}.json", results.shard->index, results.shard->count);
  auto saved = save_results(path, results);
  if (!saved) err << "seedgate: " << saved.error() << "\n";
  ReportContext context{run_errors(policy, results), kExitPass};
  if (!context.errors.empty() || !saved) context.exit_code = kExitCannotEvaluate;
  out << render_console(results, context);
  out << fmt::format("results: {}\n", path.string());
  return context.exit_code;
}

util::Result<Policy> load_policy_reporting(const std::filesystem::path& path, std::ostream& err) {
  auto policy = load_policy(path, subject_tables());
  if (!policy) {
    err << policy.error() << "\n";
  } else if (policy->checks.empty()) {
    // A sweep judged by nothing would pass whatever its runs did.
    std::string error = fmt::format(
        "{}: the policy has no [[check]]: it would pass whatever the runs do (add one, such as [[check]] kind = "
        "\"threshold\")",
        path.string());
    err << error << "\n";
    return util::make_error(error);
  }
  return policy;
}

// One results file, or shard files merged into one sweep.
util::Result<SweepResults> load_merged_results(const std::vector<std::filesystem::path>& paths, std::ostream& err) {
  std::vector<SweepResults> all;
  std::vector<std::string> labels;
  for (const auto& path : paths) {
    auto results = load_results(path);
    if (!results) {
      err << "seedgate: " << results.error() << "\n";
      return util::make_error("unreadable");
    }
    all.push_back(std::move(*results));
    labels.push_back(path.string());
  }
  if (all.size() == 1 && !all.front().shard) return std::move(all.front());
  auto merged = merge_shards(all, labels);
  if (!merged) err << "seedgate: " << merged.error() << "\n";
  return merged;
}

}  // namespace

namespace {

// What earlier sweeps say about how long each run takes, oldest first: the
// newest sweep of this subject in the history store, the baselines' runs,
// then the last sweep into this folder (read before it is replaced; not with
// --resume, whose journal already holds this sweep's runs). Only what the
// durations need is kept. A store or file that cannot be read tells nothing;
// with nothing known the sweep starts its runs in plan order.
std::vector<RunRecord> earlier_runs(const Policy& policy, const std::filesystem::path& out_dir, bool resume,
                                    const std::string& history_url) {
  std::vector<std::filesystem::path> files;
  for (const CheckEntry& entry : policy.checks)
    if (const std::filesystem::path* baseline = checks::baseline_of(entry.spec);
        baseline && !baseline->empty() && std::find(files.begin(), files.end(), *baseline) == files.end())
      files.push_back(*baseline);
  if (!resume) files.push_back(out_dir / "results.json");
  std::vector<RunRecord> runs = runs_with_durations(policy, history_url);
  for (const std::filesystem::path& file : files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) continue;
    auto loaded = load_results(file);
    if (!loaded) continue;
    for (RunRecord& record : loaded->runs) {
      record.report = {};
      record.stdout_tail.clear();
      record.stderr_tail.clear();
      record.message.clear();
      runs.push_back(std::move(record));
    }
  }
  return runs;
}

}  // namespace

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  auto policy = load_policy_reporting(options.policy, err);
  if (!policy) return kExitUsage;
  auto adapter = make_adapter(policy->subject.adapter);
  if (!adapter) {
    err << fmt::format("seedgate: adapter '{}' is not available in this build\n", policy->subject.adapter);
    return kExitUsage;
  }
  auto runner = adapter->make_runner(*policy);
  if (!runner) {
    err << "seedgate: " << runner.error() << "\n";
    return kExitUsage;
  }
  auto shard = resolve_shard({options.shard, options.shard_count}, current_environment());
  if (!shard) {
    err << "seedgate: " << shard.error() << "\n";
    return kExitUsage;
  }
  // One sweep at a time per folder, held until its results are written.
  auto lock = FolderLock::acquire(options.out_dir);
  if (!lock) {
    err << "seedgate: " << lock.error() << "\n";
    return kExitUsage;
  }
  SweepOptions sweep_options;
  sweep_options.earlier_runs = earlier_runs(*policy, options.out_dir, options.resume, options.history);
  sweep_options.shard = *shard;
  sweep_options.out_dir = options.out_dir;
  sweep_options.jobs = options.jobs;
  sweep_options.resume = options.resume;
  sweep_options.fail_fast = options.fail_fast;
  auto variable = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string_view(value ? value : "");
  };
  std::string_view ci = variable("CI");
  // NO_COLOR counts whatever its value, "0" too (no-color.org); CI=false does not.
  Progress progress(
      err, progress_style(options.color, ::isatty(STDERR_FILENO) == 1, !ci.empty() && ci != "false" && ci != "0",
                          !variable("NO_COLOR").empty(), variable("TERM") == "dumb"));
  sweep_options.progress = &progress;
  const std::string started = utc_timestamp();
  auto results = run_sweep(*policy, *adapter, **runner, sweep_options);
  if (!results) {
    err << "seedgate: " << results.error() << "\n";
    return kExitCannotEvaluate;
  }
  if (results->started.empty()) results->started = started;
  if (sweep_options.shard) return finish_shard(*policy, *results, options.out_dir, out, err);
  // The runs are safe in the journal already: were judging to crash, --resume
  // would judge them again without rerunning any. The results are written once.
  std::filesystem::path results_path = options.out_dir / "results.json";
  int code = judge(*policy, *results, options.history, out, err);
  bool saved = save_reporting(results_path, *results, err);
  // Beside the results: the per-run table a paper's appendix or a model card quotes.
  bool table = write_report(options.out_dir / "seeds.csv", report_parts::seeds_csv(*results), err);
  out << (saved ? fmt::format("results: {}\n", results_path.string())
                : fmt::format("results: not written to {}\n", results_path.string()));
  return with_writes(code, saved && table);
}

int check_command(const std::filesystem::path& policy_path, const std::vector<std::filesystem::path>& paths,
                  const std::string& history, std::ostream& out, std::ostream& err) {
  auto policy = load_policy_reporting(policy_path, err);
  if (!policy) return kExitUsage;
  auto results = load_merged_results(paths, err);
  if (!results) return kExitUsage;
  if (!results->policy_digest.empty() && results->policy_digest != policy->digest) {
    err << fmt::format("seedgate: note: {} was produced under a different policy ({}); judging it against {}\n",
                       paths.front().string(), results->policy_digest, policy_path.string());
  }
  // A regex the policy changed since the sweep is read again from the stored logs.
  std::vector<std::filesystem::path> roots;
  roots.reserve(paths.size());
  for (const auto& path : paths) roots.push_back(path.parent_path().empty() ? "." : path.parent_path());
  auto reread = reextract_regex_metrics(*policy, *results, roots);
  if (!reread) {
    err << "seedgate: " << reread.error() << "\n";
    return kExitCannotEvaluate;
  }
  for (const std::string& note : *reread) out << "note: " << note << "\n";
  results->run_roots = roots;
  if (results->sweep_id.empty()) {
    // Merged shards, or results from before sweeps had ids: an id from their
    // bytes, so that checking them again does not append them twice.
    std::vector<std::string> contents;
    for (const auto& path : paths)
      if (auto bytes = util::read_file(path)) contents.push_back(std::move(*bytes));
    results->sweep_id = content_sweep_id(contents);
  }
  set_report_settings(*policy, *results);
  // Re-classify: run status depends on the policy's metrics and artifacts.
  for (RunRecord& record : results->runs) {
    if (record.status == RunStatus::passed || record.status == RunStatus::failed ||
        record.status == RunStatus::violated)
      classify_run(*policy, record);
  }
  return judge(*policy, *results, history, out, err);
}

int report_command(const ReportOptions& options, std::ostream& out, std::ostream& err) {
  ReportContext context;
  auto results = load_merged_results(options.results, err);
  if (!results) return kExitUsage;
  if (std::string missing = describe_missing_shards(*results); !missing.empty()) context.errors.push_back(missing);
  if (results->checks.empty() && !results->merged_from.empty())
    context.errors.push_back("these shards are not judged yet: `seedgate check` merges and judges them");
  context.exit_code = exit_code(results->verdict);
  out << render_console(*results, context);
  bool ok = write_report(options.junit, render_junit(*results, context), err);
  ok &= write_report(options.markdown, render_markdown(*results, context), err);
  ok &= write_report(options.html, render_html(*results, context), err);
  ok &= write_report(options.seeds_csv, report_parts::seeds_csv(*results), err);
  if (options.github)
    out << render_annotations(*results, context,
                              options.policy_file.empty() ? results->policy_path : options.policy_file);
  return ok ? kExitPass : kExitCannotEvaluate;
}

int baseline_save_command(const std::vector<std::filesystem::path>& paths, const std::filesystem::path& output,
                          std::ostream& out, std::ostream& err) {
  auto results = load_merged_results(paths, err);
  if (!results) return kExitUsage;
  if (std::string missing = describe_missing_shards(*results); !missing.empty())
    err << "seedgate: warning: " << missing << "\n";
  // A baseline is the distribution of runs that passed; logs are not needed.
  std::erase_if(results->runs, [](const RunRecord& r) { return r.status != RunStatus::passed; });
  for (RunRecord& r : results->runs) r.stdout_tail.clear(), r.stderr_tail.clear();
  if (results->runs.empty()) {
    err << fmt::format("seedgate: {} has no passed runs to use as a baseline\n", paths.front().string());
    return kExitCannotEvaluate;
  }
  std::error_code ec;
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path(), ec);
  auto saved = save_results(output, *results);
  if (!saved) {
    err << "seedgate: " << saved.error() << "\n";
    return kExitCannotEvaluate;
  }
  out << fmt::format("baseline: {} runs over seeds {} written to {}\n", results->runs.size(),
                     checks::describe_seeds(results->seeds), output.string());
  std::set<std::int64_t> seeds;
  for (const RunRecord& r : results->runs) seeds.insert(r.run.seed);
  if (seeds.size() == 1)
    out << fmt::format(
        "note: selection: this baseline is one seed ({}): a single draw of the seed-to-seed spread, and a seed chosen "
        "as the best of several overstates what a fresh seed gives; save a baseline from a sweep of several seeds\n",
        *seeds.begin());
  return kExitPass;
}

int policy_lint_command(const std::filesystem::path& path, std::ostream& out, std::ostream& err) {
  auto policy = load_policy_reporting(path, err);
  if (!policy) return kExitUsage;
  std::size_t warnings = 0;
  // The program's findings point at 'command', above every [[check]].
  std::vector<LintFinding> findings = lint_program(*policy, util::search_path());
  for (LintFinding& f : lint_policy(*policy)) findings.push_back(std::move(f));
  for (const LintFinding& f : findings) {
    out << fmt::format("{}:{}:{}: {}: {}\n", path.string(), f.position.line, f.position.column,
                       f.warning ? "warning" : "note", f.message);
    warnings += f.warning;
  }
  out << fmt::format("{}: ok ({} checks, {} warning{})\n", path.string(), policy->checks.size(), warnings,
                     warnings == 1 ? "" : "s");
  return kExitPass;
}

int metrics_test_command(const std::filesystem::path& policy_path, const std::vector<std::filesystem::path>& logs,
                         std::ostream& out, std::ostream& err) {
  auto policy = load_policy(policy_path, subject_tables());
  if (!policy) {
    err << policy.error() << "\n";
    return kExitUsage;
  }
  if (regex_metric_specs(policy->metrics).empty()) {
    err << fmt::format("seedgate: {} has no regex metrics ([metrics.NAME] with a 'regex')\n", policy_path.string());
    return kExitUsage;
  }
  bool missing = false;
  for (const std::filesystem::path& log : logs) {
    std::vector<LogFile> files;
    if (std::filesystem::is_directory(log)) {
      out << fmt::format("{}:\n", log.string());
      files = {{Stream::stdout_stream, log / "stdout.log", "stdout.log"},
               {Stream::stderr_stream, log / "stderr.log", "stderr.log"}};
    } else {
      if (logs.size() > 1) out << fmt::format("{}:\n", log.string());
      files = {{Stream::both_streams, log, log.filename().string()}};
    }
    for (const RegexExtraction& e :
         extract_regex_metrics(policy->metrics, files, policy->subject.output_limit + 4096)) {
      const MetricSpec* metric = policy->find_metric(e.metric);
      const nlohmann::json spec = regex_metric_specs({*metric})[e.metric];
      out << fmt::format("{}: regex '{}', stream {}, pick {}\n", e.metric, metric->regex,
                         spec["stream"].get<std::string>(), spec["pick"].get<std::string>());
      if (e.matches == 0) {
        out << fmt::format("  matched nothing in {}{}\n", e.looked_in, metric->required ? "" : " (not required)");
        missing |= metric->required;
      } else {
        auto list = [](const std::vector<RegexMatch>& matches) {
          std::string text;
          for (const RegexMatch& m : matches)
            text += fmt::format(" {}:{}={}", m.log, m.line, util::format_number(m.value));
          return text;
        };
        out << fmt::format("  {} match{} in {}; first:{}\n", e.matches, e.matches == 1 ? "" : "es", e.looked_in,
                           list(e.first));
        if (e.matches > e.first.size()) out << fmt::format("  last:{}\n", list(e.last));
        out << fmt::format("  value: {}\n", e.picked ? util::format_number(*e.picked) : "none");
      }
      for (const std::string& issue : e.issues) out << fmt::format("  {}\n", util::printable(issue));
    }
  }
  return missing ? kExitFail : kExitPass;
}

int lint_command(const LintOptions& options, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  lint::LintConfig config;
  fs::path root = fs::current_path();
  std::error_code ec;
  if (options.policy_given || fs::exists(options.policy, ec)) {
    auto loaded = lint::load_lint_config(options.policy);
    if (!loaded) {
      err << loaded.error() << "\n";
      return kExitUsage;
    }
    config = std::move(*loaded);
    // Paths in [lint] and in the reports are relative to the policy's folder.
    root = fs::absolute(options.policy).parent_path().lexically_normal();
  }
  lint::assume_installed_versions(config, lint::default_include_dirs());                 // where [lint] names none
  if (!options.fail_on.empty()) config.fail_on = lint::parse_severity(options.fail_on);  // "never": nullopt
  if (options.list_rules) {
    out << lint::format_rule_list(config);
    return kExitPass;
  }
  std::vector<std::string> paths = config.paths;
  if (!options.paths.empty()) {
    paths.clear();
    for (const std::string& p : options.paths) paths.push_back(fs::absolute(p).lexically_normal().string());
  }
  auto files = lint::read_sources(root, paths, config.exclude);
  if (!files) {
    err << "seedgate: " << files.error() << "\n";
    return kExitUsage;
  }
  auto report = lint::lint_sources(*files, config);
  if (!report) {
    err << "seedgate: " << report.error() << "\n";
    return kExitUsage;
  }
  std::string text = lint::format_text(*report);
  std::string formatted;
  if (options.format == "sarif") {
    formatted = lint::format_sarif(*report, config, seedgate_version(), root);
  } else if (options.format == "junit") {
    formatted = lint::format_junit(*report, config);
  } else if (options.format == "codequality") {
    formatted = lint::format_codequality(*report);
  } else if (options.format == "github") {
    formatted = lint::format_github(*report);
  } else {
    formatted = text;
  }
  if (options.output.empty()) {
    out << formatted;
    // Annotations and documents on stdout; the summary line still reaches the log.
    if (options.format != "text") err << text.substr(text.rfind('\n', text.size() - 2) + 1);
  } else {
    if (options.output.has_parent_path()) fs::create_directories(options.output.parent_path(), ec);
    auto written = util::write_file_atomic(options.output, formatted);
    if (!written) {
      err << fmt::format("seedgate: cannot write {}: {}\n", options.output.string(), written.error());
      return kExitCannotEvaluate;
    }
    out << text;
  }
  return report->failed() ? kExitFail : kExitPass;
}

namespace {

// A TOML basic string.
std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out + "\"";
}

std::string starter_policy(const InitOptions& options) {
  std::vector<std::string> command = options.command;
  if (command.empty()) command = {"./train", "--seed", "{seed}", "--out", "{run_dir}"};
  std::string name = options.name;
  if (name.empty()) name = std::filesystem::path(command.front()).filename().string();
  std::vector<std::string> quoted;
  quoted.reserve(command.size());
  for (const std::string& a : command) quoted.push_back(toml_string(a));
  const std::string& metric = options.metric;
  std::string bound = options.goal == "max" ? "mean_at_least" : "mean_at_most";
  return fmt::format(R"(# seedgate policy: reruns the training program across seeds and gates CI on
# how much its {metric} moves. Reference: `seedgate --help`, README.md.
version = 1

[subject]
name = {name}
# argv of the training program; seedgate fills {{seed}}, {{run_dir}}, {{mode}},
# {{device}} and {{metrics}}, and sets SEEDGATE_SEED and friends in its environment.
command = [{command}]
timeout = "30m"
allowed_failures = 0

[sweep]
seeds = 8
modes = ["deterministic"]
repeats = 2                    # two runs per seed: reproducibility is checked

# The program appends JSON lines such as {{"{metric}": 0.95}} to $SEEDGATE_METRICS.
# For a program you cannot change, read it from its output instead:
# regex = '{metric}[:=] *([0-9.eE+-]+)'
# stream = "stdout"
[metrics.{metric_key}]
goal = "{goal}"

# Set the bound your team needs, then uncomment:
# [[check]]
# kind = "threshold"
# metric = "{metric}"
# {bound} = 0.9
# confidence = 0.95

[[check]]
kind = "variance"
metric = "{metric}"
std_at_most = 0.01             # the spread across seeds you accept

[[check]]
kind = "reproducibility"       # same seed, deterministic mode: the same {metric}

[[check]]
kind = "seed-sensitivity"      # different seeds must differ (catches an ignored seed)
metric = "{metric}"

[lint]
paths = ["."]
exclude = [".seedgate", "build"]

[report]
junit = "seedgate-junit.xml"
json = "seedgate-results.json"
markdown = "seedgate-summary.md"
html = "seedgate-report.html"
)",
                     fmt::arg("metric", metric), fmt::arg("metric_key", toml_string(metric)),
                     fmt::arg("name", toml_string(name)), fmt::arg("command", util::join(quoted, ", ")),
                     fmt::arg("goal", options.goal), fmt::arg("bound", bound));
}

}  // namespace

int init_command(const InitOptions& options, std::ostream& out, std::ostream& err) {
  std::filesystem::path policy = options.dir / "seedgate.toml";
  std::filesystem::path workflow = options.dir / ".github" / "workflows" / "seedgate.yml";
  std::vector<std::filesystem::path> existing;
  for (const auto& path : {policy, workflow}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    if (!options.force) {
      err << fmt::format("seedgate: {} exists; not overwriting it (--force overwrites)\n", path.string());
      return kExitUsage;
    }
    if (!std::filesystem::is_regular_file(path, ec)) {
      err << fmt::format("seedgate: {} exists and is not a file; not overwriting it\n", path.string());
      return kExitUsage;
    }
    existing.push_back(path);
  }
  std::error_code ec;
  std::filesystem::create_directories(workflow.parent_path(), ec);
  for (const auto& [path, text] :
       {std::pair{policy, starter_policy(options)}, std::pair{workflow, std::string(kGithubWorkflow)}}) {
    auto written = util::write_file_atomic(path, text);
    if (!written) {
      err << "seedgate: " << written.error() << "\n";
      return kExitCannotEvaluate;
    }
    bool replaced = std::find(existing.begin(), existing.end(), path) != existing.end();
    out << (replaced ? "overwrote " : "wrote ") << path.string() << "\n";
  }
  // What the policy just written says about its program: missing, or deaf to the seed.
  if (auto written = load_policy(policy, subject_tables())) {
    for (const LintFinding& f : lint_program(*written, util::search_path()))
      out << fmt::format("{}:{}:{}: warning: {}\n", policy.string(), f.position.line, f.position.column, f.message);
  }
  out << "next: make the program append {\"" << options.metric
      << "\": ...} lines to $SEEDGATE_METRICS, run `seedgate run`, and set the repository variable "
         "SEEDGATE_REPOSITORY (owner/name of your seedgate copy) for the workflow\n";
  return kExitPass;
}

}  // namespace seedgate::cli
