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

void cpp_facts(const Scan& s, FileFacts& f) {
  for (const Include& inc : s.file().lexed.includes) {
    f.includes.push_back(inc.path);
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i)) continue;
    std::string_view word = s.text(i);
    if (word == "torch" && s.is(i + 1, "::") && !s.is(i - 1, "::") && !f.torch_use.found()) {
      f.torch_use = {s.token(i).line, s.token(i).column};
    } else if ((word == "manual_seed" || word == "manual_seed_all") && s.is(i + 1, "(") && !s.member(i)) {
      f.seeds_torch = true;
    } else if (word == "seedgate" && s.seq(i + 1, {"::", "torch", "::", "configure", "("})) {
      // Seeds torch from SEEDGATE_SEED and, in deterministic mode, enables
      // deterministic algorithms.
      f.seeds_torch = true;
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

void python_facts(const Scan& s, FileFacts& f) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool line_start = i == 0 || s.is_newline(i - 1);
    if (line_start && (s.is(i, "import") || s.is(i, "from"))) {
      std::size_t before = f.imports.size();
      python_import(s, i, f);
      for (std::size_t k = before; k < f.imports.size() && !f.torch_use.found(); ++k) {
        const std::string& m = f.imports[k].module;
        if (m == "torch" || m.starts_with("torch.")) f.torch_use = {s.token(i).line, s.token(i).column};
      }
    }
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i)) continue;
    std::string_view word = s.text(i);
    // torch.manual_seed(...) seeds the global generator; torch.Generator().manual_seed(...) does not.
    bool global_owner = !s.is(i - 1, ".") || s.is(i - 2, "torch") || s.is(i - 2, "random") || s.is(i - 2, "cuda") ||
                        word == "seed_everything" || word == "set_seed";
    if (any_of(word, kTorchSeeds) && s.is(i + 1, "(") && global_owner) {
      f.seeds_torch = true;
      if (word == "seed_everything") f.seeds_random = f.seeds_numpy = true;
    } else if (word == "seed" && s.is(i + 1, "(") && s.is(i - 1, ".") && i >= 2) {
      std::string_view owner = s.text(i - 2);
      if (s.is(i - 3, ".")) {  // np.random.seed(
        if (owner == "random" && i >= 4 && module_of(f, s.text(i - 4)) == "numpy") f.seeds_numpy = true;
      } else {  // random.seed( or, after `from numpy import random`, random.seed(
        std::string_view module = module_of(f, owner);
        if (module == "random") f.seeds_random = true;
        if (module == "numpy.random") f.seeds_numpy = true;
      }
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
