// core/net/retry_policy.h - RetryPolicy and RetryState: exponential backoff with full jitter, sans
// I/O.
#pragma once

#include "core/base/random_source.h"
#include "core/base/result.h"
#include "core/base/timestamp.h"
#include "core/net/aws_error.h"
#include "core/net/clock_offset.h"

#include <cstdint>
#include <string_view>

namespace ec {

/// Clock-skew retries per request: not counted as attempts, but bounded (a server whose Date
/// keeps moving must not keep us re-signing forever).
inline constexpr std::uint32_t kMaxClockSkewRetries = 2;

/// How often and how long to retry. Delays in milliseconds.
struct RetryPolicy {
  std::uint32_t max_attempts = 6;      ///< tries in all, the first included; 0 behaves as 1
  std::uint32_t base_delay_ms = 200;   ///< the first retry waits up to this
  std::uint32_t cap_delay_ms = 20'000; ///< no wait is longer (botocore's cap)
  std::uint32_t max_clock_skew_retries = kMaxClockSkewRetries;
};

/// The policy for the INI's `retries` setting (how many times a request is tried again).
[[nodiscard]] constexpr RetryPolicy retry_policy_for_retries(std::uint32_t retries) {
  RetryPolicy policy;
  policy.max_attempts = retries + 1 > retries ? retries + 1 : retries;
  return policy;
}

/// Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a uniform random value
/// in [0, min(cap, base * 2^retry_index)], both ends included. `retry_index` is 0 before the
/// first retry. Never overflows: a large index gives the cap.
std::uint32_t backoff_delay_ms(const RetryPolicy& policy, std::uint32_t retry_index,
                               RandomSource& random);

/// A Retry-After header's wait in milliseconds: delta-seconds ("120") or an HTTP date, measured
/// from `server_now` (the same response's Date; a date in the past is 0). Clamped to UINT32_MAX.
/// InvalidInput "retry-after: not a number of seconds or an HTTP date" otherwise.
Result<std::uint32_t> parse_retry_after_ms(std::string_view value, UnixSeconds server_now);

/// What one finished try of a request came to.
struct AttemptReport {
  Outcome outcome = Outcome::Fatal;
  /// From ClockOffset::learn for this response: a ClockSkew that taught us nothing is final.
  OffsetChange offset = OffsetChange::Unchanged;
  /// The server's Retry-After (parse_retry_after_ms), 0 when none: the backoff is at least this,
  /// up to the cap.
  std::uint32_t retry_after_ms = 0;
};

enum class RetryAction : std::uint8_t {
  Finish,  ///< stop and return this try's result (success, or an error that retrying cannot fix,
           ///< or the attempts are used up)
  Backoff, ///< wait RetryDecision::delay_ms, then try again (re-signed: the date moved)
  Resign,  ///< re-sign with the corrected clock and try again at once
};

struct RetryDecision {
  RetryAction action = RetryAction::Finish;
  std::uint32_t delay_ms = 0; ///< for Backoff
};

/// The retry loop's state for one request, without I/O: the caller sends, classifies, reports
/// here, and sleeps or re-signs as told:
///
///   RetryState state(policy);
///   for (;;) {
///     sign(offset.corrected(now)); send; outcome = classify(...); change = offset.learn(...);
///     RetryDecision next = state.next({outcome, change, retry_after_ms}, random);
///     if (next.action == RetryAction::Finish) return ...;
///     if (next.action == RetryAction::Backoff) platform::pause_ms(next.delay_ms);
///   }
class RetryState {
public:
  explicit RetryState(const RetryPolicy& policy) : m_policy(policy) {}

  /// Retry and Throttled back off while attempts remain; ClockSkew re-signs at once when the
  /// offset Changed and fewer than max_clock_skew_retries were made; everything else finishes.
  RetryDecision next(const AttemptReport& attempt, RandomSource& random);

  /// Tries reported that count against max_attempts (clock-skew retries do not).
  [[nodiscard]] std::uint32_t attempts() const { return m_attempts; }
  [[nodiscard]] std::uint32_t clock_skew_retries() const { return m_skew_retries; }
  /// Sum of the Backoff delays handed out, for logs and tests.
  [[nodiscard]] std::uint64_t total_delay_ms() const { return m_total_delay_ms; }

private:
  RetryPolicy m_policy;
  std::uint32_t m_attempts = 0;
  std::uint32_t m_skew_retries = 0;
  std::uint64_t m_total_delay_ms = 0;
};

} // namespace ec
