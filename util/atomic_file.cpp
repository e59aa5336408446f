#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "util/strings.hpp"

namespace util {
namespace {

std::string errno_text() {
  return error_text(errno);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return m_fd; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd;
};

// A new temporary file beside `path`, created by this call: O_EXCL refuses a
// name that exists, a symlink planted there included, so a neighbour cannot
// make the write land on a file of their choosing. Another name is tried
// when one is taken.
int create_temporary(const std::filesystem::path& path, std::filesystem::path& temp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = path;
    temp += fmt::format(".tmp.{}.{}", ::getpid(), counter++);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

}  // namespace

Result<void> write_all(int fd, std::string_view text, const std::filesystem::path& path) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return make_error(fmt::format("cannot write {}: {}", path.string(), errno_text()));
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

Result<AtomicFileWriter> AtomicFileWriter::create(const std::filesystem::path& path) {
  std::filesystem::path temp;
  int fd = create_temporary(path, temp);
  if (fd < 0) return make_error(fmt::format("cannot write {}: {}", temp.string(), errno_text()));
  return AtomicFileWriter(fd, path, std::move(temp));
}

AtomicFileWriter::AtomicFileWriter(int fd, std::filesystem::path path, std::filesystem::path temp)
    : m_fd(fd), m_path(std::move(path)), m_temp(std::move(temp)) {}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)),
      m_path(std::move(other.m_path)),
      m_temp(std::move(other.m_temp)),
      m_buffer(std::move(other.m_buffer)) {}

AtomicFileWriter::~AtomicFileWriter() {
  if (m_fd < 0) return;
  ::close(m_fd);
  ::unlink(m_temp.c_str());
}

Result<void> AtomicFileWriter::fail() {
  std::string message = fmt::format("cannot write {}: {}", m_temp.string(), errno_text());
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
  ::unlink(m_temp.c_str());
  return make_error(message);
}

Result<void> AtomicFileWriter::flush() {
  auto written = write_through(m_buffer);
  m_buffer.clear();
  return written;
}

Result<void> AtomicFileWriter::write_through(std::string_view text) {
  if (auto written = write_all(m_fd, text, m_temp); !written) {
    ::close(std::exchange(m_fd, -1));
    ::unlink(m_temp.c_str());
    return written;
  }
  return {};
}

Result<void> AtomicFileWriter::write(std::string_view text) {
  if (m_fd < 0) return make_error(fmt::format("cannot write {}: already closed", m_temp.string()));
  constexpr std::size_t kFlushBytes = 1 << 20;
  if (m_buffer.size() + text.size() < kFlushBytes) {
    m_buffer.append(text);
    return {};
  }
  // A large piece goes straight to the file rather than through the buffer.
  if (auto flushed = flush(); !flushed) return flushed;
  return write_through(text);
}

Result<void> AtomicFileWriter::commit() {
  if (m_fd < 0) return make_error(fmt::format("cannot write {}: already closed", m_temp.string()));
  if (auto flushed = flush(); !flushed) return flushed;
  if (::fsync(m_fd) != 0) return fail();
  int fd = std::exchange(m_fd, -1);
  if (::close(fd) != 0) {
    std::string message = fmt::format("cannot write {}: {}", m_temp.string(), errno_text());
    ::unlink(m_temp.c_str());
    return make_error(message);
  }
  if (::rename(m_temp.c_str(), m_path.c_str()) != 0) {
    std::string message = fmt::format("cannot rename {} to {}: {}", m_temp.string(), m_path.string(), errno_text());
    ::unlink(m_temp.c_str());
    return make_error(message);
  }
  return {};
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  auto writer = AtomicFileWriter::create(path);
  if (!writer) return make_error(writer.error());
  if (auto written = writer->write(content); !written) return written;
  return writer->commit();
}

Result<int> open_regular_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO does not wait for a writer; on a regular file it changes nothing.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return make_error(fmt::format("cannot read {}: {}", path.string(), errno_text()));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return make_error(fmt::format("cannot read {}: {}", path.string(), errno_text()));
  if (!S_ISREG(info.st_mode)) return make_error(fmt::format("cannot read {}: not a regular file", path.string()));
  return fd.release();
}

Result<std::string> read_file(const std::filesystem::path& path) {
  return read_file_tail(path, std::string::npos);
}

Result<void> read_file_chunks(const std::filesystem::path& path, std::uint64_t max_bytes,
                              const std::function<void(std::string_view chunk)>& on_chunk) {
  auto opened = open_regular_file(path);
  if (!opened) return make_error(opened.error());
  FileDescriptor fd(*opened);
  char buffer[65536];
  std::uint64_t left = max_bytes;
  while (left > 0) {
    ssize_t got = ::read(fd.get(), buffer, static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buffer, left)));
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(fmt::format("cannot read {}: {}", path.string(), errno_text()));
    }
    if (got == 0) break;
    left -= static_cast<std::uint64_t>(got);
    on_chunk(std::string_view(buffer, static_cast<std::size_t>(got)));
  }
  return {};
}

Result<std::string> read_file_tail(const std::filesystem::path& path, std::size_t max_bytes) {
  auto opened = open_regular_file(path);
  if (!opened) return make_error(opened.error());
  FileDescriptor fd(*opened);
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && static_cast<std::size_t>(info.st_size) > max_bytes) {
    ::lseek(fd.get(), info.st_size - static_cast<off_t>(max_bytes), SEEK_SET);
  }
  std::string content;
  char buffer[65536];
  while (content.size() < max_bytes) {
    ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(fmt::format("cannot read {}: {}", path.string(), errno_text()));
    }
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
  }
  if (content.size() > max_bytes) content.erase(0, content.size() - max_bytes);
  return content;
}

}  // namespace util
