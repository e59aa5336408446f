#include "util/git_head.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <cstdio>
#include <fstream>

// Each case builds a repository with the real git and compares what the
// reader finds with what `git rev-parse HEAD` and `git rev-parse --abbrev-ref
// HEAD` print there.
namespace util {
namespace {

namespace fs = std::filesystem;

std::string shell(const std::string& command, int* status = nullptr) {
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return "";
  std::string out;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) out += buffer.data();
  int rc = ::pclose(pipe);
  if (status) *status = rc;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string quoted(const fs::path& path) {
  return "'" + path.string() + "'";
}

// What git says, as seedgate kept it before reading the files itself.
GitHead from_git(const fs::path& dir) {
  int status = 0;
  GitHead head;
  head.branch = shell("git -C " + quoted(dir) + " rev-parse --abbrev-ref HEAD", &status);
  if (status != 0 || head.branch == "HEAD") head.branch.clear();
  head.commit = shell("git -C " + quoted(dir) + " rev-parse HEAD", &status);
  if (status != 0) head.commit.clear();
  return head;
}

class GitHeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (shell("git --version").empty()) GTEST_SKIP() << "git is not installed";
    m_root = fs::temp_directory_path() / ("seedgate-git-head-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root);
  }
  void TearDown() override {
    if (!m_root.empty()) fs::remove_all(m_root);
  }

  // A repository with one commit on `main`.
  fs::path repository(const std::string& name) {
    fs::path repo = m_root / name;
    git(m_root, "init -q -b main " + quoted(repo));
    std::ofstream(repo / "file") << "content\n";
    git(repo, "add file");
    commit(repo, "first");
    return repo;
  }
  void commit(const fs::path& repo, const std::string& message) {
    git(repo, "-c user.name=t -c user.email=t@example.com commit -q --allow-empty -m " + message);
  }
  static void git(const fs::path& dir, const std::string& args) {
    int status = 0;
    shell("git -C " + quoted(dir) + " " + args, &status);
    ASSERT_EQ(status, 0) << "git " << args;
  }
  static void expect_as_git(const fs::path& dir) {
    auto read = read_git_head(dir);
    ASSERT_TRUE(read.has_value()) << dir;
    GitHead git_says = from_git(dir);
    EXPECT_EQ(read->commit, git_says.commit) << dir;
    EXPECT_EQ(read->branch, git_says.branch) << dir;
  }

  fs::path m_root;
};

TEST_F(GitHeadTest, BranchWithALooseRef) {
  fs::path repo = repository("loose");
  expect_as_git(repo);
  EXPECT_EQ(read_git_head(repo)->branch, "main");
  EXPECT_EQ(read_git_head(repo)->commit.size(), 40u);
  // From a folder deep inside the work tree, too.
  fs::create_directories(repo / "a" / "b");
  expect_as_git(repo / "a" / "b");
}

TEST_F(GitHeadTest, BranchWithASlashAndPackedRefs) {
  fs::path repo = repository("packed");
  git(repo, "checkout -q -b feature/speed");
  commit(repo, "second");
  git(repo, "pack-refs --all");
  ASSERT_FALSE(fs::exists(repo / ".git" / "refs" / "heads" / "feature" / "speed"));
  expect_as_git(repo);
  EXPECT_EQ(read_git_head(repo)->branch, "feature/speed");
}

TEST_F(GitHeadTest, DetachedHead) {
  fs::path repo = repository("detached");
  commit(repo, "second");
  git(repo, "checkout -q --detach HEAD~1");
  expect_as_git(repo);
  EXPECT_EQ(read_git_head(repo)->branch, "");
}

TEST_F(GitHeadTest, LinkedWorktree) {
  fs::path repo = repository("main-tree");
  git(repo, "branch other");
  git(repo, "worktree add -q " + quoted(m_root / "linked") + " other");
  commit(m_root / "linked", "on-other");
  ASSERT_TRUE(fs::is_regular_file(m_root / "linked" / ".git"));
  expect_as_git(m_root / "linked");
  EXPECT_EQ(read_git_head(m_root / "linked")->branch, "other");
  expect_as_git(repo);
}

TEST_F(GitHeadTest, BranchWithoutACommit) {
  fs::path repo = m_root / "unborn";
  git(m_root, "init -q -b main " + quoted(repo));
  expect_as_git(repo);
  EXPECT_EQ(read_git_head(repo)->commit, "");
}

TEST_F(GitHeadTest, NoRepository) {
  // Under the temporary folder, unless that itself is inside a work tree.
  if (!from_git(m_root).commit.empty()) GTEST_SKIP() << "the temporary folder is inside a git work tree";
  auto read = read_git_head(m_root);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->commit, "");
  EXPECT_EQ(read->branch, "");
}

TEST_F(GitHeadTest, LeavesToGitWhatOnlyGitSettles) {
  fs::path repo = repository("odd");
  // HEAD on a tag, not a branch.
  std::ofstream(repo / ".git" / "HEAD") << "ref: refs/tags/v1\n";
  EXPECT_FALSE(read_git_head(repo).has_value());
  // A HEAD that is neither a ref nor an object name.
  std::ofstream(repo / ".git" / "HEAD") << "garbage\n";
  EXPECT_FALSE(read_git_head(repo).has_value());
  // A variable that moves git's search.
  std::ofstream(repo / ".git" / "HEAD") << "ref: refs/heads/main\n";
  ::setenv("GIT_DIR", (repo / ".git").c_str(), 1);
  EXPECT_FALSE(read_git_head(repo).has_value());
  ::unsetenv("GIT_DIR");
  EXPECT_TRUE(read_git_head(repo).has_value());
}

}  // namespace
}  // namespace util
