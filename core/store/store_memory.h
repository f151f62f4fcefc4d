// core/store/store_memory.h - SQLite's memory: one block given once at start-up, never malloc.
//
// SQLite allocates as it works: page cache, parsed schema, prepared statements, the sorter of a
// GROUP BY, the pages a commit writes. Left on malloc, that is tens of thousands of calls per
// 1M-row ingest and a heap that fragments over years of running. give_store_memory() hands it one
// block instead: page-cache slots for the store's cache (kStoreCacheKiB) and, for everything
// else, a buddy heap (SQLite's own memsys5). SQLite then never calls malloc, and its peak is the
// block's size whatever the reports hold. An allocation that does not fit fails with SQLITE_NOMEM:
// the statement fails, the transaction rolls back and the Store reports OutOfMemory, whose detail
// names the setting to raise ([store] memory).
//
// memsys5 is compiled only where SQLite was built with SQLITE_ENABLE_MEMSYS5: the firmware profile
// (EDGECUR_DEPS=source, toolchains/deps/target-deps.cmake). With another SQLite (Debian's shared
// libsqlite3, EDGECUR_DEPS=system) the same size becomes a hard limit on SQLite's mallocs, so the
// bound holds on every build; only the "never malloc" part needs the firmware profile.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>

namespace ec {

/// The default and the bounds of [store] memory. 3 MiB holds the page cache (~0.6 MiB), the
/// schema and statements, and the sorter and commit of a 1M-row period with room to spare (the
/// 1M-row bench peaks near 1.3 MiB of it); 1 MiB is too little for a commit of a full table.
inline constexpr std::size_t kStoreMemoryDefaultBytes = 3 * 1024 * 1024;
inline constexpr std::size_t kStoreMemoryMinBytes = 1024 * 1024;
inline constexpr std::size_t kStoreMemoryMaxBytes = 256 * 1024 * 1024;
/// Smallest memsys5 block: SQLite's lookaside takes the many tiny allocations first.
inline constexpr int kStoreMemoryMinAllocation = 32;

enum class StoreMemoryKind : std::uint8_t {
  Malloc,        ///< nothing given: SQLite uses malloc under the Store's default limits
  FixedHeap,     ///< SQLite's memsys5 and page-cache slots in the given block
  LimitedMalloc, ///< this SQLite has no memsys5: malloc, with the block's size as a hard limit
};

/// Gives SQLite `memory` for all it allocates, process-wide. Call before the first Store opens, or
/// with every Store closed: SQLite is shut down and initialised again around the change. The
/// block must stay valid (and untouched by anyone else) until take_back_store_memory() or the
/// end of the process. Its pages are touched only as SQLite uses them.
///
/// Errors: InvalidArgument when the block is smaller than kStoreMemoryMinBytes or larger than
/// kStoreMemoryMaxBytes, Internal when SQLite refuses the configuration (a Store still open).
[[nodiscard]] Result<StoreMemoryKind> give_store_memory(MutableBytes memory);

/// Back to malloc and the Store's default limits (tests). Every Store must be closed.
void take_back_store_memory();

/// What SQLite uses now and has used at most, in bytes, as memsys5 or malloc counts them (a
/// block's rounded size), and how much of it went to page-cache slots.
struct StoreMemoryUse {
  StoreMemoryKind kind = StoreMemoryKind::Malloc;
  std::size_t capacity = 0;         ///< the block given, 0 for Malloc
  std::int64_t used = 0;            ///< heap bytes in use now (slots not included)
  std::int64_t peak_used = 0;       ///< highest `used` since the block was given
  std::int64_t largest_request = 0; ///< largest single allocation asked for
  std::int64_t page_slots = 0;      ///< page-cache slots in the block
  std::int64_t page_slot_bytes = 0; ///< bytes per slot
  std::int64_t peak_page_slots = 0; ///< most slots in use at once
  std::int64_t page_overflow = 0;   ///< page-cache bytes that did not fit in a slot, at most

  /// The most of the block (or of malloc) SQLite held: heap peak plus the slots' peak. The two
  /// peaks may be at different moments, so this can exceed the true peak, never fall short of it.
  [[nodiscard]] std::int64_t peak_bytes() const {
    return peak_used + peak_page_slots * page_slot_bytes;
  }
};
[[nodiscard]] StoreMemoryUse store_memory_use();

/// A static text for Error::detail when a Store call failed with OutOfMemory: which limit it hit
/// and what to change.
[[nodiscard]] const char* store_memory_hint();

} // namespace ec
