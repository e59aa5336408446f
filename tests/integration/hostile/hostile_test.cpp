// Hostile and broken inputs against the real binary: each case is one test,
// named for what the program, the file or the neighbour does, and says what
// seedgate must do instead of crashing, hanging or lying. Add the next one
// here.
#include <sys/wait.h>

#include <cstdlib>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kThreshold = "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n";

// Runs `shell` (bash) in the test's folder; its exit status.
int shell(const fs::path& dir, const std::string& command) {
  std::string line = fmt::format("cd '{}' && bash -c '{}'", dir.string(), command);
  int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class HostileTest : public CliTest {};

// `seedgate run | head`, or a CI log pipe that closes: the reader of stdout
// and stderr goes away before seedgate has written. It must not die of
// SIGPIPE: the sweep finishes, its results are written and the exit code is
// the verdict's.
TEST_F(HostileTest, ReaderOfTheOutputGoesAway) {
  write_policy("\"stable\"", kThreshold, "", "seeds = 3\n");
  int status = shell(m_dir, fmt::format("{} run 2>&1 | true; exit ${{PIPESTATUS[0]}}", SEEDGATE_BIN));
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(fs::exists(m_dir / ".seedgate" / "results.json"));
  EXPECT_EQ(results(".seedgate/results.json")["verdict"], "pass");
}

}  // namespace
