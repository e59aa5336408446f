#include "lint/rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace lint {
namespace {

constexpr std::array kRules = {
    RuleInfo{"torch-no-seed", Severity::error, "C++, Python",
             "torch is used but no seed is set anywhere reachable in the project",
             "Without torch::manual_seed (C++) or torch.manual_seed / seed_everything (Python), weight "
             "initialisation, dropout and shuffling start from a different state in every run, so no two runs can "
             "be compared. Seed once at the program's entry point from the seed seedgate passes "
             "(SEEDGATE_SEED): seedgate::torch::configure() does it for C++ programs. The rule looks for the seed "
             "in the whole project, or in the files reachable (by #include or import) from the policy's "
             "[lint] entry_points."},
    RuleInfo{"torch-cudnn-benchmark", Severity::error, "C++, Python", "cuDNN benchmark mode picks kernels by timing",
             "With cuDNN's benchmark mode on (at::globalContext().setBenchmarkCuDNN(true), "
             "torch.backends.cudnn.benchmark = True) cuDNN times candidate convolution algorithms at start-up and "
             "keeps the fastest, which can differ from run to run and from machine to machine, and with it the "
             "results. Leave it off (the default) where runs must reproduce."},
    RuleInfo{"torch-nondeterministic-op", Severity::warning, "C++, Python",
             "operation with nondeterministic CUDA kernels while deterministic algorithms are not enabled",
             "These operations accumulate with atomics on CUDA, so the order of floating-point additions, and the "
             "result, changes from run to run. Enable deterministic algorithms where the program starts "
             "(at::globalContext().setDeterministicAlgorithms(true, false), torch.use_deterministic_algorithms(True), "
             "or seedgate::torch::configure(), which does it in deterministic mode): LibTorch then uses a "
             "deterministic kernel where one exists and raises where none does, instead of silently varying. "
             "warn_only only prints a warning. [lint] torch_version (default: the installed LibTorch's headers) says "
             "which operations have no deterministic kernel in your version."},
    RuleInfo{"torch-deterministic-warn-only", Severity::warning, "C++, Python",
             "deterministic algorithms enabled with warn_only in a file that asks for determinism",
             "warn_only=True turns the error a nondeterministic operation would raise into a warning on stderr, so "
             "a file that otherwise sets up determinism (cudnn.deterministic, CUBLAS_WORKSPACE_CONFIG, "
             "deterministic=True) still runs nondeterministic kernels without failing. Drop warn_only, or use "
             "seedgate's sweep to show the runs agree."},
    RuleInfo{"torch-sampler-unseeded", Severity::warning, "C++, Python",
             "random sampler shuffles from an unseeded generator",
             "RandomSampler (and DataLoader(shuffle=True)) draws its permutation from the global torch generator "
             "unless given one, and nothing in the project seeds that generator: the order of examples, and so the "
             "trained model, changes in every run. Seed torch at the entry point, or pass a seeded "
             "torch.Generator (Python: generator=...; C++: seedgate::torch::SeededRandomSampler)."},
    RuleInfo{"torch-dataloader-unordered", Severity::warning, "C++", "DataLoader workers without enforce_ordering",
             "With enforce_ordering(false), a LibTorch DataLoader with workers hands out batches in the order the "
             "workers finish them, which depends on thread scheduling, so the training order differs from run to "
             "run. Keep enforce_ordering(true) (the default)."},
    RuleInfo{"torch-dataloader-worker-seed", Severity::warning, "Python",
             "DataLoader with worker processes but no worker_init_fn or generator",
             "Each worker process of a DataLoader gets its torch seed from the loader's generator, but numpy and "
             "random are not reseeded: with num_workers > 0 and no worker_init_fn, workers repeat each other's "
             "numpy augmentations, and without a generator the base seed comes from the global generator. Pass "
             "generator=torch.Generator().manual_seed(seed) and a worker_init_fn that seeds numpy and random from "
             "torch.initial_seed()."},
    RuleInfo{"numpy-rng-in-dataset", Severity::error, "Python",
             "numpy's or random's global generator used inside Dataset.__getitem__",
             "Data-loader workers are forked with a copy of the parent's global numpy (and random) state, so every "
             "worker draws the same \"random\" augmentations, and the draws change with the number of workers. "
             "Use a generator owned by the dataset and seeded per worker (np.random.default_rng(seed + worker_id) "
             "in worker_init_fn), or torch's generator."},
    RuleInfo{"sklearn-random-state-none", Severity::warning, "Python", "random_state=None draws a fresh seed each run",
             "In scikit-learn, random_state=None means \"use numpy's global generator\", so splits, bootstraps and "
             "initialisations change in every run unless numpy happens to be seeded first. Pass the seed "
             "seedgate gives (random_state=int(os.environ[\"SEEDGATE_SEED\"]))."},
    RuleInfo{"sklearn-missing-random-state", Severity::warning, "Python",
             "scikit-learn estimator or splitter that draws random numbers is given no random_state",
             "Without random_state, scikit-learn's forests, boosting, k-means, MLPs, SGD, shuffled splits and the "
             "rest draw from numpy's global generator: splits, bootstraps and initialisations change in every run "
             "(and under a sweep, the seed seedgate passes never reaches them). Pass the run's seed: "
             "random_state=int(os.environ[\"SEEDGATE_SEED\"]), or a numpy Generator made from it. Classes that draw "
             "only in some settings are flagged only there: KFold and StratifiedKFold with shuffle=True, "
             "train_test_split unless shuffle=False, SVC with probability=True, LogisticRegression with the sag, saga "
             "or liblinear solver, PCA with the randomized or arpack solver."},
    RuleInfo{"constant-seed", Severity::warning, "C++, Python",
             "seed fixed in the code where the configured seed should flow",
             "torch.manual_seed(1), np.random.seed(0), random.seed(42), random_state=0 or std::mt19937 engine(42) "
             "give every run the same seed, and nothing the entry point reaches reads the seed seedgate passes (the "
             "SEEDGATE_SEED environment variable, a command-line argument such as --seed, or the seedgate client's "
             "configure()): a sweep over seeds runs the same program N times and its seed checks say nothing. Take "
             "the seed from SEEDGATE_SEED or from the command line ({seed} in the policy's command)."},
    RuleInfo{"python-unseeded-rng", Severity::warning, "Python", "global random generator used but never seeded",
             "random.* and numpy.random.* functions draw from a global generator; nothing reachable in the project "
             "seeds it (random.seed, np.random.seed, seed_everything), and np.random.default_rng() or "
             "random.Random() without a seed start from fresh entropy. Seed from SEEDGATE_SEED, or create "
             "generators with an explicit seed."},
    RuleInfo{"cpp-nondeterministic-seed", Severity::error, "C++", "seed taken from std::random_device or the clock",
             "A seed from std::random_device, time(), clock() or a chrono clock differs in every run, so the run "
             "can never be repeated. Take the seed from the environment (SEEDGATE_SEED, or "
             "seedgate::torch::Settings) and log it."},
    RuleInfo{"cpp-rand", Severity::warning, "C++", "rand()/srand(): a hidden global generator",
             "rand() keeps its state in a global shared by every thread and library, its sequence differs between C "
             "libraries, and srand(time(0)) is the usual seed. Use a <random> engine (std::mt19937_64, whose "
             "output the standard fixes) seeded explicitly and passed where it is needed."},
    RuleInfo{"cpp-default-engine", Severity::warning, "C++",
             "random engine default-constructed: every run uses the same fixed default seed",
             "A default-constructed engine (std::mt19937 gen;) always starts from the engine's default seed, so the "
             "seed seedgate sweeps never reaches it and every seed gives the same draws. Construct it from the run's "
             "seed (std::mt19937_64 gen(seed);) or call gen.seed(seed) before use."},
    RuleInfo{"cpp-std-distribution", Severity::note, "C++",
             "std distribution or std::shuffle: results differ between standard libraries",
             "The standard fixes the engines' output but not the algorithms of std::uniform_int_distribution, "
             "std::normal_distribution and the rest, nor std::shuffle's: libstdc++, libc++ and MSVC give different "
             "draws from the same seed. Where results must match across platforms, derive numbers from the "
             "engine's output directly (as examples/digits_mlp does)."},
    RuleInfo{"cpp-unordered-iteration", Severity::warning, "C++", "iteration over an unordered container feeds output",
             "The iteration order of std::unordered_map and std::unordered_set depends on the hash function, the "
             "bucket count and the insertion history, which differ between standard libraries and versions, so "
             "output built in that order (written, printed, appended) is not reproducible. Copy the keys into a "
             "sorted vector, or use std::map / std::set."},
    RuleInfo{"xgboost-unseeded-subsampling", Severity::warning, "C++, Python",
             "XGBoost subsampling is on but no seed is set",
             "subsample, colsample_* and sampling_method draw rows and columns from XGBoost's generator, whose "
             "seed defaults to 0: every run draws the same sample, so the seed seedgate sweeps never reaches the "
             "booster and the seed sensitivity of the model is never seen. Set seed (random_state in the "
             "scikit-learn API) from SEEDGATE_SEED, or call seedgate::xgboost::apply()."},
    RuleInfo{"xgboost-default-tree-method", Severity::warning, "C++, Python", "XGBoost tree_method left to its default",
             "The default tree_method changed between releases (approximate or exact before 2.0, hist from 2.0), so "
             "the same program trains a different model after an upgrade. Set tree_method explicitly "
             "(seedgate::xgboost::apply() sets \"hist\" unless told otherwise)."},
    RuleInfo{"xgboost-removed-param", Severity::error, "C++, Python",
             "XGBoost parameter deprecated or removed in the version judged against",
             "gpu_id and tree_method = \"gpu_hist\" were deprecated in XGBoost 2.0 and removed in 3.1; on new "
             "releases the program fails, and on old ones gpu_hist's histogram is not deterministic by default. "
             "Use device = \"cuda\" (or \"cuda:N\") with tree_method = \"hist\". The rule follows [lint] "
             "xgboost_version (default: the installed XGBoost's headers, else the newest release): before 2.0 "
             "both are the current way and nothing is reported."},
    RuleInfo{"xgboost-shotgun", Severity::warning, "C++, Python", "the shotgun updater is nondeterministic",
             "The linear booster's shotgun updater updates coordinates in parallel without locks (Hogwild), so "
             "results depend on thread timing. Use updater = \"coord_descent\", which is deterministic."},
    RuleInfo{"unknown-suppression", Severity::warning, "C++, Python", "suppression names a rule that does not exist",
             "A seedgate-lint: ignore[...] comment names a rule id that seedgate does not know, so it suppresses "
             "nothing. Fix the id (`seedgate lint --list-rules` lists them) or remove the comment."},
};

// From the lists in torch.use_deterministic_algorithms' documentation.
constexpr std::array kOps = {
    NondeterministicOp{"index_add_", "index_add_ accumulates with atomics on CUDA", "1.11",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"index_add", "index_add accumulates with atomics on CUDA", "1.11",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"scatter_add_", "scatter_add_ accumulates with atomics on CUDA", "2.1",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"scatter_add", "scatter_add accumulates with atomics on CUDA", "2.1",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"index_put_", "index_put_ with accumulate accumulates with atomics on CUDA", "1.8",
                       NondeterministicOp::Needs::accumulate},
    NondeterministicOp{"put_", "put_ writes (or accumulates) in an unspecified order on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"bincount", "bincount with weights accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"histc", "histc accumulates with atomics on CUDA", "", NondeterministicOp::Needs::nothing},
    NondeterministicOp{"embedding_bag", "embedding_bag's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"EmbeddingBag", "EmbeddingBag's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"ctc_loss", "ctc_loss's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"CTCLoss", "CTCLoss's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"grid_sample", "grid_sample's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"grid_sampler", "grid_sampler's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"interpolate", "interpolate's backward (linear modes) accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::not_nearest},
    NondeterministicOp{"upsample_bilinear2d", "upsample_bilinear2d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"adaptive_avg_pool2d", "adaptive_avg_pool2d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"adaptive_avg_pool3d", "adaptive_avg_pool3d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"adaptive_max_pool2d", "adaptive_max_pool2d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"AdaptiveAvgPool2d", "AdaptiveAvgPool2d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"AdaptiveAvgPool3d", "AdaptiveAvgPool3d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
    NondeterministicOp{"AdaptiveMaxPool2d", "AdaptiveMaxPool2d's backward accumulates with atomics on CUDA", "",
                       NondeterministicOp::Needs::nothing},
};

using When = RandomStateTaker::When;
constexpr std::array kRandomStateTakers = {
    // Ensembles and trees.
    RandomStateTaker{"RandomForestClassifier", When::always},
    RandomStateTaker{"RandomForestRegressor", When::always},
    RandomStateTaker{"RandomTreesEmbedding", When::always},
    RandomStateTaker{"ExtraTreesClassifier", When::always},
    RandomStateTaker{"ExtraTreesRegressor", When::always},
    RandomStateTaker{"ExtraTreeClassifier", When::always},
    RandomStateTaker{"ExtraTreeRegressor", When::always},
    RandomStateTaker{"DecisionTreeClassifier", When::always},  // features are permuted at every split
    RandomStateTaker{"DecisionTreeRegressor", When::always},
    RandomStateTaker{"GradientBoostingClassifier", When::always},
    RandomStateTaker{"GradientBoostingRegressor", When::always},
    RandomStateTaker{"HistGradientBoostingClassifier", When::always},
    RandomStateTaker{"HistGradientBoostingRegressor", When::always},
    RandomStateTaker{"AdaBoostClassifier", When::always},
    RandomStateTaker{"AdaBoostRegressor", When::always},
    RandomStateTaker{"BaggingClassifier", When::always},
    RandomStateTaker{"BaggingRegressor", When::always},
    RandomStateTaker{"IsolationForest", When::always},
    // Linear models, SVMs, neural networks.
    RandomStateTaker{"SGDClassifier", When::always},
    RandomStateTaker{"SGDRegressor", When::always},
    RandomStateTaker{"SGDOneClassSVM", When::always},
    RandomStateTaker{"PassiveAggressiveClassifier", When::always},
    RandomStateTaker{"PassiveAggressiveRegressor", When::always},
    RandomStateTaker{"RANSACRegressor", When::always},
    RandomStateTaker{"TheilSenRegressor", When::always},
    RandomStateTaker{"LogisticRegression", When::solver_sag_saga_liblinear},
    RandomStateTaker{"LogisticRegressionCV", When::solver_sag_saga_liblinear},
    RandomStateTaker{"Ridge", When::solver_sag_saga},
    RandomStateTaker{"RidgeClassifier", When::solver_sag_saga},
    RandomStateTaker{"Lasso", When::selection_random},
    RandomStateTaker{"LassoCV", When::selection_random},
    RandomStateTaker{"ElasticNet", When::selection_random},
    RandomStateTaker{"ElasticNetCV", When::selection_random},
    RandomStateTaker{"MultiTaskLasso", When::selection_random},
    RandomStateTaker{"MultiTaskLassoCV", When::selection_random},
    RandomStateTaker{"MultiTaskElasticNet", When::selection_random},
    RandomStateTaker{"MultiTaskElasticNetCV", When::selection_random},
    RandomStateTaker{"SVC", When::probability_true},
    RandomStateTaker{"NuSVC", When::probability_true},
    RandomStateTaker{"LinearSVC", When::dual_not_false},
    RandomStateTaker{"LinearSVR", When::dual_not_false},
    RandomStateTaker{"MLPClassifier", When::always},
    RandomStateTaker{"MLPRegressor", When::always},
    RandomStateTaker{"BernoulliRBM", When::always},
    RandomStateTaker{"OutputCodeClassifier", When::always},
    // Clustering, mixtures, covariance.
    RandomStateTaker{"KMeans", When::always},
    RandomStateTaker{"MiniBatchKMeans", When::always},
    RandomStateTaker{"BisectingKMeans", When::always},
    RandomStateTaker{"SpectralClustering", When::always},
    RandomStateTaker{"SpectralBiclustering", When::always},
    RandomStateTaker{"SpectralCoclustering", When::always},
    RandomStateTaker{"AffinityPropagation", When::always},
    RandomStateTaker{"GaussianMixture", When::always},
    RandomStateTaker{"BayesianGaussianMixture", When::always},
    RandomStateTaker{"MinCovDet", When::always},
    RandomStateTaker{"EllipticEnvelope", When::always},
    // Decomposition, manifolds, kernel approximation, projections.
    RandomStateTaker{"PCA", When::svd_solver_random},
    RandomStateTaker{"TruncatedSVD", When::always},
    RandomStateTaker{"FastICA", When::always},
    RandomStateTaker{"DictionaryLearning", When::always},
    RandomStateTaker{"MiniBatchDictionaryLearning", When::always},
    RandomStateTaker{"MiniBatchNMF", When::always},
    RandomStateTaker{"SparsePCA", When::always},
    RandomStateTaker{"MiniBatchSparsePCA", When::always},
    RandomStateTaker{"LatentDirichletAllocation", When::always},
    RandomStateTaker{"TSNE", When::always},
    RandomStateTaker{"MDS", When::always},
    RandomStateTaker{"SpectralEmbedding", When::always},
    RandomStateTaker{"Nystroem", When::always},
    RandomStateTaker{"RBFSampler", When::always},
    RandomStateTaker{"SkewedChi2Sampler", When::always},
    RandomStateTaker{"PolynomialCountSketch", When::always},
    RandomStateTaker{"GaussianRandomProjection", When::always},
    RandomStateTaker{"SparseRandomProjection", When::always},
    // Model selection.
    RandomStateTaker{"train_test_split", When::shuffle_not_false},
    RandomStateTaker{"KFold", When::shuffle_true},
    RandomStateTaker{"StratifiedKFold", When::shuffle_true},
    RandomStateTaker{"StratifiedGroupKFold", When::shuffle_true},
    RandomStateTaker{"RepeatedKFold", When::always},
    RandomStateTaker{"RepeatedStratifiedKFold", When::always},
    RandomStateTaker{"ShuffleSplit", When::always},
    RandomStateTaker{"StratifiedShuffleSplit", When::always},
    RandomStateTaker{"GroupShuffleSplit", When::always},
    RandomStateTaker{"RandomizedSearchCV", When::always},
    RandomStateTaker{"ParameterSampler", When::always},
    RandomStateTaker{"learning_curve", When::shuffle_true},
    RandomStateTaker{"permutation_importance", When::always},
    // Functions that draw.
    RandomStateTaker{"shuffle", When::always},
    RandomStateTaker{"resample", When::always},
    RandomStateTaker{"k_means", When::always},
    RandomStateTaker{"kmeans_plusplus", When::always},
    RandomStateTaker{"randomized_svd", When::always},
    RandomStateTaker{"mutual_info_classif", When::always},
    RandomStateTaker{"mutual_info_regression", When::always},
    RandomStateTaker{"make_classification", When::always},
    RandomStateTaker{"make_regression", When::always},
    RandomStateTaker{"make_blobs", When::always},
    RandomStateTaker{"make_moons", When::always},
    RandomStateTaker{"make_circles", When::always},
    RandomStateTaker{"make_friedman1", When::always},
    RandomStateTaker{"make_friedman2", When::always},
    RandomStateTaker{"make_friedman3", When::always},
    RandomStateTaker{"make_gaussian_quantiles", When::always},
    RandomStateTaker{"make_hastie_10_2", When::always},
    RandomStateTaker{"make_low_rank_matrix", When::always},
    RandomStateTaker{"make_multilabel_classification", When::always},
    RandomStateTaker{"make_s_curve", When::always},
    RandomStateTaker{"make_swiss_roll", When::always},
    RandomStateTaker{"make_sparse_coded_signal", When::always},
    RandomStateTaker{"make_sparse_spd_matrix", When::always},
    RandomStateTaker{"make_sparse_uncorrelated", When::always},
    RandomStateTaker{"make_spd_matrix", When::always},
    RandomStateTaker{"make_biclusters", When::always},
    RandomStateTaker{"make_checkerboard", When::always},
};

int version_part(std::string_view& rest) {
  int value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc{}) value = 0;
  rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
  while (!rest.empty() && rest.front() != '.') rest.remove_prefix(1);  // "1.13.1+cpu": the suffix ignored
  if (!rest.empty()) rest.remove_prefix(1);
  return value;
}

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::note:
      return "note";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (Severity s : {Severity::note, Severity::warning, Severity::error})
    if (severity_name(s) == name) return s;
  return std::nullopt;
}

std::span<const RuleInfo> all_rules() {
  return kRules;
}

const RuleInfo* find_rule(std::string_view id) {
  auto it = std::find_if(kRules.begin(), kRules.end(), [&](const RuleInfo& r) { return r.id == id; });
  return it == kRules.end() ? nullptr : &*it;
}

std::span<const NondeterministicOp> nondeterministic_ops() {
  return kOps;
}

std::span<const RandomStateTaker> sklearn_random_state_takers() {
  return kRandomStateTakers;
}

const RandomStateTaker* find_random_state_taker(std::string_view name) {
  auto it = std::find_if(kRandomStateTakers.begin(), kRandomStateTakers.end(),
                         [&](const RandomStateTaker& t) { return t.name == name; });
  return it == kRandomStateTakers.end() ? nullptr : &*it;
}

bool version_at_least(std::string_view version, std::string_view minimum) {
  for (int i = 0; i < 4; ++i) {
    int a = version_part(version);
    int b = version_part(minimum);
    if (a != b) return a > b;
  }
  return true;
}

}  // namespace lint
