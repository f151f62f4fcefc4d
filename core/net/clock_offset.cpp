// core/net/clock_offset.cpp - Learning the server-minus-local clock offset from response dates.
#include "core/net/clock_offset.h"

#include "core/net/http_date.h"

namespace ec {

DateCheck ClockOffset::check(std::string_view date_header, UnixSeconds local_now) const {
  DateCheck result;
  result.local = local_now;
  if (date_header.empty())
    return result;
  Result<UnixSeconds> server = parse_http_date(date_header);
  if (!server.ok())
    return result;
  result.server = server.value();
  result.drift_seconds = result.server - corrected(local_now);
  std::int64_t magnitude = result.drift_seconds < 0 ? -result.drift_seconds : result.drift_seconds;
  result.skew = magnitude >= kClockSkewThresholdSeconds ? DateSkew::Skewed : DateSkew::Within;
  return result;
}

OffsetChange ClockOffset::learn(const DateCheck& check, Outcome outcome) {
  if (check.skew == DateSkew::Unknown)
    return OffsetChange::Unchanged;
  if (outcome != Outcome::ClockSkew && check.skew != DateSkew::Skewed)
    return OffsetChange::Unchanged;
  std::int64_t learned = check.server - check.local;
  if (learned == m_offset_seconds)
    return OffsetChange::Unchanged;
  m_offset_seconds = learned;
  return OffsetChange::Changed;
}

} // namespace ec
