// scikit-learn estimators, splitters and functions that draw random numbers
// but are given no random_state (the table is sklearn_random_state_takers in
// lint/rules.cpp). Names resolve through the file's imports, so
// `from sklearn.ensemble import RandomForestClassifier as RFC; RFC()` and
// `sklearn.ensemble.RandomForestClassifier()` are both read.
#include <fmt/format.h>

#include "lint/scan.hpp"

namespace lint {
namespace {

// The value of keyword `name` as one token's text (a string's body), or
// nullopt where the keyword is not given; empty where it is not one token.
std::optional<std::string_view> keyword_value(const Scan& s, const std::vector<Argument>& args, std::string_view name) {
  const Argument* a = s.keyword(args, name);
  if (!a) return std::nullopt;
  if (a->end != a->value + 1) return std::string_view{};
  return s.is_string(a->value) ? string_body(s.text(a->value)) : s.text(a->value);
}

// Does the call draw random numbers with these arguments? And, for the
// message, the setting that makes it draw ("shuffle=True"), if one does.
bool draws(const Scan& s, const std::vector<Argument>& args, RandomStateTaker::When when, std::string& setting) {
  using When = RandomStateTaker::When;
  auto is_one_of = [&](std::string_view key, std::initializer_list<std::string_view> values) {
    auto v = keyword_value(s, args, key);
    if (!v) return false;
    for (std::string_view want : values) {
      if (*v == want) {
        setting = s.is_string(s.keyword(args, key)->value) ? fmt::format("{}=\"{}\"", key, *v)
                                                           : fmt::format("{}={}", key, *v);
        return true;
      }
    }
    return false;
  };
  switch (when) {
    case When::always:
      return true;
    case When::shuffle_true:
      return is_one_of("shuffle", {"True"});
    case When::shuffle_not_false:
      return keyword_value(s, args, "shuffle") != std::optional<std::string_view>("False");
    case When::probability_true:
      return is_one_of("probability", {"True"});
    case When::solver_sag_saga_liblinear:
      return is_one_of("solver", {"sag", "saga", "liblinear"});
    case When::solver_sag_saga:
      return is_one_of("solver", {"sag", "saga"});
    case When::selection_random:
      return is_one_of("selection", {"random"});
    case When::svd_solver_random:
      return is_one_of("svd_solver", {"randomized", "arpack"});
    case When::dual_not_false:
      return keyword_value(s, args, "dual") != std::optional<std::string_view>("False");
  }
  return false;
}

}  // namespace

void check_sklearn(const RuleContext& c) {
  const Scan& s = c.scan;
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::optional<ModuleCall> call = module_call(s, c.facts, i);
    if (!call || (call->resolved != "sklearn" && !call->resolved.starts_with("sklearn."))) continue;
    const std::string& resolved = call->resolved;
    const std::size_t k = call->open;
    std::string_view name = std::string_view(resolved).substr(resolved.rfind('.') + 1);
    const RandomStateTaker* taker = find_random_state_taker(name);
    if (!taker) continue;
    std::vector<Argument> args = s.arguments(k);
    if (s.keyword(args, "random_state")) continue;  // None is sklearn-random-state-none's
    bool splat = false;                             // f(**params) may carry random_state
    for (const Argument& a : args) splat |= s.is(a.begin, "**");
    std::string setting;
    if (splat || !draws(s, args, taker->when, setting)) continue;
    std::string what = setting.empty() ? std::string(name) : fmt::format("{}({})", name, setting);
    c.sink.add("sklearn-missing-random-state", s.token(i),
               fmt::format("{} is given no random_state, so it draws from numpy's global generator", what));
  }
}

}  // namespace lint
