#include "adapters/libtorch/libtorch_adapter.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "adapters/registry.hpp"
#include "util/atomic_file.hpp"

namespace seedgate {
namespace {

TEST(LibTorchAdapterTest, NamesTheOpFromAnUncaughtErrorsText) {
  // A program that does not use guarded_main dies with LibTorch's text on stderr.
  RunReport report;
  diagnose_libtorch_output(
      "terminate called after throwing an instance of 'c10::Error'\n"
      "  what():  index_add_cuda_ does not have a deterministic implementation, but you set "
      "'torch.use_deterministic_algorithms(True)'. You can turn off determinism just for this operation...\n",
      report);
  ASSERT_EQ(report.events.size(), 1u);
  EXPECT_EQ(report.events[0].name, "nondeterministic-op");
  EXPECT_EQ(report.events[0].message, "index_add_cuda_ does not have a deterministic implementation");
}

TEST(LibTorchAdapterTest, KeepsTheEventTheProgramReported) {
  RunReport report;
  report.events.push_back({"nondeterministic-op", "put_ does not have a deterministic implementation"});
  diagnose_libtorch_output("error: put_ does not have a deterministic implementation, but ...", report);
  EXPECT_EQ(report.events.size(), 1u);
}

TEST(LibTorchAdapterTest, KnownFailureTextsBecomeACause) {
  RunReport cublas;
  diagnose_libtorch_output(
      "RuntimeError: Deterministic behavior was enabled with either `torch.use_deterministic_algorithms(True)` or "
      "`at::Context::setDeterministicAlgorithms(true)`, but this operation is not deterministic because it uses "
      "CuBLAS and you have set a CUDA >= 10.2. To enable deterministic behavior in this case, you must set an "
      "environment variable before running your PyTorch application: CUBLAS_WORKSPACE_CONFIG=:4096:8",
      cublas);
  ASSERT_EQ(cublas.events.size(), 1u);
  EXPECT_EQ(cublas.events[0].name, "framework-error");
  EXPECT_EQ(cublas.events[0].message,
            "cuBLAS is not deterministic unless CUBLAS_WORKSPACE_CONFIG=:4096:8 is set before the program starts");

  RunReport memory;
  diagnose_libtorch_output("CUDA out of memory. Tried to allocate 2.00 GiB", memory);
  ASSERT_EQ(memory.events.size(), 1u);
  EXPECT_EQ(memory.events[0].message, "CUDA out of memory");

  RunReport quiet;
  diagnose_libtorch_output("epoch 3 loss 0.2\n", quiet);
  EXPECT_TRUE(quiet.events.empty());
}

TEST(LibTorchAdapterTest, WarnsWhenTheProgramNeverCalledConfigure) {
  auto dir = std::filesystem::temp_directory_path() / ("seedgate-libtorch-adapter-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  RunContext context{dir, dir / "metrics.jsonl"};
  ProcessSpec spec;
  spec.stderr_path = dir / "stderr.log";
  spec.stdout_path = dir / "stdout.log";
  LibTorchAdapter adapter;

  ASSERT_TRUE(util::write_file_atomic(context.metrics_file, "{\"accuracy\": 0.9}\n"));
  RunReport bare = adapter.collect(Policy{}, RunSpec{}, context, spec);
  EXPECT_EQ(bare.issues, (std::vector<std::string>{
                             "no env record from seedgate::torch::configure(): with adapter = \"libtorch\" the "
                             "program should call it, or LibTorch's determinism switches and seed are not applied"}));

  ASSERT_TRUE(util::write_file_atomic(context.metrics_file,
                                      "{\"type\": \"env\", \"adapter\": \"seedgate::torch\"}\n{\"accuracy\": 0.9}\n"));
  EXPECT_TRUE(adapter.collect(Policy{}, RunSpec{}, context, spec).issues.empty());
  std::filesystem::remove_all(dir);
}

TEST(LibTorchAdapterTest, FingerprintTakesVersionsAndGpusFromTheRuns) {
  std::vector<RunRecord> runs(3);
  runs[0].report.env = {{"torch", "2.3.1"}, {"cuda", "none"}, {"cudnn", "none"}, {"gpu", "none"}};  // a CPU run
  runs[1].report.env = {{"torch", "2.3.1"}, {"cuda", "12.1"}, {"cudnn", "8.9.2"}, {"gpu", "NVIDIA H100"}};
  nlohmann::json environment = nlohmann::json::object();
  auto adapter = make_adapter("libtorch");
  ASSERT_TRUE(adapter);
  EXPECT_EQ(adapter->name(), "libtorch");
  adapter->describe_environment(Policy{}, runs, environment);
  EXPECT_EQ(environment["libtorch"],
            nlohmann::json::parse(R"({"torch": "2.3.1", "cuda": "12.1", "cudnn": "8.9.2", "gpus": ["NVIDIA H100"]})"));

  nlohmann::json untouched = nlohmann::json::object();
  adapter->describe_environment(Policy{}, std::vector<RunRecord>(2), untouched);
  EXPECT_TRUE(untouched.empty());
}

}  // namespace
}  // namespace seedgate
