#include "adapters/xgboost/subject.hpp"

#include <fmt/format.h>

#include <map>

#include "util/toml_reader.hpp"

namespace seedgate {
namespace {

// A parameter's value as XGBoost's text parameters take it.
std::string xgboost_param_value(const util::TomlReader& p, const toml::node& node, const std::string& key) {
  if (auto v = node.value_exact<std::string>()) return *v;
  if (auto v = node.value_exact<std::int64_t>()) return std::to_string(*v);
  if (auto v = node.value_exact<bool>()) return *v ? "true" : "false";
  if (node.is_floating_point()) return fmt::format("{}", p.number(node, key));
  p.wrong_type(node, key, "a string, a number, a boolean or an array of them");
}

XGBoostSubject parse_xgboost(const util::TomlReader& p, const toml::node& node, const std::filesystem::path& dir) {
  const toml::table& t = p.table(node, "xgboost");
  p.reject_unknown(t,
                   {"train", "eval", "format", "label_column", "rounds", "early_stopping_rounds",
                    "early_stopping_metric", "params", "feature_names", "importance"},
                   "[subject.xgboost]");
  XGBoostSubject x;
  const toml::node* train = t.get("train");
  if (!train) p.fail(node, "missing required key 'train' in [subject.xgboost] (the training data file)");
  x.train = util::resolve_path(dir, p.string(*train, "train"));
  if (auto n = t.get("eval")) {
    for (auto&& [name, value] : p.table(*n, "eval"))
      x.eval.emplace_back(std::string(name.str()),
                          util::resolve_path(dir, p.string(value, fmt::format("eval.{}", name.str()))));
  }
  if (auto n = t.get("format")) x.format = p.choice(*n, "format", {"csv", "libsvm"});
  if (auto n = t.get("label_column")) x.label_column = static_cast<int>(p.integer(*n, "label_column", 0, 1'000'000));
  if (auto n = t.get("rounds")) x.rounds = static_cast<int>(p.integer(*n, "rounds", 1, 1'000'000));
  if (auto n = t.get("early_stopping_rounds")) {
    x.early_stopping_rounds = static_cast<int>(p.integer(*n, "early_stopping_rounds", 1, 1'000'000));
    if (x.eval.empty()) p.fail(*n, "'early_stopping_rounds' needs an evaluation set in 'eval'");
  }
  if (auto n = t.get("early_stopping_metric")) {
    x.early_stopping_metric = p.string(*n, "early_stopping_metric");
    if (!x.early_stopping_rounds) p.fail(*n, "'early_stopping_metric' needs 'early_stopping_rounds'");
  }
  if (auto n = t.get("params")) {
    for (auto&& [key, value] : p.table(*n, "params")) {
      std::string name(key.str());
      static const std::map<std::string, std::string_view> kSetBySeedgate = {
          {"seed", "from the sweep's seeds"},        {"random_state", "as 'seed', from the sweep's seeds"},
          {"nthread", "from the sweep's 'threads'"}, {"n_jobs", "as 'nthread', from the sweep's 'threads'"},
          {"device", "from the sweep's 'devices'"},  {"gpu_id", "from the sweep's 'devices'"}};
      if (auto it = kSetBySeedgate.find(name); it != kSetBySeedgate.end())
        p.fail(key.source(), fmt::format("'params' must not set '{}': seedgate sets it {}", name, it->second));
      std::string where = fmt::format("params.{}", name);
      if (const toml::array* list = value.as_array()) {
        if (list->empty()) p.fail(value, fmt::format("'{}' must not be empty", where));
        for (const toml::node& item : *list) x.params.emplace_back(name, xgboost_param_value(p, item, where));
      } else {
        x.params.emplace_back(name, xgboost_param_value(p, value, where));
      }
      if (name == "tree_method") x.tree_method = x.params.back().second;
    }
  }
  if (auto n = t.get("feature_names")) x.feature_names = p.string_list(*n, "feature_names");
  if (auto n = t.get("importance"))
    x.importance = p.choice(*n, "importance", {"weight", "gain", "cover", "total_gain", "total_cover"});
  return x;
}

}  // namespace

const SubjectTable kXGBoostSubjectTable = {
    .adapter = "xgboost",
    .keys = "(train, eval, params, rounds)",
    .in_process = true,
    .parse = [](const util::TomlReader& reader, const toml::node& table,
                const std::filesystem::path& dir) { return std::any(parse_xgboost(reader, table, dir)); },
};

const XGBoostSubject* xgboost_subject(const Policy& policy) {
  return std::any_cast<XGBoostSubject>(&policy.subject.adapter_table);
}

}  // namespace seedgate
