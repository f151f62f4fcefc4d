// firmware/sqlite_memory.cpp - give_sqlite_memory: the block, taken once, kept to the end.
#include "firmware/sqlite_memory.h"

#include "core/store/store_memory.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"

#include <cstdint>
#include <memory>

namespace ec::firmware {

namespace {
// SQLite keeps using it until the process ends: never freed.
std::unique_ptr<std::uint8_t[]> g_block;
} // namespace

int give_sqlite_memory(const Settings& settings) {
  if (store_memory_use().kind != StoreMemoryKind::Malloc)
    return kExitOk; // given already
  // Not zero-filled: a page counts in RSS only once SQLite writes to it.
  g_block.reset(new std::uint8_t[settings.store_memory_bytes]);
  Result<StoreMemoryKind> given =
      give_store_memory(MutableBytes(g_block.get(), settings.store_memory_bytes));
  if (!given.ok()) {
    print_error("store memory", given.error());
    g_block.reset();
    return kExitInternal;
  }
  // Without memsys5 (Debian's shared SQLite) the size is only a limit: the block is not used.
  if (given.value() == StoreMemoryKind::LimitedMalloc)
    g_block.reset();
  return kExitOk;
}

std::string sqlite_memory_text() {
  StoreMemoryUse use = store_memory_use();
  std::string text =
      "SQLite memory: peak " + human_bytes(static_cast<std::uint64_t>(use.peak_bytes()));
  switch (use.kind) {
  case StoreMemoryKind::FixedHeap:
    return text + " of " + human_bytes(use.capacity) + " (fixed heap)";
  case StoreMemoryKind::LimitedMalloc:
    return text + " of " + human_bytes(use.capacity) + " (malloc, limited)";
  case StoreMemoryKind::Malloc:
    break;
  }
  return text + " (malloc)";
}

int load_store_settings(const CliArgs& args, Settings& settings) {
  if (int code = load_settings(args, settings); code != kExitOk)
    return code;
  return give_sqlite_memory(settings);
}

} // namespace ec::firmware
