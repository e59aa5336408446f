#include "checks/importance.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace seedgate::checks;

TEST(KendallTau, AgreementReversalAndTies) {
  EXPECT_DOUBLE_EQ(kendall_tau_b({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau_b({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // C = 4, D = 0, one tie in each: 4 / sqrt(5 * 5) (scipy.stats.kendalltau gives 0.8).
  EXPECT_DOUBLE_EQ(kendall_tau_b({1, 2, 2, 3}, {1, 2, 3, 3}), 0.8);
  // C = 6, D = 4: (6 - 4) / 10.
  EXPECT_DOUBLE_EQ(kendall_tau_b({1, 2, 3, 4, 5}, {3, 4, 1, 2, 5}), 0.2);
  EXPECT_TRUE(std::isnan(kendall_tau_b({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(kendall_tau_b({1}, {1})));
}

TEST(ImportanceStability, RanksFeaturesAcrossSeedsAndFindsTheLeastAgreeingPair) {
  std::map<std::int64_t, std::map<std::string, double>> per_seed = {
      {0, {{"a", 10}, {"b", 5}, {"c", 1}}},
      {1, {{"a", 9}, {"b", 6}, {"c", 2}}},
      {2, {{"a", 1}, {"b", 6}}},  // never used c: it scores 0
  };
  ImportanceStability s = importance_stability(per_seed, 1);
  EXPECT_EQ(s.seeds, 3u);
  EXPECT_EQ(s.features, 3u);
  // tau(0,1) = 1; tau(0,2): a>b>c against b>a>c: C = 2, D = 1 -> 1/3; tau(1,2) the same.
  EXPECT_NEAR(s.mean_tau, (1.0 + 1.0 / 3 + 1.0 / 3) / 3, 1e-12);
  EXPECT_NEAR(s.min_tau, 1.0 / 3, 1e-12);
  EXPECT_EQ(s.min_pair[0], 0);
  EXPECT_EQ(s.min_pair[1], 2);
  ASSERT_EQ(s.standings.size(), 3u);
  EXPECT_EQ(s.standings[0].feature, "a");  // ranks 1, 1, 2
  EXPECT_NEAR(s.standings[0].mean_rank, 4.0 / 3, 1e-12);
  EXPECT_EQ(s.standings[0].best_rank, 1);
  EXPECT_EQ(s.standings[0].worst_rank, 2);
  EXPECT_EQ(s.standings[0].seeds_in_top, 2u);
  EXPECT_EQ(s.standings[1].feature, "b");
  EXPECT_EQ(s.standings[1].seeds_in_top, 1u);
  EXPECT_EQ(s.standings[2].feature, "c");
  EXPECT_NEAR(s.standings[2].mean_score, 1.0, 1e-12);
  EXPECT_EQ(s.distinct_in_top, 2u);
}

TEST(ImportanceStability, IdenticalRankingsGiveTauOne) {
  std::map<std::int64_t, std::map<std::string, double>> per_seed = {{4, {{"x", 3}, {"y", 2}}},
                                                                    {5, {{"x", 30}, {"y", 20}}}};
  ImportanceStability s = importance_stability(per_seed);
  EXPECT_DOUBLE_EQ(s.mean_tau, 1.0);
  EXPECT_DOUBLE_EQ(s.min_tau, 1.0);
}
