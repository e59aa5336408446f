#include "util/atomic_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "util/hash.hpp"

namespace util {
namespace {

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("seedgate-util-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(AtomicFileTest, WritesAndReplaces) {
  auto dir = temp_dir();
  ASSERT_TRUE(write_file_atomic(dir / "f", "first"));
  ASSERT_TRUE(write_file_atomic(dir / "f", "second"));
  EXPECT_EQ(*read_file(dir / "f"), "second");
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

TEST(AtomicFileTest, ReportsUnwritableFolder) {
  auto result = write_file_atomic("/nonexistent-folder/f", "x");
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().starts_with("cannot write /nonexistent-folder/f.tmp.")) << result.error();
}

// A neighbour plants symlinks under every temporary name the next writes
// could take, pointing at a file of theirs: the write must go around them and
// leave the victim alone.
TEST(AtomicFileTest, PlantedSymlinksAtTheTemporaryNameAreNotFollowed) {
  auto dir = temp_dir();
  ASSERT_TRUE(write_file_atomic(dir / "victim", "precious"));
  ASSERT_TRUE(write_file_atomic(dir / "probe", "x"));  // the counter has moved past its first name
  std::filesystem::create_symlink(dir / "victim", dir / ("results.json.tmp." + std::to_string(::getpid())));
  for (int i = 0; i < 50; ++i) {
    std::filesystem::create_symlink(dir / "victim",
                                    dir / ("results.json.tmp." + std::to_string(::getpid()) + "." + std::to_string(i)));
  }
  ASSERT_TRUE(write_file_atomic(dir / "results.json", "results"));
  EXPECT_EQ(*read_file(dir / "victim"), "precious");
  EXPECT_EQ(*read_file(dir / "results.json"), "results");
  EXPECT_FALSE(std::filesystem::is_symlink(dir / "results.json"));
}

TEST(AtomicFileTest, ReadsTail) {
  auto dir = temp_dir();
  ASSERT_TRUE(write_file_atomic(dir / "f", "0123456789"));
  EXPECT_EQ(*read_file_tail(dir / "f", 4), "6789");
  EXPECT_EQ(*read_file_tail(dir / "f", 100), "0123456789");
}

TEST(HashTest, DigestsMatchForSameBytes) {
  auto dir = temp_dir();
  ASSERT_TRUE(write_file_atomic(dir / "a", "weights"));
  EXPECT_EQ(*digest_file(dir / "a"), digest_bytes("weights"));
  EXPECT_NE(digest_bytes("weights"), digest_bytes("weightz"));
  EXPECT_EQ(digest_bytes("").substr(0, 5), "xxh3:");
  EXPECT_EQ(digest_bytes("").size(), 21u);
  EXPECT_FALSE(digest_file(dir / "missing"));
}

}  // namespace
}  // namespace util
