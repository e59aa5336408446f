// Predictions end to end: a program (a shell script) writes known
// predictions to $SEEDGATE_PREDICTIONS; the ensemble and churn checks and
// the best-seed report reproduce what is computed by hand below, and a
// malformed predictions file costs the predictions checks (with a clear
// error) and nothing else.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

// Six examples, labels 0 0 0 1 1 1, and each seed's probability of class 1:
//   seed 0: 0.1 0.2 0.6 0.7 0.8 0.4  predicts 0 0 1 1 1 0  right on e1 e2 e4 e5     4/6
//   seed 1: 0.3 0.6 0.2 0.9 0.3 0.7  predicts 0 1 0 1 0 1  right on e1 e3 e4 e6     4/6
//   seed 2: 0.2 0.3 0.3 0.4 0.9 0.8  predicts 0 0 0 0 1 1  right on e1 e2 e3 e5 e6  5/6
// Mean seed accuracy 13/18. Averaged: 0.200 0.367 0.367 0.667 0.667 0.633,
// predicting 0 0 0 1 1 1: the soft vote is right on all six (the majority
// vote too), a gain of 5/18 over the mean seed.
// Churn: seeds 0-1 differ on e2 e3 e5 e6 (4/6), 0-2 on e3 e4 e6 (3/6), 1-2
// on e2 e4 e5 (3/6): mean 10/18, worst 4/6 (seeds 0 and 1). Class 0 (e1-e3):
// 2/3, 1/3, 1/3 -> 4/9; class 1 (e4-e6): 2/3 each -> 2/3. e1 has no
// disagreement (and is not listed as unstable), e2..e6 two of three pairs each.
// Any other seed predicts as seed (seed mod 3) does.
constexpr const char* kProgram = R"(seed=$1
case $((seed % 3)) in
  0) p="0.1 0.2 0.6 0.7 0.8 0.4";;
  1) p="0.3 0.6 0.2 0.9 0.3 0.7";;
  2) p="0.2 0.3 0.3 0.4 0.9 0.8";;
esac
mode=$(cat mode 2>/dev/null)
awk -v p="$p" -v seed="$seed" -v mode="$mode" 'BEGIN {
  split(p, q, " "); split("0 0 0 1 1 1", label, " ")
  print "id,label,p0,p1"
  for (i = 1; i <= 6; i++) {
    id = "e" i
    p0 = sprintf("%.1f", 1 - q[i]); p1 = sprintf("%.1f", q[i])
    if (seed == 1 && mode == "columns" && i == 3) { print id "," label[i] "," p0; continue }
    if (seed == 1 && mode == "ids" && i == 6) id = "e7"
    if (seed == 1 && mode == "nan" && i == 2) p1 = "nan"
    if (seed == 1 && mode == "sum" && i == 4) p0 = "0.5"
    print id "," label[i] "," p0 "," p1
    right += (q[i] >= 0.5) == label[i]
  }
  printf "{\"accuracy\": %.17g}\n", right / 6 >> ENVIRON["SEEDGATE_METRICS"]
}' > "$SEEDGATE_PREDICTIONS"
if [ "$seed" = 1 ] && [ "$mode" = "huge" ]; then
  # The binary format's header declaring 10^8 rows of two probabilities, and nothing else.
  printf 'SGPRED1\n\000\000\000\000\002\000\000\000\000\341\365\005\000\000\000\000' > "$SEEDGATE_PREDICTIONS"
fi
if [ "$seed" = 1 ] && [ "$mode" = "none" ]; then rm "$SEEDGATE_PREDICTIONS"; fi
)";

constexpr const char* kChecks = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.6

[[check]]
kind = "ensemble"
at_least = 0.9
gain_at_least = 0.25

[[check]]
kind = "ensemble"
name = "majority"
vote = "majority"
at_least = 0.9

[[check]]
kind = "churn"
at_most = 0.6
)";

class PredictionsTest : public CliTest {
 protected:
  void write_program(int seeds, const std::string& checks = kChecks, const std::string& mode = "") {
    std::ofstream(m_dir / "train.sh") << kProgram;
    std::ofstream(m_dir / "mode") << mode;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\", \"{{seed}}\"]\n[sweep]\nseeds = {}\n"
        "[metrics.accuracy]\ngoal = \"max\"\n\n{}\n[report]\nbest_seed_report = true\nhtml = \"report.html\"\njson = "
        "\"judged.json\"\n",
        seeds, checks);
  }

  static double statistic(const nlohmann::json& check, const std::string& name) {
    for (const nlohmann::json& s : check["statistics"])
      if (s["name"] == name) return s["value"].get<double>();
    ADD_FAILURE() << "no statistic " << name << " in " << check.dump();
    return 0;
  }
};

TEST_F(PredictionsTest, KnownPredictionsGiveTheHandComputedEnsembleAndChurn) {
  write_program(3);
  Outcome o = seedgate({"run", "--out", "out"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  const nlohmann::json& soft = check(r, "ensemble-accuracy");
  EXPECT_DOUBLE_EQ(statistic(soft, "ensemble"), 1.0);
  EXPECT_DOUBLE_EQ(statistic(soft, "mean_seed"), 13.0 / 18);
  EXPECT_DOUBLE_EQ(statistic(soft, "best_seed"), 5.0 / 6);
  EXPECT_NEAR(statistic(soft, "gain"), 5.0 / 18, 1e-12);
  EXPECT_DOUBLE_EQ(statistic(check(r, "majority"), "ensemble"), 1.0);
  const nlohmann::json& churn = check(r, "churn");
  EXPECT_NEAR(statistic(churn, "churn"), 10.0 / 18, 1e-12);
  EXPECT_NEAR(statistic(churn, "churn_worst_pair"), 4.0 / 6, 1e-12);
  const nlohmann::json& detail = churn["details"][0];
  EXPECT_EQ(detail["members"], nlohmann::json({"seed 0", "seed 1", "seed 2"}));
  EXPECT_NEAR(detail["churn_matrix"][1].get<double>(), 4.0 / 6, 1e-12);  // seeds 0 and 1
  EXPECT_NEAR(detail["churn_matrix"][2].get<double>(), 3.0 / 6, 1e-12);  // seeds 0 and 2
  EXPECT_NEAR(detail["per_class"][0]["churn"].get<double>(), 4.0 / 9, 1e-12);
  EXPECT_NEAR(detail["per_class"][1]["churn"].get<double>(), 2.0 / 3, 1e-12);
  std::vector<std::string> order;
  for (const nlohmann::json& e : detail["least_stable"]) order.push_back(e["id"]);
  EXPECT_EQ(order, (std::vector<std::string>{"e2", "e3", "e4", "e5", "e6"}));  // e1 is stable: not listed
  // The best seed, what a fresh one gives and the optimism of choosing it:
  // values 4/6, 4/6, 5/6, mean 0.7222, std 0.096225; t(2, 0.975) = 4.302653
  // times std times sqrt(1 + 1/3) = 0.4781 either side; e_3 = 0.8463.
  EXPECT_NE(o.out.find("0.7222 ± 0.0962 over 3 seeds"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("seed 2 scored 0.8333; a fresh seed is expected to score 0.7222 (95% prediction interval "
                       "[0.2441, 1.2003]); choosing it by this sweep overstates by 0.1111 (the best of 3 seeds is "
                       "expected to overstate by 0.8463 std = 0.0814)"),
            std::string::npos)
      << o.out;
  std::string html = *util::read_file(m_dir / "report.html");
  EXPECT_NE(html.find("e2"), std::string::npos);
  // seeds.csv beside the results: one row per run.
  std::string csv = *util::read_file(m_dir / "out/seeds.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "seed,mode,device,threads,repeat,status,accuracy");
  EXPECT_NE(csv.find("\n2,deterministic,cpu,,0,passed,0.833333333333333"), std::string::npos) << csv;
  // Read back, judged, reported and saved as a baseline alike.
  expect_round_trip("out/results.json", "judged.json");
}

// E[max of n standard normals] (Harter 1961, Biometrika 48, table of expected
// normal order statistics): the optimism the report quotes for the best of n seeds.
TEST_F(PredictionsTest, TheBestSeedWarningQuotesExpectedOptimismForNSeeds) {
  const std::vector<std::pair<int, std::string>> table = {
      {2, "0.5642"}, {3, "0.8463"}, {5, "1.1630"}, {10, "1.5388"}, {20, "1.8675"}};
  for (const auto& [n, e_n] : table) {
    write_program(n, "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
    Outcome o = seedgate({"run", "--out", fmt::format("n{}", n)});
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_NE(o.out.find(fmt::format("the best of {} seeds is expected to overstate by {} std", n, e_n)),
              std::string::npos)
        << o.out;
  }
}

// A baseline made from one seed is a single draw: `baseline save` and every
// regression check against it say so.
TEST_F(PredictionsTest, ASingleSeedBaselineGetsASelectionNote) {
  write_program(1, "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  ASSERT_EQ(seedgate({"run", "--out", "one"}).exit_code, 0);
  Outcome saved = seedgate({"baseline", "save", "one/results.json", "-o", "one.json"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_NE(saved.out.find("note: selection: this baseline is one seed (0)"), std::string::npos) << saved.out;
  write_program(3, "[[check]]\nkind = \"regression\"\nmetric = \"accuracy\"\nbaseline = \"one.json\"\nmargin = 0.5\n");
  Outcome o = seedgate({"run", "--out", "three"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json notes = check(results("three/results.json"), "regression-accuracy")["notes"];
  EXPECT_NE(notes.dump().find("selection: the baseline is one seed (0)"), std::string::npos) << notes.dump();
  // A baseline of several seeds gets no such note.
  ASSERT_EQ(seedgate({"baseline", "save", "three/results.json", "-o", "three.json"}).out.find("selection"),
            std::string::npos);
}

struct Malformed {
  std::string mode;
  std::string error;  // in the predictions checks' messages
};

class MalformedPredictionsTest : public PredictionsTest, public ::testing::WithParamInterface<Malformed> {};

// Each malformed file is an error of the checks that read predictions, naming
// the file and row; the runs, their metrics and the other checks are kept.
TEST_P(MalformedPredictionsTest, CostsOnlyThePredictionsChecks) {
  write_program(3, kChecks, GetParam().mode);
  Outcome o = seedgate({"run", "--out", "out"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  for (const nlohmann::json& run : r["runs"]) EXPECT_EQ(run["status"], "passed") << run.dump();
  EXPECT_EQ(check(r, "threshold-accuracy")["verdict"], "pass");
  for (const char* name : {"ensemble-accuracy", "majority", "churn"}) {
    const nlohmann::json& c = check(r, name);
    EXPECT_EQ(c["verdict"], "error") << c.dump();
    ASSERT_FALSE(c["messages"].empty()) << c.dump();
    EXPECT_NE(c["messages"][0].get<std::string>().find(GetParam().error), std::string::npos) << c.dump();
  }
  EXPECT_NE(o.out.find(GetParam().error), std::string::npos) << o.out;
}

INSTANTIATE_TEST_SUITE_P(
    Files, MalformedPredictionsTest,
    ::testing::Values(Malformed{"columns",
                                "seed 1: runs/s1-deterministic-cpu-r0/predictions:4: 3 columns, the header has 4"},
                      Malformed{"ids", "seed 1 and seed 0 predict different examples: seed 0 lacks \"e7\""},
                      Malformed{"nan", "runs/s1-deterministic-cpu-r0/predictions:3:"},
                      Malformed{"sum", "runs/s1-deterministic-cpu-r0/predictions:5: probabilities sum to"},
                      Malformed{"huge", "declares 100000000 rows; seedgate reads at most 1000000"},
                      Malformed{"none", "seed 1: wrote no predictions"}),
    [](const ::testing::TestParamInfo<Malformed>& info) { return info.param.mode; });

}  // namespace
