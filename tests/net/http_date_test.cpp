// tests/net/http_date_test.cpp - The three HTTP date forms, impossible dates, and formatting back.
#include "core/net/http_date.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

constexpr UnixSeconds kRfcExample = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110)

std::string formatted(UnixSeconds seconds) {
  char out[30];
  std::size_t length = format_http_date(seconds, out, sizeof out);
  return std::string(out, length);
}

TEST(HttpDate, ParsesTheThreeFormsOfTheSameInstant) {
  for (const char* text : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994", "Sun Nov 06 08:49:37 1994",
                           "  Sun, 06 Nov 1994 08:49:37 GMT\t", "sun, 06 NOV 1994 08:49:37 GMT"}) {
    Result<UnixSeconds> parsed = parse_http_date(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    EXPECT_EQ(parsed.value(), kRfcExample) << text;
  }
}

TEST(HttpDate, DatesAwsSends) {
  Result<UnixSeconds> parsed = parse_http_date("Tue, 19 Jan 2038 03:14:08 GMT"); // past 32-bit
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value(), 2147483648);
  Result<UnixSeconds> leap = parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT");
  ASSERT_TRUE(leap.ok());
  EXPECT_EQ(leap.value(), 1709251199);
}

TEST(HttpDate, Rfc850TwoDigitYearPivotsAt70) {
  Result<UnixSeconds> epoch = parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT");
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(epoch.value(), 0);
  Result<UnixSeconds> later = parse_http_date("Monday, 01-Jan-69 00:00:00 GMT");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(formatted(later.value()), "Tue, 01 Jan 2069 00:00:00 GMT"); // weekday not checked
}

TEST(HttpDate, RejectsWhatIsNotAnHttpDate) {
  for (const char* text :
       {"", "   ", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 08:49:37 GMT x", "Sun 06 Nov 1994",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "2024-01-01T00:00:00Z", "1700000000",
        "Sun Nov  6 08:49:37 94", "Sunday, 06 Nov 1994 08:49:37 GMT"}) {
    Result<UnixSeconds> parsed = parse_http_date(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput) << text;
    EXPECT_STREQ(parsed.error().message, "http-date: not an HTTP date") << text;
  }
}

TEST(HttpDate, RejectsImpossibleDatesAndTimes) {
  for (const char* text : {"Wed, 31 Apr 2024 00:00:00 GMT", "Wed, 29 Feb 2023 00:00:00 GMT",
                           "Wed, 00 Jan 2024 00:00:00 GMT", "Wed, 01 Jan 2024 24:00:00 GMT",
                           "Wed, 01 Jan 2024 00:60:00 GMT", "Wed, 01 Jan 2024 00:00:61 GMT"}) {
    Result<UnixSeconds> parsed = parse_http_date(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_STREQ(parsed.error().message, "http-date: date or time out of range") << text;
  }
  Result<UnixSeconds> leap_second = parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT");
  ASSERT_TRUE(leap_second.ok());
  EXPECT_EQ(leap_second.value(), 1483228800); // the instant after 23:59:59
}

TEST(HttpDate, FormatsImfFixdateWithTheRightWeekday) {
  EXPECT_EQ(formatted(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(formatted(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(formatted(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(formatted(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT");
  char small[29];
  EXPECT_EQ(format_http_date(0, small, sizeof small), 0u);
}

TEST(HttpDate, FormatThenParseRoundTrips) {
  for (UnixSeconds seconds = -86400LL * 365 * 30; seconds < 86400LL * 365 * 100;
       seconds += 86400LL * 17 + 3607) {
    std::string text = formatted(seconds);
    Result<UnixSeconds> parsed = parse_http_date(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(parsed.value(), seconds) << text;
  }
}

} // namespace
} // namespace ec
