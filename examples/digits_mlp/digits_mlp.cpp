// A small, real training program for seedgate's example sweep: a
// one-hidden-layer network with ReLU, dropout and minibatch SGD over shuffled
// data, trained on the UCI digits (8x8 images). The seed drives weight
// initialisation, shuffling and dropout; the train/test split is fixed.
//
// It speaks seedgate's protocol: --seed (or SEEDGATE_SEED), metrics appended
// as JSON lines to SEEDGATE_METRICS, the trained weights written to
// --out/model.bin so seedgate can digest them, the test set's class
// probabilities written to SEEDGATE_PREDICTIONS.
//
// Random numbers come from std::mt19937_64 (its output is fixed by the
// standard) turned into floats and indices here, not through std::
// distributions, whose output differs between standard libraries.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kInputs = 64;
constexpr int kClasses = 10;

struct Options {
  std::uint64_t seed = 0;
  std::string data = "../data/digits.csv";
  std::string out = ".";
  int epochs = 40;
  int hidden = 32;
  int batch = 16;
  double learning_rate = 0.1;
  double dropout = 0.1;
  int test_rows = 360;
};

struct Dataset {
  std::vector<float> x;  // rows * kInputs, scaled to [0, 1]
  std::vector<int> y;
  std::size_t rows() const { return y.size(); }
};

class Random {
 public:
  explicit Random(std::uint64_t seed) : m_engine(seed) {}
  double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * static_cast<double>(n)); }
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 m_engine;
};

bool load(const std::string& path, Dataset& data) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    std::string cell;
    std::vector<float> row;
    while (std::getline(fields, cell, ',')) row.push_back(std::stof(cell));
    if (row.size() != kInputs + 1) return false;
    for (int i = 0; i < kInputs; ++i) data.x.push_back(row[i] / 16.0f);
    data.y.push_back(static_cast<int>(row[kInputs]));
  }
  return !data.y.empty();
}

struct Network {
  int hidden;
  std::vector<float> w1, b1, w2, b2;  // w1: hidden x inputs, w2: classes x hidden

  Network(int hidden_units, Random& rng) : hidden(hidden_units) {
    auto init = [&](std::vector<float>& w, std::size_t size, int fan_in) {
      double limit = std::sqrt(6.0 / fan_in);
      w.resize(size);
      for (float& v : w) v = static_cast<float>((rng.uniform() * 2 - 1) * limit);
    };
    init(w1, static_cast<std::size_t>(hidden) * kInputs, kInputs);
    init(w2, static_cast<std::size_t>(kClasses) * hidden, hidden);
    b1.assign(static_cast<std::size_t>(hidden), 0.0f);
    b2.assign(kClasses, 0.0f);
  }

  // Forward pass; returns softmax probabilities. `mask` (dropout) may be empty.
  void forward(const float* x, std::vector<float>& h, std::vector<float>& p, const std::vector<float>& mask) const {
    h.assign(static_cast<std::size_t>(hidden), 0.0f);
    for (int j = 0; j < hidden; ++j) {
      float sum = b1[j];
      for (int i = 0; i < kInputs; ++i) sum += w1[j * kInputs + i] * x[i];
      h[j] = std::max(0.0f, sum) * (mask.empty() ? 1.0f : mask[j]);
    }
    p.assign(kClasses, 0.0f);
    float top = -1e30f;
    for (int k = 0; k < kClasses; ++k) {
      float sum = b2[k];
      for (int j = 0; j < hidden; ++j) sum += w2[k * hidden + j] * h[j];
      p[k] = sum;
      top = std::max(top, sum);
    }
    float total = 0;
    for (float& v : p) total += (v = std::exp(v - top));
    for (float& v : p) v /= total;
  }
};

void append_metrics(const char* path, const std::string& line) {
  if (!path || !*path) return;
  std::ofstream(path, std::ios::app) << line << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const char* seed = std::getenv("SEEDGATE_SEED")) o.seed = std::strtoull(seed, nullptr, 10);
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--seed")
      o.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--data")
      o.data = value;
    else if (flag == "--out")
      o.out = value;
    else if (flag == "--epochs")
      o.epochs = std::stoi(value);
    else if (flag == "--hidden")
      o.hidden = std::stoi(value);
    else {
      std::cerr << "usage: digits_mlp [--seed N] [--data FILE] [--out DIR] [--epochs N] [--hidden N]\n";
      return 2;
    }
  }
  Dataset data;
  if (!load(o.data, data)) {
    std::cerr << "digits_mlp: cannot read " << o.data << "\n";
    return 1;
  }
  std::size_t train_rows = data.rows() - static_cast<std::size_t>(o.test_rows);
  Random rng(o.seed);
  Network net(o.hidden, rng);
  const char* metrics = std::getenv("SEEDGATE_METRICS");

  std::vector<std::size_t> order(train_rows);
  for (std::size_t i = 0; i < train_rows; ++i) order[i] = i;
  std::vector<float> h, p, mask(static_cast<std::size_t>(o.hidden));
  std::vector<float> g1(net.w1.size()), gb1(net.b1.size()), g2(net.w2.size()), gb2(net.b2.size());
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    rng.shuffle(order);
    double loss = 0;
    for (std::size_t start = 0; start < train_rows; start += static_cast<std::size_t>(o.batch)) {
      std::size_t end = std::min(train_rows, start + static_cast<std::size_t>(o.batch));
      std::fill(g1.begin(), g1.end(), 0.0f);
      std::fill(gb1.begin(), gb1.end(), 0.0f);
      std::fill(g2.begin(), g2.end(), 0.0f);
      std::fill(gb2.begin(), gb2.end(), 0.0f);
      for (std::size_t n = start; n < end; ++n) {
        const float* x = &data.x[order[n] * kInputs];
        int label = data.y[order[n]];
        for (float& m : mask) m = rng.uniform() < o.dropout ? 0.0f : static_cast<float>(1.0 / (1.0 - o.dropout));
        net.forward(x, h, p, mask);
        loss -= std::log(std::max(p[label], 1e-12f));
        for (int k = 0; k < kClasses; ++k) {
          float d = p[k] - (k == label ? 1.0f : 0.0f);
          gb2[k] += d;
          for (int j = 0; j < o.hidden; ++j) g2[k * o.hidden + j] += d * h[j];
        }
        for (int j = 0; j < o.hidden; ++j) {
          if (h[j] <= 0) continue;
          float d = 0;
          for (int k = 0; k < kClasses; ++k) d += (p[k] - (k == label ? 1.0f : 0.0f)) * net.w2[k * o.hidden + j];
          d *= mask[j];
          gb1[j] += d;
          for (int i = 0; i < kInputs; ++i) g1[j * kInputs + i] += d * x[i];
        }
      }
      float step = static_cast<float>(o.learning_rate / static_cast<double>(end - start));
      for (std::size_t i = 0; i < g1.size(); ++i) net.w1[i] -= step * g1[i];
      for (std::size_t i = 0; i < gb1.size(); ++i) net.b1[i] -= step * gb1[i];
      for (std::size_t i = 0; i < g2.size(); ++i) net.w2[i] -= step * g2[i];
      for (std::size_t i = 0; i < gb2.size(); ++i) net.b2[i] -= step * gb2[i];
    }
    char line[128];
    std::snprintf(line, sizeof line, "{\"step\": %d, \"train_loss\": %.9g}", epoch,
                  loss / static_cast<double>(train_rows));
    append_metrics(metrics, line);
  }

  // The test set's class probabilities go to SEEDGATE_PREDICTIONS (CSV:
  // id,label,p0..p9), for seedgate's ensemble and churn checks.
  const char* predictions = std::getenv("SEEDGATE_PREDICTIONS");
  std::string table = "id,label";
  for (int k = 0; k < kClasses; ++k) table += ",p" + std::to_string(k);
  table += "\n";
  std::size_t correct = 0;
  for (std::size_t n = train_rows; n < data.rows(); ++n) {
    net.forward(&data.x[n * kInputs], h, p, {});
    correct += static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin()) ==
               static_cast<std::size_t>(data.y[n]);
    table += std::to_string(n - train_rows) + "," + std::to_string(data.y[n]);
    for (float v : p) {
      char number[32];
      std::snprintf(number, sizeof number, ",%.9g", static_cast<double>(v));
      table += number;
    }
    table += "\n";
  }
  if (predictions && *predictions) {
    std::string temporary = std::string(predictions) + ".tmp";
    std::ofstream(temporary) << table;
    if (std::rename(temporary.c_str(), predictions) != 0) {
      std::cerr << "digits_mlp: cannot write " << predictions << "\n";
      return 1;
    }
  }
  double accuracy = static_cast<double>(correct) / static_cast<double>(data.rows() - train_rows);
  char line[64];
  std::snprintf(line, sizeof line, "{\"accuracy\": %.9g}", accuracy);
  append_metrics(metrics, line);
  std::cout << "seed " << o.seed << ": test accuracy " << accuracy << "\n";

  std::ofstream model(o.out + "/model.bin", std::ios::binary);
  for (const auto* w : {&net.w1, &net.b1, &net.w2, &net.b2})
    model.write(reinterpret_cast<const char*>(w->data()), static_cast<std::streamsize>(w->size() * sizeof(float)));
  return model ? 0 : 1;
}
