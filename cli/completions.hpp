#pragma once
// Shell completions and the man page, written from the CLI's own command
// table (the CLI11 app main builds): every command, option, value choice and
// description comes from there, so none of them can go stale.
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace seedgate::cli {

// A bash script that defines `_seedgate` and registers it with `complete`:
// commands where a command goes, options after "-", an option's choices
// (--color, --format, ...) after it, file names elsewhere.
std::string bash_completion(const CLI::App& app);
// A zsh script for fpath (`#compdef seedgate`) or for `source`: a function per
// command, options with their descriptions and choices.
std::string zsh_completion(const CLI::App& app);
// seedgate.1 in man(7) roff: NAME, SYNOPSIS, DESCRIPTION, a subsection per
// command with its arguments and options, EXIT STATUS, ENVIRONMENT.
std::string man_page(const CLI::App& app, std::string_view version);

}  // namespace seedgate::cli
