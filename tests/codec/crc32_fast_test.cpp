// tests/codec/crc32_fast_test.cpp - crc32_update equals zlib's crc32 for any length, alignment,
// split.
#include "core/codec/crc32_fast.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace ec {
namespace {

std::uint32_t zlib_crc(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) {
  return static_cast<std::uint32_t>(::crc32_z(crc, data, static_cast<z_size_t>(size)));
}

std::vector<std::uint8_t> random_bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<std::uint8_t> bytes(size);
  for (std::uint8_t& byte : bytes)
    byte = static_cast<std::uint8_t>(random() & 0xff);
  return bytes;
}

TEST(Crc32Fast, KnownCheckValues) {
  const std::uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(crc32_update(0, Bytes(check, sizeof(check))), 0xcbf43926u); // the CRC-32 check value
  EXPECT_EQ(crc32_update(0, Bytes()), 0u);
  EXPECT_EQ(crc32_update(0x12345678u, Bytes()), 0x12345678u);
  const std::vector<std::uint8_t> zeros(4096, 0);
  EXPECT_EQ(crc32_update(0, Bytes(zeros)), zlib_crc(zeros.data(), zeros.size()));
}

TEST(Crc32Fast, EqualsZlibForEveryLengthAndAlignment) {
  const std::vector<std::uint8_t> bytes = random_bytes(1024 + 64, 1);
  for (std::size_t align = 0; align < 64; ++align) {
    for (std::size_t length = 0; length <= 1024; ++length) {
      const std::uint8_t* start = bytes.data() + align;
      const std::uint32_t want = zlib_crc(start, length);
      ASSERT_EQ(crc32_update(0, Bytes(start, length)), want)
          << "length " << length << " align " << align;
      // A non-zero starting CRC continues the same way.
      ASSERT_EQ(crc32_update(0xdeadbeefu, Bytes(start, length)),
                zlib_crc(start, length, 0xdeadbeefu))
          << "length " << length << " align " << align;
    }
  }
}

TEST(Crc32Fast, EqualsZlibForRandomLongLengthsAndSplits) {
  const std::size_t kMax = std::size_t{1} << 20;
  const std::vector<std::uint8_t> bytes = random_bytes(kMax + 64, 2);
  std::mt19937 random(3);
  for (int round = 0; round < 60; ++round) {
    const std::size_t length = random() % (kMax + 1);
    const std::size_t align = random() % 64;
    const std::uint8_t* start = bytes.data() + align;
    const std::uint32_t want = zlib_crc(start, length);
    ASSERT_EQ(crc32_update(0, Bytes(start, length)), want) << "length " << length;
    // Chained over pieces split at random points (small and large pieces).
    std::uint32_t crc = 0;
    std::size_t at = 0;
    while (at < length) {
      const std::size_t limit = round % 2 == 0 ? 200 : 100000;
      const std::size_t piece = std::min<std::size_t>(length - at, random() % limit);
      crc = crc32_update(crc, Bytes(start + at, piece));
      at += piece;
    }
    ASSERT_EQ(crc, want) << "length " << length << " round " << round;
  }
}

TEST(Crc32Fast, SpeedAgainstZlib) {
  // Not a pass/fail on speed (shared CI machines); prints GB/s for the log and checks the result.
  const std::vector<std::uint8_t> bytes = random_bytes(std::size_t{1} << 20, 4);
  const int kRounds = 64;
  using Clock = std::chrono::steady_clock;
  std::uint32_t fast = 0;
  std::uint32_t slow = 0;
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < kRounds; ++i)
    fast = crc32_update(fast, Bytes(bytes));
  const Clock::time_point t1 = Clock::now();
  for (int i = 0; i < kRounds; ++i)
    slow = zlib_crc(bytes.data(), bytes.size(), slow);
  const Clock::time_point t2 = Clock::now();
  EXPECT_EQ(fast, slow);
  const double gb = static_cast<double>(bytes.size()) * kRounds / 1e9;
  const double fast_s = std::chrono::duration<double>(t1 - t0).count();
  const double slow_s = std::chrono::duration<double>(t2 - t1).count();
  std::printf("crc32_update %.2f GB/s, zlib crc32 %.2f GB/s\n", gb / fast_s, gb / slow_s);
}

} // namespace
} // namespace ec
