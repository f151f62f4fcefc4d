// tests/store/store_fixtures.h - What the store tests share: rows, a fresh database path,
// delivering, dumping and raw SQL on the file.
#pragma once

#include "core/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace ec::store_test {

namespace fs = std::filesystem;

inline std::string test_path(const std::string& name) {
  fs::path dir = fs::path(EC_BINARY_DIR) / "store_test_tmp";
  fs::create_directories(dir);
  std::string path = (dir / (name + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    fs::remove(path + suffix);
  return path;
}

inline Decimal dec(const char* text) {
  Result<Decimal> parsed = parse_decimal(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed.value() : Decimal{};
}

inline std::string text_of(Decimal value, int digits = 18) {
  char out[kMaxDecimalText];
  format_decimal(value, digits, out, sizeof out);
  return out;
}

inline UnixSeconds at(const char* timestamp) {
  Result<UnixSeconds> parsed = parse_timestamp(timestamp);
  EXPECT_TRUE(parsed.ok()) << timestamp;
  return parsed.ok() ? parsed.value() : 0;
}

// A row: costs are unblended, net, blended, amortized.
inline KeyedTotals row(std::int32_t period, const char* payer, const char* account,
                       const char* hour, const char* currency, const char* unblended,
                       const char* net = "0", const char* blended = "0",
                       const char* amortized = "0", std::uint64_t line_items = 1) {
  KeyedTotals result;
  result.key.billing_period = period;
  EXPECT_TRUE(AccountId::parse(payer, result.key.payer));
  EXPECT_TRUE(AccountId::parse(account, result.key.account));
  result.key.hour_start = at(hour);
  EXPECT_TRUE(CurrencyCode::parse(currency, result.key.currency));
  result.totals[Measure::Unblended] = dec(unblended);
  result.totals[Measure::NetUnblended] = dec(net);
  result.totals[Measure::Blended] = dec(blended);
  result.totals[Measure::Amortized] = dec(amortized);
  result.totals.line_items = line_items;
  return result;
}

inline std::string describe(const KeyedTotals& r) {
  char payer[20], account[20], hour[32], currency[4] = {};
  r.key.payer.format(payer);
  r.key.account.format(account);
  format_timestamp(r.key.hour_start, hour, sizeof hour);
  if (r.key.currency.packed != 0)
    r.key.currency.format(currency);
  std::string text = std::to_string(r.key.billing_period) + " " + payer + " " + account + " " +
                     hour + " " + currency;
  for (const Decimal& cost : r.totals.cost)
    text += " " + text_of(cost);
  return text + " #" + std::to_string(r.totals.line_items);
}

// Rows as describe() text, with " name=<account name>" when the account has one.
class CollectRows final : public ReportRowSink {
public:
  Status on_row(const KeyedTotals& r) override { return on_named_row(r, ""); }
  Status on_named_row(const KeyedTotals& r, std::string_view account_name) override {
    rows.push_back(describe(r) +
                   (account_name.empty() ? "" : " name=" + std::string(account_name)));
    return {};
  }
  std::vector<std::string> rows;
};

// Records as text, starting with "[scope] " unless the scope is "" (local files).
class CollectDeliveries final : public DeliverySink {
public:
  Status on_delivery(const DeliveryRecord& d) override {
    rows.push_back((d.scope.empty() ? "" : "[" + std::string(d.scope) + "] ") +
                   std::to_string(d.billing_period) + " " + std::string(d.identity) + " " +
                   std::string(d.source) + " " + std::to_string(d.ingested_at) +
                   " keys=" + std::to_string(d.keys) + " items=" + std::to_string(d.line_items));
    return {};
  }
  std::vector<std::string> rows;
};

inline std::vector<std::string> dump(Store& store, ReportQuery query = {}) {
  CollectRows sink;
  Status status = store.query(query, sink);
  EXPECT_TRUE(status.ok()) << status.error().message << " rc=" << status.error().lib_code << " "
                           << (status.error().detail ? status.error().detail : "");
  return sink.rows;
}

inline std::vector<std::string> deliveries(Store& store) {
  CollectDeliveries sink;
  Status status = store.list_deliveries(sink);
  EXPECT_TRUE(status.ok()) << status.error().message;
  return sink.rows;
}

inline void open_rw(Store& store, const std::string& path) {
  Status status = store.open(path.c_str(), OpenMode::ReadWrite);
  ASSERT_TRUE(status.ok()) << status.error().message;
}

struct Delivered {
  std::vector<PeriodOutcome> outcomes;
  std::size_t count = 0;
};

// begin + stage (in batches of `batch_size`) + commit for `scope`; expects success.
inline Delivered deliver(Store& store, const std::vector<KeyedTotals>& rows, const char* identity,
                         std::size_t batch_size = 3, UnixSeconds ingested_at = 1700000000,
                         std::string_view scope = "") {
  EXPECT_TRUE(store.begin_delivery().ok());
  for (std::size_t i = 0; i < rows.size(); i += batch_size) {
    std::size_t n = std::min(batch_size, rows.size() - i);
    Status staged = store.stage(std::span<const KeyedTotals>(rows.data() + i, n));
    EXPECT_TRUE(staged.ok()) << staged.error().message;
  }
  Delivered result;
  result.outcomes.resize(8);
  DeliveryInfo info{identity, "test-source", ingested_at, scope};
  Result<std::size_t> count = store.commit_delivery(info, result.outcomes.data(), 8);
  EXPECT_TRUE(count.ok()) << (count.ok() ? "" : count.error().message);
  result.count = count.ok() ? count.value() : 0;
  result.outcomes.resize(std::min<std::size_t>(result.count, 8));
  return result;
}

inline std::int64_t sql_integer(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
  std::int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW)
    value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

inline std::string sql_text(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
  std::string text;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const unsigned char* column =
        sqlite3_column_text(statement, sqlite3_column_count(statement) - 1);
    text += column ? reinterpret_cast<const char*>(column) : "NULL";
    text += "\n";
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return text;
}

inline void sql_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
}

} // namespace ec::store_test
