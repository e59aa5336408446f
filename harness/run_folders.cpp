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

bool empty_in_place(const std::filesystem::path& dir) {
  // Not a link to somewhere else, and a folder this process may fill as one it made.
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_uid != ::geteuid() || (info.st_mode & S_IRWXU) != S_IRWXU) {
    ::close(fd);
    return false;
  }
  DIR* listing = ::fdopendir(fd);  // owns fd from here
  if (listing == nullptr) {
    ::close(fd);
    return false;
  }
  bool emptied = true;
  errno = 0;
  while (const dirent* entry = ::readdir(listing)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    if (entry->d_type != DT_DIR && ::unlinkat(fd, entry->d_name, 0) == 0) continue;
    // A folder inside (or a name unlink refused): removed whole, links not followed.
    std::error_code ec;
    std::filesystem::remove_all(dir / entry->d_name, ec);
    if (ec) {
      emptied = false;
      break;
    }
    errno = 0;
  }
  if (errno != 0) emptied = false;
  ::closedir(listing);
  return emptied;
}

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
  bool exists = false;
  // A kept folder renamed into place. rename replaces an empty folder there
  // and refuses a full one (an earlier sweep's run of this id).
  while (!m_spare.empty() && !exists) {
    if (::rename(m_spare.back().c_str(), dir.c_str()) == 0) {
      m_spare.pop_back();
      return {};
    }
    exists = errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR || errno == EISDIR;
    // Gone, or not movable: dropped. A refused one stays for the next run.
    if (!exists) {
      ::rmdir(m_spare.back().c_str());
      m_spare.pop_back();
    }
  }
  if (!exists) {
    if (::mkdir(dir.c_str(), 0777) == 0) return {};
    exists = errno == EEXIST;
  }
  // An earlier sweep's folder of this run is emptied where it is: a file's
  // unlink, without the rmdir and mkdir of the folder (which cost more).
  if (exists && empty_in_place(dir)) return {};
  std::error_code ec;
  if (exists) {
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
