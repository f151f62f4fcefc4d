// tests/ingest/ingest_engine_test.cpp - The whole pipeline on its fixed arena: same totals for
// any chunking, budgets that hold, exhaustion at every allocation, failed files change nothing.
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
      EC_SOURCE_DIR "/../shared/testdata/cur-samples/legacy-real/sample-anonymous-aws-export-dataset.csv");
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

  // Pushes `files` as one delivery in chunks chosen by `chunker`; returns the commit status.
  template <typename Chunker>
  Status deliver(IngestEngine& engine, const std::vector<std::string>& files, Chunker chunker) {
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
    Result<std::size_t> committed = engine.commit(info, outcomes, 8);
    if (!committed.ok())
      return committed.error();
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
  IngestSettings settings;
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
  ASSERT_TRUE(deliver(engine, {gzip(legacy_sample().substr(0, 20000))},
                      [] { return std::size_t{4096}; }).ok());
  ASSERT_NE(stored(), whole);
  ASSERT_TRUE(deliver(engine, files, [] { return std::size_t{1}; }).ok());
  EXPECT_EQ(stored(), whole);

  std::mt19937 random(99);
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [&] { return std::size_t{1} + random() % 9000; })
                  .ok());
  EXPECT_EQ(stored(), whole);
}

TEST_F(IngestEngineTest, ArenaBudgetHoldsAndNothingIsTakenAfterTheFirstFile) {
  IngestSettings settings;
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
    ASSERT_TRUE(deliver(engine, {files[0], legacy_sample(), files[0]},
                        [] { return std::size_t{65536}; })
                    .ok());
  EXPECT_EQ(arena.allocation_count(), allocations);
  EXPECT_EQ(arena.high_water(), high_water);
  // The default budget: the table dominates; stay well inside the 8 MiB process target.
  EXPECT_LT(IngestEngine::arena_bytes_for(settings), std::size_t{4} << 20);
}

TEST_F(IngestEngineTest, ExhaustionAtEveryAllocationIsOutOfMemoryNeverACrash) {
  IngestSettings settings;
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
  IngestSettings small;
  small.table_keys = 16; // 187 keys through a 12-key table
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(small));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, small, store).ok());
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  EXPECT_GT(engine.stats().spills, 10u);
  std::vector<std::string> spilled = stored();

  IngestSettings large;
  std::vector<std::uint8_t> memory2(IngestEngine::arena_bytes_for(large));
  Arena arena2(MutableBytes(memory2.data(), memory2.size()));
  IngestEngine engine2;
  ASSERT_TRUE(engine2.init(arena2, large, store).ok());
  ASSERT_TRUE(deliver(engine2, {gzip(legacy_sample().substr(0, 5000))},
                      [] { return std::size_t{65536}; }).ok());
  ASSERT_TRUE(deliver(engine2, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  EXPECT_EQ(engine2.stats().spills, 1u); // the final flush only
  EXPECT_EQ(stored(), spilled);
}

TEST_F(IngestEngineTest, AFailedFileLeavesTheStoreAsItWas) {
  IngestSettings settings;
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

TEST_F(IngestEngineTest, FingerprintFollowsContentNotEncoding) {
  IngestSettings settings;
  std::vector<std::uint8_t> memory(IngestEngine::arena_bytes_for(settings));
  Arena arena(MutableBytes(memory.data(), memory.size()));
  IngestEngine engine;
  ASSERT_TRUE(engine.init(arena, settings, store).ok());
  ASSERT_TRUE(deliver(engine, {legacy_sample()}, [] { return std::size_t{65536}; }).ok());
  std::string plain = engine.fingerprint();
  ASSERT_TRUE(deliver(engine, {gzip(legacy_sample())}, [] { return std::size_t{777}; }).ok());
  EXPECT_EQ(engine.fingerprint(), plain);
  ASSERT_TRUE(deliver(engine, {legacy_sample().substr(0, 30000)}, [] { return std::size_t{65536}; })
                  .ok());
  EXPECT_NE(engine.fingerprint(), plain);
}

} // namespace
} // namespace ec
