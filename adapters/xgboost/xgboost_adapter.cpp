#include "adapters/xgboost/xgboost_adapter.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <limits>
#include <mutex>

#include "adapters/xgboost/lazy_xgboost.hpp"
#include "harness/predictions.hpp"
#include "seedgate/xgboost.hpp"

namespace seedgate {

namespace sx = seedgate::xgboost;

struct XGBoostData {
  std::shared_ptr<const sx::Table> train;
  std::vector<std::pair<std::string, std::shared_ptr<const sx::Table>>> eval;
};

namespace {

// XGBoost logs through one global callback; each training thread points it
// at its run's stderr.log.
thread_local std::ostream* t_log = nullptr;

void log_to_run(const char* message) {
  if (t_log) {
    *t_log << message << "\n" << std::flush;
  } else {
    std::cerr << "xgboost: " << message << "\n";
  }
}

struct LogToRun {
  explicit LogToRun(std::ostream& out) { t_log = &out; }
  ~LogToRun() { t_log = nullptr; }
  LogToRun(const LogToRun&) = delete;
  LogToRun& operator=(const LogToRun&) = delete;
};

// XGBoost's metrics where larger is better; the rest (error, logloss, rmse, ...) are losses.
bool larger_is_better(const std::string& name) {
  std::string metric = name.substr(name.find('-') + 1);
  for (const char* prefix : {"auc", "map", "ndcg", "pre"})
    if (metric.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string joined_names(const std::vector<std::pair<std::string, double>>& values) {
  std::string out;
  for (const auto& [name, value] : values) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

ProcessSpec XGBoostAdapter::command_for(const Policy& policy, const RunSpec& run, const RunContext& context,
                                        const std::map<std::string, std::string>& base_env) const {
  // The command adapter's spec (environment, output files, limits), with no
  // program: the run trains in its own folder inside seedgate.
  ProcessSpec spec = CommandAdapter::command_for(policy, run, context, base_env);
  spec.argv = {"xgboost (in seedgate)"};
  spec.cwd = context.run_dir;
  return spec;
}

void XGBoostAdapter::describe_environment(const Policy& /*policy*/, const std::vector<RunRecord>& runs,
                                          nlohmann::json& environment) const {
  // The runs trained on the XGBoost seedgate links (XGBoostVersion), whatever
  // a Python on this machine has; no program, so no interpreter to ask.
  nlohmann::json xgboost = {{"version", sx::library_version().text()}};
  for (const RunRecord& r : runs) {
    if (auto it = r.report.env.find("tree_method"); it != r.report.env.end()) {
      xgboost["tree_method"] = it->second;
      break;
    }
  }
  environment["xgboost"] = xgboost;
}

util::Result<std::shared_ptr<const XGBoostData>> load_xgboost_data(const XGBoostSubject& subject) {
  std::optional<sx::Format> format;
  if (!subject.format.empty()) format = subject.format == "csv" ? sx::Format::csv : sx::Format::libsvm;
  std::map<std::filesystem::path, std::shared_ptr<const sx::Table>> read;
  auto table = [&](const std::filesystem::path& path) {
    auto& slot = read[path];
    if (!slot) slot = std::make_shared<const sx::Table>(sx::read_data(path.string(), format, subject.label_column));
    return slot;
  };
  auto data = std::make_shared<XGBoostData>();
  try {
    data->train = table(subject.train);
    for (const auto& [name, path] : subject.eval) data->eval.emplace_back(name, table(path));
  } catch (const sx::DataError& e) {
    return util::make_error(e.what());
  }
  std::size_t columns = data->train->columns;
  if (!subject.feature_names.empty() && subject.feature_names.size() != columns)
    return util::make_error(fmt::format("[subject.xgboost] 'feature_names' has {} names, but {} has {} features",
                                        subject.feature_names.size(), subject.train.string(), columns));
  for (const auto& [name, set] : data->eval)
    if (set->columns > columns)
      return util::make_error(
          fmt::format("evaluation set '{}' has {} features, the training data {}", name, set->columns, columns));
  return std::shared_ptr<const XGBoostData>(std::move(data));
}

// `variants`: each [[variant]]'s parameters, set over the subject's for the
// run whose SEEDGATE_VARIANT names it.
ProcessResult train_xgboost_run(const XGBoostSubject& subject, const XGBoostData& data,
                                const std::vector<VariantSpec>& variants, const ProcessSpec& spec,
                                const RunControl& control) {
  std::ofstream log(spec.stderr_path, std::ios::app);
  LogToRun redirect(log);
  ProcessResult result;
  auto lookup = [&spec](const char* name) -> const char* {
    auto it = spec.env.find(name);
    return it == spec.env.end() ? nullptr : it->second.c_str();
  };
  sx::Settings settings = sx::settings_from_environment(lookup);
  protocol::Writer records(settings.metrics_path);
  try {
    sx::DMatrix train(*data.train);
    std::vector<sx::DMatrix> evals;
    std::vector<DMatrixHandle> cache{train.handle()};
    sx::EvalSets sets;
    for (const auto& [name, table] : data.eval) {
      evals.emplace_back(*table);
      cache.push_back(evals.back().handle());
    }
    for (std::size_t i = 0; i < data.eval.size(); ++i) sets.emplace_back(data.eval[i].first, evals[i].handle());
    sx::Booster booster(cache);
    for (const auto& [name, value] : subject.params) booster.set_param(name, value);
    if (auto variant = spec.env.find("SEEDGATE_VARIANT"); variant != spec.env.end()) {
      for (const VariantSpec& v : variants)
        if (v.name == variant->second)
          for (const auto& [name, value] : v.params) booster.set_param(name, value);
    }
    sx::Applied applied = sx::apply(booster.handle(), settings, subject.tree_method);
    records.environment(sx::environment_record(applied));

    std::string stop_metric = subject.early_stopping_metric;
    double best = 0;
    int best_round = -1;
    for (int round = 0; round < subject.rounds; ++round) {
      if (control.stop_requested()) {
        result.status = ProcessResult::Status::interrupted;
        return result;
      }
      if (control.past_deadline()) {
        result.status = ProcessResult::Status::timed_out;
        return result;
      }
      booster.update(round, train);
      if (sets.empty()) continue;
      std::string line = sx::evaluation_line(booster.handle(), round, sets);
      log << line << "\n";
      auto values = sx::parse_evaluation(line);
      records.metrics(values, round);
      if (!subject.early_stopping_rounds) continue;
      if (stop_metric.empty() && !values.empty()) stop_metric = values.back().first;  // XGBoost's choice
      auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == stop_metric; });
      if (it == values.end())
        throw sx::Error(fmt::format("early_stopping_metric '{}' is not among the evaluated metrics ({})", stop_metric,
                                    joined_names(values)));
      bool better = best_round < 0 || (larger_is_better(stop_metric) ? it->second > best : it->second < best);
      if (better) {
        best = it->second;
        best_round = round;
      } else if (round - best_round >= subject.early_stopping_rounds) {
        log << fmt::format("Stopping. Best iteration: [{}] {}:{}\n", best_round, stop_metric, best);
        break;
      }
    }
    if (best_round >= 0) records.metrics({{"best_iteration", best_round}, {"best_score", best}});
    records.artifact("model", sx::digest(booster.handle()));
    sx::check(XGBoosterSaveModel(booster.handle(), (std::filesystem::path(settings.run_dir) / "model.ubj").c_str()),
              "XGBoosterSaveModel");
    records.importance(subject.importance,
                       sx::feature_importance(booster.handle(), subject.importance, subject.feature_names));
    if (!evals.empty()) {
      // The first evaluation set's predictions, for the ensemble and churn
      // checks. A set they cannot be written for (soft labels, a full disk)
      // is said in the log; the run itself trained.
      std::string path = (std::filesystem::path(settings.run_dir) / kPredictionsFile).string();
      try {
        sx::write_predictions(path, booster.handle(), evals.front().handle(), data.eval.front().second->labels);
      } catch (const std::runtime_error& e) {
        log << "predictions of '" << data.eval.front().first << "' not written: " << e.what() << "\n";
      }
    }
  } catch (const std::exception& e) {
    log << "error: " << e.what() << "\n";
    records.event("framework-error", std::string("XGBoost: ") + e.what());
    result.exit_code = 1;
  }
  return result;
}

util::Result<std::unique_ptr<CommandRunner>> XGBoostAdapter::make_runner(const Policy& policy) const {
  const XGBoostSubject* subject = xgboost_subject(policy);
  if (!subject) return util::make_error("adapter \"xgboost\" needs a [subject.xgboost] table");
  if (auto loaded = load_xgboost(); !loaded) return util::make_error("adapter \"xgboost\": " + loaded.error());
  auto data = load_xgboost_data(*subject);
  if (!data) return util::make_error(data.error());
  static std::once_flag registered;
  std::call_once(registered, [] { XGBRegisterLogCallback(log_to_run); });
  auto task = [subject = *subject, data = *data, variants = policy.variants](const ProcessSpec& spec,
                                                                             const RunControl& control) {
    return train_xgboost_run(subject, *data, variants, spec, control);
  };
  return std::unique_ptr<CommandRunner>(std::make_unique<ThreadRunner>(task));
}

}  // namespace seedgate
