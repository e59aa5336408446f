// Every check kind in the table survives the round trip a user makes: `seedgate
// run` judges it and writes results, `check` reads them back and judges the
// same, `report` renders it, `baseline save` keeps it. A kind added to the
// table without a case here does not compile.
#include <array>
#include <variant>

#include "checks/kinds.hpp"
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;
using seedgate::checks::CheckKind;

struct KindCase {
  CheckKind kind;
  std::string check;        // the [[check]] table
  std::string tables = {};  // policy tables it needs besides: [[variant]]
};

// One case per kind, in the table's order.
const std::array<KindCase, std::variant_size_v<seedgate::checks::KindSpec>> kCases = {{
    {CheckKind::threshold,
     "kind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\nworst_at_least = 0.85\nconfidence = 0.95\n"
     "tolerance = \"normal\"\ncoverage = 0.8\n"},
    {CheckKind::variance, "kind = \"variance\"\nmetric = \"accuracy\"\nstd_at_most = 0.05\nrange_at_most = 0.2\n"},
    {CheckKind::reproducibility, "kind = \"reproducibility\"\nartifacts = [\"model\"]\natol = 1e-9\n"},
    {CheckKind::seed_sensitivity, "kind = \"seed-sensitivity\"\nartifacts = [\"model\"]\n"},
    {CheckKind::regression,
     "kind = \"regression\"\nmetric = \"accuracy\"\nbaseline = \"main.json\"\nmargin = 0.05\nconfidence = 0.95\n"
     "pairing = \"seed\"\n"},
    {CheckKind::consistency, "kind = \"consistency\"\nmetric = \"accuracy\"\nartifacts = [\"model\"]\n"},
    {CheckKind::failures, "kind = \"failures\"\nrate_at_most = 0.4\nconfidence = 0.95\n"},
    {CheckKind::ensemble,
     "kind = \"ensemble\"\nmetric = \"log-loss\"\nat_most = 0.9\ngain_at_least = 0\nvote = \"soft\"\n"},
    {CheckKind::churn, "kind = \"churn\"\nat_most = 0.6\nconfidence = 0.95\n"},
    // Four seeds give a signed-rank bound at 0.9; b scores 0.02 below a on every seed.
    {CheckKind::compare, "kind = \"compare\"\nmetric = \"accuracy\"\nexpect = \"a\"\nmargin = 0.01\nconfidence = 0.9\n",
     "[[variant]]\nname = \"a\"\n\n[[variant]]\nname = \"b\"\nargs = [\"-0.02\"]\n\n"},
    // A first sweep has no history to drift from: it passes, saying so, and is appended.
    {CheckKind::drift,
     "kind = \"drift\"\nmetric = \"accuracy\"\nwindow = 5\nspan = 10\ncusum_k = 0.5\ncusum_h = 5\n"
     "direction = \"worse\"\nbranch = \"main\"\nconfidence = 0.99\n",
     "[history]\nstore = \"sqlite:history.db\"\nbranch = \"main\"\n\n"},
}};

// Two thread counts and two repeats, so every kind has something to judge.
const std::string kSweep = "seeds = 4\nthreads = [1, 2]\nrepeats = 2\njobs = 2\n";
const std::string kBehaviour = "\"normal\", \"0.95\", \"0.01\"";

class KindRoundTripTest : public CliTest, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(KindRoundTripTest, RunCheckReportAndBaselineAgree) {
  const seedgate::checks::KindInfo& kind = seedgate::checks::kinds()[GetParam()];
  const KindCase& c = kCases.at(GetParam());
  ASSERT_EQ(c.kind, kind.kind) << "kCases is not in the table's order";
  if (c.check.find("baseline = ") != std::string::npos) {
    // The baseline the check compares against: a sweep of the same program.
    write_policy(kBehaviour, "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n", "",
                 kSweep, "main.toml");
    ASSERT_EQ(seedgate({"run", "-p", "main.toml", "--out", "main"}).exit_code, 0);
    ASSERT_EQ(seedgate({"baseline", "save", "main/results.json", "-o", "main.json"}).exit_code, 0);
  }
  write_policy(kBehaviour, c.tables + "[[check]]\n" + c.check, "", kSweep);
  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json judged = results("sweep/results.json")["checks"];
  ASSERT_EQ(judged.size(), 1u);
  EXPECT_EQ(judged[0]["kind"], std::string(kind.name));
  EXPECT_EQ(judged[0]["verdict"], "pass") << judged.dump(2);
  EXPECT_FALSE(judged[0]["statistics"].empty()) << judged.dump(2);
  expect_round_trip("sweep/results.json", "results.json");
}

// `seedgate policy lint --help` lists every kind, what it judges and its keys.
TEST_F(CliTest, PolicyLintHelpListsEveryKind) {
  Outcome o = seedgate({"policy", "lint", "--help"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  for (const seedgate::checks::KindInfo& kind : seedgate::checks::kinds()) {
    EXPECT_NE(o.out.find(fmt::format("  {}: {}", kind.name, kind.judges)), std::string::npos) << o.out;
    for (const seedgate::checks::KeyInfo& key : kind.keys)
      EXPECT_NE(o.out.find(key.name), std::string::npos) << key.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, KindRoundTripTest, ::testing::Range<std::size_t>(0, seedgate::checks::kinds().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           std::string name(seedgate::checks::kinds()[info.param].name);
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
