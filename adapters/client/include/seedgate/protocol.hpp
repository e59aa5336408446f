#pragma once
// seedgate::protocol: the part of seedgate's protocol every adapter library
// shares. It reads the SEEDGATE_* variables a run gets and writes protocol
// records (JSON lines) to the run's metrics file. seedgate::torch and
// seedgate::xgboost build on it; it depends on the C++ standard library only.
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seedgate::protocol {

// A protocol variable with a value the library cannot use; the message names
// the variable and the value.
class ConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The sources of randomness a run can seed apart, so seedgate can vary one at
// a time while holding the others (the policy's `[sweep] vary`):
//   init     the model's initial weights
//   order    the order of the training data (shuffling, sampling batches)
//   split    which rows are held out for testing (the train/test split)
//   dropout  randomness while training: dropout masks, or a booster's
//            row and column subsampling
// Each reaches the run as SEEDGATE_SEED_<SOURCE> (SEEDGATE_SEED_INIT, ...),
// and only when the sweep varies sources; a source without its variable
// uses SEEDGATE_SEED. What each library seeds with which source is written
// in its own header (seedgate/torch.hpp, seedgate/xgboost.hpp).
enum class Source { init, order, split, dropout };
inline constexpr Source kSources[] = {Source::init, Source::order, Source::split, Source::dropout};
// "init", "order", "split", "dropout": the policy's words.
std::string_view source_name(Source source);
// "SEEDGATE_SEED_INIT", ...
std::string_view source_variable(Source source);

// The seeds a run got for single sources; empty where the source follows
// SEEDGATE_SEED (read them through Settings::seed_for).
struct SourceSeeds {
  std::optional<std::int64_t> init;
  std::optional<std::int64_t> order;
  std::optional<std::int64_t> split;
  std::optional<std::int64_t> dropout;
};

// What the protocol asked of this run.
struct Settings {
  std::int64_t seed = 0;
  SourceSeeds sources;         // SEEDGATE_SEED_<SOURCE>, where set
  bool deterministic = true;   // SEEDGATE_MODE: "deterministic" or "default"
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  int threads = 0;             // SEEDGATE_THREADS; 0: the framework's own default
  int repeat = 0;
  std::string run_dir;           // empty when run by hand
  std::string metrics_path;      // empty: records go to standard output
  std::string predictions_path;  // SEEDGATE_PREDICTIONS; empty: nobody reads predictions
  bool under_seedgate = false;   // SEEDGATE_SEED was set

  // The seed `source` draws from: its own SEEDGATE_SEED_<SOURCE>, else `seed`.
  std::int64_t seed_for(Source source) const;
  // True when the run set `source` apart with its own variable.
  bool has_own_seed(Source source) const;
};

using Lookup = std::function<const char*(const char*)>;

// Reads the SEEDGATE_* variables through `lookup` (the process environment
// by default). Throws ConfigurationError for a malformed value (a seed
// variable's must be a decimal 64-bit integer, as SEEDGATE_SEED's).
Settings settings_from_environment(const Lookup& lookup = {});

bool is_cuda(std::string_view device);

// A JSON string literal, escaped.
std::string json_string(std::string_view text);
// The shortest text that reads back as the same double; NaN and infinities
// as the bare words seedgate's protocol parser accepts.
std::string json_number(double value);

// Predictions on a fixed evaluation set, for seedgate's ensemble and churn
// checks, written to `path` (Settings::predictions_path) in the format
// harness/predictions.hpp describes: CSV, or binary when `binary` is set (or,
// with `automatic`, when rows x values per row, the classes for
// probabilities and 1 otherwise, exceed 1,000,000). Written to `path`.tmp
// and renamed, so a crash leaves no half-written file. Ids are the
// examples' row numbers (0..n-1) unless given. The values are written as
// given; seedgate validates them when it reads the file. Throws
// std::runtime_error naming the path when the path is empty, the file
// cannot be written or the sizes disagree.
enum class PredictionsFormat { automatic, csv, binary };

// `probabilities` holds rows x classes values, row-major; `labels` the true classes.
void write_probabilities(const std::string& path, const std::vector<int>& labels,
                         const std::vector<float>& probabilities, int classes,
                         const std::vector<std::int64_t>& ids = {},
                         PredictionsFormat format = PredictionsFormat::automatic);
// A predicted class per example.
void write_classes(const std::string& path, const std::vector<int>& labels, const std::vector<int>& predicted,
                   const std::vector<std::int64_t>& ids = {}, PredictionsFormat format = PredictionsFormat::automatic);
// A regression value per example.
void write_values(const std::string& path, const std::vector<double>& targets, const std::vector<double>& values,
                  const std::vector<std::int64_t>& ids = {}, PredictionsFormat format = PredictionsFormat::automatic);

// Writes protocol records, one whole line each, flushed, so a crash loses
// nothing already written. An empty path writes to standard output.
class Writer {
 public:
  explicit Writer(const std::string& metrics_path);

  // {"accuracy": 0.95} or {"step": 3, "loss": 0.41}.
  void metrics(const std::vector<std::pair<std::string, double>>& values,
               std::optional<std::int64_t> step = std::nullopt);
  // {"type": "artifact", "name": ..., "digest": ...}
  void artifact(std::string_view name, std::string_view digest);
  // {"type": "event", "name": ..., "message": ...}
  void event(std::string_view name, std::string_view message);
  // {"type": "env", ...}
  void environment(const std::map<std::string, std::string>& values);
  // {"type": "importance", "kind": ..., "values": {feature: score}}
  void importance(std::string_view kind, const std::vector<std::pair<std::string, double>>& values);

 private:
  void write(const std::string& line);
  std::string m_path;
  std::unique_ptr<std::ofstream> m_file;
};

}  // namespace seedgate::protocol
