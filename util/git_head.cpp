#include "util/git_head.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <string_view>
#include <system_error>

namespace util {
namespace {

namespace fs = std::filesystem;

// A small file's first line, without its line ending; nullopt when it cannot be read.
std::optional<std::string> first_line(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  if (in.bad()) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

bool is_object_name(std::string_view text) {
  return (text.size() == 40 || text.size() == 64) &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool is_folder(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

// A folder is a git directory when it has HEAD, objects/ and refs/, as git checks.
bool is_git_dir(const fs::path& dir) {
  return is_file(dir / "HEAD") && is_folder(dir / "objects") && is_folder(dir / "refs");
}

// `.git` in `folder`, as a folder or as a "gitdir: <path>" file; nullopt when neither.
std::optional<fs::path> dot_git(const fs::path& folder) {
  fs::path candidate = folder / ".git";
  if (is_folder(candidate)) return candidate;
  if (!is_file(candidate)) return std::nullopt;
  auto line = first_line(candidate);
  constexpr std::string_view kPrefix = "gitdir: ";
  if (!line || !line->starts_with(kPrefix)) return std::nullopt;
  fs::path target = line->substr(kPrefix.size());
  return target.is_absolute() ? target : folder / target;
}

// The object name `ref` points at: its loose file, else its line in
// packed-refs. Empty when the ref does not exist; nullopt when the files say
// something this reader does not follow.
std::optional<std::string> resolve(const fs::path& git_dir, const fs::path& common_dir, const std::string& ref) {
  // Branches and tags live in the common folder; a worktree keeps only its own HEAD-like refs.
  for (const fs::path& base : {git_dir, common_dir}) {
    fs::path loose = base / ref;
    if (!is_file(loose)) continue;
    auto line = first_line(loose);
    if (!line || !is_object_name(*line)) return std::nullopt;  // a symbolic ref or damage: git knows
    return *line;
  }
  std::ifstream packed(common_dir / "packed-refs", std::ios::binary);
  std::string line;
  while (std::getline(packed, line)) {
    if (line.empty() || line.front() == '#' || line.front() == '^') continue;
    auto space = line.find(' ');
    if (space == std::string::npos) continue;
    std::string_view name = std::string_view(line).substr(space + 1);
    while (!name.empty() && name.back() == '\r') name.remove_suffix(1);
    if (name != ref) continue;
    std::string object = line.substr(0, space);
    if (!is_object_name(object)) return std::nullopt;
    return object;
  }
  return std::string();
}

}  // namespace

std::optional<GitHead> read_git_head(const fs::path& dir) {
  // Variables that move or bound git's search: only git itself follows them all.
  for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                           "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE"}) {
    if (std::getenv(name) != nullptr) return std::nullopt;
  }
  std::error_code ec;
  // `git -C dir` enters the folder, so symbolic links are followed first.
  fs::path folder = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) return std::nullopt;
  std::optional<fs::path> git_dir;
  for (fs::path at = folder;; at = at.parent_path()) {
    git_dir = dot_git(at);
    if (!git_dir && is_git_dir(at)) git_dir = at;
    if (git_dir || at == at.root_path() || at.parent_path() == at) break;
  }
  if (!git_dir) return GitHead{};
  if (!is_file(*git_dir / "HEAD")) return std::nullopt;
  fs::path common_dir = *git_dir;
  if (auto common = first_line(*git_dir / "commondir")) {
    fs::path path = *common;
    common_dir = path.is_absolute() ? path : *git_dir / path;
  }
  if (is_folder(common_dir / "reftable")) return std::nullopt;

  auto head = first_line(*git_dir / "HEAD");
  if (!head) return std::nullopt;
  if (is_object_name(*head)) return GitHead{*head, ""};  // detached
  constexpr std::string_view kSymbolic = "ref: ";
  constexpr std::string_view kBranches = "refs/heads/";
  if (!head->starts_with(kSymbolic)) return std::nullopt;
  std::string ref = head->substr(kSymbolic.size());
  // HEAD on anything but a branch (a remote-tracking ref, a tag): git abbreviates it its own way.
  if (!ref.starts_with(kBranches) || ref.size() == kBranches.size()) return std::nullopt;
  auto commit = resolve(*git_dir, common_dir, ref);
  if (!commit) return std::nullopt;
  // A branch with no commit yet: git prints neither.
  if (commit->empty()) return GitHead{};
  return GitHead{*commit, ref.substr(kBranches.size())};
}

}  // namespace util
