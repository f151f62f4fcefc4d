// tests/base/timestamp_test.cpp - Every timestamp form seen in CUR files and manifests.
#include "core/base/timestamp.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

std::string iso(std::string_view text) {
  Result<UnixSeconds> parsed = parse_timestamp(text);
  if (!parsed.ok())
    return std::string("error:") + parsed.error().message;
  char out[32];
  format_timestamp(parsed.value(), out, sizeof out);
  return out;
}

TEST(Timestamp, FormsSeenInRealFiles) {
  EXPECT_EQ(iso("2023-11-01T00:00:00.000Z"), "2023-11-01T00:00:00Z");
  EXPECT_EQ(iso("2023-11-01T13:59:59Z"), "2023-11-01T13:59:59Z");
  EXPECT_EQ(iso("2018-06-01 00:00:00"), "2018-06-01T00:00:00Z");
  EXPECT_EQ(iso("2022-07-01 01:00:00.000"), "2022-07-01T01:00:00Z");
  EXPECT_EQ(iso("20180501T000000.000Z"), "2018-05-01T00:00:00Z");
  EXPECT_EQ(iso("2024-02-29"), "2024-02-29T00:00:00Z");
  EXPECT_EQ(iso("2024-03-01T10:30Z"), "2024-03-01T10:30:00Z");
  EXPECT_EQ(iso("2024-03-01T10:30:00+02:00"), "2024-03-01T08:30:00Z");
  EXPECT_EQ(iso("2024-03-01T00:30:00-01:00"), "2024-03-01T01:30:00Z");
  EXPECT_EQ(iso("1969-12-31T23:00:00Z"), "1969-12-31T23:00:00Z");
  EXPECT_EQ(iso("2038-01-19T03:14:08Z"), "2038-01-19T03:14:08Z"); // past 32-bit time_t
}

TEST(Timestamp, RejectsImpossibleDates) {
  for (const char* text :
       {"2023-02-29T00:00:00Z", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-01T24:00:00Z",
        "2023-01-01T00:60:00Z", "2023-01-01T00:00:60Z"}) {
    Result<UnixSeconds> parsed = parse_timestamp(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_STREQ(parsed.error().message, "timestamp: date or time out of range") << text;
  }
  for (const char* text :
       {"", "2023", "2023-1-01", "2023-01-01T", "2023-01-01T00:00:00ZZ", "2023-01-01T00:00:00.Z",
        "2023/01/01", "2023-01-01X00:00:00", "2023-01-01T00:00:00+0"}) {
    EXPECT_FALSE(parse_timestamp(text).ok()) << text;
  }
}

TEST(Timestamp, HourFloorAndCivilRoundTrip) {
  EXPECT_EQ(hour_floor(3599), 0);
  EXPECT_EQ(hour_floor(3600), 3600);
  EXPECT_EQ(hour_floor(-1), -3600);
  for (UnixSeconds s = -5000000000LL; s < 8000000000LL; s += 86399 * 37) {
    CivilTime t = civil_from_seconds(s);
    ASSERT_EQ(seconds_from_civil(t), s);
  }
  char month[8];
  format_month(parse_timestamp("2023-11-30T23:59:59Z").value(), month, sizeof month);
  EXPECT_STREQ(month, "2023-11");
}

} // namespace
} // namespace ec
