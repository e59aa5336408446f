#include "harness/evaluate.hpp"

#include <gtest/gtest.h>

namespace seedgate {
namespace {

TEST(EnvironmentDifferencesTest, NamesHardwareAndLibraryChanges) {
  nlohmann::json baseline = {{"host", "a"},
                             {"cpu", "Intel Xeon"},
                             {"gpus", nlohmann::json::array()},
                             {"libraries", {{"fmt", "9.1.0"}}},
                             {"program", {{"torch", "1.13.1"}}}};
  nlohmann::json candidate = baseline;
  candidate["host"] = "b";  // another runner of the same kind is not a difference
  EXPECT_TRUE(environment_differences(baseline, candidate).empty());
  candidate["cpu"] = "AMD EPYC";
  candidate["program"]["torch"] = "2.1.0";
  candidate["program"]["cuda"] = "12.1";
  EXPECT_EQ(environment_differences(baseline, candidate),
            (std::vector<std::string>{"cpu: Intel Xeon (baseline) vs AMD EPYC", "program.cuda: none (baseline) vs 12.1",
                                      "program.torch: 1.13.1 (baseline) vs 2.1.0"}));
}

}  // namespace
}  // namespace seedgate
