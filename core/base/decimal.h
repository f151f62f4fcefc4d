// core/base/decimal.h - Decimal: exact fixed-point money at 18 fractional digits, no floating
// point.
#pragma once

#include "core/base/int128.h"
#include "core/base/result.h"

#include <cstddef>
#include <string_view>

namespace ec {

/// Fractional digits a Decimal holds exactly. Reports print 10; the extra 8 keep sums of values
/// like 1.3E-15 exact, so rounding happens once, at output, and never per line item. A value with
/// more fractional digits is held so that printing it still rounds it once (parse_decimal).
inline constexpr int kDecimalScale = 18;

/// value = scaled / 10^18. Range about +-1.7e20. Trivially copyable; addition is checked.
struct Decimal {
  Int128 scaled;

  static constexpr Decimal zero() { return {}; }
  /// A whole number of units (e.g. 3 -> 3.000...).
  static Decimal from_units(std::int64_t units);

  /// *this += other; false on overflow with *this unchanged.
  [[nodiscard]] bool add_checked(Decimal other) { return scaled.add_checked(other.scaled); }
  [[nodiscard]] bool subtract_checked(Decimal other) {
    return scaled.subtract_checked(other.scaled);
  }
  friend constexpr bool operator==(Decimal, Decimal) = default;
};

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]`, also `.5` and `5.`; no spaces, no empty text.
/// Digits below 10^-18 are rounded to "05up" (truncated, then a last digit of 0 or 5 made one
/// more when anything non-zero was dropped; Python's ROUND_05UP, which the reference uses), never
/// half to even: format_decimal() of the result to fewer than 18 digits then equals the exact
/// value rounded half to even, with no double rounding (proof in decimal.cpp). Errors:
/// InvalidInput for anything else, Overflow when |value| does not fit.
Result<Decimal> parse_decimal(std::string_view text);

/// Longest text format_decimal() writes, with its terminator.
inline constexpr std::size_t kMaxDecimalText = 48;

/// Writes `value` with exactly `fraction_digits` (0..18) digits after the point, rounded half to
/// even, "-" only when the rounded value is non-zero. Returns the length (out is terminated).
std::size_t format_decimal(Decimal value, int fraction_digits, char* out, std::size_t out_size);

/// Splits into the store's two integer columns, exactly: (floor(value * 10^10), the rest at
/// 10^-18 in [0, 10^8)) while the first fits an int64 (|value| < 922,337,203.68); beyond that the
/// second column also carries the high part (decimal.cpp). False when |value| exceeds about
/// 8.5e19 units (kStoreRangeUnits is the range the store promises).
[[nodiscard]] bool split_decimal(Decimal value, std::int64_t& first, std::int64_t& second);
/// Inverse of split_decimal.
Decimal join_decimal(std::int64_t tenth_nanos, std::int64_t atto_rest);

} // namespace ec
