// firmware/settings.cpp - Settings from the INI file (core/config) with command-line overrides.
#include "firmware/settings.h"

#include "firmware/exit_codes.h"

#include <cstdlib>
#include <sys/stat.h>

namespace ec::firmware {

int load_settings(const CliArgs& args, Settings& settings) {
  const char* path = args.value("config");
  if (!path) {
    const char* from_environment = std::getenv("EDGECUR_CONFIG");
    struct stat status {};
    if (from_environment && *from_environment)
      path = from_environment;
    else if (stat(kDefaultConfigPath, &status) == 0)
      path = kDefaultConfigPath;
  }
  if (path)
    settings.config_path = path;
  // TODO(config): read the INI through core/config once it lands.
  if (const char* store = args.value("store"))
    settings.store_path = store;
  return kExitOk;
}

} // namespace ec::firmware
