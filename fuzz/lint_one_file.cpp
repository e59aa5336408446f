#include "lint_one_file.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "lint/lint.hpp"
#include "lint/report.hpp"

int lint_one_file(const std::uint8_t* data, std::size_t size, lint::Language language) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)lint::tokenize(text, language);

  const char* path = language == lint::Language::cpp ? "train.cpp" : "train.py";
  std::vector<lint::SourceFile> files;
  files.push_back(lint::make_source(path, language, std::move(text)));
  const lint::LintConfig config;
  auto report = lint::lint_sources(files, config);
  if (!report) return 0;
  (void)lint::format_text(*report);
  (void)lint::format_sarif(*report, config, "0.0.0", "/src");
  (void)lint::format_junit(*report, config);
  (void)lint::format_github(*report);
  (void)lint::format_codequality(*report);
  return 0;
}
