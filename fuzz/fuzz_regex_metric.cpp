// Regex metrics: the input's first line is the pattern, the rest is the
// run's output. Only patterns the policy loader accepts reach
// apply_regex_metric, as in a sweep, so the target holds whichever regex
// engine the loader and the reader share to the same contract: any output,
// any accepted pattern, no crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/metrics.hpp"
#include "harness/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view pattern = input.substr(0, newline);
  const std::string_view output = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  // A TOML literal string holds neither a quote nor a line break.
  if (pattern.find('\'') != std::string_view::npos || pattern.find('\r') != std::string_view::npos) return 0;

  std::string text =
      "version = 1\n[subject]\ncommand = [\"./train\", \"--seed\", \"{seed}\"]\n[sweep]\nseeds = 2\n"
      "[metrics.m]\ngoal = \"max\"\nregex = '";
  text.append(pattern);
  text += "'\n";
  auto policy = seedgate::parse_policy(text, "seedgate.toml", "/work/project");
  if (!policy || policy->metrics.size() != 1) return 0;

  seedgate::MetricSpec metric = policy->metrics.front();
  // Every way of picking among the matches, chosen by the output's length.
  metric.pick = static_cast<seedgate::Pick>(output.size() % 4);
  seedgate::RunReport report;
  seedgate::apply_regex_metric(metric, output, "stdout", report);

  // Lines do not depend on how the log arrives: fed whole, or in chunks of
  // 1 to 7 bytes (a "\r\n" split between two chunks is one line end).
  auto lines_of = [&](std::size_t chunk) {
    std::vector<std::pair<std::string, std::size_t>> lines;
    seedgate::LineSplitter splitter([&](std::string_view line, std::size_t n) { lines.emplace_back(line, n); });
    for (std::size_t i = 0; i < output.size(); i += chunk) splitter.feed(output.substr(i, chunk));
    splitter.finish();
    return lines;
  };
  if (lines_of(output.size() + 1) != lines_of(size % 7 + 1)) __builtin_trap();
  return 0;
}
