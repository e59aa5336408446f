#include "util/shared_library.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace util {
namespace {

TEST(SharedLibraryTest, BindsAFunctionOfTheFirstLibraryThatOpens) {
  auto library = SharedLibrary::open({"libseedgate-no-such-library.so.0", "libc.so.6"});
  ASSERT_TRUE(library) << library.error();
  EXPECT_EQ(library->name(), "libc.so.6");
  decltype(&::strlen) length = nullptr;
  ASSERT_TRUE(library->bind("strlen", length));
  EXPECT_EQ(length("seedgate"), 8u);
}

TEST(SharedLibraryTest, ALibraryThatCannotLoadIsNamedWithTheReason) {
  auto library = SharedLibrary::open({"libseedgate-no-such-library.so.0", "/nonexistent/libx.so"});
  ASSERT_FALSE(library);
  EXPECT_TRUE(library.error().starts_with(
      "cannot load libseedgate-no-such-library.so.0 or /nonexistent/libx.so: /nonexistent/libx.so: cannot open"))
      << library.error();
}

TEST(SharedLibraryTest, AMissingFunctionIsNamed) {
  auto library = SharedLibrary::open({"libc.so.6"});
  ASSERT_TRUE(library) << library.error();
  void (*function)() = nullptr;
  auto bound = library->bind("seedgate_no_such_function", function);
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error(), "libc.so.6 has no seedgate_no_such_function: a version older than seedgate was built with?");
  EXPECT_EQ(function, nullptr);
}

}  // namespace
}  // namespace util
