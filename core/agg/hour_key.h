// core/agg/hour_key.h - HourKey and HourTotals: what one row of the store holds.
#pragma once

#include "core/base/decimal.h"
#include "core/base/timestamp.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// An AWS account id kept as an identifier: its digits and how many there are, so "000123456789"
/// keeps its leading zeros. Up to 19 digits; anything else is not an account id.
struct AccountId {
  std::uint64_t digits = 0;
  std::uint8_t length = 0; ///< 0 means absent

  /// False when `text` is empty, longer than 19 characters or not all digits.
  [[nodiscard]] static bool parse(std::string_view text, AccountId& out);
  /// Writes the digits with leading zeros; out must hold 20 bytes. Returns the length.
  std::size_t format(char* out) const;
  friend constexpr bool operator==(AccountId, AccountId) = default;
};

/// ISO 4217 code as three upper-case letters packed into an integer ("USD").
struct CurrencyCode {
  std::uint32_t packed = 0;

  [[nodiscard]] static bool parse(std::string_view text, CurrencyCode& out);
  /// Writes the 3 letters and a terminator into out[4].
  void format(char* out) const;
  friend constexpr bool operator==(CurrencyCode, CurrencyCode) = default;
};

/// The aggregation key: billing period, payer, usage account, hour start (UTC), currency.
struct HourKey {
  std::int32_t billing_period = 0; ///< year * 100 + month, e.g. 202311
  AccountId payer;
  AccountId account;
  UnixSeconds hour_start = 0; ///< a multiple of 3600
  CurrencyCode currency;

  friend constexpr bool operator==(const HourKey&, const HourKey&) = default;
};

enum class Measure : std::uint8_t { Unblended, NetUnblended, Blended, Amortized };
inline constexpr std::size_t kMeasureCount = 4;

/// Exact sums of one key.
struct HourTotals {
  Decimal cost[kMeasureCount];
  std::uint64_t line_items = 0;

  [[nodiscard]] Decimal& operator[](Measure measure) {
    return cost[static_cast<std::size_t>(measure)];
  }
  [[nodiscard]] const Decimal& operator[](Measure measure) const {
    return cost[static_cast<std::size_t>(measure)];
  }
  /// *this += other; false on overflow (then *this is unspecified).
  [[nodiscard]] bool add_checked(const HourTotals& other);
  friend constexpr bool operator==(const HourTotals&, const HourTotals&) = default;
};

/// A key with its totals, as handed between the table, the store and the report.
struct KeyedTotals {
  HourKey key;
  HourTotals totals;
};

} // namespace ec
