// tests/ingest/ingest_engine_test.cpp - The whole pipeline on its fixed arena: same totals for
// any chunking, budgets that hold, exhaustion at every allocation, failed files change nothing,
// the accounts and start-time filter, scopes.
#include "core/ingest/ingest_engine.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace ec {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string& legacy_sample() {
  static const std::string text = read_file(
      EC_SOURCE_DIR
      "/../shared/testdata/cur-samples/legacy-real/sample-anonymous-aws-export-dataset.csv");
  return text;
}

std::string gzip(const std::string& plain) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, plain.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// The inputs here cut the sample mid-row or hold malformed rows on purpose, far over the default
// [ingest] max_malformed of 1%: these tests are about totals, so they allow any share (a file of
// only malformed rows still fails). The limit has its own test below.
IngestSettings lenient() {
  IngestSettings settings;
  settings.max_malformed = MalformedLimit{true, 1000000};
  return settings;
}

// Every stored row as "csv-ish" text, for comparisons.
class Collect final : public ReportRowSink {
public:
  Status on_row(const KeyedTotals& row) override {
    char account[20];
    row.key.account.format(account);
    std::string line = std::to_string(row.key.billing_period) + "," + account + "," +
                       std::to_string(row.key.hour_start);
    for (const Decimal& cost : row.totals.cost) {
      char text[kMaxDecimalText];
      format_decimal(cost, 18, text, sizeof text);
      line += std::string(",") + text;
    }
    rows.push_back(line + "," + std::to_string(row.totals.line_items));
    return {};
  }
  std::vector<std::string> rows;
};

class IngestEngineTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = ::testing::TempDir() + "ingest_engine_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::remove(path.c_str());
    ASSERT_TRUE(store.open(path.c_str(), OpenMode::ReadWrite).ok());
  }
  void TearDown() override {
    store.close();
    std::remove(path.c_str());
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
  }

  // Pushes `files` as one delivery of `scope` in chunks chosen by `chunker`; returns the commit
  // status and, when `first_change` is given, the change of the first period.
  template <typename Chunker>
  Status deliver(IngestEngine& engine, const std::vector<std::string>& files, Chunker chunker,
                 std::string_view scope = "", PeriodChange* first_change = nullptr) {
    EC_TRY(engine.begin_delivery());
    for (std::uint32_t index = 0; index < files.size(); ++index) {
      engine.begin_file(index);
      const std::string& data = files[index];
      std::size_t at = 0;
      while (at < data.size()) {
        std::size_t size = std::min(chunker(), data.size() - at);
        EC_TRY(engine.input().write(as_bytes(std::string_view(data).substr(at, size))));
        at += size;
      }
      EC_TRY(engine.end_file());
    }
    PeriodOutcome outcomes[8];
    DeliveryInfo info;
    info.source = "test";
    info.scope = scope;
    Result<std::size_t> committed = engine.commit(info, outcomes, 8);
    if (!committed.ok())
      return committed.error();
    if (first_change && committed.value() > 0)
      *first_change = outcomes[0].change;
    return {};
  }

  std::vector<std::string> stored() {
    Collect collect;
    EXPECT_TRUE(store.query(ReportQuery{}, collect).ok());
    return collect.rows;
  }

  std::string path;
  Store store;
};

TEST_F(IngestEngineTest, AnyChunkingGivesTheSameTotals) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  const std::vector<std::string> files = {gzip(legacy_sample())};

  ASSERT_TRUE(deliver(engine, files, [] { return std::size_t{1} << 20; }).ok());
  std::vector<std::string> whole = stored();
  ASSERT_EQ(whole.size(), 187u);
  EXPECT_EQ(engine.stats().rows, 1281u);
  EXPECT_EQ(engine.stats().malformed_rows, 0u);

  // Change the store first, so that the next deliveries must really write.
  ASSERT_TRUE(deliver(engine, {gzip(legacy_sample().substr(0, 20000))}, [] {
                return std::size_t{4096};
              }).ok());
  ASSERT_NE(stored(), whole);
  ASSERT_TRUE(deliver(engine, files, [] { return std::size_t{1}; }).ok());
  EXPECT_EQ(stored(), whole);

  std::mt19937 random(99);
  ASSERT_TRUE(
      deliver(engine, {legacy_sample()}, [&] { return std::size_t{1} + random() % 9000; }).ok());
  EXPECT_EQ(stored(), whole);
}

TEST_F(IngestEngineTest, ArenaBudgetHoldsAndNothingIsTakenAfterTheFirstFile) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  std::vector<std::string> files = {gzip(legacy_sample())};
  ASSERT_TRUE(deliver(engine, files, [] { return std::size_t{65536}; }).ok());
  std::size_t allocations = arena.allocation_count();
  std::size_t high_water = arena.high_water();
  EXPECT_LE(high_water, arena.capacity());
  for (int round = 0; round < 3; ++round)
    ASSERT_TRUE(deliver(engine,
                        {files[0], gzip(legacy_sample().substr(0, 20000)),
                         legacy_sample().substr(0, 30000)},
                        [] { return std::size_t{65536}; })
                    .ok());
  EXPECT_EQ(arena.allocation_count(), allocations);
  EXPECT_EQ(arena.high_water(), high_water);
  // The default budget: the table dominates; stay well inside the 8 MiB process target.
  EXPECT_LT(IngestEngine::arena_bytes_for(settings), std::size_t{4} << 20);
}

TEST_F(IngestEngineTest, ExhaustionAtEveryAllocationIsOutOfMemoryNeverACrash) {
  IngestSettings settings = lenient();
  settings.table_keys = 64;
  const std::string file = gzip(legacy_sample());
  int failures_seen = 0;
  for (long successes = 0; successes < 16; ++successes) {
    std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
    Arena arena(MutableBytes(memory.data(), memory.size()));
    arena.fail_after(successes);
    IngestEngine engine;
    Status status = engine.init(arena, settings, store);
    if (status.ok())
      status = deliver(engine, {file}, [] { return std::size_t{8192}; });
    if (status.ok())
      break; // past the last allocation: everything worked
    EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory) << successes;
    ++failures_seen;
  }
  EXPECT_GE(failures_seen, 4); // table, batch, CSV buffers, inflate window, zlib
  // An arena a little too small fails at init, with the arena named in the error.
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings) / 2);
  Arena small(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  Status status = engine.init(small, settings, store);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
}

TEST_F(IngestEngineTest, SpillsKeepTotalsExact) {
  IngestSettings small = lenient();
  small.table_keys = 16; // 187 keys through a 12-key table
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(small));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, small, store).ok());
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  EXPECT_GT(engine.stats().spills, 10u);
  std::vector<std::string> spilled = stored();

  IngestSettings large = lenient();
  std::vector<std::uint8_t> memory2(IngestEngine::arena_bytes_for(large));
  Arena arena2(MutableBytes(memory2.data(), memory2.size()));
  IngestEngine engine2;
  ASSERT_TRUE(engine2.init(arena2, large, store).ok());
  ASSERT_TRUE(deliver(engine2, {gzip(legacy_sample().substr(0, 5000))}, [] {
                return std::size_t{65536};
              }).ok());
  ASSERT_TRUE(deliver(engine2, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  EXPECT_EQ(engine2.stats().spills, 1u); // the final flush only
  EXPECT_EQ(stored(), spilled);
}

TEST_F(IngestEngineTest, AFailedFileLeavesTheStoreAsItWas) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  std::vector<std::string> before = stored();

  std::string cut = gzip(legacy_sample());
  cut.resize(cut.size() / 2);
  Status status = deliver(engine, {cut}, [] { return std::size_t{4096}; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Truncated);
  EXPECT_EQ(status.error().where, ErrorWhere::ByteOffset);
  engine.abort();
  EXPECT_EQ(stored(), before);

  // The engine is usable again, and the staged rows of the failed delivery are gone.
  ASSERT_TRUE(deliver(engine, {gzip(legacy_sample())}, [] { return std::size_t{65536}; }).ok());
  EXPECT_EQ(stored(), before);
}

// [ingest] max_malformed with its default: the file over 1% fails at end_file() and its delivery
// changes nothing; the same file within the limit is summed.
TEST_F(IngestEngineTest, AFileOverTheMalformedLimitFailsItsDelivery) {
  IngestSettings settings; // the default: 1% of a file's rows
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  std::vector<std::string> before = stored();
  Status status =
      deliver(engine, {legacy_sample().substr(0, 20000)}, [] { return std::size_t{4096}; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::LimitExceeded);
  std::uint32_t count = 0;
  const RowLocation* where = engine.mapper().file_malformed_locations(count);
  ASSERT_EQ(count, 1u); // the row the cut went through
  EXPECT_STREQ(where[0].reason, "csv: wrong number of columns");
  engine.abort();
  EXPECT_EQ(stored(), before);
}

TEST_F(IngestEngineTest, FingerprintFollowsContentNotEncoding) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  std::string plain = engine.fingerprint();
  ASSERT_TRUE(deliver(engine, {gzip(legacy_sample())}, [] { return std::size_t{777}; }).ok());
  EXPECT_EQ(engine.fingerprint(), plain);
  ASSERT_TRUE(
      deliver(engine, {legacy_sample().substr(0, 30000)}, [] { return std::size_t{65536}; }).ok());
  EXPECT_NE(engine.fingerprint(), plain);
}

// ---- the accounts and start-time filter
// ------------------------------------------------------------------

UnixSeconds at(const char* timestamp) {
  Result<UnixSeconds> parsed = parse_timestamp(timestamp);
  EXPECT_TRUE(parsed.ok()) << timestamp;
  return parsed.ok() ? parsed.value() : 0;
}

// Collect's text of one stored row with unblended = net = amortized = `cost`, blended 0.
std::string stored_row(const char* account, const char* hour, const char* cost, int items) {
  std::string c = std::string(cost) + ".000000000000000000";
  return "202403," + std::string(account) + "," + std::to_string(at(hour)) + "," + c + "," + c +
         ",0.000000000000000000," + c + "," + std::to_string(items);
}

// Rows: A = 000011112222, B = 444455556666, C = 777788889999.
const char* const kFilterCsv =
    "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
    "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,lineItem/UnblendedCost\n"
    "111122223333,2024-03-01T00:00:00Z,000011112222,Usage,2024-03-01T05:10:00Z,USD,1.25\n"
    "111122223333,2024-03-01T00:00:00Z,000011112222,Usage,2024-03-01T05:59:59Z,USD,0.75\n"
    "111122223333,2024-03-01T00:00:00Z,444455556666,Usage,2024-03-01T06:00:00Z,USD,10\n"
    "111122223333,2024-03-01T00:00:00Z,777788889999,Usage,2024-03-01T06:00:00Z,USD,100\n"
    "111122223333,2024-03-01T00:00:00Z,777788889999,Usage,2024-03-01T06:00:00Z,USD,n/a\n"
    "111122223333,2024-03-01T00:00:00Z,0000x1112222,Usage,2024-03-01T06:00:00Z,USD,1\n"
    "111122223333,2024-03-01T00:00:00Z,000011112222,Usage,2024-03-01T03:00:00Z,USD,5\n"
    "111122223333,2024-03-01T00:00:00Z,444455556666,Usage,2024-03-01T04:00:00Z,USD,3\n"
    "111122223333,2024-03-01T00:00:00Z,444455556666,Usage,2024-03-01T03:59:59Z,USD,2.5\n"
    "111122223333,2024-03-01T00:00:00Z,777788889999,Usage,2024-03-01T06:00:00Z,usd,1\n";

TEST_F(IngestEngineTest, FilterKeepsAllowedAccountsFromTheStartHourWithExactTotals) {
  struct Case {
    const char* name;
    std::vector<std::uint64_t> allow;
    std::vector<std::uint64_t> deny;
    const char* start;
    std::vector<std::string> rows;
    std::uint64_t kept, filtered, malformed;
  };
  std::vector<Case> cases = {
      // Unsorted, with a duplicate; 11112222 matches "000011112222" (ids compare as numbers).
      // Row 5 (C, "n/a") is filtered, not malformed; the 04:00 hour is kept, 03:00 dropped.
      {"allow A and B from 04:00",
       {444455556666, 11112222, 444455556666},
       {},
       "2024-03-01T04:00:00Z",
       {stored_row("000011112222", "2024-03-01T05:00:00Z", "2", 2),
        stored_row("444455556666", "2024-03-01T04:00:00Z", "3", 1),
        stored_row("444455556666", "2024-03-01T06:00:00Z", "10", 1)},
       4,
       4,
       2},
      {"deny C and B",
       {},
       {777788889999, 444455556666},
       nullptr,
       {stored_row("000011112222", "2024-03-01T03:00:00Z", "5", 1),
        stored_row("000011112222", "2024-03-01T05:00:00Z", "2", 2)},
       3,
       5,
       2},
      // A start inside an hour drops that hour; C's "n/a" row is checked again, so malformed.
      {"start at 05:30",
       {},
       {},
       "2024-03-01T05:30:00Z",
       {stored_row("444455556666", "2024-03-01T06:00:00Z", "10", 1),
        stored_row("777788889999", "2024-03-01T06:00:00Z", "100", 1)},
       2,
       5,
       3},
      {"allow wins nothing that deny names",
       {11112222, 777788889999},
       {777788889999},
       nullptr,
       {stored_row("000011112222", "2024-03-01T03:00:00Z", "5", 1),
        stored_row("000011112222", "2024-03-01T05:00:00Z", "2", 2)},
       3,
       5,
       2},
      {"no filter", {}, {}, nullptr, {}, 7, 0, 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    IngestSettings settings = lenient();
    settings.accounts_allow = c.allow;
    settings.accounts_deny = c.deny;
    settings.start_time = c.start ? at(c.start) : 0;
    std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
    Arena arena(MutableBytes(memory.data(), memory.size()));
    IngestEngine engine;
    ASSERT_TRUE(engine.init(arena, settings, store).ok());
    ASSERT_TRUE(deliver(engine, {kFilterCsv}, [] { return std::size_t{7}; }).ok());
    if (!c.rows.empty())
      EXPECT_EQ(stored(), c.rows);
    else
      EXPECT_EQ(stored().size(), 6u); // A 03, A 05, B 03, B 04, B 06, C 06
    IngestStats stats = engine.stats();
    EXPECT_EQ(stats.rows, c.kept);
    EXPECT_EQ(stats.filtered_rows, c.filtered);
    EXPECT_EQ(stats.malformed_rows, c.malformed);
    EXPECT_EQ(stats.rows + stats.filtered_rows + stats.malformed_rows, 10u);
  }
}

TEST_F(IngestEngineTest, FilteredDeliveryEqualsTheUnfilteredOneWithThoseRowsLeftOut) {
  // 8 accounts over 3 days, random costs; one delivery unfiltered, one filtered.
  std::mt19937 random(5);
  const std::uint64_t accounts[] = {100000000001, 100000000002, 100000000003, 100000000004,
                                    100000000005, 100000000006, 100000000007, 100000000008};
  std::string csv = "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
                    "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,"
                    "lineItem/UnblendedCost,lineItem/BlendedCost\n";
  constexpr int kRows = 6000;
  for (int i = 0; i < kRows; ++i) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "999999999999,2024-03-01T00:00:00Z,%llu,Usage,2024-03-0%dT%02d:%02d:00Z,USD,"
                  "%u.%06u,-%u.%u\n",
                  static_cast<unsigned long long>(accounts[random() % 8]),
                  1 + static_cast<int>(random() % 3), static_cast<int>(random() % 24),
                  static_cast<int>(random() % 60), static_cast<unsigned>(random() % 50),
                  static_cast<unsigned>(random() % 1000000), static_cast<unsigned>(random() % 9),
                  static_cast<unsigned>(random() % 10));
    csv += line;
  }
  IngestSettings plain = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(plain));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine unfiltered;
  ASSERT_TRUE(unfiltered.init(arena, plain, store).ok());
  ASSERT_TRUE(deliver(unfiltered, {gzip(csv)}, [] { return std::size_t{4096}; }).ok());
  std::vector<std::string> all = stored();

  IngestSettings settings = lenient();
  std::vector<std::uint64_t> allow = {100000000007, 100000000002, 100000000005, 100000000003};
  std::vector<std::uint64_t> deny = {100000000005, 123};
  settings.accounts_allow = allow;
  settings.accounts_deny = deny;
  settings.start_time = at("2024-03-02T07:00:00Z");
  // The engine keeps sorted copies: 8 bytes an id in the budget, and the caller's lists may go.
  EXPECT_EQ(IngestEngine::arena_bytes_for(settings) - IngestEngine::arena_bytes_for(plain),
            6 * sizeof(std::uint64_t));
  std::vector<std::uint8_t> memory2(IngestEngine::arena_bytes_for(settings));
  Arena arena2(MutableBytes(memory2.data(), memory2.size()));
  IngestEngine filtered;
  ASSERT_TRUE(filtered.init(arena2, settings, store).ok());
  allow.assign(4, 0); // scribbled over after init: the engine must not read them (ASan: freed)
  allow.clear();
  allow.shrink_to_fit();
  deny.clear();
  deny.shrink_to_fit();
  ASSERT_TRUE(deliver(filtered, {gzip(csv)}, [] { return std::size_t{333}; }).ok());
  EXPECT_LE(arena2.high_water(), arena2.capacity());

  std::vector<std::string> expected;
  std::uint64_t kept_items = 0;
  for (const std::string& line : all) {
    std::string account = line.substr(7, 12);
    UnixSeconds hour = std::stoll(line.substr(20, line.find(',', 20) - 20));
    if ((account == "100000000007" || account == "100000000002" || account == "100000000003") &&
        hour >= at("2024-03-02T07:00:00Z")) {
      expected.push_back(line);
      kept_items += std::stoull(line.substr(line.rfind(',') + 1));
    }
  }
  ASSERT_GT(expected.size(), 100u);
  ASSERT_LT(expected.size(), all.size() / 3);
  EXPECT_EQ(stored(), expected);
  IngestStats stats = filtered.stats();
  EXPECT_EQ(stats.rows, kept_items);
  EXPECT_EQ(stats.filtered_rows, kRows - kept_items);
  EXPECT_EQ(stats.malformed_rows, 0u);
}

TEST_F(IngestEngineTest, ScopesAreSummedAndReplacedApart) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  PeriodChange change = PeriodChange::Unchanged;
  ASSERT_TRUE(deliver(
                  engine, {legacy_sample()}, [] { return std::size_t{65536}; }, "payer-a", &change)
                  .ok());
  EXPECT_EQ(change, PeriodChange::Added);
  std::vector<std::string> once = stored();
  ASSERT_EQ(once.size(), 187u);
  std::string part = legacy_sample().substr(0, 20000);
  ASSERT_TRUE(deliver(
                  engine, {part}, [] { return std::size_t{65536}; }, "payer-b", &change)
                  .ok());
  EXPECT_EQ(change, PeriodChange::Added); // another scope: its own rows
  Result<std::uint64_t> rows = store.hourly_row_count();
  ASSERT_TRUE(rows.ok());
  EXPECT_GT(rows.value(), 187u);
  // The report sums both.
  std::uint64_t items = 0;
  for (const std::string& line : stored())
    items += std::stoull(line.substr(line.rfind(',') + 1));
  EXPECT_GT(items, 1281u);
  // payer-a again: Unchanged; another cut for payer-b replaces only payer-b's rows.
  ASSERT_TRUE(deliver(
                  engine, {legacy_sample()}, [] { return std::size_t{65536}; }, "payer-a", &change)
                  .ok());
  EXPECT_EQ(change, PeriodChange::Unchanged);
  ASSERT_TRUE(deliver(
                  engine, {legacy_sample().substr(0, 30000)}, [] { return std::size_t{65536}; },
                  "payer-b", &change)
                  .ok());
  EXPECT_EQ(change, PeriodChange::Replaced);
  ReportQuery only_a;
  only_a.scope = "payer-a";
  Collect collect;
  ASSERT_TRUE(store.query(only_a, collect).ok());
  EXPECT_EQ(collect.rows, once);
}

// Issue 11, A8: two connections naming the same report, or an `ingest` of files a connection
// already read, doubled every row of the report, silently.
TEST_F(IngestEngineTest, TheSameDeliveryInASecondScopeIsRefused) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  const std::string sample = legacy_sample();
  std::string first = sample.substr(0, sample.find('\n', 20000) + 1);
  std::string rest = sample.substr(0, sample.find('\n', 40000) + 1);
  Status delivered = deliver(
      engine, {first, gzip(rest)}, [] { return std::size_t{4096}; }, "payer-a");
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;
  std::vector<std::string> before = stored();
  // The same content in another order, compressed differently, for another scope.
  Status again = deliver(
      engine, {rest, gzip(first)}, [] { return std::size_t{777}; }, "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  EXPECT_STREQ(again.error().message,
               "store: another scope already holds this delivery, so its costs would count twice; "
               "nothing was committed");
  ASSERT_NE(store.duplicate(), nullptr);
  EXPECT_EQ(store.duplicate()->scope, "payer-a");
  EXPECT_EQ(store.duplicate()->billing_period, 202311);
  EXPECT_EQ(stored(), before);
  // The same scope may receive it again (Unchanged), and once the other scope forgets it,
  // another may take it.
  PeriodChange change = PeriodChange::Added;
  ASSERT_TRUE(deliver(
                  engine, {first, gzip(rest)}, [] { return std::size_t{4096}; }, "payer-a", &change)
                  .ok());
  EXPECT_EQ(change, PeriodChange::Unchanged);
  Result<ForgetOutcome> forgot = store.forget("payer-a", 0);
  ASSERT_TRUE(forgot.ok());
  EXPECT_EQ(forgot.value().periods, 1u);
  EXPECT_EQ(forgot.value().hourly_rows, before.size());
  EXPECT_TRUE(stored().empty());
  ASSERT_TRUE(deliver(
                  engine, {rest, gzip(first)}, [] { return std::size_t{777}; }, "")
                  .ok());
  EXPECT_EQ(stored(), before);
}

TEST_F(IngestEngineTest, TheSameFileTwiceInOneDeliveryIsRefused) {
  IngestSettings settings = lenient();
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  std::string file = legacy_sample().substr(0, 20000);
  Status twice =
      deliver(engine, {file, legacy_sample(), gzip(file)}, [] { return std::size_t{65536}; });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::InvalidInput);
  EXPECT_STREQ(twice.error().message,
               "ingest: this file has the same content as an earlier file of the delivery (the "
               "same file twice?); its costs would count twice");
  engine.abort();
  EXPECT_TRUE(stored().empty());
  // Files with a header alone count nothing and may repeat.
  std::string header = legacy_sample().substr(0, legacy_sample().find('\n') + 1);
  ASSERT_TRUE(deliver(engine, {header, file, header}, [] { return std::size_t{65536}; }).ok());
  EXPECT_FALSE(stored().empty());
}

} // namespace
} // namespace ec
