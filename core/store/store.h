// core/store/store.h - Store: the SQLite file of exact hourly totals, replaced per billing period.
#pragma once

#include "core/agg/hour_key.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ec {

/// Schema version this program writes. Opening a file with a newer one is Unsupported.
inline constexpr std::int64_t kStoreSchemaVersion = 1;
/// SQLite's page cache per connection (PRAGMA cache_size=-N, in KiB).
inline constexpr std::int64_t kStoreCacheKiB = 512;
/// Process-wide SQLite heap limits, set by the first open() unless the firmware set a hard limit.
/// Soft: SQLite starts releasing cache pages and flushing sorts to temp files above it. Hard: an
/// allocation beyond it fails with SQLITE_NOMEM, reported as OutOfMemory. One connection uses about
/// 1 MiB of page cache, up to 1 MiB of sorter memory and ~0.2 MiB of schema and statements.
inline constexpr std::int64_t kStoreSoftHeapLimitBytes = 4 * 1024 * 1024;
inline constexpr std::int64_t kStoreHardHeapLimitBytes = 8 * 1024 * 1024;
/// How long a statement waits for another connection's lock (the daemon vs. the CLI).
inline constexpr int kStoreBusyTimeoutMs = 5000;

enum class OpenMode : std::uint8_t { ReadWrite, ReadOnly };

/// What a delivery commit did to one billing period.
enum class PeriodChange : std::uint8_t {
  Added,     ///< the store held nothing for the period
  Replaced,  ///< the period's rows were replaced by the delivery's
  Unchanged, ///< the delivery's totals equal the stored ones: no hourly row was written (the
             ///< deliveries record is rewritten when the identity differs)
};

struct PeriodOutcome {
  std::int32_t billing_period = 0; ///< YYYYMM
  PeriodChange change = PeriodChange::Added;
  std::uint64_t keys = 0;       ///< hourly rows the period holds now
  std::uint64_t line_items = 0; ///< line items summed into them
};

/// Identifies a delivery: a fingerprint of its content, where it came from and when it was read.
/// All views only need to live for the call.
struct DeliveryInfo {
  std::string_view identity; ///< e.g. "crc32:1a2b3c4d/len:123456" or a CUR assemblyId
  std::string_view source;   ///< e.g. the file names or s3://bucket/prefix
  UnixSeconds ingested_at = 0;
};

/// Receives query rows in order; views inside are valid during the call only.
class ReportRowSink {
public:
  virtual Status on_row(const KeyedTotals& row) = 0;

protected:
  ~ReportRowSink() = default;
};

enum class ReportGrouping : std::uint8_t { Hour, Day, Month };

/// A report query. Empty/zero fields do not filter.
struct ReportQuery {
  ReportGrouping grouping = ReportGrouping::Hour;
  AccountId account;            ///< usage account, when length != 0
  UnixSeconds from = INT64_MIN; ///< hour_start >= from
  UnixSeconds to = INT64_MAX;   ///< hour_start < to
};

/// The deliveries record of one billing period: the delivery its rows come from.
struct DeliveryRecord {
  std::int32_t billing_period = 0; ///< YYYYMM
  std::string_view identity;       ///< valid during on_delivery() only
  std::string_view source;         ///< valid during on_delivery() only
  UnixSeconds ingested_at = 0;
  std::uint64_t keys = 0;       ///< hourly rows of the period
  std::uint64_t line_items = 0; ///< line items summed into them
};

/// Receives deliveries records in billing-period order.
class DeliverySink {
public:
  virtual Status on_delivery(const DeliveryRecord& record) = 0;

protected:
  ~DeliverySink() = default;
};

/// Test hook: asked before every sqlite3_step() the store makes. Returning false fails that step
/// with SQLITE_IOERR without running it; a hook may also end the process there to simulate a crash.
class StoreStepHook {
public:
  /// `step_index` counts from 0 since set_step_hook(); `statement` is about to be stepped (a test
  /// may read sqlite3_sql() or inspect its connection).
  virtual bool allow_step(std::uint64_t step_index, sqlite3_stmt* statement) = 0;

protected:
  ~StoreStepHook() = default;
};

/// The store of one device. A delivery is staged (stage() any number of times, in any key order,
/// with keys repeated) and then committed: for each billing period in the staging area, the
/// period's rows are replaced in one transaction, so a crash at any moment leaves the old totals
/// or the new ones. Staging survives nothing: begin_delivery() clears it.
///
/// Amounts are stored as two integers per measure (see split_decimal): a single staged partial
/// sum or a stored hourly total must stay within +-922,337,203 units (int64 at 1e-10), else
/// Overflow. Report buckets (day, month) are summed in 128 bits and have no such limit.
///
/// Memory: the store's own code does not allocate; SQLite's heap is bounded by the limits above
/// and large sorts spill to temporary files. Not thread-safe: one thread per Store.
class Store {
public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  /// Opens (ReadWrite creates) the database and its schema. Errors: NotFound when a ReadOnly
  /// file is missing or holds no store, Unsupported for a newer schema version, Corrupt for a
  /// file that is not an edgecur store, InvalidArgument when already open.
  Status open(const char* path, OpenMode mode);
  void close();
  [[nodiscard]] bool is_open() const { return m_db != nullptr; }

  /// Clears the staging area left by an interrupted delivery.
  Status begin_delivery();
  /// Appends partial sums to the staging area (committed, so memory stays bounded). Errors:
  /// Overflow when a partial sum does not fit the stored range, InvalidArgument when an
  /// hour_start is not a multiple of 3600; nothing of the batch is staged then.
  Status stage(std::span<const KeyedTotals> batch);
  /// Replaces every staged period; writes one outcome per period in period order (at most
  /// `max_outcomes`) and returns the number of periods, which may exceed `max_outcomes`. Clears
  /// the staging area. On any error nothing changes (staging included) and the error is returned:
  /// Overflow when a merged hourly total does not fit the stored range.
  Result<std::size_t> commit_delivery(const DeliveryInfo& info, PeriodOutcome* outcomes,
                                      std::size_t max_outcomes);

  /// Streams rows sorted by (billing period, payer, account, bucket start, currency), each
  /// summed exactly over its hour, day or month bucket. Account ids and currencies sort as
  /// text ("000000000123" before "123"). Day buckets start at 00:00 UTC, month buckets on the
  /// first of the month 00:00 UTC. The sink's first error stops the query and is returned.
  Status query(const ReportQuery& query, ReportRowSink& sink);

  /// Streams the deliveries records ordered by billing period.
  Status list_deliveries(DeliverySink& sink);
  /// Billing periods that have a deliveries record.
  Result<std::uint64_t> period_count();
  /// Hourly rows over all periods.
  Result<std::uint64_t> hourly_row_count();
  /// Hourly and deliveries rows inserted, updated or deleted by the last commit_delivery()
  /// (staging rows not counted); 0 when every period was Unchanged with the same identity.
  [[nodiscard]] std::uint64_t last_commit_writes() const { return m_last_commit_writes; }

  /// Test hook (nullptr removes it); see StoreStepHook. The hook must outlive its use.
  void set_step_hook(StoreStepHook* hook) {
    m_step_hook = hook;
    m_step_count = 0;
  }

private:
  /// Prepared statements, prepared on first use and kept until close(); SQL in store.cpp.
  enum class Statement : std::uint8_t {
    Begin,
    Commit,
    Rollback,
    SchemaVersion,
    AccountFind,
    AccountInsert,
    CurrencyFind,
    CurrencyInsert,
    StagingClear,
    StagingInsert,
    StagingScan,
    HourlyScan,
    HourlyDeleteFrom,
    HourlyInsert,
    HourlyCount,
    DeliveryFind,
    DeliveryUpsert,
    DeliveryList,
    DeliveryCount,
    Query,
    Count, // not a statement
  };
  static constexpr std::size_t kStatementCount = static_cast<std::size_t>(Statement::Count);
  enum class Lookup : std::uint8_t { FindOnly, Create };
  static const char* const kSynchronousFull;
  static const char* const kSynchronousNormal;
  struct MergedRow;
  struct PeriodState;
  static constexpr std::size_t kAccountCacheSize = 64;
  static constexpr std::size_t kCurrencyCacheSize = 4;

  struct AccountCacheEntry {
    AccountId account;
    std::int64_t id = 0; ///< 0: empty slot
  };
  struct CurrencyCacheEntry {
    CurrencyCode currency;
    std::int64_t id = 0; ///< 0: empty slot
  };

  /// Resets a statement when the scope ends, so no read stays open past its caller.
  class ResetGuard {
  public:
    explicit ResetGuard(sqlite3_stmt* statement) : m_statement(statement) {}
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;
    ~ResetGuard();

  private:
    sqlite3_stmt* m_statement;
  };

  /// The one converter of SQLite status codes: Error{code, message, ErrorLib::Sqlite, rc}.
  static Error sqlite_error(int rc, const char* message);
  /// Binds `count` integers to parameters first_index, first_index + 1, ...; an SQLite status.
  static int bind_integers(sqlite3_stmt* statement, int first_index, const std::int64_t* values,
                           int count);
  /// Binds text (an empty view, even with a null data pointer, binds '' and never NULL).
  static int bind_text(sqlite3_stmt* statement, int index, std::string_view text);

  Status configure(OpenMode mode);
  Status check_or_create_schema(OpenMode mode);
  Status require_writable();
  Result<sqlite3_stmt*> statement(Statement id);
  int step(sqlite3_stmt* statement);
  Status run(Statement id, const char* message);
  /// Prepares, steps and finalizes `sql`: for PRAGMAs that act when prepared, not when stepped.
  Status run_uncached(const char* sql, const char* message);
  void rollback_quietly();
  void forget_dictionary_cache();
  Result<std::int64_t> dictionary_id(sqlite3_stmt* find, sqlite3_stmt* insert,
                                     std::string_view text, const char* message);
  Result<std::int64_t> account_id(AccountId account, Lookup lookup);
  Result<std::int64_t> currency_id(CurrencyCode currency);
  Status stage_rows(std::span<const KeyedTotals> batch);
  Status commit_periods(const DeliveryInfo& info, PeriodOutcome* outcomes, std::size_t max_outcomes,
                        std::size_t& period_count);
  Status apply_merged(const DeliveryInfo& info, PeriodState& state, const MergedRow& row,
                      PeriodOutcome* outcomes, std::size_t max_outcomes, std::size_t& count);
  Status start_period(const DeliveryInfo& info, PeriodState& state, std::int32_t period);
  Status finish_period(const DeliveryInfo& info, PeriodState& state, PeriodOutcome* outcomes,
                       std::size_t max_outcomes, std::size_t& count);
  Status fetch_stored(PeriodState& state);
  Status start_writing(PeriodState& state, const std::int64_t* bound_key);
  Status insert_hourly(std::int32_t period, const MergedRow& row);
  Result<std::uint64_t> count_rows(Statement id);

  sqlite3* m_db = nullptr;
  OpenMode m_mode = OpenMode::ReadOnly;
  sqlite3_stmt* m_statements[kStatementCount] = {};
  AccountCacheEntry m_account_cache[kAccountCacheSize] = {};
  CurrencyCacheEntry m_currency_cache[kCurrencyCacheSize] = {};
  std::uint64_t m_last_commit_writes = 0;
  StoreStepHook* m_step_hook = nullptr;
  std::uint64_t m_step_count = 0;
};

} // namespace ec
