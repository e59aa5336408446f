// GPU slots with fake devices: [sweep] gpus = N on a machine without a GPU
// plans the cuda runs and shares N slots among them. The program (a shell
// script) takes a lock on the GPU it was shown, so two runs shown the same GPU
// at once fail, and writes when it held it, so the test sees how many ran
// together.
#include <algorithm>
#include <sstream>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

// A cuda run must see exactly one of GPUs 0 and 1 (a cuda:1 run GPU 1), and
// no other run may hold it meanwhile (mkdir fails: exit 3); a cpu run must see
// none.
constexpr const char* kProgram = R"(set -u
if [ "$SEEDGATE_DEVICE" != cpu ]; then
  case "$SEEDGATE_DEVICE:${CUDA_VISIBLE_DEVICES-unset}" in
    cuda:0|cuda:1|cuda:1:1) ;;
    *) echo "$SEEDGATE_DEVICE run shown CUDA_VISIBLE_DEVICES='${CUDA_VISIBLE_DEVICES-unset}'" >&2; exit 2 ;;
  esac
  mkdir "$LOCKS/gpu-$CUDA_VISIBLE_DEVICES" || { echo "GPU $CUDA_VISIBLE_DEVICES is taken" >&2; exit 3; }
  start=$(date +%s.%N)
  if [ "$SEEDGATE_DEVICE" = cuda:1 ]; then sleep 0.1; else sleep 0.3; fi
  end=$(date +%s.%N)
  rmdir "$LOCKS/gpu-$CUDA_VISIBLE_DEVICES"
  echo "$start $end $CUDA_VISIBLE_DEVICES" >> "$LOCKS/held"
else
  if [ "${CUDA_VISIBLE_DEVICES-unset}" != "" ]; then
    echo "cpu run shown CUDA_VISIBLE_DEVICES='${CUDA_VISIBLE_DEVICES-unset}'" >&2
    exit 2
  fi
fi
)";

struct Held {
  double start = 0;
  double end = 0;
  std::string gpu;
};

class GpuSlotsTest : public CliTest {
 protected:
  void write_policy_with_gpus(const std::string& gpus, const std::string& devices = R"("cpu", "cuda")") {
    fs::create_directories(m_dir / "locks");
    std::ofstream(m_dir / "train.sh") << kProgram;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\"]\nenv = {{ LOCKS = \"{}\" }}\n"
        "[sweep]\nseeds = 6\ndevices = [{}]\ngpus = {}\n\n"
        "[[check]]\nkind = \"failures\"\nrate_at_most = 0.01\n",
        (m_dir / "locks").string(), devices, gpus);
  }

  std::vector<Held> held() {
    std::vector<Held> spans;
    std::istringstream lines(*util::read_file(m_dir / "locks" / "held"));
    Held h;
    while (lines >> h.start >> h.end >> h.gpu) spans.push_back(h);
    return spans;
  }

  // The most spans that overlap at one moment, and whether two of those
  // overlapping held the same GPU.
  static std::pair<std::size_t, bool> most_at_once(const std::vector<Held>& spans) {
    std::size_t most = 0;
    bool shared = false;
    for (const Held& a : spans) {
      std::size_t now = 0;  // spans running at a's start
      for (const Held& b : spans) {
        if (b.start <= a.start && a.start < b.end) {
          ++now;
          if (&a != &b && a.gpu == b.gpu) shared = true;
        }
      }
      most = std::max(most, now);
    }
    return {most, shared};
  }

  void expect_all_passed(const Outcome& o) {
    nlohmann::json r = results("out/results.json");
    ASSERT_EQ(r["runs"].size(), 12u) << o.out << o.err;
    std::size_t cuda = 0;
    for (const nlohmann::json& run : r["runs"]) {
      EXPECT_EQ(run["status"], "passed") << run.dump();
      if (run["device"] == "cuda") ++cuda;
    }
    EXPECT_EQ(cuda, 6u);
  }
};

// Four CPU slots would let four cuda runs start together; two GPUs let two.
TEST_F(GpuSlotsTest, CudaRunsShareThePolicysGpusOneRunPerGpu) {
  write_policy_with_gpus("2");
  Outcome o = seedgate({"run", "--out", "out", "-j", "4"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  expect_all_passed(o);
  std::vector<Held> spans = held();
  ASSERT_EQ(spans.size(), 6u);
  EXPECT_EQ(std::count_if(spans.begin(), spans.end(), [](const Held& h) { return h.gpu == "0"; }) +
                std::count_if(spans.begin(), spans.end(), [](const Held& h) { return h.gpu == "1"; }),
            6);
  auto [most, shared] = most_at_once(spans);
  EXPECT_EQ(most, 2u) << "cuda runs must overlap, two at a time at most";
  EXPECT_FALSE(shared);
}

// A cuda:1 run sees GPU 1 and so waits for the slot whose runs see GPU 1.
// Were it to take whichever slot is free, it would share GPU 1: the first
// cuda:1 run (slot 1) ends before the first cuda run (slot 0), the next cuda
// run takes slot 1, and when slot 0 frees the next cuda:1 run would take it.
TEST_F(GpuSlotsTest, ARunPinnedToOneGpuWaitsForThatGpusSlot) {
  write_policy_with_gpus("2", R"("cuda", "cuda:1")");
  Outcome o = seedgate({"run", "--out", "out", "-j", "4"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  ASSERT_EQ(r["runs"].size(), 12u) << o.out << o.err;
  for (const nlohmann::json& run : r["runs"]) EXPECT_EQ(run["status"], "passed") << run.dump();
  std::vector<Held> spans = held();
  ASSERT_EQ(spans.size(), 12u);
  EXPECT_GE(std::count_if(spans.begin(), spans.end(), [](const Held& h) { return h.gpu == "1"; }), 6);
  EXPECT_FALSE(most_at_once(spans).second) << "two runs held one GPU at once";
}

// The control: with one GPU the same sweep runs the cuda runs one at a
// time, and the overlap measure above says so.
TEST_F(GpuSlotsTest, OneGpuRunsTheCudaRunsOneAtATime) {
  write_policy_with_gpus("1");
  Outcome o = seedgate({"run", "--out", "out", "-j", "4"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  expect_all_passed(o);
  std::vector<Held> spans = held();
  ASSERT_EQ(spans.size(), 6u);
  for (const Held& h : spans) EXPECT_EQ(h.gpu, "0");
  EXPECT_EQ(most_at_once(spans).first, 1u);
}

TEST_F(GpuSlotsTest, ANegativeGpuCountIsAPolicyError) {
  write_policy_with_gpus("-1");
  Outcome o = seedgate({"run", "--out", "out"});
  EXPECT_EQ(o.exit_code, 2);  // a usage error, as every policy error
  EXPECT_EQ(o.err, "seedgate.toml:8:8: 'gpus' must be at least 0, got -1\n");
}

}  // namespace
