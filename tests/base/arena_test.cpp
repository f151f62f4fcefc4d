// tests/base/arena_test.cpp - Arena bounds, alignment, high water and fault injection.
#include "core/base/arena.h"

#include <gtest/gtest.h>

#include <cstdint>

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
