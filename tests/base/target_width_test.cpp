// tests/base/target_width_test.cpp - What the code relies on about the target, checked on each
// one (armhf and aarch64 under qemu, x86_64 natively) rather than assumed: 64-bit time and file
// offsets on 32-bit ARM too, and the arena's alignment for every type the engine places in it.
#include "core/agg/hour_key.h"
#include "core/base/arena.h"
#include "core/base/decimal.h"
#include "core/base/int128.h"
#include "core/base/timestamp.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string_view>
#include <sys/types.h>

namespace ec {
namespace {

TEST(TargetWidth, TimeAndFileOffsetsAre64BitEverywhere) {
  // armhf is built with _TIME_BITS=64 and _FILE_OFFSET_BITS=64
  // (toolchains/arm-linux-gnueabihf.cmake): without them a report dated after 2038 or a file over 2
  // GiB would wrap.
  EXPECT_EQ(sizeof(std::time_t), 8u);
  EXPECT_EQ(sizeof(off_t), 8u);
  EXPECT_EQ(sizeof(UnixSeconds), 8u);
  std::time_t after_2038 = static_cast<std::time_t>(4102444800LL); // 2100-01-01
  std::tm civil{};
  ASSERT_NE(gmtime_r(&after_2038, &civil), nullptr);
  EXPECT_EQ(civil.tm_year + 1900, 2100);
}

TEST(TargetWidth, ThirtyTwoBitArmUsesThePortable128BitArithmetic) {
  // .ci/test relies on this: the armhf run under qemu is the portable arithmetic's test run.
#if defined(__arm__)
  EXPECT_EQ(EC_HAVE_NATIVE_INT128, 0);
#else
  GTEST_SKIP() << "64-bit target: native __int128 unless EC_FORCE_PORTABLE_INT128";
#endif
}

TEST(TargetWidth, ArenaAlignsEveryEngineTypeAfterAnOddAllocation) {
  alignas(std::max_align_t) std::uint8_t memory[4096];
  Arena arena(MutableBytes(memory, sizeof memory));
  auto aligned = [](const void* pointer, std::size_t alignment) {
    return reinterpret_cast<std::uintptr_t>(pointer) % alignment == 0;
  };
  ASSERT_NE(arena.allocate(3, 1), nullptr);
  EXPECT_TRUE(aligned(arena.make<std::int64_t>(), alignof(std::int64_t)));
  ASSERT_NE(arena.allocate(5, 1), nullptr);
  EXPECT_TRUE(aligned(arena.make<Decimal>(), alignof(Decimal)));
  ASSERT_NE(arena.allocate(1, 1), nullptr);
  EXPECT_TRUE(aligned(arena.make<KeyedTotals>(), alignof(KeyedTotals)));
  ASSERT_NE(arena.allocate(7, 1), nullptr);
  std::string_view* views = arena.allocate_array<std::string_view>(4);
  ASSERT_NE(views, nullptr);
  EXPECT_TRUE(aligned(views, alignof(std::string_view)));
}

} // namespace
} // namespace ec
