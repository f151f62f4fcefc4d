// firmware/config_command.cpp - `edgecur config check|example`: the INI file, for a technician.
#include "core/config/config.h"
#include "firmware/cli_args.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/settings.h"
#include "platform/environment.h"
#include "platform/file_status.h"

#include <cstdio>
#include <string>
#include <vector>

namespace ec::firmware {

static const char kConfigUsage[] =
    "usage: edgecur config check [--config F | F]   (exit 0 valid, 1 problems, 2 unreadable or "
    "refused)\n"
    "       edgecur config example              (print an annotated INI with every setting)";

int run_config(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config"}, {});
  if (!args.ok() || args.positional().empty() || args.positional().size() > 2) {
    print_message("config: " +
                  (args.ok() ? std::string("expected check or example") : args.problem()));
    std::fprintf(stderr, "%s\n", kConfigUsage);
    return kExitUsage;
  }
  std::string action = args.positional()[0];
  if (action == "example") {
    std::vector<char> text(write_example_config({}) + 1);
    write_example_config(std::span<char>(text.data(), text.size()));
    std::fputs(text.data(), stdout);
    return kExitOk;
  }
  if (action != "check") {
    print_message("config: unknown action '" + action + "'");
    std::fprintf(stderr, "%s\n", kConfigUsage);
    return kExitUsage;
  }
  const char* path = args.value("config");
  if (args.positional().size() == 2) // `edgecur config check FILE`, as the example file says
    path = args.positional()[1];
  if (!path)
    path = platform::environment_variable("EDGECUR_CONFIG");
  if (!path || !*path)
    path = kDefaultConfigPath;
  std::vector<std::uint8_t> memory(kConfigArenaBytes);
  Arena arena(MutableBytes(memory.data(), memory.size()));
  std::vector<char> text(16 * 1024);
  ConfigDiagnostics diagnostics(std::span<char>(text.data(), text.size()));
  ConfigFilesVia<&platform::read_small_file, &platform::file_status> files;
  ConfigCheck result = check_config(path, files, arena, diagnostics);
  std::fprintf(stderr, "%.*s", static_cast<int>(diagnostics.text().size()),
               diagnostics.text().data());
  switch (result) {
  case ConfigCheck::Ok:
    std::printf("%s: ok (%zu warning%s)\n", path, diagnostics.warning_count(),
                diagnostics.warning_count() == 1 ? "" : "s");
    break;
  case ConfigCheck::Problems:
    std::printf("%s: %zu problem%s\n", path, diagnostics.error_count(),
                diagnostics.error_count() == 1 ? "" : "s");
    break;
  case ConfigCheck::Refused:
    std::printf("%s: not checked\n", path);
    break;
  }
  return static_cast<int>(result);
}

} // namespace ec::firmware
