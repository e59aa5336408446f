#pragma once
// The commit and branch a work tree has checked out, read from its `.git`
// files, the way `git rev-parse HEAD` and `git rev-parse --abbrev-ref HEAD`
// print them, without starting git (two git processes cost more than a short
// sweep's runs).
#include <filesystem>
#include <optional>
#include <string>

namespace util {

struct GitHead {
  std::string commit;  // empty: no repository, or a branch with no commit yet
  std::string branch;  // empty: detached, or no repository
};

// The repository holding `dir` is found as git finds it: the nearest folder
// upwards with a `.git` folder or `.git` file (a linked worktree, a
// submodule), or a bare repository. No repository: an empty GitHead.
// nullopt where the files cannot settle it and git must be asked: GIT_DIR
// and the variables like it set, refs kept in a reftable, a HEAD or ref that
// is neither a branch nor an object name.
std::optional<GitHead> read_git_head(const std::filesystem::path& dir);

}  // namespace util
