// core/base/timestamp.cpp - Civil-time arithmetic and the CUR timestamp parser.
#include "core/base/timestamp.h"

#include <cstdio>

namespace ec {

std::int64_t days_from_civil(int year, int month, int day) {
  std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t year_of_era = y - era * 400;
  std::int64_t shifted_month = month > 2 ? month - 3 : month + 9;
  std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

CivilTime civil_from_seconds(UnixSeconds seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t day_of_era = days - era * 146097;
  std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
  CivilTime time;
  time.day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  time.month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  time.year = static_cast<int>(year_of_era + era * 400 + (time.month <= 2 ? 1 : 0));
  time.hour = static_cast<int>(rest / 3600);
  time.minute = static_cast<int>((rest % 3600) / 60);
  time.second = static_cast<int>(rest % 60);
  return time;
}

UnixSeconds seconds_from_civil(const CivilTime& time) {
  return days_from_civil(time.year, time.month, time.day) * 86400 + time.hour * 3600 +
         time.minute * 60 + time.second;
}

static bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

namespace {
// A cursor over the text that reads fixed-width digit groups.
struct Reader {
  const char* at;
  const char* end;

  bool digits(int count, int& out) {
    if (end - at < count)
      return false;
    int value = 0;
    for (int i = 0; i < count; ++i) {
      unsigned digit = static_cast<unsigned>(at[i] - '0');
      if (digit > 9)
        return false;
      value = value * 10 + static_cast<int>(digit);
    }
    at += count;
    out = value;
    return true;
  }
  bool accept(char c) {
    if (at != end && *at == c) {
      ++at;
      return true;
    }
    return false;
  }
  [[nodiscard]] bool done() const { return at == end; }
};
} // namespace

static constexpr Error kBadTimestamp =
    make_error(ErrorCode::InvalidInput, "timestamp: not a UTC date-time");
static constexpr Error kTimestampRange =
    make_error(ErrorCode::InvalidInput, "timestamp: date or time out of range");

Result<UnixSeconds> parse_timestamp(std::string_view text) {
  Reader reader{text.data(), text.data() + text.size()};
  CivilTime time;
  if (!reader.digits(4, time.year))
    return kBadTimestamp;
  bool compact = !reader.accept('-');
  if (!reader.digits(2, time.month))
    return kBadTimestamp;
  if (!compact && !reader.accept('-'))
    return kBadTimestamp;
  if (!reader.digits(2, time.day))
    return kBadTimestamp;
  if (time.month < 1 || time.month > 12 || time.day < 1 ||
      time.day > days_in_month(time.year, time.month))
    return kTimestampRange;
  if (reader.done() && !compact)
    return seconds_from_civil(time);
  if (!reader.accept('T') && (compact || !reader.accept(' ')))
    return kBadTimestamp;
  if (!reader.digits(2, time.hour))
    return kBadTimestamp;
  if (!compact && !reader.accept(':'))
    return kBadTimestamp;
  if (!reader.digits(2, time.minute))
    return kBadTimestamp;
  bool has_seconds = compact ? true : reader.accept(':');
  if (has_seconds && !reader.digits(2, time.second))
    return kBadTimestamp;
  if (time.hour > 23 || time.minute > 59 || time.second > 59)
    return kTimestampRange;
  if (has_seconds && reader.accept('.')) {
    int digit = 0;
    int fraction_digits = 0;
    while (reader.digits(1, digit))
      ++fraction_digits;
    if (fraction_digits == 0)
      return kBadTimestamp;
  }
  UnixSeconds seconds = seconds_from_civil(time);
  if (reader.done())
    return seconds;
  if (reader.accept('Z'))
    return reader.done() ? Result<UnixSeconds>(seconds) : Result<UnixSeconds>(kBadTimestamp);
  bool ahead = reader.accept('+');
  if (!ahead && !reader.accept('-'))
    return kBadTimestamp;
  int offset_hours = 0;
  int offset_minutes = 0;
  if (!reader.digits(2, offset_hours))
    return kBadTimestamp;
  reader.accept(':');
  if (!reader.digits(2, offset_minutes) || !reader.done())
    return kBadTimestamp;
  if (offset_hours > 23 || offset_minutes > 59)
    return kTimestampRange;
  UnixSeconds offset = offset_hours * 3600 + offset_minutes * 60;
  return ahead ? seconds - offset : seconds + offset;
}

std::size_t format_timestamp(UnixSeconds seconds, char* out, std::size_t out_size) {
  CivilTime time = civil_from_seconds(seconds);
  int length = std::snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02dZ", time.year, time.month,
                             time.day, time.hour, time.minute, time.second);
  return length < 0 ? 0 : static_cast<std::size_t>(length);
}

std::size_t format_month(UnixSeconds seconds, char* out, std::size_t out_size) {
  CivilTime time = civil_from_seconds(seconds);
  int length = std::snprintf(out, out_size, "%04d-%02d", time.year, time.month);
  return length < 0 ? 0 : static_cast<std::size_t>(length);
}

} // namespace ec
