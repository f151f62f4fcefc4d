// firmware/settings.cpp - Settings from the INI file (core/config) with command-line overrides.
#include "firmware/settings.h"

#include "core/config/config.h"
#include "firmware/exit_codes.h"
#include "platform/environment.h"
#include "platform/file_status.h"

#include <cstdio>
#include <vector>

namespace ec::firmware {

int load_settings(const CliArgs& args, Settings& settings) {
  const char* path = args.value("config");
  if (!path) {
    const char* from_environment = platform::environment_variable("EDGECUR_CONFIG");
    if (from_environment && *from_environment)
      path = from_environment;
    else if (platform::file_status(kDefaultConfigPath).ok())
      path = kDefaultConfigPath;
  }
  // Without a file the table's defaults are read the same way (an empty INI text): every default
  // has one home, core/config/config_schema.cpp.
  settings.config_path = path ? path : "";
  settings.config_memory.assign(kConfigArenaBytes, 0);
  Arena arena(MutableBytes(settings.config_memory.data(), settings.config_memory.size()));
  std::vector<char> text(8 * 1024);
  ConfigDiagnostics diagnostics(std::span<char>(text.data(), text.size()));
  ConfigFilesVia<&platform::read_small_file, &platform::file_status> files;
  Result<const Config*> loaded = path ? load_config(path, files, arena, diagnostics)
                                      : parse_config_text("(defaults)", "", arena, diagnostics);
  if (diagnostics.size() > 0)
    std::fprintf(stderr, "%.*s", static_cast<int>(diagnostics.text().size()),
                 diagnostics.text().data());
  if (!loaded.ok()) {
    std::fprintf(stderr,
                 "edgecur: %s: configuration not usable (check it with: edgecur config check "
                 "--config %s)\n",
                 settings.config_path.c_str(), settings.config_path.c_str());
    return kExitConfig;
  }
  const Config& config = *loaded.value();
  settings.config = &config;
  settings.store_path = std::string(config.store.path);
  settings.store_memory_bytes = config.store.memory_bytes;
  settings.store_lock_wait_ms = config.store.lock_wait_ms;
  settings.ingest.csv.max_field_bytes = config.ingest.max_field_bytes;
  settings.ingest.csv.max_row_bytes = config.ingest.max_row_bytes;
  settings.ingest.table_keys = config.ingest.table_keys;
  settings.ingest.malformed = config.ingest.malformed_rows == MalformedRows::Fail
                                  ? MalformedPolicy::Fail
                                  : MalformedPolicy::Skip;
  settings.read_chunk_bytes = config.ingest.chunk_bytes;
  settings.network_memory_bytes = config.ingest.network_memory_bytes;
  // The loader checked the text with the same parser.
  bool parsed =
      parse_max_malformed(config.ingest.max_malformed, settings.ingest.max_malformed.share,
                          settings.ingest.max_malformed.value);
  EC_CHECK(parsed);
  if (const char* store = args.value("store"))
    settings.store_path = store;
  return kExitOk;
}

} // namespace ec::firmware
