// core/base/timestamp.h - UTC timestamps as CUR files write them, parsed without the C library.
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// Seconds since 1970-01-01T00:00:00Z (negative before). 64-bit on every target, 32-bit ARM too.
using UnixSeconds = std::int64_t;

struct CivilTime {
  int year = 1970;
  int month = 1; ///< 1..12
  int day = 1;   ///< 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm; any year).
std::int64_t days_from_civil(int year, int month, int day);
CivilTime civil_from_seconds(UnixSeconds seconds);
UnixSeconds seconds_from_civil(const CivilTime& time);

/// Parses the forms CUR files use: `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the same with a space instead of
/// `T`, without `Z` (UTC), with `+HH:MM`/`-HH:MM`, `YYYY-MM-DDTHH:MMZ`, a bare `YYYY-MM-DD`, and
/// the manifest's compact `YYYYMMDDTHHMMSS[.fff]Z`. Fractions are dropped (never rounded up). A
/// date or time out of range (month 13, 31 April, hour 24) is InvalidInput.
Result<UnixSeconds> parse_timestamp(std::string_view text);

/// Start of the hour containing `seconds` (floor, also before 1970).
inline UnixSeconds hour_floor(UnixSeconds seconds) {
  UnixSeconds remainder = seconds % 3600;
  return seconds - (remainder < 0 ? remainder + 3600 : remainder);
}

/// "YYYY-MM-DDTHH:MM:SSZ" (20 chars + terminator); out must hold 21 bytes.
std::size_t format_timestamp(UnixSeconds seconds, char* out, std::size_t out_size);
/// "YYYY-MM" of the month containing `seconds`; out must hold 8 bytes.
std::size_t format_month(UnixSeconds seconds, char* out, std::size_t out_size);

} // namespace ec
