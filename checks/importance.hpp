#pragma once
// How stable a model's feature-importance ranking is across seeds: Kendall's
// tau-b between every pair of seeds' scores (features a seed's model never
// used score 0), and per feature its mean score, its ranks and how many
// seeds put it in the top k. Seeds that change which features matter are a
// finding even when the accuracy holds.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace seedgate::checks {

// Kendall's tau-b of two equally long samples (ties handled as tau-b does);
// NaN when either sample is constant or they have fewer than two values.
double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y);

struct FeatureStanding {
  std::string feature;
  double mean_score = 0;
  double mean_rank = 0;  // 1 is the most important; ties share the average rank
  double best_rank = 0;
  double worst_rank = 0;
  std::size_t seeds_in_top = 0;
};

struct ImportanceStability {
  std::size_t seeds = 0;
  std::size_t features = 0;
  double mean_tau = 0;  // over every pair of seeds
  double min_tau = 0;
  std::int64_t min_pair[2] = {0, 0};  // the two seeds whose rankings agree least
  std::size_t top_k = 0;
  std::size_t distinct_in_top = 0;         // features some seed puts in its top k
  std::vector<FeatureStanding> standings;  // by mean rank
};

// `per_seed`: seed -> feature -> score. Needs two seeds or more.
ImportanceStability importance_stability(const std::map<std::int64_t, std::map<std::string, double>>& per_seed,
                                         std::size_t top_k = 5);

}  // namespace seedgate::checks
