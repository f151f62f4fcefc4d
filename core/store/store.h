// core/store/store.h - Store: the SQLite file of exact hourly totals, replaced per scope and
// period.
#pragma once

#include "core/agg/hour_key.h"
#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ec {

/// Schema version this program writes. A newer or a version 1 file is Unsupported (version 1 had
/// no scopes; nothing was deployed with it, so there is no migration); versions 2 and 3 (staging
/// inside the store, no content fingerprints) are read as they are and upgraded in place by the
/// first read-write open.
inline constexpr std::int64_t kStoreSchemaVersion = 4;
/// Longest scope name (a connection name; the INI allows 32 characters). Longer is InvalidArgument.
inline constexpr std::size_t kStoreMaxScopeBytes = 64;
/// Longest account name kept, in bytes of UTF-8 (AWS Organizations allows 50 characters).
inline constexpr std::size_t kAccountNameMaxBytes = 128;
/// How `edgecur status` and the docs call the scope "" (the `edgecur ingest` command's files).
inline constexpr std::string_view kLocalScopeLabel = "local files";
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

/// The range of one stored amount, in units of its currency: at least +-10^17 (split_decimal
/// reaches about 8.5e19).
inline constexpr std::int64_t kStoreRangeUnits = 100'000'000'000'000'000;

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

/// Identifies a delivery: a fingerprint of its content, where it came from and when it was read,
/// and the scope it belongs to. All views only need to live for the call.
struct DeliveryInfo {
  std::string_view identity; ///< e.g. "crc32:1a2b3c4d/len:123456" or a CUR assemblyId
  std::string_view source;   ///< e.g. the file names or s3://bucket/prefix
  UnixSeconds ingested_at = 0;
  /// Whose data it is: the connection name, "" for `edgecur ingest` (kLocalScopeLabel). A
  /// delivery replaces only its own scope's rows of each billing period. At most
  /// kStoreMaxScopeBytes bytes. (Initialised so that {identity, source, time} stays complete.)
  std::string_view scope = {};
  /// The delivery's content fingerprint (IngestEngine::content()): the same for the same files
  /// whichever command or connection read them. When another scope holds a delivery of the same
  /// content for a period this one has rows in, the commit is refused (Conflict, duplicate()):
  /// the report sums every scope, so it would count those costs twice. Empty: not checked.
  std::string_view content = {};
  /// Billing periods (YYYYMM) the delivery is known to cover, e.g. the period of a CUR manifest.
  /// Such a period is replaced even when the delivery staged no row for it (every row filtered
  /// out, or a month without charges): its old rows are removed and the delivery is recorded with
  /// 0 keys, so the next pass finds it up to date. When not empty, a staged row of any other
  /// period makes the delivery bad: the commit fails (InvalidInput, the row's key in
  /// failed_key()) and changes nothing. At most kStoreMaxCoveredPeriods.
  std::span<const std::int32_t> covered_periods = {};
};

inline constexpr std::size_t kStoreMaxCoveredPeriods = 16;

/// Receives query rows in order; views inside are valid during the call only. Store::query()
/// calls on_named_row(); a sink that has no use for names implements on_row() alone.
class ReportRowSink {
public:
  virtual Status on_row(const KeyedTotals& row) = 0;
  /// `account_name` is the usage account's name from put_account_names(), "" when there is none;
  /// always the output of clean_account_name() (valid UTF-8, no control characters, bounded).
  virtual Status on_named_row(const KeyedTotals& row, std::string_view account_name) {
    (void)account_name;
    return on_row(row);
  }

protected:
  ~ReportRowSink() = default;
};

enum class ReportGrouping : std::uint8_t { Hour, Day, Month };

/// A report query. Empty/zero fields do not filter. Rows of every scope are summed together
/// unless `scope` names one.
struct ReportQuery {
  ReportGrouping grouping = ReportGrouping::Hour;
  AccountId account;                     ///< usage account, when length != 0
  UnixSeconds from = INT64_MIN;          ///< hour_start >= from
  UnixSeconds to = INT64_MAX;            ///< hour_start < to
  std::optional<std::string_view> scope; ///< only this scope ("" = local files), when set
};

/// A delivery refused because another scope holds the same content (Store::duplicate()).
struct DuplicateDelivery {
  std::int32_t billing_period = 0; ///< YYYYMM
  std::string_view scope;          ///< the scope that holds it ("" for local files)
};

/// What Store::forget() removed.
struct ForgetOutcome {
  std::uint64_t periods = 0;     ///< deliveries records
  std::uint64_t hourly_rows = 0; ///< hourly rows
};

/// The deliveries record of one (scope, billing period): the delivery its rows come from.
struct DeliveryRecord {
  std::int32_t billing_period = 0; ///< YYYYMM
  std::string_view scope;          ///< "" for local files; valid during on_delivery() only
  std::string_view identity;       ///< valid during on_delivery() only
  std::string_view source;         ///< valid during on_delivery() only
  UnixSeconds ingested_at = 0;
  std::uint64_t keys = 0;       ///< hourly rows of the period
  std::uint64_t line_items = 0; ///< line items summed into them
};

/// Receives deliveries records ordered by billing period, then scope name.
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

/// An account's display name, for put_account_names(). The view lives for the call.
struct AccountName {
  AccountId account;
  std::string_view name; ///< untrusted text; cleaned with clean_account_name() when stored
};

/// Makes untrusted account-name text safe to store and show: invalid UTF-8 bytes, control
/// characters (C0, DEL, C1) and bidirectional-override characters become '?', and the result is
/// cut at a character boundary to at most min(out_size, kAccountNameMaxBytes) bytes. Writes no
/// terminator; returns the length written.
std::size_t clean_account_name(std::string_view name, char* out, std::size_t out_size);

/// The store of one device. A delivery is staged (stage() any number of times, in any key order,
/// with keys repeated) and then committed for its scope: for each billing period in the staging
/// area, the rows of (scope, period) are replaced in one transaction, so a crash at any moment
/// leaves the old totals or the new ones. Other scopes' rows of the same period stay. Staging
/// (its own file, `<store>-staging`) survives nothing: begin_delivery() starts a new one.
///
/// Amounts are stored as two integers per measure (see split_decimal), exactly: a staged partial
/// sum or a stored hourly total may reach +-kStoreRangeUnits units of its currency (monthly fees
/// of a large account in IDR or KRW land in one hour). Beyond it: Overflow, with the key in
/// failed_key(). Report buckets (day, month) are summed in 128 bits and have no such limit.
///
/// Memory: the store's own code does not allocate; SQLite's heap is bounded by the limits above
/// and large sorts spill to temporary files. Not thread-safe: one thread per Store.
///
/// Errors of SQLite (lib Sqlite, its extended code as lib_code): Store when the database fails (an
/// I/O error, a full disk, a lock not had within kStoreBusyTimeoutMs...), except OutOfMemory
/// (SQLITE_NOMEM; the detail names the limit to raise), Corrupt (the file is damaged:
/// is_damaged()) and open()'s NotFound and Permission for a file missing or not accessible. The
/// store's own checks keep their codes (Overflow, Conflict, InvalidInput...).
class Store {
public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  /// Opens (ReadWrite creates) the database and its schema. ReadOnly works on read-only media
  /// and without write access to the store's folder, as long as no -wal file holds commits.
  /// Errors: NotFound when a ReadOnly
  /// file is missing or holds no store, Unsupported for a newer or an older schema version (the
  /// message tells the technician to move the file away) and for a file that is not an edgecur
  /// store, Corrupt for a damaged one, InvalidArgument when already open.
  Status open(const char* path, OpenMode mode);
  void close();
  /// True for an open() error that means the file is damaged (Corrupt: SQLite found it corrupt,
  /// or a ReadWrite open's quick_check failed), as opposed to a file that is not a store at all
  /// (Unsupported): the firmware moves such a store aside and builds a new one.
  static bool is_damaged(const Error& error);
  [[nodiscard]] bool is_open() const { return m_db != nullptr; }

  /// Starts a delivery: clears the staging area (what an interrupted delivery left; the caller
  /// holds the writer lock, so no other delivery is under way) and draws this delivery's owner
  /// token, which tags every row it stages.
  Status begin_delivery();
  /// Ends a failed delivery: removes what it staged and gives the space back to the file system
  /// (free pages and the write-ahead log), so a failure (a full disk, a bad file, Ctrl-C before
  /// the next run) leaves the store the size it was. Also what begin_delivery() does first.
  Status abandon_delivery();
  /// Appends partial sums to the staging area (committed, so memory stays bounded). Errors:
  /// Overflow when a partial sum does not fit the stored range, InvalidArgument when an
  /// hour_start is not a multiple of 3600 or no delivery is begun; nothing of the batch is staged
  /// then.
  Status stage(std::span<const KeyedTotals> batch);
  /// Replaces, for `info.scope`, every staged period; writes one outcome per period in period
  /// order (at most `max_outcomes`) and returns the number of periods, which may exceed
  /// `max_outcomes`. Outcomes compare with what the same scope held (Unchanged per scope and
  /// period). Reads only this delivery's staged rows; once committed, the delivery ends and its
  /// staging file is deleted.
  /// On any error nothing changes (staging included, so the same connection may commit again)
  /// and the error is returned: Overflow when a merged hourly total does not fit the stored
  /// range, InvalidArgument for a scope longer than kStoreMaxScopeBytes or when no delivery is
  /// begun, Conflict when the staging area does not hold exactly the rows this delivery staged
  /// (another writer, bypassing the writer lock, removed them) or when another scope holds the
  /// same content (duplicate()), InvalidInput for a row outside `covered_periods`.
  Result<std::size_t> commit_delivery(const DeliveryInfo& info, PeriodOutcome* outcomes,
                                      std::size_t max_outcomes);

  /// After commit_delivery() returned Conflict because another scope holds the same content:
  /// which scope and period, else nullptr. Valid until the next commit_delivery() or
  /// begin_delivery().
  [[nodiscard]] const DuplicateDelivery* duplicate() const {
    return m_has_duplicate ? &m_duplicate : nullptr;
  }
  /// Removes what `scope` holds ("" for local files): its hourly rows and deliveries records, of
  /// every billing period or only `period` (YYYYMM) when not 0, in one transaction, and gives
  /// the space back. A scope holding nothing is no error (zero counts).
  Result<ForgetOutcome> forget(std::string_view scope, std::int32_t period);

  /// Streams rows sorted by (billing period, payer, account, bucket start, currency), each
  /// summed exactly over its hour, day or month bucket and over every scope (or the one the
  /// query names). Account ids and currencies sort as text ("000000000123" before "123"). Day
  /// buckets start at 00:00 UTC, month buckets on the first of the month 00:00 UTC. Each row
  /// comes with its usage account's name. The sink's first error stops the query and is
  /// returned.
  Status query(const ReportQuery& query, ReportRowSink& sink);

  /// Streams the deliveries records ordered by billing period, then scope name.
  Status list_deliveries(DeliverySink& sink);
  /// The deliveries record of (scope, period), for a sync that asks which delivery it already
  /// holds. Returns false when there is none. On true, `identity_size` is the identity's length,
  /// its bytes are in identity_out[0, identity_size) and `ingested_at` is set. Errors:
  /// LimitExceeded when the identity is longer than `identity_out` (identity_size still tells
  /// how long it is), InvalidArgument when the store is not open.
  Result<bool> find_delivery(std::string_view scope, std::int32_t period, MutableBytes identity_out,
                             std::size_t& identity_size, UnixSeconds& ingested_at);
  /// Replaces every stored account name with `names`, in one transaction (an empty span removes
  /// them all). Each name is cleaned with clean_account_name(); an empty result removes that
  /// account's name; when an account appears twice the last name wins. Errors: InvalidArgument
  /// for an absent account id (length 0); on any error the old names stay.
  Status put_account_names(std::span<const AccountName> names);
  /// Distinct billing periods that have a deliveries record (in any scope).
  Result<std::uint64_t> period_count();
  /// Deliveries records, one per (scope, billing period).
  Result<std::uint64_t> delivery_count();
  /// Hourly rows over all periods.
  Result<std::uint64_t> hourly_row_count();
  /// Hourly and deliveries rows inserted, updated or deleted by the last commit_delivery()
  /// (staging rows not counted); 0 when every period was Unchanged with the same identity.
  [[nodiscard]] std::uint64_t last_commit_writes() const { return m_last_commit_writes; }

  /// After stage() or commit_delivery() failed because of one key, that key (for the message),
  /// else nullptr: Overflow (its amount left the stored range) or InvalidInput (its billing
  /// period is not among the delivery's covered_periods). Cleared by the next stage() or
  /// commit_delivery().
  [[nodiscard]] const HourKey* failed_key() const {
    return m_has_failed_key ? &m_failed_key : nullptr;
  }

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
    ScopeFind,
    ScopeInsert,
    AccountNamesClear,
    AccountNameInsert,
    StagingOwner,
    StagingInsert,
    StagingScan,
    HourlyScan,
    HourlyDeleteFrom,
    HourlyInsert,
    HourlyCount,
    DeliveryFind,
    DeliveryFindByName,
    DeliveryUpsert,
    DeliverySameContent,
    DeliveryList,
    ForgetHourly,
    ForgetDeliveries,
    PeriodCount,
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

  /// The one converter of SQLite status codes: Error{code, message, ErrorLib::Sqlite, rc}, code
  /// Store but for OutOfMemory and Corrupt (see the class comment).
  static Error sqlite_error(int rc, ErrorText message);
  /// Binds `count` integers to parameters first_index, first_index + 1, ...; an SQLite status.
  static int bind_integers(sqlite3_stmt* statement, int first_index, const std::int64_t* values,
                           int count);
  /// Binds text (an empty view, even with a null data pointer, binds '' and never NULL).
  static int bind_text(sqlite3_stmt* statement, int index, std::string_view text);

  /// A store created before reclaim_space() existed is rewritten once (VACUUM) with incremental
  /// vacuum on; best effort.
  Status convert_to_incremental_vacuum();
  /// PRAGMA quick_check: Corrupt (is_damaged) when the file fails it.
  Status quick_check();
  /// Gives free pages back to the file system and truncates the write-ahead log.
  Status reclaim_space();
  /// open() of one connection; `uri` when `path` is an SQLite URI filename.
  Status open_connection(const char* path, OpenMode mode, bool uri);
  Status configure(OpenMode mode);
  Status check_or_create_schema(OpenMode mode);
  Status require_writable();
  Result<sqlite3_stmt*> statement(Statement id);
  int step(sqlite3_stmt* statement);
  Status run(Statement id, ErrorText message);
  /// Prepares, steps to the end and finalizes `sql`: PRAGMAs (some act when prepared), ATTACH,
  /// DETACH and VACUUM, statements not worth keeping prepared. `first_column`, when given, gets
  /// the first column of the last row.
  Status run_uncached(const char* sql, ErrorText message, std::int64_t* first_column = nullptr);
  void rollback_quietly();
  void forget_dictionary_cache();
  Result<std::int64_t> dictionary_id(sqlite3_stmt* find, sqlite3_stmt* insert,
                                     std::string_view text, ErrorText message);
  Result<std::int64_t> account_id(AccountId account, Lookup lookup);
  Result<std::int64_t> currency_id(CurrencyCode currency);
  /// The id of a scope name; 0 when absent and `lookup` is FindOnly.
  Result<std::int64_t> scope_id(std::string_view scope, Lookup lookup);
  Status stage_rows(std::span<const KeyedTotals> batch);
  Status put_names(std::span<const AccountName> names);
  /// Conflict when another scope holds a delivery of `info.content` for the period.
  Status refuse_duplicate(const DeliveryInfo& info, const PeriodState& state);
  /// Attaches a new, empty `<store>-staging` file as `stage` with its table.
  Status attach_staging();
  /// Detaches the staging file (when attached) and deletes it.
  Status detach_staging();
  Status commit_periods(const DeliveryInfo& info, PeriodOutcome* outcomes, std::size_t max_outcomes,
                        std::size_t& period_count);
  Status apply_merged(const DeliveryInfo& info, PeriodState& state, const MergedRow& row,
                      PeriodOutcome* outcomes, std::size_t max_outcomes, std::size_t& count);
  Status start_period(const DeliveryInfo& info, PeriodState& state, std::int32_t period);
  Status finish_period(const DeliveryInfo& info, PeriodState& state, PeriodOutcome* outcomes,
                       std::size_t max_outcomes, std::size_t& count);
  Status fetch_stored(PeriodState& state);
  Status start_writing(PeriodState& state, const std::int64_t* bound_key);
  Result<std::uint64_t> count_rows(Statement id);
  /// Records the key of a failure for failed_key(), from its store ids (period, then payer,
  /// account, hour, currency); ids that cannot be resolved are left absent.
  void note_failed_key(std::int32_t period, const std::int64_t* key_ids);

  sqlite3* m_db = nullptr;
  /// `<store path>-staging` for a ReadWrite store, else empty.
  char m_staging_path[1024] = {};
  bool m_staging_attached = false;
  OpenMode m_mode = OpenMode::ReadOnly;
  sqlite3_stmt* m_statements[kStatementCount] = {};
  AccountCacheEntry m_account_cache[kAccountCacheSize] = {};
  CurrencyCacheEntry m_currency_cache[kCurrencyCacheSize] = {};
  std::uint64_t m_last_commit_writes = 0;
  /// The delivery's token in staging.owner, drawn by begin_delivery(); 0 when none is begun.
  std::int64_t m_staging_owner = 0;
  /// Rows this delivery staged: the commit must read back exactly these.
  std::uint64_t m_staged_rows = 0;
  HourKey m_failed_key;
  bool m_has_failed_key = false;
  DuplicateDelivery m_duplicate;
  bool m_has_duplicate = false;
  char m_duplicate_scope[kStoreMaxScopeBytes] = {};
  StoreStepHook* m_step_hook = nullptr;
  std::uint64_t m_step_count = 0;
};

} // namespace ec
