#pragma once
// What the two lint targets share: one file's text through its tokenizer,
// the whole lint (facts, rules, suppressions) and every output format.
#include <cstddef>
#include <cstdint>

#include "lint/tokenizer.hpp"

int lint_one_file(const std::uint8_t* data, std::size_t size, lint::Language language);
