// `seedgate lint` over 100,000 lines of mixed C++ and Python: the project's
// own C++ sources and the lint fixtures' Python, copied under distinct
// folders until the line count is reached (about 60% C++, 40% Python).
// BM_LintInMemory tokenizes and lints; BM_LintFromDisk also walks a folder
// and reads every file, as `seedgate lint DIR` does.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "lint/lint.hpp"
#include "util/atomic_file.hpp"

namespace {

namespace fs = std::filesystem;

struct Corpus {
  std::vector<std::pair<std::string, std::string>> files;  // path, text
  std::size_t lines = 0;
  std::size_t python_lines = 0;
};

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

const Corpus& corpus() {
  static const Corpus c = [] {
    std::vector<std::pair<std::string, std::string>> cpp, python;
    const fs::path root = PROJECT_DIR;
    for (const char* dir : {"util", "checks", "lint", "harness", "adapters", "examples", "tests/unit/lint/fixtures"}) {
      for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
        auto language = lint::language_of(entry.path());
        if (!entry.is_regular_file() || !language) continue;
        auto text = util::read_file(entry.path());
        if (!text) continue;
        (*language == lint::Language::cpp ? cpp : python)
            .emplace_back(entry.path().lexically_relative(root).generic_string(), *text);
      }
    }
    Corpus out;
    std::size_t cpp_lines = 0, python_lines = 0;
    for (int copy = 0; out.lines < 100000; ++copy) {
      // Keep Python near 40% of the lines.
      auto& source = python_lines * 3 < cpp_lines * 2 ? python : cpp;
      std::size_t& tally = &source == &python ? python_lines : cpp_lines;
      for (const auto& [path, text] : source) {
        out.files.emplace_back("copy" + std::to_string(copy) + "/" + path, text);
        tally += count_lines(text);
        out.lines += count_lines(text);
      }
    }
    out.python_lines = python_lines;
    return out;
  }();
  return c;
}

void BM_LintInMemory(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t findings = 0;
  for (auto _ : state) {
    std::vector<lint::SourceFile> files;
    files.reserve(c.files.size());
    for (const auto& [path, text] : c.files) files.push_back(lint::make_source(path, *lint::language_of(path), text));
    auto report = lint::lint_sources(files, {});
    findings = report->findings.size();
    benchmark::DoNotOptimize(report);
  }
  state.counters["lines"] = static_cast<double>(c.lines);
  state.counters["python_lines"] = static_cast<double>(c.python_lines);
  state.counters["files"] = static_cast<double>(c.files.size());
  state.counters["findings"] = static_cast<double>(findings);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.lines));
}
BENCHMARK(BM_LintInMemory)->Unit(benchmark::kMillisecond);

void BM_LintFromDisk(benchmark::State& state) {
  const Corpus& c = corpus();
  fs::path dir = fs::temp_directory_path() / "seedgate-lint-bench";
  fs::remove_all(dir);
  for (const auto& [path, text] : c.files) {
    fs::create_directories((dir / path).parent_path());
    (void)util::write_file_atomic(dir / path, text);
  }
  for (auto _ : state) {
    auto files = lint::read_sources(dir, {"."}, {});
    auto report = lint::lint_sources(*files, {});
    benchmark::DoNotOptimize(report);
  }
  state.counters["lines"] = static_cast<double>(c.lines);
  fs::remove_all(dir);
}
BENCHMARK(BM_LintFromDisk)->Unit(benchmark::kMillisecond);

}  // namespace
