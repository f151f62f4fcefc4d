// tests/store/store_test.cpp - Store: schema, exact merging, restatements, scopes, crashes,
// queries, account names.
#include "core/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "tests/store/store_fixtures.h"

namespace ec {
namespace {

using namespace store_test;

// ---- schema and opening ------------------------------------------------------------------------

TEST(Store, CreatesSchemaWithCompactTablesAndSettings) {
  std::string path = test_path("schema");
  {
    Store store;
    open_rw(store, path);
    EXPECT_TRUE(store.is_open());
    Result<std::uint64_t> periods = store.period_count();
    ASSERT_TRUE(periods.ok());
    EXPECT_EQ(periods.value(), 0u);
  }
  EXPECT_EQ(sql_integer(path, "SELECT value FROM meta WHERE name='schema_version'"), 4);
  EXPECT_EQ(sql_integer(path, "PRAGMA page_size"), 4096);
  EXPECT_EQ(sql_integer(path, "PRAGMA auto_vacuum"), 2); // incremental: space can go back
  EXPECT_EQ(sql_text(path, "PRAGMA journal_mode"), "wal\n");
  for (const char* table : {"hourly", "meta", "deliveries"}) {
    std::string sql = std::string("SELECT sql FROM sqlite_master WHERE name='") + table + "'";
    EXPECT_NE(sql_text(path, sql.c_str()).find("WITHOUT ROWID"), std::string::npos) << table;
  }
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
                              " ('accounts','currencies','scopes','account_names','hourly',"
                              "'deliveries','meta')"),
            7);
  // Staging lives in its own file, only while a delivery is under way.
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM sqlite_master WHERE name = 'staging'"), 0);
  EXPECT_FALSE(fs::exists(path + "-staging"));
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM pragma_table_info('deliveries') WHERE "
                              "name = 'content'"),
            1);
  // Reopening an existing store neither fails nor recreates anything.
  Store again;
  open_rw(again, path);
  EXPECT_EQ(again.open(path.c_str(), OpenMode::ReadWrite).error().code, ErrorCode::InvalidArgument);
}

TEST(Store, ReplacementDeleteUsesThePrimaryKeyRange) {
  std::string path = test_path("plan");
  {
    Store store;
    open_rw(store, path);
  }
  std::string plan =
      sql_text(path, "EXPLAIN QUERY PLAN DELETE FROM hourly WHERE scope = 1 AND period = 1 AND"
                     " (payer, account, hour, currency) >= (1, 2, 3, 4)");
  EXPECT_NE(plan.find("SEARCH hourly USING PRIMARY KEY (scope=? AND period=? AND"),
            std::string::npos)
      << plan;
  plan = sql_text(path, "EXPLAIN QUERY PLAN SELECT payer FROM hourly WHERE scope = 1 AND"
                        " period = 2 ORDER BY payer, account, hour, currency");
  EXPECT_NE(plan.find("SEARCH hourly USING PRIMARY KEY (scope=? AND period=?)"), std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan; // no sort: key order
}

TEST(Store, ReadOnlyOpenOfMissingFileIsNotFound) {
  std::string path = test_path("missing");
  Store store;
  Status status = store.open(path.c_str(), OpenMode::ReadOnly);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::NotFound);
  EXPECT_EQ(status.error().lib, ErrorLib::Sqlite);
  EXPECT_FALSE(store.is_open());
  EXPECT_FALSE(fs::exists(path));
}

TEST(Store, ReadOnlyStoreReadsButRefusesWrites) {
  std::string path = test_path("read_only");
  {
    Store store;
    open_rw(store, path);
    deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1.5")}, "d1");
  }
  Store store;
  ASSERT_TRUE(store.open(path.c_str(), OpenMode::ReadOnly).ok());
  EXPECT_EQ(dump(store).size(), 1u);
  EXPECT_EQ(store.begin_delivery().error().code, ErrorCode::InvalidArgument);
  KeyedTotals one = row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1");
  EXPECT_EQ(store.stage({&one, 1}).error().code, ErrorCode::InvalidArgument);
}

TEST(Store, NewerSchemaVersionIsRefused) {
  std::string path = test_path("newer");
  {
    Store store;
    open_rw(store, path);
  }
  sql_exec(path, "UPDATE meta SET value = 5 WHERE name = 'schema_version'");
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    Store store;
    Status status = store.open(path.c_str(), mode);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::Unsupported);
    EXPECT_STREQ(status.error().message, "store: schema version is newer than this program");
    EXPECT_FALSE(store.is_open());
  }
}

TEST(Store, OlderSchemaVersionTellsTheTechnicianToMoveTheFileAway) {
  std::string path = test_path("older");
  // The version 1 layout: deliveries keyed by period alone, no scopes.
  sql_exec(path, "CREATE TABLE meta(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)"
                 " WITHOUT ROWID;"
                 "INSERT INTO meta VALUES('schema_version', 1);"
                 "CREATE TABLE deliveries(period INTEGER PRIMARY KEY, identity TEXT NOT NULL,"
                 " source TEXT NOT NULL, ingested_at INTEGER NOT NULL, keys INTEGER NOT NULL,"
                 " line_items INTEGER NOT NULL);"
                 "INSERT INTO deliveries VALUES(202311, 'd', 's', 1, 1, 1);");
  std::int64_t objects = sql_integer(path, "SELECT count(*) FROM sqlite_master");
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    Store store;
    Status status = store.open(path.c_str(), mode);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::Unsupported);
    EXPECT_STREQ(status.error().message,
                 "store: file is from an older edgecur without connection scopes; move it away "
                 "(a new store is created) and ingest again");
    EXPECT_FALSE(store.is_open());
  }
  // Nothing was changed or added to the old file.
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM sqlite_master"), objects);
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM deliveries"), 1);
}

TEST(Store, ForeignFilesAreRefused) {
  std::string foreign = test_path("foreign");
  sql_exec(foreign, "CREATE TABLE something(x)");
  Store store;
  Status status = store.open(foreign.c_str(), OpenMode::ReadWrite);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Unsupported);
  EXPECT_FALSE(Store::is_damaged(status.error())); // somebody else's: never moved aside
  EXPECT_EQ(sql_integer(foreign, "SELECT count(*) FROM sqlite_master"), 1); // nothing added

  std::string garbage = test_path("garbage");
  {
    FILE* file = std::fopen(garbage.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    std::string text(8192, 'x');
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
  }
  status = store.open(garbage.c_str(), OpenMode::ReadWrite);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Corrupt);
  EXPECT_EQ(status.error().lib, ErrorLib::Sqlite);
  EXPECT_EQ(status.error().lib_code & 0xff, SQLITE_NOTADB);
  EXPECT_TRUE(Store::is_damaged(status.error()));
}

TEST(Store, ADamagedPageIsCorruptForWritersAndReaders) {
  std::string path = test_path("damaged_page");
  {
    Store store;
    open_rw(store, path);
    deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1.5")}, "d1");
  }
  std::int64_t root = sql_integer(path, "SELECT rootpage FROM sqlite_master WHERE name = 'hourly'");
  std::int64_t page = sql_integer(path, "PRAGMA page_size");
  {
    FILE* file = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(file, nullptr);
    std::mt19937 random(7);
    std::string noise(static_cast<std::size_t>(page), '\0');
    for (char& c : noise)
      c = static_cast<char>(random());
    ASSERT_EQ(std::fseek(file, static_cast<long>((root - 1) * page), SEEK_SET), 0);
    ASSERT_EQ(std::fwrite(noise.data(), 1, noise.size(), file), noise.size());
    std::fclose(file);
  }
  // A writer's quick_check (or SQLite itself) finds it: the firmware moves the file aside.
  Store writer;
  Status opened = writer.open(path.c_str(), OpenMode::ReadWrite);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::Corrupt) << opened.error().message;
  EXPECT_TRUE(Store::is_damaged(opened.error()));
  // A reader opens it without a check and meets the damaged page in the query.
  Store reader;
  ASSERT_TRUE(reader.open(path.c_str(), OpenMode::ReadOnly).ok());
  Result<std::uint64_t> rows = reader.hourly_row_count();
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, ErrorCode::Corrupt) << rows.error().message;
  EXPECT_EQ(rows.error().lib, ErrorLib::Sqlite);
  EXPECT_EQ(rows.error().lib_code & 0xff, SQLITE_CORRUPT);
}

TEST(Store, EmptyFileOpenedReadOnlyHoldsNoStore) {
  std::string path = test_path("empty");
  {
    FILE* file = std::fopen(path.c_str(), "wb");
    std::fclose(file);
  }
  Store store;
  Status status = store.open(path.c_str(), OpenMode::ReadOnly);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::NotFound);
}

// ---- delivery semantics
// --------------------------------------------------------------------------

TEST(Store, StagedPartialSumsOfOneKeyAreMergedExactly) {
  Store store;
  open_rw(store, test_path("merge"));
  const char* h0 = "2023-11-01T00:00:00Z";
  const char* h1 = "2023-11-01T01:00:00Z";
  // The same key four times in different batches and orders, with a second key in between.
  std::vector<KeyedTotals> rows = {
      row(202311, "111111111111", "222222222222", h1, "USD", "0.1", "0.01", "1", "-1", 2),
      row(202311, "111111111111", "222222222222", h0, "USD", "5", "5", "5", "5", 1),
      row(202311, "111111111111", "222222222222", h1, "USD", "0.2", "0.000000000000000001", "2",
          "-2", 3),
      row(202311, "111111111111", "222222222222", h1, "USD", "0.3", "0.02", "3", "-3", 4),
      row(202311, "111111111111", "222222222222", h0, "USD", "-5", "-5", "-5", "-5", 1),
      row(202311, "111111111111", "222222222222", h1, "USD", "1E-18", "0", "0", "0", 5),
  };
  Delivered done = deliver(store, rows, "d1", 2);
  ASSERT_EQ(done.count, 1u);
  EXPECT_EQ(done.outcomes[0].billing_period, 202311);
  EXPECT_EQ(done.outcomes[0].change, PeriodChange::Added);
  EXPECT_EQ(done.outcomes[0].keys, 2u);
  EXPECT_EQ(done.outcomes[0].line_items, 16u);
  EXPECT_EQ(dump(store), (std::vector<std::string>{
                             "202311 111111111111 222222222222 2023-11-01T00:00:00Z USD "
                             "0.000000000000000000 0.000000000000000000 0.000000000000000000 "
                             "0.000000000000000000 #2",
                             "202311 111111111111 222222222222 2023-11-01T01:00:00Z USD "
                             "0.600000000000000001 0.030000000000000001 6.000000000000000000 "
                             "-6.000000000000000000 #14"}));
  Result<std::uint64_t> rows_now = store.hourly_row_count();
  ASSERT_TRUE(rows_now.ok());
  EXPECT_EQ(rows_now.value(), 2u);
  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"202311 d1 test-source 1700000000 keys=2 items=16"}));
}

TEST(Store, BeginDeliveryDropsWhatAnInterruptedDeliveryStaged) {
  Store store;
  std::string path = test_path("begin");
  open_rw(store, path);
  ASSERT_TRUE(store.begin_delivery().ok());
  KeyedTotals staged = row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "100");
  ASSERT_TRUE(store.stage({&staged, 1}).ok());
  EXPECT_TRUE(fs::exists(path + "-staging"));
  // A process killed before its commit leaves its staging file, which is a valid database
  // (written without a journal): copy it aside, close, and put it back as the kill would.
  fs::copy_file(path + "-staging", path + "-staging.saved");
  store.close();
  EXPECT_FALSE(fs::exists(path + "-staging")) << "close() deletes an uncommitted staging file";
  fs::rename(path + "-staging.saved", path + "-staging");
  open_rw(store, path);
  EXPECT_EQ(sql_integer(path + "-staging", "SELECT count(*) FROM staging"), 1);
  Delivered done = deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "7")}, "d");
  ASSERT_EQ(done.count, 1u);
  EXPECT_EQ(dump(store), (std::vector<std::string>{
                             "202311 1 2 2023-11-01T00:00:00Z USD 7.000000000000000000 "
                             "0.000000000000000000 0.000000000000000000 0.000000000000000000 #1"}));
  EXPECT_FALSE(fs::exists(path + "-staging")) << "a committed delivery's staging file goes";
}

TEST(Store, StagingAndCommitNeedABegunDelivery) {
  Store store;
  open_rw(store, test_path("not_begun"));
  KeyedTotals one = row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1");
  Status staged = store.stage({&one, 1});
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(staged.error().message, "store: no delivery begun");
  PeriodOutcome outcome;
  Result<std::size_t> committed = store.commit_delivery({"d", "s", 1}, &outcome, 1);
  ASSERT_FALSE(committed.ok());
  EXPECT_STREQ(committed.error().message, "store: no delivery begun");
  // A committed delivery is over: committing it again is refused, not an empty delivery.
  deliver(store, {one}, "d");
  Result<std::size_t> again = store.commit_delivery({"d", "s", 1}, &outcome, 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::InvalidArgument);
}

// Two writers on one file, the writer lock bypassed (two connections of one process, so the
// interleaving is exact): neither commits the other's rows. Each begin_delivery() starts a new
// staging file (the name is unlinked from under the other, which keeps its open file), so each
// commit reads exactly what it staged, and each delivery is committed whole.
TEST(Store, TwoWritersNeverCommitEachOthersStaging) {
  std::string path = test_path("two_writers");
  Store a, b;
  open_rw(a, path);
  open_rw(b, path);
  KeyedTotals a_row = row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "100");
  KeyedTotals b_row = row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "7");
  ASSERT_TRUE(a.begin_delivery().ok());
  ASSERT_TRUE(a.stage({&a_row, 1}).ok());
  ASSERT_TRUE(b.begin_delivery().ok());
  ASSERT_TRUE(b.stage({&b_row, 1}).ok());
  ASSERT_TRUE(a.stage({&a_row, 1}).ok()); // A goes on, unaware

  PeriodOutcome outcome;
  Result<std::size_t> a_done = a.commit_delivery({"a", "s", 1}, &outcome, 1);
  ASSERT_TRUE(a_done.ok()) << a_done.error().message;
  EXPECT_EQ(dump(a), (std::vector<std::string>{
                         "202311 1 2 2023-11-01T00:00:00Z USD 200.000000000000000000 "
                         "0.000000000000000000 0.000000000000000000 0.000000000000000000 #2"}));
  Result<std::size_t> b_done = b.commit_delivery({"b", "s", 1}, &outcome, 1);
  ASSERT_TRUE(b_done.ok()) << b_done.error().message;
  EXPECT_EQ(dump(b), (std::vector<std::string>{
                         "202311 1 2 2023-11-01T00:00:00Z USD 7.000000000000000000 "
                         "0.000000000000000000 0.000000000000000000 0.000000000000000000 #1"}));
  EXPECT_FALSE(fs::exists(path + "-staging"));
}

// The guard behind the separate staging files: a commit reads back exactly the rows it staged,
// or fails. Here something else (a writer bypassing the lock, a hand edit) removes one of them
// from the staging file: the commit is refused and nothing changes.
TEST(Store, ACommitMissingAStagedRowIsAConflictAndChangesNothing) {
  std::string path = test_path("staging_guard");
  Store store;
  open_rw(store, path);
  deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "5")}, "old");
  std::vector<std::string> before = dump(store);
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> rows = {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "100"),
                                   row(202311, "1", "3", "2023-11-01T01:00:00Z", "USD", "7")};
  ASSERT_TRUE(store.stage(rows).ok());
  sql_exec(path + "-staging",
           "DELETE FROM staging WHERE account = (SELECT max(account) FROM staging)");
  PeriodOutcome outcome;
  Result<std::size_t> committed = store.commit_delivery({"new", "s", 2}, &outcome, 1);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, ErrorCode::Conflict);
  EXPECT_STREQ(committed.error().message,
               "store: this delivery's staged rows were changed by another writer (is a second "
               "edgecur writing the store without its lock?); nothing was committed");
  EXPECT_EQ(dump(store), before);
}

TEST(Store, Version2StoreReadsAsItIsAndIsUpgradedByAWriter) {
  std::string path = test_path("upgrade_2");
  {
    Store store;
    open_rw(store, path);
    deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "7")}, "d");
  }
  std::vector<std::string> before;
  {
    Store store;
    open_rw(store, path);
    before = dump(store);
  }
  // Version 2: staging inside the store without an owner column (and a row an interrupted
  // delivery left), deliveries without content fingerprints.
  sql_exec(path, "ALTER TABLE deliveries DROP COLUMN content;"
                 "CREATE TABLE staging(period INTEGER NOT NULL, payer INTEGER NOT NULL,"
                 " account INTEGER NOT NULL, hour INTEGER NOT NULL, currency INTEGER NOT NULL,"
                 " unblended INTEGER NOT NULL, unblended_rest INTEGER NOT NULL,"
                 " net_unblended INTEGER NOT NULL, net_unblended_rest INTEGER NOT NULL,"
                 " blended INTEGER NOT NULL, blended_rest INTEGER NOT NULL,"
                 " amortized INTEGER NOT NULL, amortized_rest INTEGER NOT NULL,"
                 " line_items INTEGER NOT NULL);"
                 "INSERT INTO staging VALUES(202311, 1, 1, 470000, 1, 5, 0, 0, 0, 0, 0, 0, 0, 1);"
                 "UPDATE meta SET value = 2 WHERE name = 'schema_version'");
  {
    Store reader;
    ASSERT_TRUE(reader.open(path.c_str(), OpenMode::ReadOnly).ok());
    EXPECT_EQ(dump(reader), before);
  }
  EXPECT_EQ(sql_integer(path, "SELECT value FROM meta WHERE name='schema_version'"), 2);
  Store writer;
  open_rw(writer, path);
  EXPECT_EQ(sql_integer(path, "SELECT value FROM meta WHERE name='schema_version'"), 4);
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM sqlite_master WHERE name = 'staging'"), 0);
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM pragma_table_info('deliveries') WHERE "
                              "name = 'content'"),
            1);
  EXPECT_EQ(dump(writer), before);
  deliver(writer, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "9")}, "e");
  EXPECT_EQ(dump(writer),
            (std::vector<std::string>{
                "202311 1 2 2023-11-01T00:00:00Z USD 9.000000000000000000 "
                "0.000000000000000000 0.000000000000000000 0.000000000000000000 #1"}));
}

TEST(Store, BadHourIsRefusedAndNothingOfTheBatchIsStaged) {
  Store store;
  open_rw(store, test_path("bad_hour"));
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> rows = {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1"),
                                   row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1")};
  rows[1].key.hour_start += 60;
  Status status = store.stage(rows);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
  PeriodOutcome outcome;
  Result<std::size_t> count = store.commit_delivery({"d", "s", 1}, &outcome, 1);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count.value(), 0u); // the first row of the batch was rolled back too
  EXPECT_TRUE(dump(store).empty());
}

TEST(Store, EmptyDeliveryChangesNothing) {
  Store store;
  open_rw(store, test_path("empty_delivery"));
  deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1")}, "d1");
  Delivered done = deliver(store, {}, "d2");
  EXPECT_EQ(done.count, 0u);
  EXPECT_EQ(store.last_commit_writes(), 0u);
  EXPECT_EQ(dump(store).size(), 1u);
  EXPECT_EQ(deliveries(store).size(), 1u);
}

// A covered period without a staged row: emptied and recorded; other periods untouched; a new one
// is Added with 0 keys. (EmptyDeliveryChangesNothing above: without covered periods, nothing.)
TEST(Store, ACoveredPeriodWithoutRowsIsEmptiedAndRecorded) {
  Store store;
  open_rw(store, test_path("covered_empty"));
  deliver(store,
          {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1"),
           row(202311, "1", "3", "2023-11-01T01:00:00Z", "USD", "2"),
           row(202312, "1", "2", "2023-12-01T00:00:00Z", "USD", "4")},
          "d1", 3, 1700000000, "payer");
  ASSERT_TRUE(store.begin_delivery().ok());
  const std::int32_t covered[] = {202311, 202401, 202311}; // a duplicate counts once
  PeriodOutcome outcomes[4];
  DeliveryInfo info{"d2", "test-source", 1700000500, "payer"};
  info.covered_periods = covered;
  Result<std::size_t> count = store.commit_delivery(info, outcomes, 4);
  ASSERT_TRUE(count.ok()) << count.error().message;
  ASSERT_EQ(count.value(), 2u);
  EXPECT_EQ(outcomes[0].billing_period, 202311);
  EXPECT_EQ(outcomes[0].change, PeriodChange::Replaced);
  EXPECT_EQ(outcomes[0].keys, 0u);
  EXPECT_EQ(outcomes[1].billing_period, 202401);
  EXPECT_EQ(outcomes[1].change, PeriodChange::Added);
  EXPECT_EQ(outcomes[1].keys, 0u);
  std::vector<std::string> rows = dump(store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].substr(0, 6), "202312");
  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"[payer] 202311 d2 test-source 1700000500 keys=0 items=0",
                                      "[payer] 202312 d1 test-source 1700000000 keys=1 items=1",
                                      "[payer] 202401 d2 test-source 1700000500 keys=0 items=0"}));
  // Recorded: the same empty delivery again finds its identity.
  std::uint8_t identity[16];
  std::size_t size = 0;
  UnixSeconds at = 0;
  Result<bool> found = store.find_delivery("payer", 202401, identity, size, at);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found.value());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(identity), size), "d2");
}

TEST(Store, ACoveredPeriodWithRowsIsAnOrdinaryReplacement) {
  Store store;
  open_rw(store, test_path("covered_rows"));
  deliver(store, {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1")}, "d1");
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> staged = {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "7")};
  ASSERT_TRUE(store.stage(staged).ok());
  const std::int32_t covered[] = {202311};
  PeriodOutcome outcomes[4];
  DeliveryInfo info{"d2", "test-source", 1700000500, ""};
  info.covered_periods = covered;
  Result<std::size_t> count = store.commit_delivery(info, outcomes, 4);
  ASSERT_TRUE(count.ok());
  ASSERT_EQ(count.value(), 1u); // not once for the rows and again as covered
  EXPECT_EQ(outcomes[0].change, PeriodChange::Replaced);
  EXPECT_EQ(outcomes[0].keys, 1u);
  ASSERT_EQ(dump(store).size(), 1u);
  EXPECT_NE(dump(store)[0].find(" 7.000000000000000000 "), std::string::npos) << dump(store)[0];
  std::vector<std::int32_t> many(kStoreMaxCoveredPeriods + 1, 202311);
  info.covered_periods = many;
  ASSERT_TRUE(store.begin_delivery().ok());
  EXPECT_EQ(store.commit_delivery(info, outcomes, 4).error().code, ErrorCode::InvalidArgument);
}

TEST(Store, ARowOutsideTheCoveredPeriodsFailsTheDelivery) {
  // A manifest for 2026-11 whose data is of 2023-11: before, 2023-11 was written and 2026-11
  // emptied, reported as "added".
  Store store;
  std::string path = test_path("foreign_period");
  open_rw(store, path);
  deliver(store, {row(202611, "1", "2", "2026-11-01T00:00:00Z", "USD", "1")}, "d1");
  std::vector<std::string> before = dump(store);
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> staged = {row(202311, "1", "22", "2023-11-03T04:00:00Z", "EUR", "7"),
                                     row(202611, "1", "2", "2026-11-01T00:00:00Z", "USD", "9")};
  ASSERT_TRUE(store.stage(staged).ok());
  const std::int32_t covered[] = {202611};
  PeriodOutcome outcomes[4];
  DeliveryInfo info{"d2", "test-source", 1700000500, ""};
  info.covered_periods = covered;
  Result<std::size_t> count = store.commit_delivery(info, outcomes, 4);
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().code, ErrorCode::InvalidInput);
  ASSERT_NE(store.failed_key(), nullptr);
  EXPECT_EQ(*store.failed_key(), staged[0].key);
  EXPECT_EQ(dump(store), before);
  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"202611 d1 test-source 1700000000 keys=1 items=1"}));
  // The next delivery starts clean: no stale key.
  ASSERT_TRUE(store.begin_delivery().ok());
  EXPECT_EQ(store.failed_key(), nullptr);
}

// Keys of a restatement test: (account, hour, unblended, line items).
std::vector<KeyedTotals> period_rows(std::int32_t period, const std::vector<std::string>& spec) {
  std::vector<KeyedTotals> rows;
  for (const std::string& item : spec) {
    // "account/hour/cost/items"
    std::size_t a = item.find('/'), b = item.find('/', a + 1), c = item.find('/', b + 1);
    std::string account = item.substr(0, a);
    std::string hour = "2023-11-01T" + item.substr(a + 1, b - a - 1) + ":00:00Z";
    std::string cost = item.substr(b + 1, c - b - 1);
    std::uint64_t items = std::stoull(item.substr(c + 1));
    rows.push_back(row(period, "900000000000", account.c_str(), hour.c_str(), "USD", cost.c_str(),
                       cost.c_str(), "0", cost.c_str(), items));
  }
  return rows;
}

TEST(Store, RestatementEqualsTheLaterDeliveryAlone) {
  struct Case {
    const char* name;
    std::vector<std::string> first;
    std::vector<std::string> second;
    PeriodChange change;
  };
  std::vector<Case> cases = {
      {"middle key dropped",
       {"1/00/1/1", "1/01/2/1", "1/02/3/1"},
       {"1/00/1/1", "1/02/3/1"},
       PeriodChange::Replaced},
      {"trailing keys dropped",
       {"1/00/1/1", "1/01/2/1", "2/00/3/1"},
       {"1/00/1/1"},
       PeriodChange::Replaced},
      {"key added in front",
       {"2/00/1/1", "2/01/2/1"},
       {"1/05/9/1", "2/00/1/1", "2/01/2/1"},
       PeriodChange::Replaced},
      {"key added at the end", {"1/00/1/1"}, {"1/00/1/1", "3/23/4/2"}, PeriodChange::Replaced},
      {"only line items of the last key",
       {"1/00/1/1", "1/01/2/1"},
       {"1/00/1/1", "1/01/2/7"},
       PeriodChange::Replaced},
      {"only the 1e-18 digit",
       {"1/00/1/1", "1/01/2/1"},
       {"1/00/1/1", "1/01/2.000000000000000001/1"},
       PeriodChange::Replaced},
      {"all keys different", {"1/00/1/1", "1/01/2/1"}, {"4/10/1/1"}, PeriodChange::Replaced},
      {"same totals", {"1/00/1/1", "1/01/2/1"}, {"1/01/2/1", "1/00/1/1"}, PeriodChange::Unchanged},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Store restated;
    open_rw(restated, test_path("restated"));
    Delivered first = deliver(restated, period_rows(202311, c.first), "d1");
    ASSERT_EQ(first.count, 1u);
    EXPECT_EQ(first.outcomes[0].change, PeriodChange::Added);
    Delivered second = deliver(restated, period_rows(202311, c.second), "d2");
    ASSERT_EQ(second.count, 1u);
    EXPECT_EQ(second.outcomes[0].change, c.change);
    EXPECT_EQ(second.outcomes[0].keys, c.second.size());

    Store alone;
    open_rw(alone, test_path("alone"));
    deliver(alone, period_rows(202311, c.second), "d2");
    EXPECT_EQ(dump(restated), dump(alone));
    EXPECT_EQ(deliveries(restated), deliveries(alone));
  }
}

TEST(Store, SameDeliveryAgainWritesNothing) {
  std::string path = test_path("again");
  Store store;
  open_rw(store, path);
  std::vector<KeyedTotals> rows =
      period_rows(202311, {"1/00/1.25/1", "1/01/2/3", "2/00/0.000000000000000007/1"});
  deliver(store, rows, "d1");
  std::vector<std::string> before = dump(store);
  std::vector<std::string> records_before = deliveries(store);
  std::int64_t hourly_pages = sql_integer(path, "SELECT count(*) FROM dbstat WHERE name='hourly'");

  std::reverse(rows.begin(), rows.end()); // another key order, other batches: same totals
  Delivered again = deliver(store, rows, "d1", 1, 1800000000);
  ASSERT_EQ(again.count, 1u);
  EXPECT_EQ(again.outcomes[0].change, PeriodChange::Unchanged);
  EXPECT_EQ(again.outcomes[0].keys, 3u);
  EXPECT_EQ(again.outcomes[0].line_items, 5u);
  EXPECT_EQ(store.last_commit_writes(), 0u);
  EXPECT_EQ(dump(store), before);
  EXPECT_EQ(deliveries(store), records_before); // not even ingested_at was rewritten
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM dbstat WHERE name='hourly'"), hourly_pages);

  // Equal totals from a delivery with another identity: rows kept, the record names it.
  Delivered renamed = deliver(store, rows, "d2", 2, 1800000000);
  ASSERT_EQ(renamed.count, 1u);
  EXPECT_EQ(renamed.outcomes[0].change, PeriodChange::Unchanged);
  EXPECT_EQ(store.last_commit_writes(), 1u); // the deliveries record only
  EXPECT_EQ(dump(store), before);
  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"202311 d2 test-source 1800000000 keys=3 items=5"}));
}

TEST(Store, OnlyTheDeliveredPeriodsChange) {
  Store store;
  open_rw(store, test_path("periods"));
  std::vector<KeyedTotals> october = period_rows(202310, {"1/00/10/1", "2/00/20/2"});
  std::vector<KeyedTotals> november = period_rows(202311, {"1/00/1/1", "1/01/2/1"});
  std::vector<KeyedTotals> december = period_rows(202312, {"1/00/3/1"});
  std::vector<KeyedTotals> all = october;
  all.insert(all.end(), november.begin(), november.end());
  all.insert(all.end(), december.begin(), december.end());
  deliver(store, all, "first", 2, 100);
  std::vector<std::string> before = dump(store);

  // November restated with the same totals, December with new ones, October not delivered.
  std::vector<KeyedTotals> december2 = period_rows(202312, {"1/00/3.5/2", "5/02/1/1"});
  std::vector<KeyedTotals> delivery = december2;
  delivery.insert(delivery.end(), november.rbegin(), november.rend());
  Delivered done = deliver(store, delivery, "second", 2, 200);
  ASSERT_EQ(done.count, 2u);
  EXPECT_EQ(done.outcomes[0].billing_period, 202311);
  EXPECT_EQ(done.outcomes[0].change, PeriodChange::Unchanged);
  EXPECT_EQ(done.outcomes[1].billing_period, 202312);
  EXPECT_EQ(done.outcomes[1].change, PeriodChange::Replaced);
  EXPECT_EQ(done.outcomes[1].keys, 2u);
  EXPECT_EQ(done.outcomes[1].line_items, 3u);

  std::vector<std::string> after = dump(store);
  ASSERT_EQ(after.size(), 6u);
  // October and November rows are byte-for-byte what they were.
  EXPECT_EQ(std::vector<std::string>(after.begin(), after.begin() + 4),
            std::vector<std::string>(before.begin(), before.begin() + 4));
  EXPECT_EQ(after[4], "202312 900000000000 1 2023-11-01T00:00:00Z USD 3.500000000000000000 "
                      "3.500000000000000000 0.000000000000000000 3.500000000000000000 #2");
  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"202310 first test-source 100 keys=2 items=3",
                                      "202311 second test-source 200 keys=2 items=2",
                                      "202312 second test-source 200 keys=2 items=3"}));
  Result<std::uint64_t> periods = store.period_count();
  ASSERT_TRUE(periods.ok());
  EXPECT_EQ(periods.value(), 3u);
}

TEST(Store, OutcomesBeyondTheArrayAreCountedNotWritten) {
  Store store;
  open_rw(store, test_path("outcomes"));
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> rows;
  for (std::int32_t period : {202301, 202302, 202303})
    rows.push_back(row(period, "1", "2", "2023-01-01T00:00:00Z", "USD", "1"));
  ASSERT_TRUE(store.stage(rows).ok());
  PeriodOutcome outcomes[2];
  Result<std::size_t> count = store.commit_delivery({"d", "s", 1}, outcomes, 2);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count.value(), 3u);
  EXPECT_EQ(outcomes[0].billing_period, 202301);
  EXPECT_EQ(outcomes[1].billing_period, 202302);
  EXPECT_EQ(deliveries(store).size(), 3u); // all three committed
}

// Records, for each step, its SQL and the connection's synchronous setting at that moment.
class RecordSynchronous final : public StoreStepHook {
public:
  bool allow_step(std::uint64_t, sqlite3_stmt* statement) override {
    sqlite3_stmt* read = nullptr;
    EXPECT_EQ(
        sqlite3_prepare_v2(sqlite3_db_handle(statement), "PRAGMA synchronous", -1, &read, nullptr),
        SQLITE_OK);
    int level = sqlite3_step(read) == SQLITE_ROW ? sqlite3_column_int(read, 0) : -1;
    sqlite3_finalize(read);
    steps.emplace_back(sqlite3_sql(statement), level);
    return true;
  }
  // The levels seen at steps whose SQL starts with `prefix`.
  std::vector<int> levels(const std::string& prefix) const {
    std::vector<int> found;
    for (const auto& [sql, level] : steps) {
      if (sql.rfind(prefix, 0) == 0)
        found.push_back(level);
    }
    return found;
  }
  std::vector<std::pair<std::string, int>> steps;
};

TEST(Store, CommitsAreSynchronousFullAndStagingNormal) {
  Store store;
  open_rw(store, test_path("synchronous"));
  RecordSynchronous hook;
  store.set_step_hook(&hook);
  constexpr int kNormal = 1, kFull = 2;
  for (int delivery = 0; delivery < 2; ++delivery) { // the second time uses cached statements
    hook.steps.clear();
    std::string identity = "d" + std::to_string(delivery);
    deliver(store, period_rows(202311, {"1/00/1/1", delivery == 0 ? "1/01/2/1" : "1/01/3/1"}),
            identity.c_str(), 1);
    EXPECT_EQ(hook.levels("INSERT INTO stage.staging"), (std::vector<int>{kNormal, kNormal}));
    EXPECT_EQ(hook.levels("INSERT INTO hourly").size(), delivery == 0 ? 2u : 1u);
    for (int level : hook.levels("INSERT INTO hourly"))
      EXPECT_EQ(level, kFull);
    // Staging's two transactions, then the delivery's.
    EXPECT_EQ(hook.levels("COMMIT"), (std::vector<int>{kNormal, kNormal, kFull}));
  }
  store.set_step_hook(nullptr);
  EXPECT_EQ(dump(store).size(), 2u);
}

// ---- exactness and ranges
// ------------------------------------------------------------------------

TEST(Store, AmountsNeedingTheRemainderColumnRoundTripExactly) {
  std::string path = test_path("remainder");
  Store store;
  open_rw(store, path);
  deliver(store,
          {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "0.000000000000000001",
               "-0.000000000000000001", "123.456789012345678901", "-0.000000000000000055"),
           row(202311, "1", "2", "2023-11-01T01:00:00Z", "USD", "1.3E-15", "-922337203.6854775808",
               "922337203.685477580799999999", "0")},
          "d");
  EXPECT_EQ(dump(store),
            (std::vector<std::string>{"202311 1 2 2023-11-01T00:00:00Z USD 0.000000000000000001 "
                                      "-0.000000000000000001 123.456789012345678901 "
                                      "-0.000000000000000055 #1",
                                      "202311 1 2 2023-11-01T01:00:00Z USD 0.000000000000001300 "
                                      "-922337203.685477580800000000 922337203.685477580799999999 "
                                      "0.000000000000000000 #1"}));
  // Stored as floor at 1e-10 plus a remainder in [0, 1e8): -1e-18 is (-1, 99999999).
  EXPECT_EQ(sql_integer(path, "SELECT net_unblended FROM hourly WHERE hour % 24 = 0"), -1);
  EXPECT_EQ(sql_integer(path, "SELECT net_unblended_rest FROM hourly WHERE hour % 24 = 0"),
            99999999);
  EXPECT_EQ(sql_integer(path, "SELECT typeof(unblended) = 'integer' AND"
                              " typeof(unblended_rest) = 'integer' FROM hourly LIMIT 1"),
            1);
}

TEST(Store, HourlyTotalsPastTheInt64RangeAreStoredExactly) {
  // The case: an hour 0 of monthly fees past 922,337,203.68 (IDR, KRW, JPY). Stored and
  // reported to the last digit, and merged from partial sums that each fit the narrow range.
  std::string path = test_path("wide");
  Store store;
  open_rw(store, path);
  const char* hour = "2026-11-01T00:00:00Z";
  deliver(store,
          {row(202611, "1", "2", hour, "IDR", "922337203.6854775808", "-57000000000.000000000001",
               "99999999999999999.999999999999999999", "-100000000000000000"),
           row(202611, "1", "2", "2026-11-01T01:00:00Z", "KRW", "600000000", "1"),
           row(202611, "1", "2", "2026-11-01T01:00:00Z", "KRW", "600000000.0000000001", "2")},
          "wide");
  EXPECT_EQ(dump(store),
            (std::vector<std::string>{"202611 1 2 2026-11-01T00:00:00Z IDR "
                                      "922337203.685477580800000000 "
                                      "-57000000000.000000000001000000 "
                                      "99999999999999999.999999999999999999 "
                                      "-100000000000000000.000000000000000000 #1",
                                      "202611 1 2 2026-11-01T01:00:00Z KRW "
                                      "1200000000.000000000100000000 3.000000000000000000 "
                                      "0.000000000000000000 0.000000000000000000 #2"}));
  // Still two integers per measure, never a float or a blob.
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM hourly WHERE typeof(unblended) <> 'integer'"
                              " OR typeof(unblended_rest) <> 'integer'"
                              " OR typeof(amortized_rest) <> 'integer'"),
            0);
  // The same delivery again is Unchanged: the wide values compare equal column by column.
  PeriodOutcome outcome;
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> again = {
      row(202611, "1", "2", hour, "IDR", "922337203.6854775808", "-57000000000.000000000001",
          "99999999999999999.999999999999999999", "-100000000000000000"),
      row(202611, "1", "2", "2026-11-01T01:00:00Z", "KRW", "1200000000.0000000001", "3")};
  again[1].totals.line_items = 2;
  ASSERT_TRUE(store.stage(again).ok());
  ASSERT_TRUE(store.commit_delivery({"wide", "s", 2}, &outcome, 1).ok());
  EXPECT_EQ(outcome.change, PeriodChange::Unchanged);
  EXPECT_EQ(store.last_commit_writes(), 0u);
}

TEST(Store, ValuesBeyondTheStoredRangeAreOverflowNamingTheKey) {
  Store store;
  open_rw(store, test_path("overflow"));
  const char* hour = "2023-11-01T05:00:00Z";
  deliver(store, {row(202311, "1", "2", hour, "USD", "1")}, "old");
  std::vector<std::string> old_rows = dump(store);

  // One partial beyond the stored range is refused when staged, naming its key.
  ASSERT_TRUE(store.begin_delivery().ok());
  KeyedTotals too_big = row(202311, "000000000111", "222", hour, "IDR", "93000000000000000000");
  Status staged = store.stage({&too_big, 1});
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.error().code, ErrorCode::Overflow);
  EXPECT_STREQ(staged.error().message, "store: partial sum exceeds the stored range");
  ASSERT_NE(store.failed_key(), nullptr);
  EXPECT_EQ(*store.failed_key(), too_big.key);

  // Partials that fit but whose merged total does not: the commit fails, changes nothing and
  // names the key, resolved from the store's ids.
  std::vector<KeyedTotals> halves = {
      row(202311, "000000000111", "222", hour, "IDR", "50000000000000000000"),
      row(202311, "000000000111", "222", hour, "IDR", "50000000000000000000")};
  ASSERT_TRUE(store.stage(halves).ok());
  EXPECT_EQ(store.failed_key(), nullptr);
  PeriodOutcome outcome;
  Result<std::size_t> committed = store.commit_delivery({"new", "s", 2}, &outcome, 1);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, ErrorCode::Overflow);
  EXPECT_STREQ(committed.error().message, "store: hourly total exceeds the stored range");
  ASSERT_NE(store.failed_key(), nullptr);
  EXPECT_EQ(*store.failed_key(), halves[0].key);
  EXPECT_EQ(store.last_commit_writes(), 0u);
  EXPECT_EQ(dump(store), old_rows);
  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"202311 old test-source 1700000000 keys=1 items=1"}));

  // The extremes that fit are kept exactly, and a month bucket sums past them.
  deliver(store,
          {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "85000000000000000000",
               "-85000000000000000000"),
           row(202311, "1", "2", "2023-11-02T00:00:00Z", "USD", "85000000000000000000",
               "-85000000000000000000")},
          "extremes");
  ReportQuery month;
  month.grouping = ReportGrouping::Month;
  EXPECT_EQ(dump(store, month),
            (std::vector<std::string>{"202311 1 2 2023-11-01T00:00:00Z USD "
                                      "170000000000000000000.000000000000000000 "
                                      "-170000000000000000000.000000000000000000 "
                                      "0.000000000000000000 0.000000000000000000 #2"}));
}

// ---- crash safety
// --------------------------------------------------------------------------------

// Fails the step with index `fail_at`, and only that one.
class FailOneStep final : public StoreStepHook {
public:
  explicit FailOneStep(std::uint64_t fail_at) : m_fail_at(fail_at) {}
  bool allow_step(std::uint64_t index, sqlite3_stmt*) override {
    if (index == m_fail_at)
      fired = true;
    return index != m_fail_at;
  }
  bool fired = false;

private:
  std::uint64_t m_fail_at;
};

// Ends the process (no rollback, no close: a crash) at step `crash_at`.
class CrashAtStep final : public StoreStepHook {
public:
  explicit CrashAtStep(std::uint64_t crash_at) : m_crash_at(crash_at) {}
  bool allow_step(std::uint64_t index, sqlite3_stmt*) override {
    if (index == m_crash_at)
      _exit(42);
    return true;
  }

private:
  std::uint64_t m_crash_at;
};

std::vector<KeyedTotals> old_delivery() {
  std::vector<KeyedTotals> rows = period_rows(202311, {"1/00/1/1", "1/01/2/1", "2/00/3/1"});
  std::vector<KeyedTotals> december = period_rows(202312, {"1/00/4/1"});
  rows.insert(rows.end(), december.begin(), december.end());
  return rows;
}

std::vector<KeyedTotals> new_delivery() {
  // November replaced (a key changed, one dropped, one added), December unchanged, January new.
  std::vector<KeyedTotals> rows = period_rows(202311, {"1/00/1/1", "1/01/2.5/2", "3/04/7/1"});
  std::vector<KeyedTotals> december = period_rows(202312, {"1/00/4/1"});
  std::vector<KeyedTotals> january = period_rows(202401, {"9/00/1/1"});
  rows.insert(rows.end(), december.begin(), december.end());
  rows.insert(rows.end(), january.begin(), january.end());
  return rows;
}

struct StoreState {
  std::vector<std::string> rows;
  std::vector<std::string> records;
  bool operator==(const StoreState&) const = default;
};

StoreState state_of(const std::string& path) {
  Store store;
  Status opened = store.open(path.c_str(), OpenMode::ReadOnly);
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return {dump(store), deliveries(store)};
}

// Another connection's rows of the same periods, which no commit of scope "" may touch.
void deliver_other_scope(Store& store) {
  deliver(store, period_rows(202311, {"1/00/100/1", "7/03/5/2"}), "other", 2, 1600000000, "other");
}

// The old and the new state, computed without any fault.
void reference_states(const char* name, StoreState& old_state, StoreState& new_state) {
  std::string path = test_path(name);
  {
    Store store;
    open_rw(store, path);
    deliver_other_scope(store);
    deliver(store, old_delivery(), "old", 2);
  }
  old_state = state_of(path);
  {
    Store store;
    open_rw(store, path);
    deliver(store, new_delivery(), "new", 2);
  }
  new_state = state_of(path);
  ASSERT_NE(old_state, new_state);
  // The other scope's record is in both states as it was written (after scope "").
  for (const StoreState* state : {&old_state, &new_state})
    EXPECT_EQ(state->records.at(1), "[other] 202311 other test-source 1600000000 keys=2 items=3");
}

TEST(Store, FailureAtAnyStepOfACommitLeavesTheOldTotals) {
  StoreState old_state, new_state;
  reference_states("fail_step_reference", old_state, new_state);
  std::string path = test_path("fail_step");
  {
    Store store;
    open_rw(store, path);
    deliver_other_scope(store);
    deliver(store, old_delivery(), "old", 2);
  }
  std::uint64_t failures = 0;
  for (std::uint64_t fail_at = 0;; ++fail_at) {
    ASSERT_LT(fail_at, 500u) << "the commit never completed";
    Store store;
    open_rw(store, path);
    ASSERT_TRUE(store.begin_delivery().ok());
    ASSERT_TRUE(store.stage(new_delivery()).ok());
    FailOneStep hook(fail_at);
    store.set_step_hook(&hook);
    PeriodOutcome outcomes[4];
    Result<std::size_t> committed =
        store.commit_delivery({"new", "test-source", 1700000000}, outcomes, 4);
    store.set_step_hook(nullptr);
    if (committed.ok()) {
      // Only a failure of the trailing synchronous=NORMAL may be ignored, or none fired.
      EXPECT_EQ(committed.value(), 3u);
      store.close();
      EXPECT_EQ(state_of(path), new_state);
      break;
    }
    ASSERT_TRUE(hook.fired);
    EXPECT_EQ(committed.error().code, ErrorCode::Store) << committed.error().message;
    EXPECT_EQ(committed.error().lib, ErrorLib::Sqlite);
    EXPECT_EQ(committed.error().lib_code & 0xff, SQLITE_IOERR); // kept for the message tail
    EXPECT_EQ(store.last_commit_writes(), 0u);
    // Same connection and after reopening: the old totals, staging intact for a retry.
    EXPECT_EQ((StoreState{dump(store), deliveries(store)}), old_state) << "step " << fail_at;
    store.close();
    EXPECT_EQ(state_of(path), old_state) << "step " << fail_at;
    ++failures;
  }
  EXPECT_GT(failures, 20u); // the commit really has that many steps to fail
}

TEST(Store, CrashAtAnyStepOfACommitLeavesOldOrNewTotals) {
  StoreState old_state, new_state;
  reference_states("crash_step_reference", old_state, new_state);
  std::string path = test_path("crash_step");
  {
    Store store;
    open_rw(store, path);
    deliver_other_scope(store);
    deliver(store, old_delivery(), "old", 2);
  }
  std::uint64_t old_seen = 0, new_seen = 0;
  for (std::uint64_t crash_at = 0;; ++crash_at) {
    ASSERT_LT(crash_at, 500u) << "the commit never completed";
    fflush(nullptr);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      Store store;
      if (!store.open(path.c_str(), OpenMode::ReadWrite).ok())
        _exit(3);
      if (!store.begin_delivery().ok() || !store.stage(new_delivery()).ok())
        _exit(4);
      CrashAtStep hook(crash_at);
      store.set_step_hook(&hook);
      PeriodOutcome outcomes[4];
      Result<std::size_t> committed =
          store.commit_delivery({"new", "test-source", 1700000000}, outcomes, 4);
      _exit(committed.ok() ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    int code = WEXITSTATUS(status);
    ASSERT_TRUE(code == 42 || code == 0) << "child exit " << code << " at step " << crash_at;
    StoreState now = state_of(path);
    if (now == old_state) {
      EXPECT_EQ(new_seen, 0u) << "old totals came back after new ones, step " << crash_at;
      ++old_seen;
    } else {
      EXPECT_EQ(now, new_state) << "a mix at step " << crash_at;
      ++new_seen;
    }
    if (code == 0)
      break; // the commit ran to the end without reaching the crash step
  }
  EXPECT_GT(old_seen, 20u);
  EXPECT_GE(new_seen, 1u);
}

// ---- queries
// -------------------------------------------------------------------------------------

// Ids are assigned in first-seen order, which here is the reverse of the text order.
std::vector<KeyedTotals> query_rows() {
  return {
      row(202311, "99", "99", "2023-11-01T05:00:00Z", "USD", "1", "0", "0", "0", 1),
      row(202311, "99", "123", "2023-11-01T05:00:00Z", "USD", "2", "0", "0", "0", 1),
      row(202311, "99", "123", "2023-11-01T05:00:00Z", "EUR", "3", "0", "0", "0", 1),
      row(202311, "99", "123", "2023-11-01T23:00:00Z", "USD", "4", "0", "0", "0", 2),
      row(202311, "99", "123", "2023-11-02T00:00:00Z", "USD", "5", "0", "0", "0", 1),
      row(202311, "99", "123", "2023-11-01T06:00:00Z", "EUR", "6", "0", "0", "0", 1),
      row(202311, "99", "000000000123", "2023-11-01T05:00:00Z", "USD", "7", "0", "0", "0", 1),
      row(202311, "000000000099", "123", "2023-11-01T05:00:00Z", "USD", "8", "0", "0", "0", 1),
      row(202311, "99", "123", "2023-10-31T23:00:00Z", "USD", "0.5", "0", "0", "0", 1),
      row(202310, "99", "123", "2023-10-31T23:00:00Z", "USD", "9", "0", "0", "0", 1),
  };
}

// "period payer account bucket currency unblended #items", for compact expectations.
std::vector<std::string> brief(Store& store, ReportQuery query) {
  std::vector<std::string> lines;
  for (const std::string& line : dump(store, query)) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
      std::size_t space = line.find(' ', start);
      parts.push_back(line.substr(start, space - start));
      if (space == std::string::npos)
        break;
      start = space + 1;
    }
    lines.push_back(parts[0] + " " + parts[1] + " " + parts[2] + " " + parts[3] + " " + parts[4] +
                    " " + parts[5].substr(0, parts[5].find('.') + 2) + " " + parts[9]);
  }
  return lines;
}

// "account bucket unblended #items" of each row.
std::vector<std::string> brief_unblended(Store& store, ReportQuery query) {
  std::vector<std::string> lines;
  for (const std::string& line : brief(store, query)) {
    std::size_t first = line.find(' ');
    std::size_t second = line.find(' ', first + 1);
    std::size_t currency = line.find(" USD ");
    lines.push_back(line.substr(second + 1, currency - second - 1) + line.substr(currency + 4));
  }
  return lines;
}

TEST(Store, QueryOrdersByTextAndGroupsByHourDayMonth) {
  Store store;
  open_rw(store, test_path("query"));
  deliver(store, query_rows(), "d", 4);

  ReportQuery hourly;
  EXPECT_EQ(brief(store, hourly), (std::vector<std::string>{
                                      "202310 99 123 2023-10-31T23:00:00Z USD 9.0 #1",
                                      "202311 000000000099 123 2023-11-01T05:00:00Z USD 8.0 #1",
                                      "202311 99 000000000123 2023-11-01T05:00:00Z USD 7.0 #1",
                                      "202311 99 123 2023-10-31T23:00:00Z USD 0.5 #1",
                                      "202311 99 123 2023-11-01T05:00:00Z EUR 3.0 #1",
                                      "202311 99 123 2023-11-01T05:00:00Z USD 2.0 #1",
                                      "202311 99 123 2023-11-01T06:00:00Z EUR 6.0 #1",
                                      "202311 99 123 2023-11-01T23:00:00Z USD 4.0 #2",
                                      "202311 99 123 2023-11-02T00:00:00Z USD 5.0 #1",
                                      "202311 99 99 2023-11-01T05:00:00Z USD 1.0 #1",
                                  }));
  ReportQuery daily;
  daily.grouping = ReportGrouping::Day;
  // Within a day, EUR from 05:00 and 06:00 forms one row even though USD hours lie between them.
  EXPECT_EQ(brief(store, daily), (std::vector<std::string>{
                                     "202310 99 123 2023-10-31T00:00:00Z USD 9.0 #1",
                                     "202311 000000000099 123 2023-11-01T00:00:00Z USD 8.0 #1",
                                     "202311 99 000000000123 2023-11-01T00:00:00Z USD 7.0 #1",
                                     "202311 99 123 2023-10-31T00:00:00Z USD 0.5 #1",
                                     "202311 99 123 2023-11-01T00:00:00Z EUR 9.0 #2",
                                     "202311 99 123 2023-11-01T00:00:00Z USD 6.0 #3",
                                     "202311 99 123 2023-11-02T00:00:00Z USD 5.0 #1",
                                     "202311 99 99 2023-11-01T00:00:00Z USD 1.0 #1",
                                 }));
  ReportQuery monthly;
  monthly.grouping = ReportGrouping::Month;
  EXPECT_EQ(brief(store, monthly), (std::vector<std::string>{
                                       "202310 99 123 2023-10-01T00:00:00Z USD 9.0 #1",
                                       "202311 000000000099 123 2023-11-01T00:00:00Z USD 8.0 #1",
                                       "202311 99 000000000123 2023-11-01T00:00:00Z USD 7.0 #1",
                                       "202311 99 123 2023-10-01T00:00:00Z USD 0.5 #1",
                                       "202311 99 123 2023-11-01T00:00:00Z EUR 9.0 #2",
                                       "202311 99 123 2023-11-01T00:00:00Z USD 11.0 #4",
                                       "202311 99 99 2023-11-01T00:00:00Z USD 1.0 #1",
                                   }));
}

TEST(Store, QueryFiltersByAccountAndHalfOpenTimeRange) {
  Store store;
  open_rw(store, test_path("filters"));
  deliver(store, query_rows(), "d", 4);

  ReportQuery account;
  ASSERT_TRUE(AccountId::parse("000000000123", account.account));
  EXPECT_EQ(brief(store, account),
            (std::vector<std::string>{"202311 99 000000000123 2023-11-01T05:00:00Z USD 7.0 #1"}));
  ASSERT_TRUE(AccountId::parse("123", account.account));
  EXPECT_EQ(brief(store, account).size(), 8u);
  ASSERT_TRUE(AccountId::parse("555", account.account)); // never seen
  EXPECT_TRUE(brief(store, account).empty());

  // from 05:30 includes 06:00 onward; to 23:00 excludes the 23:00 hour.
  ReportQuery range;
  range.from = at("2023-11-01T05:30:00Z");
  range.to = at("2023-11-01T23:00:00Z");
  EXPECT_EQ(brief(store, range),
            (std::vector<std::string>{"202311 99 123 2023-11-01T06:00:00Z EUR 6.0 #1"}));
  range.from = at("2023-11-01T05:00:00Z");
  range.to = at("2023-11-01T23:00:01Z");
  range.grouping = ReportGrouping::Day;
  ASSERT_TRUE(AccountId::parse("123", range.account));
  EXPECT_EQ(brief(store, range), (std::vector<std::string>{
                                     "202311 000000000099 123 2023-11-01T00:00:00Z USD 8.0 #1",
                                     "202311 99 123 2023-11-01T00:00:00Z EUR 9.0 #2",
                                     "202311 99 123 2023-11-01T00:00:00Z USD 6.0 #3",
                                 }));
}

class StopAfter final : public ReportRowSink {
public:
  Status on_row(const KeyedTotals&) override {
    if (++rows == 2)
      return make_error(ErrorCode::Io, "test: sink full");
    return {};
  }
  int rows = 0;
};

TEST(Store, SinkErrorStopsTheQuery) {
  Store store;
  open_rw(store, test_path("sink_error"));
  deliver(store, query_rows(), "d", 4);
  StopAfter sink;
  Status status = store.query({}, sink);
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().message, "test: sink full");
  EXPECT_EQ(sink.rows, 2);
  // The statement was reset: the store is usable again and a writer is not blocked.
  EXPECT_EQ(dump(store).size(), 10u);
  deliver(store, period_rows(202311, {"1/00/1/1"}), "d2");
  EXPECT_EQ(dump(store).size(), 2u);
}

// ---- scopes
// --------------------------------------------------------------------------------------

TEST(Store, ADeliveryReplacesOnlyItsOwnScopeOfAPeriod) {
  Store store;
  open_rw(store, test_path("scopes"));
  // Two payers' connections deliver November; both hold account 1's 00:00 hour.
  Delivered a =
      deliver(store, period_rows(202311, {"1/00/1/1", "1/01/2/1"}), "a1", 3, 100, "payer-a");
  Delivered b =
      deliver(store, period_rows(202311, {"1/00/10/2", "5/00/20/1"}), "b1", 3, 200, "payer-b");
  ASSERT_EQ(a.count, 1u);
  ASSERT_EQ(b.count, 1u);
  EXPECT_EQ(a.outcomes[0].change, PeriodChange::Added);
  EXPECT_EQ(b.outcomes[0].change, PeriodChange::Added); // payer-a's rows are not payer-b's
  // The report sums over scopes: account 1 at 00:00 is 1 + 10 with 3 line items.
  EXPECT_EQ(
      brief_unblended(store, ReportQuery{}),
      (std::vector<std::string>{"1 2023-11-01T00:00:00Z 11.0 #3", "1 2023-11-01T01:00:00Z 2.0 #1",
                                "5 2023-11-01T00:00:00Z 20.0 #1"}));

  // payer-a restates November: payer-b's rows of November stay as they were.
  Delivered a2 = deliver(store, period_rows(202311, {"1/02/4/1"}), "a2", 3, 300, "payer-a");
  ASSERT_EQ(a2.count, 1u);
  EXPECT_EQ(a2.outcomes[0].change, PeriodChange::Replaced);
  EXPECT_EQ(a2.outcomes[0].keys, 1u);
  EXPECT_EQ(
      brief_unblended(store, ReportQuery{}),
      (std::vector<std::string>{"1 2023-11-01T00:00:00Z 10.0 #2", "1 2023-11-01T02:00:00Z 4.0 #1",
                                "5 2023-11-01T00:00:00Z 20.0 #1"}));

  // payer-b again with the same totals: Unchanged, nothing written.
  Delivered b2 =
      deliver(store, period_rows(202311, {"5/00/20/1", "1/00/10/2"}), "b1", 1, 400, "payer-b");
  ASSERT_EQ(b2.count, 1u);
  EXPECT_EQ(b2.outcomes[0].change, PeriodChange::Unchanged);
  EXPECT_EQ(store.last_commit_writes(), 0u);

  // A third scope with payer-b's very totals is Added: Unchanged is per scope.
  Delivered local = deliver(store, period_rows(202311, {"5/00/20/1", "1/00/10/2"}), "b1", 3, 500);
  ASSERT_EQ(local.count, 1u);
  EXPECT_EQ(local.outcomes[0].change, PeriodChange::Added);
  EXPECT_EQ(store.last_commit_writes(), 3u); // two hourly rows and the record

  EXPECT_EQ(deliveries(store),
            (std::vector<std::string>{"202311 b1 test-source 500 keys=2 items=3",
                                      "[payer-a] 202311 a2 test-source 300 keys=1 items=1",
                                      "[payer-b] 202311 b1 test-source 200 keys=2 items=3"}));
  Result<std::uint64_t> periods = store.period_count();
  Result<std::uint64_t> records = store.delivery_count();
  Result<std::uint64_t> rows = store.hourly_row_count();
  ASSERT_TRUE(periods.ok() && records.ok() && rows.ok());
  EXPECT_EQ(periods.value(), 1u);
  EXPECT_EQ(records.value(), 3u);
  EXPECT_EQ(rows.value(), 5u);

  // A query may name one scope; "" is the local files; an unknown scope has no rows.
  ReportQuery only_b;
  only_b.scope = "payer-b";
  EXPECT_EQ(brief_unblended(store, only_b),
            (std::vector<std::string>{"1 2023-11-01T00:00:00Z 10.0 #2",
                                      "5 2023-11-01T00:00:00Z 20.0 #1"}));
  ReportQuery only_local;
  only_local.scope = "";
  EXPECT_EQ(brief_unblended(store, only_local), brief_unblended(store, only_b));
  only_local.grouping = ReportGrouping::Month;
  EXPECT_EQ(brief_unblended(store, only_local),
            (std::vector<std::string>{"1 2023-11-01T00:00:00Z 10.0 #2",
                                      "5 2023-11-01T00:00:00Z 20.0 #1"}));
  ReportQuery unknown;
  unknown.scope = "payer-z";
  EXPECT_TRUE(dump(store, unknown).empty());
  ReportQuery month;
  month.grouping = ReportGrouping::Month;
  EXPECT_EQ(brief_unblended(store, month),
            (std::vector<std::string>{"1 2023-11-01T00:00:00Z 24.0 #5",
                                      "5 2023-11-01T00:00:00Z 40.0 #2"}));
}

TEST(Store, EmptyDeliveryOfANewScopeWritesNothing) {
  std::string path = test_path("empty_scope");
  Store store;
  open_rw(store, path);
  Delivered done = deliver(store, {}, "d", 3, 1, "never-delivered");
  EXPECT_EQ(done.count, 0u);
  store.close();
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM scopes"), 0);
}

TEST(Store, OverlongScopeIsRefusedAndNothingChanges) {
  Store store;
  open_rw(store, test_path("long_scope"));
  deliver(store, period_rows(202311, {"1/00/1/1"}), "d1");
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> rows = period_rows(202311, {"1/00/2/1"});
  ASSERT_TRUE(store.stage(rows).ok());
  std::string scope(kStoreMaxScopeBytes + 1, 'x');
  PeriodOutcome outcome;
  Result<std::size_t> committed = store.commit_delivery({"d2", "s", 1, scope}, &outcome, 1);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(committed.error().message, "store: scope name is too long");
  scope.pop_back(); // exactly the maximum is fine, and staging was kept for it
  Result<std::size_t> retried = store.commit_delivery({"d2", "s", 1, scope}, &outcome, 1);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried.value(), 1u);
  EXPECT_EQ(deliveries(store).size(), 2u);
}

TEST(Store, FindDeliveryNamesTheIdentityAScopeHoldsForAPeriod) {
  std::string path = test_path("find_delivery");
  {
    Store store;
    open_rw(store, path);
    deliver(store, period_rows(202311, {"1/00/1/1"}), "assembly-1234", 3, 1700000123, "payer-a");
    deliver(store, period_rows(202312, {"1/00/1/1"}), "local-fingerprint", 3, 1700000456);
  }
  Store store;
  ASSERT_TRUE(store.open(path.c_str(), OpenMode::ReadOnly).ok()); // a read, usable read-only
  std::uint8_t buffer[64];
  std::size_t size = 99;
  UnixSeconds at = 0;
  Result<bool> found = store.find_delivery("payer-a", 202311, buffer, size, at);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found.value());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), size), "assembly-1234");
  EXPECT_EQ(at, 1700000123);

  Result<bool> local = store.find_delivery("", 202312, buffer, size, at);
  ASSERT_TRUE(local.ok());
  EXPECT_TRUE(local.value());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), size), "local-fingerprint");
  EXPECT_EQ(at, 1700000456);

  for (auto [scope, period] : {std::pair<const char*, std::int32_t>{"payer-a", 202312},
                               {"", 202311},
                               {"payer-b", 202311}}) {
    Result<bool> missing = store.find_delivery(scope, period, buffer, size, at);
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing.value()) << scope << " " << period;
    EXPECT_EQ(size, 0u);
  }

  std::uint8_t small[13]; // "assembly-1234" is 13 bytes: fits exactly; 12 does not
  Result<bool> exact = store.find_delivery("payer-a", 202311, small, size, at);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(small), size), "assembly-1234");
  Result<bool> too_long = store.find_delivery("payer-a", 202311, MutableBytes(small, 12), size, at);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(size, 13u);
}

// ---- account names
// -------------------------------------------------------------------------------

std::string clean(std::string_view name, std::size_t out_size = kAccountNameMaxBytes) {
  std::vector<char> out(out_size + 1, '#');
  std::size_t length = clean_account_name(name, out.data(), out_size);
  EXPECT_LE(length, out_size);
  EXPECT_EQ(out[out_size], '#'); // never past out_size
  return std::string(out.data(), length);
}

TEST(Store, AccountNamesAreCleanedOfControlsBadUtf8AndBounded) {
  EXPECT_EQ(clean("Production \"EU\", team\\1"), "Production \"EU\", team\\1");
  EXPECT_EQ(clean("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xb0"),
            "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xb0"); // 2, 3, 4 bytes
  // Terminal escapes, line breaks, NUL, DEL and C1 controls.
  EXPECT_EQ(clean(std::string_view("a\x1b[31mred\r\nb\0c\x7f\xc2\x9b", 17)), "a?[31mred??b?c??");
  // Bidirectional overrides and isolates, line separator.
  EXPECT_EQ(clean("x\xe2\x80\xaey\xe2\x81\xa6z\xe2\x80\xa8"), "x?y?z?");
  // Invalid UTF-8: stray continuation, overlong '/', surrogate, above U+10FFFF, cut sequence.
  EXPECT_EQ(clean("\x80"
                  "a\xc0\xaf"
                  "b\xed\xa0\x80"
                  "c\xf4\x90\x80\x80"
                  "d\xe6\x97"),
            "?a??b???c????d??");
  EXPECT_EQ(clean(""), "");

  // Bounded to kAccountNameMaxBytes, cut before a character that does not fit whole.
  std::string long_ascii(300, 'n');
  EXPECT_EQ(clean(long_ascii), std::string(kAccountNameMaxBytes, 'n'));
  std::string euros;
  for (int i = 0; i < 60; ++i)
    euros += "\xe2\x82\xac"; // 3 bytes each: 42 fit in 128 bytes (126)
  std::string cut = clean(euros);
  EXPECT_EQ(cut.size(), 126u);
  EXPECT_EQ(cut, euros.substr(0, 126));
  EXPECT_EQ(clean(euros, 5), "\xe2\x82\xac"); // a smaller buffer bounds it too
  EXPECT_EQ(clean("abc", 0), "");
}

TEST(Store, AccountNamesAreReplacedWholeAndShownWithRows) {
  std::string path = test_path("names");
  Store store;
  open_rw(store, path);
  deliver(store, query_rows(), "d", 4);
  auto account = [](const char* digits) {
    AccountId id;
    EXPECT_TRUE(AccountId::parse(digits, id));
    return id;
  };
  std::vector<AccountName> names = {
      {account("123"), "Prod, \"EU\""}, {account("000000000123"), "padded \x1b[2J"},
      {account("777"), "no rows yet"},  {account("99"), "first"},
      {account("99"), "second wins"},
  };
  ASSERT_TRUE(store.put_account_names(names).ok());
  ReportQuery daily;
  daily.grouping = ReportGrouping::Day;
  std::vector<std::string> rows = dump(store, daily);
  ASSERT_EQ(rows.size(), 8u);
  auto names_of = [](const std::vector<std::string>& lines) {
    std::vector<std::string> found;
    for (const std::string& line : lines) {
      std::size_t at = line.find(" name=");
      found.push_back(at == std::string::npos ? "-" : line.substr(at + 6));
    }
    return found;
  };
  // Rows: 202310 99/123, 202311 000000000099/123, 99/000000000123, 99/123 x4, 99/99.
  EXPECT_EQ(names_of(rows), (std::vector<std::string>{
                                "Prod, \"EU\"", "Prod, \"EU\"", "padded ?[2J", "Prod, \"EU\"",
                                "Prod, \"EU\"", "Prod, \"EU\"", "Prod, \"EU\"", "second wins"}));
  EXPECT_EQ(sql_integer(path, "SELECT count(*) FROM account_names"), 4);

  // A bad entry anywhere: InvalidArgument and the old names stay.
  std::vector<AccountName> bad = {{account("123"), "new"}, {AccountId{}, "no id"}};
  Status refused = store.put_account_names(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(names_of(dump(store, daily)), names_of(rows));

  // A new set replaces the old one whole: 99 and 000000000123 lose their names.
  std::vector<AccountName> renamed = {{account("123"), "Renamed"}};
  ASSERT_TRUE(store.put_account_names(renamed).ok());
  EXPECT_EQ(names_of(dump(store, daily)),
            (std::vector<std::string>{"Renamed", "Renamed", "-", "Renamed", "Renamed", "Renamed",
                                      "Renamed", "-"}));
  // Names do not change totals, rows or deliveries.
  std::vector<std::string> plain = brief(store, daily);
  ASSERT_TRUE(store.put_account_names({}).ok());
  EXPECT_EQ(brief(store, daily), plain);
  EXPECT_EQ(names_of(dump(store, daily)), std::vector<std::string>(8, "-"));
  EXPECT_EQ(deliveries(store).size(), 2u);

  // A name written by something else (longer, with controls) is cleaned on the way out.
  store.close();
  sql_exec(path, "INSERT INTO account_names(account, name) SELECT id, 'x' || char(10) ||"
                 " printf('%.300c', 'y') FROM accounts WHERE text = '99'");
  Store again;
  open_rw(again, path);
  std::vector<std::string> names_now = names_of(dump(again, daily));
  EXPECT_EQ(names_now.back(), "x?" + std::string(kAccountNameMaxBytes - 2, 'y'));
}

// ---- size and memory
// -----------------------------------------------------------------------------

// Issue 11, A10: after a failed delivery the store kept 22,016 staged rows and a 1 MB WAL, and
// after Ctrl-C a store of 600 rows stayed at 37.5 MB (9,157 free pages).
std::vector<KeyedTotals> many_rows(std::int32_t period, int count, const char* cost) {
  std::vector<KeyedTotals> rows;
  for (int i = 0; i < count; ++i) {
    char account[16];
    std::snprintf(account, sizeof account, "%d", 100000 + i % 997);
    char hour[32];
    std::snprintf(hour, sizeof hour, "%04d-%02d-%02dT%02d:00:00Z", period / 100, period % 100,
                  1 + (i / 24) % 28, i % 24);
    rows.push_back(row(period, "1", account, hour, "USD", cost));
  }
  return rows;
}

std::uint64_t file_bytes(const std::string& path) {
  std::error_code error;
  std::uintmax_t size = fs::file_size(path, error);
  return error ? 0 : static_cast<std::uint64_t>(size);
}

TEST(Store, AFailedDeliveryGivesItsSpaceBack) {
  std::string path = test_path("reclaim_failed");
  Store store;
  open_rw(store, path);
  deliver(store, many_rows(202611, 600, "1.25"), "d1");
  std::uint64_t before = file_bytes(path) + file_bytes(path + "-wal");
  // A large delivery staged in batches, then abandoned (a bad file, a full disk).
  ASSERT_TRUE(store.begin_delivery().ok());
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<KeyedTotals> rows = many_rows(202611, 1000, "3.5");
    ASSERT_TRUE(store.stage(rows).ok());
  }
  std::uint64_t staged =
      file_bytes(path) + file_bytes(path + "-wal") + file_bytes(path + "-staging");
  EXPECT_GT(staged, before * 5) << "the test staged too little to show anything";
  ASSERT_TRUE(store.abandon_delivery().ok());
  std::uint64_t after = file_bytes(path) + file_bytes(path + "-wal");
  EXPECT_LE(after, before + before / 10) << "before " << before << ", staged " << staged;
  EXPECT_EQ(file_bytes(path + "-wal"), 0u);
  EXPECT_FALSE(fs::exists(path + "-staging"));
  EXPECT_EQ(sql_integer(path, "PRAGMA freelist_count"), 0);
  EXPECT_EQ(dump(store).size(), 600u);
  std::printf("[ measured ] store %llu bytes, %llu with 40,000 rows staged, %llu after the "
              "failure\n",
              static_cast<unsigned long long>(before), static_cast<unsigned long long>(staged),
              static_cast<unsigned long long>(after));
}

TEST(Store, AnInterruptedDeliveryIsReclaimedByTheNextWriter) {
  std::string path = test_path("reclaim_interrupted");
  std::uint64_t before = 0;
  {
    Store store;
    open_rw(store, path);
    deliver(store, many_rows(202611, 600, "1.25"), "d1");
    before = file_bytes(path) + file_bytes(path + "-wal");
    ASSERT_TRUE(store.begin_delivery().ok());
    for (int batch = 0; batch < 20; ++batch)
      ASSERT_TRUE(store.stage(many_rows(202611, 1000, "3.5")).ok());
    // Ctrl-C: the process ends without a word to the store.
  }
  Store next;
  open_rw(next, path);
  ASSERT_TRUE(next.begin_delivery().ok());
  EXPECT_LE(file_bytes(path) + file_bytes(path + "-wal"), before + before / 10);
  EXPECT_EQ(sql_integer(path, "PRAGMA freelist_count"), 0);
  // A replacement that shrinks a period gives its pages back too.
  ASSERT_TRUE(next.stage(many_rows(202611, 10, "2")).ok());
  PeriodOutcome outcome;
  ASSERT_TRUE(next.commit_delivery({"d2", "s", 2}, &outcome, 1).ok());
  EXPECT_EQ(sql_integer(path, "PRAGMA freelist_count"), 0);
  EXPECT_LT(file_bytes(path), before);
}

TEST(Store, AStoreWithoutIncrementalVacuumIsConvertedOnce) {
  std::string path = test_path("reclaim_convert");
  {
    Store store;
    open_rw(store, path);
    deliver(store, many_rows(202611, 300, "1.25"), "d1");
  }
  // As an older edgecur wrote it: no auto-vacuum.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA auto_vacuum=NONE; VACUUM;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(sql_integer(path, "PRAGMA auto_vacuum"), 0);
  std::vector<std::string> rows;
  {
    Store reader;
    ASSERT_TRUE(reader.open(path.c_str(), OpenMode::ReadOnly).ok());
    rows = dump(reader);
  }
  EXPECT_EQ(sql_integer(path, "PRAGMA auto_vacuum"), 0) << "a reader never rewrites the file";
  Store writer;
  open_rw(writer, path);
  EXPECT_EQ(sql_integer(path, "PRAGMA auto_vacuum"), 2);
  EXPECT_EQ(dump(writer), rows);
}

TEST(Store, BytesPerHourlyRow) {
  std::string path = test_path("size");
  constexpr int kKeys = 100000;
  std::mt19937 random(7);
  std::vector<KeyedTotals> rows;
  rows.reserve(kKeys);
  // 50 accounts x 2000 hours, realistic costs between $0.01 and $100 with 10 digits.
  for (int i = 0; i < kKeys; ++i) {
    KeyedTotals r;
    r.key.billing_period = 202311;
    ASSERT_TRUE(AccountId::parse("123456789012", r.key.payer));
    std::string account = std::to_string(100000000000ull + static_cast<unsigned>(i % 50));
    ASSERT_TRUE(AccountId::parse(account, r.key.account));
    r.key.hour_start = 1698796800 + static_cast<UnixSeconds>(i / 50) * 3600;
    ASSERT_TRUE(CurrencyCode::parse("USD", r.key.currency));
    std::uint64_t tenth_nanos = 100000000ull + random() % 1000000000000ull;
    for (Decimal& cost : r.totals.cost)
      cost = join_decimal(static_cast<std::int64_t>(tenth_nanos), 0);
    r.totals.line_items = 1 + random() % 50;
    rows.push_back(r);
  }
  std::shuffle(rows.begin(), rows.end(), random);
  sqlite3_int64 heap_before = sqlite3_memory_highwater(1);
  (void)heap_before;
  {
    Store store;
    open_rw(store, path);
    Delivered done = deliver(store, rows, "size", 10000);
    ASSERT_EQ(done.count, 1u);
    EXPECT_EQ(done.outcomes[0].keys, static_cast<std::uint64_t>(kKeys));
  }
  sqlite3_int64 heap_high_water = sqlite3_memory_highwater(0);
  std::int64_t hourly_bytes =
      sql_integer(path, "SELECT sum(pgsize) FROM dbstat WHERE name='hourly'");
  std::int64_t file_bytes = static_cast<std::int64_t>(fs::file_size(path));
  std::int64_t free_pages = sql_integer(path, "PRAGMA freelist_count");
  double per_row = static_cast<double>(hourly_bytes) / kKeys;
  double file_per_row = static_cast<double>(file_bytes - free_pages * 4096) / kKeys;
  std::printf("[ measured ] hourly table %.1f bytes/row, file without free pages %.1f bytes/row, "
              "file %lld bytes (%lld free pages from staging), SQLite heap high water %lld bytes\n",
              per_row, file_per_row, static_cast<long long>(file_bytes),
              static_cast<long long>(free_pages), static_cast<long long>(heap_high_water));
  EXPECT_LT(per_row, 60.0);
  EXPECT_LT(file_per_row, 62.0);
  EXPECT_LT(heap_high_water, kStoreSoftHeapLimitBytes);

  // The same keys from a second connection: scope id 2 takes one more byte per row than id 1.
  {
    Store store;
    open_rw(store, path);
    Delivered done = deliver(store, rows, "size", 10000, 1700000000, "second-connection");
    ASSERT_EQ(done.count, 1u);
    EXPECT_EQ(done.outcomes[0].change, PeriodChange::Added);
  }
  std::int64_t both_bytes = sql_integer(path, "SELECT sum(pgsize) FROM dbstat WHERE name='hourly'");
  double second_per_row = static_cast<double>(both_bytes - hourly_bytes) / kKeys;
  std::printf("[ measured ] a second scope's rows: %.1f bytes/row\n", second_per_row);
  EXPECT_LT(second_per_row, 60.0);
  EXPECT_EQ(sqlite3_hard_heap_limit64(-1), kStoreHardHeapLimitBytes); // set by the first open()
  EXPECT_EQ(sqlite3_soft_heap_limit64(-1), kStoreSoftHeapLimitBytes);
}

} // namespace
} // namespace ec
