#include "checks/sequential.hpp"

#include <gtest/gtest.h>

namespace seedgate::checks {
namespace {

TEST(PlannedLooks, StepsUpToTheMaximum) {
  EXPECT_EQ(planned_looks(5, 5, 20), (std::vector<std::size_t>{5, 10, 15, 20}));
  EXPECT_EQ(planned_looks(5, 5, 12), (std::vector<std::size_t>{5, 10, 12}));
  EXPECT_EQ(planned_looks(8, 8, 8), (std::vector<std::size_t>{8}));
}

TEST(Spending, ReachesAlphaAtTheEnd) {
  for (Spending s : {Spending::pocock, Spending::obrien_fleming}) {
    EXPECT_NEAR(spent_alpha(s, 0.05, 1.0), 0.05, 1e-12) << to_string(s);
    EXPECT_EQ(spent_alpha(s, 0.05, 0.0), 0.0);
  }
  // O'Brien–Fleming keeps almost nothing for an early look (Lan & DeMets 1983):
  // 2 - 2 Phi(1.959964 / sqrt(0.25)) = 8.857e-5.
  EXPECT_NEAR(spent_alpha(Spending::obrien_fleming, 0.05, 0.25), 8.857e-5, 1e-7);
  // Pocock-type: 0.05 ln(1 + (e - 1) 0.25) = 0.0178687.
  EXPECT_NEAR(spent_alpha(Spending::pocock, 0.05, 0.25), 0.0178687, 1e-7);
}

TEST(Spending, LookIncrementsSumToAlpha) {
  auto looks = planned_looks(5, 5, 20);
  for (Spending s : {Spending::pocock, Spending::obrien_fleming}) {
    double total = 0;
    for (std::size_t k = 0; k < looks.size(); ++k) {
      double a = look_alpha(s, 0.05, looks, k);
      EXPECT_GT(a, 0);
      total += a;
    }
    EXPECT_NEAR(total, 0.05, 1e-12);
  }
  EXPECT_EQ(look_alpha(Spending::pocock, 0.05, {8}, 0), 0.05);
}

}  // namespace
}  // namespace seedgate::checks
