// firmware/cli_args.h - A small command-line reader: flags with values, and positional words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ec::firmware {

/// The words after the command: `--name value` / `--name=value` options and positional words.
class CliArgs {
public:
  /// Parses argv[first..argc). Options listed in `with_value` take a value; `switches` do not.
  /// On a problem, ok() is false and problem() says what, in words for the user.
  CliArgs(int argc, char** argv, int first, std::vector<std::string_view> with_value,
          std::vector<std::string_view> switches);

  [[nodiscard]] bool ok() const { return m_problem.empty(); }
  [[nodiscard]] const std::string& problem() const { return m_problem; }
  /// The option's value, or nullptr when absent.
  [[nodiscard]] const char* value(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] const std::vector<const char*>& positional() const { return m_positional; }

private:
  std::vector<std::pair<std::string, const char*>> m_values;
  std::vector<std::string> m_switches;
  std::vector<const char*> m_positional;
  std::string m_problem;
};

} // namespace ec::firmware
