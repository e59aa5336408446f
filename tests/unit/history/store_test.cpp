// Every behaviour of the history stores, on SQLite (a file in a temporary
// folder) and on PostgreSQL (a throwaway server, skipped where Debian's
// postgresql-15 binaries are absent).
#include "history/store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "history/schema.hpp"
#include "tests/unit/history/postgres_server.hpp"
#include "util/strings.hpp"

namespace seedgate::history {
namespace {

namespace fs = std::filesystem;

SweepRecord make_sweep(const std::string& id, const std::string& started, const std::string& branch = "main",
                       const std::string& subject = "digits", int runs = 3) {
  SweepRecord sweep{.id = id,
                    .started = started,
                    .commit = "c0ffee",
                    .branch = branch,
                    .subject = subject,
                    .policy_digest = "d1",
                    .fingerprint = "{}",
                    .verdict = "pass"};
  for (int i = 0; i < runs; ++i) {
    sweep.runs.push_back({.seed = i,
                          .mode = "deterministic",
                          .device = "cpu",
                          .threads = 1,
                          .status = "passed",
                          .metrics = {{"accuracy", 0.9 + 0.01 * i}, {"loss", 0.3 - 0.01 * i}},
                          .wall_seconds = 1.5 + i});
  }
  return sweep;
}

std::string number(double value) {
  return util::format_number(value);
}
std::string number(const std::optional<double>& value) {
  return value ? number(*value) : "none";
}

// Every field, one per line, NaN as "nan": equal texts are equal records.
std::string text_of(const SweepRecord& s) {
  std::string out = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}\n", s.id, s.started, s.commit, s.branch, s.subject,
                                s.policy_digest, s.fingerprint, s.verdict);
  for (const RunRow& r : s.runs) {
    out += fmt::format("run {} {} {} {} {} {} {} {} {} {}s:", r.seed, r.repeat, r.mode, r.device, r.threads, r.variant,
                       r.source, r.fold, r.status, number(r.wall_seconds));
    for (const auto& [name, value] : r.metrics) out += " " + name + "=" + number(value);
    out += "\n";
  }
  for (const CheckRow& c : s.checks)
    out += fmt::format("check {}|{}|{}|{}|{}\n", c.name, c.kind, c.metric, c.verdict, c.messages);
  for (const StatisticRow& t : s.statistics) {
    out += fmt::format("statistic {}|{}|{}|{}|{}|{}|{}|{}|{}\n", t.check, t.group, t.name, number(t.value), t.bound_key,
                       number(t.bound), number(t.lower), number(t.upper), t.verdict);
  }
  return out;
}

std::vector<std::string> ids_of(const std::vector<SweepSummary>& sweeps) {
  std::vector<std::string> ids;
  ids.reserve(sweeps.size());
  for (const SweepSummary& sweep : sweeps) ids.push_back(sweep.id);
  return ids;
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "seedgate-history-XXXXXX").string();
  EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
  return pattern;
}

// Runs SQL on a SQLite file, as another program would.
bool sqlite_sql(const fs::path& path, const std::string& statement) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

// A store kind for the typed tests: a fresh store (`target`: a file or a
// database name) per test, its URL, and SQL run on it from outside.
struct Sqlite {
  static void set_up() {}
  static void tear_down() {}
  static std::string skip_reason() { return {}; }
  static std::string error() { return {}; }
  static std::string fresh(const fs::path& dir) {
    fs::create_directories(dir / "store");
    return (dir / "store" / "history.db").string();
  }
  static std::string url(const std::string& target) { return "sqlite:" + target; }
  static bool sql(const std::string& target, const std::string& statement) { return sqlite_sql(target, statement); }
};

struct Postgres {
  static inline std::unique_ptr<testing::PostgresServer> server;
  static inline int databases = 0;
  static void set_up() {
    server = std::make_unique<testing::PostgresServer>();
    server->start();
  }
  static void tear_down() { server.reset(); }
  static std::string skip_reason() { return server->skip_reason(); }
  static std::string error() { return server->error(); }
  static std::string fresh(const fs::path&) {
    std::string name = fmt::format("history_{}", ++databases);
    EXPECT_TRUE(server->create_database(name)) << server->log();
    return name;
  }
  static std::string url(const std::string& target) { return server->url(target); }
  static bool sql(const std::string& target, const std::string& statement) { return server->sql(target, statement); }
};

template <typename Kind>
class StoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Kind::set_up(); }
  static void TearDownTestSuite() { Kind::tear_down(); }

  void SetUp() override {
    if (!Kind::skip_reason().empty()) GTEST_SKIP() << Kind::skip_reason();
    ASSERT_EQ(Kind::error(), "");
    m_dir = make_temp_dir();
    m_target = Kind::fresh(m_dir);
    m_url = Kind::url(m_target);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!m_dir.empty()) fs::remove_all(m_dir, ignored);
  }

  std::unique_ptr<Store> open() {
    auto store = open_store(m_url, m_dir);
    if (!store) ADD_FAILURE() << store.error();
    return store ? std::move(store).value() : nullptr;
  }

  fs::path m_dir;
  std::string m_target;
  std::string m_url;
};

struct KindNames {
  template <typename Kind>
  static std::string GetName(int) {
    return std::is_same_v<Kind, Sqlite> ? "Sqlite" : "Postgres";
  }
};

using Kinds = ::testing::Types<Sqlite, Postgres>;
TYPED_TEST_SUITE(StoreTest, Kinds, KindNames);

TYPED_TEST(StoreTest, RoundTripsEveryFieldWithNanAndInfinities) {
  auto store = this->open();
  ASSERT_TRUE(store);
  SweepRecord sweep = make_sweep("20261201T193500Z-1a2b3c4d", "2026-12-01T19:35:00Z", "feature/ü", "digits \"mlp\"");
  sweep.fingerprint = R"({"gpu": "H100", "quote": "it's"})";
  sweep.verdict = "fail";
  sweep.runs[0] = {.seed = std::numeric_limits<std::int64_t>::min() + 1,
                   .repeat = 2,
                   .mode = "nondeterministic",
                   .device = "cuda:1",
                   .threads = 16,
                   .variant = "wide",
                   .source = "data",
                   .fold = 4,
                   .status = "timed_out",
                   .metrics = {{"accuracy", std::nan("")},
                               {"loss", std::numeric_limits<double>::infinity()},
                               {"margin", -std::numeric_limits<double>::infinity()},
                               {"tiny", 4.9e-324},
                               {"tenth", 0.1},
                               {"big", 1.7976931348623157e308}},
                   .wall_seconds = 0.1};
  sweep.runs[1].wall_seconds = std::nan("");  // a run that never started
  sweep.checks = {{"spread", "variance", "accuracy", "fail", "std 0.02 above 0.01\nsecond line; DROP TABLE sweeps"},
                  {"floor", "threshold", "loss", "pass", ""}};
  sweep.statistics = {
      {"spread", "mode=deterministic, device=cpu", "std", 0.02, "std_at_most", 0.01, 0.015, 0.03, "fail"},
      {"floor", "mode=deterministic, device=cpu", "mean", std::nan(""), "", {}, {}, {}, "pass"}};
  ASSERT_TRUE(store->append(sweep).ok());

  auto loaded = store->load({sweep.id}, {});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(text_of(loaded->at(0)), text_of(sweep));
  EXPECT_TRUE(std::isnan(loaded->at(0).runs[0].metrics.at("accuracy")));

  // A second connection sees the same.
  auto reopened = open_store(this->m_url, this->m_dir);
  ASSERT_TRUE(reopened.ok()) << reopened.error();
  auto again = (*reopened)->load({sweep.id}, {});
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(text_of(again->at(0)), text_of(sweep));

  auto listed = store->list({});
  ASSERT_TRUE(listed.ok()) << listed.error();
  ASSERT_EQ(listed->size(), 1u);
  const SweepSummary& summary = listed->at(0);
  EXPECT_EQ(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", summary.id, summary.started, summary.commit, summary.branch,
                        summary.subject, summary.policy_digest, summary.verdict, summary.runs),
            "20261201T193500Z-1a2b3c4d|2026-12-01T19:35:00Z|c0ffee|feature/ü|digits \"mlp\"|d1|fail|3");
}

TYPED_TEST(StoreTest, RefusesADuplicateIdAndKeepsTheFirst) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append(make_sweep("a", "2026-01-01T00:00:00Z")).ok());
  SweepRecord second = make_sweep("a", "2026-01-02T00:00:00Z", "other", "digits", 5);
  second.verdict = "fail";
  auto appended = store->append(second);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error(), "history store " + store->describe() + ": a sweep with id 'a' is already stored");
  auto loaded = store->load({"a"}, {});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(text_of(loaded->at(0)), text_of(make_sweep("a", "2026-01-01T00:00:00Z")));
}

TYPED_TEST(StoreTest, ListHonoursEveryFilterOldestFirst) {
  auto store = this->open();
  ASSERT_TRUE(store);
  // Appended out of order: the store sorts by time, then id.
  for (const SweepRecord& sweep :
       {make_sweep("e", "2026-01-05T00:00:00Z"), make_sweep("a", "2026-01-01T00:00:00Z"),
        make_sweep("c", "2026-01-03T00:00:00Z", "dev"), make_sweep("b", "2026-01-02T00:00:00Z"),
        make_sweep("d", "2026-01-04T00:00:00Z", "main", "other"), make_sweep("b2", "2026-01-02T00:00:00Z")}) {
    ASSERT_TRUE(store->append(sweep).ok());
  }
  auto ids = [&](const Filter& filter) {
    auto listed = store->list(filter);
    EXPECT_TRUE(listed.ok()) << (listed.ok() ? "" : listed.error());
    return listed.ok() ? ids_of(*listed) : std::vector<std::string>{};
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids({}), (Ids{"a", "b", "b2", "c", "d", "e"}));
  EXPECT_EQ(ids({.branch = "main"}), (Ids{"a", "b", "b2", "d", "e"}));
  EXPECT_EQ(ids({.branch = "dev"}), (Ids{"c"}));
  EXPECT_EQ(ids({.subject = "other"}), (Ids{"d"}));
  EXPECT_EQ(ids({.since = "2026-01-03T00:00:00Z"}), (Ids{"c", "d", "e"}));
  EXPECT_EQ(ids({.before = "2026-01-03T00:00:00Z"}), (Ids{"a", "b", "b2"}));
  EXPECT_EQ(ids({.exclude = "e"}), (Ids{"a", "b", "b2", "c", "d"}));
  EXPECT_EQ(ids({.newest = 2}), (Ids{"d", "e"}));
  EXPECT_EQ(ids({.newest = 100}), (Ids{"a", "b", "b2", "c", "d", "e"}));
  EXPECT_EQ(ids({.branch = "main",
                 .subject = "digits",
                 .since = "2026-01-02T00:00:00Z",
                 .before = "2026-01-05T00:00:00Z",
                 .exclude = "b",
                 .newest = 1}),
            (Ids{"b2"}));
  EXPECT_EQ(ids({.branch = "main", .exclude = "e", .newest = 2}), (Ids{"b2", "d"}));
  EXPECT_EQ(ids({.branch = "nowhere"}), Ids{});
  EXPECT_EQ(ids({.branch = "main' OR '1'='1"}), Ids{});
}

TYPED_TEST(StoreTest, LoadKeepsTheOrderGivenAndOnlyTheMetricsAsked) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append(make_sweep("a", "2026-01-01T00:00:00Z", "main", "digits", 4)).ok());
  ASSERT_TRUE(store->append(make_sweep("b", "2026-01-02T00:00:00Z", "main", "digits", 12)).ok());
  auto loaded = store->load({"b", "a"}, {"accuracy"});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(loaded->at(0).id, "b");
  EXPECT_EQ(loaded->at(1).id, "a");
  ASSERT_EQ(loaded->at(0).runs.size(), 12u);
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(loaded->at(0).runs[i].seed, static_cast<std::int64_t>(i));  // index order, not text order
    ASSERT_EQ(loaded->at(0).runs[i].metrics.size(), 1u);
    EXPECT_EQ(loaded->at(0).runs[i].metrics.at("accuracy"), 0.9 + 0.01 * static_cast<double>(i));
  }
  auto both = store->load({"a"}, {"loss", "nonexistent"});
  ASSERT_TRUE(both.ok()) << both.error();
  EXPECT_EQ(both->at(0).runs[3].metrics, (std::map<std::string, double>{{"loss", 0.3 - 0.03}}));

  auto unknown = store->load({"a", "zzz"}, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), "history store " + store->describe() + ": no sweep with id 'zzz' is stored");
}

TYPED_TEST(StoreTest, PruneDeletesOlderSweepsWithAllTheirRows) {
  auto store = this->open();
  ASSERT_TRUE(store);
  for (const char* day : {"01", "02", "03", "04"}) {
    SweepRecord sweep = make_sweep(std::string("s") + day, fmt::format("2026-01-{}T12:00:00Z", day));
    sweep.checks = {{"floor", "threshold", "accuracy", "pass", ""}};
    sweep.statistics = {{"floor", "all", "mean", 0.9, "mean_at_least", 0.8, 0.85, 0.95, "pass"}};
    ASSERT_TRUE(store->append(sweep).ok());
  }
  auto pruned = store->prune("2026-01-03T12:00:00Z");
  ASSERT_TRUE(pruned.ok()) << pruned.error();
  EXPECT_EQ(*pruned, 2u);
  auto listed = store->list({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(ids_of(*listed), (std::vector<std::string>{"s03", "s04"}));
  // The runs, metrics, checks and statistics went with their sweeps: the same
  // ids fit again.
  SweepRecord again = make_sweep("s01", "2026-01-01T12:00:00Z");
  again.checks = {{"floor", "threshold", "accuracy", "pass", ""}};
  again.statistics = {{"floor", "all", "mean", 0.9, "mean_at_least", 0.8, 0.85, 0.95, "pass"}};
  ASSERT_TRUE(store->append(again).ok());
  auto loaded = store->load({"s01"}, {});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(text_of(loaded->at(0)), text_of(again));
  auto none = store->prune("2000-01-01T00:00:00Z");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
}

TYPED_TEST(StoreTest, AFailedAppendLeavesNoRows) {
  auto store = this->open();
  ASSERT_TRUE(store);
  // The sweep row and the first run are written before the second run's
  // nameless metric breaks a constraint: all of it must go.
  SweepRecord broken = make_sweep("x", "2026-01-01T00:00:00Z");
  broken.runs[1].metrics[""] = 1.0;
  auto appended = store->append(broken);
  ASSERT_FALSE(appended.ok());
  EXPECT_TRUE(util::starts_with(appended.error(), "history store " + store->describe() + ": ")) << appended.error();
  auto listed = store->list({});
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  EXPECT_FALSE(store->load({"x"}, {}).ok());
  // The connection is usable, and the id is free.
  ASSERT_TRUE(store->append(make_sweep("x", "2026-01-01T00:00:00Z")).ok());
  EXPECT_EQ(store->list({})->size(), 1u);
}

TYPED_TEST(StoreTest, RefusesAStoreWithANewerSchema) {
  this->open().reset();
  ASSERT_TRUE(TypeParam::sql(this->m_target, "UPDATE seedgate_meta SET value = '3' WHERE key = 'schema_version'"));
  auto store = open_store(this->m_url, this->m_dir);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(),
            "history store " + this->m_url +
                " has schema version 3, newer than this seedgate's (2): upgrade seedgate to write to it");
}

TYPED_TEST(StoreTest, MigratesAStoreThatRecordsAnOlderVersion) {
  // A store that has the meta table but no steps applied yet (version 0).
  ASSERT_TRUE(TypeParam::sql(this->m_target,
                             "CREATE TABLE seedgate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                             "INSERT INTO seedgate_meta VALUES ('schema_version', '0')"));
  auto store = this->open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->append(make_sweep("a", "2026-01-01T00:00:00Z")).ok());
  // Version 2 was recorded: opening again does not run the steps again (their
  // CREATE TABLE and ALTER TABLE would fail).
  auto again = open_store(this->m_url, this->m_dir);
  EXPECT_TRUE(again.ok()) << again.error();
}

// A store written by seedgate before runs' wall times were kept (version 1):
// its sweeps read as before, their runs' times unknown, and new sweeps keep theirs.
TYPED_TEST(StoreTest, MigratesAVersion1StoreKeepingItsSweeps) {
  ASSERT_TRUE(TypeParam::sql(this->m_target,
                             "CREATE TABLE seedgate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                             "INSERT INTO seedgate_meta VALUES ('schema_version', '1');" +
                                 std::string(schema::kMigrations[0]) +
                                 "INSERT INTO sweeps VALUES ('old', '2026-01-01T00:00:00Z', 'c0ffee', "
                                 "'main', 'digits', 'd1', '{}', 'pass', 1);"
                                 "INSERT INTO runs VALUES ('old', 0, 7, 0, 'deterministic', 'cpu', 1, "
                                 "'', '', -1, 'passed');"
                                 "INSERT INTO run_metrics VALUES ('old', 0, 'accuracy', 0.5);"));
  auto store = this->open();
  ASSERT_TRUE(store);
  auto old = store->load({"old"}, {});
  ASSERT_TRUE(old.ok()) << old.error();
  ASSERT_EQ(old->at(0).runs.size(), 1u);
  EXPECT_EQ(old->at(0).runs[0].seed, 7);
  EXPECT_EQ(old->at(0).runs[0].metrics.at("accuracy"), 0.5);
  EXPECT_TRUE(std::isnan(old->at(0).runs[0].wall_seconds));
  ASSERT_TRUE(store->append(make_sweep("new", "2026-01-02T00:00:00Z")).ok());
  auto fresh = store->load({"new"}, {});
  ASSERT_TRUE(fresh.ok()) << fresh.error();
  EXPECT_EQ(fresh->at(0).runs[2].wall_seconds, 3.5);
}

TYPED_TEST(StoreTest, TextWithANulByteIsKeptWholeOrRefused) {
  auto store = this->open();
  ASSERT_TRUE(store);
  SweepRecord sweep = make_sweep("a", "2026-01-01T00:00:00Z");
  sweep.fingerprint = std::string("a\0b", 3);
  auto appended = store->append(sweep);
  if constexpr (std::is_same_v<TypeParam, Sqlite>) {
    ASSERT_TRUE(appended.ok()) << appended.error();
    auto loaded = store->load({"a"}, {});
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    EXPECT_EQ(loaded->at(0).fingerprint, sweep.fingerprint);
  } else {
    ASSERT_FALSE(appended.ok());
    EXPECT_EQ(appended.error(),
              "history store " + store->describe() + ": 'a\\x00b' holds a NUL byte, which PostgreSQL cannot store");
    EXPECT_TRUE(store->list({})->empty());
  }
}

TYPED_TEST(StoreTest, EightConcurrentAppendersLoseNoSweep) {
  constexpr int kProcesses = 8;
  constexpr int kSweeps = 20;
  int gate[2];
  ASSERT_EQ(::pipe(gate), 0);
  std::fflush(nullptr);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      // Every process opens the new store and appends at once, when the gate opens.
      ::close(gate[1]);
      char c = 0;
      while (::read(gate[0], &c, 1) > 0) {
      }
      auto store = open_store(this->m_url, this->m_dir);
      if (!store) {
        std::fprintf(stderr, "%s\n", store.error().c_str());
        ::_exit(1);
      }
      for (int i = 0; i < kSweeps; ++i) {
        auto appended = (*store)->append(make_sweep(
            fmt::format("p{}-{:02}", p, i), fmt::format("2026-01-01T00:{:02}:{:02}Z", i, p), "main", "digits", 10));
        if (!appended) {
          std::fprintf(stderr, "%s\n", appended.error().c_str());
          ::_exit(2);
        }
      }
      ::_exit(0);
    }
    ASSERT_GT(pid, 0);
    children.push_back(pid);
  }
  ::close(gate[0]);
  ::close(gate[1]);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "appender exited with " << status;
  }
  auto store = this->open();
  ASSERT_TRUE(store);
  auto listed = store->list({});
  ASSERT_TRUE(listed.ok()) << listed.error();
  std::vector<std::string> ids = ids_of(*listed);
  std::set<std::string> distinct(ids.begin(), ids.end());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kProcesses * kSweeps));
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kProcesses * kSweeps));
  for (int p = 0; p < kProcesses; ++p)
    for (int i = 0; i < kSweeps; ++i) EXPECT_TRUE(distinct.contains(fmt::format("p{}-{:02}", p, i)));
  auto loaded = store->load(ids, {});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  for (const SweepRecord& sweep : *loaded) EXPECT_EQ(sweep.runs.size(), 10u) << sweep.id;
}

// SQLite only: files on disk.

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = make_temp_dir(); }
  void TearDown() override { fs::remove_all(m_dir); }

  // Opening `name` fails with `message` and leaves the file's bytes as they were.
  void expect_left_alone(const std::string& name, const std::string& message) {
    std::string before = bytes_of(m_dir / name);
    auto store = open_store("sqlite:" + name, m_dir);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error(), "history store sqlite:" + name + ": " + message);
    EXPECT_EQ(bytes_of(m_dir / name), before);
    EXPECT_FALSE(fs::exists(m_dir / (name + "-wal")));
  }

  // A real store with two sweeps, closed (so it is all in the main file).
  void make_store(const std::string& name) {
    auto store = open_store("sqlite:" + name, m_dir);
    ASSERT_TRUE(store.ok()) << store.error();
    for (int i = 0; i < 40; ++i)
      ASSERT_TRUE((*store)->append(make_sweep(fmt::format("s{}", i), "2026-01-01T00:00:00Z", "main", "d", 20)).ok());
  }

  fs::path m_dir;
};

TEST_F(SqliteFileTest, ATextFileIsReportedAndLeftAsItIs) {
  std::ofstream(m_dir / "history.db") << "these are my notes, not a database\n";
  expect_left_alone("history.db", "file is not a database (SQLite): left as it is");
}

TEST_F(SqliteFileTest, AGarbledHeaderIsReportedAndLeftAsItIs) {
  make_store("history.db");
  std::string bytes = bytes_of(m_dir / "history.db");
  ASSERT_GT(bytes.size(), 4096u);
  bytes.replace(0, 16, "garbage garbage!");
  std::ofstream(m_dir / "history.db", std::ios::binary) << bytes;
  expect_left_alone("history.db", "file is not a database (SQLite): left as it is");
}

TEST_F(SqliteFileTest, ATruncatedStoreIsReportedAndLeftAsItIs) {
  make_store("history.db");
  fs::resize_file(m_dir / "history.db", 4096);
  expect_left_alone("history.db", "database disk image is malformed (SQLite): left as it is");
}

TEST_F(SqliteFileTest, AnotherProgramsDatabaseIsLeftAsItIs) {
  ASSERT_TRUE(sqlite_sql(m_dir / "other.db", "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')"));
  expect_left_alone("other.db", "a SQLite database of something else: left as it is");
}

TEST_F(SqliteFileTest, ARelativePathIsUnderTheBaseAndItsFolderIsCreated) {
  auto store = open_store("sqlite:.seedgate/nested/history.db", m_dir);
  ASSERT_TRUE(store.ok()) << store.error();
  EXPECT_EQ((*store)->describe(), "sqlite:.seedgate/nested/history.db");
  EXPECT_TRUE(fs::exists(m_dir / ".seedgate/nested/history.db"));
  std::string absolute = (m_dir / "elsewhere.db").string();
  auto other = open_store("sqlite:" + absolute, "/nonexistent");
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_TRUE(fs::exists(absolute));
}

TEST_F(SqliteFileTest, AFolderThatCannotBeCreatedIsAnError) {
  std::ofstream(m_dir / "file") << "x";
  auto store = open_store("sqlite:file/history.db", m_dir);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(util::starts_with(store.error(), "history store sqlite:file/history.db: cannot create folder "))
      << store.error();
}

// URLs, without a server.

TEST(StoreUrlTest, APasswordInAPostgresUriIsRefusedAndNotShown) {
  auto with_user = open_store("postgresql://alice:s3cret@db.example.com:5433/history?sslmode=require", "/");
  ASSERT_FALSE(with_user.ok());
  EXPECT_EQ(with_user.error(),
            "history store postgresql://alice@db.example.com:5433/history?sslmode=require: the URI holds a password: "
            "put it in PGPASSWORD or ~/.pgpass, never in the store's URI");
  auto as_parameter = open_store("postgres://db.example.com/history?password=s3cret&sslmode=verify-full", "/");
  ASSERT_FALSE(as_parameter.ok());
  EXPECT_EQ(as_parameter.error(),
            "history store postgres://db.example.com/history?sslmode=verify-full: the URI holds a password: "
            "put it in PGPASSWORD or ~/.pgpass, never in the store's URI");
  for (const char* uri : {"postgresql://db/h?user=bob&PassWord=s3cret", "postgresql://db/h?pass%77ord=s3cret",
                          "postgresql://db/h?sslpassword=s3cret", "postgresql://bob:@db/h"}) {
    auto refused = open_store(uri, "/");
    ASSERT_FALSE(refused.ok()) << uri;
    EXPECT_NE(refused.error().find("the URI holds a password"), std::string::npos) << refused.error();
    EXPECT_EQ(refused.error().find("s3cret"), std::string::npos) << refused.error();
  }
}

TEST(StoreUrlTest, AnUnknownKindOfStoreIsRefusedWithoutEchoingIt) {
  auto store = open_store("mysql://root:s3cret@db/history", "/");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(), "history store 'mysql:...' is neither sqlite:PATH nor postgresql://HOST/DATABASE");
  auto empty = open_store("sqlite:", "/");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error(), "history store sqlite:: no path after 'sqlite:'");
}

TEST(StoreUrlTest, AnUnreachableServerIsAnError) {
  auto store = open_store("postgresql:///history?host=/nonexistent-seedgate-socket-dir", "/");
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(util::starts_with(store.error(),
                                "history store postgresql:///history?host=/nonexistent-seedgate-socket-dir: "
                                "cannot connect: "))
      << store.error();
}

}  // namespace
}  // namespace seedgate::history
