// seedgate::protocol's per-source seeds: SEEDGATE_SEED_INIT, _ORDER, _SPLIT
// and _DROPOUT, each falling back to SEEDGATE_SEED.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "seedgate/protocol.hpp"

namespace protocol = seedgate::protocol;
using protocol::Source;

namespace {

protocol::Settings settings_of(const std::map<std::string, std::string>& env) {
  return protocol::settings_from_environment([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

std::string error_of(const std::map<std::string, std::string>& env) {
  try {
    settings_of(env);
  } catch (const protocol::ConfigurationError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(ProtocolSources, EverySourceFollowsSeedgateSeedWhenItHasNoVariable) {
  protocol::Settings s = settings_of({{"SEEDGATE_SEED", "17"}});
  for (Source source : protocol::kSources) {
    EXPECT_EQ(s.seed_for(source), 17) << protocol::source_name(source);
    EXPECT_FALSE(s.has_own_seed(source)) << protocol::source_name(source);
  }
  // By hand: seed 0 for every source.
  protocol::Settings by_hand = settings_of({});
  for (Source source : protocol::kSources) EXPECT_EQ(by_hand.seed_for(source), 0);
}

TEST(ProtocolSources, EachVariableMovesOnlyItsSource) {
  const std::map<Source, std::string> variables = {{Source::init, "SEEDGATE_SEED_INIT"},
                                                   {Source::order, "SEEDGATE_SEED_ORDER"},
                                                   {Source::split, "SEEDGATE_SEED_SPLIT"},
                                                   {Source::dropout, "SEEDGATE_SEED_DROPOUT"}};
  for (const auto& [varied, variable] : variables) {
    EXPECT_EQ(protocol::source_variable(varied), variable);
    protocol::Settings s = settings_of({{"SEEDGATE_SEED", "3"}, {variable, "-9000000000"}});
    EXPECT_EQ(s.seed, 3);
    for (Source source : protocol::kSources) {
      EXPECT_EQ(s.seed_for(source), source == varied ? -9000000000 : 3)
          << variable << " " << protocol::source_name(source);
      EXPECT_EQ(s.has_own_seed(source), source == varied) << variable;
    }
  }
}

TEST(ProtocolSources, AllFourAtOnceAndWithoutSeedgateSeed) {
  protocol::Settings s = settings_of({{"SEEDGATE_SEED_INIT", "1"},
                                      {"SEEDGATE_SEED_ORDER", "2"},
                                      {"SEEDGATE_SEED_SPLIT", "3"},
                                      {"SEEDGATE_SEED_DROPOUT", "4"}});
  EXPECT_EQ(s.seed_for(Source::init), 1);
  EXPECT_EQ(s.seed_for(Source::order), 2);
  EXPECT_EQ(s.seed_for(Source::split), 3);
  EXPECT_EQ(s.seed_for(Source::dropout), 4);
  EXPECT_EQ(s.seed, 0);
  EXPECT_FALSE(s.under_seedgate);  // only SEEDGATE_SEED says a run is seedgate's
}

TEST(ProtocolSources, SettingsBuiltByHandUseTheirSeedForEverySource) {
  protocol::Settings s;
  s.seed = 99;
  for (Source source : protocol::kSources) EXPECT_EQ(s.seed_for(source), 99);
  s.sources.order = 5;
  EXPECT_EQ(s.seed_for(Source::order), 5);
  EXPECT_EQ(s.seed_for(Source::init), 99);
}

TEST(ProtocolSources, MalformedValuesNameTheVariable) {
  EXPECT_EQ(error_of({{"SEEDGATE_SEED", "1"}, {"SEEDGATE_SEED_ORDER", "abc"}}),
            "SEEDGATE_SEED_ORDER='abc' is not an integer between -9223372036854775808 and 9223372036854775807");
  EXPECT_EQ(error_of({{"SEEDGATE_SEED_INIT", ""}}),
            "SEEDGATE_SEED_INIT='' is not an integer between -9223372036854775808 and 9223372036854775807");
  EXPECT_EQ(error_of({{"SEEDGATE_SEED_SPLIT", "9223372036854775808"}}),
            "SEEDGATE_SEED_SPLIT='9223372036854775808' is not an integer between -9223372036854775808 and "
            "9223372036854775807");
  EXPECT_EQ(error_of({{"SEEDGATE_SEED_DROPOUT", "4 "}}),
            "SEEDGATE_SEED_DROPOUT='4 ' is not an integer between -9223372036854775808 and 9223372036854775807");
}

TEST(ProtocolSources, NamesAreThePolicysWords) {
  EXPECT_EQ(protocol::source_name(Source::init), "init");
  EXPECT_EQ(protocol::source_name(Source::order), "order");
  EXPECT_EQ(protocol::source_name(Source::split), "split");
  EXPECT_EQ(protocol::source_name(Source::dropout), "dropout");
}
