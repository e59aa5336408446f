#pragma once
// What a Python training program runs on. `python_interpreter` finds the
// interpreter a command starts (`python3 train.py`, `env python3 ...`, a
// script whose shebang names Python, `sh -c "python3 ..."`), reading at most
// a script's first line; `query_python_environment` asks that interpreter,
// in a child process of its own with a deadline, for its version and those
// of the packages training programs lean on. Neither ever fails: a command
// that is not Python gets no query, and a query that hangs, crashes or
// prints something else gives a note instead of versions.
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace seedgate {

// The packages asked about: the name a program imports, and its distribution's name.
struct PythonPackage {
  std::string_view module;
  std::string_view distribution;
};
inline constexpr PythonPackage kPythonPackages[] = {{"numpy", "numpy"},          {"torch", "torch"},
                                                    {"sklearn", "scikit-learn"}, {"xgboost", "xgboost"},
                                                    {"scipy", "scipy"},          {"pandas", "pandas"}};

// The longest a query may take (less where the policy's run timeout is shorter).
inline constexpr std::chrono::seconds kPythonQueryTimeout{20};

// True for an interpreter's file name: python, python3, python3.11.
bool is_python_name(std::string_view file_name);

// The interpreter a Python command starts: its name as the command gives it
// ("python3", ".venv/bin/python") and the PATH a bare name is found on.
struct PythonInterpreter {
  std::string name;
  std::string search_path;
};

// The interpreter `argv` runs, or nullopt when it runs no Python: argv[0]
// itself (a bare name found on `own_path`, seedgate's PATH, as the runner
// finds it), `env python3`, a shell's `-c` command whose first word is one,
// or a script whose "#!" line names one (`env` and shells search `run_path`,
// the run's PATH). Scripts are found as their command would find them: a
// relative path from `cwd`, a bare name on the PATH.
std::optional<PythonInterpreter> python_interpreter(const std::vector<std::string>& argv,
                                                    const std::filesystem::path& cwd, std::string_view own_path,
                                                    std::string_view run_path);

// The query's answer as the fingerprint's "python" object: "version",
// "implementation", "executable" and one key per package found, by its
// module's name ("sklearn": "1.2.1"). An error when `output` holds no answer.
util::Result<nlohmann::json> parse_python_versions(std::string_view output);

// Runs the interpreter with -c <query> in `cwd` with exactly `env`, for at most
// `timeout`: the "python" object, or {"note": why there are no versions}.
nlohmann::json query_python_environment(const PythonInterpreter& interpreter, const std::filesystem::path& cwd,
                                        const std::map<std::string, std::string>& env,
                                        std::chrono::milliseconds timeout);

}  // namespace seedgate
