#include "checks/predictions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <unordered_map>
#include <utility>

namespace seedgate::checks {
namespace {

constexpr double kClip = 1e-15;                          // log-loss clips p to [1e-15, 1], as scikit-learn did
constexpr std::size_t kCurveSubsets = 200;               // ensembles scored per size when there are more
constexpr std::size_t kAucResamples = 1000;              // AUC's bootstrap resamples at most (see the header)
constexpr std::uint64_t kCurveStream = 0x6375727665ull;  // the curve's draws, apart from the bootstrap's

bool classification(PredictionKind kind) {
  return kind != PredictionKind::values;
}

bool whole_in(double value, std::size_t classes) {
  return value >= 0 && value < static_cast<double>(classes) && value == std::floor(value);
}

std::size_t as_class(double value) {
  return static_cast<std::size_t>(value);
}

std::string quoted(std::string_view id) {
  return fmt::format("\"{}\"", id);
}

// What align_predictions needs to trust before it indexes anything: the
// reader validates the same, but a Predictions can come from anywhere.
util::Result<void> check_shape(const Predictions& p, const std::string& label) {
  const std::size_t rows = p.rows();
  auto where = [&](std::size_t row) { return fmt::format("{} ({}): example {}", label, p.source, quoted(p.ids[row])); };
  if (rows == 0) return util::make_error(fmt::format("{} ({}) has no predictions", label, p.source));
  if (p.truth.size() != rows || p.predicted.size() != rows)
    return util::make_error(fmt::format("{} ({}): {} ids but {} true values and {} predictions", label, p.source, rows,
                                        p.truth.size(), p.predicted.size()));
  if (classification(p.kind) && p.classes == 0)
    return util::make_error(fmt::format("{} ({}): {} without classes", label, p.source, to_string(p.kind)));
  if (p.kind == PredictionKind::probabilities && p.probabilities.size() != rows * p.classes)
    return util::make_error(fmt::format("{} ({}): {} probabilities for {} examples of {} classes", label, p.source,
                                        p.probabilities.size(), rows, p.classes));
  for (std::size_t i = 0; i < rows; ++i) {
    if (!std::isfinite(p.truth[i])) return util::make_error(fmt::format("{}: the truth is not a number", where(i)));
    if (classification(p.kind) && !whole_in(p.truth[i], p.classes))
      return util::make_error(
          fmt::format("{}: true label {} is not a class of 0..{}", where(i), p.truth[i], p.classes - 1));
    if (p.kind == PredictionKind::values && !std::isfinite(p.predicted[i]))
      return util::make_error(fmt::format("{}: the prediction is not a number", where(i)));
    if (p.kind == PredictionKind::classes && !whole_in(p.predicted[i], p.classes))
      return util::make_error(
          fmt::format("{}: predicted class {} is not a class of 0..{}", where(i), p.predicted[i], p.classes - 1));
    if (p.kind == PredictionKind::probabilities) {
      for (std::size_t c = 0; c < p.classes; ++c) {
        float q = p.probabilities[i * p.classes + c];
        if (!(q >= 0 && q <= 1))
          return util::make_error(fmt::format("{}: probability {} of class {} is not in [0, 1]", where(i), q, c));
      }
      if (!whole_in(p.predicted[i], p.classes))
        return util::make_error(
            fmt::format("{}: predicted class {} is not a class of 0..{}", where(i), p.predicted[i], p.classes - 1));
    }
  }
  return {};
}

bool same_truth(PredictionKind kind, double a, double b) {
  if (classification(kind)) return a == b;
  // Targets a program printed twice: equal to 1e-6, relative.
  return std::fabs(a - b) <= 1e-6 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Whether `score` can judge these predictions with this vote.
util::Result<void> check_fit(const PredictionSet& set, Score score, Vote vote) {
  const char* have = set.kind == PredictionKind::probabilities ? "class probabilities"
                     : set.kind == PredictionKind::classes     ? "predicted classes"
                                                               : "regression values";
  switch (score) {
    case Score::accuracy:
      if (set.kind == PredictionKind::values)
        return util::make_error(fmt::format("accuracy needs classes; these predictions are {} (use rmse)", have));
      break;
    case Score::log_loss:
    case Score::brier:
      if (set.kind != PredictionKind::probabilities)
        return util::make_error(
            fmt::format("{} needs class probabilities; these predictions are {}", to_string(score), have));
      break;
    case Score::rmse:
      if (set.kind != PredictionKind::values)
        return util::make_error(fmt::format("rmse needs regression values; these predictions are {}", have));
      break;
    case Score::auc:
      if (set.kind != PredictionKind::probabilities)
        return util::make_error(fmt::format("auc needs class probabilities; these predictions are {}", have));
      if (set.classes != 2)
        return util::make_error(fmt::format("auc needs two classes; these predictions have {}", set.classes));
      break;
  }
  if (vote == Vote::majority && score != Score::accuracy)
    return util::make_error(
        fmt::format("a majority vote gives classes, so it scores accuracy only, not {}", to_string(score)));
  return {};
}

// What a vote of several members adds up for each example: their
// probabilities (rows x classes) or values (rows), and each class's votes
// (rows x classes) where the vote counts classes. Sums over members add and
// subtract, so an ensemble is also the whole less its complement.
struct Tally {
  std::vector<double> sums;
  std::vector<std::uint32_t> votes;
  std::size_t members = 0;
};

bool counts_votes(const PredictionSet& set, Vote vote) {
  return set.kind == PredictionKind::classes || (set.kind == PredictionKind::probabilities && vote == Vote::majority);
}

bool sums_values(const PredictionSet& set) {
  return set.kind != PredictionKind::classes;
}

Tally empty_tally(const PredictionSet& set, Vote vote) {
  Tally t;
  const std::size_t width = set.kind == PredictionKind::values ? 1 : set.classes;
  if (sums_values(set)) t.sums.assign(set.rows() * width, 0.0);
  if (counts_votes(set, vote)) t.votes.assign(set.rows() * set.classes, 0);
  return t;
}

// Adds (sign +1) or takes away (sign -1) one member.
void tally_member(const PredictionSet& set, std::size_t member, int sign, Tally& t) {
  const std::size_t rows = set.rows();
  if (!t.sums.empty()) {
    if (set.kind == PredictionKind::values) {
      const auto& v = set.predicted[member];
      for (std::size_t i = 0; i < rows; ++i) t.sums[i] += sign * v[i];
    } else {
      const auto& p = set.probabilities[member];
      for (std::size_t j = 0; j < p.size(); ++j) t.sums[j] += sign * static_cast<double>(p[j]);
    }
  }
  if (!t.votes.empty()) {
    const auto& v = set.predicted[member];
    for (std::size_t i = 0; i < rows; ++i)
      t.votes[i * set.classes + as_class(v[i])] += static_cast<std::uint32_t>(sign);
  }
  t.members = sign > 0 ? t.members + 1 : t.members - 1;
}

// The class a tally votes for in row i.
std::size_t voted_class(const PredictionSet& set, const Tally& t, std::size_t i) {
  const std::size_t c = set.classes;
  std::size_t best = 0;
  if (t.votes.empty()) {  // soft vote of probabilities: the arg max, lowest on ties
    const double* row = &t.sums[i * c];
    for (std::size_t k = 1; k < c; ++k)
      if (row[k] > row[best]) best = k;
    return best;
  }
  const std::uint32_t* votes = &t.votes[i * c];
  const double* sums = t.sums.empty() ? nullptr : &t.sums[i * c];
  for (std::size_t k = 1; k < c; ++k) {
    if (votes[k] > votes[best] || (votes[k] == votes[best] && sums && sums[k] > sums[best])) best = k;
  }
  return best;
}

// Additive scores are the mean (rmse: the root of the mean) of one number per
// example; these are those numbers.
double example_loss(const PredictionSet& set, Score score, std::size_t i, const double* probs, double members,
                    std::size_t predicted_class, double value) {
  switch (score) {
    case Score::accuracy:
      return predicted_class == as_class(set.truth[i]) ? 1.0 : 0.0;
    case Score::log_loss: {
      double p = probs[as_class(set.truth[i])] / members;
      return -std::log(std::clamp(p, kClip, 1.0));
    }
    case Score::brier: {
      double sum = 0;
      const std::size_t y = as_class(set.truth[i]);
      for (std::size_t k = 0; k < set.classes; ++k) {
        double d = probs[k] / members - (k == y ? 1.0 : 0.0);
        sum += d * d;
      }
      return sum;
    }
    case Score::rmse: {
      double d = value - set.truth[i];
      return d * d;
    }
    case Score::auc:
      return probs[1] / members;  // the score AUC ranks
  }
  return 0;
}

// Per example: the additive loss, or (auc) the probability of class 1.
std::vector<double> tally_losses(const PredictionSet& set, const Tally& t, Score score) {
  const std::size_t rows = set.rows();
  std::vector<double> out(rows);
  const auto members = static_cast<double>(t.members);
  for (std::size_t i = 0; i < rows; ++i) {
    std::size_t cls = score == Score::accuracy ? voted_class(set, t, i) : 0;
    const double* probs = set.kind == PredictionKind::probabilities ? &t.sums[i * set.classes] : nullptr;
    double value = set.kind == PredictionKind::values ? t.sums[i] / members : 0;
    out[i] = example_loss(set, score, i, probs, members, cls, value);
  }
  return out;
}

std::vector<double> member_losses(const PredictionSet& set, std::size_t member, Score score) {
  const std::size_t rows = set.rows();
  std::vector<double> out(rows);
  std::vector<double> row(set.kind == PredictionKind::probabilities ? set.classes : 0);
  for (std::size_t i = 0; i < rows; ++i) {
    if (!row.empty()) {
      const float* p = &set.probabilities[member][i * set.classes];
      std::copy(p, p + set.classes, row.begin());
    }
    double prediction = set.predicted[member][i];
    out[i] =
        example_loss(set, score, i, row.data(), 1.0, score == Score::accuracy ? as_class(prediction) : 0, prediction);
  }
  return out;
}

// AUC with weights (bootstrap counts), ties counted one half: the examples
// sorted once by score, in groups of equal scores. NaN without both classes.
struct AucRanking {
  std::vector<std::uint32_t> order;
  std::vector<std::uint32_t> group_end;  // one past each tie group's last position in `order`
};

AucRanking rank_for_auc(std::span<const double> scores) {
  AucRanking r;
  r.order.resize(scores.size());
  std::iota(r.order.begin(), r.order.end(), 0u);
  std::stable_sort(r.order.begin(), r.order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return scores[a] < scores[b]; });
  for (std::size_t j = 1; j <= r.order.size(); ++j) {
    if (j == r.order.size() || scores[r.order[j]] != scores[r.order[j - 1]])
      r.group_end.push_back(static_cast<std::uint32_t>(j));
  }
  return r;
}

template <typename Weight>
double weighted_auc(const AucRanking& r, std::span<const double> truth, Weight weight) {
  double neg_below = 0, pairs = 0, positives = 0, negatives = 0;
  std::size_t start = 0;
  for (std::uint32_t end : r.group_end) {
    double pos = 0, neg = 0;
    for (std::size_t j = start; j < end; ++j) {
      std::uint32_t i = r.order[j];
      double w = weight(i);
      (truth[i] == 1 ? pos : neg) += w;
    }
    pairs += pos * (neg_below + neg / 2);
    neg_below += neg;
    positives += pos;
    negatives += neg;
    start = end;
  }
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return pairs / (positives * negatives);
}

double auc_of(std::span<const double> scores, std::span<const double> truth) {
  return weighted_auc(rank_for_auc(scores), truth, [](std::uint32_t) { return 1.0; });
}

double mean_of(std::span<const double> v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// The score from its per-example numbers.
double aggregate(const PredictionSet& set, Score score, std::span<const double> losses) {
  if (score == Score::auc) return auc_of(losses, set.truth);
  double mean = mean_of(losses);
  return score == Score::rmse ? std::sqrt(mean) : mean;
}

util::Result<void> check_auc_classes(const PredictionSet& set, Score score) {
  if (score != Score::auc) return {};
  std::size_t positives = static_cast<std::size_t>(std::count(set.truth.begin(), set.truth.end(), 1.0));
  if (positives == 0 || positives == set.rows())
    return util::make_error(fmt::format("auc needs examples of both classes; all {} examples are class {}", set.rows(),
                                        positives == 0 ? 0 : 1));
  return {};
}

// Gain: positive when the ensemble is better, whatever the direction.
double gain_of(Score score, double ensemble, double mean_member) {
  return maximized(score) ? ensemble - mean_member : mean_member - ensemble;
}

Interval percentile_interval(std::vector<double>& replicates, double level, double estimate) {
  if (replicates.empty()) return {estimate, estimate, level};
  std::sort(replicates.begin(), replicates.end());
  double tail = (1 - level) / 2;
  return {quantile_of_sorted(replicates, tail), quantile_of_sorted(replicates, 1 - tail), level};
}

// C(n, k), or some number above `cap` once it is clear it is above: C(n, i)
// grows with i up to n/2, so counting to min(k, n - k) may stop early.
double binomial_capped(std::size_t n, std::size_t k, double cap) {
  k = std::min(k, n - k);
  double c = 1;
  for (std::size_t i = 0; i < k; ++i) {
    c = c * static_cast<double>(n - i) / static_cast<double>(i + 1);
    if (c > cap) return c;
  }
  return std::round(c);
}

CurvePoint curve_point(std::size_t k, std::vector<double>& scores) {
  std::sort(scores.begin(), scores.end());
  CurvePoint p;
  p.k = k;
  p.subsets = scores.size();
  p.mean = mean_of(scores);
  p.low = quantile_of_sorted(scores, 0.05);
  p.high = quantile_of_sorted(scores, 0.95);
  return p;
}

// A tally's score. The soft vote's accuracy, what the curve scores most,
// has its own loop: an arg max without branches, and no per-example vector.
double score_tally(const PredictionSet& set, const Tally& t, Score score) {
  if (score != Score::accuracy || (!t.votes.empty() && t.sums.empty()))
    return aggregate(set, score, tally_losses(set, t, score));
  const std::size_t c = set.classes;
  std::size_t right = 0;
  if (!t.votes.empty()) {  // majority vote of probabilities: most votes, then highest mean probability
    for (std::size_t i = 0; i < set.rows(); ++i) {
      const std::uint32_t* votes = &t.votes[i * c];
      const double* sums = &t.sums[i * c];
      std::size_t best = 0;
      for (std::size_t k = 1; k < c; ++k) {
        bool better = votes[k] > votes[best] || (votes[k] == votes[best] && sums[k] > sums[best]);
        best = better ? k : best;
      }
      right += best == as_class(set.truth[i]) ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(set.rows());
  }
  for (std::size_t i = 0; i < set.rows(); ++i) {
    const double* row = &t.sums[i * c];
    std::size_t best = 0;
    double top = row[0];
    for (std::size_t k = 1; k < c; ++k) {
      best = row[k] > top ? k : best;
      top = row[k] > top ? row[k] : top;
    }
    right += best == as_class(set.truth[i]) ? 1 : 0;
  }
  return static_cast<double>(right) / static_cast<double>(set.rows());
}

// The ensemble-size curve. Sizes with at most 200 ensembles score every one;
// larger ones score 200 random ensembles, the prefixes of 200 random orders
// of the members (a prefix of a random order is a random subset). Ensembles
// of more than half the members are the whole less the complement, so no
// ensemble costs more than half the members' additions.
std::vector<CurvePoint> ensemble_curve(const PredictionSet& set, Score score, Vote vote, const Tally& total,
                                       std::span<const double> member_scores, std::uint64_t seed) {
  const std::size_t n = set.members.size();
  std::vector<std::vector<double>> scores(n + 1);
  scores[1].assign(member_scores.begin(), member_scores.end());
  auto score_of = [&](const Tally& t) { return score_tally(set, t, score); };
  auto from_members = [&](std::span<const std::size_t> subset, bool complement) {
    Tally t = complement ? total : empty_tally(set, vote);
    for (std::size_t m : subset) tally_member(set, m, complement ? -1 : 1, t);
    return score_of(t);
  };

  std::vector<bool> sampled(n + 1, false);
  std::size_t depth = 0;  // how far the random orders must go
  for (std::size_t k = 2; k <= n; ++k) {
    if (binomial_capped(n, k, static_cast<double>(kCurveSubsets)) <= static_cast<double>(kCurveSubsets)) {
      // Every subset of size k, or (k > n/2) every complement of size n - k.
      const bool complement = k > n - k;
      const std::size_t size = complement ? n - k : k;
      std::vector<std::size_t> subset(size);
      std::iota(subset.begin(), subset.end(), 0);
      while (true) {
        scores[k].push_back(from_members(subset, complement));
        std::size_t i = size;
        while (i > 0 && subset[i - 1] == n - size + i - 1) --i;
        if (i == 0) break;
        ++subset[i - 1];
        for (std::size_t j = i; j < size; ++j) subset[j] = subset[j - 1] + 1;
      }
    } else {
      sampled[k] = true;
      depth = std::max(depth, std::min(k, n - k));
    }
  }
  if (depth > 0) {
    Xoshiro256 rng(seed ^ kCurveStream);
    std::vector<std::size_t> order(n);
    for (std::size_t draw = 0; draw < kCurveSubsets; ++draw) {
      std::iota(order.begin(), order.end(), 0);
      Tally prefix = empty_tally(set, vote);
      for (std::size_t j = 0; j < depth; ++j) {
        std::swap(order[j], order[j + rng.below(static_cast<std::uint32_t>(n - j))]);
        tally_member(set, order[j], 1, prefix);
        const std::size_t size = j + 1;
        if (sampled[size]) scores[size].push_back(score_of(prefix));
        if (n - size != size && sampled[n - size]) {
          Tally rest = total;
          for (std::size_t i = 0; i < size; ++i) tally_member(set, order[i], -1, rest);
          scores[n - size].push_back(score_of(rest));
        }
      }
    }
  }
  std::vector<CurvePoint> curve;
  for (std::size_t k = 1; k <= n; ++k) curve.push_back(curve_point(k, scores[k]));
  return curve;
}

// The targets' sample std; 1 when they do not vary (churn is then in the
// targets' own units).
double target_spread(const PredictionSet& set) {
  if (set.rows() < 2) return 1;
  double mean = mean_of(set.truth), ss = 0;
  for (double t : set.truth) ss += (t - mean) * (t - mean);
  double sd = std::sqrt(ss / static_cast<double>(set.rows() - 1));
  return sd > 0 ? sd : 1;
}

double pair_churn(const PredictionSet& set, std::size_t a, std::size_t b, double spread) {
  const auto& pa = set.predicted[a];
  const auto& pb = set.predicted[b];
  double sum = 0;
  if (classification(set.kind)) {
    for (std::size_t i = 0; i < pa.size(); ++i) sum += pa[i] != pb[i] ? 1.0 : 0.0;
    return sum / static_cast<double>(pa.size());
  }
  for (std::size_t i = 0; i < pa.size(); ++i) sum += std::fabs(pa[i] - pb[i]);
  return sum / static_cast<double>(pa.size()) / spread;
}

util::Result<void> check_members(const PredictionSet& set, std::size_t least) {
  if (set.members.size() < least)
    return util::make_error(fmt::format("needs {} members or more; there are {}", least, set.members.size()));
  if (set.rows() == 0) return util::make_error("no examples to score");
  if (set.rows() > std::numeric_limits<std::uint32_t>::max())
    return util::make_error(fmt::format("{} examples are more than the bootstrap draws from", set.rows()));
  return {};
}

}  // namespace

const char* to_string(PredictionKind kind) {
  switch (kind) {
    case PredictionKind::probabilities:
      return "probabilities";
    case PredictionKind::classes:
      return "classes";
    case PredictionKind::values:
      return "values";
  }
  return "?";
}

const char* to_string(Score score) {
  switch (score) {
    case Score::accuracy:
      return "accuracy";
    case Score::log_loss:
      return "log-loss";
    case Score::brier:
      return "brier";
    case Score::rmse:
      return "rmse";
    case Score::auc:
      return "auc";
  }
  return "?";
}

std::optional<Score> score_from(std::string_view name) {
  for (Score s : {Score::accuracy, Score::log_loss, Score::brier, Score::rmse, Score::auc})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

bool maximized(Score score) {
  return score == Score::accuracy || score == Score::auc;
}

util::Result<PredictionSet> align_predictions(std::span<const Predictions* const> members,
                                              std::span<const std::string> labels) {
  if (members.empty()) return util::make_error("no predictions to align");
  if (labels.size() != members.size())
    return util::make_error(fmt::format("{} predictions but {} labels", members.size(), labels.size()));
  const Predictions& first = *members[0];
  if (auto ok = check_shape(first, labels[0]); !ok) return util::make_error(ok.error());

  PredictionSet set;
  set.kind = first.kind;
  set.classes = first.classes;
  set.ids = first.ids;
  set.truth = first.truth;
  std::unordered_map<std::string_view, std::size_t> row_of;
  row_of.reserve(first.rows());
  for (std::size_t i = 0; i < first.rows(); ++i) {
    if (!row_of.emplace(first.ids[i], i).second)
      return util::make_error(
          fmt::format("{} ({}) lists example {} twice", labels[0], first.source, quoted(first.ids[i])));
  }

  std::vector<std::size_t> rows(first.rows());
  std::vector<bool> seen(first.rows());
  for (std::size_t m = 0; m < members.size(); ++m) {
    const Predictions& p = *members[m];
    const std::string& label = labels[m];
    if (m > 0) {
      if (auto ok = check_shape(p, label); !ok) return util::make_error(ok.error());
      if (p.kind != first.kind)
        return util::make_error(fmt::format("{} predicts {} but {} predicts {}", label, to_string(p.kind), labels[0],
                                            to_string(first.kind)));
      // Predicted classes count 1 + the largest class seen, which differs
      // between runs that never predict the last class: the set takes the
      // largest. Probabilities' columns must agree.
      if (p.kind == PredictionKind::probabilities && p.classes != first.classes)
        return util::make_error(
            fmt::format("{} predicts {} classes but {} predicts {}", label, p.classes, labels[0], first.classes));
      set.classes = std::max(set.classes, p.classes);
    }
    auto differ = [&](const std::string& lacking, std::string_view id) {
      return util::make_error(
          fmt::format("{} and {} predict different examples: {} lacks {} ({} has {} examples, {} has {})", label,
                      labels[0], lacking, quoted(id), label, p.rows(), labels[0], first.rows()));
    };
    std::fill(seen.begin(), seen.end(), false);
    for (std::size_t j = 0; j < p.rows(); ++j) {
      auto it = row_of.find(p.ids[j]);
      if (it == row_of.end()) return differ(labels[0], p.ids[j]);
      if (seen[it->second])
        return util::make_error(fmt::format("{} ({}) lists example {} twice", label, p.source, quoted(p.ids[j])));
      seen[it->second] = true;
      if (j < rows.size()) rows[j] = it->second;
      if (!same_truth(p.kind, p.truth[j], set.truth[it->second]))
        return util::make_error(fmt::format("{} and {} disagree on the truth of {}: {} and {}", label, labels[0],
                                            quoted(p.ids[j]), p.truth[j], set.truth[it->second]));
    }
    if (p.rows() != first.rows()) {
      auto missing = std::find(seen.begin(), seen.end(), false) - seen.begin();
      return differ(label, first.ids[static_cast<std::size_t>(missing)]);
    }
    std::vector<double> predicted(p.rows());
    for (std::size_t j = 0; j < p.rows(); ++j) predicted[rows[j]] = p.predicted[j];
    set.predicted.push_back(std::move(predicted));
    if (p.kind == PredictionKind::probabilities) {
      std::vector<float> probabilities(p.probabilities.size());
      for (std::size_t j = 0; j < p.rows(); ++j)
        std::copy_n(&p.probabilities[j * p.classes], p.classes, &probabilities[rows[j] * p.classes]);
      set.probabilities.push_back(std::move(probabilities));
    }
    set.members.push_back(label);
  }
  return set;
}

util::Result<double> member_score(const PredictionSet& set, std::size_t member, Score score) {
  if (member >= set.members.size())
    return util::make_error(fmt::format("no member {}; there are {}", member, set.members.size()));
  if (auto ok = check_members(set, 1); !ok) return util::make_error(ok.error());
  if (auto ok = check_fit(set, score, Vote::soft); !ok) return util::make_error(ok.error());
  if (auto ok = check_auc_classes(set, score); !ok) return util::make_error(ok.error());
  return aggregate(set, score, member_losses(set, member, score));
}

util::Result<double> ensemble_score(const PredictionSet& set, std::span<const std::size_t> subset, Score score,
                                    Vote vote) {
  if (subset.empty()) return util::make_error("an ensemble needs one member or more");
  if (auto ok = check_members(set, 1); !ok) return util::make_error(ok.error());
  if (auto ok = check_fit(set, score, vote); !ok) return util::make_error(ok.error());
  if (auto ok = check_auc_classes(set, score); !ok) return util::make_error(ok.error());
  Tally t = empty_tally(set, vote);
  for (std::size_t m : subset) {
    if (m >= set.members.size())
      return util::make_error(fmt::format("no member {}; there are {}", m, set.members.size()));
    tally_member(set, m, 1, t);
  }
  return aggregate(set, score, tally_losses(set, t, score));
}

util::Result<EnsembleSummary> summarize_ensemble(const PredictionSet& set, Score score, Vote vote, double level,
                                                 const BootstrapOptions& options) {
  if (auto ok = check_members(set, 2); !ok) return util::make_error(ok.error());
  if (auto ok = check_fit(set, score, vote); !ok) return util::make_error(ok.error());
  if (auto ok = check_auc_classes(set, score); !ok) return util::make_error(ok.error());
  if (!(level > 0 && level < 1)) return util::make_error(fmt::format("level {} is not between 0 and 1", level));
  if (options.resamples == 0) return util::make_error("the bootstrap needs one resample or more");

  const std::size_t n = set.members.size();
  const std::size_t rows = set.rows();
  EnsembleSummary s;
  s.score = score;
  s.vote = vote;

  Tally total = empty_tally(set, vote);
  for (std::size_t m = 0; m < n; ++m) tally_member(set, m, 1, total);
  std::vector<double> ensemble_losses = tally_losses(set, total, score);
  std::vector<std::vector<double>> losses(n);
  for (std::size_t m = 0; m < n; ++m) {
    losses[m] = member_losses(set, m, score);
    s.member_scores.push_back(aggregate(set, score, losses[m]));
  }
  s.ensemble = aggregate(set, score, ensemble_losses);
  s.mean_member = mean_of(s.member_scores);
  for (std::size_t m = 1; m < n; ++m) {
    bool better =
        maximized(score) ? s.member_scores[m] > s.member_scores[s.best] : s.member_scores[m] < s.member_scores[s.best];
    if (better) s.best = m;
  }
  s.best_member = s.member_scores[s.best];
  s.gain = gain_of(score, s.ensemble, s.mean_member);

  // Paired percentile bootstrap over examples: every resample scores the
  // ensemble and every member on the same examples. (Percentile, not BCa:
  // with zero true gain, BCa's gain bound passed 8-9% of sweeps of 3 seeds x
  // 50 examples, the percentile bound 5-6%; predictions_simulation_test.)
  Xoshiro256 rng(options.seed);
  const auto bound = static_cast<std::uint32_t>(rows);
  const double inv_rows = 1.0 / static_cast<double>(rows);
  std::vector<double> ensemble_reps, gain_reps;
  if (score == Score::accuracy || score == Score::log_loss || score == Score::brier) {
    // Linear in the examples: the gain is the mean of a per-example gain, so
    // a resample costs one pass over the drawn examples.
    // Accuracy counts in whole numbers (the gain in steps of 1/(members x
    // examples)), so a gain that is 0 is exactly 0 in every resample and a
    // bound is not pushed past it by rounding.
    const bool counts = score == Score::accuracy;
    const double units = counts ? static_cast<double>(n) : 1.0;
    std::vector<double> example_gain(rows);
    for (std::size_t i = 0; i < rows; ++i) {
      double member_sum = 0;
      for (std::size_t m = 0; m < n; ++m) member_sum += losses[m][i];
      example_gain[i] = counts ? units * ensemble_losses[i] - member_sum
                               : gain_of(score, ensemble_losses[i], member_sum / static_cast<double>(n));
    }
    if (counts) {
      double right = 0;
      for (const auto& l : losses) right += std::accumulate(l.begin(), l.end(), 0.0);
      const double cells = units * static_cast<double>(rows);
      s.mean_member = right / cells;
      s.gain = std::accumulate(example_gain.begin(), example_gain.end(), 0.0) / cells;
    }
    ensemble_reps.resize(options.resamples);
    gain_reps.resize(options.resamples);
    for (std::size_t r = 0; r < options.resamples; ++r) {
      double e = 0, g = 0;
      for (std::size_t j = 0; j < rows; ++j) {
        std::uint32_t i = rng.below(bound);
        e += ensemble_losses[i];
        g += example_gain[i];
      }
      ensemble_reps[r] = e * inv_rows;
      gain_reps[r] = g / units * inv_rows;
    }
  } else if (score == Score::rmse) {
    // Each member's root of its resampled mean squared error: the members'
    // squared errors example by example, so a drawn example is one row.
    std::vector<double> by_example(rows * n);
    for (std::size_t m = 0; m < n; ++m)
      for (std::size_t i = 0; i < rows; ++i) by_example[i * n + m] = losses[m][i];
    std::vector<double> sums(n);
    ensemble_reps.resize(options.resamples);
    gain_reps.resize(options.resamples);
    for (std::size_t r = 0; r < options.resamples; ++r) {
      double e = 0;
      std::fill(sums.begin(), sums.end(), 0.0);
      for (std::size_t j = 0; j < rows; ++j) {
        std::uint32_t i = rng.below(bound);
        e += ensemble_losses[i];
        const double* row = &by_example[static_cast<std::size_t>(i) * n];
        for (std::size_t m = 0; m < n; ++m) sums[m] += row[m];
      }
      double member_mean = 0;
      for (double sum : sums) member_mean += std::sqrt(sum * inv_rows);
      ensemble_reps[r] = std::sqrt(e * inv_rows);
      gain_reps[r] = gain_of(score, ensemble_reps[r], member_mean / static_cast<double>(n));
    }
  } else {
    // AUC ranks: each series sorted once, a resample weighs the examples by
    // how often it drew them. Resamples without both classes are skipped.
    AucRanking ensemble_ranking = rank_for_auc(ensemble_losses);
    std::vector<AucRanking> member_rankings;
    member_rankings.reserve(n);
    for (const auto& l : losses) member_rankings.push_back(rank_for_auc(l));
    std::vector<std::uint32_t> counts(rows);
    auto weight = [&](std::uint32_t i) { return static_cast<double>(counts[i]); };
    const std::size_t resamples = std::min(options.resamples, kAucResamples);
    for (std::size_t r = 0; r < resamples; ++r) {
      std::fill(counts.begin(), counts.end(), 0u);
      for (std::size_t j = 0; j < rows; ++j) ++counts[rng.below(bound)];
      double e = weighted_auc(ensemble_ranking, set.truth, weight);
      if (std::isnan(e)) continue;
      double member_mean = 0;
      for (const AucRanking& ranking : member_rankings) member_mean += weighted_auc(ranking, set.truth, weight);
      ensemble_reps.push_back(e);
      gain_reps.push_back(gain_of(score, e, member_mean / static_cast<double>(n)));
    }
  }
  s.ensemble_interval = percentile_interval(ensemble_reps, level, s.ensemble);
  s.gain_interval = percentile_interval(gain_reps, level, s.gain);

  s.curve = ensemble_curve(set, score, vote, total, s.member_scores, options.seed);
  if (s.gain > 0) {
    for (const CurvePoint& p : s.curve) {
      if (gain_of(score, p.mean, s.mean_member) >= 0.95 * s.gain) {
        s.k_for_most = p.k;
        break;
      }
    }
  }
  return s;
}

util::Result<ChurnSummary> summarize_churn(const PredictionSet& set, double level, std::size_t top,
                                           const BootstrapOptions& options) {
  if (auto ok = check_members(set, 2); !ok) return util::make_error(ok.error());
  if (!(level > 0 && level < 1)) return util::make_error(fmt::format("level {} is not between 0 and 1", level));
  if (options.resamples == 0) return util::make_error("the bootstrap needs one resample or more");
  const std::size_t n = set.members.size();
  const std::size_t rows = set.rows();
  const double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
  ChurnSummary s;
  s.spread = classification(set.kind) ? 1 : target_spread(set);

  s.matrix.assign(n * n, 0.0);
  double total = 0;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      double c = pair_churn(set, a, b, s.spread);
      s.matrix[a * n + b] = s.matrix[b * n + a] = c;
      total += c;
      if (c > s.worst || (a == 0 && b == 1)) {
        s.worst = c;
        s.worst_a = a;
        s.worst_b = b;
      }
    }
  }
  s.mean = total / pairs;

  // Per example, the share of pairs that disagree. Classification counts
  // each class's votes: pairs that agree are sum over classes of C(votes, 2),
  // so an example costs O(members). Regression: the mean absolute difference
  // over pairs from the sorted values, sum of x_(j) (2j - n + 1).
  std::vector<double> disagreement(rows);
  if (classification(set.kind)) {
    std::vector<std::uint32_t> votes(set.classes, 0);
    std::vector<std::size_t> touched;
    for (std::size_t i = 0; i < rows; ++i) {
      touched.clear();
      for (std::size_t m = 0; m < n; ++m) {
        std::size_t c = as_class(set.predicted[m][i]);
        if (votes[c]++ == 0) touched.push_back(c);
      }
      double agree = 0;
      for (std::size_t c : touched) {
        agree += static_cast<double>(votes[c]) * (votes[c] - 1) / 2;
        votes[c] = 0;
      }
      disagreement[i] = (pairs - agree) / pairs;
    }
  } else {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t m = 0; m < n; ++m) values[m] = set.predicted[m][i];
      std::sort(values.begin(), values.end());
      double sum = 0;
      for (std::size_t j = 0; j < n; ++j) sum += values[j] * (2 * static_cast<double>(j) - static_cast<double>(n) + 1);
      disagreement[i] = sum / pairs / s.spread;
    }
  }

  s.interval =
      rows < 2 ? Interval{s.mean, s.mean, level} : bootstrap(disagreement, BootStatistic::mean, level, options).bca;

  if (classification(set.kind)) {
    std::vector<double> sums(set.classes, 0.0);
    std::vector<std::size_t> counts(set.classes, 0);
    for (std::size_t i = 0; i < rows; ++i) {
      sums[as_class(set.truth[i])] += disagreement[i];
      ++counts[as_class(set.truth[i])];
    }
    for (std::size_t c = 0; c < set.classes; ++c) {
      if (counts[c] == 0) continue;
      s.per_class.push_back({static_cast<long long>(c), counts[c], sums[c] / static_cast<double>(counts[c])});
    }
  }

  std::vector<std::size_t> unstable;
  for (std::size_t i = 0; i < rows; ++i)
    if (disagreement[i] > 0) unstable.push_back(i);
  const std::size_t shown = std::min(top, unstable.size());
  std::partial_sort(unstable.begin(), unstable.begin() + static_cast<std::ptrdiff_t>(shown), unstable.end(),
                    [&](std::size_t a, std::size_t b) {
                      if (disagreement[a] != disagreement[b]) return disagreement[a] > disagreement[b];
                      return set.ids[a] < set.ids[b];
                    });
  for (std::size_t j = 0; j < shown; ++j) {
    std::size_t i = unstable[j];
    UnstableExample e;
    e.id = set.ids[i];
    e.truth = set.truth[i];
    e.disagreement = disagreement[i];
    for (std::size_t m = 0; m < n; ++m) e.predictions.push_back(set.predicted[m][i]);
    s.least_stable.push_back(std::move(e));
  }
  return s;
}

util::Result<double> pairs_churn(const PredictionSet& set, std::span<const std::pair<std::size_t, std::size_t>> pairs) {
  if (pairs.empty()) return util::make_error("no pairs of members to compare");
  if (set.rows() == 0) return util::make_error("no examples to compare");
  const std::size_t n = set.members.size();
  const double spread = classification(set.kind) ? 1 : target_spread(set);
  double total = 0;
  for (auto [a, b] : pairs) {
    if (a >= n || b >= n || a == b)
      return util::make_error(fmt::format("members {} and {} are not a pair of the {} members", a, b, n));
    total += pair_churn(set, a, b, spread);
  }
  return total / static_cast<double>(pairs.size());
}

double expected_max_normal(std::size_t n) {
  if (n <= 1) return 0;
  // E[max] = integral of x * n * phi(x) * Phi(x)^(n-1) over the line; past
  // +-10 the integrand is below 1e-20 for any n a sweep has. Ten-point
  // Gauss-Legendre on 200 panels of width 0.1.
  static constexpr double kNodes[5] = {0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845,
                                       0.9739065285171717};
  static constexpr double kWeights[5] = {0.2955242247147529, 0.2692667193099963, 0.2190863625159820, 0.1494513491505806,
                                         0.0666713443086881};
  const double count = static_cast<double>(n);
  auto integrand = [&](double x) {
    double log_cdf =
        x < 0 ? std::log(0.5 * std::erfc(-x / std::sqrt(2.0))) : std::log1p(-0.5 * std::erfc(x / std::sqrt(2.0)));
    double log_pdf = -0.5 * x * x - 0.5 * std::log(2 * std::numbers::pi);
    return x * count * std::exp(log_pdf + (count - 1) * log_cdf);
  };
  const double from = -10, to = 10;
  const int panels = 200;
  const double half = (to - from) / panels / 2;
  double sum = 0;
  for (int p = 0; p < panels; ++p) {
    double mid = from + (2 * p + 1) * half;
    for (int j = 0; j < 5; ++j) {
      sum += kWeights[j] * (integrand(mid - half * kNodes[j]) + integrand(mid + half * kNodes[j]));
    }
  }
  return sum * half;
}

std::optional<BestSeed> best_seed(std::span<const std::int64_t> seeds, std::span<const double> values, bool maximize,
                                  double level) {
  const std::size_t n = values.size();
  if (n < 2 || seeds.size() != n || !(level > 0 && level < 1)) return std::nullopt;
  if (!std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); })) return std::nullopt;
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i) {
    bool better = maximize ? values[i] > values[best] : values[i] < values[best];
    if (better || (values[i] == values[best] && seeds[i] < seeds[best])) best = i;
  }
  double mean = mean_of(values), ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  const double half =
      student_t_quantile(static_cast<double>(n - 1), (1 + level) / 2) * sd * std::sqrt(1 + 1 / static_cast<double>(n));
  BestSeed b;
  b.seed = seeds[best];
  b.value = values[best];
  b.fresh = mean;
  b.prediction = {mean - half, mean + half, level};
  b.overstates = std::fabs(b.value - mean);
  b.expected_optimism = sd * expected_max_normal(n);
  return b;
}

}  // namespace seedgate::checks
