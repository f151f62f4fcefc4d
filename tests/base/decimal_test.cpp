// tests/base/decimal_test.cpp - Exact decimal parsing, rounding, formatting and the store split.
#include "core/base/decimal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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
  // Below 10^-18: truncated, and a last digit of 0 or 5 made one more when anything was dropped
  // (05up), so a later rounding to fewer digits sees the value is not on a tie.
  EXPECT_EQ(round_trip("1e-19"), "0.000000000000000001");  // 0.1 -> 1
  EXPECT_EQ(round_trip("6e-19"), "0.000000000000000001");  // 0.6 -> 1
  EXPECT_EQ(round_trip("5e-19"), "0.000000000000000001");  // 0.5 -> 1
  EXPECT_EQ(round_trip("15e-19"), "0.000000000000000001"); // 1.5 -> 1
  EXPECT_EQ(round_trip("25e-19"), "0.000000000000000002"); // 2.5 -> 2
  EXPECT_EQ(round_trip("55e-19"), "0.000000000000000006"); // 5.5 -> 6
  EXPECT_EQ(round_trip("-55e-19"), "-0.000000000000000006");
  EXPECT_EQ(round_trip("2500000000000000000000001e-42"), "0.000000000000000002");
  EXPECT_EQ(round_trip("1e-400"), "0.000000000000000001");
  EXPECT_EQ(round_trip("1e-400", 17), "0.00000000000000000");
  EXPECT_EQ(round_trip("-1e-400", 10), "0.0000000000");
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
  // 40 significant digits: the last ones fall below 10^-18 and round (05up).
  EXPECT_EQ(round_trip("0.1234567890123456789012345678901234567890"), "0.123456789012345678");
  EXPECT_EQ(round_trip("1.000000000000000000000000000000000000000000000000000", 2), "1.00");
  EXPECT_EQ(round_trip("12345678901234567890", 0), "12345678901234567890");
  // Digits after a dropped one are dropped too, never joined to the kept ones across the zeros
  // between them (this read 1.5 and 1.5e20).
  EXPECT_EQ(round_trip("1.0000000000000000000000000000000000000015"), "1.000000000000000001");
  EXPECT_EQ(round_trip("1.0000000000000000000000000000000000000015", 10), "1.0000000000");
  EXPECT_EQ(round_trip("100000000000000000000.00000000000000000015"),
            "100000000000000000000.000000000000000001");
  EXPECT_EQ(round_trip("-2.00000000000000000000000000000000000000000003", 17),
            "-2.00000000000000000");
  // 39 significant digits that fit 128 bits are all kept (the 39th was cut to 0), and what the
  // parser holds there reads back the same.
  EXPECT_EQ(round_trip("123456789012345678901.234567890123456789"),
            "123456789012345678901.234567890123456789");
  EXPECT_EQ(round_trip("123456789012345678901.000000000000000000000000000009898979"),
            "123456789012345678901.000000000000000001");
  EXPECT_EQ(round_trip("123456789012345678901.000000000000000001"),
            "123456789012345678901.000000000000000001");
  EXPECT_EQ(round_trip("-170141183460469231731.687303715884105728"),
            "-170141183460469231731.687303715884105728");
  EXPECT_EQ(round_trip("170141183460469231731.687303715884105728"), "error:overflow");
  EXPECT_EQ(round_trip("170141183460469231731.6873037158841057275"),
            "170141183460469231731.687303715884105727"); // 05up: ...727|5 stays ...727
  EXPECT_EQ(round_trip("170141183460469231731.6873037158841057205"),
            "170141183460469231731.687303715884105721"); // ...720|5 becomes ...721
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
  // Below 922,337,203.68 the columns are (floor(value * 10^10), rest in [0, 10^8)), as stores
  // written before the wide range hold them.
  for (const char* text :
       {"0", "1.81E-8", "-1.81E-8", "123.4567890123456789", "-0.000000000000000001", "-5",
        "922337203.6854775807", "-922337203.6854775808"}) {
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
  ASSERT_TRUE(split_decimal(parse_decimal("-0.000000000000000001").value(), a, b));
  EXPECT_EQ(a, -1);
  EXPECT_EQ(b, 99999999);
}

TEST(Decimal, SplitCarriesTheHighPartUpToAbout8e19) {
  // The issue's case: an hour of IDR or KRW fees past 922,337,203.68, and the promised +-10^17.
  for (const char* text :
       {"922337203.6854775808", "-922337203.6854775809", "922337203.685477580800000001",
        "1844674407.3709551616", "-1844674407.3709551616", "57000000000.123456789012345678",
        "100000000000000000", "-100000000000000000", "99999999999999999.999999999999999999",
        "-99999999999999999.999999999999999999", "85000000000000000000", "-85000000000000000000",
        "123456789012345678.000000000000000001", "-0.5E17"}) {
    Decimal value = parse_decimal(text).value();
    std::int64_t first = 0;
    std::int64_t second = 0;
    ASSERT_TRUE(split_decimal(value, first, second)) << text;
    EXPECT_EQ(join_decimal(first, second), value) << text;
    if (std::string_view(text).find("922337203.685477580") == std::string_view::npos) {
      EXPECT_TRUE(second < 0 || second >= 100000000) << text << ": the high part is in column 2";
    }
  }
  // Beyond about 8.5e19 units the split refuses (Decimal itself reaches 1.7e20).
  std::int64_t a = 0;
  std::int64_t b = 0;
  EXPECT_FALSE(split_decimal(parse_decimal("93000000000000000000").value(), a, b));
  EXPECT_FALSE(split_decimal(parse_decimal("-93000000000000000000").value(), a, b));
  EXPECT_FALSE(split_decimal(parse_decimal("170000000000000000000").value(), a, b));
}

TEST(Decimal, SplitAndJoinRoundTripEveryMagnitude) {
  // Values 10^k * m for every power the store can hold, both signs, with low digits set: join
  // returns exactly what split was given, and a split refused only beyond 8.5e19.
  for (int exponent = -18; exponent <= 19; ++exponent) {
    for (const char* mantissa : {"1", "3.000000000000000007", "9.223372036854775807", "8.4"}) {
      for (const char* sign : {"", "-"}) {
        char text[96];
        std::snprintf(text, sizeof text, "%s%sE%d", sign, mantissa, exponent);
        Result<Decimal> value = parse_decimal(text);
        ASSERT_TRUE(value.ok()) << text;
        std::int64_t first = 0;
        std::int64_t second = 0;
        bool fits = split_decimal(value.value(), first, second);
        bool small =
            exponent < 19 || mantissa[0] == '1' || mantissa[0] == '3' || mantissa[0] == '8';
        EXPECT_EQ(fits, small) << text;
        if (fits) {
          EXPECT_EQ(join_decimal(first, second), value.value()) << text;
        }
      }
    }
  }
}

// ---- rounding happens once: a differential test against exact digit-string arithmetic ---------

// An exact signed value at 10^-30 (15 integer digits), in base-10^9 limbs, lowest first. Limbs
// may go negative or past 10^9 while summing; normalise() restores digits and a sign. Written
// without Decimal or 128-bit integers, so it checks them rather than repeats them.
struct Exact {
  static constexpr int kFractionDigits = 30;
  static constexpr int kDigits = 45;
  static constexpr std::int64_t kBase = 1000000000;
  std::int64_t limb[5] = {};

  static Exact from_text(const std::string& text) { // "[-]int.frac", at most 15 + 30 digits
    const bool negative = text[0] == '-';
    const std::string body = negative ? text.substr(1) : text;
    const std::size_t point = body.find('.');
    std::string integer = body.substr(0, point);
    std::string fraction = point == std::string::npos ? "" : body.substr(point + 1);
    std::string digits = std::string(15 - integer.size(), '0') + integer + fraction +
                         std::string(kFractionDigits - fraction.size(), '0');
    Exact value;
    for (int i = 0; i < 5; ++i)
      value.limb[4 - i] =
          std::stoll(digits.substr(static_cast<std::size_t>(9 * i), 9)) * (negative ? -1 : 1);
    return value;
  }
  void add(const Exact& other) {
    for (int i = 0; i < 5; ++i)
      limb[i] += other.limb[i];
  }
  void subtract(const Exact& other) {
    for (int i = 0; i < 5; ++i)
      limb[i] -= other.limb[i];
  }
  // Carries so that every limb is in [0, 10^9) for the magnitude; returns the sign.
  bool normalise() {
    for (int i = 0; i < 4; ++i) {
      std::int64_t carry = limb[i] / kBase - (limb[i] % kBase < 0 ? 1 : 0); // floor
      limb[i] -= carry * kBase;
      limb[i + 1] += carry;
    }
    if (limb[4] >= 0)
      return false;
    for (std::int64_t& part : limb)
      part = -part;
    normalise();
    return true;
  }
  // The magnitude's 45 digits (normalise() first).
  std::string digits() const {
    std::string text;
    char part[16];
    for (int i = 4; i >= 0; --i) {
      std::snprintf(part, sizeof part, "%09lld", static_cast<long long>(limb[i]));
      text += part;
    }
    return text;
  }
};

// `value` rounded half to even to `places` fractional digits, written as format_decimal does.
std::string exact_rounded(Exact value, int places) {
  const bool negative = value.normalise();
  std::string digits = value.digits();
  const std::size_t keep = static_cast<std::size_t>(15 + places);
  std::string kept = digits.substr(0, keep);
  const std::string rest = digits.substr(keep);
  const std::string half = "5" + std::string(rest.size() - 1, '0');
  const bool odd = (kept.back() - '0') % 2 == 1;
  if (rest > half || (rest == half && odd)) {
    std::size_t at = kept.size();
    while (kept[--at] == '9')
      kept[at] = '0';
    ++kept[at];
  }
  std::string integer = kept.substr(0, 15);
  integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() - 1));
  std::string text = integer + (places > 0 ? "." + kept.substr(15) : "");
  const bool zero = kept.find_first_not_of('0') == std::string::npos;
  return (negative && !zero ? "-" : "") + text;
}

// "[-]<0-6 digits>.<19-30 digits>"; half of them sit on or next to a tie at 10 digits, where
// rounding twice goes wrong.
std::string random_long_value(std::mt19937& random) {
  const int digits = 19 + static_cast<int>(random() % 12);
  std::string fraction;
  for (int i = 0; i < digits; ++i)
    fraction += static_cast<char>('0' + random() % 10);
  if (random() % 2) {
    const char fill = random() % 2 ? '0' : '9';
    fraction.replace(10, 1, 1, "456"[random() % 3]);
    for (int i = 11; i < digits - 1; ++i)
      fraction[static_cast<std::size_t>(i)] = fill;
  }
  std::string integer = std::to_string(random() % 1000000);
  if (random() % 3 == 0)
    integer = "0";
  return (random() % 2 ? "-" : "") + integer + "." + fraction;
}

TEST(DecimalRounding, TheIssueValueIsRoundedOnce) {
  // Half to even at parse held 0.000000000150000000, a tie at 10 digits: printed ...02.
  EXPECT_EQ(round_trip("0.0000000001499999999999", 10), "0.0000000001");
  EXPECT_EQ(round_trip("-0.0000000001499999999999", 10), "-0.0000000001");
  EXPECT_EQ(round_trip("0.0000000001500000000001", 10), "0.0000000002");
  EXPECT_EQ(round_trip("0.0000000002500000000001", 10), "0.0000000003");
  EXPECT_EQ(round_trip("0.0000000002499999999999999", 10), "0.0000000002");
  EXPECT_EQ(round_trip("1.49999999999999999999", 0), "1");
  EXPECT_EQ(round_trip("0.000049999999999999999", 4), "0.0000");
}

TEST(DecimalRounding, EveryLongValuePrintsAsItsExactRounding) {
  std::mt19937 random(11);
  int compared = 0;
  for (int round = 0; round < 50000; ++round) {
    const std::string text = random_long_value(random);
    const Exact exact = Exact::from_text(text);
    for (int places : {0, 2, 4, 10, 16, 17}) {
      ASSERT_EQ(round_trip(text, places), exact_rounded(exact, places))
          << text << " to " << places << " digits";
      ++compared;
    }
  }
  EXPECT_EQ(compared, 300000);
}

TEST(DecimalRounding, SumsOfLongValuesAreWithinOneUnitPerValue) {
  // Each held value is within one unit (10^-18) of its text, so a sum of n is within n units
  // and prints the exact sum's rounding unless the exact sum lies that close to a tie.
  std::mt19937 random(12);
  int exact_prints = 0;
  int near_ties = 0;
  int near_ties_printed_otherwise = 0;
  for (int round = 0; round < 5000; ++round) {
    const int count = 1 + static_cast<int>(random() % 50);
    Exact exact;
    Decimal total;
    for (int i = 0; i < count; ++i) {
      const std::string text = random_long_value(random);
      exact.add(Exact::from_text(text));
      ASSERT_TRUE(total.add_checked(parse_decimal(text).value())) << text;
    }
    Exact error = Exact::from_text(format(total, 18));
    error.subtract(exact);
    error.normalise();
    // |error| < count units of 10^-18 = count * 10^12 units of 10^-30 (limbs 0 and 1).
    ASSERT_EQ(error.limb[4] | error.limb[3] | error.limb[2], 0) << round;
    ASSERT_LT(error.limb[1] * Exact::kBase + error.limb[0], count * 1000000000000ll) << round;
    // Distance of the exact sum from a tie at 10 digits, in units of 10^-21.
    Exact magnitude = exact;
    magnitude.normalise();
    const std::int64_t below_10_digits =
        (magnitude.limb[2] % 100) * Exact::kBase + magnitude.limb[1];
    const std::int64_t from_tie = below_10_digits > 50000000000 ? below_10_digits - 50000000000
                                                                : 50000000000 - below_10_digits;
    if (from_tie <= static_cast<std::int64_t>(count) * 1000 + 1) {
      ++near_ties; // the one case a sum of held values may print otherwise
      near_ties_printed_otherwise += format(total, 10) != exact_rounded(exact, 10) ? 1 : 0;
      continue;
    }
    EXPECT_EQ(format(total, 10), exact_rounded(exact, 10)) << round;
    ++exact_prints;
  }
  EXPECT_GE(exact_prints, 4900);
  std::printf("[ measure  ] sums printed exactly: %d; within n units of a tie: %d, of which "
              "printed otherwise: %d\n",
              exact_prints, near_ties, near_ties_printed_otherwise);
}

TEST(DecimalRounding, SumsOfValuesWithAtMost18FractionDigitsAreExact) {
  std::mt19937 random(13);
  for (int round = 0; round < 5000; ++round) {
    const int count = 1 + static_cast<int>(random() % 50);
    Exact exact;
    Decimal total;
    for (int i = 0; i < count; ++i) {
      std::string fraction;
      for (int digit = 1 + static_cast<int>(random() % 18); digit > 0; --digit)
        fraction += static_cast<char>('0' + random() % 10);
      if (random() % 2)
        fraction = "0000000000" + std::string(1, "456"[random() % 3]) + fraction.substr(0, 7);
      const std::string text =
          (random() % 2 ? "-" : "") + std::to_string(random() % 1000) + "." + fraction;
      exact.add(Exact::from_text(text));
      ASSERT_TRUE(total.add_checked(parse_decimal(text).value())) << text;
    }
    ASSERT_EQ(format(total, 18), exact_rounded(exact, 18)) << round;
    ASSERT_EQ(format(total, 10), exact_rounded(exact, 10)) << round;
  }
}

} // namespace
} // namespace ec
