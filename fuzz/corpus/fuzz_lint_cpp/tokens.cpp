#include <torch/torch.h>
  #  include "a/b.hpp" // x
a // rand()
b /* srand(
1) */ c
f("a \" rand()", u8"x", L'\'', R"d(rand() )" ")d", 'c');
int n = 1'000'000;\
m
a::b->c <<= d;
// seedgate-lint: ignore[cpp-nondeterministic-seed]
std::mt19937 gen(std::random_device{}());
x = "never closed
 y /* open
