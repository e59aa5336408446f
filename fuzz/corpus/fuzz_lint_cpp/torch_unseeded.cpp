// A LibTorch program that never seeds. Mentions in comments never count:
// torch::manual_seed(1); at::globalContext().setBenchmarkCuDNN(true);
#include <torch/torch.h>

#include <iostream>

int main() {
  torch::Tensor x = torch::zeros({4});  // expect[torch-no-seed]
  at::globalContext().setBenchmarkCuDNN(true);  // expect[torch-cudnn-benchmark]
  at::globalContext().setBenchmarkCuDNN(false);
  // seedgate-lint: ignore[torch-cudnn-benchmark]
  at::globalContext().setBenchmarkCuDNN(true);
  at::globalContext().setBenchmarkCuDNN(true);  // seedgate-lint: ignore[torch-cudnn-benchmark]
  std::cout << "setBenchmarkCuDNN(true) x.index_add_(0, i, y) RandomSampler" << std::endl;
  std::cout << R"raw(at::globalContext().setBenchmarkCuDNN(true); torch::manual_seed(0);)raw" << std::endl;
  x.index_add_(0, torch::zeros({1}, torch::kLong), torch::ones({1}));  // expect[torch-nondeterministic-op]
  x.index_add_(0, torch::zeros({1}, torch::kLong), torch::ones({1}));  // seedgate-lint: ignore[torch-nondeterministic-op]
  auto counts = torch::bincount(x.to(torch::kLong));  // expect[torch-nondeterministic-op]
  x.index_put_({torch::zeros({1}, torch::kLong)}, torch::ones({1}), true);  // expect[torch-nondeterministic-op]
  x.index_put_({torch::zeros({1}, torch::kLong)}, torch::ones({1}));  // without accumulate: deterministic
  torch::nn::AdaptiveAvgPool2d pool(torch::nn::AdaptiveAvgPool2dOptions(1));  // expect[torch-nondeterministic-op]
  auto up = torch::nn::functional::interpolate(x, torch::nn::functional::InterpolateFuncOptions().mode(torch::kNearest));
  auto sampler = torch::data::samplers::RandomSampler(10);  // expect[torch-sampler-unseeded]
  auto other = torch::data::samplers::RandomSampler(10);  // seedgate-lint: ignore[torch-sampler-unseeded]
  auto options = torch::data::DataLoaderOptions().batch_size(8).workers(2).enforce_ordering(false);  // expect[torch-dataloader-unordered]
  auto ordered = torch::data::DataLoaderOptions().workers(2).enforce_ordering(true);
  auto single = torch::data::DataLoaderOptions().workers(0).enforce_ordering(false);
  auto quiet = torch::data::DataLoaderOptions().workers(4).enforce_ordering(false);  // seedgate-lint: ignore[torch-dataloader-unordered]
  /* x.put_(i, v); */
  std::cout << counts << up << sampler.index() << options.batch_size() << std::endl;
}
