// Variants end to end: a program (a shell script) whose two [[variant]]s
// score known values per seed, with a planted single-seed tuning trap: fast
// wins seed 0 (0.95 against 0.93) and loses every other seed (0.90). The
// compare check passes slow, names the trap and the win shares, and fails fast.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

constexpr const char* kProgram = R"(seed=$1
case "$SEEDGATE_VARIANT" in
  fast) if [ "$seed" = 0 ]; then a=0.95; else a=0.90; fi;;
  slow) a=0.93;;
  *) echo "no variant" >&2; exit 3;;
esac
printf '{"accuracy": %s}\n' "$a" >> "$SEEDGATE_METRICS"
)";

class VariantsTest : public CliTest {
 protected:
  void write_program(const std::string& check, const std::string& variants = kVariants, int seeds = 8) {
    std::ofstream(m_dir / "train.sh") << kProgram;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\", \"{{seed}}\"]\n[sweep]\nseeds = {}\n"
        "[metrics.accuracy]\ngoal = \"max\"\n\n{}\n[[check]]\n{}\n[report]\njson = \"judged.json\"\n"
        "markdown = \"summary.md\"\n",
        seeds, variants, check);
  }

  static const nlohmann::json& statistic(const nlohmann::json& check, const std::string& name) {
    for (const nlohmann::json& s : check["statistics"])
      if (s["name"] == name) return s;
    ADD_FAILURE() << "no statistic " << name << " in " << check.dump();
    static const nlohmann::json none;
    return none;
  }

  static constexpr const char* kVariants = "[[variant]]\nname = \"fast\"\n\n[[variant]]\nname = \"slow\"\n";
};

constexpr const char* kTrapNote =
    "tuning trap: seed 0 picks fast, but slow is best on average (wins 7 of 8 seeds); wins per seed: fast 12.5%, "
    "slow 87.5% (mode=deterministic, device=cpu)";

TEST_F(VariantsTest, TheSeedZeroWinnerIsCaughtAndTheMeanWinnerPasses) {
  write_program("kind = \"compare\"\nmetric = \"accuracy\"\nexpect = \"slow\"\nconfidence = 0.95\n");
  Outcome o = seedgate({"run", "--out", "out"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  const nlohmann::json& c = r["checks"][0];
  EXPECT_EQ(c["verdict"], "pass") << c.dump(2);
  EXPECT_EQ(c["notes"], nlohmann::json::array({kTrapNote}));
  // slow - fast per seed: -0.02 on seed 0, 0.03 on the seven others.
  const nlohmann::json& diff = statistic(c, "difference[fast]");
  EXPECT_NEAR(diff["value"].get<double>(), (7 * 0.03 - 0.02) / 8, 1e-12);
  // The t bound, mean - t(7, 0.95) sd / sqrt(8) = 0.02375 - 1.894579 * 0.0176777 / 2.828427 = 0.0119089,
  // is above the signed-rank bound: the 6th smallest Walsh average (P(W+ <= 5) = 10/256), 0.005.
  EXPECT_NEAR(diff["interval"]["lower"].get<double>(), 0.005, 1e-12);
  EXPECT_NEAR(statistic(c, "p_improvement[fast]")["value"].get<double>(), 7.0 / 8, 1e-12);
  EXPECT_NEAR(statistic(c, "win_share[fast]")["value"].get<double>(), 1.0 / 8, 1e-12);
  EXPECT_NEAR(statistic(c, "mean[fast]")["value"].get<double>(), (0.95 + 7 * 0.90) / 8, 1e-12);
  EXPECT_NEAR(statistic(c, "mean_rank[slow]")["value"].get<double>(), (2 + 7.0) / 8, 1e-12);
  EXPECT_NE(o.out.find(kTrapNote), std::string::npos) << o.out;
  // The reports show the comparison as a table, one row per variant.
  EXPECT_NE(o.out.find("variant          mean    IQM [bounds]       mean rank  wins   expected - this [bounds]"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("slow (expected)  0.93    0.93 [0.93, 0.93]  1.12       87.5%\n"), std::string::npos) << o.out;
  std::string markdown = *util::read_file(m_dir / "summary.md");
  EXPECT_NE(markdown.find("| fast | 0.9063 | 0.9 [0.9, 0.9125] | 1.88 | 12.5% | 0.02375 [0.005, 0.03559], -margin "
                          "0: pass | 0.875 [0.625, 1] |"),
            std::string::npos)
      << markdown;
  expect_round_trip("out/results.json", "judged.json");
}

TEST_F(VariantsTest, ExpectingTheSeedZeroWinnerFails) {
  write_program("kind = \"compare\"\nmetric = \"accuracy\"\nexpect = \"fast\"\nconfidence = 0.95\n");
  Outcome o = seedgate({"run", "--out", "out"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  const nlohmann::json& c = r["checks"][0];
  EXPECT_EQ(c["verdict"], "fail");
  EXPECT_EQ(c["notes"], nlohmann::json::array({kTrapNote}));
  ASSERT_EQ(c["messages"].size(), 1u);
  EXPECT_NE(c["messages"][0].get<std::string>().find("accuracy: difference[slow] -0.02375 of fast over slow over "
                                                     "seeds 0..7"),
            std::string::npos)
      << c["messages"][0];
  // Without confidence the mean difference decides alone.
  write_program("kind = \"compare\"\nmetric = \"accuracy\"\nexpect = \"fast\"\nmargin = 0.03\n");
  EXPECT_EQ(seedgate({"run", "--out", "out2"}).exit_code, 0);
}

TEST_F(VariantsTest, ExpectMustNameADeclaredVariant) {
  write_program("kind = \"compare\"\nmetric = \"accuracy\"\nexpect = \"slwo\"\n");
  Outcome o = seedgate({"policy", "lint"});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_NE(o.err.find("'expect' names no [[variant]]: 'slwo'; did you mean 'slow'?"), std::string::npos) << o.err;
  write_program("kind = \"compare\"\nmetric = \"accuracy\"\nexpect = \"slow\"\n", "");
  o = seedgate({"policy", "lint"});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_NE(o.err.find("'expect' names a variant, but the policy declares no [[variant]] tables"), std::string::npos)
      << o.err;
  write_program("kind = \"compare\"\nmetric = \"accuracy\"\n");
  o = seedgate({"policy", "lint"});
  EXPECT_NE(o.err.find("missing required key 'expect' in [[check]] of kind 'compare'"), std::string::npos) << o.err;
}

}  // namespace
