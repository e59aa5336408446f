#include "harness/journal.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

namespace fs = std::filesystem;

RunRecord record(std::int64_t seed, RunStatus status = RunStatus::passed) {
  RunRecord r;
  r.run = {fmt::format("s{}-default-cpu-r0", seed), seed, "default", "cpu", 0, 0};
  r.status = status;
  r.machine = "host";
  r.process.wall_seconds = 0.25 * static_cast<double>(seed + 1);
  r.report.metrics["accuracy"] = 0.9 + 0.01 * static_cast<double>(seed);
  r.report.series["loss"] = {{0, 1.0}, {1, 0.5}};
  return r;
}

// The journal's runs by id, the later record of a run winning, as --resume takes them.
std::map<std::string, RunRecord> by_id(std::vector<RunRecord> runs) {
  std::map<std::string, RunRecord> out;
  for (RunRecord& r : runs) {
    std::string id = r.run.id;
    out.insert_or_assign(std::move(id), std::move(r));
  }
  return out;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / fmt::format("seedgate-journal-{}-{}", ::getpid(),
                                                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_path = m_dir / "runs.journal";
  }
  void TearDown() override { fs::remove_all(m_dir); }

  void write_runs(std::initializer_list<std::int64_t> seeds, bool keep = false) {
    std::optional<JournalContents> kept;
    if (keep) {
      auto contents = read_journal(m_path, "xxh3:policy");
      ASSERT_TRUE(contents) << contents.error();
      kept = std::move(*contents);
    }
    auto journal = RunJournal::open(m_path, "xxh3:policy", kept ? &*kept : nullptr);
    ASSERT_TRUE(journal) << journal.error();
    for (std::int64_t seed : seeds) ASSERT_TRUE(journal->append(record(seed)));
    ASSERT_TRUE(journal->sync());
  }
  void append_bytes(const std::string& bytes) { std::ofstream(m_path, std::ios::app | std::ios::binary) << bytes; }

  fs::path m_dir, m_path;
};

TEST_F(JournalTest, RecordsReadBackWhole) {
  write_runs({0, 1, 2});
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents) << contents.error();
  ASSERT_EQ(contents->runs.size(), 3u);
  const RunRecord back = by_id(contents->runs).at("s2-default-cpu-r0");
  EXPECT_EQ(back.run.seed, 2);
  EXPECT_EQ(back.machine, "host");
  EXPECT_DOUBLE_EQ(back.process.wall_seconds, 0.75);
  EXPECT_DOUBLE_EQ(back.report.metrics.at("accuracy"), 0.92);
  EXPECT_EQ(back.report.series.at("loss").size(), 2u);
  EXPECT_EQ(contents->torn, 0u);
  EXPECT_EQ(contents->unreadable, 0u);
}

TEST_F(JournalTest, AMissingFileIsAnEmptyJournal) {
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  EXPECT_TRUE(contents->runs.empty());
  EXPECT_FALSE(contents->other_policy);
}

TEST_F(JournalTest, AnotherPolicysJournalReusesNothingAndIsStartedAfresh) {
  write_runs({0, 1});
  auto contents = read_journal(m_path, "xxh3:other");
  ASSERT_TRUE(contents);
  EXPECT_TRUE(contents->runs.empty());
  EXPECT_TRUE(contents->other_policy);
  // Kept open for another policy, it starts again with that policy's header.
  {
    auto journal = RunJournal::open(m_path, "xxh3:other", &*contents);
    ASSERT_TRUE(journal);
    ASSERT_TRUE(journal->append(record(5)));
  }
  auto reread = read_journal(m_path, "xxh3:other");
  ASSERT_TRUE(reread);
  ASSERT_EQ(reread->runs.size(), 1u);
  EXPECT_EQ(reread->runs.front().run.id, "s5-default-cpu-r0");
}

TEST_F(JournalTest, ATornLastLineIsIgnoredAndCutOffBeforeAppending) {
  write_runs({0, 1});
  std::string whole = *util::read_file(m_path);
  // A crash in the middle of a write: half of a third record, no newline.
  std::string third = to_compact_json(record(2)).dump();
  append_bytes(third.substr(0, third.size() / 2));
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->runs.size(), 2u);
  EXPECT_EQ(contents->torn, 1u);
  write_runs({3}, true);
  std::string after = *util::read_file(m_path);
  EXPECT_EQ(after.substr(0, whole.size()), whole);
  EXPECT_EQ(after.substr(whole.size()), to_compact_json(record(3)).dump() + "\n");
  auto reread = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(reread);
  EXPECT_EQ(reread->runs.size(), 3u);
  EXPECT_EQ(reread->torn, 0u);
}

TEST_F(JournalTest, UnreadableLinesAreCountedAndTheRestKept) {
  write_runs({0});
  append_bytes("{\"id\": \"s9\", not json\n");
  append_bytes("[1, 2, 3]\n");
  append_bytes(std::string(300, '[') + "\n");  // deeper than any record may nest
  write_runs({1}, true);
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->runs.size(), 2u);
  EXPECT_EQ(contents->unreadable, 3u);
}

TEST_F(JournalTest, ALineLongerThanTheCapIsSkippedNotHeld) {
  write_runs({0});
  append_bytes(std::string(kMaxJournalLineBytes + 10, 'x') + "\n");
  write_runs({1}, true);
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->runs.size(), 2u);
  EXPECT_EQ(contents->unreadable, 1u);
}

TEST_F(JournalTest, InterruptedRunsAreNotReusedAndALaterRecordWins) {
  {
    auto journal = RunJournal::open(m_path, "xxh3:policy");
    ASSERT_TRUE(journal);
    ASSERT_TRUE(journal->append(record(0, RunStatus::interrupted)));
    ASSERT_TRUE(journal->append(record(1, RunStatus::failed)));
    RunRecord again = record(1);
    again.process.wall_seconds = 9;
    ASSERT_TRUE(journal->append(again));
  }
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  auto runs = by_id(contents->runs);
  EXPECT_FALSE(runs.count("s0-default-cpu-r0"));
  ASSERT_TRUE(runs.count("s1-default-cpu-r0"));
  EXPECT_EQ(runs.at("s1-default-cpu-r0").status, RunStatus::passed);
  EXPECT_DOUBLE_EQ(runs.at("s1-default-cpu-r0").process.wall_seconds, 9);
}

TEST_F(JournalTest, OpeningWithoutKeepStartsEmpty) {
  write_runs({0, 1, 2});
  write_runs({7}, false);
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  ASSERT_EQ(contents->runs.size(), 1u);
  EXPECT_EQ(contents->runs.front().run.id, "s7-default-cpu-r0");
}

TEST_F(JournalTest, AFolderThatCannotHoldTheJournalIsAnError) {
  auto journal = RunJournal::open(m_dir / "missing" / "runs.journal", "xxh3:policy");
  ASSERT_FALSE(journal);
  EXPECT_NE(journal.error().find("cannot write"), std::string::npos) << journal.error();
}

TEST_F(JournalTest, ManyRecordsFromASyncLoopAllReachTheFile) {
  // The committing thread syncs while records keep coming: none is lost or interleaved.
  {
    auto journal = RunJournal::open(m_path, "xxh3:policy");
    ASSERT_TRUE(journal);
    for (std::int64_t seed = 0; seed < 2000; ++seed) ASSERT_TRUE(journal->append(record(seed)));
  }
  auto contents = read_journal(m_path, "xxh3:policy");
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->runs.size(), 2000u);
  EXPECT_EQ(contents->unreadable + contents->torn, 0u);
}

}  // namespace
}  // namespace seedgate
