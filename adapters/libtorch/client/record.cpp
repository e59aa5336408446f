// seedgate::torch: protocol records, model digests and seeded shuffling.
#include <ATen/CPUGeneratorImpl.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "seedgate/torch.hpp"
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace seedgate::torch {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void hash_tensor(XXH3_state_t* state, const std::string& kind, const std::string& name, const ::torch::Tensor& t) {
  std::string header = kind + ":" + name + ":" + std::string(c10::toString(t.scalar_type()));
  XXH3_64bits_update(state, header.data(), header.size() + 1);  // with the terminating NUL
  std::int64_t dims = t.dim();
  XXH3_64bits_update(state, &dims, sizeof dims);
  for (std::int64_t size : t.sizes()) XXH3_64bits_update(state, &size, sizeof size);
  ::torch::Tensor bytes = t.detach().to(::torch::kCPU).contiguous();
  XXH3_64bits_update(state, bytes.data_ptr(), bytes.numel() * bytes.element_size());
}

}  // namespace

std::string digest(const ::torch::nn::Module& module) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  for (const auto& item : module.named_parameters(/*recurse=*/true))
    hash_tensor(&state, "parameter", item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true))
    hash_tensor(&state, "buffer", item.key(), item.value());
  char text[32];
  std::snprintf(text, sizeof text, "xxh3:%016" PRIx64, static_cast<std::uint64_t>(XXH3_64bits_digest(&state)));
  return text;
}

Session::Session(Settings settings, Applied applied)
    : m_settings(std::move(settings)), m_applied(applied), m_writer(m_settings.metrics_path) {}

::torch::Device Session::device() const {
  if (m_settings.device == "cpu") return ::torch::kCPU;
  // seedgate shows a CUDA run only its GPU, as device 0; by hand, cuda:N is N.
  int index = 0;
  if (m_settings.device.size() > 5 && !std::getenv("CUDA_VISIBLE_DEVICES"))
    index = std::stoi(m_settings.device.substr(5));
  return {::torch::kCUDA, static_cast<c10::DeviceIndex>(index)};
}

void Session::metric(std::string_view name, double value, std::optional<std::int64_t> step) {
  metrics({{std::string(name), value}}, step);
}

void Session::metrics(const std::vector<std::pair<std::string, double>>& values, std::optional<std::int64_t> step) {
  m_writer.metrics(values, step);
}

std::string Session::digest(std::string_view name, const ::torch::nn::Module& module) {
  std::string value = seedgate::torch::digest(module);
  m_writer.artifact(name, value);
  return value;
}

void Session::event(std::string_view name, std::string_view message) {
  m_writer.event(name, message);
}

void Session::environment(const std::map<std::string, std::string>& values) {
  m_writer.environment(values);
}

void Session::predictions(const ::torch::Tensor& outputs, const ::torch::Tensor& labels,
                          const std::vector<std::int64_t>& ids) {
  if (!m_settings.predictions_path.empty()) write_predictions(m_settings.predictions_path, outputs, labels, ids);
}

void write_predictions(const std::string& path, const ::torch::Tensor& outputs, const ::torch::Tensor& labels,
                       const std::vector<std::int64_t>& ids, protocol::PredictionsFormat format) {
  auto fail = [&](const std::string& reason) {
    throw std::runtime_error("cannot write predictions to '" + path + "': " + reason);
  };
  auto shape = [](const ::torch::Tensor& t) {
    std::string text = "[";
    for (std::int64_t i = 0; i < t.dim(); ++i) text += (i ? ", " : "") + std::to_string(t.size(i));
    return text + "]";
  };
  if (outputs.is_complex() || labels.is_complex()) fail("complex tensors are not predictions");
  ::torch::Tensor out = outputs.detach().to(::torch::kCPU);
  ::torch::Tensor truth = labels.detach().to(::torch::kCPU);
  bool floating = out.is_floating_point();
  bool probabilities = floating && out.dim() == 2 && out.size(1) >= 2;
  if (!probabilities && out.dim() == 2 && out.size(1) == 1) out = out.reshape({-1});
  if (truth.dim() == 2 && truth.size(1) == 1) truth = truth.reshape({-1});
  if (out.dim() == 0 || out.dim() > 2 || (out.dim() == 2 && !probabilities) || truth.dim() != 1 ||
      truth.size(0) != out.size(0))
    fail("outputs of shape " + shape(out) + " and labels of shape " + shape(truth) +
         " are not [N, K] probabilities, [N] classes or [N] values with [N] labels");
  if (!probabilities && floating) {
    ::torch::Tensor values = out.to(::torch::kDouble).contiguous();
    ::torch::Tensor targets = truth.to(::torch::kDouble).contiguous();
    const double* v = values.data_ptr<double>();
    const double* t = targets.data_ptr<double>();
    protocol::write_values(path, std::vector<double>(t, t + targets.numel()),
                           std::vector<double>(v, v + values.numel()), ids, format);
    return;
  }
  // Class labels: whole numbers that fit an int.
  ::torch::Tensor whole = truth.to(::torch::kDouble);
  if (!whole.eq(whole.round()).all().item<bool>() || (whole.numel() > 0 && whole.abs().max().item<double>() > 2e9))
    fail("labels of type " + std::string(c10::toString(truth.scalar_type())) + " are not whole-number classes");
  ::torch::Tensor classes = whole.to(::torch::kInt).contiguous();
  const int* c = classes.data_ptr<int>();
  std::vector<int> label_values(c, c + classes.numel());
  if (probabilities) {
    ::torch::Tensor p = out.to(::torch::kFloat).contiguous();
    const float* data = p.data_ptr<float>();
    protocol::write_probabilities(path, label_values, std::vector<float>(data, data + p.numel()),
                                  static_cast<int>(p.size(1)), ids, format);
    return;
  }
  ::torch::Tensor predicted = out.to(::torch::kInt).contiguous();
  const int* d = predicted.data_ptr<int>();
  protocol::write_classes(path, label_values, std::vector<int>(d, d + predicted.numel()), ids, format);
}

::torch::Tensor permutation(std::int64_t n, std::uint64_t seed) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return ::torch::randperm(n, generator, ::torch::TensorOptions().dtype(::torch::kLong));
}

SeededRandomSampler::SeededRandomSampler(std::size_t size, std::uint64_t seed) : m_size(size), m_seed(seed) {
  reset();
}

void SeededRandomSampler::reset(::torch::optional<std::size_t> new_size) {
  if (new_size) m_size = *new_size;
  ::torch::Tensor order = permutation(static_cast<std::int64_t>(m_size), mix(m_seed ^ mix(m_epoch)));
  const std::int64_t* data = order.data_ptr<std::int64_t>();
  m_order.assign(data, data + m_size);
  m_index = 0;
  ++m_epoch;
}

::torch::optional<std::vector<std::size_t>> SeededRandomSampler::next(std::size_t batch_size) {
  if (m_index >= m_order.size()) return ::torch::nullopt;
  std::size_t end = std::min(m_order.size(), m_index + batch_size);
  std::vector<std::size_t> batch(m_order.begin() + static_cast<std::ptrdiff_t>(m_index),
                                 m_order.begin() + static_cast<std::ptrdiff_t>(end));
  m_index = end;
  return batch;
}

void SeededRandomSampler::save(::torch::serialize::OutputArchive& archive) const {
  archive.write("seedgate_sampler_seed", ::torch::tensor(static_cast<std::int64_t>(m_seed)), /*is_buffer=*/true);
  archive.write("seedgate_sampler_epoch", ::torch::tensor(static_cast<std::int64_t>(m_epoch)), true);
  archive.write("seedgate_sampler_index", ::torch::tensor(static_cast<std::int64_t>(m_index)), true);
}

void SeededRandomSampler::load(::torch::serialize::InputArchive& archive) {
  ::torch::Tensor seed, epoch, index;
  archive.read("seedgate_sampler_seed", seed, /*is_buffer=*/true);
  archive.read("seedgate_sampler_epoch", epoch, true);
  archive.read("seedgate_sampler_index", index, true);
  m_seed = static_cast<std::uint64_t>(seed.item<std::int64_t>());
  m_epoch = static_cast<std::size_t>(epoch.item<std::int64_t>()) - 1;
  reset();  // regenerates the saved epoch's order, then resumes where it was
  m_index = std::min(m_order.size(), static_cast<std::size_t>(index.item<std::int64_t>()));
}

}  // namespace seedgate::torch
