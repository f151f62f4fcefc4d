// core/agg/hour_table.cpp - Open addressing with linear probing over a fixed slot array.
#include "core/agg/hour_table.h"

namespace ec {

// Keys are spilled in batches of this many entries (the batch buffer is the only extra memory).
static constexpr std::uint32_t kSpillBatch = 256;

static std::uint32_t round_up_pow2(std::uint32_t value) {
  std::uint32_t result = 16;
  while (result < value && result < (1u << 30))
    result <<= 1;
  return result;
}

static std::uint32_t hash_key(const HourKey& key) {
  // A multiply-xorshift mix of the fields; never 0 (0 marks an empty slot).
  constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15u;
  constexpr std::uint64_t kMultiplier = 0xbf58476d1ce4e5b9u;
  std::uint64_t h = kGolden;
  auto mix = [&h](std::uint64_t value) {
    h ^= value + kGolden + (h << 6) + (h >> 2);
    h *= kMultiplier;
    h ^= h >> 31;
  };
  mix(static_cast<std::uint32_t>(key.billing_period));
  mix(key.payer.digits ^ (static_cast<std::uint64_t>(key.payer.length) << 59));
  mix(key.account.digits ^ (static_cast<std::uint64_t>(key.account.length) << 59));
  mix(static_cast<std::uint64_t>(key.hour_start));
  mix(key.currency.packed);
  std::uint32_t folded = static_cast<std::uint32_t>(h ^ (h >> 32));
  return folded == 0 ? 1 : folded;
}

std::size_t HourTable::bytes_for(std::uint32_t capacity_keys) {
  std::uint32_t capacity = round_up_pow2(capacity_keys);
  return sizeof(Slot) * capacity + sizeof(KeyedTotals) * kSpillBatch + 2 * alignof(Slot);
}

Status HourTable::init(Arena& arena, std::uint32_t capacity_keys, TotalsSink& sink) {
  std::uint32_t capacity = round_up_pow2(capacity_keys);
  EC_TRY_ASSIGN(m_slots, arena.try_allocate_array<Slot>(capacity, "hour table"));
  EC_TRY_ASSIGN(m_batch, arena.try_allocate_array<KeyedTotals>(kSpillBatch, "hour table batch"));
  m_mask = capacity - 1;
  m_spill_at = capacity / 4 * 3;
  m_size = 0;
  m_sink = &sink;
  return {};
}

static constexpr Error kSumOverflow =
    make_error(ErrorCode::Overflow, "agg: a cost sum is out of range (|sum| >= 1.7e20)");

Status HourTable::add(const HourKey& key, const HourTotals& totals) {
  if (m_last != UINT32_MAX && m_slots[m_last].entry.key == key) {
    if (!m_slots[m_last].entry.totals.add_checked(totals))
      return kSumOverflow;
    return {};
  }
  std::uint32_t hash = hash_key(key);
  std::uint32_t index = hash & m_mask;
  for (;;) {
    Slot& slot = m_slots[index];
    if (slot.hash == 0)
      break;
    if (slot.hash == hash && slot.entry.key == key) {
      if (!slot.entry.totals.add_checked(totals))
        return kSumOverflow;
      m_last = index;
      return {};
    }
    index = (index + 1) & m_mask;
  }
  if (m_size >= m_spill_at) {
    EC_TRY(flush());
    index = hash & m_mask; // the table is empty now
  }
  Slot& slot = m_slots[index];
  slot.hash = hash;
  slot.entry.key = key;
  slot.entry.totals = totals;
  ++m_size;
  m_last = index;
  return {};
}

Status HourTable::flush() {
  if (m_size == 0)
    return {};
  std::uint32_t batched = 0;
  for (std::uint32_t i = 0; i <= m_mask; ++i) {
    if (m_slots[i].hash == 0)
      continue;
    m_batch[batched++] = m_slots[i].entry;
    if (batched == kSpillBatch) {
      EC_TRY(m_sink->on_batch({m_batch, batched}));
      batched = 0;
    }
  }
  if (batched > 0)
    EC_TRY(m_sink->on_batch({m_batch, batched}));
  clear();
  ++m_spills;
  return {};
}

void HourTable::clear() {
  for (std::uint32_t i = 0; i <= m_mask; ++i)
    m_slots[i].hash = 0;
  m_size = 0;
  m_last = UINT32_MAX;
}

} // namespace ec
