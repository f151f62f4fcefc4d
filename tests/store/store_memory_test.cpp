// tests/store/store_memory_test.cpp - SQLite's fixed memory: given, measured, and running out of
// it at every point of a delivery without losing or half-writing anything.
#include "core/store/store.h"
#include "core/store/store_memory.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tests/store/store_fixtures.h"

namespace ec {
namespace {

using namespace store_test;

// The firmware profile builds SQLite with memsys5 (EDGECUR_DEPS=source); Debian's shared one has
// none. Which one this binary has is known at build time, so neither outcome can pass by accident.
#ifdef EC_SQLITE_MEMSYS5
constexpr StoreMemoryKind kExpectedKind = StoreMemoryKind::FixedHeap;
#else
constexpr StoreMemoryKind kExpectedKind = StoreMemoryKind::LimitedMalloc;
#endif

// Gives SQLite a block for the test's lifetime, and takes it back after (with every Store closed).
class StoreMemoryTest : public ::testing::Test {
protected:
  void TearDown() override { take_back_store_memory(); }

  StoreMemoryKind give(std::size_t bytes) {
    m_block.reset(new std::uint8_t[bytes]);
    Result<StoreMemoryKind> given = give_store_memory(MutableBytes(m_block.get(), bytes));
    EXPECT_TRUE(given.ok()) << (given.ok() ? "" : given.error().message);
    return given.ok() ? given.value() : StoreMemoryKind::Malloc;
  }

  std::unique_ptr<std::uint8_t[]> m_block;
};

// `count` hourly rows over two billing periods and several accounts.
std::vector<KeyedTotals> many_rows(std::size_t count, const char* unblended) {
  std::vector<KeyedTotals> rows;
  rows.reserve(count);
  for (std::size_t i = 0; rows.size() < count; ++i) {
    bool second = i % 2 == 1;
    char account[16];
    std::snprintf(account, sizeof account, "%012llu",
                  static_cast<unsigned long long>(100000000000ull + i % 7));
    char hour[32];
    std::size_t hour_index = i / 14;
    std::snprintf(hour, sizeof hour, "2024-%02d-%02zuT%02zu:00:00Z", second ? 2 : 1,
                  1 + hour_index / 24 % 28, hour_index % 24);
    rows.push_back(row(second ? 202402 : 202401, "111111111111", account, hour, "USD", unblended,
                       "0.5", "0.25", "0.125"));
  }
  return rows;
}

TEST_F(StoreMemoryTest, SqliteRunsInTheGivenBlock) {
  ASSERT_EQ(give(kStoreMemoryDefaultBytes), kExpectedKind);
  std::string path = test_path("memory_runs");
  {
    Store store;
    open_rw(store, path);
    deliver(store, many_rows(5000, "1.0000000001"), "first", 500);
    EXPECT_EQ(dump(store).size(), 5000u);
  }
  StoreMemoryUse use = store_memory_use();
  EXPECT_EQ(use.kind, kExpectedKind);
  EXPECT_EQ(use.capacity, kStoreMemoryDefaultBytes);
  EXPECT_GT(use.peak_used, 0);
  EXPECT_LE(use.peak_bytes(), static_cast<std::int64_t>(kStoreMemoryDefaultBytes));
  EXPECT_EQ(use.used, 0) << "every Store is closed: SQLite holds nothing";
  if (kExpectedKind == StoreMemoryKind::FixedHeap) {
    // The page cache lives in its slots: one per page of the Store's cache, none spilled to the
    // heap at this size.
    EXPECT_EQ(use.page_slots, kStoreCacheKiB * 1024 / 4096);
    EXPECT_GT(use.page_slot_bytes, 4096);
    EXPECT_GT(use.peak_page_slots, 0);
    EXPECT_LE(use.peak_page_slots, use.page_slots);
  } else {
    EXPECT_EQ(use.page_slots, 0);
  }
  // Taken back: SQLite is on malloc again and the Store sets its own limits.
  take_back_store_memory();
  EXPECT_EQ(store_memory_use().kind, StoreMemoryKind::Malloc);
  Store again;
  open_rw(again, path);
  EXPECT_EQ(dump(again).size(), 5000u);
}

// The commit sorts everything staged. With SQLite's default runs (250 pages) the sort holds 1 MB
// of records before it may spill, which a 1.5 MiB block cannot give; with ours it spills in
// 512 KiB runs and the commit fits.
TEST_F(StoreMemoryTest, ABigCommitSortsInRunsThatFitTheBlock) {
  const std::size_t block = 1536 * 1024;
  ASSERT_EQ(give(block), kExpectedKind);
  Store store;
  open_rw(store, test_path("memory_sort"));
  std::vector<KeyedTotals> rows = many_rows(9408, "0.000000000000000001"); // 28 days x 24 h x 14
  ASSERT_TRUE(store.begin_delivery().ok());
  for (int pass = 0; pass < 8; ++pass) { // 8 spills of every key: 75,264 staged rows
    for (std::size_t i = 0; i < rows.size(); i += 1000) {
      std::size_t n = std::min<std::size_t>(1000, rows.size() - i);
      Status staged = store.stage(std::span<const KeyedTotals>(rows.data() + i, n));
      ASSERT_TRUE(staged.ok()) << staged.error().message;
    }
  }
  PeriodOutcome outcomes[4];
  Result<std::size_t> count =
      store.commit_delivery(DeliveryInfo{"sorted", "test", 1700000000, ""}, outcomes, 4);
  ASSERT_TRUE(count.ok()) << count.error().message << ": "
                          << (count.error().detail ? count.error().detail : "");
  std::vector<std::string> now = dump(store);
  ASSERT_EQ(now.size(), 9408u);
  EXPECT_NE(now.front().find(" 0.000000000000000008 "), std::string::npos) << now.front();
  EXPECT_LE(store_memory_use().peak_bytes(), static_cast<std::int64_t>(block));
}

TEST_F(StoreMemoryTest, RefusesABlockOutsideItsBounds) {
  std::vector<std::uint8_t> small(kStoreMemoryMinBytes - 1);
  Result<StoreMemoryKind> too_small = give_store_memory(MutableBytes(small.data(), small.size()));
  ASSERT_FALSE(too_small.ok());
  EXPECT_EQ(too_small.error().code, ErrorCode::InvalidArgument);
  // The size is checked before anything is touched, so a view larger than the limit is safe here.
  Result<StoreMemoryKind> too_large =
      give_store_memory(MutableBytes(small.data(), kStoreMemoryMaxBytes + 1));
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(store_memory_use().kind, StoreMemoryKind::Malloc);
}

TEST_F(StoreMemoryTest, GivingAgainReplacesTheBlock) {
  ASSERT_EQ(give(2 * 1024 * 1024), kExpectedKind);
  ASSERT_EQ(give(kStoreMemoryDefaultBytes), kExpectedKind);
  EXPECT_EQ(store_memory_use().capacity, kStoreMemoryDefaultBytes);
  Store store;
  open_rw(store, test_path("memory_again"));
  deliver(store, many_rows(100, "2"), "first");
}

// Fault injection: the memory runs out at a different point of open, stage and commit each time
// (SQLite's own allocations fill a growing part of the block first). Whatever the point, the
// outcome is all or nothing: the new delivery is in whole, or the store still holds exactly the
// old one, passes SQLite's integrity check, and the error names the setting to raise.
TEST_F(StoreMemoryTest, RunningOutAnywhereLeavesTheStoreWhole) {
  const std::size_t block = 2 * 1024 * 1024;
  ASSERT_EQ(give(block), kExpectedKind);
  std::string path = test_path("memory_out");
  std::vector<std::string> before;
  {
    Store store;
    open_rw(store, path);
    deliver(store, many_rows(3000, "1"), "old", 300);
    before = dump(store);
  }
  ASSERT_EQ(before.size(), 3000u);
  std::vector<KeyedTotals> newer = many_rows(6000, "3.000000000000000001");

  constexpr std::size_t kHogBytes = 16 * 1024;
  int failed_at_open = 0;
  int failed_later = 0;
  int succeeded = 0;
  for (std::size_t hogs = 0; hogs * kHogBytes < block; hogs += 3) {
    std::vector<void*> taken;
    for (std::size_t i = 0; i < hogs; ++i) {
      void* hog = sqlite3_malloc64(kHogBytes);
      if (!hog)
        break;
      taken.push_back(hog);
    }
    bool committed = false;
    {
      Store store;
      Status opened = store.open(path.c_str(), OpenMode::ReadWrite);
      Error error;
      if (!opened.ok()) {
        error = opened.error();
        ++failed_at_open;
      } else {
        Status status = store.begin_delivery();
        for (std::size_t i = 0; status.ok() && i < newer.size(); i += 600)
          status = store.stage(std::span<const KeyedTotals>(newer.data() + i, 600));
        PeriodOutcome outcomes[4];
        if (status.ok()) {
          Result<std::size_t> count =
              store.commit_delivery(DeliveryInfo{"new", "test", 1700000001, ""}, outcomes, 4);
          if (count.ok())
            committed = true;
          else
            status = count.error();
        }
        if (!committed) {
          error = status.error();
          ++failed_later;
        }
      }
      if (!committed && error.code != ErrorCode::OutOfMemory)
        ADD_FAILURE() << "hogs " << hogs << ": " << error.message;
      if (!committed && error.code == ErrorCode::OutOfMemory) {
        EXPECT_NE(std::string(error.detail ? error.detail : "").find("[store] memory"),
                  std::string::npos)
            << "hogs " << hogs << ": " << error.message;
      }
    }
    for (void* hog : taken)
      sqlite3_free(hog);

    Store check;
    open_rw(check, path);
    std::vector<std::string> now = dump(check);
    if (committed) {
      ++succeeded;
      ASSERT_EQ(now.size(), 6000u) << "hogs " << hogs;
      EXPECT_NE(now.front().find(" 3.000000000000000001 "), std::string::npos) << now.front();
      // Back to the old delivery for the next round.
      deliver(check, many_rows(3000, "1"), "old", 300);
    } else {
      EXPECT_EQ(now, before) << "hogs " << hogs << ": the store changed after a failure";
    }
    check.close();
    EXPECT_EQ(sql_text(path, "PRAGMA integrity_check"), "ok\n") << "hogs " << hogs;
  }
  // The sweep crossed every region: plenty of memory, too little to commit, too little to open.
  EXPECT_GT(succeeded, 0);
  EXPECT_GT(failed_later, 0);
  EXPECT_GT(failed_at_open, 0);
}

} // namespace
} // namespace ec
