// core/report/report_writer.cpp - Formatting of report rows into csv, table and json text.
#include "core/report/report_writer.h"

#include "core/base/decimal.h"
#include "core/base/timestamp.h"

namespace ec {

namespace {

// Room kept free before each row or totals line: the longest one is a json row, about 480 bytes
// with 19-digit account ids and 47-character costs, plus an account name of at most
// kAccountNameMaxBytes that escaping may double (control characters never reach it).
constexpr std::size_t kMaxLineBytes = 1024;
static_assert(kReportBufferBytes >= 2 * kMaxLineBytes, "a line must fit the buffer");
static_assert(480 + 20 + 2 * kAccountNameMaxBytes < kMaxLineBytes, "a json row must fit a line");

// Table column widths (minimums; a longer value pushes the rest of its line) and separator.
constexpr std::size_t kPeriodWidth = 7;
constexpr std::size_t kAccountWidth = 12;
constexpr std::size_t kNameWidth = kReportTableNameWidth;
constexpr std::size_t kHourWidth = 20;
constexpr std::size_t kCurrencyWidth = 3;
constexpr std::size_t kCostWidth = 14;
constexpr std::size_t kLineItemsWidth = 10;
constexpr std::string_view kGap = "  ";
constexpr std::size_t kKeyWidth =
    kPeriodWidth + kAccountWidth * 2 + kNameWidth + kHourWidth + kGap.size() * 4;
constexpr std::size_t kTableWidth = kKeyWidth + kCurrencyWidth + kCostWidth * kMeasureCount +
                                    kLineItemsWidth + kGap.size() * (2 + kMeasureCount);

constexpr std::string_view kTableCostNames[kMeasureCount] = {"unblended", "net_unblended",
                                                             "blended", "amortized"};
constexpr std::string_view kJsonCostNames[kMeasureCount] = {
    "\",\"unblended_cost\":\"", "\",\"net_unblended_cost\":\"", "\",\"blended_cost\":\"",
    "\",\"amortized_cost\":\""};

constexpr Error kStopped = make_error(ErrorCode::InvalidArgument, "report: writer has stopped");

// Small fixed-size text fields of one row.
struct RowText {
  char period[16];
  std::size_t period_length = 0;
  char payer[20];
  std::size_t payer_length = 0;
  char account[20];
  std::size_t account_length = 0;
  char hour[32];
  std::size_t hour_length = 0;
  char currency[4] = {};
  std::size_t currency_length = 0;
};

std::size_t format_unsigned(std::uint64_t value, char* out) {
  char reversed[20];
  std::size_t length = 0;
  do {
    reversed[length++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (std::size_t i = 0; i < length; ++i)
    out[i] = reversed[length - 1 - i];
  return length;
}

// YYYYMM as "YYYY-MM" (the year zero-padded to 4 digits).
std::size_t format_period(std::int32_t period, char* out) {
  std::int32_t year = period / 100;
  std::int32_t month = period % 100;
  std::size_t length = 0;
  if (year < 0 || month < 0) { // not a period; show the number rather than invent a date
    out[length++] = '-';
    year = year < 0 ? -year : year;
    month = month < 0 ? -month : month;
  }
  char digits[20];
  std::size_t year_length = format_unsigned(static_cast<std::uint64_t>(year), digits);
  for (std::size_t pad = year_length; pad < 4; ++pad)
    out[length++] = '0';
  for (std::size_t i = 0; i < year_length; ++i)
    out[length++] = digits[i];
  out[length++] = '-';
  out[length++] = static_cast<char>('0' + month / 10);
  out[length++] = static_cast<char>('0' + month % 10);
  return length;
}

RowText row_text(const KeyedTotals& row) {
  RowText text;
  text.period_length = format_period(row.key.billing_period, text.period);
  text.payer_length = row.key.payer.length <= 19 ? row.key.payer.format(text.payer) : 0;
  text.account_length = row.key.account.length <= 19 ? row.key.account.format(text.account) : 0;
  text.hour_length = format_timestamp(row.key.hour_start, text.hour, sizeof text.hour);
  if (text.hour_length >= sizeof text.hour)
    text.hour_length = sizeof text.hour - 1;
  if (row.key.currency.packed != 0) {
    row.key.currency.format(text.currency);
    text.currency_length = 3;
  }
  return text;
}

} // namespace

bool parse_report_format(std::string_view name, ReportFormat& out) {
  if (name == "csv")
    out = ReportFormat::Csv;
  else if (name == "table")
    out = ReportFormat::Table;
  else if (name == "json")
    out = ReportFormat::Json;
  else
    return false;
  return true;
}

void ReportWriter::append(std::string_view text) {
  EC_CHECK(text.size() <= kReportBufferBytes - m_used);
  for (char c : text)
    m_buffer[m_used++] = c;
}

void ReportWriter::append_padded(std::string_view text, std::size_t width, Align align) {
  std::size_t pad = text.size() < width ? width - text.size() : 0;
  if (align == Align::Left)
    append(text);
  for (std::size_t i = 0; i < pad; ++i)
    append(" ");
  if (align == Align::Right)
    append(text);
}

Status ReportWriter::flush() {
  if (m_used == 0)
    return {};
  Bytes chunk(reinterpret_cast<const std::uint8_t*>(m_buffer), m_used);
  m_used = 0;
  return m_out.write(chunk);
}

Status ReportWriter::fail(Status status) {
  if (!status.ok())
    m_stopped = true;
  return status;
}

Status ReportWriter::start() {
  m_started = true;
  switch (m_format) {
  case ReportFormat::Csv:
    append(kReportCsvHeader);
    if (m_csv_names == CsvNames::Append) {
      append(",");
      append(kReportCsvNameColumn);
    }
    append("\n");
    break;
  case ReportFormat::Table:
    append_padded("period", kPeriodWidth, Align::Left);
    append(kGap);
    append_padded("payer", kAccountWidth, Align::Left);
    append(kGap);
    append_padded("account", kAccountWidth, Align::Left);
    append(kGap);
    append_padded(kReportCsvNameColumn, kNameWidth, Align::Left);
    append(kGap);
    append_padded("hour_start", kHourWidth, Align::Left);
    append(kGap);
    append_padded("cur", kCurrencyWidth, Align::Left);
    for (std::string_view name : kTableCostNames) {
      append(kGap);
      append_padded(name, kCostWidth, Align::Right);
    }
    append(kGap);
    append_padded("line_items", kLineItemsWidth, Align::Right);
    append("\n");
    break;
  case ReportFormat::Json:
    break; // "[" comes with the first row, so that no rows can be "[]"
  }
  return {};
}

// RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
void ReportWriter::append_csv_field(std::string_view text) {
  bool quote = false;
  for (char c : text)
    quote = quote || c == ',' || c == '"' || c == '\n' || c == '\r';
  if (!quote) {
    append(text);
    return;
  }
  append("\"");
  for (char c : text)
    append(c == '"' ? std::string_view("\"\"") : std::string_view(&c, 1));
  append("\"");
}

// The inside of a json string: quote, backslash and control characters escaped; the text is
// valid UTF-8 (cleaned), which json carries as it is.
void ReportWriter::append_json_text(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    auto byte = static_cast<std::uint8_t>(c);
    if (c == '"') {
      append("\\\"");
    } else if (c == '\\') {
      append("\\\\");
    } else if (byte < 0x20) {
      const char escape[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
      append({escape, sizeof escape});
    } else {
      append({&c, 1});
    }
  }
}

// The name cut to the table's column: at most kNameWidth characters, the last one '~' when cut,
// padded with spaces by characters, not bytes.
void ReportWriter::append_table_name(std::string_view name) {
  std::size_t characters = 0;
  for (char c : name)
    characters += (static_cast<std::uint8_t>(c) & 0xc0) != 0x80 ? 1 : 0;
  if (characters <= kNameWidth) {
    append(name);
    for (std::size_t i = characters; i < kNameWidth; ++i)
      append(" ");
    return;
  }
  std::size_t kept = 0;
  std::size_t end = 0;
  while (end < name.size()) {
    bool starts_character = (static_cast<std::uint8_t>(name[end]) & 0xc0) != 0x80;
    if (starts_character && kept == kNameWidth - 1)
      break;
    kept += starts_character ? 1 : 0;
    ++end;
  }
  append(name.substr(0, end));
  append("~");
}

void ReportWriter::append_csv_row(const KeyedTotals& row, std::string_view account_name) {
  RowText text = row_text(row);
  append({text.period, text.period_length});
  append(",");
  append({text.payer, text.payer_length});
  append(",");
  append({text.account, text.account_length});
  append(",");
  append({text.hour, text.hour_length});
  append(",");
  append({text.currency, text.currency_length});
  char number[kMaxDecimalText];
  for (const Decimal& cost : row.totals.cost) {
    append(",");
    append({number, format_decimal(cost, kReportExactDigits, number, sizeof number)});
  }
  append(",");
  append({number, format_unsigned(row.totals.line_items, number)});
  if (m_csv_names == CsvNames::Append) {
    char name[kAccountNameMaxBytes];
    append(",");
    append_csv_field({name, clean_account_name(account_name, name, sizeof name)});
  }
  append("\n");
}

void ReportWriter::append_json_row(const KeyedTotals& row, std::string_view account_name) {
  RowText text = row_text(row);
  append(m_rows == 0 ? "[\n" : ",\n");
  append("{\"billing_period\":\"");
  append({text.period, text.period_length});
  append("\",\"payer_account_id\":\"");
  append({text.payer, text.payer_length});
  append("\",\"usage_account_id\":\"");
  append({text.account, text.account_length});
  append("\",\"account_name\":\"");
  char name[kAccountNameMaxBytes];
  append_json_text({name, clean_account_name(account_name, name, sizeof name)});
  append("\",\"hour_start\":\"");
  append({text.hour, text.hour_length});
  append("\",\"currency\":\"");
  append({text.currency, text.currency_length});
  char number[kMaxDecimalText];
  for (std::size_t measure = 0; measure < kMeasureCount; ++measure) {
    append(kJsonCostNames[measure]);
    append({number,
            format_decimal(row.totals.cost[measure], kReportExactDigits, number, sizeof number)});
  }
  append("\",\"line_items\":");
  append({number, format_unsigned(row.totals.line_items, number)});
  append("}");
}

void ReportWriter::append_table_row(const KeyedTotals& row, std::string_view account_name) {
  RowText text = row_text(row);
  append_padded({text.period, text.period_length}, kPeriodWidth, Align::Left);
  append(kGap);
  append_padded({text.payer, text.payer_length}, kAccountWidth, Align::Left);
  append(kGap);
  append_padded({text.account, text.account_length}, kAccountWidth, Align::Left);
  append(kGap);
  char name[kAccountNameMaxBytes];
  append_table_name({name, clean_account_name(account_name, name, sizeof name)});
  append(kGap);
  append_padded({text.hour, text.hour_length}, kHourWidth, Align::Left);
  append(kGap);
  append_padded({text.currency, text.currency_length}, kCurrencyWidth, Align::Left);
  char number[kMaxDecimalText];
  for (const Decimal& cost : row.totals.cost) {
    append(kGap);
    append_padded({number, format_decimal(cost, kReportTableDigits, number, sizeof number)},
                  kCostWidth, Align::Right);
  }
  append(kGap);
  append_padded({number, format_unsigned(row.totals.line_items, number)}, kLineItemsWidth,
                Align::Right);
  append("\n");
}

Status ReportWriter::add_to_totals(const KeyedTotals& row) {
  std::size_t index = 0;
  while (index < m_currency_count && !(m_totals[index].currency == row.key.currency))
    ++index;
  if (index == m_currency_count) {
    if (m_currency_count == kReportMaxCurrencies)
      return make_error(ErrorCode::LimitExceeded, "report: too many currencies for table totals");
    // Kept sorted by code, which is the text order of the packed letters.
    while (index > 0 && m_totals[index - 1].currency.packed > row.key.currency.packed) {
      m_totals[index] = m_totals[index - 1];
      --index;
    }
    m_totals[index] = CurrencyTotals{row.key.currency, HourTotals{}};
    ++m_currency_count;
  }
  if (!m_totals[index].totals.add_checked(row.totals))
    return make_error(ErrorCode::Overflow, "report: currency total overflows");
  return {};
}

void ReportWriter::append_table_totals() {
  if (m_rows == 0) {
    append("(no rows)\n");
    return;
  }
  for (std::size_t i = 0; i < kTableWidth; ++i)
    append("-");
  append("\n");
}

Status ReportWriter::on_named_row(const KeyedTotals& row, std::string_view account_name) {
  if (m_stopped)
    return kStopped;
  if (!m_started)
    EC_TRY(fail(start()));
  if (kReportBufferBytes - m_used < kMaxLineBytes)
    EC_TRY(fail(flush()));
  switch (m_format) {
  case ReportFormat::Csv:
    append_csv_row(row, account_name);
    break;
  case ReportFormat::Table:
    EC_TRY(fail(add_to_totals(row)));
    append_table_row(row, account_name);
    break;
  case ReportFormat::Json:
    append_json_row(row, account_name);
    break;
  }
  ++m_rows;
  return {};
}

Status ReportWriter::finish() {
  if (m_stopped)
    return kStopped;
  if (!m_started)
    EC_TRY(fail(start()));
  m_stopped = true;
  switch (m_format) {
  case ReportFormat::Csv:
    break;
  case ReportFormat::Table:
    append_table_totals();
    for (std::size_t i = 0; i < m_currency_count; ++i) {
      if (kReportBufferBytes - m_used < kMaxLineBytes)
        EC_TRY(flush());
      KeyedTotals total;
      total.key.currency = m_totals[i].currency;
      total.totals = m_totals[i].totals;
      char currency[4] = {};
      std::size_t currency_length = 0;
      if (total.key.currency.packed != 0) {
        total.key.currency.format(currency);
        currency_length = 3;
      }
      append_padded("total", kKeyWidth, Align::Left);
      append(kGap);
      append_padded({currency, currency_length}, kCurrencyWidth, Align::Left);
      char number[kMaxDecimalText];
      for (const Decimal& cost : total.totals.cost) {
        append(kGap);
        append_padded({number, format_decimal(cost, kReportTableDigits, number, sizeof number)},
                      kCostWidth, Align::Right);
      }
      append(kGap);
      append_padded({number, format_unsigned(total.totals.line_items, number)}, kLineItemsWidth,
                    Align::Right);
      append("\n");
    }
    break;
  case ReportFormat::Json:
    append(m_rows == 0 ? "[]\n" : "\n]\n");
    break;
  }
  EC_TRY(flush());
  return m_out.finish();
}

} // namespace ec
