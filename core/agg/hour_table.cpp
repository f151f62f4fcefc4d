// core/agg/hour_table.cpp - Open addressing (linear probing) over an index into dense entries.
#include "core/agg/hour_table.h"

namespace ec {

// Entries are handed to the sink in batches of this many (the batch buffer is the only extra
// memory besides the index and the entries).
static constexpr std::uint32_t kSpillBatch = 256;

static_assert(sizeof(HourTable::PackedKey) == 32, "the packed key is four 8-byte words");

static std::uint32_t index_slots_for(std::uint32_t capacity_keys) {
  // At most 3/4 full keeps linear probe chains short.
  std::uint64_t wanted = static_cast<std::uint64_t>(capacity_keys) * 4 / 3 + 1;
  std::uint32_t slots = 16;
  while (slots < wanted && slots < (1u << 30))
    slots <<= 1;
  return slots;
}

std::size_t HourTable::bytes_for(std::uint32_t capacity_keys) {
  return sizeof(std::uint32_t) * index_slots_for(capacity_keys) +
         sizeof(Entry) * static_cast<std::size_t>(capacity_keys) +
         sizeof(KeyedTotals) * kSpillBatch + 3 * alignof(Entry);
}

Status HourTable::init(Arena& arena, std::uint32_t capacity_keys, TotalsSink& sink) {
  if (capacity_keys == 0)
    return make_error(ErrorCode::InvalidArgument, "agg: table needs at least one key");
  std::uint32_t slots = index_slots_for(capacity_keys);
  EC_TRY_ASSIGN(m_index, arena.try_allocate_array<std::uint32_t>(slots, "hour table index"));
  // Entries are not value-initialised: each is written whole when its key arrives.
  void* entries =
      arena.allocate(sizeof(Entry) * static_cast<std::size_t>(capacity_keys), alignof(Entry));
  if (!entries)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("hour table");
  m_entries = static_cast<Entry*>(entries);
  void* batch = arena.allocate(sizeof(KeyedTotals) * kSpillBatch, alignof(KeyedTotals));
  if (!batch)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory")
        .with_detail("hour table batch");
  m_batch = static_cast<KeyedTotals*>(batch);
  m_mask = slots - 1;
  m_capacity = capacity_keys;
  m_size = 0;
  m_last = UINT32_MAX;
  m_sink = &sink;
  return {};
}

static HourTable::PackedKey pack(const HourKey& key) {
  HourTable::PackedKey packed;
  packed.payer_digits = key.payer.digits;
  packed.account_digits = key.account.digits;
  packed.hour = static_cast<std::int32_t>(key.hour_start / 3600);
  packed.currency = key.currency.packed;
  int year = key.billing_period / 100;
  int month = key.billing_period % 100;
  packed.period_months = static_cast<std::uint16_t>(year * 12 + month - 1);
  packed.payer_length = key.payer.length;
  packed.account_length = key.account.length;
  // A multiply-xorshift mix of the words; never 0 so that a zeroed key never matches.
  constexpr std::uint64_t kMultiplier = 0xbf58476d1ce4e5b9u;
  std::uint64_t h = packed.payer_digits * kMultiplier;
  h ^= (packed.account_digits + (h >> 29)) * 0x94d049bb133111ebu;
  h ^= (static_cast<std::uint64_t>(static_cast<std::uint32_t>(packed.hour)) << 32 |
        packed.currency) *
       kMultiplier;
  h ^= (static_cast<std::uint64_t>(packed.period_months) << 16 |
        static_cast<std::uint64_t>(packed.payer_length) << 8 | packed.account_length) +
       (h >> 31);
  h *= 0x9e3779b97f4a7c15u;
  std::uint32_t folded = static_cast<std::uint32_t>(h >> 32);
  packed.hash = folded == 0 ? 1 : folded;
  return packed;
}

static HourKey unpack(const HourTable::PackedKey& packed) {
  HourKey key;
  key.billing_period = (packed.period_months / 12) * 100 + packed.period_months % 12 + 1;
  key.payer.digits = packed.payer_digits;
  key.payer.length = packed.payer_length;
  key.account.digits = packed.account_digits;
  key.account.length = packed.account_length;
  key.hour_start = static_cast<UnixSeconds>(packed.hour) * 3600;
  key.currency.packed = packed.currency;
  return key;
}

static constexpr Error kSumOverflow =
    make_error(ErrorCode::Overflow, "agg: a cost sum is out of range (|sum| >= 1.7e20)");

Status HourTable::add(const HourKey& key, const HourTotals& totals) {
  PackedKey packed = pack(key);
  __builtin_prefetch(&m_index[packed.hash & m_mask]);
  if (m_pending_count == kPipelineDepth) {
    EC_TRY(add_now(m_pending[0].key, m_pending[0].totals));
    m_pending[0] = m_pending[1];
    m_pending_count = 1;
  }
  if (m_pending_count == 1) {
    // The index slot of the middle key was prefetched one call ago: fetch its entry now.
    std::uint32_t number = m_index[m_pending[0].key.hash & m_mask];
    if (number != 0)
      __builtin_prefetch(&m_entries[number - 1]);
  }
  m_pending[m_pending_count++] = Pending{packed, totals};
  return {};
}

Status HourTable::drain() {
  for (std::uint32_t i = 0; i < m_pending_count; ++i) {
    Status status = add_now(m_pending[i].key, m_pending[i].totals);
    if (!status.ok()) {
      m_pending_count = 0;
      return status;
    }
  }
  m_pending_count = 0;
  return {};
}

Status HourTable::add_now(const PackedKey& packed, const HourTotals& totals) {
  if (m_last != UINT32_MAX && m_entries[m_last].key == packed) {
    if (!m_entries[m_last].totals.add_checked(totals))
      return kSumOverflow;
    return {};
  }
  std::uint32_t slot = packed.hash & m_mask;
  for (;;) {
    std::uint32_t number = m_index[slot];
    if (number == 0)
      break;
    Entry& entry = m_entries[number - 1];
    if (entry.key == packed) {
      if (!entry.totals.add_checked(totals))
        return kSumOverflow;
      m_last = number - 1;
      return {};
    }
    slot = (slot + 1) & m_mask;
  }
  if (m_size == m_capacity) {
    EC_TRY(spill_all());
    slot = packed.hash & m_mask; // the index is empty now
  }
  m_entries[m_size] = Entry{packed, totals};
  m_index[slot] = m_size + 1;
  m_last = m_size;
  ++m_size;
  return {};
}

Status HourTable::spill_all() {
  std::uint32_t batched = 0;
  for (std::uint32_t i = 0; i < m_size; ++i) {
    m_batch[batched++] = KeyedTotals{unpack(m_entries[i].key), m_entries[i].totals};
    if (batched == kSpillBatch) {
      EC_TRY(m_sink->on_batch({m_batch, batched}));
      batched = 0;
    }
  }
  if (batched > 0)
    EC_TRY(m_sink->on_batch({m_batch, batched}));
  empty_index(); // pending adds stay: they are on their way in
  ++m_spills;
  return {};
}

Status HourTable::flush() {
  EC_TRY(drain());
  if (m_size == 0)
    return {};
  return spill_all();
}

void HourTable::clear() {
  m_pending_count = 0;
  empty_index();
}

void HourTable::empty_index() {
  for (std::uint32_t i = 0; i <= m_mask; ++i)
    m_index[i] = 0;
  m_size = 0;
  m_last = UINT32_MAX;
}

} // namespace ec
