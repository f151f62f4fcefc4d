// tests/base/byte_size_text_test.cpp - format_byte_size: what once, verify and the memory lines
// print for a byte count.
#include "core/base/byte_size_text.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

std::string shown(std::uint64_t bytes, std::size_t room = 32) {
  char text[32];
  std::size_t size = format_byte_size(bytes, text, room);
  return std::string(text, size);
}

TEST(ByteSizeText, BytesThenOneDecimalOfTheBinaryUnit) {
  EXPECT_EQ(shown(0), "0 B");
  EXPECT_EQ(shown(1023), "1023 B");
  EXPECT_EQ(shown(1024), "1.0 KiB");
  EXPECT_EQ(shown(16 * 1024), "16.0 KiB");
  EXPECT_EQ(shown(3 * 1024 * 1024 / 2), "1.5 MiB");
  EXPECT_EQ(shown(std::uint64_t{5} << 50), "5120.0 TiB");
  EXPECT_EQ(shown(1024, 4), "1.0"); // cut to the room, terminated
}

} // namespace
} // namespace ec
