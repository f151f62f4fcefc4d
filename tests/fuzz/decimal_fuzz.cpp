// tests/fuzz/decimal_fuzz.cpp - parse_decimal never crashes; what it accepts formats and re-parses
// to the same value, and sums of accepted values never wrap silently.
#include "core/base/decimal.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ec::Result<ec::Decimal> parsed = ec::parse_decimal(text);
  if (!parsed.ok())
    return 0;
  char formatted[ec::kMaxDecimalText];
  ec::format_decimal(parsed.value(), ec::kDecimalScale, formatted, sizeof formatted);
  ec::Result<ec::Decimal> again = ec::parse_decimal(formatted);
  if (!again.ok() || !(again.value() == parsed.value()))
    std::abort();
  // The store's two columns: an exact round trip, the narrow form below 922,337,203.68, and a
  // refusal only beyond the promised range.
  std::int64_t first = 0;
  std::int64_t second = 0;
  const ec::Decimal value = parsed.value();
  if (ec::split_decimal(value, first, second)) {
    if (!(ec::join_decimal(first, second) == value))
      std::abort();
    bool small = value.scaled < ec::Decimal::from_units(922337203).scaled &&
                 ec::Decimal::from_units(-922337203).scaled < value.scaled;
    if (small && (second < 0 || second >= 100000000))
      std::abort();
  } else {
    // kStoreRangeUnits (core/store/store.h): 10^17 units.
    const std::int64_t range = 100'000'000'000'000'000;
    if (value.scaled < ec::Decimal::from_units(range).scaled &&
        ec::Decimal::from_units(-range).scaled < value.scaled)
      std::abort();
  }
  ec::Decimal sum = parsed.value();
  ec::Decimal before = sum;
  if (!sum.add_checked(parsed.value()) && !(sum == before))
    std::abort(); // a failed add must leave the value unchanged
  return 0;
}
