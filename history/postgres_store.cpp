// The PostgreSQL store: one connection, one transaction per call. Rows are
// sent as parameters of multi-row INSERTs, many rows a round trip. Schema
// changes take a transaction-scoped advisory lock, so processes opening a new
// database at once create it once.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "history/backends.hpp"
#include "history/libpq.hpp"
#include "history/schema.hpp"
#include "util/strings.hpp"

namespace seedgate::history {
namespace {

// libpq's functions; only called once open_postgres_store has loaded them.
const LibPq& pq() {
  return **load_libpq();
}

// A failed call inside one of the store's methods: it unwinds to the method
// (rolling back on its way) and becomes that method's error.
struct PostgresError {
  std::string message;
};

struct Finish {
  void operator()(PGconn* connection) const { pq().finish(connection); }
};
struct Clear {
  void operator()(PGresult* result) const { pq().clear(result); }
};
using Connection = std::unique_ptr<PGconn, Finish>;

// libpq's messages end in a newline and may span lines.
std::string one_line(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  for (char& c : text)
    if (c == '\n' || c == '\t') c = ' ';
  return text;
}

// Text parameters; NULL for a missing value or NaN.
class Parameters {
 public:
  Parameters& add(std::string_view text) {
    // Text parameters end at a NUL byte: refused rather than cut short.
    if (text.find('\0') != std::string_view::npos)
      throw PostgresError{"'" + util::printable(text.substr(0, 40)) +
                          "' holds a NUL byte, which PostgreSQL cannot store"};
    m_values.emplace_back(std::string(text));
    return *this;
  }
  Parameters& add(std::int64_t value) { return add(std::to_string(value)); }
  Parameters& add(int value) { return add(std::to_string(value)); }
  Parameters& add(std::size_t value) { return add(std::to_string(value)); }
  Parameters& add(double value) {
    if (std::isnan(value)) {
      m_values.emplace_back();
      return *this;
    }
    return add(std::isinf(value) ? (value > 0 ? "Infinity" : "-Infinity") : util::format_number(value));
  }
  Parameters& add(std::optional<double> value) {
    if (!value) {
      m_values.emplace_back();
      return *this;
    }
    return add(*value);
  }
  const std::vector<std::optional<std::string>>& values() const { return m_values; }

 private:
  std::vector<std::optional<std::string>> m_values;
};

// A query's rows; also the Row schema.hpp reads (through At).
class Rows {
 public:
  explicit Rows(PGresult* result) : m_result(result) {}
  int size() const { return pq().ntuples(m_result.get()); }

  struct At {
    PGresult* result;
    int row;
    std::string text(int column) const {
      return {pq().getvalue(result, row, column), static_cast<std::size_t>(pq().getlength(result, row, column))};
    }
    std::int64_t integer(int column) const { return std::stoll(text(column)); }
    double real(int column) const { return optional_real(column).value_or(std::nan("")); }
    std::optional<double> optional_real(int column) const {
      if (pq().getisnull(result, row, column)) return std::nullopt;
      std::string value = text(column);
      double number = 0;
      std::from_chars(value.data(), value.data() + value.size(), number);
      return number;
    }
  };
  At operator[](int row) const { return {m_result.get(), row}; }

 private:
  std::unique_ptr<PGresult, Clear> m_result;
};

Rows execute(PGconn* connection, const std::string& sql, std::span<const std::optional<std::string>> values = {}) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& value : values) pointers.push_back(value ? value->c_str() : nullptr);
  Rows rows(pq().execParams(connection, sql.c_str(), static_cast<int>(pointers.size()), nullptr, pointers.data(),
                            nullptr, nullptr, 0));
  ExecStatusType status = pq().resultStatus(rows[0].result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    // The primary message alone ("duplicate key value violates ..."), as SQLite's.
    const char* primary = rows[0].result ? pq().resultErrorField(rows[0].result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    throw PostgresError{one_line(primary ? primary : pq().errorMessage(connection)) + " (PostgreSQL)"};
  }
  return rows;
}

Rows execute(PGconn* connection, const std::string& sql, const Parameters& parameters) {
  return execute(connection, sql, parameters.values());
}

// Rolls back unless committed.
class Transaction {
 public:
  Transaction(PGconn* connection, const std::string& begin) : m_connection(connection) { execute(connection, begin); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (m_connection) pq().clear(pq().exec(m_connection, "ROLLBACK"));
  }
  void commit() {
    execute(m_connection, "COMMIT");
    m_connection = nullptr;
  }

 private:
  PGconn* m_connection;
};

// INSERTs of `width` columns, as many rows a statement as the protocol's
// 65,535 parameters allow (less, to keep statements small).
void insert_rows(PGconn* connection, std::string_view table, std::string_view columns, std::size_t width,
                 const Parameters& parameters) {
  const auto& values = parameters.values();
  const std::size_t per_statement = std::max<std::size_t>(1, 30'000 / width) * width;
  for (std::size_t first = 0; first < values.size(); first += per_statement) {
    std::size_t count = std::min(per_statement, values.size() - first);
    std::string sql = "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES ";
    for (std::size_t i = 0; i < count; ++i) {
      sql += i % width == 0 ? (i == 0 ? "(" : "), (") : ", ";
      sql += "$" + std::to_string(i + 1);
    }
    sql += ")";
    execute(connection, sql, std::span(values).subspan(first, count));
  }
}

// A text[] literal: every element quoted, '"' and '\' escaped.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// The key of the advisory lock that serialises schema changes ("seedgate" in ASCII).
constexpr std::string_view kSchemaLock = "SELECT pg_advisory_xact_lock(7308604897068083557)";

class PostgresStore final : public Store {
 public:
  PostgresStore(Connection connection, std::string description)
      : m_connection(std::move(connection)), m_description(std::move(description)) {}

  const std::string& describe() const override { return m_description; }

  util::Result<void> open() {
    return guarded([&] {
      int version = read_version();
      check_not_newer(version);
      if (version == kSchemaVersion) return;
      Transaction transaction(db(), "BEGIN");
      execute(db(), std::string(kSchemaLock));
      execute(db(), std::string(schema::kMetaTable));
      int current = read_version();
      check_not_newer(current);
      for (int step = current; step < kSchemaVersion; ++step) {
        Rows done(pq().exec(db(), std::string(schema::kMigrations[step]).c_str()));
        if (pq().resultStatus(done[0].result) != PGRES_COMMAND_OK)
          throw PostgresError{one_line(pq().resultErrorMessage(done[0].result)) + " (PostgreSQL)"};
      }
      execute(db(), std::string(schema::kSetVersion), Parameters().add(kSchemaVersion));
      transaction.commit();
    });
  }

  util::Result<void> append(const SweepRecord& sweep) override {
    return guarded([&] {
      Transaction transaction(db(), "BEGIN");
      if (execute(db(), "SELECT 1 FROM sweeps WHERE id = $1", Parameters().add(sweep.id)).size() > 0)
        throw PostgresError{"a sweep with id '" + sweep.id + "' is already stored"};
      Parameters row;
      row.add(sweep.id).add(sweep.started).add(sweep.commit).add(sweep.branch).add(sweep.subject);
      row.add(sweep.policy_digest).add(sweep.fingerprint).add(sweep.verdict).add(sweep.runs.size());
      insert_rows(db(), "sweeps", schema::kSweepColumns, 9, row);
      Parameters runs, values, checks, statistics;
      for (std::size_t i = 0; i < sweep.runs.size(); ++i) {
        const RunRow& r = sweep.runs[i];
        runs.add(sweep.id).add(i).add(r.seed).add(r.repeat).add(r.mode).add(r.device).add(r.threads);
        runs.add(r.variant).add(r.source).add(r.fold).add(r.status).add(r.wall_seconds);
        for (const auto& [metric, number] : r.metrics) values.add(sweep.id).add(i).add(metric).add(number);
      }
      for (std::size_t i = 0; i < sweep.checks.size(); ++i) {
        const CheckRow& c = sweep.checks[i];
        checks.add(sweep.id).add(i).add(c.name).add(c.kind).add(c.metric).add(c.verdict).add(c.messages);
      }
      for (std::size_t i = 0; i < sweep.statistics.size(); ++i) {
        const StatisticRow& s = sweep.statistics[i];
        statistics.add(sweep.id).add(i).add(s.check).add(s.group).add(s.name).add(s.value).add(s.bound_key);
        statistics.add(s.bound).add(s.lower).add(s.upper).add(s.verdict);
      }
      insert_rows(db(), "runs", schema::kRunColumns, 12, runs);
      insert_rows(db(), "run_metrics", schema::kMetricColumns, 4, values);
      insert_rows(db(), "checks", schema::kCheckColumns, 7, checks);
      insert_rows(db(), "statistics", schema::kStatisticColumns, 11, statistics);
      transaction.commit();
    });
  }

  util::Result<std::vector<SweepSummary>> list(const Filter& filter) override {
    std::vector<SweepSummary> sweeps;
    auto done = guarded([&] {
      Parameters parameters;
      parameters.add(filter.branch).add(filter.subject).add(filter.since).add(filter.before).add(filter.exclude);
      parameters.add(filter.newest ? static_cast<std::int64_t>(filter.newest) : schema::kNoLimit);
      Rows rows = execute(db(), std::string(schema::kList), parameters);
      for (int i = 0; i < rows.size(); ++i) sweeps.push_back(schema::read_summary(rows[i]));
    });
    if (!done) return util::Error{done.error()};
    return sweeps;
  }

  util::Result<std::vector<SweepRecord>> load(const std::vector<std::string>& ids,
                                              const std::vector<std::string>& metrics) override {
    std::vector<SweepRecord> records;
    auto done = guarded([&] {
      Transaction snapshot(db(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      Parameters any_id, any_id_metric;
      any_id.add(text_array(ids));
      any_id_metric.add(text_array(ids)).add(text_array(metrics));
      auto select = [&](std::string_view columns, std::string_view table, std::string_view where,
                        const Parameters& parameters) {
        return execute(db(), fmt::format("SELECT {} FROM {} WHERE {}", columns, table, where), parameters);
      };
      Rows sweeps = select(schema::kSweepColumns, "sweeps", "id = ANY($1::text[])", any_id);
      std::map<std::string, SweepRecord, std::less<>> by_id;
      for (int i = 0; i < sweeps.size(); ++i) {
        SweepRecord record = schema::read_sweep(sweeps[i]);
        by_id.emplace(record.id, std::move(record));
      }
      for (const std::string& id : ids)
        if (!by_id.contains(id)) throw PostgresError{"no sweep with id '" + id + "' is stored"};
      Rows runs =
          select(schema::kRunColumns, "runs", "sweep_id = ANY($1::text[]) ORDER BY sweep_id, run_index", any_id);
      for (int i = 0; i < runs.size(); ++i) by_id[runs[i].text(0)].runs.push_back(schema::read_run(runs[i]));
      Rows values = select(schema::kMetricColumns, "run_metrics",
                           "sweep_id = ANY($1::text[]) AND (cardinality($2::text[]) = 0 OR metric = ANY($2::text[]))",
                           any_id_metric);
      for (int i = 0; i < values.size(); ++i) {
        auto& runs_of = by_id[values[i].text(0)].runs;
        auto index = static_cast<std::size_t>(values[i].integer(1));
        if (index < runs_of.size()) runs_of[index].metrics.emplace(values[i].text(2), values[i].real(3));
      }
      Rows checks =
          select(schema::kCheckColumns, "checks", "sweep_id = ANY($1::text[]) ORDER BY sweep_id, check_index", any_id);
      for (int i = 0; i < checks.size(); ++i) by_id[checks[i].text(0)].checks.push_back(schema::read_check(checks[i]));
      Rows statistics = select(schema::kStatisticColumns, "statistics",
                               "sweep_id = ANY($1::text[]) ORDER BY sweep_id, statistic_index", any_id);
      for (int i = 0; i < statistics.size(); ++i)
        by_id[statistics[i].text(0)].statistics.push_back(schema::read_statistic(statistics[i]));
      snapshot.commit();
      records.reserve(ids.size());
      for (const std::string& id : ids) records.push_back(by_id.at(id));
    });
    if (!done) return util::Error{done.error()};
    return records;
  }

  util::Result<std::size_t> prune(const std::string& before) override {
    std::size_t deleted = 0;
    auto done = guarded([&] {
      Transaction transaction(db(), "BEGIN");
      Rows rows = execute(db(), "DELETE FROM sweeps WHERE started < $1", Parameters().add(before));
      deleted = static_cast<std::size_t>(std::stoull(pq().cmdTuples(rows[0].result)));
      transaction.commit();
    });
    if (!done) return util::Error{done.error()};
    return deleted;
  }

 private:
  PGconn* db() const { return m_connection.get(); }

  // 0: no seedgate_meta table yet.
  int read_version() {
    if (execute(db(), "SELECT to_regclass('seedgate_meta') IS NOT NULL")[0].text(0) != "t") return 0;
    Rows version = execute(db(), std::string(schema::kReadVersion));
    if (version.size() == 0) return 0;
    std::string text = version[0].text(0);
    try {
      return std::stoi(text);
    } catch (const std::exception&) {
      throw PostgresError{"schema version '" + text + "' is not a number"};
    }
  }

  void check_not_newer(int version) const {
    if (version > kSchemaVersion) {
      throw PostgresError{"has schema version " + std::to_string(version) + ", newer than this seedgate's (" +
                          std::to_string(kSchemaVersion) + "): upgrade seedgate to write to it"};
    }
  }

  template <typename Body>
  util::Result<void> guarded(Body body) const {
    try {
      body();
      return {};
    } catch (const PostgresError& error) {
      bool joined = error.message.starts_with("has schema");
      return util::make_error("history store " + m_description + (joined ? " " : ": ") + error.message);
    }
  }

  Connection m_connection;
  std::string m_description;
};

void ignore_notice(void*, const char*) {}

}  // namespace

util::Result<std::unique_ptr<Store>> open_postgres_store(const std::string& uri) {
  if (auto loaded = load_libpq(); !loaded) return store_error(uri, loaded.error());
  Connection connection(pq().connectdb(uri.c_str()));
  if (!connection) return store_error(uri, "out of memory");
  if (pq().status(connection.get()) != CONNECTION_OK)
    return store_error(uri, "cannot connect: " + one_line(pq().errorMessage(connection.get())));
  pq().setNoticeProcessor(connection.get(), ignore_notice, nullptr);
  auto store = std::make_unique<PostgresStore>(std::move(connection), uri);
  if (auto opened = store->open(); !opened) return util::Error{opened.error()};
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace seedgate::history
