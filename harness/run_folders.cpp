#include "harness/run_folders.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seedgate {
namespace {

// More than the jobs that run at once: each finished run hands on its folder.
constexpr std::size_t kMaxSpare = 64;

util::Result<void> cannot_create(const std::filesystem::path& dir, const std::string& reason) {
  return util::make_error(fmt::format("cannot create {}: {}", dir.string(), reason));
}

}  // namespace

bool empty_folder(const std::filesystem::path& dir) {
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) return false;
  bool empty = true;
  errno = 0;
  while (const dirent* entry = ::readdir(listing)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  if (errno != 0) empty = false;
  ::closedir(listing);
  return empty;
}

RunFolders::~RunFolders() {
  for (const std::string& dir : m_spare) ::rmdir(dir.c_str());
}

util::Result<void> RunFolders::make(const std::filesystem::path& dir) {
  // A kept folder renamed into place: rename replaces an empty folder there
  // and refuses a full one (an earlier sweep's run of this id), removed first.
  while (!m_spare.empty()) {
    std::string spare = std::move(m_spare.back());
    m_spare.pop_back();
    if (::rename(spare.c_str(), dir.c_str()) == 0) return {};
    if (errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR || errno == EISDIR) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      if (::rename(spare.c_str(), dir.c_str()) == 0) return {};
    }
    // Gone, or not movable: made fresh below.
    ::rmdir(spare.c_str());
  }
  if (::mkdir(dir.c_str(), 0777) == 0) return {};
  std::error_code ec;
  if (errno == EEXIST) {
    std::filesystem::remove_all(dir, ec);
    if (ec) return cannot_create(dir, ec.message());
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return cannot_create(dir, ec.message());
  if (!std::filesystem::is_directory(dir, ec)) return cannot_create(dir, "not a folder");
  return {};
}

void RunFolders::release(const std::filesystem::path& dir) {
  if (dir.empty() || !empty_folder(dir)) return;
  if (m_spare.size() < kMaxSpare) {
    m_spare.push_back(dir.string());
  } else {
    ::rmdir(dir.c_str());
  }
}

}  // namespace seedgate
