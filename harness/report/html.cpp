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
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/intervals.hpp"
#include "checks/stats.hpp"
#include "harness/report/comparison.hpp"
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
constexpr std::size_t kHeatMapSeeds = 100;   // seeds a churn heat map draws (10,000 cells)
constexpr std::size_t kLabelledSeeds = 30;   // seeds a heat map names beside its rows and columns
constexpr std::size_t kMemberColumns = 30;   // seeds the least stable examples get a column each
constexpr std::size_t kListedExamples = 50;  // least stable examples listed
constexpr std::size_t kListedClasses = 50;   // classes listed with their churn

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

// The check's finite statistic `name` in `group` ("mean_seed"), if any.
std::optional<double> finite_statistic(const checks::CheckOutcome& outcome, std::string_view name,
                                       const std::string& group) {
  for (const checks::Statistic& s : outcome.statistics)
    if (s.name == name && s.group == group && std::isfinite(s.value)) return s.value;
  return std::nullopt;
}

// Integer ticks along an axis of seed counts: at most about ten labels.
std::string count_ticks(const Scale& x, std::size_t first, std::size_t last, double y) {
  std::string out =
      fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" class="axis"/>)", x.a, y, x.b, y);
  std::size_t step = std::max<std::size_t>(1, (last - first + 10) / 10);
  for (std::size_t k = first; k <= last; k += step)
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="middle">{}</text>)",
                       x(static_cast<double>(k)), y + 14, k);
  return out;
}

// The ensemble-size curve: the mean score of random k-seed ensembles (a line,
// a dot per k), their spread (a band), the mean single seed's score (dashed)
// and the smallest k that buys 95% of the full ensemble's gain (a marker).
std::string ensemble_curve(const checks::CheckOutcome& outcome, const checks::PredictionDetail& d) {
  std::vector<const checks::CurvePoint*> points;
  double lo = INFINITY, hi = -INFINITY;
  for (const checks::CurvePoint& p : d.curve) {
    if (!std::isfinite(p.mean)) continue;
    points.push_back(&p);
    for (double v : {p.mean, p.low, p.high})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (points.empty()) return "<p class=\"note\">No ensemble-size curve to draw.</p>\n";
  std::optional<double> seed_mean = finite_statistic(outcome, "mean_seed", d.group);
  if (seed_mean) lo = std::min(lo, *seed_mean), hi = std::max(hi, *seed_mean);
  std::size_t k_lo = points.front()->k, k_hi = points.front()->k;
  for (const checks::CurvePoint* p : points) k_lo = std::min(k_lo, p->k), k_hi = std::max(k_hi, p->k);
  constexpr double kHeight = 260;
  Scale x(static_cast<double>(k_lo), static_cast<double>(k_hi), 60, kPlotWidth - 20, false);
  Scale y(lo, hi, kHeight - 30, 10);
  const std::string metric = outcome.metric.empty() ? "score" : outcome.metric;
  std::string out = fmt::format(
      R"(<svg class="plot" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="{2} by ensemble size">)",
      kPlotWidth, kHeight, esc(metric));
  out += fmt::format(R"(<text x="4" y="14" class="tick">{}</text><text x="4" y="{:.0f}" class="tick">{}</text>)",
                     esc(num(y.hi)), kHeight - 30, esc(num(y.lo)));
  std::string upper, lower;
  for (const checks::CurvePoint* p : points) {
    if (!std::isfinite(p->low) || !std::isfinite(p->high)) continue;
    upper += fmt::format("{:.1f},{:.1f} ", x(static_cast<double>(p->k)), y(p->high));
    lower.insert(0, fmt::format("{:.1f},{:.1f} ", x(static_cast<double>(p->k)), y(p->low)));
  }
  if (!upper.empty()) out += fmt::format(R"(<polygon points="{}{}" class="band"/>)", upper, lower);
  if (seed_mean)
    out += fmt::format(
        R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{2:.1f}" y2="{1:.1f}" class="seed-mean"><title>mean single seed: {3}</title></line>)",
        x.a, y(*seed_mean), x.b, esc(num(*seed_mean)));
  std::string line;
  for (const checks::CurvePoint* p : points)
    line += fmt::format("{:.1f},{:.1f} ", x(static_cast<double>(p->k)), y(p->mean));
  out += fmt::format(R"(<polyline points="{}" class="ensemble"/>)", line);
  for (const checks::CurvePoint* p : points)
    out += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" class="curve-dot"><title>{} seed{}: mean {}, spread {} to {} ({} ensembles)</title></circle>)",
        x(static_cast<double>(p->k)), y(p->mean), p->k, p->k == 1 ? "" : "s", esc(num(p->mean)), esc(num(p->low)),
        esc(num(p->high)), p->subsets);
  if (d.k_for_most) {
    auto at = std::find_if(points.begin(), points.end(), [&](const auto* p) { return p->k == *d.k_for_most; });
    if (at != points.end()) {
      double px = x(static_cast<double>((*at)->k));
      out += fmt::format(
          R"(<line x1="{0:.1f}" y1="10" x2="{0:.1f}" y2="{1:.0f}" class="k-most"/><circle cx="{0:.1f}" cy="{2:.1f}" r="6" class="k-most-dot"><title>{3}</title></circle>)",
          px, kHeight - 30, y((*at)->mean), esc(curve_line(d)));
    }
  }
  out += count_ticks(x, k_lo, k_hi, kHeight - 24) + "</svg>\n";
  if (std::string caption = curve_line(d); !caption.empty())
    out += fmt::format("<p class=\"caption\">{}.</p>\n", esc(caption));
  out += fmt::format(
      "<p class=\"note\">{} of random k-seed ensembles by k: their mean (line) and 5th to 95th percentile "
      "(band){}.</p>\n",
      esc(metric), seed_mean ? "; the dashed line is the mean single seed's" : "");
  return out;
}

// Churn between two members: a share, or for regression a mean absolute
// difference over the targets' std.
std::string churn_text(double value, bool share) {
  if (!std::isfinite(value)) return "not measured";
  return share ? fmt::format("{:.1f}%", value * 100) : num(value);
}

// White for no churn to dark red for the most any pair shows.
std::string churn_colour(double value, double max) {
  if (!std::isfinite(value)) return "#d0d7de";
  double t = max > 0 ? std::clamp(value / max, 0.0, 1.0) : 0;
  auto mix = [t](int from, int to) { return static_cast<int>(std::lround(from + (to - from) * t)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(255, 165), mix(255, 15), mix(255, 21));
}

bool churn_is_share(const checks::PredictionDetail& d) {
  return !d.regression;
}

// Seed by seed, how often two seeds' models disagree: a cell per pair, its
// colour scaled from 0 to the largest churn between two different seeds.
std::string churn_heat_map(const checks::PredictionDetail& d) {
  const std::size_t n = d.members.size();
  if (d.churn_matrix.empty()) return "";
  if (n == 0 || d.churn_matrix.size() != n * n)
    return fmt::format("<p class=\"note\">The churn matrix holds {} values for {} seeds: not drawn.</p>\n",
                       d.churn_matrix.size(), n);
  if (n > kHeatMapSeeds)
    return fmt::format("<p class=\"note\">Churn between {} seeds: more than the {} a heat map shows.</p>\n", n,
                       kHeatMapSeeds);
  const bool share = churn_is_share(d);
  double max = 0;
  bool all_measured = true;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      double v = d.churn_matrix[i * n + j];
      if (std::isfinite(v))
        max = std::max(max, v);
      else
        all_measured = false;
    }
  const bool labels = n <= kLabelledSeeds;
  const double cell = std::clamp(480.0 / static_cast<double>(n), 8.0, 28.0);
  const double left = labels ? 110 : 10, top = labels ? 80 : 10;
  const double legend_y = top + cell * static_cast<double>(n) + 16;
  constexpr int kSwatches = 5;
  constexpr double kSwatchStep = 64;
  const double width = std::max(left + cell * static_cast<double>(n), left + 50 + kSwatches * kSwatchStep) + 20;
  const double height = legend_y + 40;
  std::string out = fmt::format(
      R"(<svg class="plot" width="{0:.0f}" height="{1:.0f}" viewBox="0 0 {0:.0f} {1:.0f}" role="img" aria-label="churn between seeds">)",
      width, height);
  for (std::size_t i = 0; labels && i < n; ++i) {
    double centre = static_cast<double>(i) * cell + cell / 2;
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="label" text-anchor="end">{}</text>)", left - 6,
                       top + centre + 4, esc(d.members[i]));
    out += fmt::format(
        R"svg(<text x="{0:.1f}" y="{1:.1f}" class="label" transform="rotate(-60 {0:.1f} {1:.1f})">{2}</text>)svg",
        left + centre + 4, top - 6, esc(d.members[i]));
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double v = d.churn_matrix[i * n + j];
      out += fmt::format(
          R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" class="cell"><title>{} vs {}: {}</title></rect>)",
          left + static_cast<double>(j) * cell, top + static_cast<double>(i) * cell, cell, cell,
          i == j ? "#eaeef2" : churn_colour(v, max), esc(d.members[i]), esc(d.members[j]), esc(churn_text(v, share)));
    }
  out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tick">churn</text>)", left, legend_y + 12);
  for (int s = 0; s < kSwatches; ++s) {
    double v = max * s / (kSwatches - 1);
    double sx = left + 50 + s * kSwatchStep;
    out += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="20" height="14" fill="{}" class="cell"/>)", sx, legend_y,
                       churn_colour(v, max));
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tick">{}</text>)", sx + 24, legend_y + 12,
                       esc(churn_text(v, share)));
    if (!(max > 0)) break;
  }
  out += "</svg>\n";
  out += share ? "<p class=\"note\">The share of examples two seeds predict different classes for.</p>\n"
               : "<p class=\"note\">The mean absolute difference of two seeds' predictions over the targets' "
                 "standard deviation.</p>\n";
  if (!(max > 0) && all_measured) out += "<p class=\"note\">No two seeds disagree on any example.</p>\n";
  return out;
}

// The examples the seeds disagree on most: each seed's prediction beside the
// truth (classification: a wrong class marked).
std::string least_stable_table(const checks::PredictionDetail& d) {
  if (d.least_stable.empty()) return "";
  const bool share = churn_is_share(d);
  const bool columns = d.members.size() <= kMemberColumns;
  std::string out =
      "<h4>Least stable examples</h4>\n<div class=\"wide\"><table><thead><tr><th>example</th>"
      "<th>truth</th><th>disagreement</th>";
  if (columns)
    for (const std::string& m : d.members) out += fmt::format("<th>{}</th>", esc(m));
  else
    out += "<th>predictions, in seed order</th>";
  out += "</tr></thead><tbody>\n";
  std::size_t shown = std::min(d.least_stable.size(), kListedExamples);
  for (std::size_t e = 0; e < shown; ++e) {
    const checks::UnstableExample& x = d.least_stable[e];
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td>", esc(x.id), esc(prediction_text(x.truth)),
                       esc(churn_text(x.disagreement, share)));
    if (columns) {
      for (std::size_t m = 0; m < d.members.size(); ++m) {
        if (m >= x.predictions.size()) {
          out += "<td></td>";
          continue;
        }
        bool miss = share && std::isfinite(x.truth) && std::isfinite(x.predictions[m]) && x.predictions[m] != x.truth;
        out += fmt::format("<td{}>{}</td>", miss ? " class=\"miss\"" : "", esc(prediction_text(x.predictions[m])));
      }
    } else {
      std::vector<std::string> texts;
      texts.reserve(x.predictions.size());
      for (double p : x.predictions) texts.push_back(prediction_text(p));
      out += fmt::format("<td>{}</td>", esc(util::join(texts, " ")));
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
  if (d.least_stable.size() > shown)
    out += fmt::format("<p class=\"note\">{} more examples not listed.</p>\n", d.least_stable.size() - shown);
  if (share && columns) out += "<p class=\"note\">A prediction that is not the true class is marked.</p>\n";
  return out;
}

// Churn per class; with many classes, the ones with the most churn.
std::string per_class_table(const checks::PredictionDetail& d) {
  if (d.per_class.empty()) return "";
  std::vector<const checks::ClassChurn*> rows;
  rows.reserve(d.per_class.size());
  for (const checks::ClassChurn& c : d.per_class) rows.push_back(&c);
  if (rows.size() > kListedClasses) {
    std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      return std::isnan(b->churn) ? !std::isnan(a->churn) : a->churn > b->churn;
    });
    rows.resize(kListedClasses);
  }
  std::string out =
      "<h4>Churn per class</h4>\n<table><thead><tr><th>class</th><th>examples</th><th>churn</th></tr></thead><tbody>\n";
  for (const checks::ClassChurn* c : rows)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", c->label, c->examples,
                       esc(churn_text(c->churn, true)));
  out += "</tbody></table>\n";
  if (d.per_class.size() > rows.size())
    out += fmt::format("<p class=\"note\">The {} classes with the most churn of {}.</p>\n", rows.size(),
                       d.per_class.size());
  return out;
}

// What the predictions checks (ensemble, churn) found per group, beyond their
// statistics: the ensemble-size curve, the churn heat map, the least stable
// examples and churn per class.
std::string predictions_section(const SweepResults& results) {
  std::string out;
  for (const CheckResult& c : results.checks) {
    for (const checks::PredictionDetail& d : c.outcome.details) {
      out += fmt::format("<h3>{} ({})</h3>\n", esc(c.outcome.name), esc(d.group));
      if (c.outcome.kind == checks::CheckKind::ensemble || !d.curve.empty()) out += ensemble_curve(c.outcome, d);
      out += churn_heat_map(d);
      out += least_stable_table(d);
      out += per_class_table(d);
    }
  }
  if (out.empty()) return "";
  return "<h2>Predictions across seeds</h2>\n" + out;
}

// A compare check's per-seed values of its metric: variant -> seed -> the mean
// over the seed's passed runs (repeats and folds) in `group` (the group's
// label without the variant).
std::map<std::string, std::map<std::int64_t, double>> variant_seed_values(const SweepResults& results,
                                                                          const std::string& metric,
                                                                          const std::string& group) {
  std::map<std::string, std::map<std::int64_t, std::pair<double, std::size_t>>> sums;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed || r.run.variant.empty()) continue;
    auto value = r.report.metrics.find(metric);
    if (value == r.report.metrics.end()) continue;
    RunSpec without = r.run;
    without.variant.clear();
    if (group_label(without) != group) continue;
    auto& [sum, count] = sums[r.run.variant][r.run.seed];
    sum += value->second, ++count;
  }
  std::map<std::string, std::map<std::int64_t, double>> out;
  for (const auto& [variant, seeds] : sums)
    for (const auto& [seed, sum] : seeds) out[variant][seed] = sum.first / static_cast<double>(sum.second);
  return out;
}

// The performance profile: per variant, the share of its seeds scoring above
// each score (at or below it for a metric to minimise), a step curve each.
std::string performance_profile(const std::vector<ComparisonRow>& rows,
                                const std::map<std::string, std::map<std::int64_t, double>>& values, bool minimise) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& [variant, seeds] : values)
    for (const auto& [seed, v] : seeds)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) return "<p class=\"note\">No finite per-seed values to draw a performance profile.</p>\n";
  const double legend_height = 18.0 * static_cast<double>(rows.size());
  const double plot_bottom = 230, height = plot_bottom + 34 + legend_height;
  Scale x(lo, hi, 60, kPlotWidth - 20), y(0, 1, plot_bottom, 10, false);
  std::string out = fmt::format(
      R"(<svg class="plot" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="performance profile">)",
      kPlotWidth, height);
  out += fmt::format(R"(<text x="4" y="14" class="tick">100%</text><text x="4" y="{:.0f}" class="tick">0%</text>)",
                     plot_bottom);
  std::vector<std::string> missing, not_finite;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string& variant = rows[i].variant;
    std::string_view stroke = kPalette[i % kPalette.size()];
    double legend_y = plot_bottom + 34 + 18.0 * static_cast<double>(i);
    out += fmt::format(R"(<rect x="60" y="{:.1f}" width="14" height="4" fill="{}"/>)", legend_y - 6, stroke);
    out += fmt::format(R"(<text x="80" y="{:.1f}" class="label">{}</text>)", legend_y, esc(variant));
    std::vector<double> finite;
    if (auto it = values.find(variant); it != values.end())
      for (const auto& [seed, v] : it->second) {
        if (std::isfinite(v))
          finite.push_back(v);
        else
          not_finite.push_back(fmt::format("seed {} ({}): {}", seed, variant, v));
      }
    if (finite.empty()) {
      missing.push_back(variant);
      continue;
    }
    std::sort(finite.begin(), finite.end());
    const double n = static_cast<double>(finite.size());
    // Above a score: all seeds below the lowest value, one fewer past each;
    // at or below: none below the lowest, one more at each.
    double share = minimise ? 0 : 1;
    std::string d = fmt::format("M{:.1f},{:.1f}", x.a, y(share));
    for (double v : finite) {
      share += minimise ? 1 / n : -1 / n;
      d += fmt::format(" H{:.1f} V{:.1f}", x(v), y(std::clamp(share, 0.0, 1.0)));
    }
    d += fmt::format(" H{:.1f}", x.b);
    out +=
        fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2" class="profile"><title>{}</title></path>)",
                    d, stroke, esc(variant));
  }
  out += axis_ticks(x, plot_bottom + 6) + "</svg>\n";
  out += fmt::format("<p class=\"note\">The share of each variant's seeds scoring {} each score.</p>\n",
                     minimise ? "at or below" : "above");
  if (!missing.empty())
    out += fmt::format("<p class=\"note\">No finite per-seed values for {}.</p>\n", esc(util::join(missing, ", ")));
  if (!not_finite.empty())
    out += fmt::format("<p class=\"note\">Not plotted: {}.</p>\n", esc(util::join(not_finite, "; ")));
  return out;
}

// Per other variant a row: a dot per seed at the expected variant's
// improvement over it (expected - other for a metric to maximise, other -
// expected to minimise), a line at 0 and a dashed one at -margin.
std::string paired_differences(const std::vector<ComparisonRow>& rows,
                               const std::map<std::string, std::map<std::int64_t, double>>& values, bool minimise) {
  auto expected = std::find_if(rows.begin(), rows.end(), [](const ComparisonRow& r) { return !r.difference; });
  if (expected == rows.end()) return "";
  auto expected_values = values.find(expected->variant);
  struct Line {
    const ComparisonRow* row;
    std::vector<std::pair<std::int64_t, double>> dots;
  };
  std::vector<Line> lines;
  double lo = 0, hi = 0;
  std::optional<double> margin_line;
  for (const ComparisonRow& r : rows) {
    if (&r == &*expected) continue;
    Line line{&r, {}};
    auto other = values.find(r.variant);
    if (expected_values != values.end() && other != values.end())
      for (const auto& [seed, e] : expected_values->second) {
        auto o = other->second.find(seed);
        if (o == other->second.end()) continue;
        double d = minimise ? o->second - e : e - o->second;
        if (!std::isfinite(d)) continue;
        line.dots.emplace_back(seed, d);
        lo = std::min(lo, d), hi = std::max(hi, d);
      }
    if (r.difference && r.difference->bound && std::isfinite(r.difference->bound->value)) {
      margin_line = r.difference->bound->value;
      lo = std::min(lo, *margin_line), hi = std::max(hi, *margin_line);
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty()) return "";
  constexpr double kRow = 44;
  double height = kRow * static_cast<double>(lines.size()) + 30;
  Scale x(lo, hi, kLabelWidth, kPlotWidth - 20);
  std::string out = fmt::format(
      R"(<svg class="plot" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="paired differences">)",
      kPlotWidth, height);
  out += fmt::format(
      R"(<line x1="{0:.1f}" y1="6" x2="{0:.1f}" y2="{1:.1f}" class="zero"><title>no difference</title></line>)", x(0),
      height - 26);
  if (margin_line)
    out += fmt::format(
        R"(<line x1="{0:.1f}" y1="6" x2="{0:.1f}" y2="{1:.1f}" class="margin"><title>-margin: {2}</title></line>)",
        x(*margin_line), height - 26, esc(num(*margin_line)));
  double y = 10;
  std::vector<std::string> empty;
  for (const Line& line : lines) {
    double mid = y + kRow / 2;
    out += fmt::format(R"(<text x="4" y="{:.1f}" class="label">{}</text>)", mid + 4,
                       esc(expected->variant + " - " + line.row->variant));
    if (line.dots.empty()) empty.push_back(line.row->variant);
    for (std::size_t i = 0; i < line.dots.size(); ++i) {
      double jitter = (static_cast<double>(i % 7) - 3) * 2.5;
      out += fmt::format(
          R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" class="paired-dot"><title>seed {}: {}</title></circle>)",
          x(line.dots[i].second), mid + jitter, line.dots[i].first, esc(fmt::format("{:+.4g}", line.dots[i].second)));
    }
    y += kRow;
  }
  out += axis_ticks(x, y + 2) + "</svg>\n";
  out += fmt::format(
      "<p class=\"note\">A dot per seed: how much {} improves on each other variant on that seed (above 0: "
      "better){}.</p>\n",
      esc(expected->variant), margin_line ? "; the dashed line is -margin" : "");
  if (!empty.empty())
    out += fmt::format("<p class=\"note\">No seed paired with {}.</p>\n", esc(util::join(empty, ", ")));
  return out;
}

// The compare checks: per group the comparison table, the performance
// profile and the paired differences.
std::string comparison_section(const SweepResults& results) {
  std::string out;
  for (const CheckResult& c : results.checks) {
    auto goal = results.goals.find(c.outcome.metric);
    const bool minimise = goal != results.goals.end() && goal->second == checks::Goal::minimize;
    for (const ComparisonTable& table : comparison_tables(c.outcome)) {
      out += fmt::format("<h3>{} ({})</h3>\n<table><thead><tr>", esc(c.outcome.name), esc(table.group));
      for (const std::string& h : comparison_header()) out += fmt::format("<th>{}</th>", esc(h));
      out += "</tr></thead><tbody>\n";
      for (const std::vector<std::string>& row : comparison_cells(table)) {
        out += "<tr>";
        for (const std::string& cell : row) out += fmt::format("<td>{}</td>", esc(cell));
        out += "</tr>\n";
      }
      out += "</tbody></table>\n";
      auto values = variant_seed_values(results, c.outcome.metric, table.group);
      out += fmt::format("<h4>Performance profile of {}</h4>\n", esc(c.outcome.metric));
      out += performance_profile(table.rows, values, minimise);
      out += "<h4>Paired differences per seed</h4>\n";
      out += paired_differences(table.rows, values, minimise);
    }
  }
  if (out.empty()) return "";
  return "<h2>Variants compared</h2>\n" + out;
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
.seeds { font-weight: 600; margin: 2px 0; } .best { margin: 2px 0; }
.warning { border: 2px solid #9a6700; background: #fff8c5; padding: 8px 12px; margin: 8px 0; border-radius: 4px; }
.band { fill: #1f77b4; fill-opacity: 0.18; stroke: none; } .ensemble { fill: none; stroke: #1f77b4; stroke-width: 2; }
.curve-dot { fill: #1f77b4; } .seed-mean { stroke: #57606a; stroke-dasharray: 6 4; }
.trend { fill: none; stroke: #1f77b4; stroke-width: 1.5; } .trend-bar { stroke: #1f77b4; stroke-opacity: 0.45; stroke-width: 3; }
.trend-dot { fill: #1f77b4; } .trend-failed { fill: #cf222e; } .trend-current { fill: #ffffff; stroke: #1f77b4; stroke-width: 3; }
.k-most { stroke: #1a7f37; stroke-dasharray: 3 3; } .k-most-dot { fill: none; stroke: #1a7f37; stroke-width: 2.5; }
.caption { font-weight: 600; } .cell { stroke: #ffffff; stroke-width: 0.5; } td.miss { color: #cf222e; }
.wide { overflow-x: auto; }
.zero { stroke: #57606a; } .margin { stroke: #cf222e; stroke-dasharray: 6 4; } .paired-dot { fill: #1f77b4; fill-opacity: 0.75; }
)";

}  // namespace

// A metric's level per sweep of the history: the mean (line and dots) and
// its 95% interval (bars), oldest on the left; this sweep's dot ringed and
// failed sweeps marked.
std::string trend_plot(const TrendSeries& series) {
  std::vector<const TrendPoint*> points;
  double lo = INFINITY, hi = -INFINITY;
  for (const TrendPoint& p : series.points) {
    if (!std::isfinite(p.mean)) continue;
    points.push_back(&p);
    for (double v : {p.mean, p.lower, p.upper})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (points.empty()) return "";
  constexpr double kHeight = 240;
  Scale x(0, static_cast<double>(std::max<std::size_t>(points.size() - 1, 1)), 60, kPlotWidth - 20, false);
  Scale y(lo, hi, kHeight - 30, 10);
  std::string out = fmt::format(
      R"(<svg class="plot" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="{2} by sweep">)",
      kPlotWidth, kHeight, esc(series.metric));
  out += fmt::format(R"(<text x="4" y="14" class="tick">{}</text><text x="4" y="{:.0f}" class="tick">{}</text>)",
                     esc(num(y.hi)), kHeight - 30, esc(num(y.lo)));
  std::string line;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const TrendPoint& p = *points[i];
    double px = x(static_cast<double>(i));
    line += fmt::format("{:.1f},{:.1f} ", px, y(p.mean));
    if (std::isfinite(p.lower) && std::isfinite(p.upper) && p.upper > p.lower)
      out += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" class="trend-bar"/>)", px,
                         y(p.lower), y(p.upper));
  }
  out += fmt::format(R"(<polyline points="{}" class="trend"/>)", line);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const TrendPoint& p = *points[i];
    std::string kind = p.current ? "trend-current" : p.verdict == "pass" ? "trend-dot" : "trend-failed";
    out += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="{}" class="{}"><title>{}{} ({}{}): mean {} over {} seed{}, 95% [{}, {}], {}</title></circle>)",
        x(static_cast<double>(i)), y(p.mean), p.current ? 6 : 3.5, kind, p.current ? "this sweep: " : "",
        esc(p.sweep_id), esc(p.started), p.commit.empty() ? "" : ", commit " + esc(p.commit.substr(0, 12)),
        esc(num(p.mean)), p.seeds, p.seeds == 1 ? "" : "s", esc(num(p.lower)), esc(num(p.upper)), esc(p.verdict));
  }
  out += fmt::format(R"(<text x="{:.1f}" y="{:.0f}" class="tick" text-anchor="start">{}</text>)", x.a, kHeight - 10,
                     esc(points.front()->started.substr(0, 10)));
  out += fmt::format(R"(<text x="{:.1f}" y="{:.0f}" class="tick" text-anchor="end">{}</text>)", x.b, kHeight - 10,
                     esc(points.back()->started.substr(0, 10)));
  return out + "</svg>\n";
}

std::string trend_section(const SweepResults& results) {
  if (results.trend.empty()) return "";
  std::string out = "<h2>Trend across sweeps</h2>\n";
  out += fmt::format(
      "<p class=\"note\">From the history in <code>{}</code>, branch {}: each sweep's mean over its seeds (dots) "
      "and 95% interval (bars), oldest first; this sweep ringed, failed sweeps in red.</p>\n",
      esc(results.history_store), esc(results.branch.empty() ? "unknown" : results.branch));
  for (const TrendSeries& series : results.trend) {
    out += fmt::format("<h3>{} ({}): {} sweeps</h3>\n", esc(series.metric), esc(series.group), series.points.size());
    out += trend_plot(series);
  }
  return out;
}

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
  out += trend_section(results);
  out += "<h2>Metrics across seeds</h2>\n";
  out +=
      "<p class=\"note\">A dot per seed (the mean of its repeats), a box from the lower to the upper quartile "
      "with the median, whiskers to the extremes; one row per mode, device and thread count.</p>\n";
  std::map<std::pair<std::string, std::string>, SeedSummary> summaries;
  for (SeedSummary& s : seed_summaries(results)) {
    auto key = std::pair{s.metric, s.group};
    summaries.emplace(std::move(key), std::move(s));
  }
  for (const auto& [metric, groups] : distributions(results)) {
    out += fmt::format("<h3>{}</h3>\n", esc(metric));
    for (const auto& [group, values] : groups) {
      std::vector<double> numbers;
      for (const SeedValue& v : values) numbers.push_back(v.value);
      checks::Summary s = checks::summarize(numbers);
      out += fmt::format("<p class=\"note\">{}: n={} mean={} std={} min={} median={} max={}</p>\n", esc(group), s.count,
                         num(s.mean), num(s.std), num(s.min), num(s.median), num(s.max));
      auto summary = summaries.find({metric, group});
      if (summary == summaries.end()) continue;
      out += fmt::format("<p class=\"seeds\">{}: {}</p>\n", esc(group), esc(mean_std_line(summary->second)));
      if (std::string best = best_seed_line(summary->second); !best.empty())
        out += fmt::format("<p class=\"best\">{}</p>\n", esc(best));
      if (std::string warning = best_seed_warning(summary->second); results.best_seed_report && !warning.empty())
        out += fmt::format("<div class=\"warning\"><strong>Best seed ({}, {}):</strong> {}</div>\n", esc(metric),
                           esc(group), esc(warning));
    }
    out += strip_plot(metric, groups);
  }
  out += comparison_section(results);
  out += predictions_section(results);
  out += curves_section(results);
  out += runs_table(results);
  out += environment_table(results);
  out += fmt::format("<p class=\"note\">seedgate {}</p>\n</body>\n</html>\n", esc(results.seedgate_version));
  return out;
}

}  // namespace seedgate
