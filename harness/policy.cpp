#include "harness/policy.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <span>
#include <unordered_set>

#include "harness/metrics.hpp"
#include "lint/config.hpp"
#include "util/atomic_file.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"
#include "util/toml_reader.hpp"

namespace seedgate {
namespace {

using checks::Goal;
using util::KeyList;

using Parser = util::TomlReader;
using PolicyError = util::TomlError;

Duration duration(const Parser& p, const toml::node& node, std::string_view key) {
  std::string text = p.string(node, key);
  auto parsed = parse_duration(text);
  if (!parsed) p.fail(node, fmt::format("'{}': {}", key, parsed.error()));
  if (parsed->count() <= 0) p.fail(node, fmt::format("'{}' must be longer than 0s", key));
  return *parsed;
}

void check_placeholders(const Parser& p, const toml::node& node, std::string_view key, const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      ++i;
      continue;
    }
    if (text[i] == '}') p.fail(node, fmt::format("'{}' has an unmatched '}}' (write '}}}}' for a literal brace)", key));
    if (text[i] != '{') continue;
    std::size_t close = text.find('}', i);
    if (close == std::string::npos)
      p.fail(node, fmt::format("'{}' has an unmatched '{{' (write '{{{{' for a literal brace)", key));
    std::string name = text.substr(i + 1, close - i - 1);
    if (std::find(std::begin(kPlaceholders), std::end(kPlaceholders), name) == std::end(kPlaceholders)) {
      std::string message = fmt::format("unknown placeholder '{{{}}}' in '{}'", name, key);
      if (auto near = util::closest_match(name, kPlaceholders))
        message += fmt::format("; did you mean '{{{}}}'?", *near);
      p.fail(node, message);
    }
    i = close;
  }
}

void parse_subject(const Parser& p, const toml::node& node, const std::filesystem::path& dir,
                   std::span<const SubjectTable> tables, Policy& policy) {
  const toml::table& t = p.table(node, "subject");
  util::KeyList keys = {"name", "adapter",          "command", "timeout",      "grace",
                        "env",  "allowed_failures", "workdir", "output_limit", "shared_artifacts"};
  for (const SubjectTable& table : tables) keys.push_back(table.adapter);
  p.reject_unknown(t, keys, "[subject]");
  SubjectSpec& s = policy.subject;
  if (auto n = t.get("name")) s.name = p.string(*n, "name");
  if (auto n = t.get("adapter")) s.adapter = p.choice(*n, "adapter", {"command", "libtorch", "xgboost"});
  const toml::node* command = t.get("command");
  if (auto key = t.find("command"); key != t.end())
    s.command_position = {static_cast<int>(key->first.source().begin.line),
                          static_cast<int>(key->first.source().begin.column)};
  const SubjectTable* own = nullptr;
  for (const SubjectTable& table : tables)
    if (table.adapter == s.adapter) own = &table;
  if (own && own->in_process) {
    // Trained inside seedgate: no program, so nothing to run or give an environment.
    for (const char* key : {"command", "env", "workdir"})
      if (auto n = t.get(key))
        p.fail(*n, fmt::format("adapter \"{}\" trains inside seedgate and takes no '{}'; describe the "
                               "training in [subject.{}]",
                               s.adapter, key, s.adapter));
  }
  for (const SubjectTable& table : tables) {
    const toml::node* n = t.get(table.adapter);
    if (n && &table != own)
      p.fail(*n,
             fmt::format("[subject.{}] is for adapter = \"{}\", not \"{}\"", table.adapter, table.adapter, s.adapter));
  }
  if (own) {
    const toml::node* n = t.get(own->adapter);
    if (!n) p.fail(node, fmt::format("adapter \"{}\" needs a [subject.{}] table {}", s.adapter, s.adapter, own->keys));
    s.adapter_table = own->parse(p, *n, dir);
  }
  if (own && own->in_process) {
    // The adapter trains from its own table: there is no command to read.
  } else if (!command) {
    p.fail(t.source(), "missing required key 'command' in [subject]");
  } else if (auto text = command->value_exact<std::string>()) {
    if (text->empty()) p.fail(*command, "'command' must not be empty");
    check_placeholders(p, *command, "command", *text);
    s.command = {*text};
    s.shell = true;
  } else if (command->is_array()) {
    s.command = p.string_list(*command, "command", Parser::Repeats::allowed);
    if (s.command.empty()) p.fail(*command, "'command' must not be empty");
    for (const toml::node& item : *command->as_array())
      check_placeholders(p, item, "command", *item.value_exact<std::string>());
  } else {
    p.wrong_type(*command, "command", "an array of strings (argv) or a string (run by /bin/sh -c)");
  }
  if (auto n = t.get("timeout")) s.timeout = duration(p, *n, "timeout");
  if (auto n = t.get("grace")) s.grace = duration(p, *n, "grace");
  if (auto n = t.get("env")) {
    for (auto&& [key, value] : p.table(*n, "env")) {
      if (util::starts_with(key.str(), "SEEDGATE_"))
        p.fail(key.source(), fmt::format("'env' must not set '{}': seedgate sets SEEDGATE_* for every run", key.str()));
      s.env[std::string(key.str())] = p.string(value, fmt::format("env.{}", key.str()));
    }
  }
  if (auto n = t.get("allowed_failures"))
    s.allowed_failures = static_cast<int>(p.integer(*n, "allowed_failures", 0, 1'000'000));
  if (auto n = t.get("shared_artifacts")) s.shared_artifacts = p.boolean(*n, "shared_artifacts");
  s.workdir = dir;
  if (auto n = t.get("workdir")) s.workdir = util::resolve_path(dir, p.string(*n, "workdir"));
  if (auto n = t.get("output_limit")) {
    std::string text = p.string(*n, "output_limit");
    auto size = parse_size(text);
    if (!size) p.fail(*n, fmt::format("'output_limit': {}", size.error()));
    s.output_limit = *size;
  }
}

SeedsSpec parse_seeds(const Parser& p, const toml::node& node) {
  constexpr std::int64_t kMaxSeeds = 100'000;
  SeedsSpec spec;
  if (node.is_integer()) {
    std::int64_t count = p.integer(node, "seeds", 1, kMaxSeeds);
    for (std::int64_t i = 0; i < count; ++i) spec.seeds.push_back(i);
  } else if (const toml::array* list = node.as_array()) {
    if (list->empty()) p.fail(node, "'seeds' must not be empty");
    if (list->size() > static_cast<std::size_t>(kMaxSeeds))
      p.fail(node, fmt::format("'seeds' lists {} seeds; at most {}", list->size(), kMaxSeeds));
    std::unordered_set<std::int64_t> seen;
    for (const toml::node& item : *list) {
      std::int64_t seed = p.integer(item, "seeds", 0, INT64_MAX);
      if (!seen.insert(seed).second) p.fail(item, fmt::format("'seeds' lists {} twice", seed));
      spec.seeds.push_back(seed);
    }
  } else if (const toml::table* t = node.as_table()) {
    p.reject_unknown(*t, {"start", "count", "max"}, "'seeds'");
    std::int64_t start = 0;
    if (auto n = t->get("start")) start = p.integer(*n, "start", 0, INT64_MAX - kMaxSeeds);
    const toml::node* count = t->get("count");
    if (!count) p.fail(node, "'seeds' table needs 'count'");
    std::int64_t n_seeds = p.integer(*count, "count", 1, kMaxSeeds);
    for (std::int64_t i = 0; i < n_seeds; ++i) spec.seeds.push_back(start + i);
    if (auto n = t->get("max")) {
      spec.max_count = p.integer(*n, "max", 1, kMaxSeeds);
      if (*spec.max_count < n_seeds)
        p.fail(*n, fmt::format("'max' ({}) must be at least 'count' ({})", *spec.max_count, n_seeds));
    }
  } else {
    p.wrong_type(node, "seeds", "an integer, an array of integers or a table { start, count }");
  }
  return spec;
}

void parse_sweep(const Parser& p, const toml::node& node, Policy& policy) {
  const toml::table& t = p.table(node, "sweep");
  p.reject_unknown(
      t, {"seeds", "modes", "devices", "threads", "repeats", "jobs", "gpus", "fail_fast", "folds", "fold_seed", "vary"},
      "[sweep]");
  SweepSpec& s = policy.sweep;
  const toml::node* seeds = t.get("seeds");
  if (!seeds) p.fail(t.source(), "missing required key 'seeds' in [sweep]");
  s.seeds = parse_seeds(p, *seeds);
  if (auto n = t.get("modes")) {
    s.modes = p.string_list(*n, "modes");
    if (s.modes.empty()) p.fail(*n, "'modes' must not be empty");
    for (std::size_t i = 0; i < s.modes.size(); ++i)
      p.choice(*(*n->as_array()).get(i), "modes", {"deterministic", "default"});
  }
  if (auto n = t.get("devices")) {
    s.devices = p.string_list(*n, "devices");
    if (s.devices.empty()) p.fail(*n, "'devices' must not be empty");
    static const std::regex device_pattern("cpu|cuda(:[0-9]+)?");
    for (std::size_t i = 0; i < s.devices.size(); ++i) {
      if (!std::regex_match(s.devices[i], device_pattern))
        p.fail(*(*n->as_array()).get(i),
               fmt::format("'devices' entries are \"cpu\", \"cuda\" or \"cuda:N\", got \"{}\"", s.devices[i]));
    }
  }
  if (auto n = t.get("threads")) {
    const toml::array* list = n->as_array();
    if (!list) p.wrong_type(*n, "threads", "an array of integers");
    if (list->empty()) p.fail(*n, "'threads' must not be empty");
    for (const toml::node& item : *list) {
      int threads = static_cast<int>(p.integer(item, "threads", 1, 4096));
      if (std::find(s.threads.begin(), s.threads.end(), threads) != s.threads.end())
        p.fail(item, fmt::format("'threads' lists {} twice", threads));
      s.threads.push_back(threads);
    }
  }
  if (auto n = t.get("repeats")) s.repeats = static_cast<int>(p.integer(*n, "repeats", 1, 1000));
  if (auto n = t.get("gpus")) s.gpus = static_cast<int>(p.integer(*n, "gpus", 0, 4096));
  if (auto n = t.get("fail_fast")) s.fail_fast = p.boolean(*n, "fail_fast");
  if (auto n = t.get("folds")) s.folds = static_cast<int>(p.integer(*n, "folds", 2, kMaxFolds));
  if (auto n = t.get("vary")) {
    s.vary = p.string_list(*n, "vary");
    if (s.vary.empty()) p.fail(*n, "'vary' must not be empty");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < s.vary.size(); ++i) {
      const toml::node& item = *(*n->as_array()).get(i);
      p.choice(item, "vary", {kSeedSources[0], kSeedSources[1], kSeedSources[2], kSeedSources[3]});
      if (!seen.insert(s.vary[i]).second) p.fail(item, fmt::format("'vary' lists \"{}\" twice", s.vary[i]));
    }
  }
  if (auto n = t.get("fold_seed")) {
    if (!s.folds) p.fail(*n, "'fold_seed' needs 'folds': it seeds the split into folds");
    if (n->is_string()) {
      p.choice(*n, "fold_seed", {"paired"});
      s.paired_folds = true;
    } else {
      s.fold_seed = p.integer(*n, "fold_seed", 0, std::numeric_limits<std::int64_t>::max());
    }
  }
  if (auto n = t.get("jobs")) {
    if (n->is_string() && n->value_exact<std::string>() != "auto")
      p.fail(*n, fmt::format("'jobs' must be \"auto\" or a number, got \"{}\"", *n->value_exact<std::string>()));
    else if (n->is_string())
      s.jobs = 0;
    else if (n->is_integer())
      s.jobs = static_cast<int>(p.integer(*n, "jobs", 1, 4096));
    else
      p.wrong_type(*n, "jobs", "\"auto\" or an integer");
  }
}

// Every run is planned, recorded and judged in memory: a plan past a million
// runs is a typo, not a study. Counted over every axis a seed's runs span,
// once the [[variant]] tables are read.
void check_run_count(const Parser& p, const toml::node& sweep, const Policy& policy) {
  constexpr double kMaxRuns = 1'000'000;
  const SweepSpec& s = policy.sweep;
  auto at_least_one = [](std::size_t n) { return static_cast<double>(std::max<std::size_t>(1, n)); };
  double runs = static_cast<double>(s.seeds.max_count.value_or(static_cast<std::int64_t>(s.seeds.seeds.size()))) *
                at_least_one(s.modes.size()) * at_least_one(s.devices.size()) * at_least_one(s.threads.size()) *
                s.repeats * std::max(1, s.folds) * at_least_one(policy.variants.size()) * at_least_one(s.vary.size());
  if (runs <= kMaxRuns) return;
  std::string axes = "seeds x modes x devices x threads x repeats";
  if (s.folds > 0) axes += " x folds";
  if (!policy.variants.empty()) axes += " x variants";
  if (!s.vary.empty()) axes += " x vary";
  p.fail(sweep.source(), fmt::format("[sweep] plans {:.0f} runs ({}); at most {:.0f}", runs, axes, kMaxRuns));
}

void parse_metrics(const Parser& p, const toml::node& node, Policy& policy) {
  for (auto&& [key, value] : p.table(node, "metrics")) {
    std::string where = fmt::format("[metrics.{}]", key.str());
    const toml::table& t = p.table(value, fmt::format("metrics.{}", key.str()));
    p.reject_unknown(t, {"goal", "regex", "stream", "pick", "required"}, where);
    MetricSpec m;
    m.name = key.str();
    const toml::node* goal = t.get("goal");
    if (!goal) p.fail(t.source(), fmt::format("missing required key 'goal' in {} (\"max\" or \"min\")", where));
    m.goal = p.choice(*goal, "goal", {"max", "min"}) == "max" ? Goal::maximize : Goal::minimize;
    if (auto n = t.get("regex")) {
      m.regex = p.string(*n, "regex");
      auto groups = metric_regex_groups(m.regex);
      if (!groups)
        p.fail(*n, fmt::format("'regex' is not a regular expression RE2 can run (no backreferences or lookaround): {}",
                               groups.error()));
      if (*groups < 1) p.fail(*n, "'regex' needs a capture group for the value, such as 'loss=([0-9.eE+-]+)'");
      m.source = Stream::both_streams;
    }
    if (auto n = t.get("stream")) {
      if (m.regex.empty()) p.fail(*n, "'stream' applies only with 'regex'");
      std::string stream = p.choice(*n, "stream", {"both", "stdout", "stderr"});
      m.source = stream == "stdout"   ? Stream::stdout_stream
                 : stream == "stderr" ? Stream::stderr_stream
                                      : Stream::both_streams;
    }
    if (auto n = t.get("pick")) {
      if (m.regex.empty()) p.fail(*n, "'pick' applies only with 'regex'");
      std::string pick = p.choice(*n, "pick", {"last", "first", "min", "max"});
      m.pick = pick == "last" ? Pick::last : pick == "first" ? Pick::first : pick == "min" ? Pick::min : Pick::max;
    }
    if (auto n = t.get("required")) m.required = p.boolean(*n, "required");
    policy.metrics.push_back(std::move(m));
  }
}

void parse_artifacts(const Parser& p, const toml::node& node, Policy& policy) {
  for (auto&& [key, value] : p.table(node, "artifacts")) {
    std::string text = p.string(value, key.str());
    if (text.empty()) p.fail(value, fmt::format("artifact '{}' has an empty path", key.str()));
    check_placeholders(p, value, key.str(), text);
    // A file outside the run's folder is one file for every run: a run that
    // does not write it would be digested from what an earlier run left.
    bool in_run_dir =
        text.starts_with("{run_dir}/") && text.find("/../") == std::string::npos && !text.ends_with("/..");
    if (!in_run_dir && !policy.subject.shared_artifacts)
      p.fail(value,
             fmt::format("artifact '{}' (\"{}\") is outside the run's folder, so every run would be digested "
                         "from one file an earlier run may have written; write it under {{run_dir}} (such as "
                         "\"{{run_dir}}/{}\"), or set shared_artifacts = true in [subject] to digest it where it "
                         "is (a run that leaves it older than its start then fails)",
                         key.str(), text, std::filesystem::path(text).filename().string()));
    policy.artifacts.emplace_back(std::string(key.str()), text);
  }
}

void parse_statistics(const Parser& p, const toml::node& node, Policy& policy) {
  const toml::table& t = p.table(node, "statistics");
  p.reject_unknown(t, {"seed", "resamples", "spending", "family"}, "[statistics]");
  StatisticsSpec& s = policy.statistics;
  if (auto n = t.get("seed")) s.bootstrap.seed = static_cast<std::uint64_t>(p.integer(*n, "seed", 0, INT64_MAX));
  if (auto n = t.get("resamples"))
    s.bootstrap.resamples = static_cast<std::size_t>(p.integer(*n, "resamples", 100, 10'000'000));
  if (auto n = t.get("spending")) {
    std::string chosen = p.choice(*n, "spending", {"pocock", "obrien-fleming", "bonferroni"});
    for (checks::Spending spending :
         {checks::Spending::pocock, checks::Spending::obrien_fleming, checks::Spending::bonferroni})
      if (chosen == checks::to_string(spending)) s.spending = spending;
  }
  if (auto n = t.get("family"))
    s.family = p.choice(*n, "family", {"none", "holm"}) == "holm" ? Family::holm : Family::none;
}

// "'a' or 'b'", "'a', 'b' or 'c'".
std::string either(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += fmt::format("'{}'", names[i]);
  }
  return out;
}

// One of a kind's own keys, checked against its type.
checks::KeyValue key_value(const Parser& p, const toml::node& node, const checks::KeyInfo& key, std::string_view name,
                           const std::filesystem::path& dir, const Policy& policy) {
  checks::KeyValue value;
  value.key = std::string(name);
  switch (key.type) {
    case checks::KeyType::non_negative:
      value.number = p.non_negative(node, name);
      break;
    case checks::KeyType::bound:
      value.number = p.number(node, name);
      break;
    case checks::KeyType::share:
      value.number = p.number(node, name);
      if (value.number <= 0 || value.number >= 1)
        p.fail(node, fmt::format("'{}' must be between 0 and 1, got {}", name, util::format_number(value.number)));
      break;
    case checks::KeyType::choice: {
      std::string chosen = p.choice(node, name, key.choices);
      value.choice =
          static_cast<std::size_t>(std::find(key.choices.begin(), key.choices.end(), chosen) - key.choices.begin());
      break;
    }
    case checks::KeyType::names:
      // Names from [artifacts] or reported by the program (protocol artifact
      // records); a name no run reports is an error when the check is judged.
      value.names = p.string_list(node, name);
      for (const std::string& item : value.names)
        if (item.empty()) p.fail(node, fmt::format("'{}' must not hold an empty name", name));
      break;
    case checks::KeyType::path:
      value.text = util::resolve_path(dir, p.string(node, name)).string();
      break;
    case checks::KeyType::count:
      value.number = p.number(node, name);
      if (value.number != std::floor(value.number) || value.number < key.minimum || value.number > 1e6)
        p.fail(node, fmt::format("'{}' must be a whole number from {} to 1000000, got {}", name,
                                 util::format_number(key.minimum), util::format_number(value.number)));
      break;
    case checks::KeyType::text:
      value.text = p.string(node, name);
      if (value.text.empty()) p.fail(node, fmt::format("'{}' must not be empty", name));
      break;
    case checks::KeyType::variant: {
      value.text = p.string(node, name);
      std::vector<std::string_view> names;
      for (const VariantSpec& v : policy.variants) names.push_back(v.name);
      if (names.empty())
        p.fail(node, fmt::format("'{}' names a variant, but the policy declares no [[variant]] tables", name));
      if (std::find(names.begin(), names.end(), value.text) == names.end()) {
        std::string message = fmt::format("'{}' names no [[variant]]: '{}'", name, value.text);
        if (auto near = util::closest_match(value.text, names)) message += fmt::format("; did you mean '{}'?", *near);
        p.fail(node, message);
      }
      break;
    }
  }
  return value;
}

void parse_check(const Parser& p, const toml::node& node, const std::filesystem::path& dir, Policy& policy) {
  const toml::table& t = p.table(node, "check");
  const toml::node* kind_node = t.get("kind");
  if (!kind_node) p.fail(t.source(), "missing required key 'kind' in [[check]]");
  std::string kind_name = p.string(*kind_node, "kind");
  const checks::KindInfo* found = checks::find_kind(kind_name);
  if (!found) {
    KeyList names;
    for (const checks::KindInfo& k : checks::kinds()) names.push_back(k.name);
    std::string message = fmt::format("unknown check kind '{}'", kind_name);
    if (auto near = util::closest_match(kind_name, names))
      message += fmt::format("; did you mean '{}'?", *near);
    else
      message += fmt::format(" (kinds: {})", fmt::join(names, ", "));
    p.fail(*kind_node, message);
  }
  const checks::KindInfo& kind = *found;

  KeyList allowed(std::begin(checks::kCommonCheckKeys), std::end(checks::kCommonCheckKeys));
  for (std::string_view key : checks::own_keys(kind)) allowed.push_back(key);
  for (auto&& [key, value] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    for (const checks::KindInfo& other : checks::kinds()) {
      KeyList keys = checks::own_keys(other);
      if (std::find(keys.begin(), keys.end(), key.str()) != keys.end()) {
        std::string message = fmt::format("'{}' does not apply to a {} check", key.str(), kind_name);
        if (key.str() == "confidence") message += ": it compares digests and values exactly, with no estimate to bound";
        p.fail(key.source(), message);
      }
    }
  }
  p.reject_unknown(t, allowed, "[[check]]");

  CheckEntry entry;
  entry.position = {static_cast<int>(t.source().begin.line), static_cast<int>(t.source().begin.column)};
  checks::CheckSpec& c = entry.spec;
  // The variant's alternative is the kind: value-initialise the kind's own spec.
  c.params = checks::default_spec(kind.kind);
  const MetricSpec* metric = nullptr;
  if (kind.metric == checks::MetricUse::score) {
    // A score of the predictions, not a [metrics] entry: its goal is the score's.
    c.metric = checks::to_string(checks::Score::accuracy);
    if (auto n = t.get("metric")) {
      c.metric = p.string(*n, "metric");
      if (!checks::score_from(c.metric))
        p.fail(*n, fmt::format("'metric' of an {} check is a score of the runs' predictions: accuracy, log-loss, "
                               "brier, rmse or auc; got '{}'",
                               kind_name, c.metric));
    }
    c.goal = checks::maximized(*checks::score_from(c.metric)) ? Goal::maximize : Goal::minimize;
  } else if (auto n = t.get("metric"); n && kind.metric == checks::MetricUse::none) {
    p.fail(*n, fmt::format("'metric' does not apply to a {} check: it judges runs, not a metric", kind_name));
  } else if (n) {
    c.metric = p.string(*n, "metric");
    metric = policy.find_metric(c.metric);
    if (!metric) {
      std::vector<std::string_view> names;
      for (const MetricSpec& m : policy.metrics) names.push_back(m.name);
      std::string message = fmt::format("metric '{}' is not declared in [metrics]", c.metric);
      if (auto near = util::closest_match(c.metric, names)) message += fmt::format("; did you mean '{}'?", *near);
      p.fail(*n, message);
    }
    c.goal = metric->goal;
  } else if (kind.metric == checks::MetricUse::required) {
    p.fail(t.source(), fmt::format("missing required key 'metric' in [[check]] of kind '{}'", kind_name));
  }

  if (auto n = t.get("modes")) {
    c.modes = p.string_list(*n, "modes");
    for (const std::string& mode : c.modes) {
      if (std::find(policy.sweep.modes.begin(), policy.sweep.modes.end(), mode) == policy.sweep.modes.end())
        p.fail(*n, fmt::format("check mode '{}' is not among [sweep] modes", mode));
    }
  } else if (kind.deterministic_by_default && std::find(policy.sweep.modes.begin(), policy.sweep.modes.end(),
                                                        "deterministic") != policy.sweep.modes.end()) {
    c.modes = {"deterministic"};  // default mode may legitimately differ run to run
  }
  if (auto n = t.get("devices")) c.devices = p.string_list(*n, "devices");
  if (auto n = t.get("threads")) {
    const toml::array* list = n->as_array();
    if (!list) p.wrong_type(*n, "threads", "an array of integers");
    for (const toml::node& item : *list) c.threads.push_back(static_cast<int>(p.integer(item, "threads", 1, 4096)));
  }
  if (auto n = t.get("confidence")) {
    double v = p.number(*n, "confidence");
    // At 0.5 or below a confidence bound sits on the wrong side of the
    // estimate: worse data would pass more easily.
    if (!(v > 0.5 && v < 1))
      p.fail(*n, fmt::format("'confidence' must be above 0.5 and below 1, got {}", util::format_number(v)));
    entry.confidence = v;
  }
  if (auto n = t.get("resolution")) {
    double v = p.number(*n, "resolution");
    if (!(v >= 0) || !std::isfinite(v))
      p.fail(*n,
             fmt::format("'resolution' must be a step of 0 or more (0: continuous), got {}", util::format_number(v)));
    c.resolution = v;
  }
  if (auto n = t.get("inconclusive")) {
    std::string v = p.choice(*n, "inconclusive", {"fail", "pass", "more-seeds"});
    entry.inconclusive = v == "fail" ? Inconclusive::fail : v == "pass" ? Inconclusive::pass : Inconclusive::more_seeds;
    if (!entry.confidence)
      p.fail(*n,
             "'inconclusive' needs 'confidence': without it a check judges point estimates and is never "
             "inconclusive");
    if (entry.inconclusive == Inconclusive::more_seeds && !policy.sweep.seeds.max_count)
      p.fail(*n,
             "inconclusive = \"more-seeds\" needs a ceiling on seeds: seeds = { start = 0, count = 5, max = 20 } "
             "in [sweep]");
  }
  c.confidence = entry.confidence;
  c.bootstrap = policy.statistics.bootstrap;

  // The kind's own keys, from its table entry. Bounds are named for the metric's goal.
  const bool maximize = c.goal == Goal::maximize;
  std::vector<std::string_view> one_of;
  bool has_one_of = false;
  for (const checks::KeyInfo& key : kind.keys) {
    std::string_view name = key.name_for(maximize);
    if (!key.min_name.empty()) {
      std::string_view other = key.name_for(!maximize);
      if (auto n = t.get(other)) {
        p.fail(*n, fmt::format("'{}' does not fit metric '{}' with goal = \"{}\"; use '{}'", other, c.metric,
                               maximize ? "max" : "min", name));
      }
    }
    if (key.one_of) one_of.push_back(name);
    const toml::node* n = t.get(name);
    if (!n) {
      if (key.required)
        p.fail(t.source(), fmt::format("missing required key '{}' in [[check]] of kind '{}'", name, kind_name));
      continue;
    }
    if (key.needs_confidence && !entry.confidence) p.fail(*n, fmt::format("'{}' needs 'confidence'", name));
    key.set(c, key_value(p, *n, key, name, dir, policy));
    has_one_of |= key.one_of;
  }
  if (!one_of.empty() && !has_one_of) p.fail(t.source(), fmt::format("{} check needs {}", kind_name, either(one_of)));

  if (auto n = t.get("name")) {
    c.name = p.string(*n, "name");
    for (const CheckEntry& other : policy.checks) {
      if (other.spec.name == c.name) p.fail(*n, fmt::format("check name '{}' is used twice", c.name));
    }
  } else {
    std::string base = c.metric.empty() ? kind_name : fmt::format("{}-{}", kind_name, c.metric);
    c.name = base;
    for (int suffix = 2;; ++suffix) {
      bool taken = std::any_of(policy.checks.begin(), policy.checks.end(),
                               [&](const CheckEntry& other) { return other.spec.name == c.name; });
      if (!taken) break;
      c.name = fmt::format("{}-{}", base, suffix);
    }
  }
  policy.checks.push_back(std::move(entry));
}

// A [[variant]]: a name, and what it changes of the subject.
void parse_variant(const Parser& p, const toml::node& node, Policy& policy) {
  const toml::table& t = p.table(node, "variant");
  p.reject_unknown(t, {"name", "env", "args", "params"}, "[[variant]]");
  VariantSpec v;
  v.position = {static_cast<int>(t.source().begin.line), static_cast<int>(t.source().begin.column)};
  const toml::node* name = t.get("name");
  if (!name) p.fail(t.source(), "missing required key 'name' in [[variant]]");
  v.name = p.string(*name, "name");
  static const std::regex name_pattern("[A-Za-z0-9._-]{1,64}");
  if (!std::regex_match(v.name, name_pattern))
    p.fail(*name, fmt::format("a variant's name is 1 to 64 letters, digits, '.', '_' or '-' (it names run folders), "
                              "got \"{}\"",
                              v.name));
  for (const VariantSpec& other : policy.variants)
    if (other.name == v.name) p.fail(*name, fmt::format("variant name '{}' is used twice", v.name));
  if (auto n = t.get("env")) {
    for (auto&& [key, value] : p.table(*n, "env")) {
      if (util::starts_with(key.str(), "SEEDGATE_"))
        p.fail(key.source(), fmt::format("'env' must not set '{}': seedgate sets SEEDGATE_* for every run", key.str()));
      v.env[std::string(key.str())] = p.string(value, fmt::format("env.{}", key.str()));
    }
  }
  if (auto n = t.get("args")) {
    if (policy.subject.shell)
      p.fail(*n, "'args' needs 'command' as an array (argv): a string command is run by a shell");
    v.args = p.string_list(*n, "args");
  }
  if (auto n = t.get("params")) {
    if (policy.subject.adapter != "xgboost")
      p.fail(*n, fmt::format("'params' sets the xgboost adapter's parameters; this subject's adapter is '{}'",
                             policy.subject.adapter));
    for (auto&& [key, value] : p.table(*n, "params")) {
      std::string param(key.str());
      for (const char* reserved : {"seed", "random_state", "nthread", "n_jobs", "device", "gpu_id"})
        if (param == reserved) p.fail(key.source(), fmt::format("'params' must not set '{}': seedgate sets it", param));
      std::vector<const toml::node*> items;
      if (const toml::array* list = value.as_array()) {
        for (const toml::node& item : *list) items.push_back(&item);
        if (items.empty()) p.fail(value, fmt::format("'params.{}' must not be empty", param));
      } else {
        items.push_back(&value);
      }
      for (const toml::node* item : items) {
        std::string text;
        if (auto s = item->value_exact<std::string>())
          text = *s;
        else if (auto i = item->value_exact<std::int64_t>())
          text = std::to_string(*i);
        else if (auto d = item->value_exact<double>())
          text = util::format_number(*d);
        else if (auto b = item->value_exact<bool>())
          text = *b ? "true" : "false";
        else
          p.wrong_type(*item, fmt::format("params.{}", param), "a string, number or boolean");
        v.params.emplace_back(param, std::move(text));
      }
    }
  }
  policy.variants.push_back(std::move(v));
}

void parse_report(const Parser& p, const toml::node& node, const std::filesystem::path& dir, Policy& policy) {
  const toml::table& t = p.table(node, "report");
  p.reject_unknown(t, {"junit", "json", "markdown", "html", "best_seed_report"}, "[report]");
  if (auto n = t.get("best_seed_report")) policy.report.best_seed_report = p.boolean(*n, "best_seed_report");
  auto path = [&](const char* key, std::filesystem::path& out) {
    if (auto n = t.get(key)) {
      std::string value = p.string(*n, key);
      if (value.empty()) p.fail(*n, fmt::format("'{}' must not be empty", key));
      out = util::resolve_path(dir, value);
    }
  };
  path("junit", policy.report.junit);
  path("json", policy.report.json);
  path("markdown", policy.report.markdown);
  path("html", policy.report.html);
}

void parse_history(const Parser& p, const toml::node& node, Policy& policy) {
  const toml::table& t = p.table(node, "history");
  p.reject_unknown(t, {"store", "branch"}, "[history]");
  const toml::node* store = t.get("store");
  if (!store)
    p.fail(t.source(), "missing required key 'store' in [history] (e.g. store = \"sqlite:.seedgate/history.db\")");
  policy.history.store = p.string(*store, "store");
  if (auto problem = history_store_problem(policy.history.store)) p.fail(*store, *problem);
  if (auto n = t.get("branch")) {
    policy.history.branch = p.string(*n, "branch");
    if (policy.history.branch.empty()) p.fail(*n, "'branch' must not be empty");
  }
}

}  // namespace

std::optional<std::string> history_store_problem(std::string_view store) {
  if (store.starts_with("sqlite:")) {
    if (store.size() == 7) return "'store' = \"sqlite:\" names no file (e.g. \"sqlite:.seedgate/history.db\")";
    return std::nullopt;
  }
  if (store.starts_with("postgresql://") || store.starts_with("postgres://")) {
    // A password in the policy would be committed with it.
    std::string_view rest = store.substr(store.find("//") + 2);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    if (authority.find('@') != std::string_view::npos &&
        authority.substr(0, authority.find('@')).find(':') != std::string_view::npos)
      return std::string("'store' holds a password: put it in PGPASSWORD or ~/.pgpass, not in the policy");
    if (store.find("password=") != std::string_view::npos)
      return std::string("'store' holds a password: put it in PGPASSWORD or ~/.pgpass, not in the policy");
    return std::nullopt;
  }
  // Only the scheme is echoed: what follows may hold a password.
  std::string_view scheme = store.substr(0, std::min(store.find(':'), std::size_t{20}));
  return fmt::format("'store' must start with \"sqlite:\" or \"postgresql://\", got \"{}:...\"", scheme);
}

std::vector<std::int64_t> SeedsSpec::ceiling() const {
  if (!max_count || seeds.empty()) return seeds;
  std::vector<std::int64_t> all;
  for (std::int64_t i = 0; i < *max_count; ++i) all.push_back(seeds.front() + i);
  return all;
}

const MetricSpec* Policy::find_metric(const std::string& name) const {
  for (const MetricSpec& m : metrics)
    if (m.name == name) return &m;
  return nullptr;
}

const char* to_string(Family family) {
  return family == Family::holm ? "holm" : "none";
}

util::Result<Duration> parse_duration(std::string_view text) {
  static const std::regex part("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");
  std::string s(text);
  auto error = [&] {
    return util::make_error(
        fmt::format("\"{}\" is not a duration; write a number and a unit (ms, s, m, h), "
                    "such as \"90s\" or \"10m\"",
                    s));
  };
  if (s.empty()) return error();
  double total_ms = 0;
  std::size_t consumed = 0;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), part); it != std::sregex_iterator(); ++it) {
    if (static_cast<std::size_t>(it->position()) != consumed) return error();
    const std::string number = (*it)[1].str();
    double value = 0;
    // Out of a double's range: too long if whole units overflow it, else a
    // fraction too small to hold, which is nothing.
    if (std::from_chars(number.data(), number.data() + number.size(), value).ec != std::errc{}) {
      if (number.substr(0, number.find('.')).find_first_not_of('0') != std::string::npos)
        return util::make_error(fmt::format("\"{}\" is too long a duration", s));
      value = 0;
    }
    std::string unit = (*it)[2].str();
    double scale = unit == "ms" ? 1 : unit == "s" ? 1e3 : unit == "m" ? 60e3 : 3600e3;
    total_ms += value * scale;
    consumed += static_cast<std::size_t>(it->length());
  }
  if (consumed != s.size()) return error();
  if (total_ms > 1e12) return util::make_error(fmt::format("\"{}\" is too long a duration", s));
  return Duration(static_cast<Duration::rep>(std::llround(total_ms)));
}

util::Result<std::uint64_t> parse_size(std::string_view text) {
  static const std::regex pattern("([0-9]+)(B|KiB|MiB|GiB)");
  std::string s(text);
  std::smatch m;
  if (!std::regex_match(s, m, pattern))
    return util::make_error(
        fmt::format("\"{}\" is not a size; write a number and B, KiB, MiB or GiB, such as \"16MiB\"", s));
  const std::string number = m[1].str();
  std::uint64_t value = 0;
  bool fits = std::from_chars(number.data(), number.data() + number.size(), value).ec == std::errc{};
  std::string unit = m[2].str();
  int shift = unit == "B" ? 0 : unit == "KiB" ? 10 : unit == "MiB" ? 20 : 30;
  if (!fits || value == 0 || value > (std::uint64_t{1} << (50 - shift)))
    return util::make_error(fmt::format("\"{}\" is out of range (1B to 1024TiB)", s));
  return value << shift;
}

util::Result<Policy> parse_policy(std::string_view text, const std::string& display_path,
                                  const std::filesystem::path& dir, std::span<const SubjectTable> tables) {
  Parser p(display_path);
  Policy policy;
  policy.path = display_path;
  policy.dir = dir;
  policy.digest = util::digest_bytes(text);
  try {
    toml::table root = p.parse(text);
    p.reject_unknown(root,
                     {"version", "subject", "sweep", "variant", "metrics", "artifacts", "statistics", "check", "report",
                      "history", "lint"},
                     "the policy");
    const toml::node* version = root.get("version");
    if (!version) p.fail(toml::source_region{{1, 1}, {1, 1}, {}}, "missing required key 'version' (write version = 1)");
    if (!version->is_integer()) p.wrong_type(*version, "version", "an integer");
    if (*version->value_exact<std::int64_t>() != 1) {
      p.fail(*version, fmt::format("unsupported policy version {} (this seedgate reads version 1)",
                                   *version->value_exact<std::int64_t>()));
    }
    const toml::node* subject = root.get("subject");
    if (!subject) p.fail(toml::source_region{{1, 1}, {1, 1}, {}}, "missing required table [subject]");
    parse_subject(p, *subject, dir, tables, policy);
    const toml::node* sweep = root.get("sweep");
    if (!sweep) p.fail(toml::source_region{{1, 1}, {1, 1}, {}}, "missing required table [sweep]");
    parse_sweep(p, *sweep, policy);
    if (policy.sweep.threads.empty()) {
      // {threads} would expand to nothing without a threads axis.
      auto check_node = [&](const toml::node& node, std::string_view key) {
        auto text = node.value_exact<std::string>();
        if (text && text->find("{threads}") != std::string::npos)
          p.fail(node, fmt::format("'{}' uses {{threads}}, but [sweep] has no 'threads' axis", key));
      };
      if (const toml::node* command = subject->as_table()->get("command")) {
        if (const toml::array* list = command->as_array()) {
          for (const toml::node& item : *list) check_node(item, "command");
        } else {
          check_node(*command, "command");
        }
      }
    }
    if (auto n = root.get("variant")) {
      const toml::array* list = n->as_array();
      if (!list) p.wrong_type(*n, "variant", "an array of tables ([[variant]])");
      for (const toml::node& item : *list) parse_variant(p, item, policy);
      if (policy.variants.size() == 1)
        p.fail(*n, "one [[variant]] compares nothing: add another (the baseline configuration is a variant too)");
    }
    check_run_count(p, *sweep, policy);
    if (auto n = root.get("statistics")) parse_statistics(p, *n, policy);
    if (auto n = root.get("metrics")) parse_metrics(p, *n, policy);
    if (auto n = root.get("artifacts")) parse_artifacts(p, *n, policy);
    if (auto n = root.get("check")) {
      const toml::array* list = n->as_array();
      if (!list) p.wrong_type(*n, "check", "an array of tables ([[check]])");
      for (const toml::node& item : *list) parse_check(p, item, dir, policy);
    }
    if (auto n = root.get("report")) parse_report(p, *n, dir, policy);
    if (auto n = root.get("history")) parse_history(p, *n, policy);
    if (auto n = root.get("lint")) lint::parse_lint_table(p, *n, policy.lint);
  } catch (const PolicyError& e) {
    return util::make_error(e.message);
  }
  return policy;
}

util::Result<Policy> load_policy(const std::filesystem::path& path, std::span<const SubjectTable> tables) {
  auto text = util::read_file(path);
  if (!text) return util::make_error(text.error());
  std::filesystem::path dir = std::filesystem::absolute(path).parent_path().lexically_normal();
  return parse_policy(*text, path.string(), dir, tables);
}

}  // namespace seedgate
