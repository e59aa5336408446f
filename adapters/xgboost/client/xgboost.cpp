// seedgate::xgboost: boosters configured from the protocol, digested and
// evaluated through XGBoost's C API.
#include "seedgate/xgboost.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace seedgate::xgboost {
namespace {

// An array interface (version 3) over host memory, as XGBoost's JSON takes it.
template <typename T>
std::string array_interface(const T* data, std::size_t size, const char* typestr) {
  return "{\"data\": [" + std::to_string(reinterpret_cast<std::uintptr_t>(data)) + ", true], \"shape\": [" +
         std::to_string(size) + "], \"typestr\": \"" + typestr + "\", \"version\": 3}";
}

bool at_least(const Version& v, int major, int minor) {
  return v.major > major || (v.major == major && v.minor >= minor);
}

}  // namespace

void check(int status, std::string_view what) {
  if (status != 0) throw Error(std::string(what) + ": " + XGBGetLastError());
}

std::string Version::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

Version library_version() {
  Version v;
  XGBoostVersion(&v.major, &v.minor, &v.patch);
  return v;
}

DMatrix::DMatrix(const Table& table) {
  static_assert(sizeof(std::size_t) == 8 && sizeof(unsigned) == 4 && sizeof(float) == 4);
  std::string indptr = array_interface(table.row_starts.data(), table.row_starts.size(), "<u8");
  std::string indices = array_interface(table.indices.data(), table.indices.size(), "<u4");
  std::string values = array_interface(table.values.data(), table.values.size(), "<f4");
  check(XGDMatrixCreateFromCSR(indptr.c_str(), indices.c_str(), values.c_str(), table.columns,
                               R"({"missing": NaN, "nthread": 1})", &m_handle),
        "XGDMatrixCreateFromCSR");
  check(XGDMatrixSetFloatInfo(m_handle, "label", table.labels.data(), table.labels.size()), "XGDMatrixSetFloatInfo");
}

DMatrix::~DMatrix() {
  if (m_handle) XGDMatrixFree(m_handle);
}

DMatrix::DMatrix(DMatrix&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}

DMatrix& DMatrix::operator=(DMatrix&& other) noexcept {
  std::swap(m_handle, other.m_handle);
  return *this;
}

Booster::Booster(const std::vector<DMatrixHandle>& cache) {
  check(XGBoosterCreate(cache.data(), cache.size(), &m_handle), "XGBoosterCreate");
}

Booster::~Booster() {
  if (m_handle) XGBoosterFree(m_handle);
}

void Booster::set_param(const std::string& name, const std::string& value) {
  check(XGBoosterSetParam(m_handle, name.c_str(), value.c_str()), "parameter " + name + "=" + value);
}

void Booster::update(int round, const DMatrix& train) {
  check(XGBoosterUpdateOneIter(m_handle, round, train.handle()), "round " + std::to_string(round));
}

void Booster::load_model(const std::string& path) {
  check(XGBoosterLoadModel(m_handle, path.c_str()), "loading " + path);
}

Applied apply(BoosterHandle booster, const Settings& settings, std::string tree_method) {
  Version version = library_version();
  Applied a;
  a.seed = settings.seed_for(Source::dropout);
  a.nthread = settings.threads;
  a.device = protocol::is_cuda(settings.device) ? "cuda" : "cpu";
  if (tree_method.empty() || tree_method == "auto") tree_method = "hist";
  auto set = [&](const char* name, const std::string& value) {
    check(XGBoosterSetParam(booster, name, value.c_str()), std::string("parameter ") + name + "=" + value);
  };
  set("seed", std::to_string(a.seed));
  if (settings.threads > 0) set("nthread", std::to_string(settings.threads));
  if (at_least(version, 2, 0)) {
    // 2.0 moved the device out of tree_method; 3.1 removed gpu_hist.
    if (tree_method == "gpu_hist") {
      tree_method = "hist";
      a.device = "cuda";
    }
    set("device", a.device == "cuda" ? "cuda" : "cpu");
  } else if (a.device == "cuda") {
    tree_method = "gpu_hist";
    if (settings.deterministic) set("deterministic_histogram", "true");
  } else if (tree_method == "gpu_hist") {
    a.device = "cuda";
  }
  set("tree_method", tree_method);
  a.tree_method = tree_method;
  return a;
}

std::map<std::string, std::string> environment_record(const Applied& applied) {
  return {{"adapter", "seedgate::xgboost"},
          {"xgboost", library_version().text()},
          {"seed", std::to_string(applied.seed)},
          {"nthread", applied.nthread > 0 ? std::to_string(applied.nthread) : "default"},
          {"tree_method", applied.tree_method},
          {"device", applied.device}};
}

std::string digest(BoosterHandle booster) {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  check(XGBoosterSaveModelToBuffer(booster, R"({"format": "ubj"})", &length, &bytes), "XGBoosterSaveModelToBuffer");
  char text[32];
  std::snprintf(text, sizeof text, "xxh3:%016" PRIx64, static_cast<std::uint64_t>(XXH3_64bits(bytes, length)));
  return text;
}

std::vector<std::pair<std::string, double>> parse_evaluation(std::string_view line) {
  std::vector<std::pair<std::string, double>> values;
  while (!line.empty()) {
    std::size_t tab = line.find('\t');
    std::string_view item = line.substr(0, tab);
    line.remove_prefix(tab == std::string_view::npos ? line.size() : tab + 1);
    std::size_t colon = item.rfind(':');
    if (item.empty() || item.front() == '[' || colon == std::string_view::npos || colon == 0) continue;
    std::string value(item.substr(colon + 1));
    char* end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0') continue;
    values.emplace_back(std::string(item.substr(0, colon)), number);
  }
  return values;
}

std::string evaluation_line(BoosterHandle booster, int round, const EvalSets& sets) {
  std::vector<DMatrixHandle> handles;
  std::vector<const char*> names;
  for (const auto& [name, handle] : sets) {
    names.push_back(name.c_str());
    handles.push_back(handle);
  }
  const char* line = nullptr;
  check(XGBoosterEvalOneIter(booster, round, handles.data(), names.data(), handles.size(), &line),
        "XGBoosterEvalOneIter");
  return line;
}

std::vector<std::pair<std::string, double>> feature_importance(BoosterHandle booster, const std::string& kind,
                                                               const std::vector<std::string>& names) {
  std::string config = "{\"importance_type\": " + protocol::json_string(kind) + "}";
  bst_ulong n_features = 0, dim = 0;
  const char** features = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  check(XGBoosterFeatureScore(booster, config.c_str(), &n_features, &features, &dim, &shape, &scores),
        "XGBoosterFeatureScore");
  std::vector<std::pair<std::string, double>> values;
  for (bst_ulong i = 0; i < n_features; ++i) {
    std::string name = features[i];
    // XGBoost names unnamed features f0, f1, ...
    if (name.size() > 1 && name[0] == 'f' && name.find_first_not_of("0123456789", 1) == std::string::npos) {
      std::size_t index = std::stoul(name.substr(1));
      if (index < names.size()) name = names[index];
    }
    values.emplace_back(name, scores[i]);
  }
  return values;
}

std::string objective(BoosterHandle booster) {
  bst_ulong length = 0;
  const char* text = nullptr;
  check(XGBoosterSaveJsonConfig(booster, &length, &text), "XGBoosterSaveJsonConfig");
  std::string_view config(text, length);
  // {"learner": {..., "objective": {"name": "binary:logistic", ...}, ...}}:
  // the first "name" after the key "objective" whose value is an object.
  auto skip_space = [&](std::size_t at) {
    while (at < config.size() && (config[at] == ' ' || config[at] == '\n' || config[at] == '\t')) ++at;
    return at;
  };
  auto string_at = [&](std::size_t at) -> std::string {
    at = skip_space(at);
    if (at >= config.size() || config[at] != ':') return {};
    at = skip_space(at + 1);
    if (at >= config.size() || config[at] != '"') return {};
    std::size_t end = config.find('"', at + 1);
    return end == std::string_view::npos ? std::string() : std::string(config.substr(at + 1, end - at - 1));
  };
  for (std::size_t key = config.find("\"objective\""); key != std::string_view::npos;
       key = config.find("\"objective\"", key + 1)) {
    std::size_t at = skip_space(key + 11);
    if (at >= config.size() || config[at] != ':') continue;
    at = skip_space(at + 1);
    if (at >= config.size() || config[at] != '{') continue;
    std::size_t name = config.find("\"name\"", at);
    if (name == std::string_view::npos) break;
    return string_at(name + 6);
  }
  throw Error("XGBoosterSaveJsonConfig: no learner.objective.name in the booster's configuration");
}

void write_predictions(const std::string& path, BoosterHandle booster, DMatrixHandle data,
                       const std::vector<float>& labels, protocol::PredictionsFormat format) {
  auto fail = [&](const std::string& reason) {
    throw std::runtime_error("cannot write predictions to '" + path + "': " + reason);
  };
  std::string name = objective(booster);
  bst_ulong rows = 0;
  check(XGDMatrixNumRow(data, &rows), "XGDMatrixNumRow");
  std::vector<float> truth = labels;
  if (truth.empty()) {
    bst_ulong length = 0;
    const float* info = nullptr;
    check(XGDMatrixGetFloatInfo(data, "label", &length, &info), "XGDMatrixGetFloatInfo");
    truth.assign(info, info + length);
  }
  if (truth.size() != rows) fail(std::to_string(truth.size()) + " labels for " + std::to_string(rows) + " rows");

  const bst_ulong* shape = nullptr;
  bst_ulong dimensions = 0;
  const float* result = nullptr;
  check(XGBoosterPredictFromDMatrix(booster, data,
                                    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                                    R"("strict_shape": false})",
                                    &shape, &dimensions, &result),
        "XGBoosterPredictFromDMatrix");
  std::size_t size = 1;
  for (bst_ulong i = 0; i < dimensions; ++i) size *= shape[i];
  std::vector<float> predicted(result, result + size);  // the booster's buffer is reused by its next call
  std::size_t per_row = rows ? size / rows : 1;

  if (name.rfind("binary:", 0) != 0 && name.rfind("multi:", 0) != 0) {
    protocol::write_values(path, std::vector<double>(truth.begin(), truth.end()),
                           std::vector<double>(predicted.begin(), predicted.end()), {}, format);
    return;
  }
  std::vector<int> classes(truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (!(truth[i] >= 0 && truth[i] < 1e9f && truth[i] == std::floor(truth[i])))
      fail("the label of row " + std::to_string(i) + ", " + protocol::json_number(truth[i]) + ", is not a class");
    classes[i] = static_cast<int>(truth[i]);
  }
  if (name == "binary:logistic" || name == "binary:logitraw") {
    if (per_row != 1) fail(std::to_string(size) + " predictions for " + std::to_string(rows) + " rows");
    std::vector<float> probabilities(2 * predicted.size());
    for (std::size_t i = 0; i < predicted.size(); ++i) {
      float p = name == "binary:logistic" ? predicted[i] : 1.0f / (1.0f + std::exp(-predicted[i]));
      probabilities[2 * i] = 1.0f - p;
      probabilities[2 * i + 1] = p;
    }
    protocol::write_probabilities(path, classes, probabilities, 2, {}, format);
  } else if (name == "multi:softprob") {
    if (per_row < 2 || per_row * rows != size)
      fail(std::to_string(size) + " probabilities for " + std::to_string(rows) + " rows");
    protocol::write_probabilities(path, classes, predicted, static_cast<int>(per_row), {}, format);
  } else {  // multi:softmax, binary:hinge: the class, as a float
    if (per_row != 1) fail(std::to_string(size) + " predictions for " + std::to_string(rows) + " rows");
    std::vector<int> predicted_classes(predicted.size());
    for (std::size_t i = 0; i < predicted.size(); ++i)
      predicted_classes[i] = static_cast<int>(std::lround(predicted[i]));
    protocol::write_classes(path, classes, predicted_classes, {}, format);
  }
}

Session::Session(Settings settings, Applied applied)
    : m_settings(std::move(settings)), m_applied(std::move(applied)), m_writer(m_settings.metrics_path) {}

void Session::metric(std::string_view name, double value, std::optional<std::int64_t> step) {
  m_writer.metrics({{std::string(name), value}}, step);
}

std::vector<std::pair<std::string, double>> Session::evaluation(BoosterHandle booster, int round,
                                                                const EvalSets& sets) {
  auto values = parse_evaluation(evaluation_line(booster, round, sets));
  m_writer.metrics(values, round);
  return values;
}

std::string Session::digest(std::string_view name, BoosterHandle booster) {
  std::string value = seedgate::xgboost::digest(booster);
  m_writer.artifact(name, value);
  return value;
}

std::vector<std::pair<std::string, double>> Session::importance(BoosterHandle booster, const std::string& kind,
                                                                const std::vector<std::string>& names) {
  auto values = feature_importance(booster, kind, names);
  m_writer.importance(kind, values);
  return values;
}

void Session::event(std::string_view name, std::string_view message) {
  m_writer.event(name, message);
}

void Session::environment(const std::map<std::string, std::string>& values) {
  m_writer.environment(values);
}

void Session::predictions(BoosterHandle booster, DMatrixHandle data, const std::vector<float>& labels) {
  if (!m_settings.predictions_path.empty()) write_predictions(m_settings.predictions_path, booster, data, labels);
}

Session configure(BoosterHandle booster, std::string tree_method) {
  Settings settings = settings_from_environment();
  Applied applied = apply(booster, settings, std::move(tree_method));
  Session session(settings, applied);
  session.environment(environment_record(applied));
  return session;
}

}  // namespace seedgate::xgboost
