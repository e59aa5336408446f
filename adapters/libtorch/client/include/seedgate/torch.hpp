#pragma once
// seedgate::torch: what a LibTorch training program links to run under
// seedgate. One call, `configure()`, reads the protocol's environment
// (SEEDGATE_SEED, SEEDGATE_MODE, SEEDGATE_DEVICE, SEEDGATE_THREADS, ...) and
// applies every determinism switch LibTorch has; the returned Session reports
// metrics, model digests and events as protocol records, and writes the
// model's predictions on the evaluation set.
//
//   int main() {
//     return seedgate::torch::guarded_main([] {
//       seedgate::torch::Session session = seedgate::torch::configure();
//       ... train on session.device() ...
//       session.metric("accuracy", accuracy);
//       session.digest("weights", model);
//       session.predictions(torch::softmax(test_logits, 1), test_labels);
//     });
//   }
//
// Run by hand (no SEEDGATE_* variables), it trains seed 0 in deterministic
// mode on the CPU and writes its records to standard output.
//
// Sources of randomness (protocol::Source): a sweep that varies one source
// at a time gives the run SEEDGATE_SEED_INIT, _ORDER, _SPLIT or _DROPOUT;
// a source without its variable uses SEEDGATE_SEED. Here:
//   init     configure() seeds LibTorch's global generator with it, so the
//            modules built next draw their initial weights from it
//   order    session.seed_for(Source::order): give it to SeededRandomSampler
//            or permutation() (they draw from their own generators)
//   split    session.seed_for(Source::split): for a program that chooses its
//            test rows (permutation() again); this library splits nothing
//   dropout  LibTorch's dropout draws from the same global generator as
//            initialisation, so call session.seed_dropout() once the model
//            is built and before training: it re-seeds the global generator
//            with the dropout seed, and from then on dropout (and anything
//            else drawing from the global generator) no longer depends on
//            the init seed. It re-seeds only when the run has its own init
//            or dropout seed; under SEEDGATE_SEED alone the generator runs
//            on, so such a run draws exactly what it drew before per-source
//            seeds existed.
//
// This library depends on LibTorch, seedgate::protocol and the C++ standard
// library only, so it builds against any LibTorch, including one built with
// the old C++ ABI.
#include <torch/torch.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "seedgate/protocol.hpp"

namespace seedgate::torch {

// The protocol's environment, shared with the other adapter libraries.
using protocol::ConfigurationError;
using protocol::Lookup;
using protocol::Settings;
using protocol::settings_from_environment;
using protocol::Source;

// The switches as LibTorch reports them after `apply`.
struct Applied {
  bool deterministic_algorithms = false;
  bool deterministic_warn_only = false;
  bool cudnn_deterministic = false;
  bool cudnn_benchmark = false;
  bool tf32_cublas = false;
  bool tf32_cudnn = false;
  int intra_op_threads = 0;
  int inter_op_threads = 0;
};

// Applies the settings to LibTorch's global state: the seed of every
// generator (torch::manual_seed) from the init seed; in deterministic mode, deterministic
// algorithms in error mode, deterministic cuDNN without autotuning, and TF32
// off for cuBLAS and cuDNN; the intra-op and inter-op thread counts. On a
// CUDA device it checks that CUDA is usable and, in deterministic mode, that
// CUBLAS_WORKSPACE_CONFIG is ":4096:8" or ":16:8". Throws ConfigurationError.
Applied apply(const Settings& settings, const Lookup& lookup = {});

// Re-seeds LibTorch's global generator with the dropout seed when the run
// has its own init or dropout seed (see "Sources of randomness" above), and
// returns whether it did. Call it after building the model, before training.
bool seed_dropout(const Settings& settings);

// Library versions, GPU and applied switches, as the protocol's env record.
std::map<std::string, std::string> environment_record(const Settings& settings, const Applied& applied);

// "xxh3:<16 hex digits>" over a module's named parameters and buffers
// (recursively, in registration order): each one's name, dtype, shape and
// bytes, detached, copied to the CPU and made contiguous. Equal digests mean
// bitwise-equal weights.
std::string digest(const ::torch::nn::Module& module);

// Writes a model's predictions on a fixed evaluation set to `path` in the
// format seedgate reads (protocol::write_probabilities and its siblings),
// chosen by what `outputs` holds:
//   [N, K] floating, K >= 2: class probabilities (softmax, not logits);
//                            `labels` [N] the true classes
//   [N] integer:             predicted classes; `labels` [N] the true classes
//   [N] or [N, 1] floating:  regression values; `labels` [N] the targets
// The tensors may be on any device; they are detached and copied to the CPU.
// Ids are 0..N-1 unless given. Throws std::runtime_error naming the path
// and the shapes when they disagree, a class label is not a whole number,
// or the file cannot be written.
void write_predictions(const std::string& path, const ::torch::Tensor& outputs, const ::torch::Tensor& labels,
                       const std::vector<std::int64_t>& ids = {},
                       protocol::PredictionsFormat format = protocol::PredictionsFormat::automatic);

// Writes protocol records (JSON lines) to the run's metrics file.
class Session {
 public:
  Session(Settings settings, Applied applied);

  const Settings& settings() const { return m_settings; }
  const Applied& applied() const { return m_applied; }
  // torch::kCPU or CUDA device 0 (seedgate shows a CUDA run only its GPU).
  ::torch::Device device() const;
  // The seed of one source of randomness: its SEEDGATE_SEED_<SOURCE>, else SEEDGATE_SEED.
  std::int64_t seed_for(Source source) const { return m_settings.seed_for(source); }
  // seed_dropout(settings()): after building the model, before training.
  bool seed_dropout() const { return torch::seed_dropout(m_settings); }

  // {"accuracy": 0.95} or {"step": 3, "loss": 0.41}.
  void metric(std::string_view name, double value, std::optional<std::int64_t> step = std::nullopt);
  void metrics(const std::vector<std::pair<std::string, double>>& values,
               std::optional<std::int64_t> step = std::nullopt);
  // {"type": "artifact", "name": ..., "digest": digest(module)}; returns the digest.
  std::string digest(std::string_view name, const ::torch::nn::Module& module);
  // {"type": "event", "name": ..., "message": ...}
  void event(std::string_view name, std::string_view message);
  // {"type": "env", ...}: library versions and switches (configure() writes it).
  void environment(const std::map<std::string, std::string>& values);
  // write_predictions to settings().predictions_path (SEEDGATE_PREDICTIONS),
  // for seedgate's ensemble and churn checks; nothing when it is empty (run
  // by hand): session.predictions(torch::softmax(logits, 1), labels).
  void predictions(const ::torch::Tensor& outputs, const ::torch::Tensor& labels,
                   const std::vector<std::int64_t>& ids = {});

 private:
  Settings m_settings;
  Applied m_applied;
  protocol::Writer m_writer;
};

// settings_from_environment + apply, then writes the env record.
Session configure();

// The op named by LibTorch's "<op> does not have a deterministic
// implementation" error text; nullopt for any other text.
std::optional<std::string> nondeterministic_op(std::string_view error_text);

// Runs `body` and returns main's exit code: 0 when it returns, 1 when it
// throws. When it throws LibTorch's error for an op with no deterministic
// implementation, a {"type": "event", "name": "nondeterministic-op"} record
// naming the op is written first, so seedgate reports a determinism
// violation rather than a crash. Every error is printed to stderr.
int guarded_main(const std::function<void()>& body);

// A permutation of 0..n-1 drawn from its own generator seeded with `seed`,
// untouched by (and not touching) LibTorch's global generator.
::torch::Tensor permutation(std::int64_t n, std::uint64_t seed);

// torch::data::samplers::RandomSampler takes no seed and draws from the
// global generator, so anything else that draws (dropout, initialisation)
// changes the order. This sampler shuffles from its own seed: epoch k's order
// depends only on (seed, k).
class SeededRandomSampler : public ::torch::data::samplers::Sampler<> {
 public:
  SeededRandomSampler(std::size_t size, std::uint64_t seed);

  void reset(::torch::optional<std::size_t> new_size = ::torch::nullopt) override;
  ::torch::optional<std::vector<std::size_t>> next(std::size_t batch_size) override;
  void save(::torch::serialize::OutputArchive& archive) const override;
  void load(::torch::serialize::InputArchive& archive) override;

  std::size_t epoch() const { return m_epoch; }

 private:
  std::size_t m_size;
  std::uint64_t m_seed;
  std::size_t m_epoch = 0;  // resets so far
  std::vector<std::size_t> m_order;
  std::size_t m_index = 0;
};

}  // namespace seedgate::torch
