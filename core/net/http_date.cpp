// core/net/http_date.cpp - The HTTP date parser: a cursor over fixed fields, no locale, no libc
// time.
#include "core/net/http_date.h"

#include "core/base/ascii.h"

#include <cstdint>

namespace ec {

namespace {

constexpr std::string_view kShortDays[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view kLongDays[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr Error kNotADate = make_error(ErrorCode::InvalidInput, "http-date: not an HTTP date");
constexpr Error kOutOfRange =
    make_error(ErrorCode::InvalidInput, "http-date: date or time out of range");

bool same_letters(std::string_view a, std::string_view b) {
  return equals_ignoring_case(a, b);
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

struct Cursor {
  std::string_view rest;

  bool literal(std::string_view text) {
    if (rest.substr(0, text.size()) != text)
      return false;
    rest.remove_prefix(text.size());
    return true;
  }
  bool digits(std::size_t count, int& out) {
    if (rest.size() < count)
      return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      auto digit = static_cast<unsigned>(rest[i] - '0');
      if (digit > 9)
        return false;
      value = value * 10 + static_cast<int>(digit);
    }
    rest.remove_prefix(count);
    out = value;
    return true;
  }
  /// One of `names` (case-insensitive); its index in `index`.
  template <std::size_t N> bool name(const std::string_view (&names)[N], int& index) {
    for (std::size_t i = 0; i < N; ++i) {
      if (same_letters(rest.substr(0, names[i].size()), names[i])) {
        rest.remove_prefix(names[i].size());
        index = static_cast<int>(i) + 1;
        return true;
      }
    }
    return false;
  }
  /// "HH:MM:SS"
  bool time_of_day(CivilTime& time) {
    return digits(2, time.hour) && literal(":") && digits(2, time.minute) && literal(":") &&
           digits(2, time.second);
  }
};

// "06 Nov 1994 08:49:37 GMT" after "Sun, "
bool parse_imf_rest(Cursor& at, CivilTime& time) {
  return at.digits(2, time.day) && at.literal(" ") && at.name(kMonths, time.month) &&
         at.literal(" ") && at.digits(4, time.year) && at.literal(" ") && at.time_of_day(time) &&
         at.literal(" GMT") && at.rest.empty();
}

// "06-Nov-94 08:49:37 GMT" after "Sunday, "
bool parse_rfc850_rest(Cursor& at, CivilTime& time) {
  int year2 = 0;
  if (!(at.digits(2, time.day) && at.literal("-") && at.name(kMonths, time.month) &&
        at.literal("-") && at.digits(2, year2) && at.literal(" ") && at.time_of_day(time) &&
        at.literal(" GMT") && at.rest.empty()))
    return false;
  time.year = year2 >= 70 ? 1900 + year2 : 2000 + year2;
  return true;
}

// "Nov  6 08:49:37 1994" after "Sun "
bool parse_asctime_rest(Cursor& at, CivilTime& time) {
  if (!(at.name(kMonths, time.month) && at.literal(" ")))
    return false;
  if (at.literal(" ")) { // " 6": a one-digit day padded with a space
    if (!at.digits(1, time.day))
      return false;
  } else if (!at.digits(2, time.day)) {
    return false;
  }
  return at.literal(" ") && at.time_of_day(time) && at.literal(" ") && at.digits(4, time.year) &&
         at.rest.empty();
}

} // namespace

Result<UnixSeconds> parse_http_date(std::string_view text) {
  Cursor at{trim_ascii(text)};
  CivilTime time;
  int weekday = 0;
  bool parsed = false;
  if (at.name(kLongDays, weekday)) {
    parsed = at.literal(", ") && parse_rfc850_rest(at, time);
  } else if (at.name(kShortDays, weekday)) {
    if (at.literal(", "))
      parsed = parse_imf_rest(at, time);
    else if (at.literal(" "))
      parsed = parse_asctime_rest(at, time);
  }
  if (!parsed)
    return kNotADate;
  if (time.month < 1 || time.month > 12 || time.day < 1 ||
      time.day > days_in_month(time.year, time.month) || time.hour > 23 || time.minute > 59 ||
      time.second > 60)
    return kOutOfRange;
  return seconds_from_civil(time);
}

std::size_t format_http_date(UnixSeconds seconds, char* out, std::size_t out_size) {
  constexpr std::size_t kLength = 29;
  if (out_size < kLength + 1)
    return 0;
  CivilTime time = civil_from_seconds(seconds);
  if (time.year < 0 || time.year > 9999)
    return 0;
  std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  auto weekday = static_cast<std::size_t>(((days % 7) + 11) % 7); // 1970-01-01 was a Thursday
  std::string_view day_name = kShortDays[weekday];
  std::string_view month_name = kMonths[time.month - 1];
  auto put2 = [](char* at, int value) {
    at[0] = static_cast<char>('0' + value / 10);
    at[1] = static_cast<char>('0' + value % 10);
  };
  char* at = out;
  for (char c : day_name)
    *at++ = c;
  *at++ = ',';
  *at++ = ' ';
  put2(at, time.day);
  at += 2;
  *at++ = ' ';
  for (char c : month_name)
    *at++ = c;
  *at++ = ' ';
  put2(at, time.year / 100);
  put2(at + 2, time.year % 100);
  at += 4;
  *at++ = ' ';
  put2(at, time.hour);
  at[2] = ':';
  put2(at + 3, time.minute);
  at[5] = ':';
  put2(at + 6, time.second);
  at += 8;
  for (char c : std::string_view(" GMT"))
    *at++ = c;
  *at = '\0';
  return kLength;
}

} // namespace ec
