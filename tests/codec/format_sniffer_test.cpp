// tests/codec/format_sniffer_test.cpp - FormatSniffer: the magic decides, however it is split.
#include "core/codec/format_sniffer.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/codec/codec_inputs.h"

namespace ec {
namespace {

using codec_test::chunks_of;
using codec_test::Split;

struct Sniffed {
  InputFormat format = InputFormat::Unknown;
  std::string taken;
  std::string rest; // what the sniffer left of the chunks
};

Sniffed sniff_all(FormatSniffer& sniffer, const std::string& input, Split split) {
  sniffer.reset();
  Sniffed sniffed;
  for (const std::string& chunk : chunks_of(input, split)) {
    Bytes data = as_bytes(chunk);
    sniffed.format = sniffer.sniff(data);
    sniffed.rest += std::string(as_text(data));
  }
  if (sniffed.format == InputFormat::Unknown)
    sniffed.format = sniffer.end_of_input();
  sniffed.taken = std::string(as_text(sniffer.taken()));
  EXPECT_EQ(sniffer.format(), sniffed.format);
  return sniffed;
}

TEST(FormatSniffer, TakesOnlyTheMagicAndLeavesTheRest) {
  FormatSniffer sniffer;
  struct Case {
    std::string input;
    InputFormat format;
    std::size_t taken_bytes;
  };
  const Case cases[] = {
      {std::string("\x1f\x8b\x08\x00rest", 8), InputFormat::Gzip, 2},
      {std::string("PK\x03\x04rest", 8), InputFormat::Zip, 4},
      {"a,b,c\n", InputFormat::Plain, 1},
      {std::string("\x1f\x8a rest", 7), InputFormat::Plain, 2}, // gzip's first byte only
      {std::string("PK\x03\x05zz", 6), InputFormat::Plain, 4},  // not a local header
      {"PKZIP archives", InputFormat::Plain, 3},
      {"Plain", InputFormat::Plain, 2},
  };
  for (const Case& c : cases) {
    for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
      SCOPED_TRACE(c.input);
      const Sniffed sniffed = sniff_all(sniffer, c.input, split);
      EXPECT_EQ(sniffed.format, c.format);
      EXPECT_EQ(sniffed.taken, c.input.substr(0, c.taken_bytes));
      EXPECT_EQ(sniffed.rest, c.input.substr(c.taken_bytes)); // nothing taken once decided
    }
  }
}

TEST(FormatSniffer, InputShorterThanAnyMagicIsPlainAtTheEnd) {
  FormatSniffer sniffer;
  for (const std::string& input : {std::string(), std::string("\x1f"), std::string("P"),
                                   std::string("PK"), std::string("PK\x03")}) {
    SCOPED_TRACE(input.size());
    sniffer.reset();
    Bytes data = as_bytes(input);
    EXPECT_EQ(sniffer.sniff(data), InputFormat::Unknown);
    EXPECT_TRUE(data.empty());
    EXPECT_EQ(sniffer.end_of_input(), InputFormat::Plain);
    EXPECT_EQ(std::string(as_text(sniffer.taken())), input); // the plain file's first bytes
  }
}

TEST(FormatSniffer, ResetForgetsTheLastFile) {
  FormatSniffer sniffer;
  EXPECT_EQ(sniff_all(sniffer, std::string("PK\x03\x04", 4), Split::OneByte).format,
            InputFormat::Zip);
  const Sniffed next = sniff_all(sniffer, std::string("\x1f\x8b", 2), Split::Whole);
  EXPECT_EQ(next.format, InputFormat::Gzip);
  EXPECT_EQ(next.taken, std::string("\x1f\x8b", 2));
}

} // namespace
} // namespace ec
