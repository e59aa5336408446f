// Rules about LibTorch and PyTorch, for C++ and Python alike: cuDNN
// benchmark mode, nondeterministic operations, warn-only determinism,
// unseeded samplers and unordered data-loader workers.
#include <fmt/format.h>

#include "lint/scan.hpp"

namespace lint {
namespace {

bool uses_torch(const RuleContext& c) {
  if (c.facts.torch_use.found()) return true;
  for (const std::string& inc : c.facts.includes)
    if (inc.starts_with("torch/") || inc.starts_with("ATen/")) return true;
  return false;
}

bool is_true(const Scan& s, std::size_t begin, std::size_t end) {
  return s.single(begin, end, "true") || s.single(begin, end, "True");
}

// Is the op's condition met at the call whose '(' is at `open` (npos: not a call)?
bool condition_met(const Scan& s, const NondeterministicOp& op, std::size_t open) {
  if (op.needs == NondeterministicOp::Needs::nothing) return true;
  if (open == npos) return false;
  std::vector<Argument> args = s.arguments(open);
  if (op.needs == NondeterministicOp::Needs::accumulate) {
    if (const Argument* a = s.keyword(args, "accumulate")) return is_true(s, a->value, a->end);
    return args.size() >= 3 && is_true(s, args[2].begin, args[2].end);
  }
  for (const Argument& a : args) {  // not_nearest: any mode but nearest
    for (std::size_t k = a.begin; k < a.end; ++k) {
      std::string_view v = s.is_string(k) ? string_body(s.text(k)) : s.text(k);
      if (v == "nearest" || v == "nearest-exact" || v == "kNearest" || v == "kNearestExact") return false;
    }
  }
  return true;
}

void check_op(const RuleContext& c, std::size_t i) {
  const Scan& s = c.scan;
  std::string_view name = s.text(i);
  for (const NondeterministicOp& op : nondeterministic_ops()) {
    if (op.name != name) continue;
    bool module = name[0] >= 'A' && name[0] <= 'Z';
    bool call = s.is(i + 1, "(");
    if (!(module ? (s.qualified(i) || call) : (s.qualified(i) && call))) return;
    if (!condition_met(s, op, call ? i + 1 : npos)) return;
    std::string message = fmt::format(
        "{}; deterministic algorithms are {}", op.what,
        c.project.determinism == Determinism::warn_only ? "only warned about (warn_only)" : "never enabled");
    const std::string& version = c.config.torch_version;
    std::string_view torch = s.file().language == Language::cpp ? "LibTorch" : "PyTorch";
    if (!version.empty()) {
      if (op.deterministic_since.empty() || !version_at_least(version, op.deterministic_since)) {
        message += fmt::format(" ({} {} has no deterministic CUDA kernel for it)", torch, version);
      } else {
        message += fmt::format(" ({} {} has a deterministic CUDA kernel for it, since {})", torch, version,
                               op.deterministic_since);
      }
    }
    c.sink.add("torch-nondeterministic-op", s.token(i), message);
    return;
  }
}

// cudnn.deterministic = True, setDeterministicCuDNN(true), Trainer(deterministic=True).
bool claims_determinism_at(const Scan& s, std::size_t i, bool cpp) {
  std::string_view word = s.text(i);
  if (cpp) return word == "setDeterministicCuDNN" && s.seq(i + 1, {"(", "true", ")"});
  if (word == "cudnn") return s.seq(i + 1, {".", "deterministic", "=", "True"});
  return word == "deterministic" && s.seq(i + 1, {"=", "True"}) && (s.is(i - 1, "(") || s.is(i - 1, ","));
}

}  // namespace

void check_torch(const RuleContext& c) {
  const Scan& s = c.scan;
  bool cpp = s.file().language == Language::cpp;
  bool torch = uses_torch(c);
  bool claims_determinism = false;
  std::vector<std::size_t> warn_only_calls;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.is_string(i)) {
      if (s.text(i).find("CUBLAS_WORKSPACE_CONFIG") != std::string_view::npos) claims_determinism = true;
      continue;
    }
    if (!s.is_identifier(i)) continue;
    std::string_view word = s.text(i);
    if (cpp && word == "setBenchmarkCuDNN" && s.seq(i + 1, {"(", "true", ")"})) {
      c.sink.add("torch-cudnn-benchmark", s.token(i), "cuDNN benchmark mode is turned on (setBenchmarkCuDNN(true))");
    } else if (!cpp && word == "cudnn" && s.seq(i + 1, {".", "benchmark", "=", "True"})) {
      c.sink.add("torch-cudnn-benchmark", s.token(i), "cuDNN benchmark mode is turned on (cudnn.benchmark = True)");
    } else if (claims_determinism_at(s, i, cpp)) {
      claims_determinism = true;
    } else if ((word == "setDeterministicAlgorithms" || word == "use_deterministic_algorithms") && s.is(i + 1, "(")) {
      std::vector<Argument> args = s.arguments(i + 1);
      if (args.size() < 2 || !is_true(s, args[0].begin, args[0].end)) continue;
      const Argument* warn = cpp ? &args[1] : s.keyword(args, "warn_only");
      if (warn && is_true(s, cpp ? warn->begin : warn->value, warn->end)) warn_only_calls.push_back(i);
    } else if (word == "RandomSampler" && !c.project.torch_seeded) {
      bool call = s.is(i + 1, "(");
      if (cpp ? (s.qualified(i) || call) : (call && !s.keyword(s.arguments(i + 1), "generator"))) {
        c.sink.add("torch-sampler-unseeded", s.token(i),
                   "RandomSampler shuffles from the global generator, which nothing in the project seeds");
      }
    } else if (!cpp && word == "DataLoader" && s.is(i + 1, "(") && !c.project.torch_seeded) {
      std::vector<Argument> args = s.arguments(i + 1);
      const Argument* shuffle = s.keyword(args, "shuffle");
      if (shuffle && !s.single(shuffle->value, shuffle->end, "False") && !s.keyword(args, "generator")) {
        c.sink.add("torch-sampler-unseeded", s.token(i),
                   "DataLoader(shuffle=True) shuffles from the global generator, which nothing in the project seeds");
      }
    } else if (cpp && word == "enforce_ordering" && s.seq(i + 1, {"(", "false", ")"})) {
      std::size_t begin = s.statement_begin(i);
      std::size_t end = s.statement_end(i);
      for (std::size_t k = begin; k < end; ++k) {
        if (s.is(k, "workers") && s.is(k + 1, "(") && !s.seq(k + 2, {"0", ")"})) {
          c.sink.add("torch-dataloader-unordered", s.token(i),
                     "DataLoader workers with enforce_ordering(false) hand out batches in the order they finish");
          break;
        }
      }
    } else if (torch && c.project.determinism != Determinism::enabled) {
      check_op(c, i);
    }
  }
  if (!claims_determinism) return;
  for (std::size_t i : warn_only_calls) {
    c.sink.add("torch-deterministic-warn-only", s.token(i),
               "deterministic algorithms are enabled with warn_only, so nondeterministic operations still run");
  }
}

}  // namespace lint
