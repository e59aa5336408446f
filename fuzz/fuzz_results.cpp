// The results file reader, as `seedgate check`, `report` and `merge` load
// it: the depth limit before parsing, then results_from_json. A file that
// loads is merged as a shard (alone, and given twice), asked which shards
// it lacks, and written back: what seedgate writes it must read again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "harness/results.hpp"
#include "harness/shard.hpp"
#include "util/strings.hpp"

namespace {

void check_shards(const seedgate::SweepResults& results) {
  (void)seedgate::missing_shards(results);
  (void)seedgate::describe_missing_shards(results);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // load_results' order: refuse deep nesting before the recursive parser sees it.
  if (util::json_depth(text) > seedgate::kMaxResultsDepth) return 0;
  const nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) return 0;
  auto results = seedgate::results_from_json(value, "results.json");
  if (!results) return 0;
  check_shards(*results);

  if (auto merged = seedgate::merge_shards({*results}, {"a.json"})) check_shards(*merged);
  if (auto merged = seedgate::merge_shards({*results, *results}, {"a.json", "b.json"})) check_shards(*merged);

  // As save_results writes it; the same text must load again.
  const std::string written = seedgate::to_json(*results).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (util::json_depth(written) > seedgate::kMaxResultsDepth) std::abort();
  if (!seedgate::results_from_json(nlohmann::json::parse(written), "written.json")) std::abort();
  return 0;
}
