// firmware/settings.h - What the commands run with: the INI file's values and the overrides.
#pragma once

#include "core/config/config.h"
#include "core/ingest/ingest_engine.h"
#include "core/store/store_memory.h"
#include "firmware/cli_args.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ec::firmware {

/// Where the INI file is looked for when --config is not given (if it exists).
inline constexpr const char* kDefaultConfigPath = "/etc/edgecur/edgecur.ini";

/// Every value comes from the loaded INI, or from the settings table's defaults when there is no
/// file (core/config/config_schema.cpp: the one home of every default).
struct Settings {
  std::string config_path; ///< empty when running on defaults
  /// The loaded INI, or the defaults; its views point into config_memory.
  const Config* config = nullptr;
  std::vector<std::uint8_t> config_memory;
  std::string store_path;               ///< [store] path, or --store
  std::size_t store_memory_bytes = 0;   ///< [store] memory
  std::uint32_t store_lock_wait_ms = 0; ///< [store] lock_wait
  IngestSettings ingest;                ///< [ingest]
  std::uint32_t read_chunk_bytes = 0;   ///< [ingest] chunk_bytes
  std::size_t network_memory_bytes = 0; ///< [ingest] network_memory
};

/// Loads --config (or kDefaultConfigPath / $EDGECUR_CONFIG when present), then applies --store.
/// Prints every problem as `file:line: message`. Returns kExitOk or kExitConfig.
int load_settings(const CliArgs& args, Settings& settings);

} // namespace ec::firmware
