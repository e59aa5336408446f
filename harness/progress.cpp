#include "harness/progress.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string_view>

#include "util/strings.hpp"

namespace seedgate {
namespace {

// Text a program controls, fit for one progress line: control characters
// escaped (util::printable) and line breaks shown as "; ".
std::string terminal_safe(std::string_view text) {
  std::string out = util::printable(text);
  for (std::size_t at = out.find('\n'); at != std::string::npos; at = out.find('\n', at)) out.replace(at, 1, "; ");
  for (char& c : out)
    if (c == '\t') c = ' ';
  return out;
}

constexpr const char* kRed = "31";
constexpr const char* kGreen = "32";
constexpr const char* kYellow = "33";
constexpr const char* kDim = "2";

const char* status_color(RunStatus status) {
  if (status == RunStatus::passed) return kGreen;
  if (run_failed(status)) return kRed;
  return kYellow;
}

}  // namespace

ProgressStyle progress_style(const std::string& color, bool is_terminal, bool ci, bool no_color, bool dumb) {
  ProgressStyle style;
  style.live = is_terminal && !ci && !dumb;
  // An explicit --color wins over the environment, as no-color.org asks.
  style.color = color == "always" || (color == "auto" && is_terminal && !no_color && !dumb);
  return style;
}

std::string format_duration(double seconds) {
  auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

Progress::Progress(std::ostream& out, ProgressStyle style) : m_out(out), m_style(style) {}

std::string Progress::paint(const std::string& text, const char* code) const {
  return m_style.color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
}

void Progress::begin(std::size_t total, std::size_t already_done) {
  m_total = total;
  m_done = m_done_before = already_done;
  m_running = 0;
  m_start = std::chrono::steady_clock::now();
  if (m_style.live) redraw();
}

void Progress::started() {
  ++m_running;
  if (m_style.live) redraw();
}

std::string Progress::status_line() const {
  std::string line = fmt::format("[{}/{}] running {}, failed {}", m_done, m_total, m_running, m_failed);
  std::size_t finished_here = m_done - m_done_before;
  if (finished_here > 0 && m_done < m_total) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    double eta = elapsed / static_cast<double>(finished_here) * static_cast<double>(m_total - m_done);
    line += ", ETA " + format_duration(eta);
  }
  return line;
}

void Progress::finished(const RunRecord& r) {
  if (m_running > 0) --m_running;
  ++m_done;
  bool broke = run_failed(r.status);
  m_failed += broke ? 1 : 0;
  // Live, only the runs that broke get a line of their own; a log gets every run.
  if (m_style.live && !broke) {
    redraw();
    return;
  }
  std::string metrics;
  for (const auto& [name, value] : r.report.metrics) metrics += fmt::format(" {}={:.6g}", name, value);
  std::string status = fmt::format("{:<11}", to_string(r.status));
  std::string line = fmt::format("[{:>{}}/{}] {:<28} {} {:>7.2f}s", m_done, std::to_string(m_total).size(), m_total,
                                 r.run.id, paint(status, status_color(r.status)), r.process.wall_seconds);
  // Metric names and messages come from the program: escaped, on one line.
  line += terminal_safe(r.message.empty() ? metrics : "  " + r.message);
  line += '\n';
  clear();
  m_out << line;
  if (m_style.live) redraw();
  m_out << std::flush;
}

void Progress::note(const std::string& line) {
  clear();
  m_out << terminal_safe(line) << "\n";
  if (m_style.live) redraw();
  m_out << std::flush;
}

void Progress::end() {
  clear();
  m_out << std::flush;
}

void Progress::redraw() {
  m_out << "\r\x1b[2K" << paint(status_line(), m_failed > 0 ? kRed : kDim) << std::flush;
  m_drawn = true;
}

void Progress::clear() {
  if (!m_drawn) return;
  m_out << "\r\x1b[2K";
  m_drawn = false;
}

}  // namespace seedgate
