// tests/net/clock_offset_test.cpp - Learning the server's clock from Date headers and skew errors.
#include "core/net/clock_offset.h"
#include "core/net/http_date.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

constexpr UnixSeconds kServerNow = 1717243200; // Sat, 01 Jun 2024 12:00:00 GMT

std::string date(UnixSeconds seconds) {
  char out[30];
  return std::string(out, format_http_date(seconds, out, sizeof out));
}

TEST(ClockOffset, LocalClockTenMinutesSlowIsCorrectedEvenOnSuccess) {
  ClockOffset offset;
  UnixSeconds local = kServerNow - 600;
  DateCheck check = offset.check(date(kServerNow), local);
  EXPECT_EQ(check.skew, DateSkew::Skewed);
  EXPECT_EQ(check.drift_seconds, 600);
  EXPECT_EQ(offset.learn(check, Outcome::Success), OffsetChange::Changed);
  EXPECT_EQ(offset.seconds(), 600);
  EXPECT_EQ(offset.corrected(local + 5), kServerNow + 5);
  // The next response agrees with the corrected clock: nothing changes.
  DateCheck again = offset.check(date(kServerNow + 30), local + 31);
  EXPECT_EQ(again.skew, DateSkew::Within);
  EXPECT_EQ(again.drift_seconds, -1);
  EXPECT_EQ(offset.learn(again, Outcome::Success), OffsetChange::Unchanged);
  EXPECT_EQ(offset.seconds(), 600);
}

TEST(ClockOffset, LocalClockAheadGivesANegativeOffset) {
  ClockOffset offset;
  UnixSeconds local = kServerNow + 3 * 3600;
  DateCheck check = offset.check("Sat, 01 Jun 2024 12:00:00 GMT", local);
  EXPECT_EQ(offset.learn(check, Outcome::Fatal), OffsetChange::Changed);
  EXPECT_EQ(offset.seconds(), -3 * 3600);
}

TEST(ClockOffset, ThresholdIsFourMinutes) {
  ClockOffset offset;
  EXPECT_EQ(offset.check(date(kServerNow), kServerNow - 239).skew, DateSkew::Within);
  EXPECT_EQ(offset.check(date(kServerNow), kServerNow - 240).skew, DateSkew::Skewed);
  EXPECT_EQ(offset.check(date(kServerNow), kServerNow + 240).skew, DateSkew::Skewed);
  DateCheck small = offset.check(date(kServerNow), kServerNow - 239);
  EXPECT_EQ(offset.learn(small, Outcome::Success), OffsetChange::Unchanged);
  EXPECT_EQ(offset.seconds(), 0);
}

TEST(ClockOffset, SkewErrorTeachesEvenASmallOffset) {
  // InvalidSignatureException "Signature expired" with a Date 3 minutes off (the request spent
  // time in a queue): the server is the authority.
  ClockOffset offset;
  DateCheck check = offset.check(date(kServerNow), kServerNow - 180);
  EXPECT_EQ(check.skew, DateSkew::Within);
  EXPECT_EQ(offset.learn(check, Outcome::ClockSkew), OffsetChange::Changed);
  EXPECT_EQ(offset.seconds(), 180);
  // The same skew error again with nothing new to learn: Unchanged, so the retry loop stops.
  EXPECT_EQ(offset.learn(check, Outcome::ClockSkew), OffsetChange::Unchanged);
}

TEST(ClockOffset, NoDateTeachesNothing) {
  ClockOffset offset;
  for (const char* header : {"", "yesterday", "2024-06-01T12:00:00Z"}) {
    DateCheck check = offset.check(header, kServerNow - 3600);
    EXPECT_EQ(check.skew, DateSkew::Unknown) << header;
    EXPECT_EQ(offset.learn(check, Outcome::ClockSkew), OffsetChange::Unchanged) << header;
  }
  EXPECT_EQ(offset.seconds(), 0);
}

TEST(ClockOffset, ReturnsToZeroWhenNtpFixesTheLocalClock) {
  ClockOffset offset;
  offset.set_seconds(900);
  DateCheck check = offset.check(date(kServerNow), kServerNow); // local now right
  EXPECT_EQ(check.skew, DateSkew::Skewed);
  EXPECT_EQ(check.drift_seconds, -900);
  EXPECT_EQ(offset.learn(check, Outcome::Success), OffsetChange::Changed);
  EXPECT_EQ(offset.seconds(), 0);
}

TEST(ClockOffset, SignatureDoesNotMatchWithASkewedDateIsClockSkew) {
  ClockOffset offset;
  DateCheck check = offset.check(date(kServerNow), kServerNow - 20 * 60);
  Outcome outcome = classify(403, "SignatureDoesNotMatch", "", check.skew);
  EXPECT_EQ(outcome, Outcome::ClockSkew);
  EXPECT_EQ(offset.learn(check, outcome), OffsetChange::Changed);
  EXPECT_EQ(offset.seconds(), 20 * 60);
  // Re-signed with the corrected clock, the same error again is a wrong secret.
  DateCheck after = offset.check(date(kServerNow + 2), kServerNow - 20 * 60 + 2);
  EXPECT_EQ(classify(403, "SignatureDoesNotMatch", "", after.skew), Outcome::Auth);
}

} // namespace
} // namespace ec
