// A LibTorch training program run under seedgate: a two-layer network with
// dropout, trained with Adam on shuffled minibatches of the UCI digits (8x8
// images). The seed drives initialisation, dropout and the shuffling; the
// train/test split is fixed (the last 360 rows are the test set) unless the
// run gets a split seed of its own.
//
// Each source of randomness takes its own seed where seedgate varies it
// ([sweep] vary): SEEDGATE_SEED_INIT the initial weights, SEEDGATE_SEED_ORDER
// the sampler's shuffling, SEEDGATE_SEED_DROPOUT the dropout masks, and
// SEEDGATE_SEED_SPLIT the test set (360 rows drawn at random). Without them,
// SEEDGATE_SEED drives all but the split, as before.
//
// seedgate::torch::configure() reads SEEDGATE_SEED, SEEDGATE_MODE,
// SEEDGATE_DEVICE and SEEDGATE_THREADS and applies LibTorch's determinism
// switches; the session reports the loss per epoch, the test accuracy and a
// digest of the trained weights, and writes the test set's class
// probabilities to SEEDGATE_PREDICTIONS.
//
// --plant-nondeterministic-op adds a call to Tensor::put_ without
// accumulate, which has no deterministic implementation in LibTorch 1.13: in
// deterministic mode the run stops there and seedgate reports a determinism
// violation naming the op. --report-initial-weights also reports the
// untrained weights' digest (artifact "initial_weights").
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <seedgate/torch.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int kInputs = 64;
constexpr int kClasses = 10;
constexpr int kTestRows = 360;

struct Options {
  std::string data = "../data/digits.csv";
  int epochs = 30;
  int batch = 32;
  int hidden = 64;
  double learning_rate = 2e-3;
  double dropout = 0.2;
  bool plant_nondeterministic_op = false;
  bool report_initial_weights = false;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--data") {
      o.data = value();
    } else if (arg == "--epochs") {
      o.epochs = std::stoi(value());
    } else if (arg == "--plant-nondeterministic-op") {
      o.plant_nondeterministic_op = true;
    } else if (arg == "--report-initial-weights") {
      o.report_initial_weights = true;
    } else if (arg == "--help") {
      std::cout << "usage: digits_torch [--data digits.csv] [--epochs N] [--plant-nondeterministic-op]\n"
                   "                    [--report-initial-weights]\n"
                   "Seeds, mode, device and threads come from seedgate's SEEDGATE_* variables.\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + arg + " (see --help)");
    }
  }
  return o;
}

struct Digits {
  torch::Tensor images;  // [rows, 64], scaled to [0, 1]
  torch::Tensor labels;  // [rows], int64
};

// 64 pixel values (0..16) then the label, per line.
Digits load_digits(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<float> pixels;
  std::vector<std::int64_t> labels;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    std::string field;
    std::vector<float> row;
    while (std::getline(fields, field, ',')) row.push_back(std::stof(field));
    if (row.size() != kInputs + 1)
      throw std::runtime_error(path + ":" + std::to_string(number) + ": expected 65 values, got " +
                               std::to_string(row.size()));
    pixels.insert(pixels.end(), row.begin(), row.end() - 1);
    labels.push_back(static_cast<std::int64_t>(row.back()));
  }
  auto rows = static_cast<std::int64_t>(labels.size());
  if (rows <= kTestRows) throw std::runtime_error(path + ": too few rows");
  return {torch::tensor(pixels).reshape({rows, kInputs}) / 16.0, torch::tensor(labels)};
}

class DigitsDataset : public torch::data::datasets::Dataset<DigitsDataset> {
 public:
  DigitsDataset(torch::Tensor images, torch::Tensor labels)
      : m_images(std::move(images)), m_labels(std::move(labels)) {}
  torch::data::Example<> get(std::size_t index) override {
    auto i = static_cast<std::int64_t>(index);
    return {m_images[i], m_labels[i]};
  }
  torch::optional<std::size_t> size() const override { return static_cast<std::size_t>(m_labels.size(0)); }

 private:
  torch::Tensor m_images, m_labels;
};

struct NetImpl : torch::nn::Module {
  NetImpl(int hidden, double dropout)
      : hidden_layer(register_module("hidden", torch::nn::Linear(kInputs, hidden))),
        drop(register_module("dropout", torch::nn::Dropout(dropout))),
        output(register_module("output", torch::nn::Linear(hidden, kClasses))) {}
  torch::Tensor forward(const torch::Tensor& x) { return output(drop(torch::relu(hidden_layer(x)))); }
  torch::nn::Linear hidden_layer;
  torch::nn::Dropout drop;
  torch::nn::Linear output;
};
TORCH_MODULE(Net);

void train(const Options& options) {
  seedgate::torch::Session session = seedgate::torch::configure();
  const torch::Device device = session.device();
  Digits digits = load_digits(options.data);
  using seedgate::torch::Source;
  if (session.settings().has_own_seed(Source::split)) {
    // A split of its own: the rows in the split seed's order, the last 360 for testing.
    torch::Tensor order = seedgate::torch::permutation(digits.labels.size(0),
                                                       static_cast<std::uint64_t>(session.seed_for(Source::split)));
    digits = {digits.images.index_select(0, order), digits.labels.index_select(0, order)};
  }
  std::int64_t test_rows = kTestRows;
  if (const char* fold = std::getenv("SEEDGATE_FOLD")) {
    // Cross-validation ([sweep] folds): the rows in the fold seed's order, cut
    // into SEEDGATE_FOLDS equal parts; this run tests on part SEEDGATE_FOLD
    // and trains on the rest.
    const char* folds_text = std::getenv("SEEDGATE_FOLDS");
    const char* fold_seed = std::getenv("SEEDGATE_FOLD_SEED");
    std::int64_t folds = folds_text ? std::stoll(folds_text) : 0, k = std::stoll(fold);
    if (folds < 2 || k < 0 || k >= folds) throw std::invalid_argument("SEEDGATE_FOLD is outside 0..SEEDGATE_FOLDS-1");
    std::int64_t n = digits.labels.size(0);
    torch::Tensor order =
        seedgate::torch::permutation(n, fold_seed ? static_cast<std::uint64_t>(std::stoull(fold_seed)) : 0);
    std::int64_t begin = k * n / folds, end = (k + 1) * n / folds;
    torch::Tensor rows = torch::cat({order.slice(0, 0, begin), order.slice(0, end), order.slice(0, begin, end)});
    digits = {digits.images.index_select(0, rows), digits.labels.index_select(0, rows)};
    test_rows = end - begin;
  }
  std::int64_t train_rows = digits.labels.size(0) - test_rows;
  torch::Tensor test_images = digits.images.slice(0, train_rows).to(device);
  torch::Tensor test_labels = digits.labels.slice(0, train_rows).to(device);

  // The sampler shuffles from the order seed alone; RandomSampler would draw
  // from the global generator that initialisation and dropout also draw from.
  auto loader = torch::data::make_data_loader(
      DigitsDataset(digits.images.slice(0, 0, train_rows), digits.labels.slice(0, 0, train_rows))
          .map(torch::data::transforms::Stack<>()),
      seedgate::torch::SeededRandomSampler(static_cast<std::size_t>(train_rows),
                                           static_cast<std::uint64_t>(session.seed_for(Source::order))),
      torch::data::DataLoaderOptions().batch_size(static_cast<std::size_t>(options.batch)));

  // configure() seeded the global generator with the init seed: the weights come from it.
  Net net(options.hidden, options.dropout);
  net->to(device);
  if (options.report_initial_weights) session.digest("initial_weights", *net);
  // From here dropout draws from the dropout seed (when the run sets init or dropout apart).
  session.seed_dropout();
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(options.learning_rate));
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    net->train();
    double loss_sum = 0;
    std::int64_t seen = 0;
    for (auto& batch : *loader) {
      torch::Tensor images = batch.data.to(device), labels = batch.target.to(device);
      optimizer.zero_grad();
      torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(images), labels);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(labels.size(0));
      seen += labels.size(0);
    }
    session.metric("train_loss", loss_sum / static_cast<double>(seen), epoch);
  }

  torch::NoGradGuard no_grad;
  net->eval();
  torch::Tensor logits = net->forward(test_images);
  torch::Tensor predicted = logits.argmax(1);
  if (options.plant_nondeterministic_op) {
    // A per-class tally written with put_: with accumulate = false, which of
    // several writes to one index wins is unspecified, so deterministic mode
    // refuses it.
    torch::Tensor last_seen = torch::zeros({kClasses}, torch::TensorOptions().dtype(torch::kLong).device(device));
    last_seen.put_(predicted, torch::arange(predicted.size(0), last_seen.options()), /*accumulate=*/false);
  }
  double accuracy = predicted.eq(test_labels).to(torch::kDouble).mean().item<double>();
  double test_loss = torch::nn::functional::cross_entropy(logits, test_labels).item<double>();
  session.metrics({{"accuracy", accuracy}, {"test_loss", test_loss}});
  session.digest("weights", *net);
  // The test set's class probabilities, for seedgate's ensemble and churn checks.
  session.predictions(torch::softmax(logits, 1), test_labels);
}

}  // namespace

int main(int argc, char** argv) {
  return seedgate::torch::guarded_main([&] { train(parse_options(argc, argv)); });
}
