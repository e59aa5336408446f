#include "harness/run_folders.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace seedgate {
namespace {

namespace fs = std::filesystem;

class RunFoldersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("seedgate-run-folders-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::size_t entries(const fs::path& dir) const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
  }

  fs::path m_dir;
};

TEST_F(RunFoldersTest, AnEmptyFolderIsHandedOnAndNoneIsLeft) {
  {
    RunFolders folders;
    ASSERT_TRUE(folders.make(m_dir / "runs" / "a"));  // the parent is made too
    EXPECT_TRUE(empty_folder(m_dir / "runs" / "a"));
    struct stat first {};
    ASSERT_EQ(::stat((m_dir / "runs" / "a").c_str(), &first), 0);
    folders.release(m_dir / "runs" / "a");
    ASSERT_TRUE(folders.make(m_dir / "runs" / "b"));
    // The same folder, renamed: "a" is gone and "b" is it.
    struct stat second {};
    ASSERT_EQ(::stat((m_dir / "runs" / "b").c_str(), &second), 0);
    EXPECT_EQ(first.st_ino, second.st_ino);
    EXPECT_FALSE(fs::exists(m_dir / "runs" / "a"));
    folders.release(m_dir / "runs" / "b");
    EXPECT_TRUE(fs::exists(m_dir / "runs" / "b"));
  }
  EXPECT_EQ(entries(m_dir / "runs"), 0u);
}

TEST_F(RunFoldersTest, AFolderWithSomethingInItStays) {
  {
    RunFolders folders;
    ASSERT_TRUE(folders.make(m_dir / "a"));
    std::ofstream(m_dir / "a" / "stdout.log") << "out\n";
    folders.release(m_dir / "a");
    ASSERT_TRUE(folders.make(m_dir / "b"));
    EXPECT_TRUE(empty_folder(m_dir / "b"));
    fs::create_directory(m_dir / "b" / "sub");
    folders.release(m_dir / "b");
  }
  EXPECT_TRUE(fs::exists(m_dir / "a" / "stdout.log"));
  EXPECT_TRUE(fs::is_directory(m_dir / "b" / "sub"));
}

TEST_F(RunFoldersTest, WhatAnEarlierSweepLeftIsReplacedByAnEmptyFolder) {
  RunFolders folders;
  fs::create_directories(m_dir / "full" / "deep");
  std::ofstream(m_dir / "full" / "deep" / "old.bin") << "stale\n";
  std::ofstream(m_dir / "file") << "not a folder\n";
  fs::create_directory(m_dir / "target");
  fs::create_symlink(m_dir / "target", m_dir / "link");
  std::ofstream(m_dir / "target" / "keep") << "outside\n";
  // Each case with no folder kept, then with one kept to rename into place.
  for (bool with_spare : {false, true}) {
    for (const char* name : {"full", "file", "link"}) {
      if (with_spare) {
        ASSERT_TRUE(folders.make(m_dir / "spare"));
        folders.release(m_dir / "spare");
      }
      ASSERT_TRUE(folders.make(m_dir / name)) << name;
      EXPECT_TRUE(empty_folder(m_dir / name)) << name;
      EXPECT_FALSE(fs::is_symlink(m_dir / name)) << name;
      std::ofstream(m_dir / name / "new") << "x\n";  // full again for the second pass
      folders.release(m_dir / name);
    }
  }
  // A link is replaced, never followed.
  EXPECT_TRUE(fs::exists(m_dir / "target" / "keep"));
}

// An earlier sweep's folder of the same run is emptied where it is (no rmdir
// and mkdir), unless it is not a folder this process could have made.
TEST_F(RunFoldersTest, AnEarlierFolderIsEmptiedInPlaceOnlyWhenItIsPlainlyOurs) {
  RunFolders folders;
  fs::create_directories(m_dir / "run" / "deep" / "deeper");
  std::ofstream(m_dir / "run" / "metrics.jsonl") << "{}\n";
  std::ofstream(m_dir / "run" / "deep" / "deeper" / "x") << "x\n";
  fs::create_symlink(m_dir / "elsewhere", m_dir / "run" / "dangling");
  struct stat before {};
  ASSERT_EQ(::stat((m_dir / "run").c_str(), &before), 0);
  ASSERT_TRUE(folders.make(m_dir / "run"));
  EXPECT_TRUE(empty_folder(m_dir / "run"));
  struct stat after {};
  ASSERT_EQ(::stat((m_dir / "run").c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  // With a spare folder at hand, too: the spare stays for the next run.
  ASSERT_TRUE(folders.make(m_dir / "spare"));
  folders.release(m_dir / "spare");
  std::ofstream(m_dir / "run" / "stdout.log") << "old\n";
  ASSERT_TRUE(folders.make(m_dir / "run"));
  EXPECT_TRUE(empty_folder(m_dir / "run"));
  EXPECT_TRUE(fs::exists(m_dir / "spare"));
  ASSERT_TRUE(folders.make(m_dir / "next"));
  EXPECT_FALSE(fs::exists(m_dir / "spare"));
  // A folder the owner may not write is made again, with the usual mode.
  std::ofstream(m_dir / "run" / "old") << "old\n";
  fs::permissions(m_dir / "run", fs::perms::owner_read | fs::perms::owner_exec);
  ASSERT_TRUE(folders.make(m_dir / "run"));
  EXPECT_TRUE(empty_folder(m_dir / "run"));
  EXPECT_EQ(fs::status(m_dir / "run").permissions() & fs::perms::owner_write, fs::perms::owner_write);
}

TEST_F(RunFoldersTest, AFolderThatCannotBeMadeIsAnError) {
  RunFolders folders;
  std::ofstream(m_dir / "plain") << "a file\n";
  auto made = folders.make(m_dir / "plain" / "run");
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().find("cannot create " + (m_dir / "plain" / "run").string()), std::string::npos)
      << made.error();
}

TEST_F(RunFoldersTest, EmptyFolderTellsEmptyFromFullAndMissing) {
  fs::create_directory(m_dir / "e");
  EXPECT_TRUE(empty_folder(m_dir / "e"));
  std::ofstream(m_dir / "e" / ".hidden") << "x";
  EXPECT_FALSE(empty_folder(m_dir / "e"));
  EXPECT_FALSE(empty_folder(m_dir / "missing"));
  EXPECT_FALSE(empty_folder(m_dir / "e" / ".hidden"));
}

}  // namespace
}  // namespace seedgate
