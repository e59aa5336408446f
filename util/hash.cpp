#include "util/hash.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace util {
namespace {
std::string format_digest(XXH64_hash_t hash) {
  return fmt::format("xxh3:{:016x}", hash);
}
}  // namespace

std::string digest_bytes(std::string_view bytes) {
  return format_digest(XXH3_64bits(bytes.data(), bytes.size()));
}

Result<std::string> digest_file(const std::filesystem::path& path) {
  auto opened = open_regular_file(path);
  if (!opened) return make_error(opened.error());
  int fd = *opened;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), XXH3_freeState);
  XXH3_64bits_reset(state.get());
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      std::string message = fmt::format("cannot read {}: {}", path.string(), error_text(errno));
      ::close(fd);
      return make_error(message);
    }
    if (got == 0) break;
    XXH3_64bits_update(state.get(), buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return format_digest(XXH3_64bits_digest(state.get()));
}

}  // namespace util
