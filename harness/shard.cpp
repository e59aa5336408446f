#include "harness/shard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <set>
#include <tuple>

#include "util/hash.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

std::optional<long long> parse_int(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

const std::string* find(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() || it->second.empty() ? nullptr : &it->second;
}

// A variable that must hold an integer.
util::Result<long long> integer_variable(const std::map<std::string, std::string>& env, const std::string& name) {
  const std::string* text = find(env, name);
  if (!text) return util::make_error(fmt::format("{} is not set", name));
  auto value = parse_int(*text);
  if (!value) return util::make_error(fmt::format("{}='{}' is not an integer", name, *text));
  return *value;
}

util::Result<Shard> checked(long long index, long long count, const std::string& source) {
  if (count < 1 || count > kMaxShardCount)
    return util::make_error(
        fmt::format("{}: the shard count must be from 1 to {}, not {}", source, kMaxShardCount, count));
  if (index < 1 || index > count)
    return util::make_error(
        fmt::format("{}: shard {} is outside 1..{} (shards count from 1 to the count)", source, index, count));
  return Shard{static_cast<int>(index), static_cast<int>(count), source};
}

// An engine's pair of variables; `base` is the index of the first shard (0 or 1).
util::Result<Shard> from_pair(const std::map<std::string, std::string>& env, const std::string& index_name,
                              const std::string& count_name, long long base) {
  auto index = integer_variable(env, index_name);
  if (!index) return util::make_error(index.error());
  auto count = integer_variable(env, count_name);
  if (!count) return util::make_error(fmt::format("{} is set but {}", index_name, count.error()));
  return checked(*index - base + 1, *count, fmt::format("{}={}, {}={}", index_name, *index, count_name, *count));
}

// The cell a run belongs to: its id without the repeat.
std::string cell_of(const RunSpec& run) {
  return run.id.substr(0, run.id.rfind("-r"));
}

std::vector<RunSpec> full_plan(const Policy& policy) {
  return build_plan(policy, INT_MAX).runs;
}

// Each shard holds exactly its own slice: every run's cell is one the shard's
// index deals it, no run appears twice, every cell of its slice has runs,
// and once every shard is there the runs are the plan's (its digest). A
// shard emptied, relabelled or merged with a copy of another is named.
std::string check_slices(const std::vector<SweepResults>& shards, const std::vector<std::string>& labels) {
  const ShardInfo& plan = *shards.front().shard;
  std::map<std::string, std::size_t> cell_index;
  for (const std::string& cell : plan.cells) cell_index.emplace(cell, cell_index.size());
  std::map<std::string, std::tuple<std::size_t, int>> seen;  // run id -> (cell, repeat)
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const ShardInfo& shard = *shards[i].shard;
    const std::string name = fmt::format("{} (shard {}/{})", labels[i], shard.index, shard.count);
    std::set<std::size_t> cells_with_runs;
    for (const RunRecord& record : shards[i].runs) {
      auto cell = cell_index.find(cell_of(record.run));
      if (cell == cell_index.end()) return fmt::format("{}: run {} is not in the plan", name, record.run.id);
      int owner = static_cast<int>(cell->second % static_cast<std::size_t>(shard.count)) + 1;
      if (owner != shard.index)
        return fmt::format("{}: run {} belongs to shard {}/{}; a shard file holds only its own slice", name,
                           record.run.id, owner, shard.count);
      if (!seen.emplace(record.run.id, std::tuple{cell->second, record.run.repeat}).second)
        return fmt::format("{}: run {} appears twice", name, record.run.id);
      cells_with_runs.insert(cell->second);
    }
    for (std::size_t c = static_cast<std::size_t>(shard.index - 1); c < plan.cells.size();
         c += static_cast<std::size_t>(shard.count)) {
      if (!cells_with_runs.count(c))
        return fmt::format("{}: {} has no runs of {}, which its slice holds{}", labels[i],
                           fmt::format("shard {}/{}", shard.index, shard.count), plan.cells[c],
                           shards[i].runs.empty() ? " (the file has no runs at all)" : "");
    }
  }
  if (static_cast<int>(shards.size()) == plan.count) {
    std::vector<std::pair<std::tuple<std::size_t, int>, std::string>> ordered;
    ordered.reserve(seen.size());
    for (const auto& [id, key] : seen) ordered.emplace_back(key, id);
    std::sort(ordered.begin(), ordered.end());
    std::string ids;
    for (const auto& entry : ordered) ids += entry.second + "\n";
    if (util::digest_bytes(ids) != plan.plan_digest)
      return fmt::format(
          "the shards' runs together are not the plan's runs (digest {}, the plan's {}): a shard file "
          "lost runs or was edited",
          util::digest_bytes(ids), plan.plan_digest);
  }
  return "";
}

}  // namespace

util::Result<Shard> parse_shard(const std::string& text) {
  std::size_t slash = text.find('/');
  auto index = slash == std::string::npos ? std::nullopt : parse_int(text.substr(0, slash));
  auto count = slash == std::string::npos ? std::nullopt : parse_int(text.substr(slash + 1));
  if (!index || !count)
    return util::make_error(fmt::format("--shard '{}' is not K/N (for example 2/3: the second of three)", text));
  return checked(*index, *count, "--shard " + text);
}

util::Result<std::optional<Shard>> resolve_shard(const ShardRequest& request,
                                                 const std::map<std::string, std::string>& env) {
  auto wrap = [](util::Result<Shard> shard) -> util::Result<std::optional<Shard>> {
    if (!shard) return util::make_error(shard.error());
    return std::optional<Shard>(std::move(*shard));
  };
  if (!request.flag.empty()) {
    auto shard = parse_shard(request.flag);
    if (shard && request.count > 0 && request.count != shard->count)
      return util::make_error(
          fmt::format("--shard {} and --shard-count {} disagree on the count", request.flag, request.count));
    return wrap(std::move(shard));
  }
  if (find(env, "CI_NODE_INDEX")) return wrap(from_pair(env, "CI_NODE_INDEX", "CI_NODE_TOTAL", 1));
  if (find(env, "SLURM_ARRAY_TASK_ID")) {
    long long first = 0;
    if (find(env, "SLURM_ARRAY_TASK_MIN")) {
      auto min = integer_variable(env, "SLURM_ARRAY_TASK_MIN");
      if (!min) return util::make_error(min.error());
      first = *min;
    }
    return wrap(from_pair(env, "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", first));
  }
  if (find(env, "JOB_COMPLETION_INDEX")) {
    auto index = integer_variable(env, "JOB_COMPLETION_INDEX");
    if (!index) return util::make_error(index.error());
    long long count = request.count;
    std::string count_source = fmt::format("--shard-count {}", count);
    if (count == 0) {
      auto from_env = integer_variable(env, "SEEDGATE_SHARD_COUNT");
      if (!from_env)
        return util::make_error(
            fmt::format("JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count N or set "
                        "SEEDGATE_SHARD_COUNT to the Job's completions ({})",
                        from_env.error()));
      count = *from_env;
      count_source = fmt::format("SEEDGATE_SHARD_COUNT={}", count);
    }
    return wrap(checked(*index + 1, count, fmt::format("JOB_COMPLETION_INDEX={}, {}", *index, count_source)));
  }
  if (find(env, "GTEST_SHARD_INDEX")) return wrap(from_pair(env, "GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS", 0));
  if (request.count > 0)
    return util::make_error(
        fmt::format("--shard-count {} needs an index: --shard K/N or JOB_COMPLETION_INDEX", request.count));
  return std::optional<Shard>();
}

std::vector<std::string> plan_cells(const Policy& policy) {
  std::vector<std::string> cells;
  for (const RunSpec& run : full_plan(policy))
    if (cells.empty() || cells.back() != cell_of(run)) cells.push_back(cell_of(run));
  return cells;
}

SweepPlan shard_plan(const Policy& policy, const SweepPlan& plan, const Shard& shard) {
  std::map<std::string, std::size_t> cell_index;
  for (const std::string& cell : plan_cells(policy)) cell_index.emplace(cell, cell_index.size());
  auto mine = [&](const RunSpec& run) {
    auto it = cell_index.find(cell_of(run));
    return it != cell_index.end() &&
           static_cast<int>(it->second % static_cast<std::size_t>(shard.count)) == shard.index - 1;
  };
  SweepPlan slice;
  std::copy_if(plan.runs.begin(), plan.runs.end(), std::back_inserter(slice.runs), mine);
  std::copy_if(plan.skipped.begin(), plan.skipped.end(), std::back_inserter(slice.skipped),
               [&](const SkippedRun& s) { return mine(s.run); });
  return slice;
}

std::string plan_digest(const Policy& policy) {
  std::string ids;
  for (const RunSpec& run : full_plan(policy)) ids += run.id + "\n";
  return util::digest_bytes(ids);
}

util::Result<SweepResults> merge_shards(const std::vector<SweepResults>& shards,
                                        const std::vector<std::string>& labels) {
  const SweepResults& first = shards.front();
  std::map<int, std::string> given;  // index -> label
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const SweepResults& s = shards[i];
    if (!s.shard)
      return util::make_error(fmt::format(
          "{} is not a shard (it was not run with --shard); check it alone, or merge only shard files", labels[i]));
    if (s.policy_digest != first.policy_digest)
      return util::make_error(
          fmt::format("{} and {} were run under different policies ({} vs {}); every shard must run the same policy",
                      labels.front(), labels[i], first.policy_digest, s.policy_digest));
    if (s.shard->plan_digest != first.shard->plan_digest || s.shard->count != first.shard->count)
      return util::make_error(fmt::format(
          "{} (shard {}/{}, plan {}) and {} (shard {}/{}, plan {}) slice different plans; every shard must run "
          "the same policy with the same shard count",
          labels.front(), first.shard->index, first.shard->count, first.shard->plan_digest, labels[i], s.shard->index,
          s.shard->count, s.shard->plan_digest));
    if (auto [it, inserted] = given.emplace(s.shard->index, labels[i]); !inserted)
      return util::make_error(
          fmt::format("shard {}/{} is given twice ({} and {})", s.shard->index, s.shard->count, it->second, labels[i]));
    if (s.seedgate_version != first.seedgate_version)
      return util::make_error(
          fmt::format("{} was written by seedgate {} and {} by seedgate {}; run every shard with "
                      "the same seedgate",
                      labels.front(), first.seedgate_version, labels[i], s.seedgate_version));
    if (s.shard->cells != first.shard->cells)
      return util::make_error(fmt::format("{} and {} list different plans' cells; every shard must run the same plan",
                                          labels.front(), labels[i]));
  }
  if (auto problem = check_slices(shards, labels); !problem.empty()) return util::make_error(problem);

  SweepResults out;
  out.seedgate_version = first.seedgate_version;
  out.policy_path = first.policy_path;
  out.policy_digest = first.policy_digest;
  out.subject = first.subject;
  out.seeds = first.seeds;
  out.environment = first.environment;
  out.regex_metrics = first.regex_metrics;
  out.goals = first.goals;
  out.best_seed_report = first.best_seed_report;

  // Runs in an unsharded sweep's order: the plan's runs, then the skipped ones.
  std::map<std::string, std::size_t> order;
  for (const std::string& cell : first.shard->cells) order.emplace(cell, order.size());
  for (const SweepResults& s : shards) {
    out.runs.insert(out.runs.end(), s.runs.begin(), s.runs.end());
    out.interrupted = out.interrupted || s.interrupted;
    out.wall_seconds = std::max(out.wall_seconds, s.shard->wall_seconds);
    out.merged_from.push_back(*s.shard);
    out.merged_from.back().cells.clear();
  }
  std::sort(out.merged_from.begin(), out.merged_from.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.index < b.index; });
  auto rank = [&](const RunRecord& r) {
    auto it = order.find(cell_of(r.run));
    return std::tuple{r.status == RunStatus::skipped, it == order.end() ? order.size() : it->second, r.run.repeat};
  };
  std::stable_sort(out.runs.begin(), out.runs.end(),
                   [&](const RunRecord& a, const RunRecord& b) { return rank(a) < rank(b); });
  return out;
}

std::vector<int> missing_shards(const SweepResults& results) {
  std::vector<int> missing;
  if (results.merged_from.empty()) return missing;
  std::set<int> given;
  for (const ShardInfo& s : results.merged_from) given.insert(s.index);
  for (int k = 1; k <= results.merged_from.front().count; ++k)
    if (!given.count(k)) missing.push_back(k);
  return missing;
}

std::string describe_missing_shards(const SweepResults& results) {
  std::vector<std::string> names;
  for (int k : missing_shards(results)) names.push_back(fmt::format("{}/{}", k, results.merged_from.front().count));
  if (names.empty()) return "";
  bool one = names.size() == 1;
  return fmt::format("shard{} {} {} missing: {} runs are not judged; give every shard-*.json", one ? "" : "s",
                     util::join(names, ", "), one ? "is" : "are", one ? "its" : "their");
}

}  // namespace seedgate
