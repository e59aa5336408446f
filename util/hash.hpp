#pragma once
// Content digests, written as "xxh3:<16 hex digits>" (XXH3, 64 bits).
#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace util {

std::string digest_bytes(std::string_view bytes);
Result<std::string> digest_file(const std::filesystem::path& path);

}  // namespace util
