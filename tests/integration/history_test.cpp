// Nightly monitoring end to end, on both history stores: 30 nights of a
// program whose mean drifts by 0.1 seed-std a night from night 15. Every
// night is appended; the drift check stays quiet on the stable nights and
// fails once the drift builds up, naming the night it began; 8 sweeps
// appended at once all arrive.
#include <memory>
#include <set>

#include "history/store.hpp"
#include "tests/integration/cli_fixture.hpp"
#include "tests/unit/history/postgres_server.hpp"

namespace {

using namespace seedgate_test;

constexpr int kNights = 30;
constexpr int kDriftFrom = 15;
constexpr double kMean = 0.9;
constexpr double kSd = 0.01;

const std::string kDriftCheck =
    "[[check]]\nname = \"drift-accuracy\"\nkind = \"drift\"\nmetric = \"accuracy\"\nconfidence = 0.99\n"
    "window = 20\nspan = 20\ncusum_h = 8\n";

enum class Backend { sqlite, postgres };

class HistoryTest : public CliTest, public ::testing::WithParamInterface<Backend> {
 public:
  static void SetUpTestSuite() {
    s_server = std::make_unique<seedgate::testing::PostgresServer>();
    if (!s_server->start()) s_error = s_server->skip_reason().empty() ? s_server->error() : "";
  }
  static void TearDownTestSuite() { s_server.reset(); }

 protected:
  // The store for this test: a SQLite file in the test's folder, or a fresh
  // database on the throwaway server. Empty (with the test skipped) where
  // there is no server.
  std::string store(const std::string& name) {
    if (GetParam() == Backend::sqlite) return "sqlite:" + (m_dir / (name + ".db")).string();
    if (!s_server->skip_reason().empty()) return "";
    EXPECT_TRUE(s_error.empty()) << s_error;
    EXPECT_TRUE(s_server->create_database(name));
    return s_server->url(name);
  }

  // A night's sweep: 10 fresh seeds, the mean shifted by `shift`.
  void write_night(int night, double shift, const std::string& checks) {
    write_policy(fmt::format("\"normal\", \"{}\", \"{}\", \"{}\"", kMean, kSd, shift), checks, "",
                 fmt::format("seeds = {{ start = {}, count = 10 }}\njobs = 2\n", 1000 * night));
  }

  static std::unique_ptr<seedgate::testing::PostgresServer> s_server;
  static std::string s_error;
};

std::unique_ptr<seedgate::testing::PostgresServer> HistoryTest::s_server;
std::string HistoryTest::s_error;

TEST_P(HistoryTest, ThirtyNightsOfDriftAreStoredAndTheDriftIsCaught) {
  std::string url = store("nights");
  if (url.empty()) GTEST_SKIP() << s_server->skip_reason();
  const std::string policy_history = fmt::format("[history]\nstore = \"{}\"\nbranch = \"nightly\"\n\n", url);
  std::vector<std::string> ids;
  std::vector<int> exits;
  std::string first_failure;
  for (int night = 1; night <= kNights; ++night) {
    double shift = night >= kDriftFrom ? 0.1 * kSd * (night - kDriftFrom + 1) : 0.0;
    write_night(night, shift, policy_history + kDriftCheck);
    Outcome o = seedgate({"run", "--out", fmt::format("night-{}", night)});
    ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 1) << "night " << night << "\n" << o.out << o.err;
    ASSERT_NE(o.out.find("history: sweep "), std::string::npos) << o.out;
    nlohmann::json r = results(fmt::format("night-{}/results.json", night));
    ids.push_back(r["sweep"]["id"].get<std::string>());
    EXPECT_EQ(r["sweep"]["branch"], "nightly");
    exits.push_back(o.exit_code);
    if (o.exit_code == 1 && first_failure.empty()) first_failure = o.out;
  }
  // The stable nights: no alarm. Nights 1-3 have too little history for a
  // shift, nights 1-20 too little for the CUSUM (the check says so and passes).
  for (int night = 1; night < kDriftFrom; ++night) EXPECT_EQ(exits[night - 1], 0) << "false alarm on night " << night;
  // The drift is caught before the sequence ends, and the failure names the night it began.
  auto caught = std::find(exits.begin(), exits.end(), 1);
  ASSERT_NE(caught, exits.end()) << "the drift was never caught";
  const int night_caught = static_cast<int>(caught - exits.begin()) + 1;
  std::set<int> named;
  for (int night = 1; night <= kNights; ++night)
    if (first_failure.find("began at sweep " + ids[night - 1]) != std::string::npos ||
        first_failure.find("began at or before sweep " + ids[night - 1]) != std::string::npos)
      named.insert(night);
  bool shifted = first_failure.find("outside the range the last 10 accepted sweeps predict") != std::string::npos;
  EXPECT_TRUE(!named.empty() || shifted) << first_failure;
  for (int night : named) {
    EXPECT_GE(night, kDriftFrom - 3) << first_failure;
    EXPECT_LE(night, night_caught) << first_failure;
  }
  const bool at_or_before = first_failure.find("began at or before sweep") != std::string::npos;
  std::printf("drift from night %d caught on night %d; began %s night %s\n", kDriftFrom, night_caught,
              at_or_before ? "at or before" : "at",
              named.empty() ? "(shift rule)" : std::to_string(*named.begin()).c_str());
  // Once caught, the nights after stay caught: failing nights never become the reference.
  for (int night = night_caught; night <= kNights; ++night) EXPECT_EQ(exits[night - 1], 1) << "night " << night;

  // Every night is in the store, in order, with its verdict.
  auto opened = seedgate::history::open_store(url, m_dir);
  ASSERT_TRUE(opened) << opened.error();
  auto listed = (*opened)->list({.branch = "nightly"});
  ASSERT_TRUE(listed) << listed.error();
  ASSERT_EQ(listed->size(), static_cast<std::size_t>(kNights));
  for (int night = 1; night <= kNights; ++night) {
    EXPECT_EQ((*listed)[night - 1].id, ids[night - 1]);
    EXPECT_EQ((*listed)[night - 1].verdict, exits[night - 1] == 0 ? "pass" : "fail");
    EXPECT_EQ((*listed)[night - 1].runs, 10u);
  }
  // The last night's results carry the trend the reports draw: the 30 nights, the last one current.
  nlohmann::json last = results(fmt::format("night-{}/results.json", kNights));
  ASSERT_EQ(last["trend"].size(), 1u) << last["trend"].dump();
  EXPECT_EQ(last["trend"][0]["points"].size(), static_cast<std::size_t>(kNights));
  EXPECT_TRUE(last["trend"][0]["points"].back()["current"].get<bool>());
  // `seedgate history trend` shows the 30 nights from the same store, oldest first.
  Outcome trend =
      seedgate({"history", "trend", "--store", url, "--metric", "accuracy", "--branch", "nightly", "--last", "30"});
  ASSERT_EQ(trend.exit_code, 0) << trend.out << trend.err;
  std::size_t previous = 0;
  for (int night = 1; night <= kNights; ++night) {
    std::size_t at = trend.out.find(ids[night - 1]);
    ASSERT_NE(at, std::string::npos) << "night " << night << " missing\n" << trend.out;
    EXPECT_GT(at, previous) << "night " << night << " out of order";
    previous = at;
  }
  EXPECT_NE(trend.out.find("accuracy (mode=deterministic, device=cpu): "), std::string::npos) << trend.out;
  // `check` judges the stored results again against the same history, and does not append them twice.
  Outcome again = seedgate({"check", fmt::format("night-{}/results.json", kNights)});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.out.find("not appended again"), std::string::npos) << again.out;
  EXPECT_EQ((*opened)->list({.branch = "nightly"})->size(), static_cast<std::size_t>(kNights));
}

TEST_P(HistoryTest, EightSweepsAppendedAtOnceAllArrive) {
  std::string url = store("concurrent");
  if (url.empty()) GTEST_SKIP() << s_server->skip_reason();
  write_night(1, 0,
              fmt::format("[history]\nstore = \"{}\"\nbranch = \"main\"\n\n", url) +
                  "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  std::vector<pid_t> pids;
  for (int i = 0; i < 8; ++i) pids.push_back(spawn({"run", "--out", fmt::format("sweep-{}", i), "-j", "1"}));
  for (pid_t pid : pids) EXPECT_EQ(finish(pid).exit_code, 0);
  auto opened = seedgate::history::open_store(url, m_dir);
  ASSERT_TRUE(opened) << opened.error();
  auto listed = (*opened)->list({.branch = "main"});
  ASSERT_TRUE(listed) << listed.error();
  std::set<std::string> stored, written;
  for (const auto& s : *listed) stored.insert(s.id);
  for (int i = 0; i < 8; ++i) written.insert(results(fmt::format("sweep-{}/results.json", i))["sweep"]["id"]);
  EXPECT_EQ(stored.size(), 8u);
  EXPECT_EQ(stored, written);
}

// What needs no server: a drift check with no store at all, a file that is not a database.
class HistoryWithoutServerTest : public HistoryTest {
 public:
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {}
};

TEST_F(HistoryWithoutServerTest, ADriftCheckWithoutAHistoryCannotBeJudged) {
  write_night(1, 0, kDriftCheck);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.out.find("a drift check needs a history of earlier sweeps"), std::string::npos) << o.out;
}

TEST_F(HistoryWithoutServerTest, AStoreThatIsNotADatabaseIsReportedAndLeftAlone) {
  std::ofstream(m_dir / "notes.db") << "these are someone's notes, not a database\n";
  write_night(1, 0, "[history]\nstore = \"sqlite:notes.db\"\n\n" + kDriftCheck);
  Outcome o = seedgate({"run"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.err.find("notes.db"), std::string::npos) << o.err;
  EXPECT_NE(o.out.find("the history of earlier sweeps could not be read: history store sqlite:"), std::string::npos)
      << o.out;
  EXPECT_EQ(*util::read_file(m_dir / "notes.db"), "these are someone's notes, not a database\n");
  // The sweep's results are still written.
  EXPECT_TRUE(fs::exists(m_dir / ".seedgate/results.json"));
}

// Results without a sweep id (written before sweeps had one, or shards
// merged by `check`) get an id from their bytes: checking them twice appends
// them once. Where no one can tell the branch, it is "unknown", not every branch.
TEST_F(HistoryWithoutServerTest, ResultsWithoutAnIdAreAppendedOnce) {
  write_night(1, 0, "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  ASSERT_EQ(seedgate({"run", "--out", "plain"}).exit_code, 0);
  nlohmann::json plain = results("plain/results.json");
  plain.erase("sweep");
  std::ofstream(m_dir / "old.json") << plain.dump();
  const std::string url = "sqlite:" + (m_dir / "h.db").string();
  Outcome first = seedgate({"check", "old.json", "--history", url});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("history: sweep imported-"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("(branch unknown)"), std::string::npos) << first.out;
  Outcome second = seedgate({"check", "old.json", "--history", url});
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("not appended again"), std::string::npos) << second.out;
  // `history import` of the same file finds it stored too.
  Outcome imported = seedgate({"history", "import", "old.json", "--store", url});
  EXPECT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("already stored"), std::string::npos) << imported.out;
}

// Two `check`s of the same results at once: one appends, the other finds it stored; neither fails.
TEST_P(HistoryTest, TwoChecksOfTheSameResultsAtOnceStoreItOnce) {
  std::string url = store("twice");
  if (url.empty()) GTEST_SKIP() << s_server->skip_reason();
  write_night(1, 0, "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  ASSERT_EQ(seedgate({"run", "--out", "plain"}).exit_code, 0);
  for (int round = 0; round < 5; ++round) {
    nlohmann::json r = results("plain/results.json");
    r["sweep"]["id"] = fmt::format("round-{}", round);
    std::ofstream(m_dir / "same.json") << r.dump();
    std::vector<pid_t> pids;
    for (int i = 0; i < 4; ++i) pids.push_back(spawn({"check", "same.json", "--history", url}));
    for (pid_t pid : pids) EXPECT_EQ(finish(pid).exit_code, 0) << "round " << round;
  }
  auto opened = seedgate::history::open_store(url, m_dir);
  ASSERT_TRUE(opened) << opened.error();
  EXPECT_EQ((*opened)->list({})->size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Stores, HistoryTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::sqlite ? std::string("sqlite") : std::string("postgres");
                         });

}  // namespace
