#pragma once
// Golden-file comparison for reports. A mismatch prints a diff-friendly
// message; SEEDGATE_APPROVE=1 rewrites the golden files from the current
// output instead (then review them with `git diff tests/golden`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "util/atomic_file.hpp"

inline void expect_golden(const std::string& name, const std::string& actual) {
  std::filesystem::path path = std::filesystem::path(GOLDEN_DIR) / name;
  if (const char* approve = std::getenv("SEEDGATE_APPROVE"); approve && std::string(approve) == "1") {
    ASSERT_TRUE(util::write_file_atomic(path, actual));
    return;
  }
  auto expected = util::read_file(path);
  ASSERT_TRUE(expected) << expected.error() << " (run with SEEDGATE_APPROVE=1 to create it)";
  EXPECT_EQ(actual, *expected) << "report differs from " << path.string()
                               << "; if the change is intended, rerun with SEEDGATE_APPROVE=1 and review the diff";
}
