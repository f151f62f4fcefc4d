// tests/fuzz/timestamp_fuzz.cpp - parse_timestamp never crashes; accepted UTC times format and
// re-parse to the same second.
#include "core/base/timestamp.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ec::Result<ec::UnixSeconds> parsed = ec::parse_timestamp(text);
  if (!parsed.ok())
    return 0;
  char formatted[32];
  ec::format_timestamp(parsed.value(), formatted, sizeof formatted);
  ec::Result<ec::UnixSeconds> again = ec::parse_timestamp(formatted);
  // Years outside 0000-9999 (from offsets) do not print in four digits; everything else must.
  ec::CivilTime civil = ec::civil_from_seconds(parsed.value());
  if (civil.year >= 0 && civil.year <= 9999 && (!again.ok() || again.value() != parsed.value()))
    std::abort();
  if (ec::hour_floor(parsed.value()) % 3600 != 0)
    std::abort();
  return 0;
}
