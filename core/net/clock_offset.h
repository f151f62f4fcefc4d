// core/net/clock_offset.h - ClockOffset: the server's time learned from responses, for signing.
#pragma once

#include "core/base/timestamp.h"
#include "core/net/aws_error.h"

#include <cstdint>
#include <string_view>

namespace ec {

/// A response Date this far (or farther) from the corrected local clock moves the offset even when
/// the request succeeded: services refuse signatures 5 minutes off (S3: 15), so 4 minutes corrects
/// the clock before the first refusal (what the AWS JS and C++ SDKs do).
inline constexpr std::int64_t kClockSkewThresholdSeconds = 4 * 60;

/// One response's Date compared with the local clock.
struct DateCheck {
  DateSkew skew = DateSkew::Unknown; ///< Unknown: no Date header, or not an HTTP date
  UnixSeconds server = 0;            ///< the Date header (valid unless skew is Unknown)
  UnixSeconds local = 0;             ///< the uncorrected local clock it was compared with
  std::int64_t drift_seconds = 0;    ///< server - corrected local (valid unless skew is Unknown)
};

enum class OffsetChange : std::uint8_t { Unchanged, Changed };

/// The offset (server - local, in seconds) that SigningTime adds to the local clock. Starts at 0.
/// Not thread-safe: one per connection loop (or guard it).
///
/// Per response: `DateCheck check = offset.check(response Date, local now)`; classify() with
/// check.skew; then `offset.learn(check, outcome)`; on ClockSkew and Changed the caller re-signs
/// with offset.corrected(now) and retries at once (RetryState counts those separately), and logs
/// offset.seconds().
class ClockOffset {
public:
  /// Seconds to add to the local clock (negative when the local clock is ahead).
  [[nodiscard]] std::int64_t seconds() const { return m_offset_seconds; }
  /// The local time corrected by the offset: what to sign with.
  [[nodiscard]] UnixSeconds corrected(UnixSeconds local_now) const {
    return local_now + m_offset_seconds;
  }

  /// Parses `date_header` (any form parse_http_date takes; empty or malformed gives Unknown) and
  /// compares it with `local_now` corrected by the current offset: Skewed when
  /// |drift| >= kClockSkewThresholdSeconds.
  [[nodiscard]] DateCheck check(std::string_view date_header, UnixSeconds local_now) const;

  /// Adopts offset = server - local when `outcome` is ClockSkew or `check.skew` is Skewed (the
  /// latter also brings the offset back to about 0 once NTP has fixed the local clock). Nothing is
  /// learned from an Unknown check. Changed only when the offset now has another value.
  OffsetChange learn(const DateCheck& check, Outcome outcome);

  /// Sets the offset directly (a value remembered from a previous run, or tests).
  void set_seconds(std::int64_t offset_seconds) { m_offset_seconds = offset_seconds; }

private:
  std::int64_t m_offset_seconds = 0;
};

} // namespace ec
