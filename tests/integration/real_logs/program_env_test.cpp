// The program's own environment in the fingerprint: interpreter and package versions, and regression notes naming what changed.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

}  // namespace
