// tests/cur/cur_mapper_test.cpp - Each measure rule of CUR-FORMATS.md section 4, and bad rows.
#include "core/cur/cur_mapper.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ec {
namespace {

class CollectingSink final : public TotalsSink {
public:
  Status on_batch(std::span<const KeyedTotals> batch) override {
    entries.insert(entries.end(), batch.begin(), batch.end());
    return {};
  }
  std::vector<KeyedTotals> entries;
};

std::string text(const Decimal& value) {
  char out[kMaxDecimalText];
  format_decimal(value, 10, out, sizeof out);
  return out;
}

struct Fixture {
  Fixture(MalformedPolicy policy = MalformedPolicy::Skip)
      : memory(HourTable::bytes_for(64)), arena(MutableBytes(memory.data(), memory.size())),
        mapper(table, policy) {
    EXPECT_TRUE(table.init(arena, 64, sink).ok());
  }

  // A row with sensible defaults; `changes` overrides roles.
  CurFields row(std::initializer_list<std::pair<CurRole, std::string_view>> changes) {
    CurFields fields;
    fields.cell[static_cast<int>(CurRole::BillingPeriodStart)] = "2023-11-01T00:00:00.000Z";
    fields.cell[static_cast<int>(CurRole::Payer)] = "123412340534";
    fields.cell[static_cast<int>(CurRole::UsageAccount)] = "000012340534";
    fields.cell[static_cast<int>(CurRole::UsageStart)] = "2023-11-03T05:17:00Z";
    fields.cell[static_cast<int>(CurRole::Currency)] = "USD";
    fields.cell[static_cast<int>(CurRole::LineItemType)] = "Usage";
    fields.cell[static_cast<int>(CurRole::Unblended)] = "1.5";
    for (auto [role, value] : changes)
      fields.cell[static_cast<int>(role)] = value;
    return fields;
  }

  KeyedTotals only() {
    EXPECT_TRUE(table.flush().ok());
    EXPECT_EQ(sink.entries.size(), 1u);
    return sink.entries.empty() ? KeyedTotals{} : sink.entries[0];
  }

  std::vector<std::uint8_t> memory;
  Arena arena;
  CollectingSink sink;
  HourTable table;
  CurMapper mapper;
};

TEST(CurMapper, KeyFromBillingPeriodAccountsHourAndCurrency) {
  Fixture f;
  ASSERT_TRUE(f.mapper.add_row(f.row({}), 2).ok());
  KeyedTotals entry = f.only();
  EXPECT_EQ(entry.key.billing_period, 202311);
  char account[20];
  entry.key.account.format(account);
  EXPECT_STREQ(account, "000012340534");
  EXPECT_EQ(entry.key.hour_start, parse_timestamp("2023-11-03T05:00:00Z").value());
  EXPECT_EQ(entry.totals.line_items, 1u);
}

TEST(CurMapper, UsageRowUsesUnblendedForNetAndAmortized) {
  Fixture f;
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Blended, "1.4"}}), 2).ok());
  KeyedTotals entry = f.only();
  EXPECT_EQ(text(entry.totals[Measure::Unblended]), "1.5000000000");
  EXPECT_EQ(text(entry.totals[Measure::NetUnblended]), "1.5000000000");
  EXPECT_EQ(text(entry.totals[Measure::Blended]), "1.4000000000");
  EXPECT_EQ(text(entry.totals[Measure::Amortized]), "1.5000000000");
}

TEST(CurMapper, NetUnblendedWhenPresent) {
  Fixture f;
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::NetUnblended, "1.2E0"}}), 2).ok());
  EXPECT_EQ(text(f.only().totals[Measure::NetUnblended]), "1.2000000000");
}

struct AmortizedCase {
  const char* type;
  std::vector<std::pair<CurRole, std::string_view>> cells;
  const char* amortized;
};

TEST(CurMapper, AmortizedRulesFromTheWellArchitectedQueries) {
  const std::vector<AmortizedCase> cases = {
      {"SavingsPlanCoveredUsage", {{CurRole::SavingsPlanEffective, "0.75"}}, "0.7500000000"},
      {"SavingsPlanRecurringFee",
       {{CurRole::SavingsPlanTotalCommitment, "10"}, {CurRole::SavingsPlanUsedCommitment, "7.25"}},
       "2.7500000000"},
      {"SavingsPlanNegation", {}, "0.0000000000"},
      {"SavingsPlanUpfrontFee", {}, "0.0000000000"},
      {"DiscountedUsage", {{CurRole::ReservationEffective, "0.3"}}, "0.3000000000"},
      {"RIFee",
       {{CurRole::ReservationUnusedUpfront, "2"}, {CurRole::ReservationUnusedRecurring, "1.5E-1"}},
       "2.1500000000"},
      {"Fee",
       {{CurRole::ReservationArn, "arn:aws:ec2:us-east-1:1:reserved-instances/x"}},
       "0.0000000000"},
      {"Fee", {}, "1.5000000000"},
      {"Tax", {}, "1.5000000000"},
      {"Credit", {}, "1.5000000000"},
      {"SavingsPlanCoveredUsage", {}, "0.0000000000"}, // empty effective cost is zero
  };
  for (const AmortizedCase& test : cases) {
    Fixture f;
    CurFields fields = f.row({{CurRole::LineItemType, test.type}});
    for (auto [role, value] : test.cells)
      fields.cell[static_cast<int>(role)] = value;
    ASSERT_TRUE(f.mapper.add_row(fields, 2).ok()) << test.type;
    EXPECT_EQ(text(f.only().totals[Measure::Amortized]), test.amortized) << test.type;
  }
}

TEST(CurMapper, MalformedRowsAreSkippedAndRemembered) {
  Fixture f;
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::UsageAccount, "12x"}}), 10).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Currency, ""}}), 11).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::UsageStart, "2023-11-31T00:00:00Z"}}), 12).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Unblended, "1,5"}}), 13).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Payer, ""}}), 14).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Blended, "abc"}}), 15).ok());
  // A bad cell the row does not use is not checked.
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::ReservationEffective, "abc"}}), 16).ok());
  EXPECT_EQ(f.mapper.malformed_rows(), 6u);
  EXPECT_EQ(f.mapper.rows(), 1u);
  std::uint32_t count = 0;
  const RowLocation* where = f.mapper.malformed_locations(count);
  ASSERT_EQ(count, 5u);
  EXPECT_EQ(where[0].line, 10u);
  EXPECT_STREQ(where[0].reason, "cur: usage account id is not 1-19 digits");
  EXPECT_STREQ(where[1].reason, "cur: currency is not a 3-letter code");
  EXPECT_STREQ(where[2].reason, "cur: usage start is not a timestamp");
  EXPECT_STREQ(where[3].reason, "cur: unblended cost is not a number");
  EXPECT_EQ(where[4].line, 14u);
}

// [ingest] max_malformed: a file's malformed rows against its own rows (valid, filtered and
// malformed), counted from begin_file(); a file whose every row is malformed always fails.
TEST(CurMapper, TooManyMalformedRowsInAFileFailIt) {
  Fixture f;
  const MalformedLimit one_percent{true, 10000};
  // File 0: 1 bad row of 100 is 1%, allowed.
  f.mapper.begin_file(0);
  for (int i = 0; i < 99; ++i)
    ASSERT_TRUE(f.mapper.add_row(f.row({}), 2 + static_cast<std::uint64_t>(i)).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Unblended, "1,5"}}), 101).ok());
  EXPECT_TRUE(f.mapper.end_file(one_percent).ok());
  // File 1: 2 bad rows of 100 is over 1%; its own first rows are remembered, not file 0's.
  f.mapper.begin_file(1);
  for (int i = 0; i < 98; ++i)
    ASSERT_TRUE(f.mapper.add_row(f.row({}), 2 + static_cast<std::uint64_t>(i)).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::UsageStart, "x"}}), 100).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::Currency, ""}}), 101).ok());
  Status over = f.mapper.end_file(one_percent);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(over.error().message,
               "cur: too many malformed rows in this file ([ingest] max_malformed); the delivery "
               "is rejected and the store keeps its totals");
  std::uint32_t count = 0;
  const RowLocation* where = f.mapper.file_malformed_locations(count);
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(where[0].file_index, 1u);
  EXPECT_EQ(where[0].line, 100u);
  EXPECT_STREQ(where[1].reason, "cur: currency is not a 3-letter code");
  // The same file against a count of 2: allowed; against 100%: allowed, as not every row is bad.
  EXPECT_TRUE(f.mapper.end_file(MalformedLimit{false, 2}).ok());
  EXPECT_FALSE(f.mapper.end_file(MalformedLimit{false, 1}).ok());
  EXPECT_TRUE(f.mapper.end_file(MalformedLimit{true, 1000000}).ok());
}

TEST(CurMapper, AFileOfOnlyMalformedRowsFailsWhateverTheLimit) {
  Fixture f;
  f.mapper.begin_file(0);
  for (int i = 0; i < 5000; ++i)
    ASSERT_TRUE(f.mapper
                    .add_row(f.row({{CurRole::UsageStart, "not a time"}}),
                             2 + static_cast<std::uint64_t>(i))
                    .ok());
  EXPECT_FALSE(f.mapper.end_file(MalformedLimit{true, 1000000}).ok());
  EXPECT_FALSE(f.mapper.end_file(MalformedLimit{false, 1000000}).ok());
  // Rows the account filter dropped are rows of the file too: then not every row is bad.
  f.mapper.begin_file(1);
  EXPECT_TRUE(f.mapper.end_file(MalformedLimit{true, 10000}).ok()); // an empty file
}

TEST(CurMapper, FailPolicyStopsAtTheFirstBadRow) {
  Fixture f(MalformedPolicy::Fail);
  Status status = f.mapper.add_row(f.row({{CurRole::Unblended, "x"}}), 42);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().where, ErrorWhere::Line);
  EXPECT_EQ(status.error().position, 42u);
  EXPECT_STREQ(status.error().detail, "cur: unblended cost is not a number");
}

TEST(CurMapper, TimestampCacheNeverReturnsAStaleValue) {
  Fixture f;
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::UsageStart, "2023-11-03T05:00:00Z"}}), 2).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::UsageStart, "2023-11-03T06:00:00Z"}}), 3).ok());
  ASSERT_TRUE(f.mapper.add_row(f.row({{CurRole::UsageStart, "2023-11-03T05:00:00Z"}}), 4).ok());
  ASSERT_TRUE(f.table.flush().ok());
  ASSERT_EQ(f.sink.entries.size(), 2u);
  std::uint64_t at_five = 0;
  for (const KeyedTotals& entry : f.sink.entries) {
    if (entry.key.hour_start == parse_timestamp("2023-11-03T05:00:00Z").value())
      at_five = entry.totals.line_items;
  }
  EXPECT_EQ(at_five, 2u);
}

} // namespace
} // namespace ec

namespace ec {
namespace {

TEST(CurMapper, BillingPeriodsOutsideTheStoredRangeAreMalformed) {
  Fixture f;
  ASSERT_TRUE(
      f.mapper.add_row(f.row({{CurRole::BillingPeriodStart, "1899-12-01T00:00:00Z"}}), 2).ok());
  ASSERT_TRUE(
      f.mapper.add_row(f.row({{CurRole::BillingPeriodStart, "5000-01-01T00:00:00Z"}}), 3).ok());
  ASSERT_TRUE(f.mapper
                  .add_row(f.row({{CurRole::BillingPeriodStart, "4999-12-01T00:00:00Z"},
                                  {CurRole::UsageStart, "4999-12-31T23:59:59Z"}}),
                           4)
                  .ok());
  EXPECT_EQ(f.mapper.malformed_rows(), 2u);
  KeyedTotals entry = f.only();
  EXPECT_EQ(entry.key.billing_period, 499912);
  EXPECT_EQ(entry.key.hour_start, parse_timestamp("4999-12-31T23:00:00Z").value());
}

} // namespace
} // namespace ec
