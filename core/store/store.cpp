// core/store/store.cpp - Store: opening, settings, schema, prepared statements and staging.
#include "core/store/store.h"

#include "core/store/store_memory.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ec {

// ---- schema ------------------------------------------------------------------------------------
//
// hourly holds one row per key. Each measure is two integers from split_decimal(): `<measure>` is
// floor(value * 1e10) and `<measure>_rest` the remainder at 1e-18 in [0, 1e8), almost always 0,
// which SQLite's record format stores in 0 bytes. Keys are small integers: scope points into
// `scopes` (ids from 1: the first scope's id 1 takes 0 bytes of content, the next ones 1 byte),
// payer and account into `accounts` (the id as text, leading zeros kept), currency into
// `currencies`, hour is hour_start / 3600 (3 bytes until the year 2927), period is YYYYMM.
// WITHOUT ROWID stores the row in the primary-key B-tree itself: no second copy of the key, and
// a (scope, period) is one key range, which a delivery replaces.
//
// Measured: 53.8 bytes per hourly row in the table for the first scope, 54.9 for a second one
// (100,000 keys, 4 KiB pages, typical costs of $0.01-$100 at 6 bytes each; see
// tests/store/store_test.cpp BytesPerHourlyRow); 52.7 before the scope column.
//
// account_names maps an accounts id to a display name (from AWS Organizations), replaced whole
// by put_account_names().
//
// staging lives in its own file, `<store>-staging`, attached as `stage` for one delivery and
// deleted when the delivery ends, whether committed or abandoned, and by the next writer after a
// crash. It is an append-only rowid table (sequential pages, the cheapest writes on flash); the
// commit reads it back sorted by the key, which SQLite's sorter spills to temporary files. It
// needs no durability (a crash discards the delivery anyway), so it is written without a journal
// and without syncs, and a failed delivery gives back every byte it staged by deleting the file,
// which works on a full disk (rows staged in the store's own file would sit in its WAL). A
// delivery has one scope, so staging has no scope column. Each row carries its delivery's owner
// token (a random number drawn by begin_delivery()), and a commit reads only its own rows and
// checks their count: two writers never mix, even if one bypasses the writer lock
// (platform/store_lock.h), and a delivery whose rows another removed fails instead of committing
// part of itself.
//
// deliveries.content is the delivery's content fingerprint (IngestEngine::content()), the same
// whichever command or connection read the files: a delivery already held by another scope is
// refused (commit_delivery), since the report sums every scope.
#define EC_STORE_SCHEMA_VERSION_TEXT "4"
static_assert(kStoreSchemaVersion == 4, "update EC_STORE_SCHEMA_VERSION_TEXT");

// The key and measure columns hourly and staging share.
#define EC_KEY_AND_MEASURE_COLUMNS_SQL                                                             \
  " period INTEGER NOT NULL,"                                                                      \
  " payer INTEGER NOT NULL,"                                                                       \
  " account INTEGER NOT NULL,"                                                                     \
  " hour INTEGER NOT NULL,"                                                                        \
  " currency INTEGER NOT NULL,"                                                                    \
  " unblended INTEGER NOT NULL, unblended_rest INTEGER NOT NULL,"                                  \
  " net_unblended INTEGER NOT NULL, net_unblended_rest INTEGER NOT NULL,"                          \
  " blended INTEGER NOT NULL, blended_rest INTEGER NOT NULL,"                                      \
  " amortized INTEGER NOT NULL, amortized_rest INTEGER NOT NULL,"                                  \
  " line_items INTEGER NOT NULL"

static constexpr const char* kCreateStagingSql =
    "CREATE TABLE stage.staging("
    " owner INTEGER NOT NULL," EC_KEY_AND_MEASURE_COLUMNS_SQL ");";

static constexpr const char* kCreateSchemaSql =
    "CREATE TABLE meta("
    " name TEXT PRIMARY KEY NOT NULL,"
    " value INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO meta(name, value) VALUES('schema_version', " EC_STORE_SCHEMA_VERSION_TEXT ");"
    "CREATE TABLE accounts("
    " id INTEGER PRIMARY KEY,"
    " text TEXT NOT NULL UNIQUE"
    ");"
    "CREATE TABLE currencies("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE"
    ");"
    "CREATE TABLE scopes("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE"
    ");"
    "CREATE TABLE account_names("
    " account INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL"
    ");"
    "CREATE TABLE hourly("
    " scope INTEGER NOT NULL," EC_KEY_AND_MEASURE_COLUMNS_SQL ","
    " PRIMARY KEY(scope, period, payer, account, hour, currency)"
    ") WITHOUT ROWID;"
    "CREATE TABLE deliveries("
    " scope INTEGER NOT NULL,"
    " period INTEGER NOT NULL,"
    " identity TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " ingested_at INTEGER NOT NULL,"
    " keys INTEGER NOT NULL,"
    " line_items INTEGER NOT NULL,"
    " content TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY(scope, period)"
    ") WITHOUT ROWID;";

// Versions 2 and 3 kept staging inside the store (its rows never outlive a delivery, so it just
// goes) and had no content fingerprints (older deliveries keep '', which matches nothing).
static constexpr const char* kUpgradeSql =
    "DROP TABLE IF EXISTS staging;"
    "ALTER TABLE deliveries ADD COLUMN content TEXT NOT NULL DEFAULT '';"
    "UPDATE meta SET value = " EC_STORE_SCHEMA_VERSION_TEXT " WHERE name = 'schema_version';";

#define EC_MEASURE_COLUMNS                                                                         \
  "unblended, unblended_rest, net_unblended, net_unblended_rest, blended, blended_rest, "          \
  "amortized, amortized_rest, line_items"

struct StatementText {
  const char* name; // for Error::detail: never SQL text
  const char* sql;
};

// Indexed by Store::Statement.
static constexpr StatementText kStatements[] = {
    {"begin", "BEGIN IMMEDIATE"},
    {"commit", "COMMIT"},
    {"rollback", "ROLLBACK"},
    {"schema-version", "SELECT value FROM meta WHERE name = 'schema_version'"},
    {"account-find", "SELECT id FROM accounts WHERE text = ?1"},
    {"account-insert", "INSERT INTO accounts(text) VALUES(?1)"},
    {"currency-find", "SELECT id FROM currencies WHERE code = ?1"},
    {"currency-insert", "INSERT INTO currencies(code) VALUES(?1)"},
    {"scope-find", "SELECT id FROM scopes WHERE name = ?1"},
    {"scope-insert", "INSERT INTO scopes(name) VALUES(?1)"},
    {"account-names-clear", "DELETE FROM account_names"},
    {"account-name-insert", "INSERT OR REPLACE INTO account_names(account, name) VALUES(?1, ?2)"},
    {"staging-owner", "SELECT random()"},
    {"staging-insert",
     "INSERT INTO stage.staging(period, payer, account, hour, currency, " EC_MEASURE_COLUMNS
     ", owner)"
     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
    {"staging-scan",
     "SELECT period, payer, account, hour, currency, " EC_MEASURE_COLUMNS " FROM stage.staging"
     " WHERE owner = ?1 ORDER BY period, payer, account, hour, currency"},
    {"hourly-scan", "SELECT payer, account, hour, currency, " EC_MEASURE_COLUMNS " FROM hourly"
                    " WHERE scope = ?1 AND period = ?2 ORDER BY payer, account, hour, currency"},
    {"hourly-delete-from", "DELETE FROM hourly WHERE scope = ?1 AND period = ?2 AND (payer, "
                           "account, hour, currency) >= (?3, ?4, ?5, ?6)"},
    {"hourly-insert",
     "INSERT INTO hourly(scope, period, payer, account, hour, currency, " EC_MEASURE_COLUMNS ")"
     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
    {"hourly-count", "SELECT count(*) FROM hourly"},
    {"delivery-find", "SELECT identity FROM deliveries WHERE scope = ?1 AND period = ?2"},
    {"delivery-find-by-name", "SELECT d.identity, d.ingested_at FROM deliveries AS d"
                              " JOIN scopes AS s ON s.id = d.scope"
                              " WHERE s.name = ?1 AND d.period = ?2"},
    {"delivery-upsert", "INSERT OR REPLACE INTO deliveries(scope, period, identity, source,"
                        " ingested_at, keys, line_items, content)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
    {"delivery-same-content",
     "SELECT s.name FROM deliveries AS d JOIN scopes AS s ON s.id = d.scope"
     " WHERE d.period = ?1 AND d.content = ?2 AND d.content <> ''"
     " AND d.keys > 0 AND d.scope <> ?3 ORDER BY s.name LIMIT 1"},
    {"delivery-list", "SELECT d.period, s.name, d.identity, d.source, d.ingested_at, d.keys,"
                      " d.line_items FROM deliveries AS d JOIN scopes AS s ON s.id = d.scope"
                      " ORDER BY d.period, s.name"},
    {"forget-hourly", "DELETE FROM hourly WHERE scope = ?1 AND (?2 = 0 OR period = ?2)"},
    {"forget-deliveries", "DELETE FROM deliveries WHERE scope = ?1 AND (?2 = 0 OR period = ?2)"},
    {"period-count", "SELECT count(DISTINCT period) FROM deliveries"},
    {"delivery-count", "SELECT count(*) FROM deliveries"},
    // Rows come sorted by the report's order with the bucket before the currency, so each bucket
    // of one (period, payer, account) is contiguous (over all scopes) and is summed in C++ in 128
    // bits; SQL SUM() would overflow int64 or turn into floating point. The texts sort as text,
    // not as numbers. The account's name is the same on every row of a group.
    {"query", "SELECT h.period, h.payer, h.account, ec_bucket(h.hour, ?1) AS bucket, h.currency,"
              " p.text, a.text, c.code,"
              " h.unblended, h.unblended_rest, h.net_unblended, h.net_unblended_rest,"
              " h.blended, h.blended_rest, h.amortized, h.amortized_rest, h.line_items, n.name"
              " FROM hourly AS h"
              " JOIN accounts AS p ON p.id = h.payer"
              " JOIN accounts AS a ON a.id = h.account"
              " JOIN currencies AS c ON c.id = h.currency"
              " LEFT JOIN account_names AS n ON n.account = h.account"
              " WHERE h.hour >= ?2 AND h.hour < ?3 AND (?4 IS NULL OR h.account = ?4)"
              " AND (?5 IS NULL OR h.scope = ?5)"
              " ORDER BY h.period, p.text, a.text, bucket, c.code"},
};

// ---- connection settings -----------------------------------------------------------------------

// Applied to every connection, in this order.
static_assert(kStoreCacheKiB == 512, "update PRAGMA cache_size below");
static constexpr const char* kConnectionPragmas[] = {
    // Between deliveries nothing is to be lost, so a power cut may at most undo the last staging
    // batch; commit_delivery() switches to FULL for its one transaction (kSynchronousFull).
    "PRAGMA synchronous=NORMAL",
    // Bounded memory: 1 MiB of page cache (negative: KiB). Also caps the sorter's in-memory runs.
    "PRAGMA cache_size=-512",
    // Sorts and temporary indices go to files, never the heap, whatever the row count.
    "PRAGMA temp_store=FILE",
    // The WAL would grow to the default 1000 pages (4 MiB) before a checkpoint; 256 pages = 1 MiB.
    "PRAGMA wal_autocheckpoint=256",
    // After a checkpoint, a WAL that a large delivery grew is truncated back to 2 MiB.
    "PRAGMA journal_size_limit=2097152",
    // Dictionary ids are resolved by this code; foreign key checks would cost a lookup per row.
    "PRAGMA foreign_keys=OFF",
    // Debian builds SQLite with secure_delete on: zeroing every freed page (all of staging, each
    // delivery) is extra flash wear for data that is not secret. FAST zeroes only for free.
    "PRAGMA secure_delete=FAST",
    // No memory-mapped I/O: a flash read error would be SIGBUS instead of an error code, and
    // 32-bit targets have little address space.
    "PRAGMA mmap_size=0",
    // The schema runs no functions; refuse any a modified file might try to call.
    "PRAGMA trusted_schema=OFF",
};

// A delivery commit is made durable before it returns: one more fsync per delivery, a few a day.
// Staging is not worth an fsync per batch: a power cut loses at most what begin_delivery() would
// throw away anyway. The setting acts when the PRAGMA is prepared, so it is never cached.
const char* const Store::kSynchronousFull = "PRAGMA synchronous=FULL";
const char* const Store::kSynchronousNormal = "PRAGMA synchronous=NORMAL";

Error Store::sqlite_error(int rc, ErrorText message) {
  switch (rc & 0xff) {
  case SQLITE_NOMEM: // which limit to raise, in the detail
    return make_lib_error(ErrorCode::OutOfMemory, message, ErrorLib::Sqlite, rc)
        .with_detail(store_memory_hint());
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB: // the file is damaged (is_damaged)
    return make_lib_error(ErrorCode::Corrupt, message, ErrorLib::Sqlite, rc);
  // What the technician can do about it, in place of what the statement was doing.
  case SQLITE_FULL:
    return make_lib_error(ErrorCode::Store,
                          "store: the disk holding the store is full: free space, or move [store] "
                          "path; the store keeps what it had",
                          ErrorLib::Sqlite, rc);
  case SQLITE_IOERR:
    if (rc == SQLITE_IOERR_NOMEM)
      break;
    return make_lib_error(ErrorCode::Store,
                          "store: the disk holding the store failed a read or write (I/O error): "
                          "check the disk, or move [store] path; the store keeps what it had",
                          ErrorLib::Sqlite, rc);
  default: // SQLITE_BUSY, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_ERROR, SQLITE_MISUSE...: the
           // database failed. (An int, not an enum: no switch over every case.)
    break;
  }
  return make_lib_error(ErrorCode::Store, message, ErrorLib::Sqlite, rc);
}

Store::ResetGuard::~ResetGuard() {
  sqlite3_reset(m_statement);
}

int Store::bind_integers(sqlite3_stmt* statement, int first_index, const std::int64_t* values,
                         int count) {
  for (int i = 0; i < count; ++i) {
    int rc = sqlite3_bind_int64(statement, first_index + i, values[i]);
    if (rc != SQLITE_OK)
      return rc;
  }
  return SQLITE_OK;
}

int Store::bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
  // nullptr as destructor is SQLITE_STATIC: the caller's view outlives the statement's use.
  return sqlite3_bind_text64(statement, index, text.data() ? text.data() : "", text.size(), nullptr,
                             SQLITE_UTF8);
}

// ec_bucket(hour, grouping): start (Unix seconds) of the report bucket holding hour index `hour`.
static void bucket_function(sqlite3_context* context, int, sqlite3_value** arguments) {
  std::int64_t hour = sqlite3_value_int64(arguments[0]);
  std::int64_t grouping = sqlite3_value_int64(arguments[1]);
  if (hour > INT64_MAX / 3600 || hour < INT64_MIN / 3600) {
    sqlite3_result_int64(context, hour); // never stored by stage(); keep the sort total
    return;
  }
  UnixSeconds start = hour * 3600;
  if (grouping == static_cast<std::int64_t>(ReportGrouping::Day)) {
    UnixSeconds into_day = start % 86400;
    start -= into_day < 0 ? into_day + 86400 : into_day;
  } else if (grouping == static_cast<std::int64_t>(ReportGrouping::Month)) {
    CivilTime civil = civil_from_seconds(start);
    CivilTime first;
    first.year = civil.year;
    first.month = civil.month;
    start = seconds_from_civil(first);
  }
  sqlite3_result_int64(context, start);
}

// ---- open and close ----------------------------------------------------------------------------

Store::~Store() {
  close();
}

namespace {

// "file:<path>?immutable=1" with the path percent-encoded (SQLite URI filenames): the read-only
// open of a store on read-only media. False when it does not fit.
bool immutable_uri(const char* path, char* out, std::size_t out_size) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr char kPrefix[] = "file:";
  static constexpr char kSuffix[] = "?immutable=1";
  std::size_t used = 0;
  auto put = [&](char c) {
    if (used + 1 < out_size)
      out[used] = c;
    ++used;
  };
  for (const char* c = kPrefix; *c; ++c)
    put(*c);
  for (const char* c = path; *c; ++c) {
    unsigned char byte = static_cast<unsigned char>(*c);
    bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                 (byte >= '0' && byte <= '9') || byte == '/' || byte == '.' || byte == '-' ||
                 byte == '_' || byte == '~';
    if (plain) {
      put(*c);
    } else {
      put('%');
      put(kHex[byte >> 4]);
      put(kHex[byte & 0xf]);
    }
  }
  for (const char* c = kSuffix; *c; ++c)
    put(*c);
  if (used + 1 > out_size)
    return false;
  out[used] = '\0';
  return true;
}

// True when `path`-wal exists (asked through SQLite's VFS, so no OS call here).
bool wal_file_exists(const char* path) {
  char wal[1024];
  int length = std::snprintf(wal, sizeof wal, "%s-wal", path);
  if (length < 0 || static_cast<std::size_t>(length) >= sizeof wal)
    return true; // cannot tell: assume it does, so nothing is read past it
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  int exists = 1;
  if (!vfs || vfs->xAccess(vfs, wal, SQLITE_ACCESS_EXISTS, &exists) != SQLITE_OK)
    return true;
  return exists != 0;
}

} // namespace

Status Store::open(const char* path, OpenMode mode) {
  if (m_db)
    return make_error(ErrorCode::InvalidArgument, "store: already open");
  m_staging_path[0] = '\0';
  if (mode == OpenMode::ReadWrite) {
    int length = std::snprintf(m_staging_path, sizeof m_staging_path, "%s-staging", path);
    if (length < 0 || static_cast<std::size_t>(length) >= sizeof m_staging_path) {
      m_staging_path[0] = '\0';
      return make_error(ErrorCode::InvalidArgument, "store: path is too long");
    }
  }
  Status opened = open_connection(path, mode, false);
  if (opened.ok() || mode != OpenMode::ReadOnly)
    return opened;
  // A reader on read-only media, or without write access to the store's folder: SQLite cannot
  // create the WAL index (-shm) it needs to read a WAL-mode file. When there is no -wal file, the
  // database file alone is the whole store (its last writer checkpointed and removed the WAL), so
  // it is opened as immutable: no locks, no -shm. With a -wal file present the store has commits
  // only the WAL holds, and the error stands.
  int rc = opened.error().lib == ErrorLib::Sqlite ? opened.error().lib_code & 0xff : 0;
  bool no_wal_index = rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN;
  if (!no_wal_index || opened.error().code == ErrorCode::NotFound)
    return opened;
  if (wal_file_exists(path))
    return make_lib_error(ErrorCode::Permission,
                          "store: cannot read it without write access to its folder while its "
                          "-wal file holds commits (let a writer such as edgecur once finish "
                          "there first)",
                          ErrorLib::Sqlite, opened.error().lib_code);
  char uri[1200];
  if (!immutable_uri(path, uri, sizeof uri))
    return opened;
  Status immutable = open_connection(uri, mode, true);
  return immutable.ok() ? immutable : opened;
}

Status Store::open_connection(const char* path, OpenMode mode, bool uri) {
  // Process-wide; limits the firmware chose before (any hard limit) are kept. The soft limit goes
  // second: setting a hard limit raises an unset soft limit to the hard one.
  if (sqlite3_hard_heap_limit64(-1) == 0) {
    sqlite3_hard_heap_limit64(kStoreHardHeapLimitBytes);
    sqlite3_soft_heap_limit64(kStoreSoftHeapLimitBytes);
  }

  // NOMUTEX: a Store is used by one thread, so SQLite's per-connection mutex is overhead.
  int flags = SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0);
  flags |= mode == OpenMode::ReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                       : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path, &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    int system_errno = db ? sqlite3_system_errno(db) : 0;
    sqlite3_close(db);
    if ((rc & 0xff) == SQLITE_CANTOPEN && system_errno == ENOENT)
      return make_lib_error(ErrorCode::NotFound, "store: database file not found", ErrorLib::Sqlite,
                            rc);
    if ((rc & 0xff) == SQLITE_CANTOPEN && (system_errno == EACCES || system_errno == EPERM))
      return make_lib_error(ErrorCode::Permission, "store: database file not accessible",
                            ErrorLib::Sqlite, rc);
    return sqlite_error(rc, "store: cannot open database");
  }
  m_db = db;
  m_mode = mode;
  m_last_commit_writes = 0;
  forget_dictionary_cache();
  sqlite3_extended_result_codes(m_db, 1);
  // The CLI reads while the daemon writes: WAL readers never wait, but a second writer, a
  // checkpoint or a read-only open of a hot WAL may have to wait briefly for a lock.
  sqlite3_busy_timeout(m_db, kStoreBusyTimeoutMs);

  Status ready = configure(mode);
  if (ready.ok())
    ready = check_or_create_schema(mode);
  if (ready.ok() && mode == OpenMode::ReadWrite)
    ready = quick_check();
  if (ready.ok() && mode == OpenMode::ReadWrite)
    ready = convert_to_incremental_vacuum();
  if (ready.ok()) {
    rc = sqlite3_create_function_v2(m_db, "ec_bucket", 2,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                    bucket_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      ready = sqlite_error(rc, "store: cannot register bucket function");
  }
  // Prepared now so that an error path never needs memory to leave a transaction.
  if (ready.ok()) {
    Result<sqlite3_stmt*> rollback = statement(Statement::Rollback);
    if (!rollback.ok())
      ready = rollback.error();
  }
  if (!ready.ok())
    close();
  return ready;
}

Status Store::configure(OpenMode mode) {
  if (mode == OpenMode::ReadWrite) {
    // 4 KiB: the OS page and a common flash program unit. Only takes effect before the first
    // table is created.
    int rc = sqlite3_exec(m_db, "PRAGMA page_size=4096", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return sqlite_error(rc, "store: cannot set page size");
    // Free pages can be given back to the file system (reclaim_space()). Also only takes effect
    // before the first table; an older store is converted once by convert_to_incremental_vacuum().
    rc = sqlite3_exec(m_db, "PRAGMA auto_vacuum=INCREMENTAL", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return sqlite_error(rc, "store: cannot set vacuum mode");
    // WAL: a commit appends pages to one file and syncs it once (no rollback journal written
    // and deleted each time, easier on flash), and readers (the CLI) never block the writer.
    sqlite3_stmt* journal = nullptr;
    rc = sqlite3_prepare_v2(m_db, "PRAGMA journal_mode=WAL", -1, &journal, nullptr);
    if (rc != SQLITE_OK)
      return sqlite_error(rc, "store: cannot set journal mode");
    rc = sqlite3_step(journal);
    bool is_wal = rc == SQLITE_ROW && sqlite3_column_bytes(journal, 0) == 3 &&
                  std::memcmp(sqlite3_column_text(journal, 0), "wal", 3) == 0;
    sqlite3_finalize(journal);
    if (rc != SQLITE_ROW)
      return sqlite_error(rc, "store: cannot set journal mode");
    if (!is_wal)
      return make_error(ErrorCode::Unsupported, "store: file system does not support wal mode");
  }
  for (const char* pragma : kConnectionPragmas) {
    int rc = sqlite3_exec(m_db, pragma, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return sqlite_error(rc, "store: cannot apply connection setting");
  }
  return {};
}

namespace {
struct SchemaState {
  bool has_meta = false;
  std::int64_t objects = 0;
};
} // namespace

static int inspect_schema(sqlite3* db, SchemaState& state) {
  sqlite3_stmt* inspect = nullptr;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                              " AND name = 'meta'), (SELECT count(*) FROM sqlite_master)",
                              -1, &inspect, nullptr);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step(inspect);
  if (rc == SQLITE_ROW) {
    state.has_meta = sqlite3_column_int64(inspect, 0) != 0;
    state.objects = sqlite3_column_int64(inspect, 1);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(inspect);
  return rc;
}

Status Store::check_or_create_schema(OpenMode mode) {
  SchemaState state;
  int rc = inspect_schema(m_db, state);
  if (rc != SQLITE_OK)
    return sqlite_error(rc, "store: cannot read schema");
  if (!state.has_meta && state.objects == 0 && mode == OpenMode::ReadWrite) {
    EC_TRY(run(Statement::Begin, "store: cannot begin schema creation"));
    rc = inspect_schema(m_db, state); // another process may have created it meanwhile
    if (rc == SQLITE_OK && !state.has_meta && state.objects == 0)
      rc = sqlite3_exec(m_db, kCreateSchemaSql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      rollback_quietly();
      return sqlite_error(rc, "store: cannot create schema");
    }
    Status committed = run(Statement::Commit, "store: cannot commit schema creation");
    if (!committed.ok()) {
      rollback_quietly();
      return committed;
    }
    rc = inspect_schema(m_db, state);
    if (rc != SQLITE_OK)
      return sqlite_error(rc, "store: cannot read schema");
  }
  if (!state.has_meta && state.objects == 0)
    return make_error(ErrorCode::NotFound, "store: file holds no store");
  if (!state.has_meta)
    return make_error(ErrorCode::Unsupported, "store: file is not an edgecur store");

  EC_TRY_ASSIGN(sqlite3_stmt * version, statement(Statement::SchemaVersion));
  ResetGuard reset(version);
  rc = step(version);
  if (rc == SQLITE_DONE)
    return make_error(ErrorCode::Unsupported, "store: schema version missing");
  if (rc != SQLITE_ROW)
    return sqlite_error(rc, "store: cannot read schema version");
  std::int64_t found = sqlite3_column_int64(version, 0);
  if (found > kStoreSchemaVersion)
    return make_error(ErrorCode::Unsupported, "store: schema version is newer than this program");
  if (found < 1)
    return make_error(ErrorCode::Unsupported, "store: schema version is invalid");
  if (found < 2)
    return make_error(ErrorCode::Unsupported,
                      "store: file is from an older edgecur without connection scopes; move it "
                      "away (a new store is created) and ingest again");
  if (found < kStoreSchemaVersion) {
    // Versions 2 and 3 read as they are (readers never touch staging or content fingerprints)
    // until a writer upgrades them.
    if (mode == OpenMode::ReadOnly)
      return {};
    sqlite3_reset(version);
    EC_TRY(run(Statement::Begin, "store: cannot begin schema upgrade"));
    rc = step(version); // another writer may have upgraded it meanwhile
    bool still_old = rc == SQLITE_ROW && sqlite3_column_int64(version, 0) < kStoreSchemaVersion;
    sqlite3_reset(version);
    rc = still_old ? sqlite3_exec(m_db, kUpgradeSql, nullptr, nullptr, nullptr) : SQLITE_OK;
    Status upgraded = rc == SQLITE_OK
                          ? run(Statement::Commit, "store: cannot commit schema upgrade")
                          : sqlite_error(rc, "store: cannot upgrade schema");
    if (!upgraded.ok())
      rollback_quietly();
    return upgraded;
  }
  return {};
}

bool Store::is_damaged(const Error& error) {
  return error.code == ErrorCode::Corrupt;
}

Status Store::quick_check() {
  // A writer never writes into a damaged file: SQLite's own check of every page and index, first
  // (O(file size): 55-88 ms for 200,000 hourly rows, 10.9 MB, measured on the CI machine).
  sqlite3_stmt* check = nullptr;
  int rc = sqlite3_prepare_v2(m_db, "PRAGMA quick_check(1)", -1, &check, nullptr);
  bool ok = false;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(check);
    ok = rc == SQLITE_ROW && sqlite3_column_bytes(check, 0) == 2 &&
         std::memcmp(sqlite3_column_text(check, 0), "ok", 2) == 0;
  }
  sqlite3_finalize(check);
  if (rc != SQLITE_ROW && rc != SQLITE_OK)
    return sqlite_error(rc, "store: cannot check the file");
  if (!ok)
    return make_error(ErrorCode::Corrupt, "store: the file fails SQLite's quick_check");
  return {};
}

Status Store::convert_to_incremental_vacuum() {
  std::int64_t mode = -1;
  EC_TRY(run_uncached("PRAGMA auto_vacuum", "store: cannot read vacuum mode", &mode));
  if (mode == 2) // INCREMENTAL
    return {};
  // A store from before reclaim_space(): one VACUUM rewrites it compactly with the mode set. It
  // needs free space of about the file's size; when it fails, the store stays as it was and the
  // next writer tries again.
  Status converted =
      run_uncached("PRAGMA auto_vacuum=INCREMENTAL", "store: cannot set vacuum mode");
  if (converted.ok())
    converted = run_uncached("VACUUM", "store: cannot vacuum");
  (void)converted;
  return {};
}

Status Store::reclaim_space() {
  // Free pages (a cleared staging area, replaced periods) go back to the file system: moved to the
  // end of the file and cut off there in one transaction, then the WAL is written back and
  // truncated to nothing. Readers may keep the checkpoint partial; the next call finishes it.
  EC_TRY(run_uncached("PRAGMA incremental_vacuum", "store: cannot give free pages back"));
  // Without waiting: a reader (report, status) would hold a TRUNCATE checkpoint up for the busy
  // timeout.
  sqlite3_busy_timeout(m_db, 0);
  Status checkpointed = run_uncached("PRAGMA wal_checkpoint(TRUNCATE)",
                                     "store: cannot checkpoint the write-ahead log");
  sqlite3_busy_timeout(m_db, kStoreBusyTimeoutMs);
  if (!checkpointed.ok() && (checkpointed.error().lib_code & 0xff) == SQLITE_BUSY)
    return {};
  return checkpointed;
}

Status Store::attach_staging() {
  // A fresh file for every delivery: whatever an earlier one left (a crash) goes first.
  EC_TRY(detach_staging());
  sqlite3_stmt* attach = nullptr;
  int rc = sqlite3_prepare_v2(m_db, "ATTACH DATABASE ?1 AS stage", -1, &attach, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text(attach, 1, m_staging_path, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(attach) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(m_db);
  sqlite3_finalize(attach);
  if (rc != SQLITE_OK)
    return sqlite_error(sqlite3_extended_errcode(m_db), "store: cannot create the staging file");
  m_staging_attached = true;
  // No journal, no syncs, a small cache: see the schema notes above.
  static constexpr const char* kStagingSetup[] = {
      "PRAGMA stage.journal_mode=OFF", "PRAGMA stage.synchronous=OFF",
      "PRAGMA stage.cache_size=-256", "PRAGMA stage.page_size=4096", kCreateStagingSql};
  for (const char* sql : kStagingSetup) {
    Status done = run_uncached(sql, "store: cannot create the staging file");
    if (!done.ok()) {
      Status detached = detach_staging();
      (void)detached;
      return done;
    }
  }
  return {};
}

Status Store::detach_staging() {
  // Statements on stage.staging go with it; they are prepared again for the next delivery.
  for (Statement id : {Statement::StagingInsert, Statement::StagingScan}) {
    sqlite3_stmt*& prepared = m_statements[static_cast<std::size_t>(id)];
    sqlite3_finalize(prepared);
    prepared = nullptr;
  }
  if (m_staging_attached) {
    EC_TRY(run_uncached("DETACH DATABASE stage", "store: cannot detach the staging file"));
    m_staging_attached = false;
  }
  // Deleted through SQLite's VFS (no OS call here); a missing file is what we want.
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  if (!vfs)
    return make_error(ErrorCode::Internal, "store: no SQLite file system");
  int rc = vfs->xDelete(vfs, m_staging_path, 0);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_DELETE_NOENT)
    return sqlite_error(rc, "store: cannot delete the staging file");
  return {};
}

Status Store::abandon_delivery() {
  EC_TRY(require_writable());
  m_staging_owner = 0;
  m_staged_rows = 0;
  EC_TRY(detach_staging());
  return reclaim_space();
}

void Store::close() {
  if (!m_db)
    return;
  // A delivery not committed by now never will be: its staging file goes.
  if (m_mode == OpenMode::ReadWrite && m_staging_path[0] != '\0') {
    Status detached = detach_staging();
    (void)detached;
  }
  m_staging_owner = 0;
  m_staged_rows = 0;
  for (sqlite3_stmt*& prepared : m_statements) {
    sqlite3_finalize(prepared); // a no-op for nullptr
    prepared = nullptr;
  }
  // Every statement is finalized, so this cannot be SQLITE_BUSY; an open transaction rolls back.
  sqlite3_close(m_db);
  m_db = nullptr;
  forget_dictionary_cache();
}

// ---- statements
// ----------------------------------------------------------------------------------

Result<sqlite3_stmt*> Store::statement(Statement id) {
  static_assert(sizeof kStatements / sizeof kStatements[0] == kStatementCount,
                "one text per Store::Statement");
  std::size_t index = static_cast<std::size_t>(id);
  EC_CHECK(index < kStatementCount);
  if (!m_db)
    return make_error(ErrorCode::InvalidArgument, "store: not open");
  if (!m_statements[index]) {
    int rc = sqlite3_prepare_v3(m_db, kStatements[index].sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &m_statements[index], nullptr);
    if (rc != SQLITE_OK) {
      m_statements[index] = nullptr;
      Error error = sqlite_error(rc, "store: cannot prepare statement");
      // Out of memory says what to raise; any other failure which statement it was.
      return error.code == ErrorCode::OutOfMemory ? error
                                                  : error.with_detail(kStatements[index].name);
    }
  }
  return m_statements[index];
}

int Store::step(sqlite3_stmt* prepared) {
  std::uint64_t index = m_step_count++;
  if (m_step_hook && !m_step_hook->allow_step(index, prepared))
    return SQLITE_IOERR;
  return sqlite3_step(prepared);
}

Status Store::run(Statement id, ErrorText message) {
  EC_TRY_ASSIGN(sqlite3_stmt * prepared, statement(id));
  ResetGuard reset(prepared);
  int rc = step(prepared);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return sqlite_error(rc, message);
  return {};
}

Status Store::run_uncached(const char* sql, ErrorText message, std::int64_t* first_column) {
  sqlite3_stmt* prepared = nullptr;
  int rc = sqlite3_prepare_v2(m_db, sql, -1, &prepared, nullptr);
  // To the end: incremental_vacuum frees one page per step.
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = step(prepared);
    if (rc == SQLITE_ROW && first_column)
      *first_column = sqlite3_column_int64(prepared, 0);
  }
  sqlite3_finalize(prepared);
  if (rc != SQLITE_DONE)
    return sqlite_error(rc, message);
  return {};
}

void Store::rollback_quietly() {
  if (!m_db)
    return;
  for (sqlite3_stmt* prepared : m_statements) {
    if (prepared)
      sqlite3_reset(prepared);
  }
  // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) roll back by themselves.
  sqlite3_stmt* rollback = m_statements[static_cast<std::size_t>(Statement::Rollback)];
  if (rollback && !sqlite3_get_autocommit(m_db)) {
    sqlite3_step(rollback); // never through the step hook: this is the recovery path
    sqlite3_reset(rollback);
  }
  forget_dictionary_cache(); // ids inserted by the rolled-back transaction are gone
}

Status Store::require_writable() {
  if (!m_db)
    return make_error(ErrorCode::InvalidArgument, "store: not open");
  if (m_mode == OpenMode::ReadOnly)
    return make_error(ErrorCode::InvalidArgument, "store: opened read-only");
  return {};
}

// ---- dictionaries
// --------------------------------------------------------------------------------

void Store::forget_dictionary_cache() {
  for (AccountCacheEntry& entry : m_account_cache)
    entry = AccountCacheEntry{};
  for (CurrencyCacheEntry& entry : m_currency_cache)
    entry = CurrencyCacheEntry{};
}

// The id of `text` in a dictionary table; inserted when `insert` is given, else 0 when absent.
Result<std::int64_t> Store::dictionary_id(sqlite3_stmt* find, sqlite3_stmt* insert,
                                          std::string_view text, ErrorText message) {
  ResetGuard reset_find(find);
  int rc = bind_text(find, 1, text);
  if (rc == SQLITE_OK)
    rc = step(find);
  if (rc == SQLITE_ROW)
    return std::int64_t{sqlite3_column_int64(find, 0)};
  if (rc != SQLITE_DONE)
    return sqlite_error(rc, message);
  if (!insert)
    return std::int64_t{0};
  ResetGuard reset_insert(insert);
  rc = bind_text(insert, 1, text);
  if (rc == SQLITE_OK)
    rc = step(insert);
  if (rc != SQLITE_DONE)
    return sqlite_error(rc, message);
  return std::int64_t{sqlite3_last_insert_rowid(m_db)};
}

Result<std::int64_t> Store::account_id(AccountId account, Lookup lookup) {
  EC_CHECK(account.length <= 19);
  std::size_t slot =
      static_cast<std::size_t>((account.digits * 31 + account.length) % kAccountCacheSize);
  AccountCacheEntry& cached = m_account_cache[slot];
  if (cached.id != 0 && cached.account == account)
    return cached.id;
  EC_TRY_ASSIGN(sqlite3_stmt * find, statement(Statement::AccountFind));
  sqlite3_stmt* insert = nullptr;
  if (lookup == Lookup::Create) {
    EC_TRY_ASSIGN(sqlite3_stmt * prepared, statement(Statement::AccountInsert));
    insert = prepared;
  }
  char text[20];
  std::size_t length = account.format(text);
  EC_TRY_ASSIGN(std::int64_t id, dictionary_id(find, insert, std::string_view(text, length),
                                               "store: cannot look up account id"));
  if (id != 0) {
    cached.account = account;
    cached.id = id;
  }
  return id;
}

Result<std::int64_t> Store::currency_id(CurrencyCode currency) {
  std::size_t slot = currency.packed % kCurrencyCacheSize;
  CurrencyCacheEntry& cached = m_currency_cache[slot];
  if (cached.id != 0 && cached.currency == currency)
    return cached.id;
  EC_TRY_ASSIGN(sqlite3_stmt * find, statement(Statement::CurrencyFind));
  EC_TRY_ASSIGN(sqlite3_stmt * insert, statement(Statement::CurrencyInsert));
  char text[4] = {};
  if (currency.packed != 0)
    currency.format(text);
  EC_TRY_ASSIGN(std::int64_t id, dictionary_id(find, insert, std::string_view(text),
                                               "store: cannot look up currency id"));
  cached.currency = currency;
  cached.id = id;
  return id;
}

Result<std::int64_t> Store::scope_id(std::string_view scope, Lookup lookup) {
  EC_TRY_ASSIGN(sqlite3_stmt * find, statement(Statement::ScopeFind));
  sqlite3_stmt* insert = nullptr;
  if (lookup == Lookup::Create) {
    EC_TRY_ASSIGN(sqlite3_stmt * prepared, statement(Statement::ScopeInsert));
    insert = prepared;
  }
  return dictionary_id(find, insert, scope, "store: cannot look up scope id");
}

// ---- staging
// -------------------------------------------------------------------------------------

Status Store::begin_delivery() {
  m_has_failed_key = false;
  m_has_duplicate = false;
  EC_TRY(require_writable());
  // What an interrupted delivery left (killed, Ctrl-C, power cut) goes, with its space.
  EC_TRY(abandon_delivery());
  EC_TRY(attach_staging());
  EC_TRY_ASSIGN(sqlite3_stmt * draw, statement(Statement::StagingOwner));
  ResetGuard reset(draw);
  int rc = step(draw);
  if (rc != SQLITE_ROW)
    return sqlite_error(rc, "store: cannot draw a delivery token");
  std::int64_t owner = sqlite3_column_int64(draw, 0);
  m_staging_owner = owner != 0 ? owner : 1; // 0 means "no delivery"
  return {};
}

Status Store::stage(std::span<const KeyedTotals> batch) {
  m_has_failed_key = false;
  EC_TRY(require_writable());
  if (m_staging_owner == 0)
    return make_error(ErrorCode::InvalidArgument, "store: no delivery begun");
  if (batch.empty())
    return {};
  EC_TRY(run(Statement::Begin, "store: cannot begin staging"));
  Status staged = stage_rows(batch);
  if (staged.ok())
    staged = run(Statement::Commit, "store: cannot commit staging");
  if (!staged.ok())
    rollback_quietly();
  else
    m_staged_rows += batch.size();
  return staged;
}

Status Store::stage_rows(std::span<const KeyedTotals> batch) {
  EC_TRY_ASSIGN(sqlite3_stmt * insert, statement(Statement::StagingInsert));
  for (const KeyedTotals& row : batch) {
    if (row.key.hour_start % 3600 != 0)
      return make_error(ErrorCode::InvalidArgument, "store: hour_start is not a whole hour");
    std::int64_t values[15];
    values[0] = row.key.billing_period;
    EC_TRY_ASSIGN(values[1], account_id(row.key.payer, Lookup::Create));
    EC_TRY_ASSIGN(values[2], account_id(row.key.account, Lookup::Create));
    values[3] = row.key.hour_start / 3600;
    EC_TRY_ASSIGN(values[4], currency_id(row.key.currency));
    for (std::size_t measure = 0; measure < kMeasureCount; ++measure) {
      if (!split_decimal(row.totals.cost[measure], values[5 + 2 * measure],
                         values[6 + 2 * measure])) {
        m_failed_key = row.key;
        m_has_failed_key = true;
        return make_error(ErrorCode::Overflow, "store: partial sum exceeds the stored range");
      }
    }
    if (row.totals.line_items > static_cast<std::uint64_t>(INT64_MAX))
      return make_error(ErrorCode::Overflow, "store: line item count exceeds the stored range");
    values[13] = static_cast<std::int64_t>(row.totals.line_items);
    values[14] = m_staging_owner;
    int rc = bind_integers(insert, 1, values, 15);
    if (rc == SQLITE_OK)
      rc = step(insert);
    sqlite3_reset(insert);
    if (rc != SQLITE_DONE)
      return sqlite_error(rc, "store: cannot stage row");
  }
  return {};
}

} // namespace ec
