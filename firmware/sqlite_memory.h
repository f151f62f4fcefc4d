// firmware/sqlite_memory.h - SQLite's one block of memory ([store] memory), given at start-up.
#pragma once

#include "firmware/settings.h"

#include <string>

namespace ec::firmware {

/// Takes settings.store_memory_bytes once (untouched pages cost no RSS) and gives it to SQLite
/// for the rest of the process (core/store/store_memory.h). Call before the first Store opens.
/// Prints the problem and returns kExitInternal when SQLite refuses it, else kExitOk.
int give_sqlite_memory(const Settings& settings);

/// What every command that opens the store does first: load_settings(), then
/// give_sqlite_memory(). Returns the first exit code that is not kExitOk, else kExitOk.
int load_store_settings(const CliArgs& args, Settings& settings);

/// "SQLite memory: peak 1.3 MiB of 3.0 MiB (fixed heap)": for the summary of a command.
std::string sqlite_memory_text();

} // namespace ec::firmware
