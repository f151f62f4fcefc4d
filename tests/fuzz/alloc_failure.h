// tests/fuzz/alloc_failure.h - Allocation failure in the fuzz targets: each parse that takes
// memory from an arena runs again with an arena smaller than it needed, and must then fail with
// OutOfMemory, cleanly (no crash, no other error, no partial result). edgecur's parsers allocate
// only from arenas, so this is every allocation they make; targets whose code allocates nothing
// (decimal, timestamp, sigv4, credentials file) say so in their header.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace ec::fuzz {

/// A capacity in [0, needed) chosen by the input's bytes.
inline std::size_t starved_capacity(std::string_view input, std::size_t needed) {
  std::uint64_t hash = 0xcbf29ce484222325ull; // FNV-1a
  for (char c : input) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return needed == 0 ? 0 : static_cast<std::size_t>(hash % needed);
}

/// Runs `parse(arena)` (returning a Result or a Status) on `storage` whole, then on a starved
/// part of it. The same input takes the same path until an allocation crosses the smaller
/// capacity, so the second run must end in OutOfMemory; anything else aborts.
template <typename Parse>
void with_allocation_failure(std::string_view input, std::uint8_t* storage, std::size_t size,
                             Parse parse) {
  Arena full(MutableBytes(storage, size));
  (void)parse(full);
  const std::size_t needed = full.high_water();
  if (needed == 0)
    return;
  Arena starved(MutableBytes(storage, starved_capacity(input, needed)));
  auto second = parse(starved);
  if (second.ok() || second.error().code != ErrorCode::OutOfMemory)
    std::abort();
}

} // namespace ec::fuzz
