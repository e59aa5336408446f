#include "harness/policy.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "adapters/registry.hpp"
#include "adapters/xgboost/subject.hpp"

namespace seedgate {
namespace {

const std::string kMinimal = R"(version = 1
[subject]
command = ["./train", "--seed", "{seed}"]
[sweep]
seeds = 4
[metrics.accuracy]
goal = "max"
)";

util::Result<Policy> parse(const std::string& text) {
  // As the CLI loads it: with the adapters' own [subject.<adapter>] tables.
  return parse_policy(text, "seedgate.toml", "/work/project", subject_tables());
}

std::string error_of(const std::string& text) {
  auto policy = parse(text);
  return policy ? std::string("(no error)") : policy.error();
}

TEST(PolicyTest, LoadsSpecExample) {
  auto policy = parse(R"(version = 1

[subject]
name = "digits-mlp"
adapter = "command"
command = ["./build/examples/digits_mlp", "--seed", "{seed}", "--out", "{run_dir}"]
timeout = "10m"
env = { OMP_NUM_THREADS = "1" }
allowed_failures = 0

[sweep]
seeds = 8
modes = ["deterministic", "default"]
devices = ["cpu", "cuda"]
threads = [1]
repeats = 2
jobs = "auto"

[metrics.accuracy]
goal = "max"

[artifacts]
model = "{run_dir}/model.bin"

[[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.95
worst_at_least = 0.93
confidence = 0.95

[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.01

[[check]]
kind = "reproducibility"
modes = ["deterministic"]

[[check]]
kind = "regression"
metric = "accuracy"
baseline = "baselines/main.json"
margin = 0.005
confidence = 0.95

[report]
junit = "seedgate-junit.xml"
json = "seedgate-results.json"
markdown = "seedgate-summary.md"
html = "seedgate-report.html"
)");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->subject.name, "digits-mlp");
  EXPECT_EQ(policy->subject.command.size(), 5u);
  EXPECT_FALSE(policy->subject.shell);
  EXPECT_EQ(policy->subject.timeout, std::chrono::minutes(10));
  EXPECT_EQ(policy->subject.env.at("OMP_NUM_THREADS"), "1");
  EXPECT_EQ(policy->subject.workdir, "/work/project");
  EXPECT_EQ(policy->sweep.seeds.seeds, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(policy->sweep.modes, (std::vector<std::string>{"deterministic", "default"}));
  EXPECT_EQ(policy->sweep.devices, (std::vector<std::string>{"cpu", "cuda"}));
  EXPECT_EQ(policy->sweep.threads, (std::vector<int>{1}));
  EXPECT_EQ(policy->sweep.repeats, 2);
  EXPECT_EQ(policy->sweep.jobs, 0);
  ASSERT_EQ(policy->checks.size(), 4u);
  EXPECT_EQ(policy->checks[0].spec.name, "threshold-accuracy");
  EXPECT_EQ(policy->checks[0].spec.as<checks::ThresholdSpec>().mean->value, 0.95);
  EXPECT_EQ(policy->checks[0].spec.as<checks::ThresholdSpec>().worst->key, "worst_at_least");
  EXPECT_EQ(policy->checks[0].confidence, 0.95);
  EXPECT_EQ(policy->checks[0].position.line, 25);
  EXPECT_EQ(*policy->checks[1].spec.as<checks::VarianceSpec>().std_at_most, 0.01);
  EXPECT_EQ(policy->checks[2].spec.kind(), checks::CheckKind::reproducibility);
  EXPECT_EQ(policy->checks[3].spec.kind(), checks::CheckKind::regression);
  EXPECT_EQ(policy->checks[3].spec.as<checks::RegressionSpec>().margin, 0.005);
  EXPECT_EQ(policy->checks[3].spec.as<checks::RegressionSpec>().baseline, "/work/project/baselines/main.json");
  EXPECT_EQ(policy->report.junit, "/work/project/seedgate-junit.xml");
  EXPECT_EQ(policy->report.html, "/work/project/seedgate-report.html");
  EXPECT_EQ(policy->artifacts.at(0).second, "{run_dir}/model.bin");
}

TEST(PolicyTest, ConsistencyAndTheLibTorchAdapter) {
  auto policy = parse(R"(version = 1
[subject]
adapter = "libtorch"
command = ["./train"]
[sweep]
seeds = 2
modes = ["deterministic", "default"]
threads = [1, 2]
[metrics.accuracy]
goal = "max"
[[check]]
kind = "consistency"
atol = 0.001
rtol = 0.01
artifacts = ["weights"]
)");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->subject.adapter, "libtorch");
  const checks::CheckSpec& c = policy->checks.at(0).spec;
  EXPECT_EQ(c.kind(), checks::CheckKind::consistency);
  EXPECT_EQ(c.modes, (std::vector<std::string>{"deterministic"}));  // like reproducibility
  EXPECT_EQ(c.as<checks::ConsistencySpec>().atol, 0.001);
  EXPECT_EQ(c.as<checks::ConsistencySpec>().rtol, 0.01);
  EXPECT_EQ(c.as<checks::ConsistencySpec>().artifacts, (std::vector<std::string>{"weights"}));
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 2
[[check]]
kind = "consistency"
confidence = 0.9
)"),
            "seedgate.toml:8:1: 'confidence' does not apply to a consistency check: it compares digests and values "
            "exactly, with no estimate to bound");
}

TEST(PolicyTest, TheXGBoostAdapterTrainsFromItsTable) {
  auto policy = parse(R"(version = 1
[subject]
adapter = "xgboost"
timeout = "1m"
[subject.xgboost]
train = "data/train.csv"
eval = { test = "data/test.csv", train = "data/train.csv" }
label_column = 30
rounds = 20
early_stopping_rounds = 5
early_stopping_metric = "test-logloss"
params = { objective = "binary:logistic", eta = 0.3, max_depth = 3, subsample = 0.8, eval_metric = ["error", "logloss"], tree_method = "approx", validate_parameters = true }
feature_names = ["a", "b"]
importance = "total_gain"
[sweep]
seeds = 4
threads = [1, 2]
[metrics.test-error]
goal = "min"
)");
  ASSERT_TRUE(policy) << policy.error();
  ASSERT_TRUE(xgboost_subject(*policy));
  const XGBoostSubject& x = *xgboost_subject(*policy);
  EXPECT_EQ(x.train, std::filesystem::path("/work/project/data/train.csv"));
  ASSERT_EQ(x.eval.size(), 2u);
  EXPECT_EQ(x.eval[0].first, "test");
  EXPECT_EQ(x.eval[1].second, std::filesystem::path("/work/project/data/train.csv"));
  EXPECT_EQ(x.label_column, 30);
  EXPECT_EQ(x.rounds, 20);
  EXPECT_EQ(x.early_stopping_rounds, 5);
  EXPECT_EQ(x.early_stopping_metric, "test-logloss");
  EXPECT_EQ(x.tree_method, "approx");
  EXPECT_EQ(x.importance, "total_gain");
  EXPECT_EQ(x.feature_names, (std::vector<std::string>{"a", "b"}));
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& [name, value] : x.params) params[name].push_back(value);
  EXPECT_EQ(params["eta"], (std::vector<std::string>{"0.3"}));
  EXPECT_EQ(params["max_depth"], (std::vector<std::string>{"3"}));
  EXPECT_EQ(params["eval_metric"], (std::vector<std::string>{"error", "logloss"}));
  EXPECT_EQ(params["validate_parameters"], (std::vector<std::string>{"true"}));
  EXPECT_TRUE(policy->subject.command.empty());
}

TEST(PolicyTest, SeedsForms) {
  auto list = parse(kMinimal + "");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->sweep.seeds.seeds.size(), 4u);
  std::string text = kMinimal;
  text.replace(text.find("seeds = 4"), 9, "seeds = { start = 100, count = 3, max = 20 }");
  auto table = parse(text);
  ASSERT_TRUE(table) << table.error();
  EXPECT_EQ(table->sweep.seeds.seeds, (std::vector<std::int64_t>{100, 101, 102}));
  EXPECT_EQ(table->sweep.seeds.max_count, 20);
  text = kMinimal;
  text.replace(text.find("seeds = 4"), 9, "seeds = [11, 22]");
  EXPECT_EQ(parse(text)->sweep.seeds.seeds, (std::vector<std::int64_t>{11, 22}));
}

TEST(PolicyTest, StringCommandRunsThroughShell) {
  std::string text = kMinimal;
  text.replace(text.find("command = ["), std::string("command = [\"./train\", \"--seed\", \"{seed}\"]").size(),
               "command = \"./train --seed {seed} | tee log\"");
  auto policy = parse(text);
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_TRUE(policy->subject.shell);
}

TEST(PolicyTest, UnknownTopLevelKeySuggestsNearest) {
  EXPECT_EQ(error_of(kMinimal + "[sweeps]\n"),
            "seedgate.toml:8:2: unknown key 'sweeps' in the policy; did you mean 'sweep'?");
}

TEST(PolicyTest, UnknownKeyInSweep) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 2
repeat = 2
)"),
            "seedgate.toml:6:1: unknown key 'repeat' in [sweep]; did you mean 'repeats'?");
}

TEST(PolicyTest, UnknownKeyWithoutNearMiss) {
  EXPECT_EQ(error_of(kMinimal + "[report]\nfoobarbaz = \"x\"\n"),
            "seedgate.toml:9:1: unknown key 'foobarbaz' in [report]");
}

TEST(PolicyTest, WrongType) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 2
repeats = "two"
)"),
            "seedgate.toml:6:11: 'repeats' must be an integer, not a string");
}

TEST(PolicyTest, OutOfRange) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 2
repeats = 0
)"),
            "seedgate.toml:6:11: 'repeats' must be at least 1, got 0");
}

TEST(PolicyTest, BadDuration) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
timeout = "10 minutes"
[sweep]
seeds = 2
)"),
            "seedgate.toml:4:11: 'timeout': \"10 minutes\" is not a duration; write a number and a unit (ms, s, m, h), "
            "such as \"90s\" or \"10m\"");
}

TEST(PolicyTest, Durations) {
  EXPECT_EQ(*parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_duration("10m"), std::chrono::minutes(10));
  EXPECT_EQ(*parse_duration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(*parse_duration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*parse_duration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("5 s"));
  EXPECT_FALSE(parse_duration("-5s"));
  // More digits than a double holds: too long, or a fraction that is nothing.
  const std::string huge(400, '9');
  EXPECT_EQ(parse_duration(huge + "s").error(), fmt::format("\"{}s\" is too long a duration", huge));
  EXPECT_EQ(*parse_duration("0." + std::string(400, '0') + "1s"), std::chrono::milliseconds(0));
  EXPECT_EQ(*parse_duration("1m0." + std::string(400, '0') + "1s"), std::chrono::minutes(1));
}

TEST(PolicyTest, Sizes) {
  EXPECT_EQ(*parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(*parse_size("512B"), 512u);
  EXPECT_FALSE(parse_size("16MB"));
  EXPECT_EQ(parse_size("0B").error(), "\"0B\" is out of range (1B to 1024TiB)");
  // More digits than 64 bits hold: out of range too, not a thrown exception.
  EXPECT_EQ(parse_size("99999999999999999999999MiB").error(),
            "\"99999999999999999999999MiB\" is out of range (1B to 1024TiB)");
}

TEST(PolicyTest, MisspeltCheckKind) {
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"treshold\"\nmetric = \"accuracy\"\n"),
            "seedgate.toml:9:8: unknown check kind 'treshold'; did you mean 'threshold'?");
  // With nothing near, the message lists the kinds there are.
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"accuracy-gate\"\n"),
            "seedgate.toml:9:8: unknown check kind 'accuracy-gate' (kinds: threshold, variance, reproducibility, "
            "seed-sensitivity, regression, consistency, failures, ensemble, churn, compare, drift)");
}

TEST(PolicyTest, UndeclaredMetric) {
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"threshold\"\nmetric = \"acuracy\"\nmean_at_least = 0.9\n"),
            "seedgate.toml:10:10: metric 'acuracy' is not declared in [metrics]; did you mean 'accuracy'?");
}

TEST(PolicyTest, BoundMustFitGoal) {
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_most = 0.9\n"),
            "seedgate.toml:11:16: 'mean_at_most' does not fit metric 'accuracy' with goal = \"max\"; use "
            "'mean_at_least'");
}

TEST(PolicyTest, KeyOfAnotherKind) {
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"variance\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n"),
            "seedgate.toml:11:1: 'mean_at_least' does not apply to a variance check");
}

TEST(PolicyTest, ThresholdNeedsABound) {
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\n"),
            "seedgate.toml:8:1: threshold check needs 'mean_at_least' or 'worst_at_least'");
}

TEST(PolicyTest, UnknownPlaceholder) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["./train", "--seed", "{sed}"]
[sweep]
seeds = 2
)"),
            "seedgate.toml:3:33: unknown placeholder '{sed}' in 'command'; did you mean '{seed}'?");
}

TEST(PolicyTest, ThreadsPlaceholderNeedsThreadsAxis) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["./train", "--threads", "{threads}"]
[sweep]
seeds = 2
)"),
            "seedgate.toml:3:36: 'command' uses {threads}, but [sweep] has no 'threads' axis");
  EXPECT_TRUE(
      parse("version = 1\n[subject]\ncommand = [\"./t\", \"{threads}\"]\n[sweep]\nseeds = 2\nthreads = [1, 2]\n"));
}

TEST(PolicyTest, UnknownMode) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 2
modes = ["determinstic"]
)"),
            "seedgate.toml:6:10: 'modes' must be one of \"deterministic\", \"default\", got \"determinstic\"; did you "
            "mean \"deterministic\"?");
}

TEST(PolicyTest, BadDevice) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 2
devices = ["gpu"]
)"),
            "seedgate.toml:6:12: 'devices' entries are \"cpu\", \"cuda\" or \"cuda:N\", got \"gpu\"");
}

TEST(PolicyTest, DuplicateSeed) {
  EXPECT_EQ(error_of(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = [1, 2, 1]
)"),
            "seedgate.toml:5:16: 'seeds' lists 1 twice");
}

TEST(PolicyTest, SeedListsAndPlansAreBounded) {
  std::string seeds;
  for (int i = 0; i < 100'001; ++i) seeds += (i ? ", " : "") + std::to_string(i);
  EXPECT_EQ(error_of("version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = [" + seeds + "]\n"),
            "seedgate.toml:5:9: 'seeds' lists 100001 seeds; at most 100000");
  // 100,000 distinct seeds are checked for duplicates in linear time.
  seeds = seeds.substr(0, seeds.rfind(','));
  EXPECT_TRUE(parse("version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = [" + seeds + "]\n"));
  EXPECT_EQ(error_of("version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 100000\nrepeats = 11\n"),
            "seedgate.toml:4:1: [sweep] plans 1100000 runs (seeds x modes x devices x threads x repeats); at most "
            "1000000");
  // Folds, variants and sources to vary multiply the runs too (100,000 seeds
  // in 100 folds was a plan of 10^7 runs that did not fit in memory).
  const std::string head = "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 100000\n";
  EXPECT_TRUE(parse(head));
  EXPECT_EQ(error_of(head + "folds = 100\n"),
            "seedgate.toml:4:1: [sweep] plans 10000000 runs (seeds x modes x devices x threads x repeats x folds); at "
            "most 1000000");
  EXPECT_TRUE(parse(head + "repeats = 6\n"));
  EXPECT_EQ(
      error_of(head + "repeats = 6\nvary = [\"init\", \"order\"]\n"),
      "seedgate.toml:4:1: [sweep] plans 1200000 runs (seeds x modes x devices x threads x repeats x vary); at most "
      "1000000");
  EXPECT_EQ(error_of(head + "repeats = 10\n[[variant]]\nname = \"a\"\n[[variant]]\nname = \"b\"\n"),
            "seedgate.toml:4:1: [sweep] plans 2000000 runs (seeds x modes x devices x threads x repeats x variants); "
            "at most 1000000");
}

TEST(PolicyTest, MissingCommand) {
  EXPECT_EQ(error_of("version = 1\n[subject]\nname = \"x\"\n[sweep]\nseeds = 2\n"),
            "seedgate.toml:2:1: missing required key 'command' in [subject]");
}

TEST(PolicyTest, MissingVersion) {
  EXPECT_EQ(error_of("[subject]\ncommand = [\"x\"]\n"),
            "seedgate.toml:1:1: missing required key 'version' (write version = 1)");
}

TEST(PolicyTest, MissingGoal) {
  EXPECT_EQ(error_of("version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.loss]\n"),
            "seedgate.toml:6:1: missing required key 'goal' in [metrics.loss] (\"max\" or \"min\")");
}

TEST(PolicyTest, RegexNeedsCaptureGroup) {
  EXPECT_EQ(error_of("version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.err]\ngoal = \"min\"\n"
                     "regex = 'test-error:[0-9.]+'\n"),
            "seedgate.toml:8:9: 'regex' needs a capture group for the value, such as 'loss=([0-9.eE+-]+)'");
}

TEST(PolicyTest, InvalidRegex) {
  auto error = error_of(
      "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.err]\ngoal = "
      "\"min\"\nregex = 'err:([0-9'\n");
  EXPECT_TRUE(error.starts_with("seedgate.toml:8:9: 'regex' is not a regular expression RE2 can run")) << error;
}

TEST(PolicyTest, RegexWithBackreferenceIsRefused) {
  // No linear-time engine runs a backreference; RE2 refuses it at load.
  auto error = error_of(
      "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.err]\ngoal = "
      "\"min\"\nregex = '(a)\\1=([0-9.]+)'\n");
  EXPECT_TRUE(
      error.starts_with("seedgate.toml:8:9: 'regex' is not a regular expression RE2 can run (no "
                        "backreferences or lookaround): invalid escape sequence: \\1"))
      << error;
}

TEST(PolicyTest, TomlSyntaxError) {
  auto error = error_of("version = 1\n[subject\n");
  EXPECT_TRUE(error.starts_with("seedgate.toml:2:")) << error;
}

TEST(PolicyTest, EnvMayNotSetProtocolVariables) {
  EXPECT_EQ(
      error_of("version = 1\n[subject]\ncommand = [\"x\"]\nenv = { SEEDGATE_SEED = \"1\" }\n[sweep]\nseeds = 2\n"),
      "seedgate.toml:4:9: 'env' must not set 'SEEDGATE_SEED': seedgate sets SEEDGATE_* for every run");
}

TEST(PolicyTest, FoldsAndTheirSeed) {
  const std::string head = "version = 1\n[subject]\ncommand = [\"./train\"]\n[sweep]\nseeds = 4\n";
  auto policy = parse(head + "folds = 5\nfold_seed = 7\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->sweep.folds, 5);
  EXPECT_EQ(policy->sweep.fold_seed, 7);
  EXPECT_FALSE(policy->sweep.paired_folds);
  policy = parse(head + "folds = 5\nfold_seed = \"paired\"\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_TRUE(policy->sweep.paired_folds);
  EXPECT_NE(error_of(head + "folds = 1\n").find("'folds'"), std::string::npos);
  EXPECT_EQ(error_of(head + "fold_seed = 3\n"),
            "seedgate.toml:6:13: 'fold_seed' needs 'folds': it seeds the split into folds");
  EXPECT_NE(error_of(head + "folds = 3\nfold_seed = \"same\"\n").find("'fold_seed'"), std::string::npos);
}

TEST(PolicyTest, VariantsAndSources) {
  const std::string head = "version = 1\n[subject]\ncommand = [\"./train\"]\n[sweep]\nseeds = 4\n";
  auto policy = parse(head +
                      "vary = [\"order\", \"init\"]\n[[variant]]\nname = \"a\"\nargs = [\"--lr\", \"0.1\"]\n"
                      "env = { LR = \"0.1\" }\n[[variant]]\nname = \"b\"\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->sweep.vary, (std::vector<std::string>{"order", "init"}));
  ASSERT_EQ(policy->variants.size(), 2u);
  EXPECT_EQ(policy->variants[0].args, (std::vector<std::string>{"--lr", "0.1"}));
  EXPECT_EQ(policy->variants[0].env.at("LR"), "0.1");
  EXPECT_NE(error_of(head + "vary = [\"weights\"]\n").find("'vary'"), std::string::npos);
  EXPECT_NE(error_of(head + "vary = [\"init\", \"init\"]\n").find("twice"), std::string::npos);
  EXPECT_NE(error_of(head + "[[variant]]\nname = \"a\"\n").find("one [[variant]] compares nothing"), std::string::npos);
  EXPECT_NE(error_of(head + "[[variant]]\nname = \"a b\"\n[[variant]]\nname = \"c\"\n").find("a variant's name"),
            std::string::npos);
  EXPECT_NE(error_of(head + "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n").find("used twice"),
            std::string::npos);
  EXPECT_NE(error_of(head + "[[variant]]\nname = \"a\"\nparams = { eta = 0.1 }\n[[variant]]\nname = \"b\"\n")
                .find("'params' sets the xgboost adapter's parameters"),
            std::string::npos);
  EXPECT_NE(error_of(head + "[[variant]]\nname = \"a\"\nenv = { SEEDGATE_SEED = \"1\" }\n[[variant]]\nname = \"b\"\n")
                .find("must not set 'SEEDGATE_SEED'"),
            std::string::npos);
}

TEST(PolicyTest, CheckModeMustBeSwept) {
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"reproducibility\"\nmodes = [\"default\"]\n"),
            "seedgate.toml:10:9: check mode 'default' is not among [sweep] modes");
}

TEST(PolicyTest, EnsembleScoresAreChosenByMetricAndNameTheirBounds) {
  auto policy = parse(kMinimal +
                      "[[check]]\nkind = \"ensemble\"\ngain_at_least = 0\n[[check]]\nkind = \"ensemble\"\n"
                      "metric = \"log-loss\"\nat_most = 0.3\nvote = \"soft\"\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->checks[0].spec.metric, "accuracy");
  EXPECT_EQ(policy->checks[0].spec.name, "ensemble-accuracy");
  EXPECT_EQ(policy->checks[1].spec.goal, checks::Goal::minimize);
  EXPECT_EQ(policy->checks[1].spec.as<checks::EnsembleSpec>().score->value, 0.3);
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"ensemble\"\nmetric = \"f1\"\nat_least = 0.9\n"),
            "seedgate.toml:10:10: 'metric' of an ensemble check is a score of the runs' predictions: accuracy, "
            "log-loss, brier, rmse or auc; got 'f1'");
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"ensemble\"\nmetric = \"brier\"\nat_least = 0.9\n"),
            "seedgate.toml:11:12: 'at_least' does not fit metric 'brier' with goal = \"min\"; use 'at_most'");
  EXPECT_EQ(error_of(kMinimal + "[[check]]\nkind = \"churn\"\n"),
            "seedgate.toml:8:1: missing required key 'at_most' in [[check]] of kind 'churn'");
}

TEST(PolicyTest, DefaultCheckNamesAreUnique) {
  auto policy = parse(kMinimal +
                      "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n"
                      "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nworst_at_least = 0.8\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->checks[0].spec.name, "threshold-accuracy");
  EXPECT_EQ(policy->checks[1].spec.name, "threshold-accuracy-2");
}

TEST(PolicyTest, ReproducibilityDefaultsToDeterministicMode) {
  auto policy = parse(kMinimal + "[[check]]\nkind = \"reproducibility\"\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->checks[0].spec.modes, (std::vector<std::string>{"deterministic"}));
}

// Every other message the loader can give, each with its exact text.
TEST(PolicyTest, EveryMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"version = 2\n", "seedgate.toml:1:11: unsupported policy version 2 (this seedgate reads version 1)"},
      {"version = 1\n", "seedgate.toml:1:1: missing required table [subject]"},
      {"version = 1\n[subject]\ncommand = []\n[sweep]\nseeds = 1\n", "seedgate.toml:3:11: 'command' must not be empty"},
      {"version = 1\n[subject]\ncommand = 5\n[sweep]\nseeds = 1\n",
       "seedgate.toml:3:11: 'command' must be an array of strings (argv) or a string (run by /bin/sh -c), not an "
       "integer"},
      {"version = 1\n[subject]\ncommand = [\"x\", 3]\n[sweep]\nseeds = 1\n",
       "seedgate.toml:3:17: 'command' must hold strings, not an integer"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n", "seedgate.toml:1:1: missing required table [sweep]"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\nadapter = \"xgboost\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:3:11: adapter \"xgboost\" trains inside seedgate and takes no 'command'; describe the training "
       "in [subject.xgboost]"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:2:1: adapter \"xgboost\" needs a [subject.xgboost] table (train, eval, params, rounds)"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[subject.xgboost]\ntrain = \"a.csv\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:1: [subject.xgboost] is for adapter = \"xgboost\", not \"command\""},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\nrounds = 3\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:1: missing required key 'train' in [subject.xgboost] (the training data file)"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\nround = 3\n[sweep]\n"
       "seeds = 1\n",
       "seedgate.toml:6:1: unknown key 'round' in [subject.xgboost]; did you mean 'rounds'?"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\nparams = { seed = 1 "
       "}\n[sweep]\nseeds = 1\n",
       "seedgate.toml:6:12: 'params' must not set 'seed': seedgate sets it from the sweep's seeds"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\nparams = { nthread = 2 "
       "}\n[sweep]\nseeds = 1\n",
       "seedgate.toml:6:12: 'params' must not set 'nthread': seedgate sets it from the sweep's 'threads'"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\nparams = { eta = {} "
       "}\n[sweep]\nseeds = 1\n",
       "seedgate.toml:6:18: 'params.eta' must be a string, a number, a boolean or an array of them, not a table"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\n"
       "early_stopping_rounds = 3\n[sweep]\nseeds = 1\n",
       "seedgate.toml:6:25: 'early_stopping_rounds' needs an evaluation set in 'eval'"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\n"
       "early_stopping_metric = \"test-auc\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:6:25: 'early_stopping_metric' needs 'early_stopping_rounds'"},
      {"version = 1\n[subject]\nadapter = \"xgboost\"\n[subject.xgboost]\ntrain = \"a.csv\"\nimportance = \"gian\"\n"
       "[sweep]\nseeds = 1\n",
       "seedgate.toml:6:14: 'importance' must be one of \"weight\", \"gain\", \"cover\", \"total_gain\", "
       "\"total_cover\", got \"gian\"; did you mean \"gain\"?"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\nadapter = \"pytorch\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:11: 'adapter' must be one of \"command\", \"libtorch\", \"xgboost\", got \"pytorch\""},
      {"version = 1\n[subject]\ncommand = [\"x {seed\"]\n[sweep]\nseeds = 1\n",
       "seedgate.toml:3:12: 'command' has an unmatched '{' (write '{{' for a literal brace)"},
      {"version = 1\n[subject]\ncommand = [\"x seed}\"]\n[sweep]\nseeds = 1\n",
       "seedgate.toml:3:12: 'command' has an unmatched '}' (write '}}' for a literal brace)"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\ntimeout = \"0s\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:11: 'timeout' must be longer than 0s"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\nenv = { A = 1 }\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:13: 'env.A' must be a string, not an integer"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\noutput_limit = \"lots\"\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:16: 'output_limit': \"lots\" is not a size; write a number and B, KiB, MiB or GiB, such as "
       "\"16MiB\""},
      {"version = 1\n[subject]\ncommand = [\"x\"]\nallowed_failures = -1\n[sweep]\nseeds = 1\n",
       "seedgate.toml:4:20: 'allowed_failures' must be at least 0, got -1"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 0\n",
       "seedgate.toml:5:9: 'seeds' must be at least 1, got 0"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = []\n",
       "seedgate.toml:5:9: 'seeds' must not be empty"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = \"all\"\n",
       "seedgate.toml:5:9: 'seeds' must be an integer, an array of integers or a table { start, count }, not a string"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = { start = 3 }\n",
       "seedgate.toml:5:9: 'seeds' table needs 'count'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = { count = 8, max = 4 }\n",
       "seedgate.toml:5:28: 'max' (4) must be at least 'count' (8)"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = { count = 8, stop = 4 }\n",
       "seedgate.toml:5:22: unknown key 'stop' in 'seeds'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\nthreads = [1, 1]\n",
       "seedgate.toml:6:15: 'threads' lists 1 twice"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\njobs = \"many\"\n",
       "seedgate.toml:6:8: 'jobs' must be \"auto\" or a number, got \"many\""},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\njobs = 0\n",
       "seedgate.toml:6:8: 'jobs' must be at least 1, got 0"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\nmodes = []\n",
       "seedgate.toml:6:9: 'modes' must not be empty"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\nmodes = [\"default\", \"default\"]\n",
       "seedgate.toml:6:21: 'modes' lists 'default' twice"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"maximum\"\n",
       "seedgate.toml:7:8: 'goal' must be one of \"max\", \"min\", got \"maximum\""},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\nstream = "
       "\"stdout\"\n",
       "seedgate.toml:8:10: 'stream' applies only with 'regex'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\npick = "
       "\"last\"\n",
       "seedgate.toml:8:8: 'pick' applies only with 'regex'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\nrequired = "
       "\"yes\"\n",
       "seedgate.toml:8:12: 'required' must be a boolean, not a string"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[artifacts]\nmodel = \"\"\n",
       "seedgate.toml:7:9: artifact 'model' has an empty path"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\nconfidence = 1.5\n",
       "seedgate.toml:12:14: 'confidence' must be above 0.5 and below 1, got 1.5"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\nconfidence = 0.5\n",
       "seedgate.toml:12:14: 'confidence' must be above 0.5 and below 1, got 0.5"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\nconfidence = 0.2\n",
       "seedgate.toml:12:14: 'confidence' must be above 0.5 and below 1, got 0.2"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"variance\"\nmetric = \"acc\"\nstd_at_most = -0.1\n",
       "seedgate.toml:11:15: 'std_at_most' must be at least 0, got -0.1"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"variance\"\nmetric = \"acc\"\n",
       "seedgate.toml:8:1: variance check needs 'std_at_most', 'range_at_most' or 'cv_at_most'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"variance\"\n",
       "seedgate.toml:8:1: missing required key 'metric' in [[check]] of kind 'variance'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"threshold\"\nmetric = \"acc\"\nmean_at_least = \"high\"\n",
       "seedgate.toml:11:17: 'mean_at_least' must be a number, not a string"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"threshold\"\nmetric = \"acc\"\nmean_at_least = nan\n",
       "seedgate.toml:11:17: 'mean_at_least' must be finite, got nan"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[[check]]\nkind = "
       "\"reproducibility\"\nartifacts = [\"\"]\n",
       "seedgate.toml:8:13: 'artifacts' must not hold an empty name"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[[check]]\nkind = \"reproducibility\"\nname = "
       "\"r\"\n[[check]]\nkind = \"seed-sensitivity\"\nname = \"r\"\n",
       "seedgate.toml:11:8: check name 'r' is used twice"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[[check]]\nkind = \"regression\"\nmetric = "
       "\"acc\"\n",
       "seedgate.toml:8:10: metric 'acc' is not declared in [metrics]"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[metrics.acc]\ngoal = \"max\"\n[[check]]\nkind "
       "= \"regression\"\nmetric = \"acc\"\n",
       "seedgate.toml:8:1: missing required key 'baseline' in [[check]] of kind 'regression'"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[[check]]\nmetric = \"acc\"\n",
       "seedgate.toml:6:1: missing required key 'kind' in [[check]]"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\ncheck = 3\n",
       "seedgate.toml:6:1: unknown key 'check' in [sweep]"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[report]\njunit = \"\"\n",
       "seedgate.toml:7:9: 'junit' must not be empty"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\nrepeats = 1001\n",
       "seedgate.toml:6:11: 'repeats' must be at most 1000, got 1001"},
      {"version = 1\nsubject = \"x\"\n", "seedgate.toml:2:11: 'subject' must be a table, not a string"},
      {"version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\n[[check]]\nkind = \"reproducibility\"\nthreads "
       "= [0]\n",
       "seedgate.toml:8:12: 'threads' must be at least 1, got 0"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(error_of(text), expected) << text;
}

// Messages about the statistics: confidence, inconclusive, coverage, [statistics].
TEST(PolicyTest, StatisticsMessages) {
  const std::string head =
      "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 5\n[metrics.acc]\ngoal = \"max\"\n[[check]]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"kind = \"reproducibility\"\nconfidence = 0.95\n",
       "seedgate.toml:10:1: 'confidence' does not apply to a reproducibility check: it compares digests and values "
       "exactly, with no estimate to bound"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\ninconclusive = \"pass\"\n",
       "seedgate.toml:12:16: 'inconclusive' needs 'confidence': without it a check judges point estimates and is "
       "never inconclusive"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\nconfidence = 0.95\ninconclusive = "
       "\"more-seeds\"\n",
       "seedgate.toml:13:16: inconclusive = \"more-seeds\" needs a ceiling on seeds: seeds = { start = 0, count = 5, "
       "max = 20 } in [sweep]"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\nconfidence = 0.95\ninconclusive = \"maybe\"\n",
       "seedgate.toml:13:16: 'inconclusive' must be one of \"fail\", \"pass\", \"more-seeds\", got \"maybe\""},
      {"kind = \"threshold\"\nmetric = \"acc\"\nworst_at_least = 0.9\ncoverage = 0.9\n",
       "seedgate.toml:12:12: 'coverage' needs 'confidence'"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nworst_at_least = 0.9\nconfidence = 0.95\ncoverage = 1.5\n",
       "seedgate.toml:13:12: 'coverage' must be between 0 and 1, got 1.5"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nworst_at_least = 0.9\nconfidence = 0.95\ntolerance = \"exact\"\n",
       "seedgate.toml:13:13: 'tolerance' must be one of \"normal\", \"nonparametric\", got \"exact\""},
      {"kind = \"variance\"\nmetric = \"acc\"\nstd_at_most = 0.01\ncoverage = 0.9\n",
       "seedgate.toml:12:1: 'coverage' does not apply to a variance check"},
      {"kind = \"regression\"\nmetric = \"acc\"\nbaseline = \"b.json\"\ncomparison = \"superiority\"\n",
       "seedgate.toml:12:14: 'comparison' must be one of \"non-inferiority\", \"equivalence\", got \"superiority\""},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\n[statistics]\nspending = \"sidak\"\n",
       "seedgate.toml:13:12: 'spending' must be one of \"pocock\", \"obrien-fleming\", \"bonferroni\", got \"sidak\""},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\n[statistics]\nfamily = \"bonferroni\"\n",
       "seedgate.toml:13:10: 'family' must be one of \"none\", \"holm\", got \"bonferroni\""},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\nconfidence = 0.95\nresolution = -0.01\n",
       "seedgate.toml:13:14: 'resolution' must be a step of 0 or more (0: continuous), got -0.01"},
      {"kind = \"failures\"\nmetric = \"acc\"\nrate_at_most = 0.1\n",
       "seedgate.toml:10:10: 'metric' does not apply to a failures check: it judges runs, not a metric"},
      {"kind = \"failures\"\n",
       "seedgate.toml:8:1: missing required key 'rate_at_most' in [[check]] of kind 'failures'"},
      {"kind = \"variance\"\nmetric = \"acc\"\nstd_at_most = 0.01\nlost_seeds = \"exclude\"\n",
       "seedgate.toml:12:1: 'lost_seeds' does not apply to a variance check"},
      {"kind = \"regression\"\nmetric = \"acc\"\nbaseline = \"b.json\"\npairing = \"yes\"\n",
       "seedgate.toml:12:11: 'pairing' must be one of \"auto\", \"seed\", \"none\", got \"yes\""},
      {"kind = \"seed-sensitivity\"\nseed_share_at_least = 1.5\n",
       "seedgate.toml:10:23: 'seed_share_at_least' must be between 0 and 1, got 1.5"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\n[statistics]\nresamples = 10\n",
       "seedgate.toml:13:13: 'resamples' must be at least 100, got 10"},
      {"kind = \"threshold\"\nmetric = \"acc\"\nmean_at_least = 0.9\n[statistics]\nsead = 1\n",
       "seedgate.toml:13:1: unknown key 'sead' in [statistics]; did you mean 'seed'?"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(error_of(head + text), expected) << text;
}

TEST(PolicyTest, StatisticsKeysReachTheChecks) {
  auto policy = parse_policy(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = { start = 10, count = 5, max = 20 }
[metrics.acc]
goal = "max"
[statistics]
seed = 42
resamples = 2000
spending = "obrien-fleming"
family = "holm"
[[check]]
kind = "threshold"
metric = "acc"
worst_at_least = 0.9
confidence = 0.9
coverage = 0.8
tolerance = "nonparametric"
inconclusive = "more-seeds"
[[check]]
kind = "variance"
metric = "acc"
cv_at_most = 0.02
confidence = 0.95
tolerance = "nonparametric"
resolution = 0.001
[[check]]
kind = "regression"
metric = "acc"
baseline = "main.json"
pairing = "none"
[[check]]
kind = "failures"
rate_at_most = 0.1
[[check]]
kind = "seed-sensitivity"
seed_share_at_least = 0.8
)",
                             "seedgate.toml", "/tmp");
  ASSERT_TRUE(policy) << policy.error();
  const checks::CheckSpec& t = policy->checks[0].spec;
  EXPECT_EQ(t.confidence, 0.9);
  EXPECT_EQ(t.as<checks::ThresholdSpec>().coverage, 0.8);
  EXPECT_EQ(t.as<checks::ThresholdSpec>().tolerance, checks::Tolerance::nonparametric);
  EXPECT_EQ(policy->checks[0].inconclusive, Inconclusive::more_seeds);
  EXPECT_EQ(policy->statistics.spending, checks::Spending::obrien_fleming);
  EXPECT_EQ(policy->checks[1].spec.bootstrap.seed, 42u);
  EXPECT_EQ(policy->checks[1].spec.bootstrap.resamples, 2000u);
  EXPECT_EQ(policy->checks[1].spec.as<checks::VarianceSpec>().tolerance, checks::Tolerance::nonparametric);
  EXPECT_EQ(policy->checks[1].spec.resolution, 0.001);
  EXPECT_EQ(policy->checks[2].spec.as<checks::RegressionSpec>().pairing, checks::Pairing::none);
  EXPECT_EQ(policy->checks[3].spec.as<checks::FailuresSpec>().rate_at_most, 0.1);
  EXPECT_TRUE(policy->checks[3].spec.metric.empty());
  EXPECT_EQ(policy->checks[4].spec.as<checks::SeedSensitivitySpec>().seed_share_at_least, 0.8);
  EXPECT_EQ(policy->statistics.family, Family::holm);
  EXPECT_EQ(policy->sweep.seeds.seeds.size(), 5u);
  std::vector<std::int64_t> ceiling = policy->sweep.seeds.ceiling();
  ASSERT_EQ(ceiling.size(), 20u);
  EXPECT_EQ(ceiling.front(), 10);
  EXPECT_EQ(ceiling.back(), 29);
}

}  // namespace
// [history] names a store the policy may hold: no password, a known kind.
TEST(PolicyTest, HistoryStoreIsCheckedWhenThePolicyLoads) {
  auto policy = parse(kMinimal + "[history]\nstore = \"sqlite:.seedgate/history.db\"\nbranch = \"nightly\"\n");
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(policy->history.store, "sqlite:.seedgate/history.db");
  EXPECT_EQ(policy->history.branch, "nightly");
  EXPECT_EQ(error_of(kMinimal + "[history]\nstore = \"postgresql://ci:hunter2@db.example/seedgate\"\n"),
            "seedgate.toml:9:9: 'store' holds a password: put it in PGPASSWORD or ~/.pgpass, not in the policy");
  EXPECT_EQ(error_of(kMinimal + "[history]\nstore = \"postgres://db/x?password=hunter2\"\n"),
            "seedgate.toml:9:9: 'store' holds a password: put it in PGPASSWORD or ~/.pgpass, not in the policy");
  EXPECT_EQ(error_of(kMinimal + "[history]\nstore = \"mysql://db/x\"\n"),
            "seedgate.toml:9:9: 'store' must start with \"sqlite:\" or \"postgresql://\", got \"mysql:...\"");
  EXPECT_EQ(error_of(kMinimal + "[history]\nstore = \"postgressql://ci:hunter2@db/x\"\n").find("hunter2"),
            std::string::npos);
  EXPECT_EQ(error_of(kMinimal + "[history]\nstore = \"sqlite:\"\n"),
            "seedgate.toml:9:9: 'store' = \"sqlite:\" names no file (e.g. \"sqlite:.seedgate/history.db\")");
  EXPECT_NE(error_of(kMinimal + "[history]\nbranch = \"x\"\n").find("missing required key 'store' in [history]"),
            std::string::npos);
  EXPECT_NE(error_of(kMinimal + "[history]\nstore = \"sqlite:h.db\"\nbrnach = \"x\"\n").find("brnach"),
            std::string::npos);
}

// A drift check's counts are whole numbers with a floor.
TEST(PolicyTest, DriftWindowAndSpanAreWholeNumbers) {
  const std::string check = "[[check]]\nkind = \"drift\"\nmetric = \"accuracy\"\n";
  auto policy = parse(kMinimal + check + "window = 5\nspan = 12\ndirection = \"worse\"\nbranch = \"main\"\n");
  ASSERT_TRUE(policy) << policy.error();
  const auto& drift = policy->checks.at(0).spec.as<seedgate::checks::DriftSpec>();
  EXPECT_EQ(drift.window, 5);
  EXPECT_EQ(drift.span, 12);
  EXPECT_EQ(drift.direction, seedgate::checks::DriftDirection::worse);
  EXPECT_EQ(drift.branch, "main");
  EXPECT_EQ(error_of(kMinimal + check + "window = 2.5\n"),
            "seedgate.toml:11:10: 'window' must be a whole number from 3 to 1000000, got 2.5");
  EXPECT_EQ(error_of(kMinimal + check + "window = 2\n"),
            "seedgate.toml:11:10: 'window' must be a whole number from 3 to 1000000, got 2");
  EXPECT_EQ(error_of(kMinimal + check + "span = 1\n"),
            "seedgate.toml:11:8: 'span' must be a whole number from 2 to 1000000, got 1");
  EXPECT_EQ(error_of(kMinimal + check + "branch = \"\"\n"), "seedgate.toml:11:10: 'branch' must not be empty");
}

}  // namespace seedgate
