// The protocol examples both seedgate::protocol and the Python package read
// (tests/data/protocol-examples.json): the same input gives the same bytes.
// Records, json_number, json_string, settings_from_environment and the
// predictions writers, each against the file's expected output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "seedgate/protocol.hpp"

namespace {

namespace fs = std::filesystem;
namespace protocol = seedgate::protocol;
using nlohmann::json;

const json& examples() {
  static const json parsed = [] {
    std::ifstream in(PROTOCOL_EXAMPLES, std::ios::binary);
    return json::parse(in);  // throws (and fails the test) if the file is missing or malformed
  }();
  return parsed;
}

// The examples' numbers are strings, so no JSON parser rounds them.
double number(const json& text) {
  const std::string s = text.get<std::string>();
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  EXPECT_EQ(*end, '\0') << "not a number: " << s;
  return value;
}

std::vector<std::pair<std::string, double>> pairs(const json& values) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& pair : values) out.emplace_back(pair.at(0).get<std::string>(), number(pair.at(1)));
  return out;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class ProtocolExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("seedgate-protocol-examples-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path m_dir;
};

TEST_F(ProtocolExamples, EverySectionHasExamples) {
  for (const char* section : {"records", "numbers", "strings", "settings", "predictions"}) {
    ASSERT_TRUE(examples().contains(section)) << section;
    EXPECT_GE(examples()[section].size(), 10U) << section;
  }
  EXPECT_TRUE(examples().contains("about"));
}

TEST_F(ProtocolExamples, RecordsAreTheLinesTheWriterAppends) {
  int index = 0;
  for (const auto& example : examples().at("records")) {
    SCOPED_TRACE("records[" + std::to_string(index++) + "]: " + example.dump());
    const std::string path = (m_dir / ("metrics-" + std::to_string(index) + ".jsonl")).string();
    {
      protocol::Writer writer(path);
      const std::string call = example.at("call");
      if (call == "metrics") {
        std::optional<std::int64_t> step;
        if (!example.at("step").is_null()) step = example.at("step").get<std::int64_t>();
        writer.metrics(pairs(example.at("values")), step);
      } else if (call == "artifact") {
        writer.artifact(example.at("name").get<std::string>(), example.at("digest").get<std::string>());
      } else if (call == "event") {
        writer.event(example.at("name").get<std::string>(), example.at("message").get<std::string>());
      } else if (call == "environment") {
        std::map<std::string, std::string> values;
        for (const auto& [key, value] : example.at("values").items()) values[key] = value.get<std::string>();
        writer.environment(values);
      } else if (call == "importance") {
        writer.importance(example.at("kind").get<std::string>(), pairs(example.at("values")));
      } else {
        ADD_FAILURE() << "unknown call " << call;
        continue;
      }
    }
    EXPECT_EQ(contents(path), example.at("line").get<std::string>() + "\n");
  }
}

TEST_F(ProtocolExamples, NumbersAreJsonNumbersText) {
  for (const auto& example : examples().at("numbers")) {
    EXPECT_EQ(protocol::json_number(number(example.at("value"))), example.at("json").get<std::string>())
        << example.at("value");
  }
}

TEST_F(ProtocolExamples, StringsAreJsonStringsText) {
  for (const auto& example : examples().at("strings")) {
    EXPECT_EQ(protocol::json_string(example.at("text").get<std::string>()), example.at("json").get<std::string>())
        << example.dump();
  }
}

TEST_F(ProtocolExamples, SettingsAreReadFromTheseVariablesOnly) {
  int index = 0;
  for (const auto& example : examples().at("settings")) {
    SCOPED_TRACE("settings[" + std::to_string(index++) + "]: " + example.dump());
    std::map<std::string, std::string> environment;
    for (const auto& [name, value] : example.at("environment").items()) environment[name] = value.get<std::string>();
    auto lookup = [&](const char* name) -> const char* {
      auto it = environment.find(name);
      return it == environment.end() ? nullptr : it->second.c_str();
    };
    if (example.contains("error")) {
      std::string error = "(no error)";
      try {
        protocol::settings_from_environment(lookup);
      } catch (const protocol::ConfigurationError& e) {
        error = e.what();
      }
      EXPECT_EQ(error, example.at("error").get<std::string>());
      continue;
    }
    const json& expect = example.at("expect");
    protocol::Settings settings = protocol::settings_from_environment(lookup);
    EXPECT_EQ(settings.seed, expect.at("seed").get<std::int64_t>());
    for (protocol::Source source : protocol::kSources) {
      const std::string name(protocol::source_name(source));
      const json& sources = expect.at("sources");
      EXPECT_EQ(settings.has_own_seed(source), sources.contains(name)) << name;
      EXPECT_EQ(settings.seed_for(source),
                sources.contains(name) ? sources.at(name).get<std::int64_t>() : expect.at("seed").get<std::int64_t>())
          << name;
    }
    EXPECT_EQ(settings.deterministic, expect.at("deterministic").get<bool>());
    EXPECT_EQ(settings.device, expect.at("device").get<std::string>());
    EXPECT_EQ(settings.threads, expect.at("threads").get<int>());
    EXPECT_EQ(settings.repeat, expect.at("repeat").get<int>());
    EXPECT_EQ(settings.run_dir, expect.at("run_dir").get<std::string>());
    EXPECT_EQ(settings.metrics_path, expect.at("metrics_path").get<std::string>());
    EXPECT_EQ(settings.predictions_path, expect.at("predictions_path").get<std::string>());
    EXPECT_EQ(settings.under_seedgate, expect.at("under_seedgate").get<bool>());
  }
}

TEST_F(ProtocolExamples, PredictionsFilesHaveTheseBytes) {
  int index = 0;
  for (const auto& example : examples().at("predictions")) {
    SCOPED_TRACE("predictions[" + std::to_string(index++) + "]: " + example.dump());
    const std::string path = example.value("empty_path", false)
                                 ? std::string()
                                 : (m_dir / ("predictions-" + std::to_string(index))).string();
    const std::string format_name = example.at("format");
    const auto format = format_name == "csv"      ? protocol::PredictionsFormat::csv
                        : format_name == "binary" ? protocol::PredictionsFormat::binary
                                                  : protocol::PredictionsFormat::automatic;
    ASSERT_TRUE(format_name == "csv" || format_name == "binary" || format_name == "auto") << format_name;
    std::vector<std::int64_t> ids;
    if (example.contains("ids")) ids = example.at("ids").get<std::vector<std::int64_t>>();
    const std::string call = example.at("call");
    std::string error;
    try {
      if (call == "write_probabilities") {
        std::vector<float> probabilities;
        for (const auto& p : example.at("probabilities")) probabilities.push_back(static_cast<float>(number(p)));
        protocol::write_probabilities(path, example.at("labels").get<std::vector<int>>(), probabilities,
                                      example.at("classes").get<int>(), ids, format);
      } else if (call == "write_classes") {
        protocol::write_classes(path, example.at("labels").get<std::vector<int>>(),
                                example.at("predicted").get<std::vector<int>>(), ids, format);
      } else if (call == "write_values") {
        std::vector<double> targets;
        std::vector<double> values;
        for (const auto& t : example.at("targets")) targets.push_back(number(t));
        for (const auto& v : example.at("values")) values.push_back(number(v));
        protocol::write_values(path, targets, values, ids, format);
      } else {
        ADD_FAILURE() << "unknown call " << call;
        continue;
      }
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    if (example.contains("error")) {
      const std::string expected = example.at("error").get<std::string>();
      EXPECT_EQ(error, path.empty() ? expected : replace_all(expected, "{path}", path));
      if (!path.empty()) {
        EXPECT_FALSE(fs::exists(path)) << "an argument error wrote the file";
        EXPECT_FALSE(fs::exists(path + ".tmp"));
      }
    } else {
      EXPECT_EQ(error, "");
      EXPECT_EQ(hex(contents(path)), example.at("hex").get<std::string>());
      EXPECT_FALSE(fs::exists(path + ".tmp"));
    }
  }
}

}  // namespace
