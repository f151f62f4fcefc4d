// tests/base/arena_test.cpp - Arena bounds, alignment, high water and fault injection.
#include "core/base/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string_view>

#include "tests/emulator.h"

namespace ec {
namespace {

TEST(Arena, AllocatesAlignedUntilFullThenFails) {
  InlineArena<256> arena;
  void* a = arena.allocate(3, 1);
  void* b = arena.allocate(8, 8);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 8, 0u);
  EXPECT_EQ(arena.allocate(1000, 1), nullptr);
  EXPECT_EQ(arena.used(), 16u);
  Arena::Mark mark = arena.mark();
  ASSERT_NE(arena.allocate(200, 1), nullptr);
  EXPECT_EQ(arena.high_water(), 216u);
  arena.rewind(mark);
  EXPECT_EQ(arena.used(), 16u);
  EXPECT_EQ(arena.high_water(), 216u);
  Result<std::uint64_t*> too_many = arena.try_allocate_array<std::uint64_t>(1000, "test table");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::OutOfMemory);
  EXPECT_STREQ(too_many.error().detail, "test table");
  EXPECT_EQ(arena.allocate_array<std::uint64_t>(SIZE_MAX / 4), nullptr);
}

TEST(Arena, InjectedFaultIsPersistent) {
  InlineArena<1024> arena;
  arena.fail_after(2);
  EXPECT_NE(arena.allocate(8), nullptr);
  EXPECT_NE(arena.allocate(8), nullptr);
  EXPECT_EQ(arena.allocate(8), nullptr);
  EXPECT_EQ(arena.allocate(1), nullptr);
  arena.fail_after(-1);
  EXPECT_NE(arena.allocate(8), nullptr);
  EXPECT_EQ(arena.allocation_count(), 3u);
}

} // namespace
} // namespace ec

namespace ec {
namespace {

TEST(Arena, KeepOnlyMovesTheKeptBytesDownAndFreesTheRest) {
  InlineArena<1024> arena;
  ASSERT_NE(arena.allocate(10, 1), nullptr);
  Arena::Mark start = arena.mark();
  ASSERT_NE(arena.allocate(300, 1), nullptr); // scratch the kept bytes were made from
  auto* gathered = static_cast<char*>(arena.allocate(6, 1));
  ASSERT_NE(gathered, nullptr);
  std::memcpy(gathered, "bucket", 6);
  auto* kept = static_cast<char*>(arena.keep_only(start, gathered, 6));
  EXPECT_EQ(std::string_view(kept, 6), "bucket");
  EXPECT_EQ(arena.used(), 16u);
  EXPECT_EQ(arena.high_water(), 316u);
  // The freed bytes may have held secrets: reset_wiping zeroes all that was ever handed out.
  arena.reset_wiping();
  EXPECT_EQ(arena.used(), 0u);
  auto* again = static_cast<std::uint8_t*>(arena.allocate(316, 1));
  ASSERT_NE(again, nullptr);
  for (std::size_t i = 0; i < 316; ++i)
    ASSERT_EQ(again[i], 0u) << i;
}

// Under ASan the arena poisons what it has not handed out: a view kept across rewind() is caught
// at its first read, which is the hazard of bump allocation.
TEST(ArenaDeathTest, AViewReadAfterRewindIsCaughtUnderAsan) {
#if defined(__SANITIZE_ADDRESS__)
  EC_SKIP_DEATH_TEST_UNDER_EMULATOR();
  InlineArena<1024> arena;
  Arena::Mark mark = arena.mark();
  auto* text = static_cast<char*>(arena.allocate(16, 1));
  ASSERT_NE(text, nullptr);
  std::memcpy(text, "still here?", 12);
  EXPECT_EQ(text[0], 's'); // handed out: readable
  arena.rewind(mark);
  EXPECT_DEATH(
      {
        volatile char first = text[0];
        static_cast<void>(first);
      },
      "use-after-poison");
  // Handed out again, the same bytes are readable.
  auto* again = static_cast<char*>(arena.allocate(16, 1));
  ASSERT_EQ(again, text);
  again[0] = 'x';
  EXPECT_EQ(again[0], 'x');
  arena.reset();
  EXPECT_DEATH(
      {
        volatile char first = again[0];
        static_cast<void>(first);
      },
      "use-after-poison");
#else
  GTEST_SKIP() << "needs ASan (the ci and debug presets)";
#endif
}

} // namespace
} // namespace ec
