// Rules for Python: DataLoader workers, the global numpy/random generators
// (inside Dataset.__getitem__, unseeded, or fresh unseeded generators), and
// scikit-learn's random_state=None.
#include <fmt/format.h>

#include <algorithm>

#include "lint/scan.hpp"

namespace lint {
namespace {

// Names under numpy.random / random that make or seed generators rather than draw from the global one.
constexpr std::string_view kNotDraws[] = {"default_rng", "Generator",    "RandomState", "SeedSequence", "PCG64",
                                          "PCG64DXSM",   "Philox",       "SFC64",       "MT19937",      "BitGenerator",
                                          "Random",      "SystemRandom", "seed",        "getstate",     "setstate",
                                          "get_state",   "set_state"};

struct RngCall {
  std::string_view module;  // "numpy.random" or "random"
  std::string function;
  std::size_t open;  // the call's '('
};

// A call through a dotted name that resolves, through the file's imports, to
// a function of numpy.random or random: np.random.shuffle(, random.choice(,
// rand( after `from numpy.random import rand`.
std::optional<RngCall> rng_call(const Scan& s, const FileFacts& f, std::size_t i) {
  std::optional<ModuleCall> call = module_call(s, f, i);
  if (!call) return std::nullopt;
  const std::string& resolved = call->resolved;
  const std::size_t k = call->open;
  for (std::string_view m : {std::string_view{"numpy.random"}, std::string_view{"random"}}) {
    if (resolved.size() <= m.size() + 1 || !resolved.starts_with(m) || resolved[m.size()] != '.') continue;
    std::string function = resolved.substr(m.size() + 1);
    if (function.find('.') != std::string::npos) return std::nullopt;
    return RngCall{m, function, k};
  }
  return std::nullopt;
}

bool draws(const RngCall& call) {
  return std::find(std::begin(kNotDraws), std::end(kNotDraws), std::string_view(call.function)) == std::end(kNotDraws);
}

// Token ranges of the bodies of __getitem__ in classes deriving from a *Dataset.
std::vector<std::pair<std::size_t, std::size_t>> dataset_getitem_bodies(const Scan& s) {
  struct Open {
    std::uint32_t column;
    bool dataset;
  };
  std::vector<Open> classes;
  std::vector<std::pair<std::size_t, std::size_t>> bodies;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!(i == 0 || s.is_newline(i - 1)) || s.is_newline(i)) continue;
    std::uint32_t column = s.token(i).column;
    while (!classes.empty() && classes.back().column >= column) classes.pop_back();
    if (s.is(i, "class")) {
      bool dataset = false;
      for (std::size_t k = i + 1; k < s.size() && !s.is_newline(k) && !s.is(k, ":"); ++k)
        if (s.is_identifier(k) && s.text(k).ends_with("Dataset")) dataset = true;
      classes.push_back({column, dataset});
    } else if (s.seq(i, {"def", "__getitem__"}) && !classes.empty() && classes.back().dataset) {
      std::size_t end = i + 1;
      while (end < s.size() && !s.is_newline(end)) ++end;  // the def line
      for (std::size_t k = end; k < s.size(); ++k) {
        if (s.is_newline(k - 1) && !s.is_newline(k) && s.token(k).column <= column) break;
        end = k + 1;
      }
      bodies.emplace_back(i, end);
    }
  }
  return bodies;
}

std::string shown(const RngCall& call) {
  return fmt::format("{}.{}", call.module == "random" ? "random" : "np.random", call.function);
}

}  // namespace

void check_python(const RuleContext& c) {
  const Scan& s = c.scan;
  auto bodies = dataset_getitem_bodies(s);
  auto in_getitem = [&](std::size_t i) {
    for (auto [begin, end] : bodies)
      if (i >= begin && i < end) return true;
    return false;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i)) continue;
    std::string_view w = s.text(i);
    if (w == "DataLoader" && s.is(i + 1, "(")) {
      std::vector<Argument> args = s.arguments(i + 1);
      const Argument* workers = s.keyword(args, "num_workers");
      if (workers && !s.single(workers->value, workers->end, "0") && !s.keyword(args, "worker_init_fn") &&
          !s.keyword(args, "generator")) {
        c.sink.add("torch-dataloader-worker-seed", s.token(i),
                   "DataLoader has num_workers but neither worker_init_fn nor generator");
      }
    } else if (w == "random_state" && s.seq(i + 1, {"=", "None"}) && (s.is(i - 1, "(") || s.is(i - 1, ",")) &&
               !in_definition(s, i)) {
      c.sink.add("sklearn-random-state-none", s.token(i),
                 "random_state=None takes a fresh draw from numpy's global generator");
    } else if (auto call = rng_call(s, c.facts, i)) {
      bool no_arguments = s.is(call->open + 1, ")");
      if ((call->function == "default_rng" || call->function == "Random" || call->function == "RandomState") &&
          no_arguments) {
        c.sink.add("python-unseeded-rng", s.token(i),
                   fmt::format("{}() without a seed starts from fresh entropy", shown(*call)));
      } else if (draws(*call) && in_getitem(i)) {
        c.sink.add(
            "numpy-rng-in-dataset", s.token(i),
            fmt::format("{} in Dataset.__getitem__ draws from the global generator every worker copies", shown(*call)));
      } else if (draws(*call)) {
        bool seeded = call->module == "random" ? c.project.random_seeded : c.project.numpy_seeded;
        if (!seeded) {
          c.sink.add("python-unseeded-rng", s.token(i),
                     fmt::format("{} draws from the global generator, which nothing reachable seeds", shown(*call)));
        }
      }
    }
  }
}

}  // namespace lint
