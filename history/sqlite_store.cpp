// The SQLite store: one file, WAL journal, foreign keys on. Writers take the
// write lock up front (BEGIN IMMEDIATE) and retry while another process holds
// it. The file is read before anything is written to it, so a file that is
// not a database is reported and left as it is.
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "history/backends.hpp"
#include "history/schema.hpp"

namespace seedgate::history {
namespace {

// A failed call inside one of the store's methods: it unwinds to the method
// (rolling back the transaction on its way) and becomes that method's error.
struct SqliteError {
  int code = 0;
  std::string message;
};

void check(sqlite3* db, int rc) {
  if (rc != SQLITE_OK) throw SqliteError{rc, sqlite3_errmsg(db)};
}

bool is_busy(int code) {
  return (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

struct Finalize {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

// A prepared statement; "$N" parameters are bound by N (schema.hpp's
// queries name them in order of first use). Also the Row schema.hpp reads.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    check(db, sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr));
    m_statement.reset(raw);
  }

  Statement& bind(int i, std::string_view text) {
    return bound(sqlite3_bind_text(get(), i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC));
  }
  Statement& bind(int i, std::int64_t value) { return bound(sqlite3_bind_int64(get(), i, value)); }
  Statement& bind(int i, int value) { return bind(i, static_cast<std::int64_t>(value)); }
  Statement& bind(int i, std::size_t value) { return bind(i, static_cast<std::int64_t>(value)); }
  Statement& bind(int i, double value) {
    return bound(std::isnan(value) ? sqlite3_bind_null(get(), i) : sqlite3_bind_double(get(), i, value));
  }
  Statement& bind(int i, std::optional<double> value) {
    return value ? bind(i, *value) : bound(sqlite3_bind_null(get(), i));
  }

  // True while there is a row to read.
  bool step() {
    int rc = sqlite3_step(get());
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw SqliteError{rc, sqlite3_errmsg(sqlite3_db_handle(get()))};
    return false;
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(get());
    sqlite3_clear_bindings(get());
  }

  std::string text(int column) const {
    const auto* bytes = sqlite3_column_text(get(), column);
    return bytes ? std::string(reinterpret_cast<const char*>(bytes), sqlite3_column_bytes(get(), column)) : "";
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(get(), column); }
  double real(int column) const { return null(column) ? std::nan("") : sqlite3_column_double(get(), column); }
  std::optional<double> optional_real(int column) const {
    return null(column) ? std::nullopt : std::optional(sqlite3_column_double(get(), column));
  }

 private:
  sqlite3_stmt* get() const { return m_statement.get(); }
  bool null(int column) const { return sqlite3_column_type(get(), column) == SQLITE_NULL; }
  Statement& bound(int rc) {
    check(sqlite3_db_handle(get()), rc);
    return *this;
  }
  std::unique_ptr<sqlite3_stmt, Finalize> m_statement;
};

void execute(sqlite3* db, std::string_view sql) {
  check(db, sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr));
}

// Rolls back unless committed.
class Transaction {
 public:
  Transaction(sqlite3* db, std::string_view begin) : m_db(db) { execute(db, begin); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (m_db) sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    execute(m_db, "COMMIT");
    m_db = nullptr;
  }

 private:
  sqlite3* m_db;
};

// -1: no seedgate_meta table (a new file, or someone else's database).
int read_version(sqlite3* db) {
  Statement has_meta(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'seedgate_meta'");
  has_meta.step();
  if (has_meta.integer(0) == 0) return -1;
  Statement version(db, schema::kReadVersion);
  if (!version.step()) return 0;
  std::string text = version.text(0);
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    throw SqliteError{SQLITE_OK, "schema version '" + text + "' is not a number"};
  }
}

constexpr auto kBusyWait = std::chrono::seconds(60);

// Runs `attempt` again while another process holds the database, for up to
// kBusyWait, backing off from 10 ms to 1 s.
template <typename Attempt>
void retrying(Attempt attempt) {
  auto deadline = std::chrono::steady_clock::now() + kBusyWait;
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    try {
      attempt();
      return;
    } catch (const SqliteError& error) {
      if (!is_busy(error.code) || std::chrono::steady_clock::now() + pause > deadline) throw;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

class SqliteStore final : public Store {
 public:
  SqliteStore(Db db, std::string description) : m_db(std::move(db)), m_description(std::move(description)) {}

  const std::string& describe() const override { return m_description; }

  util::Result<void> open() {
    // All of it retried: while another process creates the schema or turns
    // on WAL, even reading the version can find the database locked.
    return guarded([&] {
      retrying([&] {
        execute(db(), "PRAGMA foreign_keys = ON");
        // Read first: a file that is not a database fails here, untouched.
        // One snapshot for both reads: a schema another process commits
        // between them must not look like someone else's database.
        int version = -1;
        {
          Transaction snapshot(db(), "BEGIN");
          version = read_version(db());
          if (version < 0) {
            Statement tables(db(), "SELECT count(*) FROM sqlite_master");
            tables.step();
            if (tables.integer(0) > 0)
              throw SqliteError{SQLITE_OK, "a SQLite database of something else: left as it is"};
          }
        }  // rolled back: it only read
        check_not_newer(version);
        execute(db(), "PRAGMA journal_mode = WAL");
        if (version == kSchemaVersion) return;
        Transaction transaction(db(), "BEGIN IMMEDIATE");
        execute(db(), schema::kMetaTable);
        int current = std::max(read_version(db()), 0);
        check_not_newer(current);
        for (int step = current; step < kSchemaVersion; ++step) execute(db(), schema::kMigrations[step]);
        Statement(db(), schema::kSetVersion).bind(1, std::to_string(kSchemaVersion)).run();
        transaction.commit();
      });
    });
  }

  util::Result<void> append(const SweepRecord& sweep) override {
    return guarded([&] { retrying([&] { write(sweep); }); });
  }

  util::Result<std::vector<SweepSummary>> list(const Filter& filter) override {
    std::vector<SweepSummary> sweeps;
    auto done = guarded([&] {
      Statement query(db(), schema::kList);
      query.bind(1, filter.branch).bind(2, filter.subject).bind(3, filter.since).bind(4, filter.before);
      query.bind(5, filter.exclude)
          .bind(6, filter.newest ? static_cast<std::int64_t>(filter.newest) : schema::kNoLimit);
      while (query.step()) sweeps.push_back(schema::read_summary(query));
    });
    if (!done) return util::Error{done.error()};
    return sweeps;
  }

  util::Result<std::vector<SweepRecord>> load(const std::vector<std::string>& ids,
                                              const std::vector<std::string>& metrics) override {
    std::vector<SweepRecord> records;
    std::set<std::string, std::less<>> wanted(metrics.begin(), metrics.end());
    auto done = guarded([&] {
      Transaction snapshot(db(), "BEGIN");
      Statement sweep(db(), fmt_select(schema::kSweepColumns, "sweeps", "id", ""));
      Statement runs(db(), fmt_select(schema::kRunColumns, "runs", "sweep_id", " ORDER BY run_index"));
      Statement values(db(), fmt_select(schema::kMetricColumns, "run_metrics", "sweep_id", ""));
      Statement checks(db(), fmt_select(schema::kCheckColumns, "checks", "sweep_id", " ORDER BY check_index"));
      Statement statistics(
          db(), fmt_select(schema::kStatisticColumns, "statistics", "sweep_id", " ORDER BY statistic_index"));
      for (const std::string& id : ids) {
        sweep.bind(1, id);
        if (!sweep.step()) throw SqliteError{SQLITE_OK, "no sweep with id '" + id + "' is stored"};
        SweepRecord& record = records.emplace_back(schema::read_sweep(sweep));
        sweep.reset();
        for (runs.bind(1, id); runs.step();) record.runs.push_back(schema::read_run(runs));
        runs.reset();
        for (values.bind(1, id); values.step();) {
          auto index = static_cast<std::size_t>(values.integer(1));
          std::string metric = values.text(2);
          if (index < record.runs.size() && (wanted.empty() || wanted.contains(metric)))
            record.runs[index].metrics.emplace(std::move(metric), values.real(3));
        }
        values.reset();
        for (checks.bind(1, id); checks.step();) record.checks.push_back(schema::read_check(checks));
        checks.reset();
        for (statistics.bind(1, id); statistics.step();)
          record.statistics.push_back(schema::read_statistic(statistics));
        statistics.reset();
      }
      snapshot.commit();
    });
    if (!done) return util::Error{done.error()};
    return records;
  }

  util::Result<std::size_t> prune(const std::string& before) override {
    std::size_t deleted = 0;
    auto done = guarded([&] {
      retrying([&] {
        Transaction transaction(db(), "BEGIN IMMEDIATE");
        Statement(db(), "DELETE FROM sweeps WHERE started < $1").bind(1, before).run();
        deleted = static_cast<std::size_t>(sqlite3_changes(db()));
        transaction.commit();
      });
    });
    if (!done) return util::Error{done.error()};
    return deleted;
  }

 private:
  sqlite3* db() const { return m_db.get(); }

  static std::string fmt_select(std::string_view columns, std::string_view table, std::string_view key,
                                std::string_view order) {
    return "SELECT " + std::string(columns) + " FROM " + std::string(table) + " WHERE " + std::string(key) + " = $1" +
           std::string(order);
  }

  void check_not_newer(int version) const {
    if (version > kSchemaVersion) {
      throw SqliteError{SQLITE_OK, "has schema version " + std::to_string(version) + ", newer than this seedgate's (" +
                                       std::to_string(kSchemaVersion) + "): upgrade seedgate to write to it"};
    }
  }

  void write(const SweepRecord& sweep) {
    Transaction transaction(db(), "BEGIN IMMEDIATE");
    Statement exists(db(), "SELECT 1 FROM sweeps WHERE id = $1");
    if (exists.bind(1, sweep.id).step())
      throw SqliteError{SQLITE_OK, "a sweep with id '" + sweep.id + "' is already stored"};
    Statement(db(), "INSERT INTO sweeps (" + std::string(schema::kSweepColumns) +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(1, sweep.id)
        .bind(2, sweep.started)
        .bind(3, sweep.commit)
        .bind(4, sweep.branch)
        .bind(5, sweep.subject)
        .bind(6, sweep.policy_digest)
        .bind(7, sweep.fingerprint)
        .bind(8, sweep.verdict)
        .bind(9, sweep.runs.size())
        .run();
    Statement run(db(), "INSERT INTO runs (" + std::string(schema::kRunColumns) +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    Statement value(db(),
                    "INSERT INTO run_metrics (" + std::string(schema::kMetricColumns) + ") VALUES ($1, $2, $3, $4)");
    for (std::size_t i = 0; i < sweep.runs.size(); ++i) {
      const RunRow& r = sweep.runs[i];
      run.bind(1, sweep.id).bind(2, i).bind(3, r.seed).bind(4, r.repeat).bind(5, r.mode).bind(6, r.device);
      run.bind(7, r.threads).bind(8, r.variant).bind(9, r.source).bind(10, r.fold).bind(11, r.status);
      run.bind(12, r.wall_seconds).run();
      for (const auto& [metric, number] : r.metrics)
        value.bind(1, sweep.id).bind(2, i).bind(3, metric).bind(4, number).run();
    }
    Statement check_row(
        db(), "INSERT INTO checks (" + std::string(schema::kCheckColumns) + ") VALUES ($1, $2, $3, $4, $5, $6, $7)");
    for (std::size_t i = 0; i < sweep.checks.size(); ++i) {
      const CheckRow& c = sweep.checks[i];
      check_row.bind(1, sweep.id).bind(2, i).bind(3, c.name).bind(4, c.kind).bind(5, c.metric).bind(6, c.verdict);
      check_row.bind(7, c.messages).run();
    }
    Statement statistic(db(), "INSERT INTO statistics (" + std::string(schema::kStatisticColumns) +
                                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
    for (std::size_t i = 0; i < sweep.statistics.size(); ++i) {
      const StatisticRow& s = sweep.statistics[i];
      statistic.bind(1, sweep.id).bind(2, i).bind(3, s.check).bind(4, s.group).bind(5, s.name).bind(6, s.value);
      statistic.bind(7, s.bound_key).bind(8, s.bound).bind(9, s.lower).bind(10, s.upper).bind(11, s.verdict).run();
    }
    transaction.commit();
  }

  // Runs `body`, turning a failure into "history store X: ..." (a file that is
  // not a database, or a damaged one, is named as left alone).
  template <typename Body>
  util::Result<void> guarded(Body body) const {
    try {
      body();
      return {};
    } catch (const SqliteError& error) {
      if (error.code == SQLITE_OK) {
        bool joined = error.message.starts_with("has schema");
        return util::make_error("history store " + m_description + (joined ? " " : ": ") + error.message);
      }
      int primary = error.code & 0xff;
      std::string left = primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ? ": left as it is" : "";
      return store_error(m_description, error.message + " (SQLite)" + left);
    }
  }

  Db m_db;
  std::string m_description;
};

}  // namespace

util::Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, std::string description) {
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error)
    return store_error(description, "cannot create folder " + path.parent_path().string() + ": " + error.message());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return store_error(description, std::string(sqlite3_errstr(rc)) + " (SQLite)");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), 10'000);
  auto store = std::make_unique<SqliteStore>(std::move(db), std::move(description));
  if (auto opened = store->open(); !opened) return util::Error{opened.error()};
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace seedgate::history
