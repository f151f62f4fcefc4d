// core/store/store_query.cpp - Store reads: the report query, the deliveries list and counts.
#include "core/store/store.h"

#include <sqlite3.h>

#include <cstring>

namespace ec {

namespace {

// Smallest hour index h with h * 3600 >= seconds (C++ division truncates toward zero).
std::int64_t hour_at_or_after(UnixSeconds seconds) {
  std::int64_t hour = seconds / 3600;
  if (seconds % 3600 > 0)
    hour += 1;
  return hour;
}

std::string_view column_text(sqlite3_stmt* statement, int column) {
  const unsigned char* text = sqlite3_column_text(statement, column);
  int bytes = sqlite3_column_bytes(statement, column);
  if (!text || bytes <= 0)
    return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes)};
}

// Group key of one query row: ids stand for their texts, which are unique.
struct GroupKey {
  std::int64_t period = 0;
  std::int64_t payer = 0;
  std::int64_t account = 0;
  std::int64_t bucket = 0;
  std::int64_t currency = 0;
  friend bool operator==(const GroupKey&, const GroupKey&) = default;
};

} // namespace

Status Store::query(const ReportQuery& query, ReportRowSink& sink) {
  if (!m_db)
    return make_error(ErrorCode::InvalidArgument, "store: not open");
  std::int64_t account = 0;
  if (query.account.length != 0) {
    EC_TRY_ASSIGN(std::int64_t found, account_id(query.account, Lookup::FindOnly));
    if (found == 0)
      return {}; // an account the store has never seen has no rows
    account = found;
  }
  std::int64_t scope = 0;
  if (query.scope) {
    EC_TRY_ASSIGN(std::int64_t found, scope_id(*query.scope, Lookup::FindOnly));
    if (found == 0)
      return {}; // nor has a scope
    scope = found;
  }
  EC_TRY_ASSIGN(sqlite3_stmt * select, statement(Statement::Query));
  ResetGuard reset(select);
  std::int64_t bounds[3] = {static_cast<std::int64_t>(query.grouping), hour_at_or_after(query.from),
                            hour_at_or_after(query.to)};
  int rc = bind_integers(select, 1, bounds, 3);
  if (rc == SQLITE_OK)
    rc = account != 0 ? sqlite3_bind_int64(select, 4, account) : sqlite3_bind_null(select, 4);
  if (rc == SQLITE_OK)
    rc = scope != 0 ? sqlite3_bind_int64(select, 5, scope) : sqlite3_bind_null(select, 5);
  if (rc != SQLITE_OK)
    return sqlite_error(rc, "store: cannot run report query");

  GroupKey group;
  KeyedTotals row;
  // The group's account name, copied: the column's text does not outlive the next step.
  char name[kAccountNameMaxBytes];
  std::size_t name_length = 0;
  bool have_group = false;
  for (;;) {
    rc = step(select);
    if (rc == SQLITE_DONE)
      break;
    if (rc != SQLITE_ROW)
      return sqlite_error(rc, "store: cannot run report query");
    GroupKey key;
    key.period = sqlite3_column_int64(select, 0);
    key.payer = sqlite3_column_int64(select, 1);
    key.account = sqlite3_column_int64(select, 2);
    key.bucket = sqlite3_column_int64(select, 3);
    key.currency = sqlite3_column_int64(select, 4);
    HourTotals totals;
    for (int measure = 0; measure < static_cast<int>(kMeasureCount); ++measure) {
      totals.cost[measure] = join_decimal(sqlite3_column_int64(select, 8 + 2 * measure),
                                          sqlite3_column_int64(select, 9 + 2 * measure));
    }
    std::int64_t line_items = sqlite3_column_int64(select, 16);
    if (line_items < 0)
      return make_error(ErrorCode::Corrupt, "store: stored line item count is negative");
    totals.line_items = static_cast<std::uint64_t>(line_items);

    if (have_group && key == group) {
      if (!row.totals.add_checked(totals))
        return make_error(ErrorCode::Overflow, "store: report bucket total overflows");
      continue;
    }
    if (have_group)
      EC_TRY(sink.on_named_row(row, std::string_view(name, name_length)));
    group = key;
    have_group = true;
    row = KeyedTotals{};
    row.key.billing_period = static_cast<std::int32_t>(key.period);
    row.key.hour_start = key.bucket;
    std::string_view payer = column_text(select, 5);
    std::string_view usage_account = column_text(select, 6);
    std::string_view currency = column_text(select, 7);
    if ((!payer.empty() && !AccountId::parse(payer, row.key.payer)) ||
        (!usage_account.empty() && !AccountId::parse(usage_account, row.key.account)) ||
        (!currency.empty() && !CurrencyCode::parse(currency, row.key.currency)))
      return make_error(ErrorCode::Corrupt, "store: dictionary entry is malformed");
    row.totals = totals;
    // Cleaned again on the way out: the file may have been written by something else.
    name_length = clean_account_name(column_text(select, 17), name, sizeof name);
  }
  if (have_group)
    EC_TRY(sink.on_named_row(row, std::string_view(name, name_length)));
  return {};
}

Status Store::list_deliveries(DeliverySink& sink) {
  EC_TRY_ASSIGN(sqlite3_stmt * list, statement(Statement::DeliveryList));
  ResetGuard reset(list);
  for (;;) {
    int rc = step(list);
    if (rc == SQLITE_DONE)
      return {};
    if (rc != SQLITE_ROW)
      return sqlite_error(rc, "store: cannot list deliveries");
    DeliveryRecord record;
    record.billing_period = static_cast<std::int32_t>(sqlite3_column_int64(list, 0));
    record.scope = column_text(list, 1);
    record.identity = column_text(list, 2);
    record.source = column_text(list, 3);
    record.ingested_at = sqlite3_column_int64(list, 4);
    std::int64_t keys = sqlite3_column_int64(list, 5);
    std::int64_t line_items = sqlite3_column_int64(list, 6);
    if (keys < 0 || line_items < 0)
      return make_error(ErrorCode::Corrupt, "store: delivery record count is negative");
    record.keys = static_cast<std::uint64_t>(keys);
    record.line_items = static_cast<std::uint64_t>(line_items);
    EC_TRY(sink.on_delivery(record));
  }
}

Result<bool> Store::find_delivery(std::string_view scope, std::int32_t period,
                                  MutableBytes identity_out, std::size_t& identity_size,
                                  UnixSeconds& ingested_at) {
  identity_size = 0;
  EC_TRY_ASSIGN(sqlite3_stmt * find, statement(Statement::DeliveryFindByName));
  ResetGuard reset(find);
  int rc = bind_text(find, 1, scope);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(find, 2, period);
  if (rc == SQLITE_OK)
    rc = step(find);
  if (rc == SQLITE_DONE)
    return false;
  if (rc != SQLITE_ROW)
    return sqlite_error(rc, "store: cannot read delivery record");
  const unsigned char* identity = sqlite3_column_text(find, 0);
  int identity_bytes = sqlite3_column_bytes(find, 0);
  if (!identity && identity_bytes != 0)
    return sqlite_error(SQLITE_NOMEM, "store: cannot read delivery identity");
  identity_size = identity_bytes > 0 ? static_cast<std::size_t>(identity_bytes) : 0;
  if (identity_size > identity_out.size())
    return make_error(ErrorCode::LimitExceeded, "store: delivery identity exceeds the buffer");
  if (identity_size != 0)
    std::memcpy(identity_out.data(), identity, identity_size);
  ingested_at = sqlite3_column_int64(find, 1);
  return true;
}

Result<std::uint64_t> Store::count_rows(Statement id) {
  EC_TRY_ASSIGN(sqlite3_stmt * count, statement(id));
  ResetGuard reset(count);
  int rc = step(count);
  if (rc != SQLITE_ROW)
    return sqlite_error(rc, "store: cannot count rows");
  std::int64_t value = sqlite3_column_int64(count, 0);
  return static_cast<std::uint64_t>(value < 0 ? 0 : value);
}

Result<std::uint64_t> Store::period_count() {
  return count_rows(Statement::PeriodCount);
}

Result<std::uint64_t> Store::delivery_count() {
  return count_rows(Statement::DeliveryCount);
}

Result<std::uint64_t> Store::hourly_row_count() {
  return count_rows(Statement::HourlyCount);
}

} // namespace ec
