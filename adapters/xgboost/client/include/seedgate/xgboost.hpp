#pragma once
// seedgate::xgboost: what a program using XGBoost's C API links to run under
// seedgate. `configure()` reads the protocol's environment (SEEDGATE_SEED,
// SEEDGATE_THREADS, SEEDGATE_DEVICE, ...) and sets the booster's `seed`,
// `nthread`, an explicit `tree_method` and, on XGBoost 2.0 and later,
// `device`; the Session reports each round's evaluation, the model's digest
// and its feature importance as protocol records, and writes the model's
// predictions on an evaluation set.
//
//   seedgate::xgboost::Table train = seedgate::xgboost::read_data("train.csv");
//   seedgate::xgboost::DMatrix dtrain(train);
//   seedgate::xgboost::Booster booster({dtrain.handle()});
//   booster.set_param("objective", "binary:logistic");
//   seedgate::xgboost::Session session = seedgate::xgboost::configure(booster.handle());
//   for (int round = 0; round < 20; ++round) {
//     booster.update(round, dtrain);
//     session.evaluation(booster.handle(), round, {{"train", dtrain.handle()}});
//   }
//   session.digest("model", booster.handle());
//   session.predictions(booster.handle(), dtest.handle());
//
// Data files are read by this library, not by XGBoost's URI loader (removed
// in 3.4, and needing `?format=` from 2.0), so every version reads them
// alike and a malformed file gets its name and line in the error.
//
// Sources of randomness (protocol::Source): a sweep that varies one source
// at a time gives the run SEEDGATE_SEED_DROPOUT, _SPLIT, ... (a source
// without its variable uses SEEDGATE_SEED). Here:
//   dropout  the booster's `seed`, which drives what XGBoost draws while
//            training: row subsampling (`subsample`), column subsampling
//            (`colsample_by*`) and, with the `dart` booster, dropped trees;
//            apply() sets it
//   split    split_rows' seed, for a program that holds out test rows from
//            one file: split_rows(table, n, settings.seed_for(Source::split))
//   init, order  nothing: a booster starts from no random weights (only
//            `base_score`) and reads its rows in the DMatrix's order
// A booster without subsampling draws nothing, so the dropout seed changes
// nothing there.
//
// It depends on XGBoost's C API, seedgate::protocol and the C++ standard
// library only. It builds against XGBoost 1.7, 2.x and 3.x.
#include <xgboost/c_api.h>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "seedgate/protocol.hpp"

namespace seedgate::xgboost {

using protocol::ConfigurationError;
using protocol::Lookup;
using protocol::Settings;
using protocol::settings_from_environment;
using protocol::Source;

// An XGBoost call failed; the message is the call and XGBGetLastError().
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A data file that cannot be read; the message reads "path:line: ...".
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error("<what>: <XGBGetLastError()>") when `status` is not 0.
void check(int status, std::string_view what);

struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string text() const;
};
// The XGBoost library this program runs with (not the headers it was built with).
Version library_version();

// A data set in memory, as compressed sparse rows: a CSV row keeps every
// field (an empty field or "nan" is missing), a LibSVM row its listed entries.
struct Table {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<float> labels;
  std::vector<std::size_t> row_starts{0};  // rows + 1 offsets into indices / values
  std::vector<unsigned> indices;
  std::vector<float> values;
};

enum class Format { csv, libsvm };
// "csv" for a name ending in .csv, else "libsvm" (XGBoost's own default).
Format format_for(const std::string& path);

// Reads a headerless CSV (the label in `label_column`; -1: the last column)
// or a LibSVM file ("label index:value ...", indices as written: 0-based).
// Throws DataError naming the file and line.
Table read_csv(const std::string& path, int label_column = -1);
Table read_libsvm(const std::string& path);
Table read_data(const std::string& path, std::optional<Format> format = std::nullopt, int label_column = -1);

// A table split in two; `test_ids` are the test rows' numbers in the whole
// table, ascending (the train rows are the others).
struct Split {
  Table train;
  Table test;
  std::vector<std::size_t> test_ids;
};
// Holds out `test_rows` rows, drawn by `seed` (the split source's), for
// testing; both sides keep the file's order. The draw is this library's own
// (SplitMix64 and a partial Fisher-Yates shuffle), the same on every
// platform and standard library. Throws std::invalid_argument unless both
// sides get a row.
Split split_rows(const Table& table, std::size_t test_rows, std::uint64_t seed);

// Owning handles.
class DMatrix {
 public:
  explicit DMatrix(const Table& table);
  ~DMatrix();
  DMatrix(DMatrix&& other) noexcept;
  DMatrix& operator=(DMatrix&& other) noexcept;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle handle() const { return m_handle; }

 private:
  DMatrixHandle m_handle = nullptr;
};

class Booster {
 public:
  explicit Booster(const std::vector<DMatrixHandle>& cache);
  ~Booster();
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  BoosterHandle handle() const { return m_handle; }
  void set_param(const std::string& name, const std::string& value);
  void update(int round, const DMatrix& train);
  // Loads a saved model (JSON, UBJ or the old binary format) from a file.
  void load_model(const std::string& path);

 private:
  BoosterHandle m_handle = nullptr;
};

// The parameters `apply` set, as XGBoost reads them.
struct Applied {
  std::int64_t seed = 0;
  int nthread = 0;  // 0: XGBoost's default (every core)
  std::string tree_method;
  std::string device;  // "cpu" or "cuda"
};

// Sets seed (the dropout source's, see above) and nthread from the settings and an explicit tree_method
// (`tree_method`, or "hist" when empty: the default changed from "auto" in
// 1.7 to "hist" in 2.0). On CUDA: XGBoost before 2.0 gets tree_method
// "gpu_hist" (with a deterministic histogram in deterministic mode), 2.0 and
// later get device "cuda" and "gpu_hist" becomes "hist" (it is gone in 3.1).
Applied apply(BoosterHandle booster, const Settings& settings, std::string tree_method = {});

// XGBoost's version and the applied parameters, as the protocol's env record.
std::map<std::string, std::string> environment_record(const Applied& applied);

// "xxh3:<16 hex digits>" over the model saved as UBJ
// (XGBoosterSaveModelToBuffer): the trees and learner parameters, without
// the training configuration (nthread, ...) that XGBoosterSerializeToBuffer
// also writes. Equal digests mean equal models.
std::string digest(BoosterHandle booster);

// "[3]\ttrain-logloss:0.1\ttest-error:0.05" -> {train-logloss: 0.1, test-error: 0.05}.
std::vector<std::pair<std::string, double>> parse_evaluation(std::string_view line);

using EvalSets = std::vector<std::pair<std::string, DMatrixHandle>>;
// XGBoosterEvalOneIter's line for a round.
std::string evaluation_line(BoosterHandle booster, int round, const EvalSets& sets);

// Feature importance ("weight", "gain", "cover", "total_gain", "total_cover")
// per feature, named by `names` where given (else XGBoost's f0, f1, ...).
// Features no split uses are absent.
std::vector<std::pair<std::string, double>> feature_importance(BoosterHandle booster, const std::string& kind = "gain",
                                                               const std::vector<std::string>& names = {});

// The booster's objective ("binary:logistic"), learner.objective.name in
// its JSON configuration (XGBoosterSaveJsonConfig).
std::string objective(BoosterHandle booster);

// Writes the booster's predictions on `data` (all its trees) to `path` in the
// format seedgate reads, in the form its objective gives:
//   binary:logistic         probabilities of classes 0 and 1, [1 - p, p]
//   binary:logitraw         the same, through the logistic function
//   multi:softprob          the K class probabilities
//   multi:softmax, binary:hinge   the predicted class
//   anything else (reg:*, count:*, survival:*, rank:*)   the value
// `labels` are the true classes (whole numbers) or targets; empty: the
// DMatrix's own labels. Ids are the rows' numbers. Throws Error for a
// failed XGBoost call and std::runtime_error naming the path when a class
// label is not a whole number, the sizes disagree or the file cannot be
// written.
void write_predictions(const std::string& path, BoosterHandle booster, DMatrixHandle data,
                       const std::vector<float>& labels = {},
                       protocol::PredictionsFormat format = protocol::PredictionsFormat::automatic);

// Writes protocol records for one run.
class Session {
 public:
  Session(Settings settings, Applied applied);

  const Settings& settings() const { return m_settings; }
  const Applied& applied() const { return m_applied; }

  void metric(std::string_view name, double value, std::optional<std::int64_t> step = std::nullopt);
  // Evaluates the round on `sets` and writes {"step": round, "<set>-<metric>": ...};
  // returns the values.
  std::vector<std::pair<std::string, double>> evaluation(BoosterHandle booster, int round, const EvalSets& sets);
  // {"type": "artifact", "name": ..., "digest": digest(booster)}; returns the digest.
  std::string digest(std::string_view name, BoosterHandle booster);
  // {"type": "importance", "kind": ..., "values": {...}}; returns the values.
  std::vector<std::pair<std::string, double>> importance(BoosterHandle booster, const std::string& kind = "gain",
                                                         const std::vector<std::string>& names = {});
  void event(std::string_view name, std::string_view message);
  void environment(const std::map<std::string, std::string>& values);
  // write_predictions to settings().predictions_path (SEEDGATE_PREDICTIONS),
  // for seedgate's ensemble and churn checks; nothing when it is empty (run
  // by hand).
  void predictions(BoosterHandle booster, DMatrixHandle data, const std::vector<float>& labels = {});

 private:
  Settings m_settings;
  Applied m_applied;
  protocol::Writer m_writer;
};

// settings_from_environment + apply, then writes the env record.
Session configure(BoosterHandle booster, std::string tree_method = {});

}  // namespace seedgate::xgboost
