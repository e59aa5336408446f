// Several seeds' predictions on tiny sets whose every number is worked by
// hand below (probabilities are quarters, so sums are exact in binary), with
// scikit-learn 1.2.1 / scipy 1.10.1 as a second reference where named.
#include "checks/predictions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace seedgate::checks {
namespace {

Predictions probabilities(std::vector<std::string> ids, std::vector<double> truth, std::vector<std::vector<float>> rows,
                          std::string source = "runs/x/predictions") {
  Predictions p;
  p.kind = PredictionKind::probabilities;
  p.classes = rows.front().size();
  p.ids = std::move(ids);
  p.truth = std::move(truth);
  for (const auto& row : rows) {
    std::size_t best = 0;
    for (std::size_t c = 0; c < row.size(); ++c) {
      p.probabilities.push_back(row[c]);
      if (row[c] > row[best]) best = c;
    }
    p.predicted.push_back(static_cast<double>(best));
  }
  p.source = std::move(source);
  return p;
}

Predictions values(std::vector<std::string> ids, std::vector<double> truth, std::vector<double> predicted) {
  Predictions p;
  p.kind = PredictionKind::values;
  p.ids = std::move(ids);
  p.truth = std::move(truth);
  p.predicted = std::move(predicted);
  p.source = "runs/x/predictions";
  return p;
}

Predictions classes(std::vector<std::string> ids, std::vector<double> truth, std::vector<double> predicted,
                    std::size_t count) {
  Predictions p = values(std::move(ids), std::move(truth), std::move(predicted));
  p.kind = PredictionKind::classes;
  p.classes = count;
  return p;
}

util::Result<PredictionSet> align(const std::vector<Predictions>& members) {
  std::vector<const Predictions*> pointers;
  std::vector<std::string> labels;
  for (std::size_t m = 0; m < members.size(); ++m) {
    pointers.push_back(&members[m]);
    labels.push_back("seed " + std::to_string(m + 1));
  }
  return align_predictions(pointers, labels);
}

// Three seeds, five examples, three classes. Truth: e1=0 e2=1 e3=2 e4=0 e5=1.
//        e1              e2              e3              e4              e5
// A  .75 .25  0  (0)  .5 .25 .25 (0)  0  .25 .75 (2)  .25 .75  0  (1)  .25 .5 .25 (1)
// B  .5  .25 .25 (0)  .25 .75 0  (1)  .25 .5 .25 (1)  .75 .25  0  (0)  .25 .5 .25 (1)
// C  .25 .5  .25 (1)  .25 .25 .5 (2)  .25 0  .75 (2)  .25 .5  .25 (1)  0  .75 .25 (1)
// Predicted classes in parentheses. Accuracy: A 3/5 (e1 e3 e5), B 4/5 (e1 e2
// e4 e5), C 2/5 (e3 e5); mean 0.6, best B.
// Sums over the three: e1 [1.5 1 .5] -> 0 right; e2 [1 1.25 .75] -> 1 right;
// e3 [.5 .75 1.75] -> 2 right; e4 [1.25 1.5 .25] -> 1 wrong; e5 [.5 1.75 .75]
// -> 1 right: the soft vote's accuracy is 4/5, a gain of 0.2 over the mean.
std::vector<Predictions> three_seeds() {
  std::vector<std::string> ids = {"e1", "e2", "e3", "e4", "e5"};
  std::vector<double> truth = {0, 1, 2, 0, 1};
  return {
      probabilities(ids, truth,
                    {{.75f, .25f, 0}, {.5f, .25f, .25f}, {0, .25f, .75f}, {.25f, .75f, 0}, {.25f, .5f, .25f}}),
      probabilities(ids, truth,
                    {{.5f, .25f, .25f}, {.25f, .75f, 0}, {.25f, .5f, .25f}, {.75f, .25f, 0}, {.25f, .5f, .25f}}),
      probabilities(ids, truth,
                    {{.25f, .5f, .25f}, {.25f, .25f, .5f}, {.25f, 0, .75f}, {.25f, .5f, .25f}, {0, .75f, .25f}}),
  };
}

PredictionSet three_seed_set() {
  auto members = three_seeds();
  auto set = align(members);
  EXPECT_TRUE(set.ok()) << set.error();
  return std::move(set).value();
}

TEST(PredictionsNames, RoundTrip) {
  EXPECT_STREQ(to_string(PredictionKind::probabilities), "probabilities");
  EXPECT_STREQ(to_string(PredictionKind::classes), "classes");
  EXPECT_STREQ(to_string(PredictionKind::values), "values");
  for (Score s : {Score::accuracy, Score::log_loss, Score::brier, Score::rmse, Score::auc})
    EXPECT_EQ(score_from(to_string(s)), s);
  EXPECT_STREQ(to_string(Score::log_loss), "log-loss");
  EXPECT_FALSE(score_from("logloss").has_value());
  EXPECT_TRUE(maximized(Score::accuracy));
  EXPECT_TRUE(maximized(Score::auc));
  EXPECT_FALSE(maximized(Score::log_loss));
  EXPECT_FALSE(maximized(Score::brier));
  EXPECT_FALSE(maximized(Score::rmse));
}

TEST(EnsembleHand, MemberAndEnsembleScores) {
  PredictionSet set = three_seed_set();
  std::vector<std::size_t> all = {0, 1, 2};
  EXPECT_DOUBLE_EQ(*member_score(set, 0, Score::accuracy), 0.6);
  EXPECT_DOUBLE_EQ(*member_score(set, 1, Score::accuracy), 0.8);
  EXPECT_DOUBLE_EQ(*member_score(set, 2, Score::accuracy), 0.4);
  EXPECT_DOUBLE_EQ(*ensemble_score(set, all, Score::accuracy, Vote::soft), 0.8);

  // Log-loss, -mean ln p(true): A's p(true) .75 .25 .75 .25 .5; B's .5 .75 .25
  // .75 .5; C's .25 .25 .75 .25 .75; the ensemble's 1.5/3, 1.25/3, 1.75/3,
  // 1.25/3, 1.75/3. scikit-learn's log_loss: 0.8082200095406578,
  // 0.6695905734286687, 0.9468494456526468, 0.7044155313466237.
  using std::log;
  double a = -(2 * log(.75) + 2 * log(.25) + log(.5)) / 5;
  double b = -(2 * log(.5) + 2 * log(.75) + log(.25)) / 5;
  double c = -(3 * log(.25) + 2 * log(.75)) / 5;
  double e = -(log(.5) + 2 * log(1.25 / 3) + 2 * log(1.75 / 3)) / 5;
  EXPECT_NEAR(*member_score(set, 0, Score::log_loss), a, 1e-12);
  EXPECT_NEAR(*member_score(set, 1, Score::log_loss), b, 1e-12);
  EXPECT_NEAR(*member_score(set, 2, Score::log_loss), c, 1e-12);
  EXPECT_NEAR(*ensemble_score(set, all, Score::log_loss, Vote::soft), e, 1e-12);
  EXPECT_NEAR(a, 0.8082200095406578, 1e-12);
  EXPECT_NEAR(e, 0.7044155313466237, 1e-12);

  // Brier, mean over examples of sum_k (p_k - [k = y])^2. A: e1 .0625+.0625,
  // e2 .25+.5625+.0625, e3 .0625+.0625, e4 .5625+.5625, e5 .0625+.25+.0625:
  // (0.125 + 0.875 + 0.125 + 1.125 + 0.375) / 5 = 0.525. The ensemble: e1
  // [.5 1/3 1/6] (1/4 + 1/9 + 1/36 = 7/18), e2 [1/3 5/12 1/4] (1/9 + 49/144 +
  // 1/16 = 37/72), e3 [1/6 1/4 7/12] (1/36 + 1/16 + 25/144 = 37/144), e4 [5/12
  // 1/2 1/12] (49/144 + 1/4 + 1/144 = 43/72), e5 [1/6 7/12 1/4] (37/144):
  // sum 292/144 / 5 = 0.40555...; scikit-learn agrees (0.40555555555555556).
  EXPECT_NEAR(*member_score(set, 0, Score::brier), 0.525, 1e-12);
  EXPECT_NEAR(*member_score(set, 1, Score::brier), 0.375, 1e-12);
  EXPECT_NEAR(*member_score(set, 2, Score::brier), 0.575, 1e-12);
  EXPECT_NEAR(*ensemble_score(set, all, Score::brier, Vote::soft), 292.0 / 144 / 5, 1e-12);

  // Two of three: A+B e4 [1 1 0] ties, the lowest class (0) wins: right.
  std::vector<std::size_t> ab = {0, 1};
  EXPECT_DOUBLE_EQ(*ensemble_score(set, ab, Score::accuracy, Vote::soft), 1.0);
  std::vector<std::size_t> one = {2};
  EXPECT_DOUBLE_EQ(*ensemble_score(set, one, Score::log_loss, Vote::soft), c);
}

TEST(EnsembleHand, SummaryGainCurveAndMost) {
  PredictionSet set = three_seed_set();
  auto s = summarize_ensemble(set, Score::accuracy, Vote::soft, 0.90, {2000, 7});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_DOUBLE_EQ(s->ensemble, 0.8);
  EXPECT_EQ(s->member_scores, (std::vector<double>{0.6, 0.8, 0.4}));
  // Accuracy counts whole examples: 9 of 15 member predictions right, the
  // gain 3 of 15, exactly (summed as 0.6 + 0.8 + 0.4 they would not be).
  EXPECT_EQ(s->mean_member, 0.6);
  EXPECT_DOUBLE_EQ(s->best_member, 0.8);
  EXPECT_EQ(s->best, 1u);
  EXPECT_EQ(s->gain, 0.2);
  // Five examples: each resample's accuracy is a multiple of 0.2.
  EXPECT_LE(s->ensemble_interval.lower, 0.8);
  EXPECT_GE(s->ensemble_interval.upper, 0.8);
  EXPECT_LE(s->ensemble_interval.upper, 1.0);
  EXPECT_LE(s->gain_interval.lower, 0.2);
  EXPECT_GE(s->gain_interval.upper, 0.2);
  EXPECT_DOUBLE_EQ(s->ensemble_interval.level, 0.90);

  // The curve. k = 1: the members, 0.6 0.8 0.4. k = 2: A+B 1.0 (e4 tie to
  // class 0), A+C 0.6 (e2 [.75 .5 .75] ties to class 0: wrong; e4 [.5 1.25
  // .25] wrong), B+C 1.0 (e1 [.75 .75 .5] ties to 0: right): mean 2.6/3;
  // numpy's percentiles of [0.6 1 1]: 5th 0.64, 95th 1. k = 3: 0.8.
  ASSERT_EQ(s->curve.size(), 3u);
  EXPECT_EQ(s->curve[0].subsets, 3u);
  EXPECT_NEAR(s->curve[0].mean, 0.6, 1e-15);
  EXPECT_NEAR(s->curve[0].low, 0.4 + 0.1 * 0.2, 1e-15);
  EXPECT_EQ(s->curve[1].subsets, 3u);
  EXPECT_NEAR(s->curve[1].mean, 2.6 / 3, 1e-15);
  EXPECT_NEAR(s->curve[1].low, 0.64, 1e-15);
  EXPECT_NEAR(s->curve[1].high, 1.0, 1e-15);
  EXPECT_EQ(s->curve[2].subsets, 1u);
  EXPECT_DOUBLE_EQ(s->curve[2].mean, 0.8);
  // Two seeds gain 0.2667 >= 95% of 0.2.
  EXPECT_EQ(s->k_for_most, 2u);

  // Reproducible from its seed.
  auto again = summarize_ensemble(set, Score::accuracy, Vote::soft, 0.90, {2000, 7});
  EXPECT_EQ(again->gain_interval.lower, s->gain_interval.lower);
  EXPECT_EQ(again->gain_interval.upper, s->gain_interval.upper);

  // Log-loss is minimised: the gain is mean member - ensemble, positive.
  auto loss = summarize_ensemble(set, Score::log_loss, Vote::soft, 0.90, {2000, 7});
  ASSERT_TRUE(loss.ok());
  double mean = (0.8082200095406578 + 0.6695905734286687 + 0.9468494456526468) / 3;
  EXPECT_NEAR(loss->gain, mean - 0.7044155313466237, 1e-12);
  EXPECT_EQ(loss->best, 1u);
  EXPECT_LE(loss->gain_interval.lower, loss->gain);
  EXPECT_GE(loss->gain_interval.upper, loss->gain);
}

// Twelve seeds: C(12, k) <= 200 for k = 1, 2, 10, 11, 12 (every ensemble
// scored), and 200 random ensembles for k = 3..9 (C(12, 3) = 220).
TEST(EnsembleCurve, ManySeedsSampleLargeSizes) {
  std::vector<Predictions> members;
  std::vector<std::string> ids;
  std::vector<double> truth;
  for (std::size_t i = 0; i < 40; ++i) {
    ids.push_back("x" + std::to_string(i));
    truth.push_back(static_cast<double>(i % 3));
  }
  for (std::size_t m = 0; m < 12; ++m) {
    std::vector<std::vector<float>> rows;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      // Right on most examples, each seed wrong on its own few.
      std::vector<float> row = {.25f, .25f, .25f};
      row[(i + ((i * 7 + m * 5) % 11 == 0 ? 1 : 0)) % 3] = .5f;
      rows.push_back(row);
    }
    members.push_back(probabilities(ids, truth, rows));
  }
  auto set = align(members);
  ASSERT_TRUE(set.ok()) << set.error();
  auto s = summarize_ensemble(*set, Score::accuracy, Vote::soft, 0.90, {200, 3});
  ASSERT_TRUE(s.ok()) << s.error();
  ASSERT_EQ(s->curve.size(), 12u);
  std::vector<std::size_t> subsets = {12, 66, 200, 200, 200, 200, 200, 200, 200, 66, 12, 1};
  for (std::size_t k = 1; k <= 12; ++k) {
    EXPECT_EQ(s->curve[k - 1].k, k);
    EXPECT_EQ(s->curve[k - 1].subsets, subsets[k - 1]) << k;
    // (A mean may sit below the 5th percentile: 96% of the ensembles at 1.)
    EXPECT_LE(s->curve[k - 1].low, s->curve[k - 1].high);
  }
  EXPECT_NEAR(s->curve[0].mean, s->mean_member, 1e-15);
  EXPECT_EQ(s->curve[11].mean, s->ensemble);
  EXPECT_EQ(s->ensemble, 1.0);  // no two seeds are wrong on the same example
  EXPECT_GT(s->gain, 0);
  ASSERT_TRUE(s->k_for_most.has_value());
  EXPECT_LE(*s->k_for_most, 12u);
  // Seeded: the same curve again.
  auto again = summarize_ensemble(*set, Score::accuracy, Vote::soft, 0.90, {200, 3});
  for (std::size_t k = 0; k < 12; ++k) EXPECT_EQ(again->curve[k].mean, s->curve[k].mean);
}

TEST(EnsembleHand, NoGainWhenMembersAreAlike) {
  auto members = three_seeds();
  members[1] = members[0];
  members[2] = members[0];
  auto set = align(members);
  ASSERT_TRUE(set.ok());
  auto s = summarize_ensemble(*set, Score::brier, Vote::soft, 0.95, {500, 1});
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->gain, 0, 1e-15);
  EXPECT_NEAR(s->gain_interval.lower, 0, 1e-15);
  EXPECT_NEAR(s->gain_interval.upper, 0, 1e-15);
  EXPECT_FALSE(s->k_for_most.has_value());
  // Accuracy: 0 exactly, in the estimate and in every resample.
  auto accuracy = summarize_ensemble(*set, Score::accuracy, Vote::majority, 0.95, {500, 1});
  ASSERT_TRUE(accuracy.ok());
  EXPECT_EQ(accuracy->gain, 0);
  EXPECT_EQ(accuracy->gain_interval.lower, 0);
  EXPECT_EQ(accuracy->gain_interval.upper, 0);
}

TEST(EnsembleHand, MajorityVoteTies) {
  PredictionSet set = three_seed_set();
  std::vector<std::size_t> all = {0, 1, 2};
  // Votes: e1 0 0 1 -> 0 right; e2 0 1 2, a three-way tie that the higher
  // mean probability breaks (sums [1 1.25 .75]) -> 1 right; e3 2 1 2 -> 2
  // right; e4 1 0 1 -> 1 wrong; e5 1 1 1 right: 4/5.
  EXPECT_DOUBLE_EQ(*ensemble_score(set, all, Score::accuracy, Vote::majority), 0.8);

  // Two seeds, one vote each, equal mean probabilities: the lower class.
  std::vector<std::string> ids = {"a"};
  for (double truth : {0.0, 1.0}) {
    auto tie = align({probabilities(ids, {truth}, {{.625f, .375f}}), probabilities(ids, {truth}, {{.375f, .625f}})});
    ASSERT_TRUE(tie.ok());
    std::vector<std::size_t> both = {0, 1};
    EXPECT_DOUBLE_EQ(*ensemble_score(*tie, both, Score::accuracy, Vote::majority), truth == 0 ? 1.0 : 0.0);
  }
  // Predicted classes: the vote alone, ties to the lower class. Truth a=1
  // b=0; one seed says a=2 b=1, the other a=1 b=0: both tie, and the lower
  // class is right both times. The soft vote of classes is the same vote.
  auto votes = align({classes({"a", "b"}, {1, 0}, {2, 1}, 3), classes({"a", "b"}, {1, 0}, {1, 0}, 3)});
  ASSERT_TRUE(votes.ok()) << votes.error();
  std::vector<std::size_t> both = {0, 1};
  EXPECT_DOUBLE_EQ(*ensemble_score(*votes, both, Score::accuracy, Vote::majority), 1.0);
  EXPECT_DOUBLE_EQ(*ensemble_score(*votes, both, Score::accuracy, Vote::soft), 1.0);
  EXPECT_DOUBLE_EQ(*member_score(*votes, 0, Score::accuracy), 0.0);
}

TEST(EnsembleHand, ScoresThatDoNotFit) {
  PredictionSet set = three_seed_set();
  std::vector<std::size_t> all = {0, 1, 2};
  auto majority = ensemble_score(set, all, Score::log_loss, Vote::majority);
  ASSERT_FALSE(majority.ok());
  EXPECT_EQ(majority.error(), "a majority vote gives classes, so it scores accuracy only, not log-loss");
  auto auc = member_score(set, 0, Score::auc);
  ASSERT_FALSE(auc.ok());
  EXPECT_EQ(auc.error(), "auc needs two classes; these predictions have 3");
  auto rmse = member_score(set, 0, Score::rmse);
  ASSERT_FALSE(rmse.ok());
  EXPECT_EQ(rmse.error(), "rmse needs regression values; these predictions are class probabilities");

  auto regression = align({values({"a", "b"}, {1, 2}, {1, 2}), values({"a", "b"}, {1, 2}, {2, 2})});
  ASSERT_TRUE(regression.ok());
  auto accuracy = member_score(*regression, 0, Score::accuracy);
  ASSERT_FALSE(accuracy.ok());
  EXPECT_EQ(accuracy.error(), "accuracy needs classes; these predictions are regression values (use rmse)");
  auto majority_values = summarize_ensemble(*regression, Score::rmse, Vote::majority, 0.95);
  ASSERT_FALSE(majority_values.ok());
  EXPECT_EQ(majority_values.error(), "a majority vote gives classes, so it scores accuracy only, not rmse");

  auto predicted = align({classes({"a"}, {1}, {1}, 2), classes({"a"}, {1}, {0}, 2)});
  ASSERT_TRUE(predicted.ok());
  auto loss = member_score(*predicted, 0, Score::log_loss);
  ASSERT_FALSE(loss.ok());
  EXPECT_EQ(loss.error(), "log-loss needs class probabilities; these predictions are predicted classes");
  auto brier = member_score(*predicted, 0, Score::brier);
  ASSERT_FALSE(brier.ok());
  EXPECT_EQ(brier.error(), "brier needs class probabilities; these predictions are predicted classes");

  auto lone = summarize_ensemble(*align({three_seeds()[0]}), Score::accuracy, Vote::soft, 0.95);
  ASSERT_FALSE(lone.ok());
  EXPECT_EQ(lone.error(), "needs 2 members or more; there are 1");
  auto lone_churn = summarize_churn(*align({three_seeds()[0]}), 0.95);
  ASSERT_FALSE(lone_churn.ok());
  EXPECT_EQ(lone_churn.error(), "needs 2 members or more; there are 1");
  auto level = summarize_ensemble(set, Score::accuracy, Vote::soft, 1.5);
  ASSERT_FALSE(level.ok());
  EXPECT_EQ(level.error(), "level 1.5 is not between 0 and 1");
  auto resamples = summarize_churn(set, 0.95, 20, {0, 1});
  ASSERT_FALSE(resamples.ok());
  EXPECT_EQ(resamples.error(), "the bootstrap needs one resample or more");
  std::vector<std::size_t> none;
  EXPECT_FALSE(ensemble_score(set, none, Score::accuracy, Vote::soft).ok());
  std::vector<std::size_t> beyond = {0, 3};
  auto missing = ensemble_score(set, beyond, Score::accuracy, Vote::soft);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "no member 3; there are 3");
}

// Binary: truth 0 0 1 1 0 1 0 1, p1 .125 .5 .375 .75 .5 .5 .625 .875.
// Positives .375 .75 .5 .875 against negatives .125 .5 .5 .625: .375 beats
// 1; .75 beats 4; .5 beats 1 and ties 2 (counting 1); .875 beats 4: 11 of
// 16 pairs, 0.6875. scikit-learn's roc_auc_score and scipy's mannwhitneyu
// U / 16 give 0.6875.
TEST(EnsembleHand, AucWithTies) {
  std::vector<std::string> ids = {"0", "1", "2", "3", "4", "5", "6", "7"};
  std::vector<double> truth = {0, 0, 1, 1, 0, 1, 0, 1};
  std::vector<float> p1 = {.125f, .5f, .375f, .75f, .5f, .5f, .625f, .875f};
  std::vector<std::vector<float>> rows, flipped;
  for (float p : p1) {
    rows.push_back({1 - p, p});
    flipped.push_back({p, 1 - p});
  }
  auto set = align({probabilities(ids, truth, rows), probabilities(ids, truth, flipped)});
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_NEAR(*member_score(*set, 0, Score::auc), 0.6875, 1e-12);
  EXPECT_NEAR(*member_score(*set, 1, Score::auc), 1 - 0.6875, 1e-12);
  // Their average is 0.5 everywhere: every pair ties.
  std::vector<std::size_t> both = {0, 1};
  EXPECT_NEAR(*ensemble_score(*set, both, Score::auc, Vote::soft), 0.5, 1e-12);
  auto s = summarize_ensemble(*set, Score::auc, Vote::soft, 0.95, {300, 3});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->gain, 0);  // 0.5 - (0.6875 + 0.3125) / 2
  EXPECT_NEAR(s->ensemble_interval.lower, 0.5, 1e-12);
  EXPECT_NEAR(s->ensemble_interval.upper, 0.5, 1e-12);

  auto one_class = align({probabilities({"a", "b"}, {1, 1}, {{.5f, .5f}, {.2f, .8f}}),
                          probabilities({"a", "b"}, {1, 1}, {{.5f, .5f}, {.2f, .8f}})});
  ASSERT_TRUE(one_class.ok());
  auto auc = member_score(*one_class, 0, Score::auc);
  ASSERT_FALSE(auc.ok());
  EXPECT_EQ(auc.error(), "auc needs examples of both classes; all 2 examples are class 1");
}

// Regression: truth 1 2 3; A 1.5 2 2 (squared errors .25 0 1), B .5 2 4 (.25
// 0 1): each RMSE sqrt(1.25/3); their mean 1 2 3 is exact, RMSE 0.
TEST(EnsembleHand, Rmse) {
  auto set = align({values({"a", "b", "c"}, {1, 2, 3}, {1.5, 2, 2}), values({"a", "b", "c"}, {1, 2, 3}, {.5, 2, 4})});
  ASSERT_TRUE(set.ok());
  auto s = summarize_ensemble(*set, Score::rmse, Vote::soft, 0.95, {1000, 2});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_NEAR(s->member_scores[0], std::sqrt(1.25 / 3), 1e-15);
  EXPECT_NEAR(s->member_scores[1], std::sqrt(1.25 / 3), 1e-15);
  EXPECT_EQ(s->ensemble, 0);
  EXPECT_NEAR(s->gain, std::sqrt(1.25 / 3), 1e-15);
  EXPECT_EQ(s->ensemble_interval.lower, 0);
  EXPECT_EQ(s->ensemble_interval.upper, 0);
  // A resample of b alone (1 in 27) gains 0; none gains less.
  EXPECT_GE(s->gain_interval.lower, 0);
  EXPECT_GT(s->gain_interval.upper, 0);
  EXPECT_EQ(s->k_for_most, 2u);
}

// Predicted classes A 0 0 2 1 1, B 0 1 1 0 1, C 1 2 2 1 1.
// Pairs: A-B differ on e2 e3 e4 (0.6), A-C on e1 e2 (0.4), B-C on e1 e2 e3 e4
// (0.8, the worst): mean 0.6. Per example, the share of the 3 pairs that
// disagree: e1 (0 0 1) 2/3, e2 (0 1 2) 1, e3 (2 1 2) 2/3, e4 (1 0 1) 2/3, e5
// 0; their mean is 3/5, the pairs' mean. By true class: 0 (e1 e4) 2/3, 1 (e2
// e5) 1/2, 2 (e3) 2/3. Least stable: e2, then e1 e3 e4 by id; e5 none.
TEST(ChurnHand, MatrixClassesAndLeastStable) {
  PredictionSet set = three_seed_set();
  auto s = summarize_churn(set, 0.90, 20, {2000, 5});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_NEAR(s->mean, 0.6, 1e-15);
  EXPECT_DOUBLE_EQ(s->worst, 0.8);
  EXPECT_EQ(s->worst_a, 1u);
  EXPECT_EQ(s->worst_b, 2u);
  std::vector<double> matrix = {0, .6, .4, .6, 0, .8, .4, .8, 0};
  ASSERT_EQ(s->matrix.size(), 9u);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_DOUBLE_EQ(s->matrix[i], matrix[i]) << i;
  ASSERT_EQ(s->per_class.size(), 3u);
  EXPECT_EQ(s->per_class[0].label, 0);
  EXPECT_EQ(s->per_class[0].examples, 2u);
  EXPECT_NEAR(s->per_class[0].churn, 2.0 / 3, 1e-15);
  EXPECT_NEAR(s->per_class[1].churn, 0.5, 1e-15);
  EXPECT_EQ(s->per_class[2].examples, 1u);
  EXPECT_NEAR(s->per_class[2].churn, 2.0 / 3, 1e-15);
  ASSERT_EQ(s->least_stable.size(), 4u);
  EXPECT_EQ(s->least_stable[0].id, "e2");
  EXPECT_DOUBLE_EQ(s->least_stable[0].disagreement, 1.0);
  EXPECT_EQ(s->least_stable[0].truth, 1);
  EXPECT_EQ(s->least_stable[0].predictions, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(s->least_stable[1].id, "e1");
  EXPECT_EQ(s->least_stable[2].id, "e3");
  EXPECT_EQ(s->least_stable[3].id, "e4");
  EXPECT_EQ(s->least_stable[3].predictions, (std::vector<double>{1, 0, 1}));
  EXPECT_LE(s->interval.lower, 0.6);
  EXPECT_GE(s->interval.upper, 0.6);
  EXPECT_LE(s->interval.upper, 1.0);

  auto top = summarize_churn(set, 0.90, 2, {100, 5});
  ASSERT_EQ(top->least_stable.size(), 2u);
  EXPECT_EQ(top->least_stable[1].id, "e1");

  std::vector<std::pair<std::size_t, std::size_t>> ab = {{0, 1}};
  EXPECT_DOUBLE_EQ(*pairs_churn(set, ab), 0.6);
  std::vector<std::pair<std::size_t, std::size_t>> two = {{0, 1}, {2, 1}};
  EXPECT_DOUBLE_EQ(*pairs_churn(set, two), 0.7);
  std::vector<std::pair<std::size_t, std::size_t>> self = {{1, 1}};
  auto bad = pairs_churn(set, self);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "members 1 and 1 are not a pair of the 3 members");
  EXPECT_FALSE(pairs_churn(set, {}).ok());
}

// Regression: truth 1 2 3 (sample std 1); A 1.5 2 2, B .5 2 4, C 1.5 2 2.
// |A-B| 1 0 2 -> 1; |A-C| 0; |B-C| 1: mean 2/3. Per example the mean |a-b|
// over pairs: (1 + 0 + 1) / 3, 0, (2 + 0 + 2) / 3: mean 2/3 again.
TEST(ChurnHand, RegressionRelativeToTargetSpread) {
  std::vector<std::string> ids = {"a", "b", "c"};
  auto set = align(
      {values(ids, {1, 2, 3}, {1.5, 2, 2}), values(ids, {1, 2, 3}, {.5, 2, 4}), values(ids, {1, 2, 3}, {1.5, 2, 2})});
  ASSERT_TRUE(set.ok());
  auto s = summarize_churn(*set, 0.95, 20, {500, 1});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_DOUBLE_EQ(s->spread, 1.0);
  EXPECT_NEAR(s->mean, 2.0 / 3, 1e-15);
  EXPECT_DOUBLE_EQ(s->worst, 1.0);
  EXPECT_EQ(s->worst_a, 0u);
  EXPECT_EQ(s->worst_b, 1u);
  EXPECT_TRUE(s->per_class.empty());
  ASSERT_EQ(s->least_stable.size(), 2u);
  EXPECT_EQ(s->least_stable[0].id, "c");
  EXPECT_NEAR(s->least_stable[0].disagreement, 4.0 / 3, 1e-15);

  // Targets 10 20 30: std 10, the same differences are a tenth as much churn.
  auto wide = align({values(ids, {10, 20, 30}, {1.5, 2, 2}), values(ids, {10, 20, 30}, {.5, 2, 4})});
  EXPECT_NEAR(summarize_churn(*wide, 0.95)->mean, 0.1, 1e-15);
  // Targets that do not vary: churn in the targets' units.
  auto flat = align({values(ids, {5, 5, 5}, {1.5, 2, 2}), values(ids, {5, 5, 5}, {.5, 2, 4})});
  auto f = summarize_churn(*flat, 0.95);
  EXPECT_DOUBLE_EQ(f->spread, 1.0);
  EXPECT_DOUBLE_EQ(f->mean, 1.0);
}

TEST(PredictionsAlign, ReorderedIdsAlign) {
  auto members = three_seeds();
  Predictions shuffled =
      probabilities({"e3", "e1", "e5", "e2", "e4"}, {2, 0, 1, 1, 0},
                    {{.25f, 0, .75f}, {.25f, .5f, .25f}, {0, .75f, .25f}, {.25f, .25f, .5f}, {.25f, .5f, .25f}});
  members[2] = shuffled;
  auto set = align(members);
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_EQ(set->ids, (std::vector<std::string>{"e1", "e2", "e3", "e4", "e5"}));
  EXPECT_EQ(set->members, (std::vector<std::string>{"seed 1", "seed 2", "seed 3"}));
  EXPECT_EQ(set->predicted[2], (std::vector<double>{1, 2, 2, 1, 1}));
  EXPECT_DOUBLE_EQ(*member_score(*set, 2, Score::brier), 0.575);
  std::vector<std::size_t> all = {0, 1, 2};
  EXPECT_DOUBLE_EQ(*ensemble_score(*set, all, Score::accuracy, Vote::soft), 0.8);
}

TEST(PredictionsAlign, DifferentIdsNameBothMembersAndAnId) {
  auto members = three_seeds();
  members[1] = probabilities({"e1", "e2", "e3", "e4"}, {0, 1, 2, 0}, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}});
  auto fewer = align(members);
  ASSERT_FALSE(fewer.ok());
  EXPECT_EQ(fewer.error(),
            "seed 2 and seed 1 predict different examples: seed 2 lacks \"e5\" (seed 2 has 4 examples, seed 1 has 5)");

  members[1] = probabilities({"e1", "e2", "e3", "e4", "x9"}, {0, 1, 2, 0, 1},
                             {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
  auto other = align(members);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error(),
            "seed 2 and seed 1 predict different examples: seed 1 lacks \"x9\" (seed 2 has 5 examples, seed 1 has 5)");
}

TEST(PredictionsAlign, DifferentTruthKindsAndClasses) {
  auto members = three_seeds();
  members[2].truth[3] = 2;
  auto truth = align(members);
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.error(), "seed 3 and seed 1 disagree on the truth of \"e4\": 2 and 0");

  members = three_seeds();
  members[1] = classes({"e1", "e2", "e3", "e4", "e5"}, {0, 1, 2, 0, 1}, {0, 1, 1, 0, 1}, 3);
  auto kind = align(members);
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.error(), "seed 2 predicts classes but seed 1 predicts probabilities");

  members = three_seeds();
  members[1] = probabilities({"e1", "e2", "e3", "e4", "e5"}, {0, 1, 2, 0, 1},
                             {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}});
  auto count = align(members);
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error(), "seed 2 predicts 4 classes but seed 1 predicts 3");

  // Predicted classes count the classes they saw: the set takes the most.
  auto seen = align({classes({"a", "b"}, {1, 0}, {1, 0}, 2), classes({"a", "b"}, {1, 0}, {2, 0}, 3)});
  ASSERT_TRUE(seen.ok()) << seen.error();
  EXPECT_EQ(seen->classes, 3u);

  // Targets equal to 1e-6, relative, are the same target.
  std::vector<std::string> ids = {"a"};
  EXPECT_TRUE(align({values(ids, {1000}, {1}), values(ids, {1000.0000001}, {1})}).ok());
  EXPECT_FALSE(align({values(ids, {1000}, {1}), values(ids, {1000.01}, {1})}).ok());
}

TEST(PredictionsAlign, BadMembersAreErrorsNotCrashes) {
  auto members = three_seeds();
  members[0].ids[4] = "e1";
  auto duplicate = align(members);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error(), "seed 1 (runs/x/predictions) lists example \"e1\" twice");

  members = three_seeds();
  members[1].probabilities.pop_back();
  auto shape = align(members);
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.error(), "seed 2 (runs/x/predictions): 14 probabilities for 5 examples of 3 classes");

  members = three_seeds();
  members[2].probabilities[4] = NAN;
  auto nan = align(members);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error(), "seed 3 (runs/x/predictions): example \"e2\": probability nan of class 1 is not in [0, 1]");

  members = three_seeds();
  members[0].truth[0] = 3;
  auto label = align(members);
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(label.error(), "seed 1 (runs/x/predictions): example \"e1\": true label 3 is not a class of 0..2");

  EXPECT_FALSE(align({}).ok());
  Predictions empty = values({}, {}, {});
  auto none = align({empty});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "seed 1 (runs/x/predictions) has no predictions");
}

// Expected value of the largest of n standard normals: Harter, H. L. (1961),
// "Expected values of normal order statistics", Biometrika 48(1/2), 151-165,
// Table 1 (also Teichroew 1956). e_2 = 1/sqrt(pi) exactly.
TEST(ExpectedMaxNormal, HarterTable) {
  EXPECT_EQ(expected_max_normal(0), 0);
  EXPECT_EQ(expected_max_normal(1), 0);
  EXPECT_NEAR(expected_max_normal(2), 1 / std::sqrt(std::numbers::pi), 1e-12);
  EXPECT_NEAR(expected_max_normal(2), 0.5642, 5e-5);
  EXPECT_NEAR(expected_max_normal(3), 0.8463, 5e-5);
  EXPECT_NEAR(expected_max_normal(5), 1.1630, 5e-5);
  EXPECT_NEAR(expected_max_normal(10), 1.5388, 5e-5);
  EXPECT_NEAR(expected_max_normal(20), 1.8675, 5e-5);
  // e_3 = 3 / (2 sqrt(pi)), exactly (the closed form for three).
  EXPECT_NEAR(expected_max_normal(3), 1.5 / std::sqrt(std::numbers::pi), 1e-12);
  EXPECT_NEAR(expected_max_normal(100), 2.5076, 5e-5);  // Harter's table
  for (std::size_t n = 2; n < 200; ++n) EXPECT_LT(expected_max_normal(n), expected_max_normal(n + 1)) << n;
}

// Seeds 10 20 30 scoring 1 2 3, maximised: the best is seed 30 at 3; a fresh
// seed is expected at the mean 2 (s = 1); the 95% prediction interval is
// 2 +- t(2, 0.975) * 1 * sqrt(1 + 1/3) = 2 +- 4.302653 * 1.154701 = 2 +-
// 4.968275 (scipy.stats.t.ppf(0.975, 2) = 4.302652729911275); choosing it
// overstates by 1; picking the best of 3 is expected to overstate by s * e_3.
TEST(BestSeed, HandValues) {
  std::vector<std::int64_t> seeds = {10, 20, 30};
  std::vector<double> values = {1, 2, 3};
  auto b = best_seed(seeds, values, true);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->seed, 30);
  EXPECT_EQ(b->value, 3);
  EXPECT_EQ(b->fresh, 2);
  EXPECT_NEAR(b->prediction.lower, 2 - 4.968275423687505, 1e-9);
  EXPECT_NEAR(b->prediction.upper, 2 + 4.968275423687505, 1e-9);
  EXPECT_EQ(b->prediction.level, 0.95);
  EXPECT_EQ(b->overstates, 1);
  EXPECT_NEAR(b->expected_optimism, 0.846284375, 1e-8);

  auto low = best_seed(seeds, values, false);
  EXPECT_EQ(low->seed, 10);
  EXPECT_EQ(low->overstates, 1);

  // Seed 7 at 0.934 among 0.90 0.934 0.91 0.92: mean 0.916, s 0.0145144,
  // t(3, 0.975) * s * sqrt(1.25) = 0.0516433 (scipy); overstates by 0.018.
  std::vector<std::int64_t> four = {1, 7, 3, 4};
  std::vector<double> scores = {0.90, 0.934, 0.91, 0.92};
  auto seven = best_seed(four, scores, true);
  EXPECT_EQ(seven->seed, 7);
  EXPECT_NEAR(seven->fresh, 0.916, 1e-15);
  EXPECT_NEAR(seven->prediction.upper - seven->fresh, 0.05164330206313886, 1e-12);
  EXPECT_NEAR(seven->overstates, 0.018, 1e-15);
  EXPECT_NEAR(seven->expected_optimism, 0.014514360704718175 * expected_max_normal(4), 1e-15);

  // Ties go to the lower seed, wherever it stands.
  std::vector<std::int64_t> tied = {9, 4, 6};
  std::vector<double> same = {0.5, 0.7, 0.7};
  EXPECT_EQ(best_seed(tied, same, true)->seed, 4);
  std::vector<std::int64_t> tied_late = {9, 6, 4};
  EXPECT_EQ(best_seed(tied_late, same, true)->seed, 4);

  std::vector<std::int64_t> lone = {1};
  std::vector<double> one = {0.5};
  EXPECT_FALSE(best_seed(lone, one, true).has_value());
  std::vector<double> nan = {0.5, NAN, 0.6};
  EXPECT_FALSE(best_seed(seeds, nan, true).has_value());
}

}  // namespace
}  // namespace seedgate::checks
