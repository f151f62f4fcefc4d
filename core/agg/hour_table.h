// core/agg/hour_table.h - HourTable: a fixed-capacity hash table of exact sums per HourKey.
#pragma once

#include "core/agg/hour_key.h"
#include "core/agg/totals_sink.h"
#include "core/base/arena.h"

#include <cstdint>

namespace ec {

/// Sums line items per key in memory of fixed size. When `capacity_keys` keys are held, the next
/// new key first hands every entry to the TotalsSink (the store's staging area) and empties the
/// table, so memory depends on neither the number of rows nor the number of keys. All memory
/// comes from init()'s arena: a dense array of entries (104 bytes each: a packed key and the
/// 128-bit sums) and an index of 4-byte slots at most 3/4 full.
class HourTable {
public:
  /// Bytes init() takes from the arena for `capacity_keys` keys.
  static std::size_t bytes_for(std::uint32_t capacity_keys);

  /// OutOfMemory when the arena is too small. Only the index is written here; entries are
  /// touched as keys arrive, so a small delivery does not fault in the whole table.
  Status init(Arena& arena, std::uint32_t capacity_keys, TotalsSink& sink);

  /// Adds `totals` to `key`'s sums. Errors: Overflow when a sum leaves the Decimal range, or the
  /// sink's error when a spill fails. Keys must be representable (hour_start a multiple of 3600
  /// within +-245,000 years, billing_period a YYYYMM of years 0-5000): the mapper guarantees it.
  ///
  /// The add itself happens two calls later (or at flush()): meanwhile the index slot and then
  /// the entry are prefetched, so the two cache misses of a random key overlap with parsing the
  /// next rows instead of stalling (they were 11% of ingest time). An error may therefore come
  /// from an earlier call's key; every add is done before flush() returns.
  Status add(const HourKey& key, const HourTotals& totals);
  /// Hands every entry to the sink and empties the table.
  Status flush();
  /// Empties the table without spilling (a failed delivery).
  void clear();

  /// Keys held, not counting the (at most two) adds still in flight.
  [[nodiscard]] std::uint32_t size() const { return m_size; }
  [[nodiscard]] std::uint32_t capacity() const { return m_capacity; }
  [[nodiscard]] std::uint64_t spills() const { return m_spills; }

  /// The key as the table holds it: 32 bytes, compared as four words.
  struct PackedKey {
    std::uint64_t payer_digits;
    std::uint64_t account_digits;
    std::int32_t hour;           ///< hours since the epoch
    std::uint32_t currency;      ///< CurrencyCode::packed (24 bits used)
    std::uint16_t period_months; ///< year * 12 + month - 1
    std::uint8_t payer_length;
    std::uint8_t account_length;
    std::uint32_t hash; ///< of the fields above; kept here to reject mismatches cheaply

    friend bool operator==(const PackedKey&, const PackedKey&) = default;
  };
  struct Entry {
    PackedKey key;
    HourTotals totals;
  };

private:
  struct Pending {
    PackedKey key;
    HourTotals totals;
  };
  static constexpr std::uint32_t kPipelineDepth = 2;

  Status add_now(const PackedKey& key, const HourTotals& totals);
  Status drain();
  Status spill_all();
  void empty_index();

  std::uint32_t* m_index = nullptr; ///< entry number + 1, 0 = empty; power-of-two size
  Entry* m_entries = nullptr;
  KeyedTotals* m_batch = nullptr; ///< unpacked entries for the sink
  std::uint32_t m_mask = 0;
  std::uint32_t m_capacity = 0;
  std::uint32_t m_size = 0;
  std::uint32_t m_last = UINT32_MAX; ///< entry of the previous add, checked first
  Pending m_pending[kPipelineDepth]; ///< oldest first
  std::uint32_t m_pending_count = 0;
  std::uint64_t m_spills = 0;
  TotalsSink* m_sink = nullptr;
};

} // namespace ec
