// tests/codec/crc32_concat_test.cpp - crc32_concat equals zlib's crc32 over the joined bytes.
#include "core/codec/crc32_concat.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ec {
namespace {

std::uint32_t crc_of(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) {
  return static_cast<std::uint32_t>(::crc32(crc, data, static_cast<uInt>(size)));
}

TEST(Crc32Concat, EqualsTheCrcOfTheJoinedBytes) {
  const std::string a = "lineItem/UnblendedCost,0.0104\n";
  const std::string b = "AmazonEC2,BoxUsage:t3.micro,1\n";
  const auto* pa = reinterpret_cast<const std::uint8_t*>(a.data());
  const auto* pb = reinterpret_cast<const std::uint8_t*>(b.data());
  const std::string joined = a + b;
  EXPECT_EQ(crc32_concat(crc_of(pa, a.size()), crc_of(pb, b.size()), b.size()),
            crc_of(reinterpret_cast<const std::uint8_t*>(joined.data()), joined.size()));
  EXPECT_EQ(crc32_concat(0, crc_of(pb, b.size()), b.size()), crc_of(pb, b.size()));
  EXPECT_EQ(crc32_concat(crc_of(pa, a.size()), 0, 0), crc_of(pa, a.size()));
}

TEST(Crc32Concat, LongerThanOneStepOfAGibibyte) {
  // B is 1 GiB + 3 bytes of a repeating pattern, computed the slow way in 1 MiB pieces.
  std::vector<std::uint8_t> piece(1 << 20);
  for (std::size_t i = 0; i < piece.size(); ++i)
    piece[i] = static_cast<std::uint8_t>(i * 7);
  const std::uint8_t tail[3] = {1, 2, 3};
  const std::uint8_t head[4] = {'c', 'u', 'r', '!'};
  std::uint32_t crc_b = 0;
  std::uint32_t crc_joined = crc_of(head, sizeof(head));
  for (int i = 0; i < 1024; ++i) {
    crc_b = crc_of(piece.data(), piece.size(), crc_b);
    crc_joined = crc_of(piece.data(), piece.size(), crc_joined);
  }
  crc_b = crc_of(tail, sizeof(tail), crc_b);
  crc_joined = crc_of(tail, sizeof(tail), crc_joined);
  const std::uint64_t length_b = (std::uint64_t{1} << 30) + 3;
  EXPECT_EQ(crc32_concat(crc_of(head, sizeof(head)), crc_b, length_b), crc_joined);
}

} // namespace
} // namespace ec
