#include "harness/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <deque>
#include <functional>
#include <limits>
#include <optional>

#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace seedgate {
namespace {

using nlohmann::json;

constexpr const char* kFormatKey = "seedgate_journal";

std::string header_line(const std::string& policy_digest) {
  return json{{kFormatKey, kJournalVersion}, {"policy_digest", policy_digest}}.dump() + "\n";
}

bool header_matches(std::string_view line, const std::string& policy_digest) {
  json header = json::parse(line, nullptr, false);
  return header.is_object() && header.value(kFormatKey, 0) == kJournalVersion &&
         header.value("policy_digest", "") == policy_digest;
}

// What a pass over the journal found.
struct Scan {
  bool matches = false;   // its header names this policy
  std::uint64_t end = 0;  // just past the last whole line
  bool torn = false;      // bytes after it
  std::size_t unreadable = 0;
};

// Reads the journal line by line, chunk by chunk (a file swapped for a huge
// one is never held whole), handing each whole run line to `on_run`.
util::Result<Scan> scan_journal(const std::filesystem::path& path, const std::string& policy_digest,
                                const std::function<void(std::string_view line)>& on_run) {
  Scan scan;
  std::string line;
  bool first = true, overlong = false, other = false;
  std::uint64_t offset = 0;
  auto read = util::read_file_chunks(path, std::numeric_limits<std::uint64_t>::max(), [&](std::string_view chunk) {
    while (!chunk.empty() && !other) {
      std::size_t newline = chunk.find('\n');
      std::string_view piece = chunk.substr(0, newline);
      if (!overlong && line.size() + piece.size() > kMaxJournalLineBytes) {
        overlong = true;
        line.clear();
      }
      if (!overlong) line.append(piece);
      offset += piece.size();
      if (newline == std::string_view::npos) return;
      chunk.remove_prefix(newline + 1);
      scan.end = ++offset;
      if (first) {
        first = false;
        scan.matches = !overlong && header_matches(line, policy_digest);
        other = !scan.matches;
      } else if (overlong) {
        ++scan.unreadable;
      } else {
        on_run(line);
      }
      line.clear();
      overlong = false;
    }
  });
  if (!read) return util::make_error(read.error());
  scan.torn = !other && offset > scan.end;
  return scan;
}

}  // namespace

namespace {

// One run's line to its record; nullopt for a line that is not one.
std::optional<RunRecord> parse_run_line(std::string_view line) {
  if (util::json_depth(line) > kMaxResultsDepth) return std::nullopt;
  json value = json::parse(line, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  auto record = run_record_from_json(value);
  if (!record) return std::nullopt;
  return std::move(*record);
}

// Parses batches of lines on two threads (a large journal's parsing is most
// of a --resume's time) into the slots their line numbers name.
class ParallelParser {
 public:
  static constexpr std::size_t kBatchLines = 512;
  static constexpr std::size_t kQueuedBatches = 8;  // the reader waits beyond this: memory stays bounded

  explicit ParallelParser(std::vector<RunRecord>& slots) : m_slots(slots) {
    for (auto& worker : m_workers) worker = std::thread([this] { work(); });
  }
  ParallelParser(const ParallelParser&) = delete;
  ParallelParser& operator=(const ParallelParser&) = delete;
  ~ParallelParser() { finish(); }

  void add(std::string_view line) {
    m_batch.lines.emplace_back(line);
    if (m_batch.lines.size() == kBatchLines) flush();
  }
  // Waits for every line to be parsed; returns how many were not records.
  std::size_t finish() {
    flush();
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_ready.notify_all();
    for (auto& worker : m_workers)
      if (worker.joinable()) worker.join();
    return m_unreadable;
  }

 private:
  struct Batch {
    std::size_t first = 0;
    std::vector<std::string> lines;
  };

  void flush() {
    if (m_batch.lines.empty()) return;
    std::size_t next = m_batch.first + m_batch.lines.size();
    {
      std::unique_lock lock(m_mutex);
      m_room.wait(lock, [&] { return m_queue.size() < kQueuedBatches; });
      m_queue.push_back(std::move(m_batch));
    }
    m_ready.notify_one();
    m_batch = {next, {}};
  }

  void work() {
    while (true) {
      Batch batch;
      {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return m_done || !m_queue.empty(); });
        if (m_queue.empty()) return;
        batch = std::move(m_queue.front());
        m_queue.pop_front();
      }
      m_room.notify_one();
      std::size_t unreadable = 0;
      for (std::size_t i = 0; i < batch.lines.size(); ++i) {
        std::size_t slot = batch.first + i;
        auto record = parse_run_line(batch.lines[i]);
        if (!record || slot >= m_slots.size()) {
          ++unreadable;
          continue;
        }
        m_slots[slot] = std::move(*record);
      }
      std::lock_guard lock(m_mutex);
      m_unreadable += unreadable;
    }
  }

  std::vector<RunRecord>& m_slots;
  Batch m_batch;
  std::mutex m_mutex;
  std::condition_variable m_ready, m_room;
  std::deque<Batch> m_queue;
  bool m_done = false;
  std::size_t m_unreadable = 0;
  std::array<std::thread, 2> m_workers;
};

}  // namespace

util::Result<JournalContents> read_journal(const std::filesystem::path& path, const std::string& policy_digest) {
  JournalContents contents;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return contents;
  // Counted first, so that each line has its slot and the records are held
  // once, not briefly twice as a growing vector would.
  std::size_t lines = 0;
  auto counted = scan_journal(path, policy_digest, [&](std::string_view) { ++lines; });
  if (!counted) return util::make_error(counted.error());
  // A slot no record fills stays interrupted, and is dropped below.
  contents.runs.resize(lines);
  for (RunRecord& slot : contents.runs) slot.status = RunStatus::interrupted;
  util::Result<Scan> scan = util::make_error("");
  {
    ParallelParser parser(contents.runs);
    scan = scan_journal(path, policy_digest, [&](std::string_view line) { parser.add(line); });
    contents.unreadable = parser.finish();
  }
  if (!scan) return util::make_error(scan.error());
  std::erase_if(contents.runs, [](const RunRecord& r) { return r.status == RunStatus::interrupted; });
  contents.torn = scan->torn ? 1 : 0;
  contents.unreadable += scan->unreadable;
  contents.other_policy = !scan->matches && scan->end > 0;
  contents.this_policy = scan->matches;
  contents.whole_bytes = scan->end;
  return contents;
}

RunJournal::RunJournal(int fd, std::filesystem::path path)
    : m_fd(fd), m_path(std::move(path)), m_state(std::make_unique<State>()) {
  m_committer = std::thread([state = m_state.get(), fd] {
    std::unique_lock lock(state->mutex);
    while (true) {
      state->idle = true;
      state->wake.wait(lock, [&] { return state->stopping || state->written > state->committed; });
      state->idle = false;
      if (state->written == state->committed && state->stopping) return;
      std::uint64_t target = state->written;
      lock.unlock();
      int error = ::fdatasync(fd) == 0 ? 0 : errno;
      auto next = std::chrono::steady_clock::now() + kCommitInterval;
      lock.lock();
      state->committed = target;
      if (error != 0 && state->sync_error == 0) state->sync_error = error;
      state->synced.notify_all();
      // At most one sync per interval: the lines written meanwhile wait for the next.
      if (!state->stopping) state->wake.wait_until(lock, next, [&] { return state->stopping; });
    }
  });
}

RunJournal::RunJournal(RunJournal&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)),
      m_path(std::move(other.m_path)),
      m_state(std::move(other.m_state)),
      m_committer(std::move(other.m_committer)) {}

RunJournal::~RunJournal() {
  if (!m_state) return;
  {
    std::lock_guard lock(m_state->mutex);
    m_state->stopping = true;
  }
  m_state->wake.notify_all();
  if (m_committer.joinable()) m_committer.join();
  if (m_fd >= 0) ::close(m_fd);
}

util::Result<RunJournal> RunJournal::open(const std::filesystem::path& path, const std::string& policy_digest,
                                          const JournalContents* kept) {
  auto fail = [&](int error) {
    return util::make_error(fmt::format("cannot write {}: {}", path.string(), util::error_text(error)));
  };
  bool fresh = kept == nullptr || !kept->this_policy;
  // Cut a torn last line off, so the next record starts a line of its own.
  if (!fresh && kept->torn && ::truncate(path.c_str(), static_cast<off_t>(kept->whole_bytes)) != 0) return fail(errno);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (fresh ? O_TRUNC : 0), 0644);
  if (fd < 0) return fail(errno);
  if (fresh) {
    if (auto written = util::write_all(fd, header_line(policy_digest), path); !written) {
      ::close(fd);
      return util::make_error(written.error());
    }
  }
  return RunJournal(fd, path);
}

util::Result<void> RunJournal::append(const RunRecord& record) {
  std::string line = to_compact_json(record).dump(-1, ' ', false, json::error_handler_t::replace);
  line += '\n';
  if (auto written = util::write_all(m_fd, line, m_path); !written) return written;
  bool idle = false;
  {
    std::lock_guard lock(m_state->mutex);
    ++m_state->written;
    idle = m_state->idle;
  }
  // Only a committer waiting for lines needs waking: one sitting out its
  // interval takes this line when the interval ends.
  if (idle) m_state->wake.notify_one();
  return {};
}

util::Result<void> RunJournal::sync() {
  std::unique_lock lock(m_state->mutex);
  std::uint64_t target = m_state->written;
  m_state->wake.notify_one();
  m_state->synced.wait(lock, [&] { return m_state->committed >= target || m_state->sync_error != 0; });
  if (m_state->sync_error != 0)
    return util::make_error(fmt::format("cannot write {}: {}", m_path.string(), util::error_text(m_state->sync_error)));
  return {};
}

}  // namespace seedgate
