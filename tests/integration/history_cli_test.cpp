// `seedgate history` end to end: sweeps of the fake trainer appended to a
// SQLite history with --history, then listed, trended, exported as CSV,
// pruned and backfilled from results files by the real binary.
#include <sys/stat.h>

#include <map>
#include <sstream>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

constexpr const char* kCheck = "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n";
constexpr const char* kSweep = "seeds = 4\nrepeats = 2\njobs = 2\n";
constexpr const char* kStore = "sqlite:history.db";

class HistoryCliTest : public CliTest {
 protected:
  // One sweep of Normal(0.9, 0.01) + shift appended to the history; its
  // results are kept as results-N.json. False (and a test failure) when the run failed.
  bool sweep(int n, double shift) {
    write_policy(fmt::format("\"normal\", \"0.9\", \"0.01\", \"{}\"", shift), kCheck, "", kSweep);
    Outcome o = seedgate({"run", "--out", fmt::format("out{}", n), "--history", kStore});
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_NE(o.out.find("appended to sqlite:"), std::string::npos) << o.out;
    std::error_code ec;
    fs::copy_file(m_dir / fmt::format("out{}", n) / "results.json", m_dir / fmt::format("results-{}.json", n),
                  fs::copy_options::overwrite_existing, ec);
    return o.exit_code == 0 && !ec;
  }

  // The mean over seeds of each seed's mean accuracy over its repeats, as the trend computes it.
  double mean_accuracy(const std::string& file) {
    std::map<std::int64_t, std::pair<double, int>> seeds;
    nlohmann::json sweep = results(file);
    for (const nlohmann::json& run : sweep["runs"]) {
      if (run["status"] != "passed") continue;
      auto& [sum, count] = seeds[run["seed"].get<std::int64_t>()];
      sum += run["metrics"]["accuracy"].get<double>();
      ++count;
    }
    double mean = 0;
    for (const auto& [seed, sc] : seeds) mean += sc.first / sc.second / static_cast<double>(seeds.size());
    return mean;
  }

  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  // The line of `text` that holds `needle`; empty (and a test failure) when none does.
  static std::string line_with(const std::string& text, const std::string& needle) {
    for (const std::string& line : lines(text))
      if (line.find(needle) != std::string::npos) return line;
    ADD_FAILURE() << "no line with " << needle << " in:\n" << text;
    return "";
  }

  // RFC 4180 CSV: rows of fields (quoted fields may hold commas, quotes and newlines).
  static std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.push_back(std::move(field));
        field.clear();
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        row.push_back(std::move(field));
        field.clear();
        rows.push_back(std::move(row));
        row.clear();
      } else {
        field += c;
      }
    }
    if (!field.empty() || !row.empty()) {
      row.push_back(std::move(field));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::string sweep_id(const std::string& file) { return results(file)["sweep"]["id"].get<std::string>(); }
};

// Hostile and misconfigured input first.

// The history keeps each run's wall time: a sweep into a fresh folder, with
// no baseline, still starts the runs the last sweep found longest first.
TEST_F(HistoryCliTest, RunTimesInTheHistoryOrderTheNextSweepLongestFirst) {
  write_script_policy(R"sh(#!/bin/sh
echo "$SEEDGATE_SEED" >> starts.log
sleep "$(awk -v s="$SEEDGATE_SEED" 'BEGIN { print s * 0.04 }')"
)sh",
                      6, 1, "sleeper");
  Outcome first = seedgate({"run", "--out", "out1", "--history", kStore});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(*util::read_file(m_dir / "starts.log"), "0\n1\n2\n3\n4\n5\n");  // nothing known: plan order
  fs::remove(m_dir / "starts.log");
  Outcome second = seedgate({"run", "--out", "out2", "--history", kStore});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(*util::read_file(m_dir / "starts.log"), "5\n4\n3\n2\n1\n0\n");
}

TEST_F(HistoryCliTest, WithoutAStoreEachCommandSaysHowToNameOne) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"history", "list"},
                                               {"history", "trend", "--metric", "accuracy"},
                                               {"history", "export"},
                                               {"history", "prune", "--keep", "90d"}}) {
    Outcome o = seedgate(args);
    EXPECT_EQ(o.exit_code, 2) << args[1] << ": " << o.out << o.err;
    EXPECT_NE(o.err.find("no history store: pass --store URL or set [history] store in seedgate.toml"),
              std::string::npos)
        << o.err;
  }
  // A policy without [history] says the same about itself.
  write_policy("\"normal\", \"0.9\", \"0.01\"", kCheck, "", kSweep);
  Outcome o = seedgate({"history", "list"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("no history store: pass --store URL or set [history] store in seedgate.toml"), std::string::npos)
      << o.err;
}

TEST_F(HistoryCliTest, AStoreUrlWithAPasswordIsRefused) {
  Outcome o = seedgate({"history", "list", "--store", "postgresql://alice:hunter2@db.example/seedgate"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("holds a password"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("hunter2"), std::string::npos) << o.err;
  Outcome other = seedgate({"history", "list", "--store", "mysql://db/seedgate"});
  EXPECT_EQ(other.exit_code, 2) << other.out << other.err;
  EXPECT_NE(other.err.find("must start with \"sqlite:\" or \"postgresql://\""), std::string::npos) << other.err;
}

TEST_F(HistoryCliTest, AMissingOrDamagedStoreIsUnreadableAndLeftAlone) {
  Outcome missing = seedgate({"history", "list", "--store", "sqlite:nothing-here.db"});
  EXPECT_EQ(missing.exit_code, 3) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("nothing-here.db"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(m_dir / "nothing-here.db"));  // not created by looking
  std::ofstream(m_dir / "damaged.db") << "this is not a database, it is a text file of some length";
  Outcome damaged = seedgate({"history", "list", "--store", "sqlite:damaged.db"});
  EXPECT_EQ(damaged.exit_code, 3) << damaged.out << damaged.err;
  EXPECT_EQ(*util::read_file(m_dir / "damaged.db"), "this is not a database, it is a text file of some length");
}

TEST_F(HistoryCliTest, BadTimesAndAgesAreUsageErrors) {
  ASSERT_TRUE(sweep(1, 0));
  for (const char* when : {"yesterday", "2026-13-01", "2026-11-01T25:00:00Z", "30x", "-3d", "d", "2026-11-01T12"}) {
    Outcome o = seedgate({"history", "list", "--store", kStore, "--since", when});
    EXPECT_EQ(o.exit_code, 2) << when << ": " << o.out << o.err;
    EXPECT_NE(o.err.find(fmt::format("--since: expected"), 0), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(when), std::string::npos) << o.err;
  }
  for (const char* age : {"90", "2026-11-01", "ninety days", "0.5d"}) {
    Outcome o = seedgate({"history", "prune", "--store", kStore, "--keep", age});
    EXPECT_EQ(o.exit_code, 2) << age << ": " << o.out << o.err;
    EXPECT_NE(o.err.find("--keep: expected an age"), std::string::npos) << o.err;
  }
  Outcome listed = seedgate({"history", "list", "--store", kStore});
  EXPECT_EQ(lines(listed.out).size(), 2U) << listed.out;  // header and the one sweep: nothing pruned
}

TEST_F(HistoryCliTest, ImportingGarbageNamesTheFileImportsTheOthersAndExits3) {
  ASSERT_TRUE(sweep(1, 0));
  fs::remove(m_dir / "history.db");
  std::ofstream(m_dir / "garbage.json") << "{\"schema_version\": 1, \"runs\": [tru";
  Outcome o = seedgate({"history", "import", "garbage.json", "results-1.json", "--store", kStore});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.err.find("garbage.json"), std::string::npos) << o.err;
  EXPECT_NE(o.out.find("results-1.json: sweep " + sweep_id("results-1.json") + " imported"), std::string::npos)
      << o.out;
  Outcome listed = seedgate({"history", "list", "--store", kStore});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(sweep_id("results-1.json")), std::string::npos) << listed.out;
}

TEST_F(HistoryCliTest, TrendOfAMetricNoRunHasListsTheStoredMetrics) {
  ASSERT_TRUE(sweep(1, 0));
  Outcome o = seedgate({"history", "trend", "--store", kStore, "--metric", "accuray"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("no stored run has metric 'accuray' (stored metrics: accuracy)"), std::string::npos) << o.err;
  // Without --metric and without a policy to say which metrics are judged.
  fs::remove(m_dir / "seedgate.toml");
  Outcome bare = seedgate({"history", "trend", "--store", kStore});
  EXPECT_EQ(bare.exit_code, 2) << bare.out << bare.err;
  EXPECT_NE(bare.err.find("pass --metric (stored metrics: accuracy)"), std::string::npos) << bare.err;
  Outcome group = seedgate({"history", "trend", "--store", kStore, "--metric", "accuracy", "--group", "gpu"});
  EXPECT_EQ(group.exit_code, 2) << group.out << group.err;
  EXPECT_NE(group.err.find("no group 'gpu'"), std::string::npos) << group.err;
}

// What works.

TEST_F(HistoryCliTest, ThreeSweepsAreListedTrendedAndExported) {
  ASSERT_TRUE(sweep(1, 0));
  ASSERT_TRUE(sweep(2, 0.01));
  ASSERT_TRUE(sweep(3, -0.02));
  std::vector<std::string> ids = {sweep_id("results-1.json"), sweep_id("results-2.json"), sweep_id("results-3.json")};

  Outcome listed = seedgate({"history", "list", "--store", kStore});
  ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  std::vector<std::string> rows = lines(listed.out);
  ASSERT_EQ(rows.size(), 4U) << listed.out;
  EXPECT_TRUE(rows[0].starts_with("id")) << rows[0];
  EXPECT_NE(rows[0].find("started"), std::string::npos);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(rows[i + 1].starts_with(ids[i])) << listed.out;  // oldest first
    EXPECT_NE(rows[i + 1].find("pass"), std::string::npos) << rows[i + 1];
    EXPECT_TRUE(rows[i + 1].ends_with(" 8")) << rows[i + 1];  // 4 seeds x 2 repeats
  }
  Outcome last = seedgate({"history", "list", "--store", kStore, "--last", "2"});
  EXPECT_EQ(lines(last.out).size(), 3U) << last.out;
  EXPECT_EQ(last.out.find(ids[0]), std::string::npos) << last.out;
  Outcome recent = seedgate({"history", "list", "--store", kStore, "--since", "1h"});
  EXPECT_EQ(lines(recent.out).size(), 4U) << recent.out;
  Outcome future = seedgate({"history", "list", "--store", kStore, "--since", "2999-01-01"});
  EXPECT_EQ(future.exit_code, 0) << future.err;
  EXPECT_NE(future.out.find("no sweeps"), std::string::npos) << future.out;
  Outcome other = seedgate({"history", "list", "--store", kStore, "--branch", "no-such-branch"});
  EXPECT_NE(other.out.find("no sweeps"), std::string::npos) << other.out;

  Outcome trend = seedgate({"history", "trend", "--store", kStore, "--metric", "accuracy"});
  ASSERT_EQ(trend.exit_code, 0) << trend.out << trend.err;
  for (std::size_t i = 0; i < 3; ++i) {
    std::string row = line_with(trend.out, ids[i]);
    double mean = mean_accuracy(fmt::format("results-{}.json", i + 1));
    EXPECT_NE(row.find(fmt::format(" {:.6g} ", mean)), std::string::npos) << mean << " in " << row;
    EXPECT_NE(row.find("●"), std::string::npos) << row;
    EXPECT_NE(row.find("pass"), std::string::npos) << row;
  }
  // Means m, m + 0.01, m - 0.02 (the same seeds, shifted): levels round(0.02 / 0.03 * 7) = 5, 7 and 0.
  std::string spark = line_with(trend.out, "▁");
  EXPECT_NE(spark.find("▆█▁"), std::string::npos) << trend.out;
  // The policy's judged metric is the default.
  Outcome judged = seedgate({"history", "trend", "--store", kStore});
  EXPECT_EQ(judged.exit_code, 0) << judged.err;
  EXPECT_EQ(judged.out, trend.out);

  Outcome exported = seedgate({"history", "export", "--store", kStore});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto csv = parse_csv(exported.out);
  ASSERT_EQ(csv.size(), 1U + 3 * 8) << exported.out;  // a header, 3 sweeps x 8 runs x 1 metric
  EXPECT_EQ(csv[0], (std::vector<std::string>{"sweep", "started", "branch", "commit", "subject", "verdict", "seed",
                                              "repeat", "mode", "device", "threads", "variant", "source", "fold",
                                              "status", "metric", "value"}));
  double sum = 0;
  for (std::size_t i = 1; i < csv.size(); ++i) {
    ASSERT_EQ(csv[i].size(), 17U) << i;
    EXPECT_EQ(csv[i][0], ids[(i - 1) / 8]);
    EXPECT_EQ(csv[i][15], "accuracy");
    if (i <= 8) sum += std::stod(csv[i][16]);
  }
  double first = 0;
  nlohmann::json sweep1 = results("results-1.json");
  for (const nlohmann::json& run : sweep1["runs"]) first += run["metrics"]["accuracy"].get<double>();
  EXPECT_NEAR(sum, first, 1e-12);
  // To a file, with the list's filters.
  Outcome to_file = seedgate({"history", "export", "--store", kStore, "-o", "last.csv", "--last", "1"});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  auto last_csv = parse_csv(*util::read_file(m_dir / "last.csv"));
  ASSERT_EQ(last_csv.size(), 9U);
  EXPECT_EQ(last_csv[1][0], ids[2]);

  // Pruning with an age that keeps them all deletes nothing; a zero age deletes all.
  Outcome keep = seedgate({"history", "prune", "--store", kStore, "--keep", "90d"});
  EXPECT_EQ(keep.exit_code, 0) << keep.err;
  EXPECT_NE(keep.out.find("pruned 0 sweeps"), std::string::npos) << keep.out;
  EXPECT_EQ(lines(seedgate({"history", "list", "--store", kStore}).out).size(), 4U);
  Outcome all = seedgate({"history", "prune", "--store", kStore, "--keep", "0m"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("pruned 3 sweeps"), std::string::npos) << all.out;
  EXPECT_NE(seedgate({"history", "list", "--store", kStore}).out.find("no sweeps"), std::string::npos);
}

TEST_F(HistoryCliTest, ImportBackfillsOnceAndAnOldFileIsPrunedByAge) {
  ASSERT_TRUE(sweep(1, 0));
  ASSERT_TRUE(sweep(2, 0.01));
  fs::remove(m_dir / "history.db");
  // An old results file, as written before sweeps had ids: no id, no time, no commit or branch.
  nlohmann::json old = results("results-1.json");
  old.erase("sweep");
  std::ofstream(m_dir / "old.json") << old.dump();
  ASSERT_EQ(std::system(fmt::format("touch -d '2020-03-04 05:06:07 UTC' '{}'", (m_dir / "old.json").string()).c_str()),
            0);

  Outcome first = seedgate({"history", "import", "old.json", "results-2.json", "--branch", "main", "--store", kStore});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("results-2.json: sweep " + sweep_id("results-2.json") + " imported"), std::string::npos)
      << first.out;
  Outcome listed = seedgate({"history", "list", "--store", kStore});
  std::vector<std::string> rows = lines(listed.out);
  ASSERT_EQ(rows.size(), 3U) << listed.out;
  // The old file comes first, at its modification time, on the branch given.
  EXPECT_NE(rows[1].find("2020-03-04T05:06:07.000000Z"), std::string::npos) << rows[1];
  EXPECT_NE(rows[1].find("main"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(sweep_id("results-2.json")), std::string::npos) << rows[2];
  std::string old_id = rows[1].substr(0, rows[1].find(' '));

  // Importing again stores nothing twice, and the derived id is the same.
  Outcome second = seedgate({"history", "import", "old.json", "results-2.json", "--store", kStore});
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("old.json: sweep " + old_id + " already stored"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("results-2.json: sweep " + sweep_id("results-2.json") + " already stored"),
            std::string::npos)
      << second.out;
  EXPECT_EQ(lines(seedgate({"history", "list", "--store", kStore}).out).size(), 3U);

  Outcome pruned = seedgate({"history", "prune", "--store", kStore, "--keep", "30d"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("pruned 1 sweep "), std::string::npos) << pruned.out;
  Outcome after = seedgate({"history", "list", "--store", kStore});
  ASSERT_EQ(lines(after.out).size(), 2U) << after.out;
  EXPECT_EQ(after.out.find(old_id), std::string::npos) << after.out;
}

TEST_F(HistoryCliTest, ThePolicysStoreIsTheDefault) {
  write_policy("\"normal\", \"0.9\", \"0.01\"", std::string(kCheck) + "\n[history]\nstore = \"sqlite:hist/h.db\"\n", "",
               kSweep);
  Outcome run = seedgate({"run", "--out", "out"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::string id = results("out/results.json")["sweep"]["id"].get<std::string>();
  Outcome listed = seedgate({"history", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  // From another folder, the policy's store is still relative to the policy.
  fs::create_directories(m_dir / "elsewhere");
  fs::rename(m_dir / "seedgate.toml", m_dir / "elsewhere" / "seedgate.toml");
  fs::rename(m_dir / "hist", m_dir / "elsewhere" / "hist");
  Outcome moved = seedgate({"history", "list", "-p", "elsewhere/seedgate.toml"});
  EXPECT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(moved.out.find(id), std::string::npos) << moved.out;
}

TEST_F(HistoryCliTest, ExportQuotesFieldsAndLeavesNaNEmpty) {
  // A program whose branch name needs quoting and whose loss is NaN.
  std::ofstream(m_dir / "train.sh") << "printf '{\"accuracy\": 0.9, \"loss\": NaN}\\n' >> \"$SEEDGATE_METRICS\"\n";
  std::ofstream(m_dir / "seedgate.toml")
      << "version = 1\n[subject]\nname = \"a \\\"quoted\\\", subject\"\ncommand = [\"/bin/sh\", \"train.sh\"]\n"
         "[sweep]\nseeds = 2\n[metrics.accuracy]\ngoal = \"max\"\n[metrics.loss]\ngoal = \"min\"\n"
         "required = false\n\n"
      << kCheck << "[history]\nstore = \"sqlite:h.db\"\nbranch = \"feature,x\"\n";
  Outcome run = seedgate({"run", "--out", "out"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  Outcome exported = seedgate({"history", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto csv = parse_csv(exported.out);
  ASSERT_GE(csv.size(), 3U) << exported.out;
  EXPECT_NE(exported.out.find("\"feature,x\""), std::string::npos) << exported.out;
  EXPECT_NE(exported.out.find("\"a \"\"quoted\"\", subject\""), std::string::npos) << exported.out;
  for (std::size_t i = 1; i < csv.size(); ++i) {
    ASSERT_EQ(csv[i].size(), 17U) << exported.out;
    EXPECT_EQ(csv[i][2], "feature,x");
    EXPECT_EQ(csv[i][4], "a \"quoted\", subject");
    if (csv[i][15] == "loss") {
      EXPECT_EQ(csv[i][16], "") << exported.out;
    }
  }
}

TEST_F(HistoryCliTest, EachSubcommandsHelpNamesItsOptions) {
  for (const auto& [sub, options] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"list", {"--store", "--policy", "--branch", "--subject", "--since", "--last"}},
           {"trend", {"--store", "--metric", "--branch", "--last", "--group"}},
           {"export", {"--store", "--format", "--output", "--branch", "--since", "--last"}},
           {"prune", {"--store", "--keep"}},
           {"import", {"--store", "RESULTS", "--branch"}}}) {
    Outcome o = seedgate({"history", sub, "--help"});
    EXPECT_EQ(o.exit_code, 0) << sub << o.err;
    for (const std::string& option : options) EXPECT_NE(o.out.find(option), std::string::npos) << sub << ": " << option;
  }
}

}  // namespace
