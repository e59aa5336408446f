// Per-file facts for the project-wide rules: seeds, determinism switches,
// torch use, and the #include / import edges of the reachability graph.
#include <fmt/format.h>

#include <algorithm>

#include "lint/scan.hpp"

namespace lint {
namespace {

constexpr std::string_view kTorchSeeds[] = {"manual_seed", "manual_seed_all", "seed_everything", "set_seed"};

bool any_of(std::string_view word, std::span<const std::string_view> words) {
  for (std::string_view w : words)
    if (w == word) return true;
  return false;
}

void raise(Determinism& d, Determinism to) {
  if (static_cast<int>(to) > static_cast<int>(d)) d = to;
}

constexpr std::string_view kEngines[] = {
    "mt19937",  "mt19937_64",    "minstd_rand",   "minstd_rand0", "ranlux24",
    "ranlux48", "ranlux24_base", "ranlux48_base", "knuth_b",      "default_random_engine"};

// Python modules that read the command line, where a --seed can arrive.
constexpr std::string_view kArgumentParsers[] = {"argparse", "optparse", "getopt", "click", "typer",       "fire",
                                                 "hydra",    "absl",     "docopt", "tyro",  "jsonargparse"};

// A number literal, optionally negated: the only argument a seed can be fixed by.
bool literal_number(const Scan& s, std::size_t begin, std::size_t end) {
  if (end == begin + 2 && s.is(begin, "-")) ++begin;
  return end == begin + 1 && begin < s.size() && s.token(begin).kind == TokenKind::number;
}

// The call whose name is token i, from the first name of its dotted chain to
// its ')' (`torch.manual_seed(1)`), if its one argument is a number literal.
std::optional<std::string> constant_call(const Scan& s, std::size_t i) {
  if (!s.is(i + 1, "(")) return std::nullopt;
  std::vector<Argument> args = s.arguments(i + 1);
  if (args.size() != 1 || !literal_number(s, args[0].begin, args[0].end)) return std::nullopt;
  std::size_t begin = i;
  while (begin >= 2 && (s.is(begin - 1, ".") || s.is(begin - 1, "::"))) {
    if (s.is_identifier(begin - 2)) {
      begin -= 2;
      continue;
    }
    if (!s.is(begin - 2, ")")) break;
    // torch.Generator().manual_seed(1): over the call's brackets to its name.
    std::size_t k = begin - 2;
    for (int depth = 0; k > 0; --k) {
      if (s.is(k, ")")) ++depth;
      if (s.is(k, "(") && --depth == 0) break;
    }
    if (k == 0 || !s.is_identifier(k - 1)) break;
    begin = k - 1;
  }
  std::string text;
  for (std::size_t k = begin; k <= args[0].end && k < s.size(); ++k) text += s.text(k);
  return text;
}

void add_constant(const Scan& s, std::size_t i, std::string what, FileFacts& f) {
  f.constant_seeds.push_back({{s.token(i).line, s.token(i).column}, std::move(what)});
}

bool names_seed_variable(const Scan& s, std::size_t i) {
  return s.is_string(i) && s.text(i).find("SEEDGATE_SEED") != std::string_view::npos;
}

void cpp_facts(const Scan& s, FileFacts& f) {
  for (const Include& inc : s.file().lexed.includes) {
    f.includes.push_back(inc.path);
    if (inc.path.starts_with("xgboost/") || inc.path.starts_with("seedgate/xgboost")) f.uses_xgboost = true;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (names_seed_variable(s, i)) f.reads_seed = true;
    if (!s.is_identifier(i)) continue;
    std::string_view word = s.text(i);
    if (word == "torch" && s.is(i + 1, "::") && !s.is(i - 1, "::") && !f.torch_use.found()) {
      f.torch_use = {s.token(i).line, s.token(i).column};
    } else if ((word == "manual_seed" || word == "manual_seed_all") && s.is(i + 1, "(") && !s.member(i)) {
      f.seeds_torch = true;
      if (auto what = constant_call(s, i)) add_constant(s, i, *what, f);
    } else if (word == "srand" && !s.member(i) && (!s.qualified(i) || s.qualifier(i) == "std")) {
      if (auto what = constant_call(s, i)) add_constant(s, i, *what, f);
    } else if (std::find(std::begin(kEngines), std::end(kEngines), word) != std::end(kEngines) && !s.member(i) &&
               (!s.qualified(i) || s.qualifier(i) == "std")) {
      // std::mt19937 engine(42); std::mt19937 engine{42}; std::mt19937(42)
      std::size_t open = s.is_identifier(i + 1) ? i + 2 : i + 1;
      if ((s.is(open, "(") || s.is(open, "{")) && literal_number(s, open + 1, open + 2) &&
          (s.is(open + 2, ")") || s.is(open + 2, "}"))) {
        std::string name = open == i + 2 ? fmt::format(" {}", s.text(i + 1)) : std::string();
        add_constant(s, i, fmt::format("std::{}{}{}{}{}", word, name, s.text(open), s.text(open + 1), s.text(open + 2)),
                     f);
      }
    } else if (word == "main" && s.is(i + 1, "(") && !s.qualified(i) && (s.is(i - 1, "int") || s.is(i - 1, "auto"))) {
      std::size_t close = s.close(i + 1);
      if (close != npos && (s.is(close + 1, "{") || s.is(close + 1, "->"))) {
        f.defines_main = true;
        // main(int argc, char** argv): a --seed can arrive on the command line.
        if (!s.is(i + 2, ")") && !s.seq(i + 2, {"void", ")"})) f.reads_seed = true;
      }
    } else if ((word == "settings_from_environment" && s.is(i + 1, "(")) ||
               (word == "seedgate" && s.seq(i + 1, {"::", "xgboost", "::", "configure", "("}))) {
      f.reads_seed = true;
    } else if (word == "seedgate" && s.seq(i + 1, {"::", "torch", "::", "configure", "("})) {
      // Seeds torch from SEEDGATE_SEED and, in deterministic mode, enables
      // deterministic algorithms.
      f.seeds_torch = true;
      f.reads_seed = true;
      raise(f.determinism, Determinism::enabled);
    } else if (word == "setDeterministicAlgorithms" && s.is(i + 1, "(")) {
      std::vector<Argument> args = s.arguments(i + 1);
      if (!args.empty() && s.single(args[0].begin, args[0].end, "true")) {
        bool warn_only = args.size() > 1 && s.single(args[1].begin, args[1].end, "true");
        raise(f.determinism, warn_only ? Determinism::warn_only : Determinism::enabled);
      }
    }
  }
}

// `import a.b as c, d` and `from .m import (x as y, z)`.
void python_import(const Scan& s, std::size_t i, FileFacts& f) {
  auto dotted = [&](std::size_t& j) {
    std::string name;
    while (s.is(j, ".") || s.is(j, "...")) name += s.text(j++);
    while (s.is_identifier(j)) {
      name += s.text(j++);
      if (!s.is(j, ".") || !s.is_identifier(j + 1)) break;
      name += '.';
      ++j;
    }
    return name;
  };
  std::size_t j = i + 1;
  if (s.is(i, "import")) {
    while (j < s.size() && !s.is_newline(j)) {
      std::string module = dotted(j);
      if (module.empty()) break;
      f.imports.push_back({module, {}});
      if (s.is(j, "as") && s.is_identifier(j + 1)) {
        f.module_aliases.emplace_back(std::string(s.text(j + 1)), module);
        j += 2;
      } else {
        std::string top = module.substr(0, module.find('.'));
        f.module_aliases.emplace_back(top, top);
      }
      if (!s.is(j, ",")) break;
      ++j;
    }
    return;
  }
  std::string module = dotted(j);
  if (!s.is(j, "import")) return;
  ++j;
  FileFacts::Import imported{module, {}};
  if (s.is(j, "(")) ++j;
  while (s.is_identifier(j)) {
    std::string name(s.text(j++));
    std::string alias = name;
    if (s.is(j, "as") && s.is_identifier(j + 1)) {
      alias = s.text(j + 1);
      j += 2;
    }
    imported.names.push_back(name);
    std::string full = module.empty() || module.back() == '.' ? module + name : fmt::format("{}.{}", module, name);
    f.module_aliases.emplace_back(alias, full);
    if (!s.is(j, ",")) break;
    ++j;
  }
  f.imports.push_back(std::move(imported));
}

// The function of the seedgate Python package that token `i` calls:
// `seedgate.configure(` (any alias of the module) or, after `from seedgate
// import configure`, `configure(`. nullopt for anything else.
std::optional<std::string_view> seedgate_package_call(const Scan& s, std::size_t i, const FileFacts& f) {
  if (!s.is(i + 1, "(")) return std::nullopt;
  std::string_view word = s.text(i);
  if (s.is(i - 1, ".")) {
    if (i < 2 || s.is(i - 3, ".") || module_of(f, s.text(i - 2)) != "seedgate") return std::nullopt;
    return word;
  }
  constexpr std::string_view kPackage = "seedgate.";
  std::string_view module = module_of(f, word);
  if (!module.starts_with(kPackage) || module.find('.', kPackage.size()) != std::string_view::npos) return std::nullopt;
  return module.substr(kPackage.size());
}

void python_facts(const Scan& s, FileFacts& f) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool line_start = i == 0 || s.is_newline(i - 1);
    if (line_start && (s.is(i, "import") || s.is(i, "from"))) {
      std::size_t before = f.imports.size();
      python_import(s, i, f);
      for (std::size_t k = before; k < f.imports.size(); ++k) {
        const std::string& m = f.imports[k].module;
        std::string top = m.substr(0, m.find('.'));
        if (top == "torch" && !f.torch_use.found()) f.torch_use = {s.token(i).line, s.token(i).column};
        if (top == "xgboost") f.uses_xgboost = true;
        if (std::find(std::begin(kArgumentParsers), std::end(kArgumentParsers), top) != std::end(kArgumentParsers))
          f.reads_seed = true;
        if (m == "sys" &&
            std::find(f.imports[k].names.begin(), f.imports[k].names.end(), "argv") != f.imports[k].names.end())
          f.reads_seed = true;  // from sys import argv
      }
    }
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (names_seed_variable(s, i)) f.reads_seed = true;
    if (!s.is_identifier(i)) continue;
    std::string_view word = s.text(i);
    if (word == "argv" && s.is(i - 1, ".") && i >= 2 && module_of(f, s.text(i - 2)) == "sys") f.reads_seed = true;
    if (word == "__name__" && s.is(i - 1, "if") && s.is(i + 1, "==") && s.is_string(i + 2) &&
        string_body(s.text(i + 2)) == "__main__")
      f.defines_main = true;
    if (word == "random_state" && s.is(i + 1, "=") && (s.is(i - 1, "(") || s.is(i - 1, ","))) {
      std::size_t end = i + 2;
      while (end < s.size() && !s.is(end, ",") && !s.is(end, ")") && !s.is_newline(end)) ++end;
      if (literal_number(s, i + 2, end) && !in_definition(s, i))
        add_constant(s, i, fmt::format("random_state={}", s.text(end - 1)), f);
    }
    if ((word == "default_rng" || word == "RandomState" || word == "Random") && s.is(i + 1, "(") && s.is(i - 1, ".") &&
        i >= 2) {
      // np.random.default_rng(0), np.random.RandomState(0), random.Random(0)
      std::string_view owner = s.text(i - 2);
      bool numpy = owner == "random" && s.is(i - 3, ".") && i >= 4 && module_of(f, s.text(i - 4)) == "numpy";
      bool generator = numpy || (!s.is(i - 3, ".") && (module_of(f, owner) == "numpy.random" ||
                                                       (word == "Random" && module_of(f, owner) == "random")));
      if (generator) {
        if (auto what = constant_call(s, i)) add_constant(s, i, *what, f);
      }
    }
    // The seedgate package: configure() seeds random, numpy and torch from
    // SEEDGATE_SEED and applies deterministic mode; seed() seeds the same
    // three (from SEEDGATE_SEED, or from its argument); random_state() and the
    // generators read the run's seed.
    if (auto function = seedgate_package_call(s, i, f)) {
      if (*function == "configure" || *function == "seed") {
        f.seeds_torch = f.seeds_random = f.seeds_numpy = true;
        if (*function == "configure") raise(f.determinism, Determinism::enabled);
        auto what = constant_call(s, i);
        if (what && *function == "seed") {
          add_constant(s, i, *what, f);
        } else {
          f.reads_seed = true;
        }
      } else if (*function == "random_state" || *function == "dataloader_generator" || *function == "numpy_generator") {
        f.reads_seed = true;
      }
    }
    // torch.manual_seed(...) seeds the global generator; torch.Generator().manual_seed(...) does not.
    bool global_owner = !s.is(i - 1, ".") || s.is(i - 2, "torch") || s.is(i - 2, "random") || s.is(i - 2, "cuda") ||
                        word == "seed_everything" || word == "set_seed";
    if (any_of(word, kTorchSeeds) && s.is(i + 1, "(")) {
      // A generator's manual_seed(1) fixes its seed too, global or not.
      if (auto what = constant_call(s, i)) add_constant(s, i, *what, f);
    }
    if (any_of(word, kTorchSeeds) && s.is(i + 1, "(") && global_owner) {
      f.seeds_torch = true;
      if (word == "seed_everything") f.seeds_random = f.seeds_numpy = true;
    } else if (word == "seed" && s.is(i + 1, "(") && s.is(i - 1, ".") && i >= 2) {
      std::string_view owner = s.text(i - 2);
      bool seeds = false;
      if (s.is(i - 3, ".")) {  // np.random.seed(
        if (owner == "random" && i >= 4 && module_of(f, s.text(i - 4)) == "numpy") f.seeds_numpy = seeds = true;
      } else {  // random.seed( or, after `from numpy import random`, random.seed(
        std::string_view module = module_of(f, owner);
        if (module == "random") f.seeds_random = seeds = true;
        if (module == "numpy.random") f.seeds_numpy = seeds = true;
      }
      if (auto what = constant_call(s, i); what && seeds) add_constant(s, i, *what, f);
    } else if (word == "use_deterministic_algorithms" && s.is(i + 1, "(")) {
      std::vector<Argument> args = s.arguments(i + 1);
      if (!args.empty() && s.single(args[0].begin, args[0].end, "True")) {
        const Argument* warn = s.keyword(args, "warn_only");
        bool warn_only = warn && s.single(warn->value, warn->end, "True");
        raise(f.determinism, warn_only ? Determinism::warn_only : Determinism::enabled);
      }
    } else if (word == "set_deterministic_debug_mode" && s.is(i + 1, "(")) {
      std::vector<Argument> args = s.arguments(i + 1);
      if (args.size() == 1) {
        std::string_view v = s.is_string(args[0].begin) ? string_body(s.text(args[0].begin)) : s.text(args[0].begin);
        if (v == "error" || v == "2") raise(f.determinism, Determinism::enabled);
        if (v == "warn" || v == "1") raise(f.determinism, Determinism::warn_only);
      }
    } else if (word == "deterministic" && s.seq(i + 1, {"=", "True"}) && (s.is(i - 1, "(") || s.is(i - 1, ","))) {
      raise(f.determinism, Determinism::enabled);  // Lightning's Trainer(deterministic=True)
    }
  }
}

}  // namespace

FileFacts gather_facts(const Scan& scan) {
  FileFacts facts;
  if (scan.file().language == Language::cpp) {
    cpp_facts(scan, facts);
  } else {
    python_facts(scan, facts);
  }
  return facts;
}

}  // namespace lint
