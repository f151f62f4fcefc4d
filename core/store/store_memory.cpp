// core/store/store_memory.cpp - give_store_memory: memsys5 and page-cache slots in one block.
#include "core/store/store_memory.h"

#include "core/store/store.h"

#include <sqlite3.h>

namespace ec {

namespace {

// SQLite's configuration is process-wide, so is what we gave it.
struct Given {
  StoreMemoryKind kind = StoreMemoryKind::Malloc;
  std::size_t capacity = 0;
  std::int64_t page_slots = 0;
  std::int64_t page_slot_bytes = 0;
};
Given g_given;

constexpr std::size_t kAlignment = 8;    // SQLITE_CONFIG_HEAP and _PAGECACHE want 8-byte alignment
constexpr std::size_t kPageBytes = 4096; // Store::configure's page_size
constexpr unsigned kSortRunPages = 16;
constexpr unsigned kSqliteDefaultSortRunPages = 250; // SQLITE_SORTER_PMASZ

std::size_t round_up(std::size_t value, std::size_t to) {
  return (value + to - 1) / to * to;
}

void reset_peaks() {
  sqlite3_int64 current = 0;
  sqlite3_int64 peak = 0;
  for (int op : {SQLITE_STATUS_MEMORY_USED, SQLITE_STATUS_MALLOC_SIZE, SQLITE_STATUS_PAGECACHE_USED,
                 SQLITE_STATUS_PAGECACHE_OVERFLOW})
    sqlite3_status64(op, &current, &peak, 1);
}

} // namespace

Result<StoreMemoryKind> give_store_memory(MutableBytes memory) {
  if (memory.size() < kStoreMemoryMinBytes || memory.size() > kStoreMemoryMaxBytes)
    return make_error(ErrorCode::InvalidArgument,
                      "store: SQLite's memory must be between 1 MiB and 256 MiB");
  // Every Store is closed (the caller's promise): nothing of SQLite's is in the old allocator.
  sqlite3_shutdown();

  std::uint8_t* start = memory.data();
  std::size_t skip = round_up(reinterpret_cast<std::uintptr_t>(start), kAlignment) -
                     reinterpret_cast<std::uintptr_t>(start);
  start += skip;
  std::size_t size = (memory.size() - skip) / kAlignment * kAlignment;

  // Page-cache slots first: one per page of the Store's cache (PRAGMA cache_size), each a page
  // and SQLite's header for it. memsys5 would round every 4 KiB page up to an 8 KiB block.
  int header = 0;
  sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header);
  std::size_t slot = round_up(kPageBytes + static_cast<std::size_t>(header), kAlignment);
  std::size_t slots = static_cast<std::size_t>(kStoreCacheKiB) * 1024 / kPageBytes;
  std::size_t page_bytes = slot * slots;
  std::uint8_t* heap = start + page_bytes;
  std::size_t heap_bytes = size - page_bytes;

  StoreMemoryKind kind = StoreMemoryKind::FixedHeap;
  // Sorts (the commit's ORDER BY over staging, GROUP BY in reports) in many small pieces rather
  // than one block doubled up to the run's size: a buddy heap cannot hold a 512 KiB block and its
  // 1 MiB successor at once. And runs of at least 16 pages, not SQLite's 250: a sort keeps at
  // least that much in memory before it may spill (1 MB, the whole of a small block, with the
  // default), and at most the cache's 512 KiB. Measured on 1M rows (bench/footprint.py): a 3 MiB
  // block peaks at 1.6 MiB with 16 pages, 2.6 MiB with 250; 1.5 MiB suffices for 334,000 keys.
  sqlite3_config(SQLITE_CONFIG_SMALL_MALLOC, 1);
  sqlite3_config(SQLITE_CONFIG_PMASZ, kSortRunPages);
  if (sqlite3_config(SQLITE_CONFIG_HEAP, heap, static_cast<int>(heap_bytes),
                     kStoreMemoryMinAllocation) != SQLITE_OK) {
    // No memsys5 in this SQLite (or it is in use): keep malloc, bounded by the same size.
    kind = StoreMemoryKind::LimitedMalloc;
    heap_bytes = size;
  } else if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, start, static_cast<int>(slot),
                            static_cast<int>(slots)) != SQLITE_OK) {
    sqlite3_config(SQLITE_CONFIG_HEAP, nullptr, 0, 0);
    return make_error(ErrorCode::Internal, "store: SQLite refused its page-cache slots");
  }
  if (sqlite3_initialize() != SQLITE_OK) {
    take_back_store_memory();
    return make_error(ErrorCode::Internal, "store: SQLite could not start with its memory");
  }
  // The hard limit fails an allocation before memsys5 runs dry (same outcome, earlier); the
  // soft one makes SQLite reuse its cache pages and spill sorts to files before that. A hard
  // limit also tells Store::open that the limits are set.
  sqlite3_hard_heap_limit64(static_cast<sqlite3_int64>(heap_bytes));
  sqlite3_soft_heap_limit64(static_cast<sqlite3_int64>(heap_bytes) / 4 * 3);
  reset_peaks();
  g_given = Given{};
  g_given.kind = kind;
  g_given.capacity = memory.size();
  if (kind == StoreMemoryKind::FixedHeap) {
    g_given.page_slots = static_cast<std::int64_t>(slots);
    g_given.page_slot_bytes = static_cast<std::int64_t>(slot);
  }
  return kind;
}

void take_back_store_memory() {
  sqlite3_shutdown();
  sqlite3_config(SQLITE_CONFIG_SMALL_MALLOC, 0);
  sqlite3_config(SQLITE_CONFIG_PMASZ, kSqliteDefaultSortRunPages);
  if (g_given.kind == StoreMemoryKind::FixedHeap) {
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
    sqlite3_config(SQLITE_CONFIG_HEAP, nullptr, 0, 0);
  }
  g_given = Given{};
  // Zero: no limit, so the next Store::open sets its defaults (these calls initialise SQLite).
  sqlite3_hard_heap_limit64(0);
  sqlite3_soft_heap_limit64(0);
  reset_peaks();
}

StoreMemoryUse store_memory_use() {
  StoreMemoryUse use;
  use.kind = g_given.kind;
  use.capacity = g_given.capacity;
  use.page_slots = g_given.page_slots;
  use.page_slot_bytes = g_given.page_slot_bytes;
  sqlite3_int64 current = 0;
  sqlite3_int64 peak = 0;
  sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &peak, 0);
  use.used = current;
  use.peak_used = peak;
  sqlite3_status64(SQLITE_STATUS_MALLOC_SIZE, &current, &peak, 0);
  use.largest_request = peak;
  sqlite3_status64(SQLITE_STATUS_PAGECACHE_USED, &current, &peak, 0);
  use.peak_page_slots = peak;
  sqlite3_status64(SQLITE_STATUS_PAGECACHE_OVERFLOW, &current, &peak, 0);
  use.page_overflow = peak;
  return use;
}

const char* store_memory_hint() {
  switch (g_given.kind) {
  case StoreMemoryKind::FixedHeap:
    return "SQLite's fixed memory is full; raise [store] memory in the INI file";
  case StoreMemoryKind::LimitedMalloc:
    return "SQLite reached its memory limit; raise [store] memory in the INI file";
  case StoreMemoryKind::Malloc:
    break;
  }
  return "SQLite reached its memory limit, or the device is out of memory";
}

} // namespace ec
