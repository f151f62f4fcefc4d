// core/net/http_date.h - Parsing the HTTP Date header (IMF-fixdate, RFC 850, asctime), no C
// library.
#pragma once

#include "core/base/result.h"
#include "core/base/timestamp.h"

#include <string_view>

namespace ec {

/// Parses the three date forms RFC 9110 section 5.6.7 requires a recipient to accept:
///   IMF-fixdate  `Sun, 06 Nov 1994 08:49:37 GMT`   (what AWS sends)
///   RFC 850      `Sunday, 06-Nov-94 08:49:37 GMT`  (two-digit year: 70-99 is 19xx, 00-69 is 20xx)
///   asctime      `Sun Nov  6 08:49:37 1994`        (day padded with a space or a zero)
/// Surrounding spaces and tabs are ignored; day and month names are matched without regard to
/// case; the weekday is checked to be a name but not against the date. Second 60 (a leap second)
/// is accepted. Anything else, or an impossible date (31 April), is InvalidInput
/// "http-date: not an HTTP date" / "http-date: date or time out of range".
Result<UnixSeconds> parse_http_date(std::string_view text);

/// Writes `seconds` as an IMF-fixdate (29 characters) into `out` and terminates it; `out` must hold
/// 30 bytes (returns 0 and writes nothing otherwise). Years 0000-9999 only (returns 0 outside).
std::size_t format_http_date(UnixSeconds seconds, char* out, std::size_t out_size);

} // namespace ec
