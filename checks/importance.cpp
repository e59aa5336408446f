#include "checks/importance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

namespace seedgate::checks {
namespace {

// Ranks with 1 for the largest score; ties share their average rank.
std::vector<double> descending_ranks(const std::vector<double>& scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  std::vector<double> ranks(scores.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
    double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
  std::size_t n = std::min(x.size(), y.size());
  double concordant = 0, discordant = 0, ties_x = 0, ties_y = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      double dx = x[i] - x[j], dy = y[i] - y[j];
      if (dx == 0 && dy == 0) continue;
      if (dx == 0) {
        ++ties_x;
      } else if (dy == 0) {
        ++ties_y;
      } else if ((dx > 0) == (dy > 0)) {
        ++concordant;
      } else {
        ++discordant;
      }
    }
  }
  double denominator = std::sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y));
  if (denominator == 0) return std::numeric_limits<double>::quiet_NaN();
  return (concordant - discordant) / denominator;
}

ImportanceStability importance_stability(const std::map<std::int64_t, std::map<std::string, double>>& per_seed,
                                         std::size_t top_k) {
  ImportanceStability out;
  out.seeds = per_seed.size();
  out.top_k = top_k;
  std::set<std::string> names;
  for (const auto& [seed, scores] : per_seed)
    for (const auto& [feature, score] : scores) names.insert(feature);
  std::vector<std::string> features(names.begin(), names.end());
  out.features = features.size();
  std::vector<std::int64_t> seeds;
  std::vector<std::vector<double>> scores, ranks;
  for (const auto& [seed, by_feature] : per_seed) {
    std::vector<double> s;
    for (const std::string& f : features) {
      auto it = by_feature.find(f);
      s.push_back(it == by_feature.end() ? 0.0 : it->second);
    }
    seeds.push_back(seed);
    ranks.push_back(descending_ranks(s));
    scores.push_back(std::move(s));
  }
  double sum = 0;
  std::size_t pairs = 0;
  out.min_tau = std::numeric_limits<double>::infinity();
  for (std::size_t a = 0; a < scores.size(); ++a) {
    for (std::size_t b = a + 1; b < scores.size(); ++b) {
      double tau = kendall_tau_b(scores[a], scores[b]);
      if (std::isnan(tau)) continue;
      sum += tau;
      ++pairs;
      if (tau < out.min_tau) {
        out.min_tau = tau;
        out.min_pair[0] = seeds[a];
        out.min_pair[1] = seeds[b];
      }
    }
  }
  out.mean_tau = pairs ? sum / static_cast<double>(pairs) : std::numeric_limits<double>::quiet_NaN();
  if (!pairs) out.min_tau = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t f = 0; f < features.size(); ++f) {
    FeatureStanding s;
    s.feature = features[f];
    s.best_rank = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < scores.size(); ++k) {
      s.mean_score += scores[k][f];
      s.mean_rank += ranks[k][f];
      s.best_rank = std::min(s.best_rank, ranks[k][f]);
      s.worst_rank = std::max(s.worst_rank, ranks[k][f]);
      s.seeds_in_top += ranks[k][f] <= static_cast<double>(top_k);
    }
    s.mean_score /= static_cast<double>(scores.size());
    s.mean_rank /= static_cast<double>(scores.size());
    out.distinct_in_top += s.seeds_in_top > 0;
    out.standings.push_back(std::move(s));
  }
  std::stable_sort(out.standings.begin(), out.standings.end(),
                   [](const FeatureStanding& a, const FeatureStanding& b) { return a.mean_rank < b.mean_rank; });
  return out;
}

}  // namespace seedgate::checks
