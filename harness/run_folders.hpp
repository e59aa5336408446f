#pragma once
// The runs' folders. Each run gets a fresh, empty folder at runs/<id>
// (SEEDGATE_RUN_DIR); one a run left empty is not removed but renamed into
// the next run's place. On ext4 a mkdir and an rmdir cost about ten times a
// rename: for a short program they were a fifth of seedgate's time per run.
#include <filesystem>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace seedgate {

class RunFolders {
 public:
  RunFolders() = default;
  RunFolders(const RunFolders&) = delete;
  RunFolders& operator=(const RunFolders&) = delete;
  // Removes the empty folders still kept, so a run that wrote nothing leaves none.
  ~RunFolders();

  // An empty folder at `dir`, whatever was there (an earlier sweep's run of
  // the same id is removed); its parent is made if missing.
  util::Result<void> make(const std::filesystem::path& dir);
  // After the run: a folder the run left empty is kept for the next make().
  void release(const std::filesystem::path& dir);

 private:
  std::vector<std::string> m_spare;  // empty folders, to be renamed into place
};

// Whether `dir` is a folder with nothing in it (false when it cannot be read).
bool empty_folder(const std::filesystem::path& dir);

// Removes everything in `dir`, a folder of this user's that it may write
// (not a link to one); false when it is not such a folder or something in it
// could not be removed.
bool empty_in_place(const std::filesystem::path& dir);

}  // namespace seedgate
