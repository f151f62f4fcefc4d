// tests/http/http_retry_test.cpp - The retry loop as firmware will write it (sign, send, classify,
// learn the clock, back off), run against the peer: 503 SlowDown twice, then 200.
#include "core/net/aws_error.h"
#include "core/net/clock_offset.h"
#include "core/net/retry_policy.h"
#include "platform/http_client.h"
#include "platform/system_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "tests/http/http_test_peer.h"

namespace ec::platform {
namespace {

using test::formatted;
using test::http_peer;
using test::TextSink;

class FixedRandom final : public RandomSource {
public:
  std::uint32_t next_u32() override { return UINT32_MAX; } // always the ceiling
};

struct LoopResult {
  std::vector<Outcome> outcomes;
  std::vector<std::uint32_t> delays;
  std::vector<std::string> request_ids;
  std::uint16_t status = 0;
  std::string body;
  Error error;
  bool failed = false;
};

// One request through RetryState, the way a caller is meant to drive it.
LoopResult run(HttpClient& client, const std::string& url, const RetryPolicy& policy,
               ClockOffset& offset) {
  LoopResult result;
  RetryState state(policy);
  FixedRandom random;
  for (;;) {
    // (sign here with offset.corrected(now))
    TextSink sink;
    Result<HttpResponse> response = client.send(HttpRequest{HttpMethod::Get, url, {}, {}}, sink);
    AttemptReport report;
    if (!response.ok()) {
      report.outcome = classify_transport(response.error());
      result.error = response.error();
      result.failed = true;
    } else {
      const HttpResponse& value = response.value();
      result.failed = false;
      result.status = value.status;
      result.body = sink.text;
      result.request_ids.emplace_back(value.headers.request_id());
      DateCheck check = offset.check(value.headers.date(), time(nullptr));
      AwsError error = parse_aws_error(value.body);
      report.outcome = classify(value.status, error.code, error.message, check.skew);
      report.offset = offset.learn(check, report.outcome);
      Result<std::uint32_t> wait = parse_retry_after_ms(value.headers.retry_after(), check.server);
      report.retry_after_ms = wait.ok() ? wait.value() : 0;
    }
    result.outcomes.push_back(report.outcome);
    RetryDecision next = state.next(report, random);
    if (next.action == RetryAction::Finish)
      return result;
    if (next.action == RetryAction::Backoff) {
      result.delays.push_back(next.delay_ms);
      pause_ms(next.delay_ms);
    }
  }
}

class RetryLoopTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(http_peer().http, 0) << "tests/http/http_peer.py did not start";
    HttpSettings settings;
    settings.connect_timeout_ms = 3000;
    settings.total_timeout_ms = 10000;
    ASSERT_TRUE(client.open(settings).ok());
  }
  static std::string key() { // each test its own counter on the peer
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    return std::string(info->name()) + std::to_string(getpid());
  }
  HttpClient client;
  ClockOffset offset;
};

RetryPolicy fast_policy(std::uint32_t retries) {
  RetryPolicy policy = retry_policy_for_retries(retries);
  policy.base_delay_ms = 20;
  policy.cap_delay_ms = 50;
  return policy;
}

TEST_F(RetryLoopTest, SlowDownTwiceThenSuccess) {
  std::string url = http_peer().url("/flaky?key=" + key() + "&failures=2&code=503&aws=SlowDown");
  auto start = std::chrono::steady_clock::now();
  LoopResult result = run(client, url, fast_policy(5), offset);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.failed) << formatted(result.error);
  EXPECT_EQ(result.outcomes,
            (std::vector<Outcome>{Outcome::Throttled, Outcome::Throttled, Outcome::Success}));
  EXPECT_EQ(result.delays, (std::vector<std::uint32_t>{20, 40})); // full jitter at its ceiling
  EXPECT_EQ(result.request_ids,
            (std::vector<std::string>{"REQ-FLAKY-1", "REQ-FLAKY-2", "REQ-FLAKY-3"}));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok after 2 failures");
  EXPECT_GE(elapsed, std::chrono::milliseconds(60));
  EXPECT_EQ(offset.seconds(), 0); // the peer's clock is this machine's
}

TEST_F(RetryLoopTest, GivesUpAfterTheLastAttempt) {
  std::string url =
      http_peer().url("/flaky?key=" + key() + "&failures=10&code=500&aws=InternalError");
  LoopResult result = run(client, url, fast_policy(2), offset);
  EXPECT_EQ(result.outcomes,
            (std::vector<Outcome>{Outcome::Retry, Outcome::Retry, Outcome::Retry}));
  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(result.request_ids.back(), "REQ-FLAKY-3");
}

TEST_F(RetryLoopTest, RetryAfterIsHonouredUpToTheCap) {
  std::string url =
      http_peer().url("/flaky?key=" + key() + "&failures=1&code=503&aws=SlowDown&retry_after=1");
  RetryPolicy policy = fast_policy(3);
  policy.cap_delay_ms = 300; // Retry-After says 1000 ms
  LoopResult result = run(client, url, policy, offset);
  EXPECT_EQ(result.delays, (std::vector<std::uint32_t>{300}));
  EXPECT_EQ(result.status, 200);
}

TEST_F(RetryLoopTest, AccessDeniedIsNotRetried) {
  std::string url =
      http_peer().url("/flaky?key=" + key() + "&failures=5&code=403&aws=AccessDenied");
  LoopResult result = run(client, url, fast_policy(5), offset);
  EXPECT_EQ(result.outcomes, (std::vector<Outcome>{Outcome::Auth}));
}

TEST_F(RetryLoopTest, SkewedServerDateIsLearnedAndTheRequestResignedAtOnce) {
  // RequestTimeTooSkewed with a Date an hour ahead of this machine: the offset is learned and the
  // request re-signed at once, without a backoff and without using an attempt.
  std::string url = http_peer().url(
      "/flaky?key=" + key() + "&failures=1&code=403&aws=RequestTimeTooSkewed&date_offset=3600");
  LoopResult result = run(client, url, fast_policy(0), offset); // no retries: skew still allowed
  EXPECT_EQ(result.outcomes, (std::vector<Outcome>{Outcome::ClockSkew, Outcome::Success}));
  EXPECT_TRUE(result.delays.empty());
  EXPECT_NEAR(static_cast<double>(offset.seconds()), 3600.0, 2.0);
  EXPECT_EQ(result.status, 200);
}

TEST_F(RetryLoopTest, ServerThatKeepsSayingSkewedIsNotResignedForever) {
  std::string url = http_peer().url(
      "/flaky?key=" + key() + "&failures=100&code=403&aws=RequestTimeTooSkewed&date_offset=-900");
  LoopResult result = run(client, url, fast_policy(5), offset);
  // Once the offset is learned the same answer teaches nothing new and ends the loop; a Date that
  // crosses a second boundary may teach one more second, but never more than
  // kMaxClockSkewRetries re-signs happen.
  ASSERT_GE(result.outcomes.size(), 2u);
  ASSERT_LE(result.outcomes.size(), kMaxClockSkewRetries + 1);
  for (Outcome outcome : result.outcomes)
    EXPECT_EQ(outcome, Outcome::ClockSkew);
  EXPECT_TRUE(result.delays.empty());
  EXPECT_NEAR(static_cast<double>(offset.seconds()), -900.0, 2.0);
  EXPECT_EQ(result.status, 403);
}

TEST_F(RetryLoopTest, UnreachableServerIsRetriedAsTransport) {
  std::string url = "http://127.0.0.1:1/nothing-listens";
  LoopResult result = run(client, url, fast_policy(2), offset);
  ASSERT_TRUE(result.failed);
  EXPECT_STREQ(result.error.message, "http: cannot connect");
  EXPECT_EQ(result.outcomes,
            (std::vector<Outcome>{Outcome::Retry, Outcome::Retry, Outcome::Retry}));
}

} // namespace
} // namespace ec::platform
