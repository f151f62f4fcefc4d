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
  std::int64_t tenth_nanos = 0;
  std::int64_t rest = 0;
  if (ec::split_decimal(parsed.value(), tenth_nanos, rest)) {
    if (rest < 0 || rest >= 100000000 || !(ec::join_decimal(tenth_nanos, rest) == parsed.value()))
      std::abort();
  }
  ec::Decimal sum = parsed.value();
  ec::Decimal before = sum;
  if (!sum.add_checked(parsed.value()) && !(sum == before))
    std::abort(); // a failed add must leave the value unchanged
  return 0;
}
