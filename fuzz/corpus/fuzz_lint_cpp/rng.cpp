// General C++ hazards. In a comment: std::mt19937 gen; srand(time(0)); rand();
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

class Sampler {
 public:
  explicit Sampler(unsigned seed) : m_engine(seed) {}

 private:
  std::mt19937_64 m_engine;  // a member, seeded by the constructor
};

int main() {
  std::random_device rd;
  std::mt19937 from_device(rd());  // expect[cpp-nondeterministic-seed]
  std::mt19937 from_temporary{std::random_device{}()};  // expect[cpp-nondeterministic-seed]
  std::mt19937_64 from_clock(std::chrono::steady_clock::now().time_since_epoch().count());  // expect[cpp-nondeterministic-seed]
  std::mt19937 quiet(rd());  // seedgate-lint: ignore[cpp-nondeterministic-seed]
  std::mt19937 fixed(42);
  srand(time(nullptr));  // expect[cpp-nondeterministic-seed, cpp-rand]
  srand(7);  // expect[cpp-rand]
  int r = std::rand();  // expect[cpp-rand]
  int s = rand();  // seedgate-lint: ignore[cpp-rand]
  std::puts("srand(time(0)); rand(); std::mt19937 gen;");
  std::mt19937 unseeded;  // expect[cpp-default-engine]
  std::default_random_engine braces{};  // expect[cpp-default-engine]
  std::mt19937 reseeded;
  reseeded.seed(5);
  // seedgate-lint: ignore[cpp-default-engine]
  std::mt19937 tolerated;
  std::uniform_int_distribution<int> die(1, 6);  // expect[cpp-std-distribution]
  std::normal_distribution<double> noise(0.0, 1.0);  // seedgate-lint: ignore[cpp-std-distribution]
  std::vector<int> v{1, 2, 3};
  std::shuffle(v.begin(), v.end(), fixed);  // expect[cpp-std-distribution]
  std::unordered_map<std::string, int> counts{{"a", 1}, {"b", 2}};
  std::map<std::string, int> sorted(counts.begin(), counts.end());
  for (const auto& [k, n] : counts) {  // expect[cpp-unordered-iteration]
    std::cout << k << n << "\n";
  }
  for (const auto& [k, n] : sorted) std::cout << k << n << "\n";
  int total = 0;
  for (const auto& [k, n] : counts) total += n == 0;  // summed, not output
  for (const auto& [k, n] : counts) v.push_back(n);  // seedgate-lint: ignore[cpp-unordered-iteration]
  std::cout << "for (auto& kv : counts) std::cout << kv.first;" << r << s << die(fixed) << noise(fixed) << total
            << from_device() << from_temporary() << from_clock() << quiet() << unseeded() << braces() << reseeded()
            << tolerated() << std::endl;
}
