#include "cli/completions.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <vector>

#include "util/strings.hpp"

namespace seedgate::cli {
namespace {

// One option or positional argument of a command, as the scripts need it.
struct OptionEntry {
  std::vector<std::string> names;    // "-p", "--policy"; empty for a positional
  std::string positional;            // "RESULTS"
  std::string description;           // its first line
  std::vector<std::string> choices;  // from an IsMember check: "auto", "always", "never"
  bool takes_value = false;
};

// A command and its place in the tree: "" is seedgate itself, "baseline save" a nested one.
struct CommandEntry {
  std::string path;
  std::string description;
  std::string footer;
  std::vector<std::string> subcommands;
  std::vector<std::string> subcommand_descriptions;
  std::vector<OptionEntry> options;
};

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// IsMember's "{auto,always,never}" inside the option's type name.
std::vector<std::string> choices_of(const CLI::Option& option) {
  std::string type = option.get_type_name();
  std::size_t open = type.find('{'), close = type.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> out;
  std::string_view list = std::string_view(type).substr(open + 1, close - open - 1);
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

void walk(const CLI::App& app, const std::string& path, std::vector<CommandEntry>& out) {
  CommandEntry entry;
  entry.path = path;
  entry.description = app.get_description();
  entry.footer = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    OptionEntry o;
    for (const std::string& s : option->get_snames()) o.names.push_back("-" + s);
    for (const std::string& l : option->get_lnames()) o.names.push_back("--" + l);
    if (option->get_positional()) o.positional = option->get_name();
    o.description = first_line(option->get_description());
    o.choices = choices_of(*option);
    o.takes_value = option->get_expected_max() > 0;  // a flag expects none
    entry.options.push_back(std::move(o));
  }
  std::vector<const CLI::App*> subs = app.get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* sub : subs) {
    entry.subcommands.push_back(sub->get_name());
    entry.subcommand_descriptions.push_back(first_line(sub->get_description()));
  }
  out.push_back(std::move(entry));
  for (const CLI::App* sub : subs) walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

std::vector<CommandEntry> command_table(const CLI::App& app) {
  std::vector<CommandEntry> table;
  walk(app, "", table);
  return table;
}

// "baseline save" -> "baseline/save" (a bash case word), "baseline_save" (a zsh function's suffix).
std::string joined(std::string path, char separator) {
  for (char& c : path)
    if (c == ' ') c = separator;
  return path;
}

// Text inside single quotes, for either shell.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string bash_completion(const CLI::App& app) {
  std::vector<CommandEntry> table = command_table(app);
  std::string command_words, value_cases, option_cases;
  for (const CommandEntry& c : table) {
    std::string key = joined(c.path, '/');
    for (const std::string& sub : c.subcommands) command_words += fmt::format("|{}/{}", key, sub);
    std::vector<std::string> options, positional_choices;
    for (const OptionEntry& o : c.options) {
      for (const std::string& name : o.names) options.push_back(name);
      if (!o.positional.empty())
        positional_choices.insert(positional_choices.end(), o.choices.begin(), o.choices.end());
      if (o.names.empty() || !o.takes_value) continue;
      std::vector<std::string> patterns;
      patterns.reserve(o.names.size());
      for (const std::string& name : o.names) patterns.push_back(fmt::format("{}:{}", key, name));
      std::string reply = o.choices.empty()
                              ? "compgen -f -- \"$cur\""
                              : fmt::format("compgen -W {} -- \"$cur\"", single_quoted(util::join(o.choices, " ")));
      value_cases += fmt::format("    {}) COMPREPLY=($({})); return ;;\n", util::join(patterns, "|"), reply);
    }
    // Where a command takes a word from a fixed list (`completions bash`), the list stands for its commands.
    std::vector<std::string> words = c.subcommands.empty() ? positional_choices : c.subcommands;
    option_cases += fmt::format("    {}) commands={}; options={} ;;\n", key.empty() ? "''" : key,
                                single_quoted(util::join(words, " ")), single_quoted(util::join(options, " ")));
  }
  return fmt::format(
      R"(# bash completion for seedgate, written from its command table by
# `seedgate completions bash`. Load it with: source <(seedgate completions bash)
_seedgate() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev= command= word i commands options
  (( COMP_CWORD > 0 )) && prev=${{COMP_WORDS[COMP_CWORD-1]}}
  # "--color=al" arrives as "--color" "=" "al".
  if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then prev=${{COMP_WORDS[COMP_CWORD-2]}}; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${{COMP_WORDS[i]}}
    # After "--" (seedgate init -- PROGRAM ...): the training program and its arguments.
    if [[ $word == -- ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
    case "$command/$word" in
      {commands}) command=${{command:+$command/}}$word ;;
    esac
  done
  case "$command:$prev" in
{values}  esac
  case $command in
{options}  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ -n $commands ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _seedgate seedgate
)",
      fmt::arg("commands", command_words.empty() ? "''" : command_words.substr(1)), fmt::arg("values", value_cases),
      fmt::arg("options", option_cases));
}

namespace {

// A description inside an _arguments spec's brackets: no newlines, brackets and colons escaped.
std::string zsh_description(std::string_view text, bool escape_colon) {
  // Its first sentence, cut at a word near 100 characters.
  text = text.substr(0, text.find(". "));
  if (text.size() > 100) text = text.substr(0, text.rfind(' ', 100));
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || (escape_colon && c == ':')) out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string zsh_function(const CommandEntry& c) {
  std::string name = c.path.empty() ? "_seedgate" : "_seedgate_" + joined(c.path, '_');
  std::vector<std::string> specs;
  for (const OptionEntry& o : c.options) {
    if (!o.positional.empty()) continue;
    std::string action;
    if (o.takes_value)
      action = o.choices.empty() ? ":value:_files" : fmt::format(":value:({})", util::join(o.choices, " "));
    std::string description = fmt::format("[{}]", zsh_description(o.description, false));
    if (o.names.size() == 1) {
      std::string spec = o.names.front();
      spec += description;
      spec += action;
      specs.push_back(single_quoted(spec));
    } else {
      specs.push_back(fmt::format("{}{{{}}}{}", single_quoted(fmt::format("({})", util::join(o.names, " "))),
                                  util::join(o.names, ","), single_quoted(description + action)));
    }
  }
  if (c.subcommands.empty()) {
    std::string positional = "'*:file:_files'";
    for (const OptionEntry& o : c.options)
      if (!o.positional.empty() && !o.choices.empty())
        positional = single_quoted(fmt::format("1:{}:({})", o.positional, util::join(o.choices, " ")));
    specs.push_back(positional);
    return fmt::format("{}() {{\n  _arguments -s \\\n    {}\n}}\n", name, util::join(specs, " \\\n    "));
  }
  std::string described, dispatch;
  for (std::size_t i = 0; i < c.subcommands.size(); ++i) {
    described += " " + single_quoted(
                           fmt::format("{}:{}", c.subcommands[i], zsh_description(c.subcommand_descriptions[i], true)));
    dispatch +=
        fmt::format("        {}) {}_{} ;;\n", c.subcommands[i], c.path.empty() ? "_seedgate" : name, c.subcommands[i]);
  }
  specs.emplace_back("'1: :->command'");
  specs.emplace_back("'*:: :->argument'");
  return fmt::format(
      R"({name}() {{
  local curcontext=$curcontext state line
  _arguments -C \
    {specs}
  case $state in
    command)
      local -a commands=({described})
      _describe -t commands {title} commands ;;
    argument)
      case $line[1] in
{dispatch}      esac ;;
  esac
}}
)",
      fmt::arg("name", name), fmt::arg("specs", util::join(specs, " \\\n    ")),
      fmt::arg("described", described.empty() ? "" : described.substr(1)),
      fmt::arg("title", single_quoted(c.path.empty() ? "seedgate command" : "seedgate " + c.path + " command")),
      fmt::arg("dispatch", dispatch));
}

}  // namespace

std::string zsh_completion(const CLI::App& app) {
  std::string out =
      "#compdef seedgate\n# zsh completion for seedgate, written from its command table by\n"
      "# `seedgate completions zsh`. Put it in a folder on fpath as _seedgate, or source it.\n\n";
  for (const CommandEntry& c : command_table(app)) out += zsh_function(c) + "\n";
  out +=
      "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n  _seedgate \"$@\"\nelse\n"
      "  compdef _seedgate seedgate\nfi\n";
  return out;
}

namespace {

// Text for roff: backslashes escaped, hyphens as \-, and no line that starts
// with a control character.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

}  // namespace

std::string man_page(const CLI::App& app, std::string_view version) {
  std::vector<CommandEntry> table = command_table(app);
  const CommandEntry& root = table.front();
  std::string description = root.description;
  if (description.starts_with("seedgate: ")) description = description.substr(10);
  std::string summary = first_line(description);
  if (summary.ends_with('.')) summary.pop_back();
  std::string out = fmt::format(
      ".TH SEEDGATE 1 \"\" \"seedgate {}\" \"User Commands\"\n"
      ".SH NAME\nseedgate \\- {}\n"
      ".SH SYNOPSIS\n.B seedgate\n.I command\n.RI [ options ]\n.br\n.B seedgate\n.RB [ \\-\\-help | \\-\\-version ]\n"
      ".SH DESCRIPTION\n{}\n.SH COMMANDS\n",
      roff(version), roff(summary), roff(description) + "\n.PP\nEvery command takes \\fB\\-\\-help\\fR.");
  for (const CommandEntry& c : table) {
    if (c.path.empty() || !c.subcommands.empty()) continue;  // a group: its commands have their own sections
    std::string usage = c.path;
    for (const OptionEntry& o : c.options)
      if (!o.positional.empty()) usage += " " + o.positional;
    out += fmt::format(".SS \"seedgate {}\"\n{}\n", roff(usage), roff(c.description));
    for (const OptionEntry& o : c.options) {
      if (std::find(o.names.begin(), o.names.end(), "--help") != o.names.end()) continue;  // every command has it
      std::string label;
      if (!o.positional.empty()) {
        label = fmt::format("\\fI{}\\fR", roff(o.positional));
      } else {
        std::vector<std::string> names;
        names.reserve(o.names.size());
        for (const std::string& n : o.names) names.push_back(fmt::format("\\fB{}\\fR", roff(n)));
        label = util::join(names, ", ");
        if (o.takes_value)
          label += o.choices.empty() ? " \\fIvalue\\fR" : fmt::format(" {{{}}}", roff(util::join(o.choices, "|")));
      }
      out += fmt::format(".TP\n{}\n{}\n", label, roff(o.description));
    }
    if (!c.footer.empty()) out += fmt::format(".PP\n.nf\n{}\n.fi\n", roff(c.footer));
  }
  out +=
      ".SH \"EXIT STATUS\"\n.TP\n0\nevery check passed\n.TP\n1\na check failed\n.TP\n2\nusage or policy error\n"
      ".TP\n3\ncould not evaluate\n"
      ".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nset to any non\\-empty value: no colour unless \\fB\\-\\-color=always\\fR\n"
      ".TP\n.B TERM\n\\fBdumb\\fR: no live progress line and no colour unless asked for\n"
      ".TP\n.B CI\nset (and not \\fBfalse\\fR or \\fB0\\fR): a line per finished run instead of the live line\n"
      ".SH \"SEE ALSO\"\nREADME.md in the seedgate sources; \\fBseedgate completions bash\\fR and "
      "\\fBseedgate completions zsh\\fR print shell completions.\n";
  return out;
}

}  // namespace seedgate::cli
