// tests/agg/hour_table_test.cpp - Sums per key, spills when full, exact after any number of spills.
#include "core/agg/hour_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace ec {
namespace {

using KeyTuple =
    std::tuple<std::int32_t, std::uint64_t, std::uint64_t, std::int64_t, std::uint32_t>;

KeyTuple tuple_of(const HourKey& key) {
  return {key.billing_period, key.payer.digits, key.account.digits, key.hour_start,
          key.currency.packed};
}

// Records every spilled batch and merges it the way the store will.
class RecordingSink final : public TotalsSink {
public:
  Status on_batch(std::span<const KeyedTotals> batch) override {
    ++batches;
    if (fail)
      return make_error(ErrorCode::Io, "test: sink refused");
    for (const KeyedTotals& entry : batch) {
      auto [it, inserted] = merged.try_emplace(tuple_of(entry.key), entry.totals);
      if (!inserted) {
        EXPECT_TRUE(it->second.add_checked(entry.totals));
      }
      ++entries;
    }
    return {};
  }
  std::map<KeyTuple, HourTotals> merged;
  int batches = 0;
  std::size_t entries = 0;
  bool fail = false;
};

HourKey make_key(int account, int hour) {
  HourKey key;
  key.billing_period = 202311;
  EXPECT_TRUE(AccountId::parse("123456789012", key.payer));
  key.account.digits = static_cast<std::uint64_t>(account);
  key.account.length = 12;
  key.hour_start = 1698796800 + 3600LL * hour;
  EXPECT_TRUE(CurrencyCode::parse("USD", key.currency));
  return key;
}

HourTotals cents(std::int64_t value) {
  HourTotals totals;
  for (Decimal& cost : totals.cost)
    cost = parse_decimal(std::to_string(value) + "e-2").value();
  totals.line_items = 1;
  return totals;
}

TEST(HourTable, SumsRepeatedKeysWithoutSpilling) {
  std::vector<std::uint8_t> memory(HourTable::bytes_for(64));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  RecordingSink sink;
  HourTable table;
  ASSERT_TRUE(table.init(arena, 64, sink).ok());
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(table.add(make_key(i % 10, i % 3), cents(i)).ok());
  EXPECT_EQ(table.size(), 30u);
  EXPECT_EQ(sink.batches, 0);
  ASSERT_TRUE(table.flush().ok());
  EXPECT_EQ(table.size(), 0u);
  ASSERT_EQ(sink.merged.size(), 30u);
  std::uint64_t items = 0;
  for (const auto& [key, totals] : sink.merged)
    items += totals.line_items;
  EXPECT_EQ(items, 1000u);
  // Account 0, hour 0: i = 0, 30, 60, ..., 990 -> sum = 30 * (0 + ... + 33) = 16830 cents.
  HourTotals expected = cents(16830);
  expected.line_items = 34;
  EXPECT_EQ(sink.merged[tuple_of(make_key(0, 0))], expected);
}

TEST(HourTable, SpillsWhenFullAndTheMergedResultIsExact) {
  std::vector<std::uint8_t> memory(HourTable::bytes_for(16));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  RecordingSink sink;
  HourTable table;
  ASSERT_TRUE(table.init(arena, 16, sink).ok());
  EXPECT_EQ(table.capacity(), 16u);
  std::map<KeyTuple, HourTotals> direct;
  std::mt19937 random(7);
  for (int i = 0; i < 20000; ++i) {
    HourKey key = make_key(static_cast<int>(random() % 50), static_cast<int>(random() % 40));
    HourTotals totals = cents(static_cast<std::int64_t>(random() % 100000) - 50000);
    ASSERT_TRUE(table.add(key, totals).ok());
    auto [it, inserted] = direct.try_emplace(tuple_of(key), totals);
    if (!inserted) {
      ASSERT_TRUE(it->second.add_checked(totals));
    }
  }
  ASSERT_TRUE(table.flush().ok());
  EXPECT_GT(table.spills(), 100u); // 2000 keys through a 12-key table
  EXPECT_EQ(sink.merged, direct);
  EXPECT_LE(arena.high_water(), HourTable::bytes_for(16));
}

// 32-bit targets (armhf runs this under qemu): counts and sums are 64-bit and 128-bit whatever
// size_t and long are. 3e9 line items twice is past 2^32; cost past 2^64 units of 1e-18.
TEST(HourTable, CountsAndSumsPastThirtyTwoBitsStayExact) {
  std::vector<std::uint8_t> memory(HourTable::bytes_for(16));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  RecordingSink sink;
  HourTable table;
  ASSERT_TRUE(table.init(arena, 16, sink).ok());
  HourTotals big;
  for (Decimal& cost : big.cost)
    cost = parse_decimal("12345678901.123456789012345678").value(); // 1.2e28 units of 1e-18
  big.line_items = 3'000'000'000u;
  ASSERT_TRUE(table.add(make_key(1, 1), big).ok());
  ASSERT_TRUE(table.add(make_key(1, 1), big).ok());
  ASSERT_TRUE(table.flush().ok());
  const HourTotals& sum = sink.merged[tuple_of(make_key(1, 1))];
  EXPECT_EQ(sum.line_items, 6'000'000'000u);
  EXPECT_EQ(sum.cost[0], parse_decimal("24691357802.246913578024691356").value());
}

TEST(HourTable, OverflowAndSinkErrorsAreReported) {
  std::vector<std::uint8_t> memory(HourTable::bytes_for(16));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  RecordingSink sink;
  HourTable table;
  ASSERT_TRUE(table.init(arena, 16, sink).ok());
  HourTotals huge;
  huge.cost[0].scaled = Int128::from_words(0x7000000000000000ull, 0);
  ASSERT_TRUE(table.add(make_key(1, 1), huge).ok());
  ASSERT_TRUE(table.add(make_key(1, 1), huge).ok()); // still in flight
  Status overflow = table.flush();
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.error().code, ErrorCode::Overflow);

  table.clear();
  sink.fail = true;
  Status failed;
  int calls = 0;
  for (; calls < 100 && failed.ok(); ++calls)
    failed = table.add(make_key(calls, 0), cents(1));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(calls, 16 + 1 + 2); // 16 keys fill it; the 17th spills two calls later
  EXPECT_STREQ(failed.error().message, "test: sink refused");
}

TEST(HourTable, TooSmallArenaIsOutOfMemory) {
  std::vector<std::uint8_t> memory(HourTable::bytes_for(1024) / 2);
  Arena arena(MutableBytes(memory.data(), memory.size()));
  RecordingSink sink;
  HourTable table;
  Status status = table.init(arena, 1024, sink);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
}

TEST(HourKey, AccountIdsKeepLeadingZeros) {
  AccountId id;
  ASSERT_TRUE(AccountId::parse("000123456789", id));
  char text[20];
  EXPECT_EQ(id.format(text), 12u);
  EXPECT_STREQ(text, "000123456789");
  AccountId other;
  ASSERT_TRUE(AccountId::parse("123456789", other));
  EXPECT_FALSE(id == other);
  EXPECT_FALSE(AccountId::parse("", id));
  EXPECT_FALSE(AccountId::parse("12345678901234567890", id));
  EXPECT_FALSE(AccountId::parse("12a", id));
  EXPECT_TRUE(AccountId::parse("9999999999999999999", id));
  CurrencyCode code;
  EXPECT_TRUE(CurrencyCode::parse("EUR", code));
  code.format(text);
  EXPECT_STREQ(text, "EUR");
  EXPECT_FALSE(CurrencyCode::parse("usd", code));
  EXPECT_FALSE(CurrencyCode::parse("US", code));
}

} // namespace
} // namespace ec
