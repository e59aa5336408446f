// Rules for XGBoost, through the C API (XGBoosterSetParam) or Python
// (parameter dicts, keyword arguments of xgb.train and the scikit-learn
// classes): unseeded subsampling, the default tree_method, parameters
// removed in 3.1, the shotgun updater.
#include <fmt/format.h>

#include <algorithm>

#include "lint/scan.hpp"

namespace lint {
namespace {

constexpr std::string_view kSampling[] = {"subsample", "colsample_bytree", "colsample_bylevel", "colsample_bynode"};
constexpr std::string_view kSklearn[] = {"XGBClassifier", "XGBRegressor", "XGBRanker", "XGBRFClassifier",
                                         "XGBRFRegressor"};

struct Param {
  std::string_view key;
  std::size_t at;  // the key's token
  std::size_t value_begin;
  std::size_t value_end;
};

// The end of a value starting at `begin`: the next ',' or closing bracket at its depth.
std::size_t value_end(const Scan& s, std::size_t begin) {
  int depth = 0;
  for (std::size_t k = begin; k < s.size(); ++k) {
    if (s.is(k, "(") || s.is(k, "[") || s.is(k, "{")) ++depth;
    if (s.is(k, ")") || s.is(k, "]") || s.is(k, "}")) {
      if (depth == 0) return k;
      --depth;
    }
    if (depth == 0 && s.is(k, ",")) return k;
  }
  return s.size();
}

std::string_view value_text(const Scan& s, const Param& p) {
  if (p.value_end != p.value_begin + 1) return {};
  return s.is_string(p.value_begin) ? string_body(s.text(p.value_begin)) : s.text(p.value_begin);
}

// gpu_id or tree_method "gpu_hist" under the version judged against: current
// before 2.0 (nothing to say), deprecated from 2.0, removed from 3.1; with no
// version known, judged as the newest release.
std::optional<std::string> removed_param_message(const std::string& version, std::string_view what,
                                                 std::string_view instead) {
  if (version.empty()) return fmt::format("{} was removed in XGBoost 3.1; {}", what, instead);
  if (!version_at_least(version, "2.0")) return std::nullopt;
  if (!version_at_least(version, "3.1"))
    return fmt::format("{} is deprecated since XGBoost 2.0 and removed in 3.1 (judged against XGBoost {}); {}", what,
                       version, instead);
  return fmt::format("{} was removed in XGBoost 3.1 (judged against XGBoost {}); {}", what, version, instead);
}

std::string default_tree_method_message(const std::string& version) {
  if (version.empty()) return "tree_method is never set, and its default changed between XGBoost 1.7 and 2.0";
  if (!version_at_least(version, "2.0"))
    return fmt::format(
        "tree_method is never set: XGBoost {} picks exact or approx by the data's size, and 2.0 changed the default "
        "to hist",
        version);
  return fmt::format(
      "tree_method is never set: XGBoost {} defaults to hist, but 1.7 and earlier chose exact or approx by the data's "
      "size",
      version);
}

// A call of the Python package's seedgate.xgboost.params( at token `i`:
// through `import seedgate` (seedgate.xgboost.params), an alias of
// seedgate.xgboost, or `from seedgate.xgboost import params`.
bool seedgate_params(const Scan& s, std::size_t i, const FileFacts& facts) {
  if (!s.is(i, "params") || !s.is(i + 1, "(")) return false;
  if (!s.is(i - 1, ".")) return module_of(facts, "params") == "seedgate.xgboost.params";
  if (i < 2) return false;
  if (s.is(i - 3, "."))  // seedgate.xgboost.params(
    return s.is(i - 2, "xgboost") && i >= 4 && module_of(facts, s.text(i - 4)) == "seedgate" && !s.is(i - 5, ".");
  return module_of(facts, s.text(i - 2)) == "seedgate.xgboost";
}

}  // namespace

void check_xgboost(const RuleContext& c) {
  if (!c.facts.uses_xgboost) return;
  const Scan& s = c.scan;
  bool cpp = s.file().language == Language::cpp;
  std::vector<Param> params;
  // seedgate::xgboost::apply / configure set seed and tree_method; so may a
  // wrapper that passes parameter names through variables.
  bool configured = false;
  std::size_t created = npos;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (cpp) {
      if (s.is(i, "XGBoosterSetParam") && s.is(i + 1, "(")) {
        std::vector<Argument> args = s.arguments(i + 1);
        if (args.size() == 3 && args[1].end == args[1].begin + 1 && s.is_string(args[1].begin)) {
          params.push_back({string_body(s.text(args[1].begin)), args[1].begin, args[2].begin, args[2].end});
        } else {
          configured = true;  // keys from variables (a wrapper): what is set cannot be read here
        }
      } else if (s.is(i, "XGBoosterCreate") && s.is(i + 1, "(") && created == npos) {
        created = i;
      } else if (s.is(i, "xgboost") && s.is(i - 1, "::") && s.qualifier(i) == "seedgate" && s.is(i + 1, "::") &&
                 (s.is(i + 2, "apply") || s.is(i + 2, "configure"))) {
        configured = true;
      }
      continue;
    }
    if (seedgate_params(s, i, c.facts)) {
      configured = true;  // the Python package's seedgate.xgboost.params(): seed and tree_method
    } else if (s.is_string(i) && s.is(i + 1, ":") && (s.is(i - 1, "{") || s.is(i - 1, ","))) {
      params.push_back({string_body(s.text(i)), i, i + 2, value_end(s, i + 2)});
    } else if (s.is_identifier(i) && s.is(i + 1, "=") && (s.is(i - 1, "(") || s.is(i - 1, ","))) {
      params.push_back({s.text(i), i, i + 2, value_end(s, i + 2)});
    } else if (s.is_identifier(i) && s.is(i + 1, "(") && created == npos) {
      std::string_view w = s.text(i);
      bool sklearn = std::find(std::begin(kSklearn), std::end(kSklearn), w) != std::end(kSklearn);
      bool train = (w == "train" || w == "Booster") && s.is(i - 1, ".") && i >= 2 &&
                   module_of(c.facts, s.text(i - 2)) == "xgboost";
      if (sklearn || train) created = i;
    }
  }
  bool seeded = configured;
  bool tree_method = configured;
  for (const Param& p : params) {
    if (p.key == "seed" || p.key == "random_state") seeded = true;
    if (p.key == "tree_method") tree_method = true;
  }
  for (const Param& p : params) {
    std::string_view value = value_text(s, p);
    bool sampling = false;
    if (std::find(std::begin(kSampling), std::end(kSampling), p.key) != std::end(kSampling)) {
      auto number = s.number(p.value_begin, p.value_end);
      sampling = !number || *number < 1;  // a variable: assume it subsamples
    } else if (p.key == "sampling_method" && value == "gradient_based") {
      sampling = true;
    }
    if (sampling && !seeded) {
      c.sink.add("xgboost-unseeded-subsampling", s.token(p.at),
                 fmt::format("'{}' samples with XGBoost's generator, but no seed is set here", p.key));
    }
    const std::string& version = c.config.xgboost_version;
    if (p.key == "gpu_id") {
      if (auto message = removed_param_message(version, "'gpu_id'", "use device = \"cuda:N\""))
        c.sink.add("xgboost-removed-param", s.token(p.at), *message);
    } else if (p.key == "tree_method" && value == "gpu_hist") {
      if (auto message = removed_param_message(version, "tree_method \"gpu_hist\"",
                                               "use tree_method \"hist\" with device \"cuda\""))
        c.sink.add("xgboost-removed-param", s.token(p.value_begin), *message);
    } else if (p.key == "updater" && value.find("shotgun") != std::string_view::npos) {
      c.sink.add("xgboost-shotgun", s.token(p.value_begin),
                 "the shotgun updater updates in parallel without locks, so results depend on thread timing");
    }
  }
  if (created != npos && !tree_method) {
    c.sink.add("xgboost-default-tree-method", s.token(created), default_tree_method_message(c.config.xgboost_version));
  }
}

}  // namespace lint
