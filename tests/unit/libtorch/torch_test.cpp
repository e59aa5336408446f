// seedgate::torch against the real LibTorch: the protocol's variables, the
// switches configure() applies, digests, records and the seeded sampler.
// Each test runs in its own process (gtest_discover_tests), so LibTorch's
// global state starts fresh in every one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <seedgate/torch.hpp>
#include <sstream>

namespace {

namespace fs = std::filesystem;
namespace sg = seedgate::torch;

sg::Lookup lookup_from(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const sg::ConfigurationError& e) {
    return e.what();
  }
  return "(no error)";
}

fs::path temp_file(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("seedgate-torch-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / name;
  fs::remove(path);
  return path;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A small network, optionally with a buffer (BatchNorm's running
// statistics), trained a few steps on fixed data with dropout, so the seed
// reaches the weights through initialisation and dropout.
struct Net : torch::nn::Module {
  explicit Net(bool with_norm = true)
      : fc1(register_module("fc1", torch::nn::Linear(16, 32))),
        norm(with_norm ? register_module("norm", torch::nn::BatchNorm1d(32)) : nullptr),
        fc2(register_module("fc2", torch::nn::Linear(32, 4))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor h = fc1(x);
    if (norm) h = norm(h);
    return fc2(torch::dropout(torch::relu(h), 0.3, is_training()));
  }
  torch::nn::Linear fc1;
  torch::nn::BatchNorm1d norm;
  torch::nn::Linear fc2;
};

std::string train_and_digest(std::int64_t seed, int threads, bool with_norm = true) {
  torch::manual_seed(static_cast<std::uint64_t>(seed));
  torch::set_num_threads(threads);
  Net net(with_norm);
  torch::optim::Adam optimizer(net.parameters(), torch::optim::AdamOptions(1e-2));
  torch::Tensor x = torch::linspace(-1, 1, 64 * 16).reshape({64, 16}).sin();
  torch::Tensor y = torch::arange(64).remainder(4);
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net.forward(x), y);
    loss.backward();
    optimizer.step();
  }
  return sg::digest(net);
}

TEST(TorchSettings, ReadsTheProtocolVariables) {
  sg::Settings s = sg::settings_from_environment(lookup_from({{"SEEDGATE_SEED", "-42"},
                                                              {"SEEDGATE_MODE", "default"},
                                                              {"SEEDGATE_DEVICE", "cuda:1"},
                                                              {"SEEDGATE_THREADS", "2"},
                                                              {"SEEDGATE_REPEAT", "1"},
                                                              {"SEEDGATE_RUN_DIR", "/tmp/run"},
                                                              {"SEEDGATE_METRICS", "/tmp/run/metrics.jsonl"}}));
  EXPECT_EQ(s.seed, -42);
  EXPECT_FALSE(s.deterministic);
  EXPECT_EQ(s.device, "cuda:1");
  EXPECT_EQ(s.threads, 2);
  EXPECT_EQ(s.repeat, 1);
  EXPECT_EQ(s.run_dir, "/tmp/run");
  EXPECT_EQ(s.metrics_path, "/tmp/run/metrics.jsonl");
  EXPECT_TRUE(s.under_seedgate);
}

TEST(TorchSettings, ByHandMeansSeedZeroDeterministicOnTheCpu) {
  sg::Settings s = sg::settings_from_environment(lookup_from({}));
  EXPECT_EQ(s.seed, 0);
  EXPECT_TRUE(s.deterministic);
  EXPECT_EQ(s.device, "cpu");
  EXPECT_EQ(s.threads, 0);
  EXPECT_TRUE(s.metrics_path.empty());
  EXPECT_FALSE(s.under_seedgate);
}

TEST(TorchSettings, MalformedValuesAreClearErrors) {
  EXPECT_EQ(error_of([] {
              sg::settings_from_environment(lookup_from({{"SEEDGATE_SEED", "12abc"}}));
            }),
            "SEEDGATE_SEED='12abc' is not an integer between -9223372036854775808 and 9223372036854775807");
  EXPECT_EQ(error_of([] {
              sg::settings_from_environment(lookup_from({{"SEEDGATE_MODE", "fast"}}));
            }),
            "SEEDGATE_MODE='fast' is not \"deterministic\" or \"default\"");
  EXPECT_EQ(error_of([] {
              sg::settings_from_environment(lookup_from({{"SEEDGATE_DEVICE", "cuda:x"}}));
            }),
            "SEEDGATE_DEVICE='cuda:x' is not \"cpu\", \"cuda\" or \"cuda:N\"");
  EXPECT_EQ(error_of([] {
              sg::settings_from_environment(lookup_from({{"SEEDGATE_THREADS", "0"}}));
            }),
            "SEEDGATE_THREADS='0' is not an integer between 1 and 4096");
}

TEST(TorchConfigure, DeterministicModeTurnsEverySwitch) {
  sg::Settings s;
  s.seed = 7;
  s.threads = 2;
  sg::Applied a = sg::apply(s, lookup_from({}));
  EXPECT_TRUE(a.deterministic_algorithms);
  EXPECT_FALSE(a.deterministic_warn_only);  // error mode, not warn
  EXPECT_TRUE(a.cudnn_deterministic);
  EXPECT_FALSE(a.cudnn_benchmark);
  EXPECT_FALSE(a.tf32_cublas);
  EXPECT_FALSE(a.tf32_cudnn);
  EXPECT_EQ(a.intra_op_threads, 2);
  EXPECT_EQ(a.inter_op_threads, 2);
  // The global generator is seeded: the same draw as manual_seed(7) gives.
  torch::Tensor after_apply = torch::rand({4});
  torch::manual_seed(7);
  EXPECT_TRUE(torch::equal(after_apply, torch::rand({4})));

  std::map<std::string, std::string> env = sg::environment_record(s, a);
  EXPECT_EQ(env.at("adapter"), "seedgate::torch");
  EXPECT_EQ(env.at("torch"), TORCH_VERSION);
  EXPECT_EQ(env.at("deterministic_algorithms"), "error");
  EXPECT_EQ(env.at("tf32_cudnn"), "off");
  EXPECT_EQ(env.at("intra_op_threads"), "2");
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(env.at("cuda"), "none");
    EXPECT_EQ(env.at("gpu"), "none");
  }
}

TEST(TorchConfigure, DefaultModeLeavesLibTorchsDefaults) {
  sg::Settings s;
  s.deterministic = false;
  sg::Applied a = sg::apply(s, lookup_from({}));
  EXPECT_FALSE(a.deterministic_algorithms);
  EXPECT_FALSE(a.cudnn_deterministic);
  EXPECT_TRUE(a.tf32_cudnn);  // LibTorch's default, which deterministic mode turns off
}

TEST(TorchConfigure, InterOpThreadsCannotChangeOnceParallelWorkStarted) {
  // Starts the inter-op pool at LibTorch's default size. The task is awaited:
  // a pool thread still starting up when the program exits deadlocks
  // LibTorch 1.13's exit handlers (its ThreadPool destructor joins a thread
  // that is inside at::set_num_threads).
  std::promise<void> ran;
  at::launch([&ran] { ran.set_value(); });
  ran.get_future().wait();
  sg::Settings s;
  s.threads = at::get_num_interop_threads() + 1;
  EXPECT_EQ(error_of([&] { sg::apply(s, lookup_from({})); }), "cannot set LibTorch's inter-op threads to " +
                                                                  std::to_string(s.threads) +
                                                                  ": call configure() before any parallel work starts");
}

TEST(TorchConfigure, CudaRunsNeedCudaAndTheCublasWorkspace) {
  sg::Settings s;
  s.device = "cuda";
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(error_of([&] { sg::apply(s, lookup_from({})); }),
              "SEEDGATE_DEVICE='cuda' but LibTorch sees no CUDA device (a CPU-only LibTorch, or no GPU visible)");
    return;
  }
  EXPECT_NE(error_of([&] { sg::apply(s, lookup_from({})); }).find("needs CUBLAS_WORKSPACE_CONFIG=:4096:8"),
            std::string::npos);
  sg::Applied a = sg::apply(s, lookup_from({{"CUBLAS_WORKSPACE_CONFIG", ":4096:8"}}));
  EXPECT_TRUE(a.deterministic_algorithms);
}

TEST(TorchDigest, SameSeedSameDigestAcrossRunsAndThreadCounts) {
  sg::apply(sg::Settings{}, lookup_from({}));  // deterministic mode
  std::string first = train_and_digest(3, 1);
  EXPECT_EQ(first.rfind("xxh3:", 0), 0u);
  EXPECT_EQ(first.size(), 5u + 16u);
  EXPECT_EQ(train_and_digest(3, 1), first);
  // Across thread counts only without BatchNorm: its batch statistics are
  // summed in per-thread chunks, so 1 and 2 threads round differently even in
  // deterministic mode (seen with LibTorch 1.13). Deterministic algorithms
  // promise run-to-run equality, not equality across thread counts; the
  // consistency check, with a tolerance, is for that.
  EXPECT_EQ(train_and_digest(3, 1, false), train_and_digest(3, 2, false));
}

TEST(TorchDigest, DifferentSeedsDifferentDigests) {
  sg::apply(sg::Settings{}, lookup_from({}));
  EXPECT_NE(train_and_digest(1, 1), train_and_digest(2, 1));
}

TEST(TorchDigest, CoversBuffersNamesAndShapes) {
  torch::manual_seed(0);
  Net net;
  std::string before = sg::digest(net);
  net.norm->running_mean.add_(1e-3);  // a buffer, not a parameter
  EXPECT_NE(sg::digest(net), before);

  // Same bytes, different shape: a different model.
  torch::nn::Linear a(torch::nn::LinearOptions(4, 2).bias(false)), b(torch::nn::LinearOptions(2, 4).bias(false));
  torch::NoGradGuard no_grad;
  a->weight.copy_(torch::arange(8, torch::kFloat).reshape({2, 4}));
  b->weight.copy_(torch::arange(8, torch::kFloat).reshape({4, 2}));
  EXPECT_NE(sg::digest(*a), sg::digest(*b));
}

TEST(TorchDigest, ACudaModuleDigestsAsOnTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: the CPU copy path is covered by the other tests";
  torch::manual_seed(0);
  Net net;
  std::string on_cpu = sg::digest(net);
  net.to(torch::kCUDA);
  EXPECT_EQ(sg::digest(net), on_cpu);
}

TEST(TorchSession, WritesProtocolRecords) {
  fs::path metrics = temp_file("records.jsonl");
  sg::Settings s;
  s.metrics_path = metrics.string();
  sg::Session session(s, sg::Applied{});
  session.metric("loss", 0.25, 3);
  session.metrics({{"accuracy", 0.1}, {"odd \"name\"", std::nan("")}});
  torch::manual_seed(0);
  torch::nn::Linear layer(2, 2);
  std::string digest = session.digest("weights", *layer);
  session.event("note", "line one\nline two");
  EXPECT_EQ(read_text(metrics),
            "{\"step\": 3, \"loss\": 0.25}\n"
            "{\"accuracy\": 0.1, \"odd \\\"name\\\"\": NaN}\n"
            "{\"type\": \"artifact\", \"name\": \"weights\", \"digest\": \"" +
                digest +
                "\"}\n"
                "{\"type\": \"event\", \"name\": \"note\", \"message\": \"line one\\nline two\"}\n");
}

TEST(TorchSession, UnwritableMetricsFileIsAClearError) {
  sg::Settings s;
  s.metrics_path = "/nonexistent-dir/metrics.jsonl";
  EXPECT_EQ(error_of([&] { sg::Session session(s, sg::Applied{}); }),
            "cannot open SEEDGATE_METRICS='/nonexistent-dir/metrics.jsonl' for appending");
}

TEST(TorchViolation, NamesTheOpFromLibTorchsText) {
  EXPECT_EQ(sg::nondeterministic_op("put_ does not have a deterministic implementation, but you set ..."), "put_");
  EXPECT_EQ(sg::nondeterministic_op("what():  index_add_cuda_ does not have a deterministic implementation"),
            "index_add_cuda_");
  EXPECT_EQ(sg::nondeterministic_op("CUDA out of memory"), std::nullopt);
}

TEST(TorchViolation, GuardedMainReportsTheOpAsAnEvent) {
  fs::path metrics = temp_file("violation.jsonl");
  ::setenv("SEEDGATE_METRICS", metrics.c_str(), 1);
  int code = sg::guarded_main([] {
    sg::apply(sg::Settings{}, lookup_from({}));  // deterministic: put_ without accumulate is refused
    torch::Tensor t = torch::zeros({4});
    t.put_(torch::tensor({1, 1}), torch::tensor({1.0f, 2.0f}), /*accumulate=*/false);
  });
  ::unsetenv("SEEDGATE_METRICS");
  EXPECT_EQ(code, 1);
  EXPECT_EQ(read_text(metrics),
            "{\"type\": \"event\", \"name\": \"nondeterministic-op\", \"message\": \"put_ does not have a "
            "deterministic implementation\"}\n");
}

TEST(TorchViolation, OtherErrorsExitOneWithoutAnEvent) {
  fs::path metrics = temp_file("other.jsonl");
  ::setenv("SEEDGATE_METRICS", metrics.c_str(), 1);
  int code = sg::guarded_main([] { throw std::runtime_error("data file missing"); });
  ::unsetenv("SEEDGATE_METRICS");
  EXPECT_EQ(code, 1);
  EXPECT_FALSE(fs::exists(metrics));
  EXPECT_EQ(sg::guarded_main([] {}), 0);
}

TEST(TorchSampler, ShufflesFromItsSeedAloneAndResumes) {
  auto epoch_order = [](sg::SeededRandomSampler& sampler) {
    std::vector<std::size_t> order;
    while (auto batch = sampler.next(7)) order.insert(order.end(), batch->begin(), batch->end());
    return order;
  };
  torch::manual_seed(1);
  sg::SeededRandomSampler a(50, 11);
  std::vector<std::size_t> first = epoch_order(a);
  torch::rand({100});  // draws from the global generator between the two change nothing
  sg::SeededRandomSampler b(50, 11), c(50, 12);
  EXPECT_EQ(epoch_order(b), first);
  EXPECT_NE(epoch_order(c), first);
  std::vector<std::size_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i);

  a.reset();
  std::vector<std::size_t> second = epoch_order(a);
  EXPECT_NE(second, first);  // each epoch its own order

  // Saved mid-epoch, loaded into a sampler of another seed: it goes on where it was.
  a.reset();
  auto head = a.next(10);
  torch::serialize::OutputArchive out;
  a.save(out);
  std::stringstream stream;
  out.save_to(stream);
  std::vector<std::size_t> rest_a = epoch_order(a);
  torch::serialize::InputArchive in;
  in.load_from(stream);
  sg::SeededRandomSampler restored(50, 99);
  restored.load(in);
  EXPECT_EQ(epoch_order(restored), rest_a);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size(), 10u);
  EXPECT_EQ(rest_a.size(), 40u);
}

TEST(TorchSampler, PermutationDoesNotTouchTheGlobalGenerator) {
  torch::manual_seed(5);
  torch::Tensor expected = torch::rand({3});
  torch::manual_seed(5);
  torch::Tensor p = sg::permutation(10, 123);
  EXPECT_TRUE(torch::equal(torch::rand({3}), expected));
  EXPECT_TRUE(torch::equal(p, sg::permutation(10, 123)));
  EXPECT_TRUE(std::get<0>(p.sort()).equal(torch::arange(10)));
}

std::string write_error(const torch::Tensor& outputs, const torch::Tensor& labels) {
  try {
    sg::write_predictions("/tmp/unused-predictions", outputs, labels);
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    std::string prefix = "cannot write predictions to '/tmp/unused-predictions': ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
  }
  return "(no error)";
}

TEST(TorchPredictions, ProbabilitiesClassesAndValuesByTheOutputsShape) {
  fs::path path = temp_file("predictions");
  torch::Tensor labels = torch::tensor({1, 0, 2}, torch::kLong);
  torch::Tensor probabilities = torch::tensor({0.25f, 0.5f, 0.25f, 0.75f, 0.125f, 0.125f, 0.0f, 0.0f, 1.0f});
  sg::write_predictions(path, probabilities.reshape({3, 3}), labels);
  EXPECT_EQ(read_text(path), "id,label,p0,p1,p2\n0,1,0.25,0.5,0.25\n1,0,0.75,0.125,0.125\n2,2,0,0,1\n");
  // Strided and double: copied contiguous as float; float labels that are whole numbers are classes.
  sg::write_predictions(path, torch::tensor({0.25, 0.75, 1.0, 0.0}, torch::kDouble).reshape({2, 2}).t(),
                        torch::tensor({1.0f, 0.0f}));
  EXPECT_EQ(read_text(path), "id,label,p0,p1\n0,1,0.25,1\n1,0,0.75,0\n");
  sg::write_predictions(path, torch::tensor({2, 0, 2}, torch::kLong), labels, {7, 8, 9});
  EXPECT_EQ(read_text(path), "id,label,class\n7,1,2\n8,0,0\n9,2,2\n");
  sg::write_predictions(path, torch::tensor({0.5f, -1.25f}).reshape({2, 1}), torch::tensor({0.5, 2.0}));
  EXPECT_EQ(read_text(path), "id,target,value\n0,0.5,0.5\n1,2,-1.25\n");
  sg::write_predictions(path, probabilities.reshape({3, 3}), labels, {}, seedgate::protocol::PredictionsFormat::binary);
  EXPECT_EQ(read_text(path).substr(0, 8), "SGPRED1\n");
  EXPECT_EQ(fs::file_size(path), 8u + 4 + 4 + 8 + 3 * (8 + 8 + 3 * 4));
}

TEST(TorchPredictions, ShapesThatDisagreeAndFractionalLabelsAreErrors) {
  EXPECT_EQ(write_error(torch::rand({4, 3}), torch::zeros({3}, torch::kLong)),
            "outputs of shape [4, 3] and labels of shape [3] are not [N, K] probabilities, [N] classes or [N] "
            "values with [N] labels");
  EXPECT_EQ(write_error(torch::rand({2, 3, 4}), torch::zeros({2}, torch::kLong)),
            "outputs of shape [2, 3, 4] and labels of shape [2] are not [N, K] probabilities, [N] classes or [N] "
            "values with [N] labels");
  EXPECT_EQ(write_error(torch::zeros({2, 2}, torch::kLong), torch::zeros({2}, torch::kLong)),
            "outputs of shape [2, 2] and labels of shape [2] are not [N, K] probabilities, [N] classes or [N] "
            "values with [N] labels");
  EXPECT_EQ(write_error(torch::rand({2, 2}), torch::tensor({0.0f, 0.5f})),
            "labels of type Float are not whole-number classes");
}

TEST(TorchPredictions, TheSessionWritesToItsPathAndNothingWithoutOne) {
  fs::path path = temp_file("session-predictions");
  sg::Settings settings;
  settings.predictions_path = path.string();
  sg::Session session(settings, sg::Applied{});
  session.predictions(torch::tensor({0.5f, 0.5f}).reshape({1, 2}), torch::tensor({1}));
  EXPECT_EQ(read_text(path), "id,label,p0,p1\n0,1,0.5,0.5\n");
  fs::remove(path);
  sg::Session by_hand(sg::Settings{}, sg::Applied{});
  by_hand.predictions(torch::tensor({0.5f, 0.5f}).reshape({1, 2}), torch::tensor({1}));
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace

// Per-source seeds (protocol::Source): the init seed reaches the weights
// through configure()'s manual_seed, the order seed reaches only what is
// given it, and seed_dropout() makes dropout independent of the init seed.
namespace {

sg::Settings settings_with(std::map<std::string, std::string> env) {
  return sg::settings_from_environment(lookup_from(std::move(env)));
}

// The weights a model built right after apply() starts from.
std::string initial_digest(const sg::Settings& settings) {
  sg::apply(settings, lookup_from({}));
  Net net(/*with_norm=*/false);
  return sg::digest(net);
}

}  // namespace

TEST(TorchSources, TheOrderSeedLeavesTheInitialWeightsAndMovesOnlyThePermutation) {
  sg::Settings a = settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_ORDER", "10"}});
  sg::Settings b = settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_ORDER", "11"}});
  EXPECT_EQ(initial_digest(a), initial_digest(b));
  EXPECT_EQ(initial_digest(a), initial_digest(settings_with({{"SEEDGATE_SEED", "3"}})));
  auto order = [](const sg::Settings& s) {
    return sg::permutation(100, static_cast<std::uint64_t>(s.seed_for(sg::Source::order)));
  };
  EXPECT_FALSE(torch::equal(order(a), order(b)));
  EXPECT_TRUE(torch::equal(order(a), sg::permutation(100, 10)));
}

TEST(TorchSources, TheInitSeedMovesTheInitialWeightsAndLeavesTheOrder) {
  sg::Settings a = settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_INIT", "20"}});
  sg::Settings b = settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_INIT", "21"}});
  EXPECT_NE(initial_digest(a), initial_digest(b));
  // The init seed is what manual_seed got: the same weights as SEEDGATE_SEED=20.
  EXPECT_EQ(initial_digest(a), initial_digest(settings_with({{"SEEDGATE_SEED", "20"}})));
  sg::Session sa(a, sg::Applied{}), sb(b, sg::Applied{});
  EXPECT_EQ(sa.seed_for(sg::Source::order), 3);
  EXPECT_TRUE(torch::equal(sg::permutation(100, static_cast<std::uint64_t>(sa.seed_for(sg::Source::order))),
                           sg::permutation(100, static_cast<std::uint64_t>(sb.seed_for(sg::Source::order)))));
}

TEST(TorchSources, SeedDropoutSeparatesDropoutFromInitialisation) {
  // The weights and the first dropout mask drawn after seed_dropout().
  auto run = [](const sg::Settings& settings) {
    std::string weights = initial_digest(settings);
    bool reseeded = sg::seed_dropout(settings);
    torch::Tensor mask = torch::dropout(torch::ones({256}), 0.5, /*train=*/true);
    return std::make_tuple(weights, mask, reseeded);
  };
  auto [init_a, mask_a, reseeded_a] = run(settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_INIT", "1"}}));
  auto [init_b, mask_b, reseeded_b] = run(settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_INIT", "2"}}));
  EXPECT_TRUE(reseeded_a && reseeded_b);
  EXPECT_NE(init_a, init_b);
  EXPECT_TRUE(torch::equal(mask_a, mask_b)) << "init varied, dropout held";

  auto [init_c, mask_c, reseeded_c] = run(settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_DROPOUT", "1"}}));
  auto [init_d, mask_d, reseeded_d] = run(settings_with({{"SEEDGATE_SEED", "3"}, {"SEEDGATE_SEED_DROPOUT", "2"}}));
  EXPECT_TRUE(reseeded_c && reseeded_d);
  EXPECT_EQ(init_c, init_d) << "dropout varied, init held";
  EXPECT_FALSE(torch::equal(mask_c, mask_d));
  // Dropout's seed is what the generator got: the mask manual_seed(1) gives.
  torch::manual_seed(1);
  EXPECT_TRUE(torch::equal(mask_c, torch::dropout(torch::ones({256}), 0.5, true)));
}

TEST(TorchSources, UnderSeedgateSeedAloneTheGeneratorRunsOnAsBefore) {
  sg::Settings s = settings_with({{"SEEDGATE_SEED", "3"}});
  sg::apply(s, lookup_from({}));
  Net net(false);
  EXPECT_FALSE(sg::seed_dropout(s));
  torch::Tensor mask = torch::dropout(torch::ones({256}), 0.5, true);
  // The draws a program made before per-source seeds: manual_seed, build, dropout.
  torch::manual_seed(3);
  Net same(false);
  EXPECT_EQ(sg::digest(net), sg::digest(same));
  EXPECT_TRUE(torch::equal(mask, torch::dropout(torch::ones({256}), 0.5, true)));
}

#if defined(DIGITS_TORCH) && defined(DIGITS_CSV)
namespace {

// digits_torch's records for a few epochs with `env` (and nothing else of
// this process's environment): the initial weights' digest, the final
// metrics line and the trained weights' digest.
struct DigitsRun {
  std::string initial, metrics, trained;
};

DigitsRun run_digits(const std::string& env) {
  std::string command =
      "env -i " + env + " '" DIGITS_TORCH "' --data '" DIGITS_CSV "' --epochs 4 --report-initial-weights 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0) << command << "\n" << output;
  DigitsRun run;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    auto digest = [&] { return line.substr(line.find("\"digest\": ") + 10); };
    if (line.find("\"name\": \"initial_weights\"") != std::string::npos) run.initial = digest();
    if (line.find("\"name\": \"weights\"") != std::string::npos) run.trained = digest();
    if (line.rfind("{\"accuracy\"", 0) == 0) run.metrics = line;
  }
  EXPECT_FALSE(run.initial.empty() || run.metrics.empty() || run.trained.empty()) << output;
  return run;
}

}  // namespace

TEST(TorchSources, DigitsExampleOrderSeedKeepsTheInitialWeightsAndChangesTheResult) {
  DigitsRun base = run_digits("SEEDGATE_SEED=3 SEEDGATE_SEED_ORDER=10");
  DigitsRun order = run_digits("SEEDGATE_SEED=3 SEEDGATE_SEED_ORDER=11");
  EXPECT_EQ(order.initial, base.initial);
  EXPECT_NE(order.metrics, base.metrics);
  EXPECT_NE(order.trained, base.trained);
  // Same sources, same run: the differences above come from the order seed.
  DigitsRun again = run_digits("SEEDGATE_SEED=3 SEEDGATE_SEED_ORDER=10");
  EXPECT_EQ(again.metrics, base.metrics);
  EXPECT_EQ(again.trained, base.trained);

  DigitsRun init = run_digits("SEEDGATE_SEED=3 SEEDGATE_SEED_ORDER=10 SEEDGATE_SEED_INIT=4");
  EXPECT_NE(init.initial, base.initial);
}
#endif
