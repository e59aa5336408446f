// The self-contained HTML report: one file, no script, no network (a
// Content-Security-Policy forbids any load), plots drawn as inline SVG. The
// markup is also well-formed XML, so a strict parser can check it. Every
// string that came from a training program or a policy is escaped.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "checks/intervals.hpp"
#include "checks/stats.hpp"
#include "harness/report/parts.hpp"
#include "harness/report/report.hpp"
#include "util/strings.hpp"
#include "util/xml_writer.hpp"

namespace seedgate {
namespace {

using namespace report_parts;

constexpr std::array<std::string_view, 8> kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr std::size_t kCurveSeeds = 8;     // seeds drawn per curve plot
constexpr std::size_t kCurvePoints = 400;  // points drawn per line (the divergence step stays exact)
constexpr std::size_t kListedRuns = 200;   // runs listed by name in the table of runs that did not pass
constexpr double kPlotWidth = 760, kLabelWidth = 250;

// Text for HTML and XML alike (the report is both): markup escaped, bytes XML
// forbids made visible.
std::string esc(std::string_view text) {
  return util::xml_text(text);
}

std::string num(double v) {
  return fmt::format("{:.6g}", v);
}

// A linear map from [lo, hi] to [a, b]; a flat range is widened so it draws.
struct Scale {
  double lo, hi, a, b;
  // `pad`: leave 5% on either side (values); steps start and end at the edges.
  Scale(double lo_, double hi_, double a_, double b_, bool pad = true) : lo(lo_), hi(hi_), a(a_), b(b_) {
    double margin = !(hi > lo) ? (lo == 0 ? 1 : std::abs(lo) * 0.01) : pad ? (hi - lo) * 0.05 : 0;
    lo -= margin, hi += margin;
  }
  double operator()(double v) const { return a + (v - lo) / (hi - lo) * (b - a); }
};

std::string axis_ticks(const Scale& x, double y) {
  std::string out =
      fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" class="axis"/>)", x.a, y, x.b, y);
  for (int i = 0; i <= 4; ++i) {
    double v = x.lo + (x.hi - x.lo) * i / 4;
    std::string_view anchor = i == 0 ? "start" : i == 4 ? "end" : "middle";
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="{}">{}</text>)", x(v), y + 14, anchor,
                       esc(fmt::format("{:.4g}", v)));
  }
  return out;
}

// Per group a row: the box (quartiles, median), whiskers to min and max, and a
// dot per seed (its mean over repeats), with the seed in a tooltip.
std::string strip_plot(const std::string& metric, const std::map<std::string, std::vector<SeedValue>>& groups) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& [group, values] : groups)
    for (const SeedValue& v : values)
      if (std::isfinite(v.value)) lo = std::min(lo, v.value), hi = std::max(hi, v.value);
  if (!std::isfinite(lo)) return "<p>No finite values to plot.</p>\n";
  constexpr double kRow = 44;
  double height = kRow * static_cast<double>(groups.size()) + 30;
  Scale x(lo, hi, kLabelWidth, kPlotWidth - 20);
  std::string out = fmt::format(
      R"(<svg class="plot" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="{2} per seed">)",
      kPlotWidth, height, esc(metric));
  double y = 10;
  std::vector<std::string> not_finite;
  for (const auto& [group, values] : groups) {
    std::vector<double> finite;
    for (const SeedValue& v : values) {
      if (std::isfinite(v.value))
        finite.push_back(v.value);
      else
        not_finite.push_back(fmt::format("seed {} ({}): {}", v.seed, group, v.value));
    }
    double mid = y + kRow / 2;
    out += fmt::format(R"(<text x="4" y="{:.1f}" class="label">{}</text>)", mid + 4, esc(group));
    if (!finite.empty()) {
      std::sort(finite.begin(), finite.end());
      double q1 = checks::quantile_of_sorted(finite, 0.25), median = checks::quantile_of_sorted(finite, 0.5),
             q3 = checks::quantile_of_sorted(finite, 0.75);
      out += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" class="whisker"/>)",
                         x(finite.front()), mid, x(finite.back()), mid);
      out += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" class="box"/>)", x(q1), mid - 12,
                         std::max(1.0, x(q3) - x(q1)), 24.0);
      out += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" class="median"/>)", x(median),
                         mid - 12, mid + 12);
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i].value)) continue;
      double jitter = (static_cast<double>(i % 7) - 3) * 2.5;
      out += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" class="dot"><title>seed {}: {}</title></circle>)",
                         x(values[i].value), mid + jitter, values[i].seed, esc(num(values[i].value)));
    }
    y += kRow;
  }
  out += axis_ticks(x, y + 2) + "</svg>\n";
  if (!not_finite.empty())
    out += fmt::format("<p class=\"note\">Not plotted: {}.</p>\n", esc(util::join(not_finite, "; ")));
  return out;
}

using Series = std::vector<std::pair<std::int64_t, double>>;

// The first step at which the repeats of one seed report different values
// (a missing step counts as different); nullopt when they agree throughout.
std::optional<std::int64_t> divergence_step(const std::vector<const Series*>& repeats) {
  const Series& first = *repeats.front();
  for (std::size_t i = 0;; ++i) {
    for (const Series* other : repeats) {
      bool first_has = i < first.size(), other_has = i < other->size();
      if (!first_has && !other_has) continue;
      if (first_has != other_has) return (first_has ? first[i] : (*other)[i]).first;
      bool same =
          first[i].first == (*other)[i].first &&
          (first[i].second == (*other)[i].second || (std::isnan(first[i].second) && std::isnan((*other)[i].second)));
      if (!same) return std::min(first[i].first, (*other)[i].first);
    }
    bool done = std::all_of(repeats.begin(), repeats.end(), [&](const Series* s) { return i >= s->size(); });
    if (done) return std::nullopt;
  }
}

struct CurveRun {
  std::int64_t seed;
  int repeat;
  const Series* series;
};

// Curves of one series metric in one group: a colour per seed, repeats after
// the first dashed, a red marker at the first step where repeats diverge.
std::string curve_plot(const std::string& metric, const std::string& group, const std::vector<CurveRun>& runs) {
  std::map<std::int64_t, std::vector<const CurveRun*>> by_seed;
  for (const CurveRun& r : runs) {
    if (by_seed.size() >= kCurveSeeds && !by_seed.count(r.seed)) continue;
    by_seed[r.seed].push_back(&r);
  }
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& [seed, list] : by_seed)
    for (const CurveRun* r : list)
      for (const auto& [step, value] : *r->series) {
        x_lo = std::min(x_lo, static_cast<double>(step)), x_hi = std::max(x_hi, static_cast<double>(step));
        if (std::isfinite(value)) y_lo = std::min(y_lo, value), y_hi = std::max(y_hi, value);
      }
  if (!std::isfinite(x_lo) || !std::isfinite(y_lo)) return "";
  constexpr double kHeight = 260;
  Scale x(x_lo, x_hi, 60, kPlotWidth - 20, false), y(y_lo, y_hi, kHeight - 30, 10);
  std::string out = fmt::format("<h4>{} by step ({})</h4>\n", esc(metric), esc(group));
  out += fmt::format(
      R"(<svg class="plot" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="{2} by step">)",
      kPlotWidth, kHeight, esc(metric));
  out += fmt::format(R"(<text x="4" y="14" class="tick">{}</text><text x="4" y="{:.0f}" class="tick">{}</text>)",
                     esc(num(y_hi)), kHeight - 30, esc(num(y_lo)));
  std::vector<std::string> notes;
  std::size_t colour = 0;
  for (const auto& [seed, list] : by_seed) {
    std::string_view stroke = kPalette[colour++ % kPalette.size()];
    for (const CurveRun* r : list) {
      const Series& s = *r->series;
      std::size_t stride = std::max<std::size_t>(1, s.size() / kCurvePoints);
      std::string points;
      for (std::size_t i = 0; i < s.size(); i += stride) {
        if (!std::isfinite(s[i].second)) continue;
        points += fmt::format("{:.1f},{:.1f} ", x(static_cast<double>(s[i].first)), y(s[i].second));
      }
      out += fmt::format(
          R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"{}><title>seed {} repeat {}</title></polyline>)",
          points, stroke, r->repeat > 0 ? R"( stroke-dasharray="5 3")" : "", seed, r->repeat);
    }
    if (list.size() < 2) continue;
    std::vector<const Series*> repeats;
    for (const CurveRun* r : list) repeats.push_back(r->series);
    if (auto step = divergence_step(repeats)) {
      double px = x(static_cast<double>(*step));
      out += fmt::format(
          R"(<line x1="{0:.1f}" y1="10" x2="{0:.1f}" y2="{1:.0f}" class="diverge"><title>seed {2}: repeats diverge at step {3}</title></line>)",
          px, kHeight - 30, seed, *step);
      out += fmt::format(R"(<circle cx="{:.1f}" cy="14" r="4" class="diverge-dot"/>)", px);
      notes.push_back(fmt::format("seed {}: repeats diverge at step {}", seed, *step));
    }
  }
  out += axis_ticks(x, kHeight - 24) + "</svg>\n";
  bool any_repeats = std::any_of(by_seed.begin(), by_seed.end(), [](const auto& s) { return s.second.size() > 1; });
  if (!notes.empty())
    out += fmt::format("<p class=\"diverged\">First divergence of same-seed repeats: {}.</p>\n",
                       esc(util::join(notes, "; ")));
  else if (any_repeats)
    out += "<p class=\"agree\">Same-seed repeats agree at every step.</p>\n";
  else
    out += "<p class=\"note\">One repeat per seed: divergence between repeats is not measured.</p>\n";
  return out;
}

std::string curves_section(const SweepResults& results) {
  // metric -> group -> runs, passed runs and determinism violations alike.
  std::map<std::string, std::map<std::string, std::vector<CurveRun>>> curves;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::skipped || r.status == RunStatus::interrupted) continue;
    for (const auto& [name, series] : r.report.series)
      if (!series.empty()) curves[name][group_label(r.run)].push_back({r.run.seed, r.run.repeat, &series});
  }
  if (curves.empty()) return "";
  std::string out = "<h2>Per-step curves</h2>\n";
  out += fmt::format(
      "<p class=\"note\">Up to {} seeds per plot; a colour per seed, the first repeat solid and later ones dashed. "
      "A red line marks the first step where a seed's repeats differ.</p>\n",
      kCurveSeeds);
  for (const auto& [metric, groups] : curves)
    for (const auto& [group, runs] : groups) out += curve_plot(metric, group, runs);
  return out;
}

std::string checks_table(const SweepResults& results) {
  std::string out =
      "<h2>Checks</h2>\n<table><thead><tr><th>check</th><th>verdict</th><th>statistic</th><th>group</th>"
      "<th>estimate</th><th>interval</th><th>bound</th></tr></thead><tbody>\n";
  for (const CheckResult& c : results.checks) {
    std::string cls = checks::to_string(c.counted_as);
    std::string head =
        fmt::format(R"(<td>{}</td><td class="{}">{}</td>)", esc(c.outcome.name), esc(cls), esc(check_verdict(c)));
    if (c.outcome.statistics.empty()) out += "<tr>" + head + "<td></td><td></td><td></td><td></td><td></td></tr>\n";
    for (const checks::Statistic& s : c.outcome.statistics) {
      std::string bound =
          s.bound ? fmt::format("{} {}: {}", s.bound->key, num(s.bound->value), checks::to_string(s.verdict)) : "";
      out +=
          fmt::format("<tr>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", head, esc(s.name),
                      esc(s.group), esc(num(s.value)), s.interval ? esc(format_interval(*s.interval)) : "", esc(bound));
    }
    for (const std::string& m : c.outcome.messages)
      out += fmt::format("<tr><td></td><td colspan=\"6\" class=\"message\">{}</td></tr>\n", esc(m));
    for (const std::string& n : c.outcome.notes)
      out += fmt::format("<tr><td></td><td colspan=\"6\" class=\"note\">note: {}</td></tr>\n", esc(n));
  }
  return out + "</tbody></table>\n";
}

std::string runs_table(const SweepResults& results) {
  std::map<std::string, std::size_t> machines;
  for (const RunRecord& r : results.runs)
    if (r.status != RunStatus::skipped && !r.machine.empty()) ++machines[r.machine];
  std::string out = "<h2>Runs</h2>\n";
  std::vector<std::string> per_machine;
  per_machine.reserve(machines.size());
  for (const auto& [machine, count] : machines) per_machine.push_back(fmt::format("{} on {}", count, machine));
  out += fmt::format("<p>{}{}.</p>\n", esc(run_summary(results)),
                     per_machine.empty() ? "" : esc("; " + util::join(per_machine, ", ")));
  std::size_t listed = 0, not_passed = 0;
  std::string rows;
  for (const RunRecord& r : results.runs) {
    if (r.status == RunStatus::passed) continue;
    if (++not_passed > kListedRuns) continue;
    ++listed;
    std::string logs;
    for (const auto& [name, tail] : {std::pair{"stdout", &r.stdout_tail}, std::pair{"stderr", &r.stderr_tail}})
      if (!tail->empty())
        logs += fmt::format("<details><summary>{} (last lines)</summary><pre>{}</pre></details>", name, esc(*tail));
    rows +=
        fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}{}</td></tr>\n", esc(r.run.id),
                    run_failed(r.status) ? "fail" : "note", to_string(r.status), esc(r.machine), esc(r.message), logs);
  }
  if (listed > 0) {
    out += "<table><thead><tr><th>run</th><th>status</th><th>machine</th><th>why</th></tr></thead><tbody>\n" + rows +
           "</tbody></table>\n";
  }
  if (not_passed > listed)
    out += fmt::format("<p class=\"note\">{} more runs that did not pass are in the results file.</p>\n",
                       not_passed - listed);
  return out;
}

void flatten(const nlohmann::json& value, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items())
      flatten(item, prefix.empty() ? key : fmt::format("{}.{}", prefix, key), out);
  } else {
    out.emplace_back(prefix, value.is_string() ? value.get<std::string>()
                                               : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

std::string environment_table(const SweepResults& results) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(results.environment, "", rows);
  std::string out = "<h2>Environment</h2>\n<table class=\"env\"><tbody>\n";
  for (const auto& [key, value] : rows) out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", esc(key), esc(value));
  return out + "</tbody></table>\n";
}

constexpr std::string_view kStyle = R"(
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #1b1f23; }
h1 { font-size: 22px; } h2 { margin-top: 28px; border-bottom: 1px solid #d0d7de; } h4 { margin: 14px 0 4px; }
.badge { padding: 2px 10px; border-radius: 4px; color: #fff; }
.badge.pass { background: #1a7f37; } .badge.fail { background: #cf222e; } .badge.error, .badge.inconclusive { background: #9a6700; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
td.pass { color: #1a7f37; font-weight: 600; } td.fail, td.error { color: #cf222e; font-weight: 600; }
td.inconclusive { color: #9a6700; font-weight: 600; } .message { color: #57606a; }
.note { color: #57606a; } .diverged { color: #cf222e; } .agree { color: #1a7f37; } .errors { color: #cf222e; }
pre { white-space: pre-wrap; max-height: 300px; overflow: auto; background: #f6f8fa; padding: 6px; }
.plot { display: block; margin: 6px 0 12px; background: #fbfbfc; border: 1px solid #eaeef2; }
.plot .label, .plot .tick { font-size: 11px; fill: #24292f; } .axis { stroke: #8c959f; }
.box { fill: #cfe2f3; stroke: #1f77b4; } .median { stroke: #0b3d91; stroke-width: 2; } .whisker { stroke: #8c959f; }
.dot { fill: #1f77b4; fill-opacity: 0.75; } .diverge { stroke: #cf222e; stroke-dasharray: 4 3; } .diverge-dot { fill: #cf222e; }
.env th { font-weight: normal; color: #57606a; }
)";

}  // namespace

std::string render_html(const SweepResults& results, const ReportContext& context) {
  const SweepVerdict verdict = results.verdict;
  const std::string badge = verdict == SweepVerdict::none ? "error" : to_string(verdict);
  std::string subject = results.subject.empty() ? results.policy_path : results.subject;
  std::string out = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n";
  out += "<meta charset=\"utf-8\"/>\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n";
  out += fmt::format("<title>seedgate: {} — {}</title>\n<style>{}</style>\n</head>\n<body>\n", esc(subject),
                     verdict_word(verdict), kStyle);
  out += fmt::format("<h1>seedgate: {} <span class=\"badge {}\">{}</span></h1>\n", esc(subject), esc(badge),
                     verdict_word(verdict));
  std::size_t failed = std::count_if(results.checks.begin(), results.checks.end(),
                                     [](const CheckResult& c) { return c.counted_as == checks::Verdict::fail; });
  out += fmt::format("<p>{} of {} checks failed (exit {}). {}, {:.1f}s. Policy <code>{}</code> ({}).</p>\n", failed,
                     results.checks.size(), context.exit_code, esc(run_summary(results)), results.wall_seconds,
                     esc(results.policy_path), esc(results.policy_digest));
  if (!results.merged_from.empty())
    out += fmt::format("<p>Merged from {}.</p>\n", esc(describe_shards(results.merged_from)));
  if (!context.errors.empty()) {
    out += "<ul class=\"errors\">\n";
    for (const std::string& e : context.errors) out += fmt::format("<li>error: {}</li>\n", esc(e));
    out += "</ul>\n";
  }
  out += checks_table(results);
  out += "<h2>Metrics across seeds</h2>\n";
  out +=
      "<p class=\"note\">A dot per seed (the mean of its repeats), a box from the lower to the upper quartile "
      "with the median, whiskers to the extremes; one row per mode, device and thread count.</p>\n";
  for (const auto& [metric, groups] : distributions(results)) {
    out += fmt::format("<h3>{}</h3>\n", esc(metric));
    for (const auto& [group, values] : groups) {
      std::vector<double> numbers;
      for (const SeedValue& v : values) numbers.push_back(v.value);
      checks::Summary s = checks::summarize(numbers);
      out += fmt::format("<p class=\"note\">{}: n={} mean={} std={} min={} median={} max={}</p>\n", esc(group), s.count,
                         num(s.mean), num(s.std), num(s.min), num(s.median), num(s.max));
    }
    out += strip_plot(metric, groups);
  }
  out += curves_section(results);
  out += runs_table(results);
  out += environment_table(results);
  out += fmt::format("<p class=\"note\">seedgate {}</p>\n</body>\n</html>\n", esc(results.seedgate_version));
  return out;
}

}  // namespace seedgate
