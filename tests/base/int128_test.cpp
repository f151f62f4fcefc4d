// tests/base/int128_test.cpp - The portable limb arithmetic agrees with the native one.
#include "core/base/int128.h"

#include <gtest/gtest.h>

#include <random>

namespace ec {
namespace {

TEST(Int128, PortableMultiplyAndDivideMatchNative) {
  std::mt19937_64 random(12345);
  for (int i = 0; i < 20000; ++i) {
    UInt128 value{random() >> (random() % 64), random()};
    std::uint64_t factor = random() >> (random() % 64);
    UInt128 a = value;
    UInt128 b = value;
    bool fits_a = mul_checked(a, factor);
    bool fits_b = portable::mul_checked(b, factor);
    ASSERT_EQ(fits_a, fits_b);
    if (fits_a) {
      ASSERT_EQ(a, b);
    }
    std::uint64_t divisor = (random() >> (random() % 64)) | 1u;
    a = value;
    b = value;
    std::uint64_t ra = divmod(a, divisor);
    std::uint64_t rb = portable::divmod(b, divisor);
    ASSERT_EQ(ra, rb);
    ASSERT_EQ(a, b);
  }
}

TEST(Int128, CheckedAddition) {
  Int128 max = Int128::from_words(0x7fffffffffffffffull, ~0ull);
  Int128 value = max;
  EXPECT_FALSE(value.add_checked(Int128(1)));
  EXPECT_EQ(value, max);
  Int128 min = Int128::from_words(0x8000000000000000ull, 0);
  value = min;
  EXPECT_FALSE(value.add_checked(Int128(-1)));
  EXPECT_TRUE(value.add_checked(max));
  EXPECT_EQ(value, Int128(-1));
  EXPECT_EQ(min.magnitude(), (UInt128{0x8000000000000000ull, 0}));
  Int128 carry(-1);
  ASSERT_TRUE(carry.add_checked(Int128(1)));
  EXPECT_TRUE(carry.is_zero());
  EXPECT_LT(Int128(-5), Int128(3));
}

} // namespace
} // namespace ec
