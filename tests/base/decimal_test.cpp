// tests/base/decimal_test.cpp - Exact decimal parsing, rounding, formatting and the store split.
#include "core/base/decimal.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ec {
namespace {

std::string format(Decimal value, int digits = 10) {
  char text[kMaxDecimalText];
  format_decimal(value, digits, text, sizeof text);
  return text;
}

std::string round_trip(std::string_view text, int digits = 18) {
  Result<Decimal> parsed = parse_decimal(text);
  if (!parsed.ok())
    return std::string("error:") + error_code_name(parsed.error().code);
  return format(parsed.value(), digits);
}

TEST(Decimal, PlainValues) {
  EXPECT_EQ(round_trip("0", 2), "0.00");
  EXPECT_EQ(round_trip("1.5", 3), "1.500");
  EXPECT_EQ(round_trip("-3.25", 2), "-3.25");
  EXPECT_EQ(round_trip("+7", 0), "7");
  EXPECT_EQ(round_trip(".5", 1), "0.5");
  EXPECT_EQ(round_trip("5.", 1), "5.0");
  EXPECT_EQ(round_trip("0.0123456789", 10), "0.0123456789");
  EXPECT_EQ(round_trip("00012.3400", 4), "12.3400");
  EXPECT_EQ(round_trip("123456789012345678901.5", 1), "123456789012345678901.5");
  EXPECT_EQ(round_trip("170141183460469231732", 0), "error:overflow");
  EXPECT_EQ(round_trip("170141183460.469231731687303715884105727", 18),
            "170141183460.469231731687303716");
}

TEST(Decimal, ScientificNotationFromRealFiles) {
  EXPECT_EQ(round_trip("1.81E-8"), "0.000000018100000000");
  EXPECT_EQ(round_trip("1.3E-9"), "0.000000001300000000");
  EXPECT_EQ(round_trip("9.984E-7"), "0.000000998400000000");
  EXPECT_EQ(round_trip("-3.5e+2", 2), "-350.00");
  EXPECT_EQ(round_trip("2E3", 0), "2000");
  EXPECT_EQ(round_trip("1e-18"), "0.000000000000000001");
  EXPECT_EQ(round_trip("1e-19"), "0.000000000000000000");
  EXPECT_EQ(round_trip("6e-19"), "0.000000000000000001");
  EXPECT_EQ(round_trip("5e-19"), "0.000000000000000000"); // half to even: 0
  EXPECT_EQ(round_trip("15e-19"), "0.000000000000000002"); // 1.5 -> 2
  EXPECT_EQ(round_trip("25e-19"), "0.000000000000000002"); // 2.5 -> 2
  EXPECT_EQ(round_trip("2500000000000000000000001e-42"), "0.000000000000000003"); // sticky
  EXPECT_EQ(round_trip("1e-400"), "0.000000000000000000");
  EXPECT_EQ(round_trip("0e999999"), "0.000000000000000000");
  EXPECT_EQ(round_trip("1e21", 0), "error:overflow");
  EXPECT_EQ(round_trip("1e20", 0), "100000000000000000000");
}

TEST(Decimal, RejectsWhatIsNotANumber) {
  for (const char* text : {"", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "NaN",
                           "inf", "0x10", "1e5x", "--1"}) {
    Result<Decimal> parsed = parse_decimal(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput) << text;
  }
}

TEST(Decimal, ManyDigitsKeepTheSignificantOnes) {
  // 40 significant digits: the last ones fall below 10^-18 and round.
  EXPECT_EQ(round_trip("0.1234567890123456789012345678901234567890"), "0.123456789012345679");
  EXPECT_EQ(round_trip("1.000000000000000000000000000000000000000000000000000", 2), "1.00");
  EXPECT_EQ(round_trip("12345678901234567890", 0), "12345678901234567890");
}

TEST(Decimal, ShortTextsAgreeWithTheGeneralPath) {
  // Up to 19 digits take a one-multiply path; padding the same value with zeros past 19 digits
  // sends it the general way. Both must give the same value, or the same error.
  std::mt19937 random(7);
  int compared = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string sign = round % 3 == 0 ? "-" : (round % 7 == 0 ? "+" : "");
    std::string integer = std::to_string(random() % 1000000000u);
    if (round % 5 == 0)
      integer = round % 2 ? "0" : "";
    std::string fraction = std::to_string(random() % 100000000u);
    if (round % 4 == 0)
      fraction = std::string(random() % 12, '0') + fraction;
    if (round % 9 == 0 && !integer.empty())
      fraction = ""; // no fraction digits, maybe a trailing point
    std::string exponent;
    if (round % 2 == 0) {
      int value = static_cast<int>(random() % 40);
      exponent = std::string(round % 4 == 0 ? "E" : "e") + (round % 8 == 0 ? "+" : "-") +
                 std::to_string(value);
    }
    std::string text = sign + integer + "." + fraction + exponent;
    std::string padded =
        sign + std::string(21, '0') + integer + "." + fraction + std::string(21, '0') + exponent;
    std::string expected = round_trip(padded);
    EXPECT_EQ(round_trip(text), expected) << text << " vs " << padded;
    compared += expected.rfind("error:", 0) == 0 ? 0 : 1;
  }
  EXPECT_GT(compared, 15000);
  EXPECT_EQ(round_trip("1.25E-4"), "0.000125000000000000");
  EXPECT_EQ(round_trip("-3.692E-4"), "-0.000369200000000000");
  EXPECT_EQ(round_trip("9999999999999999999", 0), "9999999999999999999");
  EXPECT_EQ(round_trip("99999999999999999999", 0), "99999999999999999999");
  EXPECT_EQ(round_trip("1e19", 0), "10000000000000000000");
  EXPECT_EQ(round_trip("1e2"), "100.000000000000000000");
  EXPECT_EQ(round_trip("-0.0"), "0.000000000000000000");
  EXPECT_EQ(round_trip("1e"), "error:invalid-input");
  EXPECT_EQ(round_trip("1.5x"), "error:invalid-input");
  EXPECT_EQ(round_trip("1.2.3"), "error:invalid-input");
}

TEST(Decimal, FormatRoundsHalfToEvenAndNeverPrintsNegativeZero) {
  EXPECT_EQ(round_trip("0.00000000005", 10), "0.0000000000");
  EXPECT_EQ(round_trip("0.00000000015", 10), "0.0000000002");
  EXPECT_EQ(round_trip("0.000000000150000001", 10), "0.0000000002");
  EXPECT_EQ(round_trip("0.00000000025", 10), "0.0000000002");
  EXPECT_EQ(round_trip("-0.00000000004", 10), "0.0000000000");
  EXPECT_EQ(round_trip("-0.00000000006", 10), "-0.0000000001");
  EXPECT_EQ(round_trip("9.99999999995", 10), "10.0000000000");
}

TEST(Decimal, SumsAreExactAndOverflowIsDetected) {
  Decimal total;
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(total.add_checked(parse_decimal("1.81E-8").value()));
  EXPECT_EQ(format(total, 18), "0.000018100000000000");
  Decimal big = parse_decimal("50000000000000000000").value();
  Decimal sum = big;
  ASSERT_TRUE(sum.add_checked(big));
  Decimal before = sum;
  EXPECT_FALSE(sum.add_checked(sum)); // 2e20 > 1.7e20
  EXPECT_EQ(sum, before);
  Decimal negative = parse_decimal("-100000000000000000000").value();
  ASSERT_TRUE(negative.add_checked(parse_decimal("50000000000000000000").value()));
  ASSERT_TRUE(negative.add_checked(negative));
  EXPECT_FALSE(negative.add_checked(negative));
}

TEST(Decimal, SplitAndJoinForTheStore) {
  for (const char* text : {"0", "1.81E-8", "-1.81E-8", "123.4567890123456789", "-0.000000000000000001",
                           "-5", "922337203.6854775807", "-922337203.6854775808"}) {
    Decimal value = parse_decimal(text).value();
    std::int64_t tenth_nanos = 0;
    std::int64_t rest = 0;
    ASSERT_TRUE(split_decimal(value, tenth_nanos, rest)) << text;
    EXPECT_GE(rest, 0) << text;
    EXPECT_LT(rest, 100000000) << text;
    EXPECT_EQ(join_decimal(tenth_nanos, rest), value) << text;
  }
  std::int64_t a = 0;
  std::int64_t b = 0;
  EXPECT_FALSE(split_decimal(parse_decimal("922337203.6854775808").value(), a, b));
  ASSERT_TRUE(split_decimal(parse_decimal("-0.000000000000000001").value(), a, b));
  EXPECT_EQ(a, -1);
  EXPECT_EQ(b, 99999999);
}

} // namespace
} // namespace ec
