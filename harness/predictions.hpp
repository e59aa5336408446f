#pragma once
// Reading a run's predictions file (the path a run gets in
// SEEDGATE_PREDICTIONS, `{run_dir}/predictions`). Two formats, told apart by
// their first bytes:
//
// CSV: a header row, then one row per example; fields separated by commas,
// no quoting; lines end in "\n" or "\r\n".
//   id,label,p0,p1,...,pK-1   class probabilities (K >= 2); label in 0..K-1
//   id,label,class            a predicted class; label and class whole numbers >= 0
//   id,target,value           a regression value
// An id is any text without a comma, quote or line end, unique in the file.
// Probabilities are finite, in [0, 1], and each row sums to 1 within 1e-3
// (seedgate then normalises it exactly).
//
// Binary, little-endian: the 8 bytes "SGPRED1\n", a u32 kind (0
// probabilities, 1 classes, 2 values), a u32 class count (K for
// probabilities, 0 otherwise), a u64 row count; then each row: an i64 id, an
// f64 label or target, then K f32 probabilities, or an f64 class or value.
// The file holds exactly that many rows.
//
// Every error names the file and row ("predictions:17: 4 columns, the header
// has 5"); a file larger than the caps is refused before it is read whole.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "checks/predictions.hpp"
#include "util/result.hpp"

namespace seedgate {

// The file a run writes its predictions to, in its run folder.
inline constexpr std::string_view kPredictionsFile = "predictions";
inline constexpr std::string_view kPredictionsMagic = "SGPRED1\n";
inline constexpr std::size_t kMaxPredictionRows = 1'000'000;
inline constexpr std::size_t kMaxPredictionClasses = 1'000;
// rows x classes: what one run's probabilities may hold (40 MB as f32).
inline constexpr std::size_t kMaxPredictionCells = 10'000'000;
inline constexpr std::size_t kMaxPredictionIdBytes = 256;
inline constexpr std::uint64_t kMaxPredictionFileBytes = 512ULL << 20;  // a larger file is refused unread

// What `seedgate check` holds of all runs' predictions at once.
inline constexpr std::size_t kMaxHeldPredictionBytes = std::size_t{4} << 30;

// `label` names the file in errors ("runs/s3-d-r0/predictions").
util::Result<checks::Predictions> parse_predictions(std::string_view content, const std::string& label);
// Reads at most what the caps allow: a larger file is an error, not a partial read.
util::Result<checks::Predictions> read_predictions(const std::filesystem::path& path, const std::string& label);

}  // namespace seedgate
