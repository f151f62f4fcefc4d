// platform/network_memory.h - The network's fixed heap: what libcurl, and mbedTLS where built for
// it, allocate from once http_global_init() is given a block.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ec::platform {

/// How the network's memory is used so far in this process.
struct NetworkMemoryUse {
  std::size_t capacity = 0; ///< 0: no block was given; libcurl uses the C library's malloc
  std::size_t used = 0;     ///< bytes in blocks handed out now, headers included
  std::size_t peak = 0;
  std::uint64_t allocations = 0;
  std::uint64_t failures = 0; ///< requests the heap could not serve
  std::size_t largest_failed_request = 0;
  /// Whether mbedTLS allocates from it too (built with MBEDTLS_PLATFORM_MEMORY: the firmware
  /// presets); else TLS keeps the C library's malloc.
  bool covers_tls = false;
};

NetworkMemoryUse network_memory_use();

} // namespace ec::platform
