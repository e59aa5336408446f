#pragma once
// The lint rules' descriptions (id, default severity, one-line message,
// help with the fix) and the data some rules read: the operations with only
// nondeterministic CUDA kernels, by LibTorch version.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace lint {

enum class Severity : std::uint8_t { note, warning, error };

std::string_view severity_name(Severity severity);
std::optional<Severity> parse_severity(std::string_view name);

struct RuleInfo {
  std::string_view id;
  Severity severity;           // the default; the policy's [lint.rules] may change it
  std::string_view languages;  // "C++", "Python" or "C++, Python"
  std::string_view summary;    // one line
  std::string_view help;       // why it matters and the fix
};

// Every rule, in a stable order.
std::span<const RuleInfo> all_rules();
const RuleInfo* find_rule(std::string_view id);

// An operation that has only nondeterministic CUDA kernels unless
// deterministic algorithms are enabled (and, before `deterministic_since`,
// none at all: enabling them makes it raise).
struct NondeterministicOp {
  std::string_view name;                 // as called in C++ and Python (`index_add_`, `AdaptiveAvgPool2d`)
  std::string_view what;                 // what is nondeterministic
  std::string_view deterministic_since;  // LibTorch version with a deterministic CUDA kernel; empty: none yet
  enum class Needs : std::uint8_t {
    nothing,
    accumulate,
    not_nearest
  } needs;  // index_put_: accumulate = true; interpolate: a linear mode
};
std::span<const NondeterministicOp> nondeterministic_ops();

// A scikit-learn class or function that takes random_state (checked against
// inspect.signature in scikit-learn 1.2), and when it draws random numbers.
// Left out: those whose random_state defaults to a fixed number (Perceptron,
// FactorAnalysis), and those that draw only in settings seldom used
// (GaussianProcess*, KernelPCA, NMF, DummyClassifier, QuantileTransformer,
// ClassifierChain, PCA with svd_solver="auto", which picks the randomized
// solver only for large inputs).
struct RandomStateTaker {
  std::string_view name;
  enum class When : std::uint8_t {
    always,
    shuffle_true,               // KFold, StratifiedKFold, StratifiedGroupKFold, learning_curve: with shuffle=True
    shuffle_not_false,          // train_test_split: unless shuffle=False
    probability_true,           // SVC, NuSVC: with probability=True
    solver_sag_saga_liblinear,  // LogisticRegression(CV): solver "sag", "saga" or "liblinear"
    solver_sag_saga,            // Ridge, RidgeClassifier: solver "sag" or "saga"
    selection_random,           // Lasso, ElasticNet and their CV and MultiTask forms: selection="random"
    svd_solver_random,          // PCA: svd_solver "randomized" or "arpack"
    dual_not_false,             // LinearSVC, LinearSVR: unless dual=False
  } when;
};
std::span<const RandomStateTaker> sklearn_random_state_takers();
const RandomStateTaker* find_random_state_taker(std::string_view name);

// Compares dotted versions ("1.13" < "2.1"); missing parts count as 0.
bool version_at_least(std::string_view version, std::string_view minimum);

}  // namespace lint
