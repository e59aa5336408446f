#pragma once
// The runs journal, `<out>/runs.journal`: one line per finished run, appended
// as each run finishes, which is what `--resume` reads back. A line reaches
// the kernel with one write() as soon as its run is classified, so a sweep
// killed with SIGKILL loses no finished run; reaching the disk is grouped:
// a thread of the journal's own calls fdatasync() at most every
// kCommitInterval while lines are waiting, and once more at the end, so a
// sweep of short runs pays for a few syncs a second rather than one per run,
// and a power cut loses at most the last interval's runs (they run again).
//
// The first line names the journal's format and the policy's digest; each
// other line is one run's record (results.hpp's compact form). A reader
// takes every whole line and ignores a torn last one (a write cut short by
// a crash), and the writer cuts such a tail off before appending.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "harness/results.hpp"
#include "util/result.hpp"

namespace seedgate {

inline constexpr int kJournalVersion = 1;
inline constexpr const char* kJournalName = "runs.journal";
inline constexpr std::chrono::milliseconds kCommitInterval{5};
// A longer line is not a run's record: it is skipped, and that run runs again.
inline constexpr std::size_t kMaxJournalLineBytes = std::size_t{64} << 20;

// What a journal holds for one policy: its finished runs in file order (a
// run that finished twice, before and after a --resume, appears twice; the
// later record is the one that counts). Interrupted runs are left out.
struct JournalContents {
  std::vector<RunRecord> runs;
  std::size_t torn = 0;           // a last line cut short, ignored
  std::size_t unreadable = 0;     // whole lines that are not a run record, ignored (the run runs again)
  bool other_policy = false;      // written for another policy: nothing reused
  bool this_policy = false;       // its header names this policy: appending may go on
  std::uint64_t whole_bytes = 0;  // just past its last whole line
};

// Reads `path`; a missing file is an empty journal.
util::Result<JournalContents> read_journal(const std::filesystem::path& path, const std::string& policy_digest);

class RunJournal {
 public:
  // Opens `path` for appending. With `kept` (what read_journal found there
  // for this policy) its whole lines are kept and a torn tail is cut off;
  // otherwise it starts empty with a new header.
  static util::Result<RunJournal> open(const std::filesystem::path& path, const std::string& policy_digest,
                                       const JournalContents* kept = nullptr);
  RunJournal(RunJournal&& other) noexcept;
  RunJournal& operator=(RunJournal&&) = delete;
  RunJournal(const RunJournal&) = delete;
  RunJournal& operator=(const RunJournal&) = delete;
  // Syncs what is waiting and stops the committing thread.
  ~RunJournal();

  // Appends the run's record as one line.
  util::Result<void> append(const RunRecord& record);
  // Waits until every appended line is on disk.
  util::Result<void> sync();

 private:
  explicit RunJournal(int fd, std::filesystem::path path);
  void commit_loop();

  struct State {
    std::mutex mutex;
    std::condition_variable wake;
    std::condition_variable synced;
    std::uint64_t written = 0;    // lines handed to write()
    std::uint64_t committed = 0;  // lines known to be on disk
    bool stopping = false;
    bool idle = false;  // the committer waits for lines (not out its interval): append wakes it
    int sync_error = 0;
  };
  int m_fd = -1;
  std::filesystem::path m_path;
  std::unique_ptr<State> m_state;
  std::thread m_committer;
};

}  // namespace seedgate
