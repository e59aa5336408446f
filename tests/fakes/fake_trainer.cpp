// A fake training program for seedgate's tests. argv[1] picks a behaviour;
// it reads the protocol's SEEDGATE_* variables like a real program would.
//
//   stable            accuracy and model depend on the seed only
//   nondeterministic  same seed, different results (uses the pid, clock and repeat)
//   ignores-seed      the same accuracy and model whatever the seed
//   crash-on-seed N   SIGABRT when the seed is N, stable otherwise
//   exit CODE         exits with CODE after writing nothing
//   hang              sleeps for ever (tests timeouts)
//   grandchild-hang   forks a grandchild holding stdout open, then hangs
//   grandchild-exit   forks a grandchild holding stdout open, then exits 0
//   flood MB          writes MB megabytes to stdout, then behaves as stable
//   malformed         writes malformed lines, a NaN, then valid metrics
//   nan               reports accuracy as NaN
//   xml-hostile       prints control bytes, "]]>", invalid UTF-8, exits 1
//   slow MS           sleeps MS milliseconds, then behaves as stable
//   ignore-term       ignores SIGTERM and hangs (tests the KILL after grace)
//   diverges-at STEP  a loss curve over 6 steps whose repeats part at STEP, stable otherwise
//   normal MEAN SD [SHIFT]
//                     accuracy drawn from Normal(MEAN, SD) by the seed (same seed, same value), plus SHIFT
//                     (a [[variant]]'s args append it)
//
// stable and normal also write predictions for 50 examples (two classes) to
// SEEDGATE_PREDICTIONS: each seed's own noise around the true class, so
// seeds disagree on some examples and their average is right more often.
//
// With FAKE_TRAINER_LOG set, each start appends "seed repeat" to that file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

long seed() {
  return std::atol(env("SEEDGATE_SEED").c_str());
}

void metric_line(const std::string& line) {
  std::string path = env("SEEDGATE_METRICS");
  if (!path.empty()) std::ofstream(path, std::ios::app) << line << "\n";
}

// splitmix64 of x: the same on every platform.
double unit(unsigned long long x) {
  unsigned long long z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / 9007199254740992.0;
}

void predictions() {
  std::string path = env("SEEDGATE_PREDICTIONS");
  if (path.empty()) return;
  std::ofstream out(path);
  out << "id,label,p0,p1\n";
  for (int i = 0; i < 50; ++i) {
    int label = i % 2;
    double noise = unit(static_cast<unsigned long long>(seed()) * 1000 + static_cast<unsigned long long>(i)) - 0.5;
    double p1 = std::fmin(0.99, std::fmax(0.01, (label ? 0.62 : 0.38) + 0.5 * noise));
    char row[96];
    std::snprintf(row, sizeof row, "ex%02d,%d,%.4f,%.4f\n", i, label, 1 - p1, p1);
    out << row;
  }
}

void model(const std::string& content) {
  std::string dir = env("SEEDGATE_RUN_DIR");
  if (!dir.empty()) std::ofstream(dir + "/model.bin", std::ios::binary) << content;
}

int stable() {
  double accuracy = 0.95 + 0.001 * static_cast<double>(seed() % 5);
  metric_line("{\"step\": 0, \"loss\": 0.5}");
  metric_line("{\"step\": 1, \"loss\": 0.25}");
  char line[64];
  std::snprintf(line, sizeof line, "{\"accuracy\": %.6f}", accuracy);
  metric_line(line);
  model("weights for seed " + std::to_string(seed()));
  predictions();
  std::printf("epoch 1 test-error:%.4f\n", 1 - accuracy);
  return 0;
}

int diverges_at(long step) {
  long repeat = std::atol(env("SEEDGATE_REPEAT").c_str());
  for (long s = 0; s < 6; ++s) {
    double loss = 1.0 / static_cast<double>(s + 1 + seed()) + (s >= step ? 0.01 * static_cast<double>(repeat) : 0);
    char line[80];
    std::snprintf(line, sizeof line, "{\"step\": %ld, \"curve\": %.6f}", s, loss);
    metric_line(line);
  }
  return stable();
}

[[noreturn]] void hang() {
  for (;;) ::pause();
}

void spawn_grandchild() {
  if (::fork() == 0) {
    // Keeps the inherited stdout and stderr open.
    std::this_thread::sleep_for(std::chrono::seconds(300));
    std::_Exit(0);
  }
}

}  // namespace

// Normal(mean, sd) from the seed: splitmix64 and Box–Muller, the same on every platform.
int normal(double mean, double sd, double shift) {
  auto state = static_cast<unsigned long long>(seed()) * 2 + 1;
  auto uniform = [&state] {
    unsigned long long z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  };
  double u1 = uniform(), u2 = uniform();
  double z = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  char line[64];
  std::snprintf(line, sizeof line, "{\"accuracy\": %.9f}", mean + sd * z + shift);
  metric_line(line);
  model("weights for seed " + std::to_string(seed()));
  predictions();
  return 0;
}

int main(int argc, char** argv) {
  std::string behaviour = argc > 1 ? argv[1] : "stable";
  std::string arg = argc > 2 ? argv[2] : "";
  if (std::string log = env("FAKE_TRAINER_LOG"); !log.empty())
    std::ofstream(log, std::ios::app) << seed() << " " << env("SEEDGATE_REPEAT") << "\n";

  if (behaviour == "stable") return stable();
  if (behaviour == "diverges-at") return diverges_at(std::atol(arg.c_str()));
  if (behaviour == "normal")
    return normal(std::atof(arg.c_str()), argc > 3 ? std::atof(argv[3]) : 0.01, argc > 4 ? std::atof(argv[4]) : 0);
  if (behaviour == "nondeterministic") {
    // Differs run to run: the clock in nanoseconds and the pid (collisions ~1e-6).
    // The accuracy ignores the seed: odd repeats score 0.004 higher, and the
    // clock adds at most 1e-5, so repeats of one seed always differ by more
    // than seeds do and a test of the seed's effect fails every time rather
    // than by chance.
    long repeat = std::atol(env("SEEDGATE_REPEAT").c_str());
    auto now = static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count());
    char line[64];
    std::snprintf(line, sizeof line, "{\"accuracy\": %.9f}",
                  0.9 + 0.004 * static_cast<double>(repeat % 2) + static_cast<double>(now % 1000003) / 1e11);
    metric_line(line);
    model("weights " + std::to_string(now) + " " + std::to_string(::getpid()));
    return 0;
  }
  if (behaviour == "ignores-seed") {
    metric_line("{\"accuracy\": 0.9}");
    model("the same weights");
    return 0;
  }
  if (behaviour == "crash-on-seed") {
    if (seed() == std::atol(arg.c_str())) {
      std::fprintf(stderr, "about to crash on seed %ld\n", seed());
      std::abort();
    }
    return stable();
  }
  if (behaviour == "exit") return std::atoi(arg.c_str());
  if (behaviour == "hang") hang();
  if (behaviour == "grandchild-hang") {
    spawn_grandchild();
    hang();
  }
  if (behaviour == "grandchild-exit") {
    spawn_grandchild();
    return stable();
  }
  if (behaviour == "flood") {
    std::string block(1 << 20, 'x');
    block.back() = '\n';
    for (long i = 0; i < std::atol(arg.c_str()); ++i) std::fwrite(block.data(), 1, block.size(), stdout);
    std::fflush(stdout);
    return stable();
  }
  if (behaviour == "malformed") {
    metric_line("this is not json");
    metric_line("{\"loss\": NaN, \"step\": 1}");
    metric_line("[1, 2, 3]");
    metric_line("{\"accuracy\": \"high\"}");
    metric_line("{\"type\": \"artifact\", \"name\": \"weights\"}");
    metric_line("{\"type\": \"bogus\"}");
    metric_line("{\"accuracy\": 0.91");
    return stable();
  }
  if (behaviour == "nan") {
    metric_line("{\"accuracy\": NaN}");
    model("weights for seed " + std::to_string(seed()));
    return 0;
  }
  if (behaviour == "xml-hostile") {
    const char bytes[] = "bell\x07 nul-free esc\x1b[31m ]]> <tag> & \"quote\" bad-utf8 \xff\xfe\xc3\x28 end\n";
    std::fwrite(bytes, 1, sizeof bytes - 1, stdout);
    std::fwrite(bytes, 1, sizeof bytes - 1, stderr);
    return 1;
  }
  if (behaviour == "slow") {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(arg.c_str())));
    return stable();
  }
  if (behaviour == "ignore-term") {
    ::signal(SIGTERM, SIG_IGN);
    hang();
  }
  std::fprintf(stderr, "fake_trainer: unknown behaviour %s\n", behaviour.c_str());
  return 2;
}
