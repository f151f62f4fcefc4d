// tests/aws/aws_text_test.cpp - UTF-8 checks and encoding, decimal parsing and S3's
// percent-decoding.
#include "core/aws/aws_text.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

TEST(AwsText, Utf8SequenceLengthFollowsRfc3629) {
  EXPECT_EQ(utf8_sequence_length("A"), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9"), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC"), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(utf8_sequence_length("\xF4\x8F\xBF\xBF"), 4u); // U+10FFFF
  EXPECT_EQ(utf8_sequence_length(""), 0u);
  EXPECT_EQ(utf8_sequence_length("\x80"), 0u);             // stray continuation
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF"), 0u);         // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xE0\x9F\xBF"), 0u);     // overlong 3-byte
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80"), 0u);     // U+D800
  EXPECT_EQ(utf8_sequence_length("\xF0\x8F\xBF\xBF"), 0u); // overlong 4-byte
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80"), 0u); // above U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82"), 0u); // cut short
  EXPECT_EQ(utf8_sequence_length("\xC3("), 0u);
}

TEST(AwsText, EncodeUtf8RoundTripsEveryScalarValue) {
  for (std::uint32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
    if (code_point >= 0xD800 && code_point <= 0xDFFF)
      continue;
    char out[4];
    const std::size_t length = encode_utf8(code_point, out);
    ASSERT_EQ(utf8_sequence_length(std::string_view(out, length)), length) << code_point;
  }
}

TEST(AwsText, ParseDecimalU64) {
  EXPECT_EQ(parse_decimal_u64("0").value(), 0u);
  EXPECT_EQ(parse_decimal_u64("007").value(), 7u);
  EXPECT_EQ(parse_decimal_u64("18446744073709551615").value(), UINT64_MAX);
  EXPECT_EQ(parse_decimal_u64("18446744073709551616").error().code, ErrorCode::Overflow);
  EXPECT_EQ(parse_decimal_u64("99999999999999999999").error().code, ErrorCode::Overflow);
  for (std::string_view bad : {"", "-1", "+1", " 1", "1 ", "1.0", "0x1"})
    EXPECT_EQ(parse_decimal_u64(bad).error().code, ErrorCode::InvalidInput) << bad;
}

TEST(AwsText, PercentDecodePlusMatchesUnquotePlus) {
  alignas(8) std::uint8_t storage[256];
  Arena arena(storage);
  const std::string plain = "cur/report-1.csv.gz";
  Result<std::string_view> same = percent_decode_plus(plain, arena);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same.value().data(), plain.data()); // nothing to decode: the same view, no copy
  EXPECT_EQ(arena.used(), 0u);
  // What the stand-in (urllib quote_plus, safe="/") wrote for "odd/a+b c.csv" and friends.
  EXPECT_EQ(percent_decode_plus("odd/a%2Bb+c.csv", arena).value(), "odd/a+b c.csv");
  EXPECT_EQ(percent_decode_plus("odd/pct%2541.csv", arena).value(), "odd/pct%41.csv");
  EXPECT_EQ(percent_decode_plus("%C3%bcber/%E6%97%A5", arena).value(), "\xC3\xBC"
                                                                       "ber/\xE6\x97\xA5");
  for (std::string_view bad : {"%", "%4", "a%zz", "%G0", "x%2"}) {
    Result<std::string_view> decoded = percent_decode_plus(bad, arena);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::InvalidInput);
  }
}

TEST(AwsText, PercentDecodeReportsAFullArena) {
  alignas(8) std::uint8_t storage[4];
  Arena arena(storage);
  Result<std::string_view> decoded = percent_decode_plus("a+b+c+d+e", arena);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::OutOfMemory);
}

} // namespace
} // namespace ec
