// What init and policy lint say about a command the seed cannot reach or a program that does not exist.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

}  // namespace
