#pragma once
// A throwaway PostgreSQL server for tests and benchmarks: Debian's
// postgresql-15 binaries, initdb into a temporary folder (trust, user
// postgres), listening only on a Unix socket in that folder; stopped and the
// folder removed by stop(), the destructor, or, if this process is killed, a
// watchdog process. Where the binaries are absent,
// start() fails and skip_reason() says what is missing. initdb and postgres
// refuse to run as root: as root they run as the `postgres` user (runuser).
#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace seedgate::testing {

class PostgresServer {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

  PostgresServer() = default;
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer() { stop(); }

  // True when the server is up; otherwise skip_reason() says what is
  // missing, or error() why a server that could start did not.
  // `durable`: fsync as a real server does (for timings); otherwise off,
  // which saves the tests seconds of flushing freshly created databases.
  bool start(bool durable = false) {
    for (const char* tool : {"initdb", "pg_ctl", "createdb", "psql"}) {
      if (!std::filesystem::exists(bin(tool))) {
        m_skip_reason = bin(tool) + " not found (Debian's postgresql-15 server): PostgreSQL tests skipped";
        return false;
      }
    }
    const passwd* user = ::geteuid() == 0 ? ::getpwnam("postgres") : nullptr;
    if (::geteuid() == 0 && user == nullptr) {
      m_skip_reason = "running as root and there is no 'postgres' user to run the server as";
      return false;
    }
    std::string pattern = "/tmp/seedgate-pg-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      m_error = "cannot create a temporary folder for the server";
      return false;
    }
    m_dir = pattern;
    if (user && ::chown(m_dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
      m_error = "cannot hand " + m_dir + " to the postgres user";
      return false;
    }
    start_watchdog();
    if (run({bin("initdb"), "-D", m_dir + "/data", "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-sync"},
            true) != 0) {
      m_error = "initdb failed: " + log();
      return false;
    }
    if (run({bin("pg_ctl"), "start", "-w", "-t", "60", "-D", m_dir + "/data", "-l", m_dir + "/server.log", "-o",
             "-k " + m_dir + " -c listen_addresses=''" + (durable ? "" : " -c fsync=off")},
            true) != 0) {
      m_error = "the PostgreSQL server did not start: " + log();
      return false;
    }
    return true;
  }

  const std::string& skip_reason() const { return m_skip_reason; }
  const std::string& error() const { return m_error; }

  // A connection URI for database `db`, over the socket, as user postgres.
  std::string url(const std::string& db) const { return "postgresql:///" + db + "?host=" + m_dir + "&user=postgres"; }

  bool create_database(const std::string& name) {
    return run({bin("createdb"), "-h", m_dir, "-U", "postgres", name}, false) == 0;
  }

  // Runs SQL in database `db` through psql; false (and the output in log()) on an error.
  bool sql(const std::string& db, const std::string& statement) {
    return run({bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", m_dir, "-U", "postgres", "-d", db, "-c",
                statement},
               false) == 0;
  }

  // What the commands printed so far.
  std::string log() const {
    std::ifstream in(m_dir + "/commands.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Waits for the watchdog to stop the server and remove the folder.
  void stop() {
    if (m_watchdog <= 0) return;
    ::close(m_watch_fd);
    int status = 0;
    ::waitpid(m_watchdog, &status, 0);
    m_watchdog = -1;
  }

 private:
  // A process that stops the server and removes the folder once the pipe
  // from this one closes: at stop(), or when this process dies however it
  // dies (killed by a timeout, a crash), so no server outlives its tests.
  void start_watchdog() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();  // not in the tests' process group: Ctrl-C reaches the tests, then this cleans up
      ::close(fds[1]);
      char c = 0;
      for (ssize_t n = 1; n > 0 || (n < 0 && errno == EINTR);) n = ::read(fds[0], &c, 1);
      if (std::filesystem::exists(m_dir + "/data/postmaster.pid"))
        run({bin("pg_ctl"), "stop", "-w", "-m", "fast", "-D", m_dir + "/data"}, true);
      std::error_code ignored;
      std::filesystem::remove_all(m_dir, ignored);
      ::_exit(0);
    }
    ::close(fds[0]);
    if (pid < 0) {
      ::close(fds[1]);
      return;
    }
    m_watchdog = pid;
    m_watch_fd = fds[1];
  }

  static std::string bin(const char* tool) { return std::string(kBin) + "/" + tool; }

  // Runs argv (as the postgres user when `as_server` and root), its output
  // appended to commands.log; the exit status, or -1.
  int run(std::vector<std::string> argv, bool as_server) const {
    if (as_server && ::geteuid() == 0) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    std::string log_path = m_dir + "/commands.log";
    pid_t pid = ::fork();
    if (pid == 0) {
      int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      int in = ::open("/dev/null", O_RDONLY);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      if (in >= 0) ::dup2(in, 0);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string m_dir;
  std::string m_skip_reason;
  std::string m_error;
  pid_t m_watchdog = -1;
  int m_watch_fd = -1;
};

}  // namespace seedgate::testing
