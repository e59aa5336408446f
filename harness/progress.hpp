#pragma once
// What a sweep shows while it runs. On a terminal (not under CI, not
// TERM=dumb): one live line, rewritten in place, with runs done, running and
// failed and an ETA; runs that break are printed above it as they finish.
// Elsewhere (a log file, CI, a dumb terminal): one line per finished run.
// Colour follows --color always/never; with auto, a terminal gets colour
// unless NO_COLOR is set to anything (no-color.org) or TERM is dumb.
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "harness/results.hpp"

namespace seedgate {

struct ProgressStyle {
  bool live = false;
  bool color = false;
};

// `color`: "auto", "always" or "never". `is_terminal`: the stream is a tty.
// `ci`: the CI variable is set (non-empty, not "false" or "0"); `no_color`:
// NO_COLOR is set to any non-empty value, "0" included; `dumb`: TERM is
// "dumb" (no cursor movement, no colour unless asked for).
ProgressStyle progress_style(const std::string& color, bool is_terminal, bool ci, bool no_color, bool dumb);

class Progress {
 public:
  Progress(std::ostream& out, ProgressStyle style);

  void begin(std::size_t total, std::size_t already_done);  // a look of the sweep starts
  void started();                                           // a run started
  void finished(const RunRecord& record);                   // a run finished
  void note(const std::string& line);                       // any other line ("resuming: ...")
  void end();                                               // clears the live line

  // The live line's text, without colour: "[12/40] running 2, failed 1, ETA 1m05s".
  std::string status_line() const;

 private:
  void redraw();
  void clear();
  std::string paint(const std::string& text, const char* code) const;

  std::ostream& m_out;
  ProgressStyle m_style;
  std::size_t m_total = 0, m_done = 0, m_done_before = 0, m_running = 0, m_failed = 0;
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
  bool m_drawn = false;
};

// "1h02m", "3m05s", "42s".
std::string format_duration(double seconds);

}  // namespace seedgate
