// core/agg/hour_table.h - HourTable: a fixed-capacity hash table of exact sums per HourKey.
#pragma once

#include "core/agg/hour_key.h"
#include "core/agg/totals_sink.h"
#include "core/base/arena.h"

#include <cstdint>

namespace ec {

/// Sums line items per key in memory of fixed size. When the table is full it hands every entry
/// to the TotalsSink (the store's staging area) and starts empty, so memory depends on neither
/// the number of rows nor the number of keys. All memory comes from init()'s arena.
class HourTable {
public:
  /// Bytes init() takes from the arena for `capacity_keys` keys.
  static std::size_t bytes_for(std::uint32_t capacity_keys);

  /// `capacity_keys` is rounded up to a power of two; the table spills at 3/4 of it, so that
  /// probe chains stay short. OutOfMemory when the arena is too small.
  Status init(Arena& arena, std::uint32_t capacity_keys, TotalsSink& sink);

  /// Adds `totals` to `key`'s sums. Errors: Overflow when a sum leaves the Decimal range, or the
  /// sink's error when a spill fails.
  Status add(const HourKey& key, const HourTotals& totals);
  /// Hands every entry to the sink and empties the table.
  Status flush();
  /// Empties the table without spilling (a failed delivery).
  void clear();

  [[nodiscard]] std::uint32_t size() const { return m_size; }
  [[nodiscard]] std::uint32_t capacity() const { return m_mask + 1; }
  [[nodiscard]] std::uint64_t spills() const { return m_spills; }

private:
  struct Slot {
    KeyedTotals entry;
    std::uint32_t hash; ///< 0 marks an empty slot
  };

  Slot* m_slots = nullptr;
  KeyedTotals* m_batch = nullptr; ///< compaction buffer for spills, same arena
  std::uint32_t m_mask = 0;
  std::uint32_t m_size = 0;
  std::uint32_t m_spill_at = 0;
  std::uint32_t m_last = UINT32_MAX; ///< slot of the previous add, checked first
  std::uint64_t m_spills = 0;
  TotalsSink* m_sink = nullptr;
};

} // namespace ec
