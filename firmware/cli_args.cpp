// firmware/cli_args.cpp - Option parsing for the commands.
#include "firmware/cli_args.h"

#include <algorithm>
#include <cstring>

namespace ec::firmware {

CliArgs::CliArgs(int argc, char** argv, int first, std::vector<std::string_view> with_value,
                 std::vector<std::string_view> switches) {
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    std::string_view word = argv[i];
    if (options_done || word.size() < 2 || word.substr(0, 2) != "--") {
      m_positional.push_back(argv[i]);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    std::string_view name = word.substr(2);
    const char* inline_value = nullptr;
    if (std::size_t equals = name.find('='); equals != std::string_view::npos) {
      inline_value = argv[i] + 2 + equals + 1;
      name = name.substr(0, equals);
    }
    if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
      if (inline_value) {
        m_problem = "option --" + std::string(name) + " takes no value";
        return;
      }
      m_switches.emplace_back(name);
      continue;
    }
    if (std::find(with_value.begin(), with_value.end(), name) == with_value.end()) {
      m_problem = "unknown option --" + std::string(name);
      return;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        m_problem = "option --" + std::string(name) + " needs a value";
        return;
      }
      inline_value = argv[++i];
    }
    m_values.emplace_back(std::string(name), inline_value);
  }
}

const char* CliArgs::value(std::string_view name) const {
  const char* found = nullptr;
  for (const auto& [key, text] : m_values) {
    if (key == name)
      found = text; // the last one wins
  }
  return found;
}

bool CliArgs::has(std::string_view name) const {
  return std::find(m_switches.begin(), m_switches.end(), name) != m_switches.end();
}

} // namespace ec::firmware
