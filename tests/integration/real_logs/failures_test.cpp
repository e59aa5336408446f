// Failures explained where people look: console, Markdown and JUnit tails, every run failed, fail-fast, artifacts outside the run folder.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

}  // namespace
