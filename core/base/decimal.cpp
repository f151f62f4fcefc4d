// core/base/decimal.cpp - Parsing and formatting of exact decimals.
#include "core/base/decimal.h"

#include <cstdint>

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

// Divides by 10^power rounding half to even: what a report prints.
static void scale_down(UInt128& value, int power) {
  if (power <= 0)
    return;
  if (power > 38) {
    value = UInt128{}; // below half of the last kept unit: the value is < 10^39 > 2^128
    return;
  }
  // Split 10^power into divisions of at most 10^19, tracking the remainder's relation to half.
  bool sticky = false; // a remainder below the last division was not zero
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

// Why parse rounds to "05up" and not half to even. A report prints fewer digits than a Decimal
// holds (10 or 4 of 18) and rounds half to even there, so rounding half to even at parse too
// rounded twice: 0.0000000001499999999999 was held as 0.000000000150000000, a tie at 10 digits,
// and printed 0.0000000002 where the value rounds to 0.0000000001. 05up (Python's ROUND_05UP,
// round-to-odd in base ten) keeps what the second rounding needs. In units of 10^-18, let x > 0
// be the exact magnitude and t = floor(x):
// - x = t: the value is held exactly, and printed with one rounding.
// - x > t: 05up holds s = t + 1 when t ends in 0 or 5, else s = t. So s ends in neither 0 nor 5,
//   and x and s both lie in [t, t + 1], where the only integer between them is s itself.
//   Printing d < 18 digits rounds at steps of D = 10^(18 - d); its ties sit at k*D + D/2, all
//   integers and multiples of 5 (D/2 = 5 * 10^(17 - d)). s is no multiple of 5, so no tie lies
//   between x and s or on either, and half-to-even rounding of s and of x give the same digits.
// Magnitudes are rounded, so the sign does not matter. One digit beyond the printed ones is enough
// (binary-style round-to-odd, on the last digit's parity, would need two). What 05up cannot give:
// a sum of n held values differs from the exact sum by less than n units, so a total of values
// with more than 18 fractional digits prints the exact total's rounding unless the exact total
// lies within n * 10^-18 of a tie; that would need more digits than the store keeps.
static void round_05up(UInt128& value, bool inexact) {
  if (!inexact)
    return;
  UInt128 rest = value;
  const std::uint64_t last_digit = divmod(rest, 10);
  if (last_digit == 0 || last_digit == 5) {
    bool ok = add_checked(value, 1); // ends in 0 or 5: no carry
    EC_CHECK(ok);
  }
}

// Divides by 10^power (power > 0) rounding to 05up; `inexact` says non-zero digits were already
// dropped below the value.
static void scale_down_05up(UInt128& value, int power, bool inexact) {
  if (power > 38) {
    inexact = inexact || value != UInt128{}; // value < 2^128 < 10^39: all of it is dropped
    value = UInt128{};
  } else {
    while (power > 0) {
      const int step = power > 19 ? 19 : power;
      inexact = divmod(value, kPow10[step]) != 0 || inexact;
      power -= step;
    }
  }
  round_05up(value, inexact);
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
  // significant digits count against the 128 bits that hold them.
  UInt128 mantissa;
  std::uint64_t small = 0; // fast path while at most 19 significant digits
  int significant = 0;
  int pending_zeros = 0;
  int fraction_digits = 0;
  bool any_digit = false;
  bool sticky = false;    // non-zero digits past what 128 bits hold were dropped
  int first_drop_gap = 0; // digits from the last kept one to the first dropped non-zero one
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
    // Flush deferred zeros, then the digit, while they fit in 128 bits.
    int needed = pending_zeros + 1;
    bool kept = false;
    if (!sticky && significant + needed <= 19) {
      small = small * kPow10[pending_zeros] * 10 + digit;
      kept = true;
    } else if (!sticky) {
      if (significant <= 19)
        mantissa = UInt128{0, small};
      UInt128 widened = mantissa;
      kept = scale_up(widened, needed) && add_checked(widened, digit);
      if (kept)
        mantissa = widened;
    }
    if (kept) {
      significant += needed;
      pending_zeros = 0;
      continue;
    }
    // Too many digits to hold: drop this one and every later one (keeping a later one would join
    // it to the kept digits without the zeros between them: 1.0<38 zeros>15 once read as 1.5),
    // remembering magnitude and stickiness.
    if (!sticky)
      first_drop_gap = needed;
    sticky = true;
    if (!in_fraction)
      dropped_integer_digits += needed; // they still scale the kept digits
    else
      fraction_digits -= needed; // dropped fraction digits do not shift the value
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
    // The kept digits end at 10^power units and the first dropped one sits first_drop_gap digits
    // lower. At or above a unit, the value in units needs more than 128 bits: out of range, not
    // silently cut. Below a unit, the dropped digits only make it inexact.
    if (power > 38 || (sticky && power >= first_drop_gap) || !scale_up(mantissa, power))
      return kDecimalOverflow;
    round_05up(mantissa, sticky);
  } else {
    scale_down_05up(mantissa, -power, sticky);
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
  scale_down(magnitude, kDecimalScale - fraction_digits);
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

// The two columns are (a, b). With q = floor(value * 10^10) and r the rest at 10^-18 in [0, 10^8):
// - q fits an int64 (|value| below 922,337,203.68): a = q, b = r. Every cost a CUR row or an hour
//   of it normally has; b is almost always 0, which SQLite stores in no bytes.
// - otherwise: h = floor(q / 2^63) (never 0 then), a = q - h * 2^63 in [0, 2^63), b = r + h * 10^8.
//   So b outside [0, 10^8) says that it carries q's high part, and b's range bounds |value| at
//   about 8.5e19 units.
static constexpr std::int64_t kSplitHighUnit = static_cast<std::int64_t>(kAttoPerTenthNano);

bool split_decimal(Decimal value, std::int64_t& first, std::int64_t& second) {
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
  std::uint64_t sign_extension = (whole.low_word() >> 63) ? ~std::uint64_t{0} : 0;
  if (whole.high_word() == sign_extension) {
    first = static_cast<std::int64_t>(whole.low_word());
    second = static_cast<std::int64_t>(rest);
    return true;
  }
  // h = whole >> 63 (arithmetic); h * 10^8 + rest must fit an int64.
  std::int64_t high_word = static_cast<std::int64_t>(whole.high_word());
  if (high_word > (std::int64_t{1} << 40) || high_word < -(std::int64_t{1} << 40))
    return false;
  std::int64_t high = high_word * 2 + static_cast<std::int64_t>(whole.low_word() >> 63);
  constexpr std::int64_t kMaxHigh = (INT64_MAX - kSplitHighUnit) / kSplitHighUnit;
  constexpr std::int64_t kMinHigh = INT64_MIN / kSplitHighUnit;
  if (high > kMaxHigh || high < kMinHigh)
    return false;
  first = static_cast<std::int64_t>(whole.low_word() & (~std::uint64_t{0} >> 1));
  second = high * kSplitHighUnit + static_cast<std::int64_t>(rest);
  return true;
}

Decimal join_decimal(std::int64_t first, std::int64_t second) {
  // floor division of second by 10^8: its high part h and the rest in [0, 10^8).
  std::int64_t high = second / kSplitHighUnit;
  std::int64_t rest = second % kSplitHighUnit;
  if (rest < 0) {
    rest += kSplitHighUnit;
    --high;
  }
  Int128 whole(first);
  if (high != 0) {
    // q = h * 2^63 + a, with a in [0, 2^63).
    std::uint64_t low =
        (static_cast<std::uint64_t>(high) << 63) | static_cast<std::uint64_t>(first);
    std::uint64_t high_bits = static_cast<std::uint64_t>(high >> 1);
    whole = Int128::from_words(high_bits, low);
  }
  bool negative = whole.is_negative();
  UInt128 magnitude = whole.magnitude();
  bool ok = mul_checked(magnitude, kAttoPerTenthNano);
  EC_CHECK(ok);
  Decimal result;
  ok = Int128::from_magnitude(magnitude, negative, result.scaled);
  EC_CHECK(ok);
  ok = result.scaled.add_checked(Int128(rest));
  EC_CHECK(ok);
  return result;
}

} // namespace ec
