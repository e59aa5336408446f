// The predictions reader (a run's predictions file, CSV or binary) over any
// bytes: a malformed file is an error, never a crash, a hang or a leak; what
// it accepts holds together (one truth and one prediction per id, rows x
// classes probabilities, each row summing to 1).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harness/predictions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  auto parsed = seedgate::parse_predictions(content, "predictions");
  if (!parsed) {
    if (parsed.error().empty()) std::abort();
    return 0;
  }
  const seedgate::checks::Predictions& p = *parsed;
  const std::size_t rows = p.rows();
  if (rows == 0 || rows > seedgate::kMaxPredictionRows) std::abort();
  if (p.truth.size() != rows || p.predicted.size() != rows) std::abort();
  if (p.source != "predictions") std::abort();
  switch (p.kind) {
    case seedgate::checks::PredictionKind::probabilities: {
      if (p.classes < 2 || p.classes > seedgate::kMaxPredictionClasses) std::abort();
      if (p.probabilities.size() != rows * p.classes) std::abort();
      for (std::size_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (std::size_t k = 0; k < p.classes; ++k) {
          const float q = p.probabilities[r * p.classes + k];
          if (!(q >= 0 && q <= 1)) std::abort();
          sum += q;
        }
        if (std::fabs(sum - 1) > 1e-4) std::abort();
        if (!(p.truth[r] >= 0 && p.truth[r] < static_cast<double>(p.classes))) std::abort();
        if (!(p.predicted[r] >= 0 && p.predicted[r] < static_cast<double>(p.classes))) std::abort();
      }
      break;
    }
    case seedgate::checks::PredictionKind::classes:
      if (!p.probabilities.empty() || p.classes == 0 || p.classes > seedgate::kMaxPredictionClasses) std::abort();
      for (std::size_t r = 0; r < rows; ++r)
        if (!(p.truth[r] < static_cast<double>(p.classes)) || !(p.predicted[r] < static_cast<double>(p.classes)))
          std::abort();
      break;
    case seedgate::checks::PredictionKind::values:
      if (!p.probabilities.empty() || p.classes != 0) std::abort();
      for (std::size_t r = 0; r < rows; ++r)
        if (!std::isfinite(p.truth[r]) || !std::isfinite(p.predicted[r])) std::abort();
      break;
  }
  for (const auto& id : p.ids)
    if (id.empty() || id.size() > seedgate::kMaxPredictionIdBytes) std::abort();
  return 0;
}
