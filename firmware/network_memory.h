// firmware/network_memory.h - The network's one block of memory ([ingest] network_memory), given
// to libcurl and TLS at start-up.
#pragma once

#include "firmware/settings.h"

#include <string>

namespace ec::firmware {

/// Takes settings.network_memory_bytes once (untouched pages cost no RSS) and starts libcurl on
/// it (platform::http_global_init): from then on no request calls malloc. Call before the first
/// HttpClient. Prints the problem as "<command>: ..." and returns kExitInternal when libcurl does
/// not start, else kExitOk.
int give_network_memory(const Settings& settings, const char* command);

/// "network memory: peak 210 KiB of 1.0 MiB (fixed heap, TLS included)": for a command's summary.
std::string network_memory_text();

} // namespace ec::firmware
