// core/store/store_commit.cpp - Store::commit_delivery: merge staged partial sums, replace periods.
//
// One pass over the staging area sorted by key (the hourly table's primary-key order) merges the
// partial sums of each key in 128 bits and walks the stored rows of the same scope and period
// alongside.
// While both agree nothing is written. At the first difference, the stored rows from that key on
// are deleted (everything before it is already equal) and every merged row from there on is
// inserted. So an unchanged period costs reads only and a changed one ends up exactly equal to
// the delivery, all inside the one transaction that also clears staging.
#include "core/store/store.h"

#include <sqlite3.h>

namespace ec {

namespace {
constexpr int kKeyColumns = 4;     // payer, account, hour, currency
constexpr int kMeasureColumns = 9; // 4 x (units at 1e-10, rest at 1e-18), line items

bool key_equal(const std::int64_t* a, const std::int64_t* b) {
  for (int i = 0; i < kKeyColumns; ++i) {
    if (a[i] != b[i])
      return false;
  }
  return true;
}

bool key_less(const std::int64_t* a, const std::int64_t* b) {
  for (int i = 0; i < kKeyColumns; ++i) {
    if (a[i] != b[i])
      return a[i] < b[i];
  }
  return false;
}
} // namespace

/// One key of the delivery with its partial sums merged.
struct Store::MergedRow {
  std::int32_t period = 0;
  std::int64_t key[kKeyColumns] = {};
  HourTotals totals;
};

/// Where the walk of one billing period of the delivery's scope stands.
struct Store::PeriodState {
  std::int64_t scope = 0; ///< scopes id; 0 until the first staged row resolves it
  std::int32_t period = 0;
  bool active = false;
  bool writing = false;       ///< stored rows from some key on were deleted; insert the rest
  bool had_delivery = false;  ///< a deliveries record existed
  bool same_identity = false; ///< ... with the identity of this delivery
  bool stored_valid = false;  ///< stored_* hold the next stored row of the period
  std::int64_t stored_key[kKeyColumns] = {};
  std::int64_t stored_columns[kMeasureColumns] = {};
  std::uint64_t keys = 0;
  std::uint64_t line_items = 0;
};

Result<std::size_t> Store::commit_delivery(const DeliveryInfo& info, PeriodOutcome* outcomes,
                                           std::size_t max_outcomes) {
  EC_TRY(require_writable());
  if (max_outcomes != 0 && !outcomes)
    return make_error(ErrorCode::InvalidArgument, "store: outcomes array missing");
  if (info.scope.size() > kStoreMaxScopeBytes)
    return make_error(ErrorCode::InvalidArgument, "store: scope name is too long");
  if (info.covered_periods.size() > kStoreMaxCoveredPeriods)
    return make_error(ErrorCode::InvalidArgument, "store: too many covered periods");
  if (m_staging_owner == 0)
    return make_error(ErrorCode::InvalidArgument, "store: no delivery begun");
  m_last_commit_writes = 0;
  m_has_failed_key = false;
  m_has_duplicate = false;
  EC_TRY(run_uncached(kSynchronousFull, "store: cannot set synchronous mode"));
  std::size_t period_count = 0;
  Status done = run(Statement::Begin, "store: cannot begin delivery commit");
  if (done.ok())
    done = commit_periods(info, outcomes, max_outcomes, period_count);
  if (done.ok())
    done = run(Statement::Commit, "store: cannot commit delivery");
  if (!done.ok()) {
    rollback_quietly();
    m_last_commit_writes = 0;
  }
  // Back to the cheaper mode for staging. Should this fail, the next commits stay FULL, which
  // is safe; the delivery's own outcome matters more.
  Status relaxed = run_uncached(kSynchronousNormal, "store: cannot set synchronous mode");
  (void)relaxed;
  if (!done.ok())
    return done.error();
  // This delivery is over: its staging file goes, and the replaced rows' pages go back to the
  // file system. It is committed whatever happens here; the next begin_delivery() retries.
  Status ended = abandon_delivery();
  (void)ended;
  return period_count;
}

Status Store::commit_periods(const DeliveryInfo& info, PeriodOutcome* outcomes,
                             std::size_t max_outcomes, std::size_t& period_count) {
  EC_TRY_ASSIGN(sqlite3_stmt * scan, statement(Statement::StagingScan));
  ResetGuard reset(scan);
  int bound = sqlite3_bind_int64(scan, 1, m_staging_owner);
  if (bound != SQLITE_OK)
    return sqlite_error(bound, "store: cannot read staging");
  PeriodState state;
  MergedRow merged;
  bool have_row = false;
  bool covered_staged[kStoreMaxCoveredPeriods] = {};
  std::uint64_t rows_read = 0;
  for (;;) {
    int rc = step(scan);
    if (rc == SQLITE_DONE)
      break;
    if (rc != SQLITE_ROW)
      return sqlite_error(rc, "store: cannot read staging");
    ++rows_read;
    MergedRow partial;
    partial.period = static_cast<std::int32_t>(sqlite3_column_int64(scan, 0));
    for (int i = 0; i < kKeyColumns; ++i)
      partial.key[i] = sqlite3_column_int64(scan, 1 + i);
    for (int measure = 0; measure < static_cast<int>(kMeasureCount); ++measure) {
      partial.totals.cost[measure] = join_decimal(sqlite3_column_int64(scan, 5 + 2 * measure),
                                                  sqlite3_column_int64(scan, 6 + 2 * measure));
    }
    std::int64_t line_items = sqlite3_column_int64(scan, 13);
    if (line_items < 0)
      return make_error(ErrorCode::Corrupt, "store: staged line item count is negative");
    partial.totals.line_items = static_cast<std::uint64_t>(line_items);

    if (!have_row || partial.period != merged.period) {
      bool covered = info.covered_periods.empty();
      for (std::size_t i = 0; i < info.covered_periods.size(); ++i) {
        bool same = info.covered_periods[i] == partial.period;
        covered_staged[i] = covered_staged[i] || same;
        covered = covered || same;
      }
      if (!covered) {
        // A manifest for 2026-11 whose rows are of 2023-11: a bad delivery, not a new period.
        note_failed_key(partial.period, partial.key);
        return make_error(ErrorCode::InvalidInput,
                          "store: the delivery holds rows of a billing period its manifest does "
                          "not cover; nothing was committed");
      }
    }
    if (have_row && partial.period == merged.period && key_equal(partial.key, merged.key)) {
      if (!merged.totals.add_checked(partial.totals)) {
        note_failed_key(merged.period, merged.key);
        return make_error(ErrorCode::Overflow, "store: merged total exceeds the stored range");
      }
      continue;
    }
    if (have_row) {
      EC_TRY(apply_merged(info, state, merged, outcomes, max_outcomes, period_count));
    } else {
      // The scope is named in the store only once it holds something (an empty delivery
      // writes nothing at all).
      EC_TRY_ASSIGN(state.scope, scope_id(info.scope, Lookup::Create));
    }
    merged = partial;
    have_row = true;
  }
  if (rows_read != m_staged_rows)
    return make_error(ErrorCode::Conflict,
                      "store: this delivery's staged rows were changed by another writer (is a "
                      "second edgecur writing the store without its lock?); nothing was committed");
  if (have_row)
    EC_TRY(apply_merged(info, state, merged, outcomes, max_outcomes, period_count));
  if (state.active)
    EC_TRY(finish_period(info, state, outcomes, max_outcomes, period_count));
  // A covered period without a staged row: whatever the scope stored for it goes, and the
  // delivery is recorded (0 keys).
  for (std::size_t i = 0; i < info.covered_periods.size(); ++i) {
    bool done = covered_staged[i];
    for (std::size_t earlier = 0; earlier < i; ++earlier) // listed twice: once is enough
      done = done || info.covered_periods[earlier] == info.covered_periods[i];
    if (done)
      continue;
    if (state.scope == 0) {
      EC_TRY_ASSIGN(state.scope, scope_id(info.scope, Lookup::Create));
    }
    EC_TRY(start_period(info, state, info.covered_periods[i]));
    EC_TRY(finish_period(info, state, outcomes, max_outcomes, period_count));
  }
  return {};
}

void Store::note_failed_key(std::int32_t period, const std::int64_t* key_ids) {
  m_failed_key = HourKey{};
  m_failed_key.billing_period = period;
  m_failed_key.hour_start = key_ids[2] * 3600;
  m_has_failed_key = true;
  // Uncached lookups by id: this runs once, on the way out of a failed commit.
  static constexpr const char* kLookups[] = {"SELECT text FROM accounts WHERE id = ?1",
                                             "SELECT text FROM accounts WHERE id = ?1",
                                             "SELECT code FROM currencies WHERE id = ?1"};
  static constexpr int kIdColumn[] = {0, 1, 3};
  for (int i = 0; i < 3; ++i) {
    sqlite3_stmt* lookup = nullptr;
    if (sqlite3_prepare_v2(m_db, kLookups[i], -1, &lookup, nullptr) != SQLITE_OK) {
      sqlite3_finalize(lookup);
      continue;
    }
    if (sqlite3_bind_int64(lookup, 1, key_ids[kIdColumn[i]]) == SQLITE_OK &&
        sqlite3_step(lookup) == SQLITE_ROW) {
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(lookup, 0));
      std::string_view view(text ? text : "",
                            static_cast<std::size_t>(sqlite3_column_bytes(lookup, 0)));
      bool parsed = i == 0   ? AccountId::parse(view, m_failed_key.payer)
                    : i == 1 ? AccountId::parse(view, m_failed_key.account)
                             : CurrencyCode::parse(view, m_failed_key.currency);
      (void)parsed; // left absent when the stored text does not parse
    }
    sqlite3_finalize(lookup);
  }
}

Status Store::refuse_duplicate(const DeliveryInfo& info, const PeriodState& state) {
  if (info.content.empty())
    return {};
  EC_TRY_ASSIGN(sqlite3_stmt * find, statement(Statement::DeliverySameContent));
  ResetGuard reset(find);
  int rc = sqlite3_bind_int64(find, 1, state.period);
  if (rc == SQLITE_OK)
    rc = bind_text(find, 2, info.content);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(find, 3, state.scope);
  if (rc == SQLITE_OK)
    rc = step(find);
  if (rc == SQLITE_DONE)
    return {};
  if (rc != SQLITE_ROW)
    return sqlite_error(rc, "store: cannot look for the same delivery in other scopes");
  std::size_t size = static_cast<std::size_t>(sqlite3_column_bytes(find, 0));
  const unsigned char* name = sqlite3_column_text(find, 0);
  if (size > sizeof m_duplicate_scope)
    size = sizeof m_duplicate_scope;
  for (std::size_t i = 0; i < size; ++i)
    m_duplicate_scope[i] = static_cast<char>(name[i]);
  m_duplicate.billing_period = state.period;
  m_duplicate.scope = std::string_view(m_duplicate_scope, size);
  m_has_duplicate = true;
  return make_error(ErrorCode::Conflict,
                    "store: another scope already holds this delivery, so its costs would count "
                    "twice; nothing was committed");
}

Result<ForgetOutcome> Store::forget(std::string_view scope, std::int32_t period) {
  EC_TRY(require_writable());
  if (m_staging_owner != 0)
    return make_error(ErrorCode::InvalidArgument, "store: a delivery is under way");
  EC_TRY_ASSIGN(std::int64_t scope_id_value, scope_id(scope, Lookup::FindOnly));
  ForgetOutcome outcome;
  if (scope_id_value == 0)
    return outcome;
  EC_TRY(run(Statement::Begin, "store: cannot begin forgetting"));
  Status done;
  for (Statement id : {Statement::ForgetHourly, Statement::ForgetDeliveries}) {
    Result<sqlite3_stmt*> prepared = statement(id);
    if (!prepared.ok()) {
      done = prepared.error();
      break;
    }
    sqlite3_stmt* erase = prepared.value();
    ResetGuard reset(erase);
    const std::int64_t values[2] = {scope_id_value, period};
    int rc = bind_integers(erase, 1, values, 2);
    if (rc == SQLITE_OK)
      rc = step(erase);
    if (rc != SQLITE_DONE) {
      done = sqlite_error(rc, "store: cannot forget a scope");
      break;
    }
    std::uint64_t changed = static_cast<std::uint64_t>(sqlite3_changes64(m_db));
    (id == Statement::ForgetHourly ? outcome.hourly_rows : outcome.periods) = changed;
  }
  if (done.ok())
    done = run(Statement::Commit, "store: cannot commit forgetting");
  if (!done.ok()) {
    rollback_quietly();
    return done.error();
  }
  Status reclaimed = reclaim_space();
  (void)reclaimed;
  return outcome;
}

Status Store::apply_merged(const DeliveryInfo& info, PeriodState& state, const MergedRow& row,
                           PeriodOutcome* outcomes, std::size_t max_outcomes, std::size_t& count) {
  std::int64_t columns[kMeasureColumns];
  for (std::size_t measure = 0; measure < kMeasureCount; ++measure) {
    if (!split_decimal(row.totals.cost[measure], columns[2 * measure], columns[2 * measure + 1])) {
      note_failed_key(row.period, row.key);
      return make_error(ErrorCode::Overflow, "store: hourly total exceeds the stored range");
    }
  }
  if (row.totals.line_items > static_cast<std::uint64_t>(INT64_MAX))
    return make_error(ErrorCode::Overflow, "store: line item count exceeds the stored range");
  columns[8] = static_cast<std::int64_t>(row.totals.line_items);

  if (!state.active || state.period != row.period) {
    if (state.active)
      EC_TRY(finish_period(info, state, outcomes, max_outcomes, count));
    EC_TRY(start_period(info, state, row.period));
  }
  state.keys += 1;
  state.line_items += row.totals.line_items;
  if (state.line_items > static_cast<std::uint64_t>(INT64_MAX))
    return make_error(ErrorCode::Overflow, "store: line item count exceeds the stored range");

  if (!state.writing) {
    bool stored_same_key = state.stored_valid && key_equal(state.stored_key, row.key);
    if (stored_same_key) {
      bool same_values = true;
      for (int i = 0; i < kMeasureColumns; ++i)
        same_values = same_values && state.stored_columns[i] == columns[i];
      if (same_values)
        return fetch_stored(state);
    }
    // First difference: a stored key the delivery lacks sorts first, else this key.
    const std::int64_t* bound =
        state.stored_valid && key_less(state.stored_key, row.key) ? state.stored_key : row.key;
    EC_TRY(start_writing(state, bound));
  }

  EC_TRY_ASSIGN(sqlite3_stmt * insert, statement(Statement::HourlyInsert));
  ResetGuard reset(insert);
  const std::int64_t scope_period[2] = {state.scope, row.period};
  int rc = bind_integers(insert, 1, scope_period, 2);
  if (rc == SQLITE_OK)
    rc = bind_integers(insert, 3, row.key, kKeyColumns);
  if (rc == SQLITE_OK)
    rc = bind_integers(insert, 3 + kKeyColumns, columns, kMeasureColumns);
  if (rc == SQLITE_OK)
    rc = step(insert);
  if (rc != SQLITE_DONE)
    return sqlite_error(rc, "store: cannot insert hourly row");
  m_last_commit_writes += 1;
  return {};
}

Status Store::start_period(const DeliveryInfo& info, PeriodState& state, std::int32_t period) {
  std::int64_t scope = state.scope;
  state = PeriodState{};
  state.scope = scope;
  state.active = true;
  state.period = period;
  const std::int64_t scope_period[2] = {scope, period};

  EC_TRY_ASSIGN(sqlite3_stmt * find, statement(Statement::DeliveryFind));
  {
    ResetGuard reset(find);
    int rc = bind_integers(find, 1, scope_period, 2);
    if (rc == SQLITE_OK)
      rc = step(find);
    if (rc == SQLITE_ROW) {
      state.had_delivery = true;
      const unsigned char* identity = sqlite3_column_text(find, 0);
      int identity_bytes = sqlite3_column_bytes(find, 0);
      if (!identity && identity_bytes != 0)
        return sqlite_error(SQLITE_NOMEM, "store: cannot read delivery identity");
      state.same_identity =
          static_cast<std::size_t>(identity_bytes) == info.identity.size() &&
          (identity_bytes == 0 ||
           std::string_view(reinterpret_cast<const char*>(identity),
                            static_cast<std::size_t>(identity_bytes)) == info.identity);
    } else if (rc != SQLITE_DONE) {
      return sqlite_error(rc, "store: cannot read delivery record");
    }
  }

  EC_TRY_ASSIGN(sqlite3_stmt * scan, statement(Statement::HourlyScan));
  sqlite3_reset(scan); // stays open across apply_merged() calls; reset by finish or start_writing
  int rc = bind_integers(scan, 1, scope_period, 2);
  if (rc != SQLITE_OK)
    return sqlite_error(rc, "store: cannot read hourly rows");
  return fetch_stored(state);
}

Status Store::fetch_stored(PeriodState& state) {
  EC_TRY_ASSIGN(sqlite3_stmt * scan, statement(Statement::HourlyScan));
  int rc = step(scan);
  if (rc == SQLITE_DONE) {
    state.stored_valid = false;
    return {};
  }
  if (rc != SQLITE_ROW)
    return sqlite_error(rc, "store: cannot read hourly rows");
  for (int i = 0; i < kKeyColumns; ++i)
    state.stored_key[i] = sqlite3_column_int64(scan, i);
  for (int i = 0; i < kMeasureColumns; ++i)
    state.stored_columns[i] = sqlite3_column_int64(scan, kKeyColumns + i);
  state.stored_valid = true;
  return {};
}

Status Store::start_writing(PeriodState& state, const std::int64_t* bound_key) {
  std::int64_t bound[kKeyColumns];
  for (int i = 0; i < kKeyColumns; ++i)
    bound[i] = bound_key[i];
  // The read of the stored rows ends before the table is modified.
  EC_TRY_ASSIGN(sqlite3_stmt * scan, statement(Statement::HourlyScan));
  sqlite3_reset(scan);
  state.stored_valid = false;
  state.writing = true;

  EC_TRY_ASSIGN(sqlite3_stmt * erase, statement(Statement::HourlyDeleteFrom));
  ResetGuard reset(erase);
  const std::int64_t scope_period[2] = {state.scope, state.period};
  int rc = bind_integers(erase, 1, scope_period, 2);
  if (rc == SQLITE_OK)
    rc = bind_integers(erase, 3, bound, kKeyColumns);
  if (rc == SQLITE_OK)
    rc = step(erase);
  if (rc != SQLITE_DONE)
    return sqlite_error(rc, "store: cannot delete hourly rows");
  m_last_commit_writes += static_cast<std::uint64_t>(sqlite3_changes64(m_db));
  return {};
}

Status Store::finish_period(const DeliveryInfo& info, PeriodState& state, PeriodOutcome* outcomes,
                            std::size_t max_outcomes, std::size_t& count) {
  // Stored rows after the delivery's last key: the period shrank.
  if (!state.writing && state.stored_valid)
    EC_TRY(start_writing(state, state.stored_key));
  EC_TRY_ASSIGN(sqlite3_stmt * scan, statement(Statement::HourlyScan));
  sqlite3_reset(scan);
  state.active = false;

  PeriodChange change = PeriodChange::Unchanged;
  if (state.writing)
    change = state.had_delivery ? PeriodChange::Replaced : PeriodChange::Added;
  else if (!state.had_delivery)
    change = PeriodChange::Added; // a covered period without rows, seen for the first time
  if (state.keys > 0)
    EC_TRY(refuse_duplicate(info, state));
  if (state.writing || !state.same_identity) {
    EC_TRY_ASSIGN(sqlite3_stmt * upsert, statement(Statement::DeliveryUpsert));
    ResetGuard reset(upsert);
    const std::int64_t scope_period[2] = {state.scope, state.period};
    std::int64_t numbers[3] = {info.ingested_at, static_cast<std::int64_t>(state.keys),
                               static_cast<std::int64_t>(state.line_items)};
    int rc = bind_integers(upsert, 1, scope_period, 2);
    if (rc == SQLITE_OK)
      rc = bind_text(upsert, 3, info.identity);
    if (rc == SQLITE_OK)
      rc = bind_text(upsert, 4, info.source);
    if (rc == SQLITE_OK)
      rc = bind_integers(upsert, 5, numbers, 3);
    if (rc == SQLITE_OK)
      rc = bind_text(upsert, 8, info.content);
    if (rc == SQLITE_OK)
      rc = step(upsert);
    if (rc != SQLITE_DONE)
      return sqlite_error(rc, "store: cannot write delivery record");
    m_last_commit_writes += 1;
  }
  if (count < max_outcomes) {
    PeriodOutcome& outcome = outcomes[count];
    outcome.billing_period = state.period;
    outcome.change = change;
    outcome.keys = state.keys;
    outcome.line_items = state.line_items;
  }
  count += 1;
  return {};
}

} // namespace ec
