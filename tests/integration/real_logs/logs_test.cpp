// Regex metrics over real programs' logs: line ends, streams, seedgate metrics test, re-extraction by check.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

}  // namespace
