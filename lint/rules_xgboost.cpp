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

bool uses_xgboost(const RuleContext& c) {
  for (const std::string& inc : c.facts.includes)
    if (inc.starts_with("xgboost/") || inc.starts_with("seedgate/xgboost")) return true;
  for (const auto& [alias, module] : c.facts.module_aliases)
    if (module == "xgboost" || module.starts_with("xgboost.")) return true;
  return false;
}

}  // namespace

void check_xgboost(const RuleContext& c) {
  if (!uses_xgboost(c)) return;
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
    if (s.is_string(i) && s.is(i + 1, ":") && (s.is(i - 1, "{") || s.is(i - 1, ","))) {
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
    if (p.key == "gpu_id") {
      c.sink.add("xgboost-removed-param", s.token(p.at),
                 "'gpu_id' was removed in XGBoost 3.1; use device = \"cuda:N\"");
    } else if (p.key == "tree_method" && value == "gpu_hist") {
      c.sink.add("xgboost-removed-param", s.token(p.value_begin),
                 "tree_method \"gpu_hist\" was removed in XGBoost 3.1; use tree_method \"hist\" with device \"cuda\"");
    } else if (p.key == "updater" && value.find("shotgun") != std::string_view::npos) {
      c.sink.add("xgboost-shotgun", s.token(p.value_begin),
                 "the shotgun updater updates in parallel without locks, so results depend on thread timing");
    }
  }
  if (created != npos && !tree_method) {
    c.sink.add("xgboost-default-tree-method", s.token(created),
               "tree_method is never set, and its default changed between XGBoost 1.7 and 2.0");
  }
}

}  // namespace lint
