#include "harness/results.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace seedgate {

using nlohmann::json;

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::passed:
      return "passed";
    case RunStatus::failed:
      return "failed";
    case RunStatus::timed_out:
      return "timed-out";
    case RunStatus::interrupted:
      return "interrupted";
    case RunStatus::skipped:
      return "skipped";
    case RunStatus::violated:
      return "violated";
  }
  return "?";
}

const char* to_string(SweepVerdict verdict) {
  switch (verdict) {
    case SweepVerdict::none:
      return "";
    case SweepVerdict::pass:
      return "pass";
    case SweepVerdict::fail:
      return "fail";
    case SweepVerdict::error:
      return "error";
    case SweepVerdict::shard:
      return "shard";
  }
  return "error";
}

std::optional<SweepVerdict> sweep_verdict_from(std::string_view text) {
  for (SweepVerdict v :
       {SweepVerdict::none, SweepVerdict::pass, SweepVerdict::fail, SweepVerdict::error, SweepVerdict::shard})
    if (text == to_string(v)) return v;
  return std::nullopt;
}

namespace {

std::optional<RunStatus> run_status_from(const std::string& text) {
  for (RunStatus s : {RunStatus::passed, RunStatus::failed, RunStatus::timed_out, RunStatus::interrupted,
                      RunStatus::skipped, RunStatus::violated}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

// An integer field: a JSON integer within T's range, or a type error naming
// the value, as nlohmann's own errors do; never a float cast out of range.
template <typename T>
T whole(const json& n) {
  if (n.is_number_unsigned() && std::in_range<T>(n.get<std::uint64_t>())) return static_cast<T>(n.get<std::uint64_t>());
  if (n.is_number_integer() && !n.is_number_unsigned() && std::in_range<T>(n.get<std::int64_t>()))
    return static_cast<T>(n.get<std::int64_t>());
  throw json::type_error::create(302, fmt::format("expected an integer in range, got {}", n.dump()), &n);
}

template <typename T>
T whole_or(const json& object, const char* key, T fallback) {
  auto it = object.find(key);
  return it == object.end() ? fallback : whole<T>(*it);
}

const char* process_status_name(ProcessResult::Status status) {
  switch (status) {
    case ProcessResult::Status::exited:
      return "exited";
    case ProcessResult::Status::signaled:
      return "signaled";
    case ProcessResult::Status::timed_out:
      return "timed-out";
    case ProcessResult::Status::spawn_failed:
      return "spawn-failed";
    case ProcessResult::Status::interrupted:
      return "interrupted";
  }
  return "?";
}

// JSON has no NaN or infinity; a metric that was NaN must survive the round trip.
json number_to_json(double value) {
  if (std::isfinite(value)) return value;
  return std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

double number_from_json(const json& value) {
  if (value.is_number()) return value.get<double>();
  std::string text = value.is_string() ? value.get<std::string>() : "nan";
  if (text == "inf") return INFINITY;
  if (text == "-inf") return -INFINITY;
  return NAN;
}

// An unknown verdict is read as an error: fail-safe, never a pass.
checks::Verdict verdict_from(const std::string& text) {
  return checks::verdict_from(text).value_or(checks::Verdict::error);
}

json to_json(const checks::PredictionDetail& d) {
  json curve = json::array();
  for (const checks::CurvePoint& p : d.curve)
    curve.push_back({{"k", p.k},
                     {"mean", number_to_json(p.mean)},
                     {"low", number_to_json(p.low)},
                     {"high", number_to_json(p.high)},
                     {"subsets", p.subsets}});
  json matrix = json::array();
  for (double v : d.churn_matrix) matrix.push_back(number_to_json(v));
  json classes = json::array();
  for (const checks::ClassChurn& c : d.per_class)
    classes.push_back({{"label", c.label}, {"examples", c.examples}, {"churn", number_to_json(c.churn)}});
  json examples = json::array();
  for (const checks::UnstableExample& e : d.least_stable) {
    json predictions = json::array();
    for (double v : e.predictions) predictions.push_back(number_to_json(v));
    examples.push_back({{"id", e.id},
                        {"truth", number_to_json(e.truth)},
                        {"disagreement", number_to_json(e.disagreement)},
                        {"predictions", predictions}});
  }
  json out = {{"group", d.group}, {"members", d.members}, {"regression", d.regression}};
  if (!curve.empty()) out["curve"] = curve;
  if (d.k_for_most) out["k_for_most"] = *d.k_for_most;
  if (!matrix.empty()) out["churn_matrix"] = matrix;
  if (!classes.empty()) out["per_class"] = classes;
  if (!examples.empty()) out["least_stable"] = examples;
  return out;
}

// Throws json::exception on a malformed entry, or one whose sizes disagree.
checks::PredictionDetail prediction_detail_from_json(const json& d) {
  checks::PredictionDetail out;
  out.group = d.value("group", "");
  out.members = d.value("members", std::vector<std::string>{});
  out.regression = d.value("regression", false);
  for (const json& p : d.value("curve", json::array()))
    out.curve.push_back({whole<std::size_t>(p.at("k")), number_from_json(p.at("mean")), number_from_json(p.at("low")),
                         number_from_json(p.at("high")), whole<std::size_t>(p.at("subsets"))});
  if (d.contains("k_for_most")) out.k_for_most = whole<std::size_t>(d["k_for_most"]);
  for (const json& v : d.value("churn_matrix", json::array())) out.churn_matrix.push_back(number_from_json(v));
  if (!out.churn_matrix.empty() && out.churn_matrix.size() != out.members.size() * out.members.size())
    throw json::other_error::create(501, "churn_matrix is not members x members", &d);
  for (const json& c : d.value("per_class", json::array()))
    out.per_class.push_back(
        {whole<long long>(c.at("label")), whole<std::size_t>(c.at("examples")), number_from_json(c.at("churn"))});
  for (const json& e : d.value("least_stable", json::array())) {
    checks::UnstableExample example{
        e.at("id").get<std::string>(), number_from_json(e.at("truth")), number_from_json(e.at("disagreement")), {}};
    for (const json& v : e.value("predictions", json::array())) example.predictions.push_back(number_from_json(v));
    if (example.predictions.size() != out.members.size())
      throw json::other_error::create(501, "an example's predictions are not one per member", &e);
    out.least_stable.push_back(std::move(example));
  }
  return out;
}

// Throws json::exception on a malformed entry; the caller reports it.
CheckResult check_result_from_json(const json& c) {
  CheckResult result;
  checks::CheckOutcome& o = result.outcome;
  o.name = c.at("name").get<std::string>();
  const checks::KindInfo* kind = checks::find_kind(c.at("kind").get<std::string>());
  if (!kind) throw json::other_error::create(501, "unknown check kind " + c.at("kind").dump(), &c);
  o.kind = kind->kind;
  o.metric = c.value("metric", "");
  o.verdict = verdict_from(c.at("verdict").get<std::string>());
  result.counted_as = verdict_from(c.value("counted_as", checks::to_string(o.verdict)));
  o.messages = c.value("messages", std::vector<std::string>{});
  o.notes = c.value("notes", std::vector<std::string>{});
  for (const json& seed : c.value("seeds", json::array())) o.seeds.push_back(whole<std::int64_t>(seed));
  if (c.contains("confidence")) o.confidence = c["confidence"].get<double>();
  for (const json& s : c.value("statistics", json::array())) {
    checks::Statistic stat;
    stat.group = s.value("group", "");
    stat.name = s.at("name").get<std::string>();
    stat.value = number_from_json(s.at("value"));
    stat.verdict = verdict_from(s.value("verdict", "pass"));
    if (s.contains("bound"))
      stat.bound = checks::Bound{s["bound"].at("key").get<std::string>(), s["bound"].at("value").get<double>()};
    if (s.contains("interval")) {
      const json& i = s["interval"];
      stat.interval = checks::Interval{number_from_json(i.at("lower")), number_from_json(i.at("upper")),
                                       i.at("level").get<double>()};
    }
    o.statistics.push_back(std::move(stat));
  }
  for (const json& d : c.value("details", json::array())) o.details.push_back(prediction_detail_from_json(d));
  result.policy_line = whole_or(c, "policy_line", 0);
  return result;
}

}  // namespace

checks::Observation RunRecord::observation() const {
  checks::Observation o;
  o.seed = run.seed;
  o.mode = run.mode;
  o.device = run.device;
  o.threads = run.threads;
  o.repeat = run.repeat;
  o.fold = run.fold;
  o.variant = run.variant;
  o.source = run.source;
  o.metrics = report.metrics;
  o.digests = report.digests;
  // Why, in its first line: what follows names the run's own files.
  if (status == RunStatus::failed || status == RunStatus::timed_out)
    o.lost = message.empty() ? to_string(status)
                             : fmt::format("{}: {}", to_string(status), message.substr(0, message.find('\n')));
  if (status == RunStatus::violated) {
    o.violation = message;
    for (const RunEvent& e : report.events)
      if (e.name == kNondeterministicOpEvent && !e.message.empty()) o.violation = e.message;
  }
  return o;
}

namespace {

// A run's record; `compact` leaves out what a reader fills in by itself (see
// to_compact_json). Built field by field: a large sweep writes it twice per run.
json run_json(const RunRecord& r, bool compact) {
  json out = json::object();
  auto put = [&](json& object, const char* key, auto&& value, bool is_default) {
    if (!compact || !is_default) object[key] = std::forward<decltype(value)>(value);
  };
  out["id"] = r.run.id;
  out["seed"] = r.run.seed;
  out["mode"] = r.run.mode;
  out["device"] = r.run.device;
  out["threads"] = r.run.threads;
  out["repeat"] = r.run.repeat;
  put(out, "fold", r.run.fold, r.run.fold == -1);
  put(out, "fold_seed", r.run.fold_seed, r.run.fold_seed == 0);
  put(out, "variant", r.run.variant, r.run.variant.empty());
  put(out, "source", r.run.source, r.run.source.empty());
  put(out, "held_seed", r.run.held_seed, r.run.held_seed == r.run.seed);
  out["status"] = to_string(r.status);
  put(out, "message", r.message, r.message.empty());
  put(out, "machine", r.machine, r.machine.empty());
  const ProcessResult& p = r.process;
  json process = json::object();
  put(process, "status", process_status_name(p.status), p.status == ProcessResult::Status::exited);
  put(process, "exit_code", p.exit_code, p.exit_code == 0);
  put(process, "signal", p.signal, p.signal == 0);
  put(process, "spawn_error", p.spawn_error, p.spawn_error.empty());
  process["wall_seconds"] = p.wall_seconds;
  process["cpu_seconds"] = p.cpu_seconds;
  put(process, "max_rss_kib", p.max_rss_kib, p.max_rss_kib == 0);
  put(process, "max_rss_at_most_kib", p.max_rss_at_most_kib, p.max_rss_at_most_kib == 0);
  put(process, "stdout_bytes", p.stdout_bytes, p.stdout_bytes == 0);
  put(process, "stderr_bytes", p.stderr_bytes, p.stderr_bytes == 0);
  put(process, "stdout_truncated", p.stdout_truncated, !p.stdout_truncated);
  put(process, "stderr_truncated", p.stderr_truncated, !p.stderr_truncated);
  out["process"] = std::move(process);
  const RunReport& report = r.report;
  if (!compact || !report.metrics.empty()) {
    json metrics = json::object();
    for (const auto& [name, value] : report.metrics) metrics[name] = number_to_json(value);
    out["metrics"] = std::move(metrics);
  }
  if (!compact || !report.series.empty()) {
    json series = json::object();
    for (const auto& [name, points] : report.series) {
      json list = json::array();
      for (const auto& [step, value] : points) list.push_back({step, number_to_json(value)});
      series[name] = std::move(list);
    }
    out["series"] = std::move(series);
  }
  put(out, "artifacts", report.digests, report.digests.empty());
  put(out, "predictions", report.predictions, report.predictions.empty());
  if (!compact || !report.events.empty()) {
    json events = json::array();
    for (const RunEvent& e : report.events) events.push_back({{"name", e.name}, {"message", e.message}});
    out["events"] = std::move(events);
  }
  put(out, "env", report.env, report.env.empty());
  if (!compact || !report.importance.empty() || !report.importance_kind.empty()) {
    json importance = json::object();
    for (const auto& [feature, value] : report.importance) importance[feature] = number_to_json(value);
    out["importance"] = {{"kind", report.importance_kind}, {"values", std::move(importance)}};
  }
  put(out, "issues", report.issues, report.issues.empty());
  put(out, "stdout_tail", r.stdout_tail, r.stdout_tail.empty());
  put(out, "stderr_tail", r.stderr_tail, r.stderr_tail.empty());
  return out;
}

}  // namespace

json to_json(const RunRecord& r) {
  return run_json(r, false);
}

json to_compact_json(const RunRecord& r) {
  return run_json(r, true);
}

util::Result<RunRecord> run_record_from_json(const json& v) {
  try {
    RunRecord r;
    r.run.id = v.at("id").get<std::string>();
    r.run.seed = whole<std::int64_t>(v.at("seed"));
    r.run.mode = v.at("mode").get<std::string>();
    r.run.device = v.at("device").get<std::string>();
    r.run.threads = whole_or(v, "threads", 0);
    r.run.repeat = whole_or(v, "repeat", 0);
    r.run.fold = whole_or(v, "fold", -1);
    r.run.fold_seed = whole_or<std::int64_t>(v, "fold_seed", 0);
    r.run.variant = v.value("variant", "");
    r.run.source = v.value("source", "");
    r.run.held_seed = whole_or<std::int64_t>(v, "held_seed", r.run.seed);
    if (r.run.fold < -1 || r.run.fold >= kMaxFolds)
      return util::make_error(fmt::format("run {}: fold {} is outside 0..{}", r.run.id, r.run.fold, kMaxFolds - 1));
    auto status = run_status_from(v.at("status").get<std::string>());
    if (!status) return util::make_error(fmt::format("run {}: unknown status", r.run.id));
    r.status = *status;
    r.message = v.value("message", "");
    r.machine = v.value("machine", "");
    static const json kNoProcess = json::object();
    const json& p = v.contains("process") ? v["process"] : kNoProcess;
    std::string process_status = p.value("status", "exited");
    for (auto s : {ProcessResult::Status::exited, ProcessResult::Status::signaled, ProcessResult::Status::timed_out,
                   ProcessResult::Status::spawn_failed, ProcessResult::Status::interrupted}) {
      if (process_status == process_status_name(s)) r.process.status = s;
    }
    r.process.exit_code = whole_or(p, "exit_code", 0);
    r.process.signal = whole_or(p, "signal", 0);
    r.process.spawn_error = p.value("spawn_error", "");
    r.process.wall_seconds = p.value("wall_seconds", 0.0);
    r.process.cpu_seconds = p.value("cpu_seconds", 0.0);
    r.process.max_rss_kib = whole_or(p, "max_rss_kib", 0L);
    r.process.max_rss_at_most_kib = whole_or(p, "max_rss_at_most_kib", 0L);
    r.process.stdout_bytes = whole_or(p, "stdout_bytes", std::uint64_t{0});
    r.process.stderr_bytes = whole_or(p, "stderr_bytes", std::uint64_t{0});
    r.process.stdout_truncated = p.value("stdout_truncated", false);
    r.process.stderr_truncated = p.value("stderr_truncated", false);
    if (auto metrics = v.find("metrics"); metrics != v.end())
      for (const auto& [name, value] : metrics->items()) r.report.metrics[name] = number_from_json(value);
    if (v.contains("series")) {
      for (const auto& [name, points] : v.at("series").items()) {
        for (const json& point : points)
          r.report.series[name].emplace_back(whole<std::int64_t>(point.at(0)), number_from_json(point.at(1)));
      }
    }
    r.report.digests = v.value("artifacts", std::map<std::string, std::string>{});
    r.report.predictions = v.value("predictions", std::vector<std::string>{});
    for (const json& e : v.value("events", json::array()))
      r.report.events.push_back({e.value("name", ""), e.value("message", "")});
    r.report.env = v.value("env", std::map<std::string, std::string>{});
    if (auto it = v.find("importance"); it != v.end() && it->is_object()) {
      r.report.importance_kind = it->value("kind", "");
      if (auto values = it->find("values"); values != it->end() && values->is_object())
        for (const auto& [feature, value] : values->items()) r.report.importance[feature] = number_from_json(value);
    }
    r.report.issues = v.value("issues", std::vector<std::string>{});
    r.stdout_tail = v.value("stdout_tail", "");
    r.stderr_tail = v.value("stderr_tail", "");
    return r;
  } catch (const json::exception& e) {
    return util::make_error(fmt::format("malformed run record: {}", e.what()));
  }
}

namespace {

// The machine most runs ran on: the results keep it once, and a run only
// where it differs.
std::string usual_machine(const std::vector<RunRecord>& runs) {
  std::map<std::string_view, std::size_t> counts;
  for (const RunRecord& r : runs) ++counts[r.machine];
  std::string_view usual;
  std::size_t most = 0;
  for (const auto& [machine, count] : counts)
    if (count > most) std::tie(usual, most) = std::pair{machine, count};
  return std::string(usual);
}

json run_in_results(const RunRecord& r, const std::string& machine) {
  json run = to_compact_json(r);
  if (r.machine == machine) run.erase("machine");
  return run;
}

// Everything but the runs.
json results_header(const SweepResults& results, const std::string& machine) {
  json checks = json::array();
  for (const CheckResult& c : results.checks) {
    json statistics = json::array();
    for (const checks::Statistic& s : c.outcome.statistics) {
      json stat = {{"group", s.group},
                   {"name", s.name},
                   {"value", number_to_json(s.value)},
                   {"verdict", checks::to_string(s.verdict)}};
      if (s.bound) stat["bound"] = {{"key", s.bound->key}, {"value", s.bound->value}};
      if (s.interval) {
        stat["interval"] = {{"lower", number_to_json(s.interval->lower)},
                            {"upper", number_to_json(s.interval->upper)},
                            {"level", s.interval->level}};
      }
      statistics.push_back(std::move(stat));
    }
    json check = {{"name", c.outcome.name},
                  {"kind", checks::to_string(c.outcome.kind)},
                  {"metric", c.outcome.metric},
                  {"verdict", checks::to_string(c.outcome.verdict)},
                  {"counted_as", checks::to_string(c.counted_as)},
                  {"messages", c.outcome.messages},
                  {"notes", c.outcome.notes},
                  {"statistics", statistics},
                  {"seeds", c.outcome.seeds},
                  {"policy_line", c.policy_line}};
    if (c.outcome.confidence) check["confidence"] = *c.outcome.confidence;
    if (!c.outcome.details.empty()) {
      check["details"] = json::array();
      for (const checks::PredictionDetail& d : c.outcome.details) check["details"].push_back(to_json(d));
    }
    checks.push_back(std::move(check));
  }
  json goals_json = json::object();
  for (const auto& [metric, goal] : results.goals) goals_json[metric] = goal == checks::Goal::maximize ? "max" : "min";
  json out = {
      {"schema_version", kResultsSchemaVersion},
      {"seedgate_version", results.seedgate_version},
      {"policy", {{"path", results.policy_path}, {"digest", results.policy_digest}}},
      {"subject", results.subject},
      {"seeds", results.seeds},
      {"interrupted", results.interrupted},
      {"wall_seconds", results.wall_seconds},
      {"environment", results.environment},
      {"regex_metrics", results.regex_metrics},
      {"goals", goals_json},
      {"best_seed_report", results.best_seed_report},
      {"machine", machine},
      {"checks", checks},
      {"verdict", to_string(results.verdict)},
  };
  auto shard_json = [](const ShardInfo& s) {
    return json{{"index", s.index},
                {"count", s.count},
                {"plan_digest", s.plan_digest},
                {"machine", s.machine},
                {"wall_seconds", s.wall_seconds}};
  };
  if (results.shard) {
    out["shard"] = shard_json(*results.shard);
    out["shard"]["cells"] = results.shard->cells;
  }
  if (!results.merged_from.empty()) {
    out["merged_from"] = json::array();
    for (const ShardInfo& s : results.merged_from) out["merged_from"].push_back(shard_json(s));
  }
  if (!results.sweep_id.empty()) {
    out["sweep"] = {
        {"id", results.sweep_id}, {"started", results.started}, {"commit", results.commit}, {"branch", results.branch}};
  }
  if (!results.history_store.empty()) out["history_store"] = results.history_store;
  if (!results.trend.empty()) {
    json trend = json::array();
    for (const TrendSeries& series : results.trend) {
      json points = json::array();
      for (const TrendPoint& p : series.points)
        points.push_back({{"sweep", p.sweep_id},
                          {"started", p.started},
                          {"commit", p.commit},
                          {"verdict", p.verdict},
                          {"seeds", p.seeds},
                          {"mean", number_to_json(p.mean)},
                          {"lower", number_to_json(p.lower)},
                          {"upper", number_to_json(p.upper)},
                          {"current", p.current}});
      trend.push_back({{"metric", series.metric}, {"group", series.group}, {"points", points}});
    }
    out["trend"] = trend;
  }
  if (!results.sequential.looks.empty()) {
    out["sequential"] = {{"looks", results.sequential.looks},
                         {"look", results.sequential.look},
                         {"spending", results.sequential.spending}};
  }
  return out;
}

}  // namespace

json to_json(const SweepResults& results) {
  const std::string machine = usual_machine(results.runs);
  json out = results_header(results, machine);
  json& runs = out["runs"] = json::array();
  for (const RunRecord& r : results.runs) runs.push_back(run_in_results(r, machine));
  return out;
}

bool is_utc_timestamp(std::string_view t) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (t.size() != shape.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != shape[i]) return false;
  return true;
}

namespace {

// The results' own fields from `v`; the runs are read apart (results_from_json
// from the same value, load_results one by one as it parses).
util::Result<SweepResults> header_from_json(const json& v, const std::string& label) {
  SweepResults results;
  try {
    results.schema_version = whole<int>(v.at("schema_version"));
    if (results.schema_version < kOldestResultsSchemaVersion || results.schema_version > kResultsSchemaVersion) {
      return util::make_error(
          fmt::format("{}: results schema version {} is not supported (this seedgate reads {} to {})", label,
                      results.schema_version, kOldestResultsSchemaVersion, kResultsSchemaVersion));
    }
    results.seedgate_version = v.value("seedgate_version", "");
    results.policy_path = v.at("policy").value("path", "");
    results.policy_digest = v.at("policy").value("digest", "");
    results.subject = v.value("subject", "");
    for (const json& seed : v.at("seeds")) results.seeds.push_back(whole<std::int64_t>(seed));
    if (v.contains("sequential")) {
      const json& q = v["sequential"];
      for (const json& look : q.at("looks")) results.sequential.looks.push_back(whole<std::size_t>(look));
      results.sequential.look = whole<std::size_t>(q.at("look"));
      results.sequential.spending = q.value("spending", "pocock");
    }
    results.interrupted = v.value("interrupted", false);
    results.wall_seconds = v.value("wall_seconds", 0.0);
    results.environment = v.value("environment", json::object());
    if (auto regex = v.find("regex_metrics"); regex != v.end() && regex->is_object()) results.regex_metrics = *regex;
    const json goals = v.value("goals", json::object());
    for (const auto& [metric, goal] : goals.items()) {
      std::string word = goal.get<std::string>();
      if (word != "max" && word != "min")
        return util::make_error(
            fmt::format("{}: metric '{}' has goal \"{}\" (\"max\" or \"min\")", label, metric, word));
      results.goals[metric] = word == "max" ? checks::Goal::maximize : checks::Goal::minimize;
    }
    results.best_seed_report = v.value("best_seed_report", false);
    std::string verdict = v.value("verdict", "");
    auto parsed = sweep_verdict_from(verdict);
    if (!parsed) return util::make_error(fmt::format("{}: unknown verdict \"{}\"", label, verdict));
    results.verdict = *parsed;
    std::string shard_error;
    auto shard_from = [&](const json& s) {
      auto index = whole<std::int64_t>(s.at("index"));
      auto count = whole<std::int64_t>(s.at("count"));
      if (count < 1 || count > kMaxShardCount || index < 1 || index > count)
        shard_error = fmt::format("{}: shard {}/{} is outside 1..{} shards", label, index, count, kMaxShardCount);
      return ShardInfo{static_cast<int>(index),      static_cast<int>(count),
                       s.value("plan_digest", ""),   s.value("machine", ""),
                       s.value("wall_seconds", 0.0), s.value("cells", std::vector<std::string>{})};
    };
    if (v.contains("shard")) results.shard = shard_from(v["shard"]);
    for (const json& s : v.value("merged_from", json::array())) results.merged_from.push_back(shard_from(s));
    if (!shard_error.empty()) return util::make_error(shard_error);
    for (const json& c : v.value("checks", json::array())) results.checks.push_back(check_result_from_json(c));
    if (v.contains("sweep")) {
      const json& w = v["sweep"];
      results.sweep_id = w.value("id", "");
      results.started = w.value("started", "");
      results.commit = w.value("commit", "");
      results.branch = w.value("branch", "");
      if (!results.started.empty() && !is_utc_timestamp(results.started))
        return util::make_error(fmt::format("{}: sweep time \"{}\" is not UTC ISO 8601 (2026-12-01T03:17:00.000000Z)",
                                            label, util::printable(results.started)));
    }
    results.history_store = v.value("history_store", "");
    for (const json& series : v.value("trend", json::array())) {
      TrendSeries t{series.at("metric").get<std::string>(), series.value("group", ""), {}};
      for (const json& p : series.at("points"))
        t.points.push_back({p.value("sweep", ""), p.value("started", ""), p.value("commit", ""), p.value("verdict", ""),
                            whole<std::size_t>(p.at("seeds")), number_from_json(p.at("mean")),
                            number_from_json(p.at("lower")), number_from_json(p.at("upper")),
                            p.value("current", false)});
      results.trend.push_back(std::move(t));
    }
  } catch (const json::exception& e) {
    return util::make_error(fmt::format("{}: not a seedgate results file: {}", label, e.what()));
  }
  return results;
}

util::Result<RunRecord> run_from_results(const json& value, const std::string& machine, const std::string& label) {
  if (!value.is_object()) return util::make_error(fmt::format("{}: a run's record is not an object", label));
  auto record = run_record_from_json(value);
  if (!record) return util::make_error(fmt::format("{}: {}", label, record.error()));
  if (!value.contains("machine")) record->machine = machine;
  return record;
}

// A SAX handler that builds the results' own fields as a DOM but turns each
// element of the top-level "runs" array into a RunRecord as soon as it is
// parsed, so a file of many runs never exists whole as a DOM.
class StreamingReader : public nlohmann::json_sax<json> {
 public:
  using OnRun = std::function<bool(json& run)>;
  explicit StreamingReader(OnRun on_run) : m_on_run(std::move(on_run)) {}

  json& top() { return m_top.root; }
  const std::string& error() const { return m_error; }

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override { return value(v); }
  bool number_float(number_float_t v, const string_t& /*text*/) override { return value(v); }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t& v) override { return value(json::binary(std::move(v))); }
  bool key(string_t& k) override {
    builder().key = std::move(k);
    return true;
  }
  bool start_object(std::size_t /*elements*/) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*elements*/) override {
    // The top-level "runs": its elements are read one at a time.
    if (!m_in_runs && m_top.stack.size() == 1 && m_top.key == "runs") {
      m_in_runs = true;
      m_saw_runs = true;
      return true;
    }
    return open(json::array());
  }
  bool end_array() override {
    if (m_in_runs && m_run.stack.empty()) {
      m_in_runs = false;
      return true;
    }
    return close();
  }
  bool parse_error(std::size_t position, const std::string& /*token*/, const nlohmann::detail::exception& e) override {
    m_error = fmt::format("not valid JSON at byte {}: {}", position, e.what());
    return false;
  }
  bool saw_runs() const { return m_saw_runs; }

 private:
  struct Builder {
    json root;
    std::vector<json*> stack;
    std::string key;
  };
  Builder& builder() { return m_in_runs ? m_run : m_top; }

  // Adds `v` where the builder stands; a container becomes where it stands.
  json* add(Builder& b, json&& v) {
    if (b.stack.empty()) {
      b.root = std::move(v);
      return &b.root;
    }
    json& parent = *b.stack.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    json& slot = parent[b.key];
    slot = std::move(v);
    return &slot;
  }
  bool value(json&& v) {
    if (m_in_runs && m_run.stack.empty()) {
      m_error = "a run's record is not an object";
      return false;
    }
    add(builder(), std::move(v));
    return true;
  }
  bool open(json&& container) {
    Builder& b = builder();
    b.stack.push_back(add(b, std::move(container)));
    return true;
  }
  bool close() {
    Builder& b = builder();
    b.stack.pop_back();
    if (m_in_runs && b.stack.empty()) {
      bool keep_going = m_on_run(m_run.root);
      m_run.root = json();
      return keep_going;
    }
    return true;
  }

  OnRun m_on_run;
  Builder m_top, m_run;
  bool m_in_runs = false;
  bool m_saw_runs = false;
  std::string m_error;
};

}  // namespace

util::Result<SweepResults> results_from_json(const json& v, const std::string& label) {
  auto results = header_from_json(v, label);
  if (!results) return results;
  try {
    const std::string machine = v.value("machine", "");
    for (const json& run : v.at("runs")) {
      auto record = run_from_results(run, machine, label);
      if (!record) return util::make_error(record.error());
      results->runs.push_back(std::move(*record));
    }
  } catch (const json::exception& e) {
    return util::make_error(fmt::format("{}: not a seedgate results file: {}", label, e.what()));
  }
  return results;
}

util::Result<void> save_results(const std::filesystem::path& path, const SweepResults& results) {
  // The results' own fields, then the runs one per line: the file is written
  // as it is built, never held whole.
  const std::string machine = usual_machine(results.runs);
  std::string header = results_header(results, machine).dump(2, ' ', false, json::error_handler_t::replace);
  auto writer = util::AtomicFileWriter::create(path);
  if (!writer) return util::make_error(writer.error());
  header.resize(header.rfind('}'));  // reopened to add the runs
  while (!header.empty() && header.back() == '\n') header.pop_back();
  header += ",\n  \"runs\": [";
  if (auto written = writer->write(header); !written) return written;
  std::string line;
  for (std::size_t i = 0; i < results.runs.size(); ++i) {
    line = i == 0 ? "\n    " : ",\n    ";
    line += run_in_results(results.runs[i], machine).dump(-1, ' ', false, json::error_handler_t::replace);
    if (auto written = writer->write(line); !written) return written;
  }
  if (auto written = writer->write(results.runs.empty() ? "]\n}\n" : "\n  ]\n}\n"); !written) return written;
  return writer->commit();
}

util::Result<SweepResults> load_results(const std::filesystem::path& path) {
  auto text = util::read_file(path);
  if (!text) return util::make_error(text.error());
  const std::string label = path.string();
  if (util::json_depth(*text) > kMaxResultsDepth)
    return util::make_error(fmt::format("{}: nested deeper than {} levels", label, kMaxResultsDepth));
  // Each run is read as soon as it is parsed; the machine it ran on may come
  // after the runs in the file, so it is filled in at the end.
  std::vector<RunRecord> runs;
  std::vector<bool> named_machine;
  std::string run_error;
  StreamingReader reader([&](json& run) {
    auto record = run_from_results(run, "", label);
    if (!record) {
      run_error = record.error();
      return false;
    }
    named_machine.push_back(run.contains("machine"));
    runs.push_back(std::move(*record));
    return true;
  });
  bool parsed = json::sax_parse(*text, &reader, json::input_format_t::json, false);
  text->clear();
  text->shrink_to_fit();
  if (!run_error.empty()) return util::make_error(run_error);
  if (!parsed)
    return util::make_error(fmt::format("{}: {}", label, reader.error().empty() ? "not valid JSON" : reader.error()));
  if (!reader.top().is_object() || !reader.saw_runs())
    return util::make_error(fmt::format("{}: not a seedgate results file: it has no \"runs\"", label));
  auto results = header_from_json(reader.top(), label);
  if (!results) return results;
  const std::string machine = reader.top().value("machine", "");
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (!named_machine[i]) runs[i].machine = machine;
  results->runs = std::move(runs);
  return results;
}

}  // namespace seedgate
