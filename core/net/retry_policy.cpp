// core/net/retry_policy.cpp - Backoff delays, Retry-After and the retry decision for one request.
#include "core/net/retry_policy.h"

#include "core/net/http_date.h"

namespace ec {

std::uint32_t backoff_delay_ms(const RetryPolicy& policy, std::uint32_t retry_index,
                               RandomSource& random) {
  std::uint64_t ceiling = policy.cap_delay_ms;
  if (retry_index < 32) {
    std::uint64_t grown = static_cast<std::uint64_t>(policy.base_delay_ms) << retry_index;
    if (grown < ceiling)
      ceiling = grown;
  }
  // Lemire's multiply-shift: uniform over [0, ceiling] without a division (ceiling + 1 <= 2^32).
  std::uint64_t draw = static_cast<std::uint64_t>(random.next_u32()) * (ceiling + 1);
  return static_cast<std::uint32_t>(draw >> 32);
}

Result<std::uint32_t> parse_retry_after_ms(std::string_view value, UnixSeconds server_now) {
  constexpr Error kBad =
      make_error(ErrorCode::InvalidInput, "retry-after: not a number of seconds or an HTTP date");
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  if (value.empty())
    return kBad;
  constexpr std::uint64_t kMaxMs = UINT32_MAX;
  if (value.front() >= '0' && value.front() <= '9') {
    std::uint64_t seconds = 0;
    for (char c : value) {
      if (c < '0' || c > '9')
        return kBad;
      if (seconds <= kMaxMs) // past this it is clamped anyway: stop growing
        seconds = seconds * 10 + static_cast<std::uint64_t>(c - '0');
    }
    std::uint64_t ms = seconds > kMaxMs / 1000 ? kMaxMs : seconds * 1000;
    return static_cast<std::uint32_t>(ms);
  }
  Result<UnixSeconds> when = parse_http_date(value);
  if (!when.ok())
    return kBad;
  if (when.value() <= server_now)
    return std::uint32_t{0};
  auto seconds = static_cast<std::uint64_t>(when.value() - server_now);
  std::uint64_t ms = seconds > kMaxMs / 1000 ? kMaxMs : seconds * 1000;
  return static_cast<std::uint32_t>(ms);
}

RetryDecision RetryState::next(const AttemptReport& attempt, RandomSource& random) {
  if (attempt.outcome == Outcome::ClockSkew && attempt.offset == OffsetChange::Changed &&
      m_skew_retries < m_policy.max_clock_skew_retries) {
    ++m_skew_retries;
    return {RetryAction::Resign, 0};
  }
  ++m_attempts;
  switch (attempt.outcome) {
  case Outcome::Retry:
  case Outcome::Throttled: {
    std::uint32_t allowed = m_policy.max_attempts == 0 ? 1 : m_policy.max_attempts;
    if (m_attempts >= allowed)
      return {RetryAction::Finish, 0};
    std::uint32_t delay = backoff_delay_ms(m_policy, m_attempts - 1, random);
    std::uint32_t floor = attempt.retry_after_ms < m_policy.cap_delay_ms ? attempt.retry_after_ms
                                                                         : m_policy.cap_delay_ms;
    if (delay < floor)
      delay = floor;
    m_total_delay_ms += delay;
    return {RetryAction::Backoff, delay};
  }
  case Outcome::Success:
  case Outcome::ClockSkew:
  case Outcome::Auth:
  case Outcome::NotFound:
  case Outcome::Fatal:
    return {RetryAction::Finish, 0};
  }
  return {RetryAction::Finish, 0};
}

} // namespace ec
