// tests/net/retry_policy_test.cpp - Full-jitter delays, Retry-After, and the retry decisions.
#include "core/net/retry_policy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace ec {
namespace {

/// Hands out the given values in order, then repeats the last.
class SequenceRandom final : public RandomSource {
public:
  explicit SequenceRandom(std::vector<std::uint32_t> values) : m_values(std::move(values)) {}
  std::uint32_t next_u32() override {
    std::uint32_t value = m_values[m_next < m_values.size() ? m_next : m_values.size() - 1];
    ++m_next;
    return value;
  }
  std::size_t drawn() const { return m_next; }

private:
  std::vector<std::uint32_t> m_values;
  std::size_t m_next = 0;
};

constexpr std::uint32_t kMax = UINT32_MAX;
constexpr std::uint32_t kHalf = 0x80000000u;

RetryPolicy policy(std::uint32_t attempts, std::uint32_t base, std::uint32_t cap) {
  RetryPolicy result;
  result.max_attempts = attempts;
  result.base_delay_ms = base;
  result.cap_delay_ms = cap;
  return result;
}

TEST(Backoff, CeilingDoublesUpToTheCap) {
  RetryPolicy p = policy(10, 100, 1000);
  SequenceRandom top({kMax});
  std::vector<std::uint32_t> ceilings;
  for (std::uint32_t index : {0u, 1u, 2u, 3u, 4u, 5u, 31u, 32u, 40u, 4000000000u})
    ceilings.push_back(backoff_delay_ms(p, index, top));
  EXPECT_EQ(ceilings,
            (std::vector<std::uint32_t>{100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000}));
}

TEST(Backoff, FullJitterSpansZeroToTheCeiling) {
  RetryPolicy p = policy(10, 100, 1000);
  SequenceRandom zero({0});
  EXPECT_EQ(backoff_delay_ms(p, 3, zero), 0u);
  SequenceRandom half({kHalf});
  EXPECT_EQ(backoff_delay_ms(p, 3, half), 400u); // floor(801 / 2)
  SequenceRandom quarter({kHalf / 2});
  EXPECT_EQ(backoff_delay_ms(p, 0, quarter), 25u); // floor(101 / 4)
}

TEST(Backoff, HugeBaseAndCapDoNotOverflow) {
  RetryPolicy p = policy(10, kMax, kMax);
  SequenceRandom top({kMax});
  EXPECT_EQ(backoff_delay_ms(p, 31, top), kMax); // (2^32-1) * 2^32 >> 32: the ceiling itself
  SequenceRandom zero({0});
  EXPECT_EQ(backoff_delay_ms(p, 31, zero), 0u);
}

TEST(Backoff, SplitMixIsUniformEnoughAndReproducible) {
  RetryPolicy p = policy(10, 1000, 20000);
  SplitMix64 random(42);
  std::uint64_t sum = 0;
  std::uint32_t low = kMax, high = 0;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) {
    std::uint32_t delay = backoff_delay_ms(p, 2, random); // ceiling 4000
    ASSERT_LE(delay, 4000u);
    sum += delay;
    low = delay < low ? delay : low;
    high = delay > high ? delay : high;
  }
  double mean = static_cast<double>(sum) / kDraws;
  EXPECT_NEAR(mean, 2000.0, 60.0);
  EXPECT_LT(low, 20u);
  EXPECT_GT(high, 3980u);
  SplitMix64 a(7), b(7), c(8);
  EXPECT_EQ(a.next_u32(), b.next_u32());
  EXPECT_NE(SplitMix64(7).next_u32(), c.next_u32());
}

TEST(RetryState, BacksOffUntilAttemptsAreUsedUp) {
  RetryState state(policy(3, 100, 1000));
  SequenceRandom random({kMax});
  RetryDecision first = state.next({Outcome::Retry}, random);
  EXPECT_EQ(first.action, RetryAction::Backoff);
  EXPECT_EQ(first.delay_ms, 100u);
  RetryDecision second = state.next({Outcome::Throttled}, random);
  EXPECT_EQ(second.action, RetryAction::Backoff);
  EXPECT_EQ(second.delay_ms, 200u);
  RetryDecision third = state.next({Outcome::Retry}, random);
  EXPECT_EQ(third.action, RetryAction::Finish); // 3 tries made: no fourth
  EXPECT_EQ(state.attempts(), 3u);
  EXPECT_EQ(state.total_delay_ms(), 300u);
  EXPECT_EQ(random.drawn(), 2u); // no random draw for the final decision
}

TEST(RetryState, SuccessAndPermanentErrorsFinishAtOnce) {
  SequenceRandom random({kMax});
  for (Outcome outcome : {Outcome::Success, Outcome::Auth, Outcome::NotFound, Outcome::Fatal}) {
    RetryState state(policy(5, 100, 1000));
    RetryDecision decision = state.next({outcome}, random);
    EXPECT_EQ(decision.action, RetryAction::Finish) << outcome_name(outcome);
    EXPECT_EQ(state.attempts(), 1u);
  }
  EXPECT_EQ(random.drawn(), 0u);
}

TEST(RetryState, ZeroRetriesMeansOneTry) {
  SequenceRandom random({kMax});
  RetryState none(retry_policy_for_retries(0));
  EXPECT_EQ(none.next({Outcome::Retry}, random).action, RetryAction::Finish);
  RetryState zero_attempts(policy(0, 100, 1000));
  EXPECT_EQ(zero_attempts.next({Outcome::Throttled}, random).action, RetryAction::Finish);
  EXPECT_EQ(retry_policy_for_retries(5).max_attempts, 6u);
  EXPECT_EQ(retry_policy_for_retries(kMax).max_attempts, kMax);
}

TEST(RetryState, ClockSkewResignsAtOnceWithoutUsingAttemptsButIsBounded) {
  RetryState state(policy(2, 100, 1000));
  SequenceRandom random({kMax});
  AttemptReport skew{Outcome::ClockSkew, OffsetChange::Changed, 0};
  EXPECT_EQ(state.next(skew, random).action, RetryAction::Resign);
  EXPECT_EQ(state.next(skew, random).action, RetryAction::Resign);
  EXPECT_EQ(state.attempts(), 0u);
  EXPECT_EQ(state.clock_skew_retries(), 2u);
  // A third skew in a row: kMaxClockSkewRetries reached, the error is returned.
  EXPECT_EQ(state.next(skew, random).action, RetryAction::Finish);
  EXPECT_EQ(state.attempts(), 1u);
  EXPECT_EQ(state.total_delay_ms(), 0u);
}

TEST(RetryState, ClockSkewThatTaughtNothingFinishes) {
  RetryState state(policy(5, 100, 1000));
  SequenceRandom random({kMax});
  EXPECT_EQ(state.next({Outcome::ClockSkew, OffsetChange::Unchanged, 0}, random).action,
            RetryAction::Finish);
}

TEST(RetryState, SkewThenBackoffThenSuccess) {
  RetryState state(policy(3, 100, 1000));
  SequenceRandom random({0});
  EXPECT_EQ(state.next({Outcome::ClockSkew, OffsetChange::Changed, 0}, random).action,
            RetryAction::Resign);
  RetryDecision wait = state.next({Outcome::Throttled}, random);
  EXPECT_EQ(wait.action, RetryAction::Backoff);
  EXPECT_EQ(wait.delay_ms, 0u);
  EXPECT_EQ(state.next({Outcome::Retry}, random).action, RetryAction::Backoff);
  EXPECT_EQ(state.next({Outcome::Success}, random).action, RetryAction::Finish);
  EXPECT_EQ(state.attempts(), 3u);
  EXPECT_EQ(state.clock_skew_retries(), 1u);
}

TEST(RetryState, RetryAfterIsAFloorUpToTheCap) {
  SequenceRandom random({0});
  RetryState state(policy(5, 100, 10000));
  RetryDecision honoured = state.next({Outcome::Throttled, OffsetChange::Unchanged, 5000}, random);
  EXPECT_EQ(honoured.delay_ms, 5000u);
  RetryDecision capped = state.next({Outcome::Throttled, OffsetChange::Unchanged, 60000}, random);
  EXPECT_EQ(capped.delay_ms, 10000u);
  SequenceRandom top({kMax});
  RetryDecision jitter_wins = state.next({Outcome::Retry, OffsetChange::Unchanged, 10}, top);
  EXPECT_EQ(jitter_wins.delay_ms, 400u);
}

TEST(RetryAfter, SecondsAndDates) {
  constexpr UnixSeconds kNow = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT
  struct Case {
    const char* text;
    std::uint32_t ms;
  };
  for (Case c : {Case{"120", 120000}, Case{" 0 ", 0}, Case{"1", 1000},
                 Case{"Sun, 06 Nov 1994 08:51:37 GMT", 120000},
                 Case{"Sun, 06 Nov 1994 08:00:00 GMT", 0}, Case{"4294967", 4294967000u},
                 Case{"4294968", kMax}, Case{"99999999999999999999999", kMax}}) {
    Result<std::uint32_t> parsed = parse_retry_after_ms(c.text, kNow);
    ASSERT_TRUE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.value(), c.ms) << c.text;
  }
  for (const char* bad : {"", "-5", "1.5", "soon", "12s"}) {
    Result<std::uint32_t> parsed = parse_retry_after_ms(bad, kNow);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_STREQ(parsed.error().message, "retry-after: not a number of seconds or an HTTP date");
  }
}

} // namespace
} // namespace ec
