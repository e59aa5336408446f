#pragma once
// Whole-file reads and atomic writes: a reader sees the old file or the new
// one, never half of either, even if the writer is killed mid-write.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace util {

// Writes to a temporary file beside `path`, flushes it to disk, then renames.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Writes all of `text` to `fd` (retrying short writes and EINTR); an error
// names `path` and the system's reason.
Result<void> write_all(int fd, std::string_view text, const std::filesystem::path& path);

// The same as write_file_atomic, piece by piece, for a file too large to build whole in memory:
// `write` buffers, `commit` flushes, syncs and renames. Destroyed without a
// commit (or after an error), it removes its temporary file.
class AtomicFileWriter {
 public:
  static Result<AtomicFileWriter> create(const std::filesystem::path& path);
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  Result<void> write(std::string_view text);
  Result<void> commit();

 private:
  AtomicFileWriter(int fd, std::filesystem::path path, std::filesystem::path temp);
  Result<void> flush();
  Result<void> write_through(std::string_view text);
  Result<void> fail();  // the error of the last system call, with the temporary file removed

  int m_fd = -1;
  std::filesystem::path m_path, m_temp;
  std::string m_buffer;
};

// Opens `path` for reading only if it is a regular file: a FIFO (whose open
// would wait for a writer) or a device (/dev/zero never ends) is an error, so
// a file a program names cannot hang or flood the reader. The caller closes
// the descriptor.
Result<int> open_regular_file(const std::filesystem::path& path);

Result<std::string> read_file(const std::filesystem::path& path);

// Reads at most `max_bytes` from the start of a regular file, handing each
// chunk to `on_chunk` as it arrives, so the file is never held whole.
Result<void> read_file_chunks(const std::filesystem::path& path, std::uint64_t max_bytes,
                              const std::function<void(std::string_view chunk)>& on_chunk);

// Reads at most `max_bytes` from the end of the file.
Result<std::string> read_file_tail(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace util
