// firmware/network_memory.cpp - give_network_memory: the block, taken once, kept to the end.
#include "firmware/network_memory.h"

#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "platform/http_client.h"
#include "platform/network_memory.h"

#include <cstdint>
#include <memory>

namespace ec::firmware {

namespace {
// libcurl and mbedTLS keep using it until the process ends: never freed.
std::unique_ptr<std::uint8_t[]> g_block;
} // namespace

int give_network_memory(const Settings& settings, const char* command) {
  // Not zero-filled: a page counts in RSS only once it is used.
  g_block.reset(new std::uint8_t[settings.network_memory_bytes]);
  MutableBytes block(g_block.get(), settings.network_memory_bytes);
  if (Status ready = platform::http_global_init(block); !ready.ok()) {
    print_error(command, ready.error());
    return kExitInternal;
  }
  return kExitOk;
}

std::string network_memory_text() {
  platform::NetworkMemoryUse use = platform::network_memory_use();
  if (use.capacity == 0)
    return "network memory: malloc";
  return "network memory: peak " + human_bytes(use.peak) + " of " + human_bytes(use.capacity) +
         (use.covers_tls ? " (fixed heap, TLS included)" : " (fixed heap; TLS uses malloc)");
}

} // namespace ec::firmware
