// core/base/decimal.cpp - Parsing and formatting of exact decimals.
#include "core/base/decimal.h"

namespace ec {

static constexpr std::uint64_t kPow10[20] = {1ull,
                                             10ull,
                                             100ull,
                                             1000ull,
                                             10000ull,
                                             100000ull,
                                             1000000ull,
                                             10000000ull,
                                             100000000ull,
                                             1000000000ull,
                                             10000000000ull,
                                             100000000000ull,
                                             1000000000000ull,
                                             10000000000000ull,
                                             100000000000000ull,
                                             1000000000000000ull,
                                             10000000000000000ull,
                                             100000000000000000ull,
                                             1000000000000000000ull,
                                             10000000000000000000ull};

static constexpr Error kBadDecimal = make_error(ErrorCode::InvalidInput, "decimal: not a number");
static constexpr Error kDecimalOverflow =
    make_error(ErrorCode::Overflow, "decimal: value out of range");

Decimal Decimal::from_units(std::int64_t units) {
  Decimal result;
  bool negative = units < 0;
  UInt128 magnitude{0, negative ? 0 - static_cast<std::uint64_t>(units)
                                : static_cast<std::uint64_t>(units)};
  bool fits = mul_checked(magnitude, kPow10[kDecimalScale]);
  fits = fits && Int128::from_magnitude(magnitude, negative, result.scaled);
  EC_CHECK(fits);
  return result;
}

// Multiplies by 10^power (any size); false on overflow.
static bool scale_up(UInt128& value, int power) {
  while (power > 0) {
    int step = power > 19 ? 19 : power;
    if (!mul_checked(value, kPow10[step]))
      return false;
    power -= step;
  }
  return true;
}

// Divides by 10^power rounding half to even. `sticky` says non-zero digits were already dropped
// below the value (so an exact half is really above half).
static void scale_down(UInt128& value, int power, bool sticky) {
  if (power <= 0)
    return;
  if (power > 38) {
    value = UInt128{}; // below half of the last kept unit: the value is < 10^39 > 2^128
    return;
  }
  // Split 10^power into divisions of at most 10^19, tracking the remainder's relation to half.
  std::uint64_t last_remainder = 0;
  std::uint64_t last_divisor = 1;
  while (power > 0) {
    int step = power > 19 ? 19 : power;
    std::uint64_t remainder = divmod(value, kPow10[step]);
    if (power > step) {
      sticky = sticky || remainder != 0;
    } else {
      last_remainder = remainder;
      last_divisor = kPow10[step];
    }
    power -= step;
  }
  // Compare the last remainder with half its divisor (divisor is a power of ten, even).
  std::uint64_t half = last_divisor / 2;
  bool round_up = last_remainder > half || (last_remainder == half && (sticky || (value.low & 1u)));
  if (last_divisor == 1)
    round_up = false;
  if (round_up) {
    bool ok = add_checked(value, 1);
    EC_CHECK(ok);
  }
}

// The common case of a CUR file, `[+-]digits[.digits][(e|E)[+-]digits]` with at most 19
// digits in all and a value that needs no rounding (10^-18 <= its unit), in one multiply. False
// for anything else, which then takes the general path: that path gives the same value here.
static bool parse_simple_decimal(const char* cursor, const char* end, Decimal& out) {
  bool negative = false;
  if (cursor != end && (*cursor == '-' || *cursor == '+')) {
    negative = *cursor == '-';
    ++cursor;
  }
  std::uint64_t digits = 0;
  int count = 0;
  for (; cursor != end && count <= 19; ++cursor) {
    const unsigned digit = static_cast<unsigned>(*cursor - '0');
    if (digit > 9)
      break;
    digits = digits * 10 + digit;
    ++count;
  }
  int fraction_digits = 0;
  if (cursor != end && *cursor == '.') {
    ++cursor;
    for (; cursor != end && count <= 19; ++cursor) {
      const unsigned digit = static_cast<unsigned>(*cursor - '0');
      if (digit > 9)
        break;
      digits = digits * 10 + digit;
      ++count;
      ++fraction_digits;
    }
  }
  if (count == 0 || count > 19)
    return false;
  int exponent = 0;
  if (cursor != end) {
    if (*cursor != 'e' && *cursor != 'E')
      return false;
    ++cursor;
    bool exponent_negative = false;
    if (cursor != end && (*cursor == '-' || *cursor == '+')) {
      exponent_negative = *cursor == '-';
      ++cursor;
    }
    if (cursor == end || end - cursor > 3)
      return false;
    for (; cursor != end; ++cursor) {
      const unsigned digit = static_cast<unsigned>(*cursor - '0');
      if (digit > 9)
        return false;
      exponent = exponent * 10 + static_cast<int>(digit);
    }
    if (exponent_negative)
      exponent = -exponent;
  }
  const int power = exponent + kDecimalScale - fraction_digits;
  if (power < 0 || power > 19)
    return false;
    // Below 10^19 * 10^19 = 10^38 < 2^127: the product and its negation always fit.
#if EC_HAVE_NATIVE_INT128
  const unsigned __int128 product = static_cast<unsigned __int128>(digits) * kPow10[power];
  const UInt128 magnitude{static_cast<std::uint64_t>(product >> 64),
                          static_cast<std::uint64_t>(product)};
#else
  UInt128 magnitude{0, digits};
  if (!mul_checked(magnitude, kPow10[power]))
    return false;
#endif
  if (!negative) {
    out.scaled = Int128::from_words(magnitude.high, magnitude.low);
    return true;
  }
  const std::uint64_t low = ~magnitude.low + 1; // two's complement negation
  out.scaled = Int128::from_words(~magnitude.high + (low == 0 ? 1u : 0u), low);
  return true;
}

Result<Decimal> parse_decimal(std::string_view text) {
  const char* cursor = text.data();
  const char* end = cursor + text.size();
  if (cursor == end)
    return kBadDecimal;
  if (Decimal simple; parse_simple_decimal(cursor, end, simple))
    return simple;
  bool negative = false;
  if (*cursor == '-' || *cursor == '+') {
    negative = *cursor == '-';
    ++cursor;
  }
  // Mantissa digits, leading zeros skipped and trailing zeros deferred (pending_zeros), so only
  // significant digits count against the 38 that fit.
  UInt128 mantissa;
  std::uint64_t small = 0; // fast path while at most 19 significant digits
  int significant = 0;
  int pending_zeros = 0;
  int fraction_digits = 0;
  bool any_digit = false;
  bool sticky = false; // non-zero digits beyond 38 significant ones were dropped
  int dropped_integer_digits = 0;
  bool in_fraction = false;
  for (; cursor != end; ++cursor) {
    char c = *cursor;
    if (c == '.') {
      if (in_fraction)
        return kBadDecimal;
      in_fraction = true;
      continue;
    }
    unsigned digit = static_cast<unsigned>(c - '0');
    if (digit > 9)
      break;
    any_digit = true;
    if (in_fraction)
      ++fraction_digits;
    if (digit == 0) {
      if (significant > 0)
        ++pending_zeros;
      continue;
    }
    // Flush deferred zeros, then the digit.
    int needed = pending_zeros + 1;
    if (significant + needed > 38) {
      // Too many significant digits to hold: drop, remembering magnitude and stickiness.
      sticky = true;
      if (!in_fraction)
        dropped_integer_digits += needed; // they still scale the kept digits
      else
        fraction_digits -= needed; // dropped fraction digits do not shift the value
      pending_zeros = 0;
      continue;
    }
    if (significant + needed <= 19) {
      small = small * kPow10[pending_zeros] * 10 + digit;
    } else {
      if (significant <= 19 && mantissa == UInt128{})
        mantissa = UInt128{0, small};
      bool ok = scale_up(mantissa, needed) && add_checked(mantissa, digit);
      EC_CHECK(ok);
    }
    significant += needed;
    pending_zeros = 0;
  }
  if (!any_digit)
    return kBadDecimal;
  if (significant <= 19)
    mantissa = UInt128{0, small};
  // Trailing integer zeros still pending count as magnitude; fraction zeros are simply dropped.
  int exponent = 0;
  if (cursor != end) {
    if (*cursor != 'e' && *cursor != 'E')
      return kBadDecimal;
    ++cursor;
    bool exponent_negative = false;
    if (cursor != end && (*cursor == '-' || *cursor == '+')) {
      exponent_negative = *cursor == '-';
      ++cursor;
    }
    if (cursor == end)
      return kBadDecimal;
    for (; cursor != end; ++cursor) {
      unsigned digit = static_cast<unsigned>(*cursor - '0');
      if (digit > 9)
        return kBadDecimal;
      if (exponent < 100000)
        exponent = exponent * 10 + static_cast<int>(digit);
    }
    if (exponent_negative)
      exponent = -exponent;
  }
  // Pending zeros: in the integer part they multiply; in the fraction they were counted in
  // fraction_digits, so they also multiply (value = digits * 10^pending / 10^fraction_digits).
  int power = exponent + kDecimalScale - fraction_digits + pending_zeros + dropped_integer_digits;
  Decimal result;
  if (mantissa == UInt128{})
    return result;
  if (power >= 0) {
    if (power > 38 || !scale_up(mantissa, power))
      return kDecimalOverflow;
  } else {
    scale_down(mantissa, -power, sticky);
  }
  if (!Int128::from_magnitude(mantissa, negative, result.scaled))
    return kDecimalOverflow;
  return result;
}

std::size_t format_decimal(Decimal value, int fraction_digits, char* out, std::size_t out_size) {
  EC_CHECK(fraction_digits >= 0 && fraction_digits <= kDecimalScale);
  EC_CHECK(out_size >= kMaxDecimalText);
  bool negative = value.scaled.is_negative();
  UInt128 magnitude = value.scaled.magnitude();
  scale_down(magnitude, kDecimalScale - fraction_digits, false);
  if (magnitude == UInt128{})
    negative = false;
  // Digits from the right.
  char digits[kMaxDecimalText];
  int count = 0;
  while (magnitude != UInt128{} || count <= fraction_digits) {
    digits[count++] = static_cast<char>('0' + divmod(magnitude, 10));
  }
  std::size_t length = 0;
  if (negative)
    out[length++] = '-';
  for (int i = count - 1; i >= 0; --i) {
    out[length++] = digits[i];
    if (i == fraction_digits && fraction_digits > 0)
      out[length++] = '.';
  }
  out[length] = '\0';
  return length;
}

static constexpr std::uint64_t kAttoPerTenthNano = 100000000ull; // 10^18 / 10^10

bool split_decimal(Decimal value, std::int64_t& tenth_nanos, std::int64_t& atto_rest) {
  bool negative = value.scaled.is_negative();
  UInt128 magnitude = value.scaled.magnitude();
  std::uint64_t rest = divmod(magnitude, kAttoPerTenthNano);
  // floor for negatives: -(q + 1) with rest' = divisor - rest when rest != 0.
  if (negative && rest != 0) {
    bool ok = add_checked(magnitude, 1);
    EC_CHECK(ok);
    rest = kAttoPerTenthNano - rest;
  }
  Int128 whole;
  if (!Int128::from_magnitude(magnitude, negative, whole))
    return false;
  // Must fit int64: high word is the sign extension of the low word.
  std::uint64_t sign_extension = (whole.low_word() >> 63) ? ~std::uint64_t{0} : 0;
  if (whole.high_word() != sign_extension)
    return false;
  tenth_nanos = static_cast<std::int64_t>(whole.low_word());
  atto_rest = static_cast<std::int64_t>(rest);
  return true;
}

Decimal join_decimal(std::int64_t tenth_nanos, std::int64_t atto_rest) {
  bool negative = tenth_nanos < 0;
  UInt128 magnitude{0, negative ? 0 - static_cast<std::uint64_t>(tenth_nanos)
                                : static_cast<std::uint64_t>(tenth_nanos)};
  bool ok = mul_checked(magnitude, kAttoPerTenthNano);
  EC_CHECK(ok);
  Decimal result;
  ok = Int128::from_magnitude(magnitude, negative, result.scaled);
  EC_CHECK(ok);
  ok = result.scaled.add_checked(Int128(atto_rest));
  EC_CHECK(ok);
  return result;
}

} // namespace ec
