// tests/report/report_writer_test.cpp - ReportWriter: exact csv, json and table text, account
// names escaped for each format.
#include "core/report/report_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ec {
namespace {

class StringSink final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    if (fail_writes)
      return make_error(ErrorCode::Io, "test: disk full");
    largest_write = std::max(largest_write, chunk.size());
    ++writes;
    text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  Status finish() override {
    ++finishes;
    return {};
  }
  std::string text;
  std::size_t writes = 0;
  std::size_t largest_write = 0;
  int finishes = 0;
  bool fail_writes = false;
};

KeyedTotals row(std::int32_t period, const char* payer, const char* account, const char* hour,
                const char* currency, const char* unblended, const char* net, const char* blended,
                const char* amortized, std::uint64_t line_items) {
  KeyedTotals result;
  result.key.billing_period = period;
  EXPECT_TRUE(AccountId::parse(payer, result.key.payer));
  EXPECT_TRUE(AccountId::parse(account, result.key.account));
  Result<UnixSeconds> start = parse_timestamp(hour);
  EXPECT_TRUE(start.ok());
  result.key.hour_start = start.ok() ? start.value() : 0;
  EXPECT_TRUE(CurrencyCode::parse(currency, result.key.currency));
  const char* costs[] = {unblended, net, blended, amortized};
  for (std::size_t i = 0; i < kMeasureCount; ++i) {
    Result<Decimal> value = parse_decimal(costs[i]);
    EXPECT_TRUE(value.ok()) << costs[i];
    result.totals.cost[i] = value.ok() ? value.value() : Decimal{};
  }
  result.totals.line_items = line_items;
  return result;
}

std::vector<KeyedTotals> sample_rows() {
  return {
      row(202311, "123456789012", "000000000123", "2023-11-01T05:00:00Z", "USD", "1.5",
          "-0.00000000005", "0.00000000015", "-2.123456789049999", 3),
      row(202311, "123456789012", "123", "2023-11-01T06:00:00Z", "EUR", "-0.00000000001", "-12.3",
          "0", "1E-18", 18446744073709551615ull),
      row(202401, "123456789012", "123", "2024-01-31T23:00:00Z", "USD", "100", "99.99995",
          "0.00005", "-0.00015", 0),
  };
}

// Renders `rows`; row i gets names[i] as its account name ("" past the end of `names`).
std::string render(ReportFormat format, const std::vector<KeyedTotals>& rows,
                   const std::vector<std::string>& names = {},
                   CsvNames csv_names = CsvNames::Omit) {
  StringSink sink;
  ReportWriter writer(sink, format, csv_names);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const KeyedTotals& r = rows[i];
    Status written = i < names.size() ? writer.on_named_row(r, names[i]) : writer.on_row(r);
    EXPECT_TRUE(written.ok()) << written.error().message;
  }
  Status finished = writer.finish();
  EXPECT_TRUE(finished.ok()) << finished.error().message;
  EXPECT_EQ(sink.finishes, 1);
  EXPECT_EQ(writer.row_count(), rows.size());
  return sink.text;
}

TEST(ReportWriter, CsvIsTheContract) {
  // Names given to the writer do not change the contract's columns.
  EXPECT_EQ(render(ReportFormat::Csv, sample_rows(), {"Prod", "Dev, \"x\""}),
            "billing_period,payer_account_id,usage_account_id,hour_start,currency,unblended_cost,"
            "net_unblended_cost,blended_cost,amortized_cost,line_items\n"
            "2023-11,123456789012,000000000123,2023-11-01T05:00:00Z,USD,1.5000000000,"
            "0.0000000000,0.0000000002,-2.1234567890,3\n"
            "2023-11,123456789012,123,2023-11-01T06:00:00Z,EUR,0.0000000000,-12.3000000000,"
            "0.0000000000,0.0000000000,18446744073709551615\n"
            "2024-01,123456789012,123,2024-01-31T23:00:00Z,USD,100.0000000000,99.9999500000,"
            "0.0000500000,-0.0001500000,0\n");
}

TEST(ReportWriter, CsvWithNoRowsIsTheHeaderOnly) {
  EXPECT_EQ(render(ReportFormat::Csv, {}), std::string(kReportCsvHeader) + "\n");
}

TEST(ReportWriter, JsonHasTheCsvFieldsWithExactStrings) {
  EXPECT_EQ(render(ReportFormat::Json, sample_rows(), {"Prod"}),
            "[\n"
            "{\"billing_period\":\"2023-11\",\"payer_account_id\":\"123456789012\","
            "\"usage_account_id\":\"000000000123\",\"account_name\":\"Prod\","
            "\"hour_start\":\"2023-11-01T05:00:00Z\","
            "\"currency\":\"USD\",\"unblended_cost\":\"1.5000000000\","
            "\"net_unblended_cost\":\"0.0000000000\",\"blended_cost\":\"0.0000000002\","
            "\"amortized_cost\":\"-2.1234567890\",\"line_items\":3},\n"
            "{\"billing_period\":\"2023-11\",\"payer_account_id\":\"123456789012\","
            "\"usage_account_id\":\"123\",\"account_name\":\"\","
            "\"hour_start\":\"2023-11-01T06:00:00Z\","
            "\"currency\":\"EUR\",\"unblended_cost\":\"0.0000000000\","
            "\"net_unblended_cost\":\"-12.3000000000\",\"blended_cost\":\"0.0000000000\","
            "\"amortized_cost\":\"0.0000000000\",\"line_items\":18446744073709551615},\n"
            "{\"billing_period\":\"2024-01\",\"payer_account_id\":\"123456789012\","
            "\"usage_account_id\":\"123\",\"account_name\":\"\","
            "\"hour_start\":\"2024-01-31T23:00:00Z\","
            "\"currency\":\"USD\",\"unblended_cost\":\"100.0000000000\","
            "\"net_unblended_cost\":\"99.9999500000\",\"blended_cost\":\"0.0000500000\","
            "\"amortized_cost\":\"-0.0001500000\",\"line_items\":0}\n"
            "]\n");
}

TEST(ReportWriter, JsonWithNoRowsIsAnEmptyArray) {
  EXPECT_EQ(render(ReportFormat::Json, {}), "[]\n");
}

TEST(ReportWriter, TableAlignsColumnsAndTotalsEachCurrency) {
  std::vector<KeyedTotals> rows = sample_rows();
  rows[2].totals.line_items = 7;
  // Totals use the exact values: 1.5 + 100 = 101.5; -0.00000000005 + 99.99995 = 99.99994999995,
  // rounds to 99.9999; blended 0.00000000015 + 0.00005 is just above half: 0.0001, though both
  // rows show 0.0000; amortized -2.123456789049999 - 0.00015 = -2.1236067890...
  // Names: padded to 20 characters; none is 20 spaces; 25 characters are cut to 19 and '~'.
  const std::string gap = "  ";
  EXPECT_EQ(render(ReportFormat::Table, rows, {"Prod", "", "abcdefghijklmnopqrstuvwxy"}),
            "period   payer         account       account_name" + std::string(8, ' ') + gap +
                "hour_start            cur       unblended"
                "   net_unblended         blended       amortized  line_items\n"
                "2023-11  123456789012  000000000123  Prod" +
                std::string(16, ' ') + gap +
                "2023-11-01T05:00:00Z  USD          1.5000"
                "          0.0000          0.0000         -2.1235           3\n"
                "2023-11  123456789012  123           " +
                std::string(20, ' ') + gap +
                "2023-11-01T06:00:00Z  EUR          0.0000"
                "        -12.3000          0.0000          0.0000  18446744073709551615\n"
                "2024-01  123456789012  123           abcdefghijklmnopqrs~" +
                gap +
                "2024-01-31T23:00:00Z  USD        100.0000"
                "        100.0000          0.0000         -0.0002           7\n" +
                std::string(160, '-') + "\n" + // as wide as the header line
                "total" + std::string(74, ' ') + gap +
                "EUR          0.0000"
                "        -12.3000          0.0000          0.0000  18446744073709551615\n"
                "total" +
                std::string(74, ' ') + gap +
                "USD        101.5000"
                "         99.9999          0.0001         -2.1236          10\n");
}

TEST(ReportWriter, TableWithNoRowsSaysSo) {
  std::string text = render(ReportFormat::Table, {});
  EXPECT_EQ(text.substr(text.find('\n') + 1), "(no rows)\n");
  EXPECT_EQ(text.substr(0, 6), "period");
  EXPECT_EQ(text.find('\n'), 160u); // the width of the rule above totals
}

// The name cell of a table row: what lies between the account column and hour_start.
std::string table_name_cell(const std::string& name) {
  std::string text =
      render(ReportFormat::Table,
             {row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1", "1", "1", "1", 1)}, {name});
  std::size_t line = text.find('\n') + 1;
  std::size_t start = line + 7 + 2 + 12 + 2 + 12 + 2;
  return text.substr(start, text.find("2023-11-01T00", start) - start);
}

TEST(ReportWriter, TableNamesArePaddedAndCutByCharactersAndCleaned) {
  // 7 characters in 11 bytes: padded with 13 spaces (not 9), then the gap.
  EXPECT_EQ(table_name_cell("\xc3\x9cn\xc3\xaf"
                            "c\xc3\xb6"
                            "d\xc3\xa9"),
            "\xc3\x9cn\xc3\xaf"
            "c\xc3\xb6"
            "d\xc3\xa9" +
                std::string(13 + 2, ' '));
  // Exactly 20 characters: kept whole; 21: cut to 19 and '~', never inside a character.
  std::string twenty;
  for (int i = 0; i < 20; ++i)
    twenty += "\xe2\x82\xac"; // the euro sign, 3 bytes
  EXPECT_EQ(table_name_cell(twenty), twenty + "  ");
  EXPECT_EQ(table_name_cell(twenty + "x"), twenty.substr(0, 19 * 3) + "~  ");
  // A terminal escape sequence in a name is shown, not obeyed.
  EXPECT_EQ(table_name_cell("a\x1b]0;pwned\x07\tb"), "a?]0;pwned??b" + std::string(7 + 2, ' '));
}

TEST(ReportWriter, JsonNamesAreEscapedStrings) {
  std::vector<KeyedTotals> rows(
      3, row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1", "1", "1", "1", 1));
  std::string text =
      render(ReportFormat::Json, rows,
             {"Say \"hi\" \\ bye", "line\nbreak\x01\x7f", "\xe6\x97\xa5\xe6\x9c\xac \xff\xfe"});
  std::vector<std::string> names;
  for (std::size_t at = text.find("\"account_name\":"); at != std::string::npos;
       at = text.find("\"account_name\":", at + 1)) {
    std::size_t start = at + 15;
    names.push_back(text.substr(start, text.find(",\"hour_start\"", start) - start));
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "\"Say \\\"hi\\\" \\\\ bye\"",     // quote and backslash escaped
                       "\"line?break??\"",                // controls never reach the text
                       "\"\xe6\x97\xa5\xe6\x9c\xac ??\"", // UTF-8 kept, bad bytes '?'
                   }));
}

TEST(ReportWriter, CsvNamesAreAnOptInLastColumnQuotedPerRfc4180) {
  std::vector<KeyedTotals> rows(
      4, row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1", "1", "1", "1", 1));
  std::string text =
      render(ReportFormat::Csv, rows, {"Prod", "Dev, \"EU\"", "", "=1+1"}, CsvNames::Append);
  const std::string fields = "2023-11,1,2,2023-11-01T00:00:00Z,USD,1.0000000000,1.0000000000,"
                             "1.0000000000,1.0000000000,1,";
  EXPECT_EQ(text, std::string(kReportCsvHeader) + ",account_name\n" + fields + "Prod\n" + fields +
                      "\"Dev, \"\"EU\"\"\"\n" + fields + "\n" + fields + "=1+1\n");
  EXPECT_EQ(render(ReportFormat::Csv, {}, {}, CsvNames::Append),
            std::string(kReportCsvHeader) + ",account_name\n");
}

TEST(ReportWriter, LongestNamesInEveryFormatStayInsideTheBuffer) {
  // Quotes are what escaping doubles most (json \", csv ""); the name is cut to 128 bytes first.
  const std::string quotes(kAccountNameMaxBytes + 50, '"');
  std::string escaped_json;
  for (std::size_t i = 0; i < kAccountNameMaxBytes; ++i)
    escaped_json += "\\\"";
  const std::string expected_name[] = {
      "," + std::string(2 * kAccountNameMaxBytes + 2, '"') + "\n", // csv: quoted, doubled
      "\"account_name\":\"" + escaped_json + "\",",                // json
      "  " + std::string(kReportTableNameWidth - 1, '"') + "~  ",  // table: cut to the column
  };
  const ReportFormat formats[] = {ReportFormat::Csv, ReportFormat::Json, ReportFormat::Table};
  for (std::size_t f = 0; f < 3; ++f) {
    StringSink sink;
    ReportWriter writer(sink, formats[f], CsvNames::Append);
    KeyedTotals r =
        row(202311, "1111111111111111111", "0000000000000000001", "2023-11-01T00:00:00Z", "USD",
            "-123456789.123456789", "-123456789.123456789", "-123456789.123456789",
            "-123456789.123456789", 18446744073709551615ull);
    for (int i = 0; i < 300; ++i)
      ASSERT_TRUE(writer.on_named_row(r, quotes).ok());
    ASSERT_TRUE(writer.finish().ok());
    EXPECT_LE(sink.largest_write, kReportBufferBytes);
    std::size_t count = 0;
    for (std::size_t at = sink.text.find(expected_name[f]); at != std::string::npos;
         at = sink.text.find(expected_name[f], at + 1))
      ++count;
    EXPECT_EQ(count, 300u) << static_cast<int>(formats[f]);
  }
}

TEST(ReportWriter, TableRefusesMoreCurrenciesThanItCanTotal) {
  StringSink sink;
  ReportWriter writer(sink, ReportFormat::Table);
  char code[4] = "AAA";
  for (std::size_t i = 0; i < kReportMaxCurrencies; ++i) {
    code[2] = static_cast<char>('A' + i);
    ASSERT_TRUE(
        writer.on_row(row(202311, "1", "2", "2023-11-01T00:00:00Z", code, "1", "1", "1", "1", 1))
            .ok());
  }
  Status refused =
      writer.on_row(row(202311, "1", "2", "2023-11-01T00:00:00Z", "ZZZ", "1", "1", "1", "1", 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(
      writer.on_row(row(202311, "1", "2", "2023-11-01T00:00:00Z", "AAA", "1", "1", "1", "1", 1))
          .error()
          .code,
      ErrorCode::InvalidArgument);
  EXPECT_EQ(writer.finish().error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(sink.finishes, 0);
}

TEST(ReportWriter, ManyRowsAreWrittenInBoundedChunks) {
  std::vector<KeyedTotals> rows;
  std::string expected = std::string(kReportCsvHeader) + "\n";
  for (int i = 0; i < 2000; ++i) {
    KeyedTotals r =
        row(202311, "1111111111111111111", "0000000000000000001", "2023-11-01T00:00:00Z", "USD",
            "-123456789.123456789", "1", "2", "3", static_cast<std::uint64_t>(i));
    r.key.hour_start += static_cast<UnixSeconds>(i % 24) * 3600;
    rows.push_back(r);
    char hour[8];
    std::snprintf(hour, sizeof hour, "%02d", i % 24);
    expected += "2023-11,1111111111111111111,0000000000000000001,2023-11-01T" + std::string(hour) +
                ":00:00Z,USD,-123456789.1234567890,1.0000000000,2.0000000000,3.0000000000," +
                std::to_string(i) + "\n";
  }
  StringSink sink;
  ReportWriter writer(sink, ReportFormat::Csv);
  for (const KeyedTotals& r : rows)
    ASSERT_TRUE(writer.on_row(r).ok());
  ASSERT_TRUE(writer.finish().ok());
  EXPECT_EQ(sink.text, expected);
  EXPECT_LE(sink.largest_write, kReportBufferBytes);
  EXPECT_GE(sink.writes, expected.size() / kReportBufferBytes);
}

TEST(ReportWriter, SinkErrorIsReturnedAndStopsTheWriter) {
  StringSink sink;
  sink.fail_writes = true;
  ReportWriter writer(sink, ReportFormat::Json);
  KeyedTotals r = row(202311, "1", "2", "2023-11-01T00:00:00Z", "USD", "1", "1", "1", "1", 1);
  Status status;
  int accepted = 0;
  while ((status = writer.on_row(r)).ok())
    ++accepted;
  EXPECT_STREQ(status.error().message, "test: disk full");
  EXPECT_GT(accepted, 5); // rows are buffered before the first write
  EXPECT_EQ(writer.on_row(r).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(writer.finish().error().code, ErrorCode::InvalidArgument);
}

TEST(ReportWriter, FormatNames) {
  ReportFormat format = ReportFormat::Table;
  EXPECT_TRUE(parse_report_format("csv", format));
  EXPECT_EQ(format, ReportFormat::Csv);
  EXPECT_TRUE(parse_report_format("json", format));
  EXPECT_EQ(format, ReportFormat::Json);
  EXPECT_TRUE(parse_report_format("table", format));
  EXPECT_EQ(format, ReportFormat::Table);
  EXPECT_FALSE(parse_report_format("CSV", format));
  EXPECT_FALSE(parse_report_format("", format));
}

// Store -> ReportWriter, as the report command wires them.
TEST(ReportWriter, DailyCsvFromTheStoreShowsBucketStarts) {
  std::filesystem::path dir = std::filesystem::path(EC_BINARY_DIR) / "report_test_tmp";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "daily.db").string();
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
  Store store;
  ASSERT_TRUE(store.open(path.c_str(), OpenMode::ReadWrite).ok());
  ASSERT_TRUE(store.begin_delivery().ok());
  std::vector<KeyedTotals> rows = {
      row(202311, "1", "000000000007", "2023-11-01T05:00:00Z", "USD", "0.1", "0", "0", "0", 1),
      row(202311, "1", "000000000007", "2023-11-01T23:00:00Z", "USD", "0.2", "0", "0", "0", 1),
      row(202311, "1", "000000000007", "2023-11-02T00:00:00Z", "USD", "0.00000000004", "0", "0",
          "0", 1),
      row(202311, "1", "000000000007", "2023-11-02T01:00:00Z", "USD", "0.00000000001", "0", "0",
          "0", 1),
  };
  ASSERT_TRUE(store.stage(rows).ok());
  PeriodOutcome outcome;
  ASSERT_TRUE(store.commit_delivery({"d", "s", 0}, &outcome, 1).ok());

  StringSink sink;
  ReportWriter writer(sink, ReportFormat::Csv);
  ReportQuery query;
  query.grouping = ReportGrouping::Day;
  ASSERT_TRUE(store.query(query, writer).ok());
  ASSERT_TRUE(writer.finish().ok());
  // 0.00000000004 + 0.00000000001 = 0.00000000005 rounds half to even at 10 digits.
  EXPECT_EQ(sink.text, std::string(kReportCsvHeader) +
                           "\n2023-11,1,000000000007,2023-11-01T00:00:00Z,USD,0.3000000000,"
                           "0.0000000000,0.0000000000,0.0000000000,2\n"
                           "2023-11,1,000000000007,2023-11-02T00:00:00Z,USD,0.0000000000,"
                           "0.0000000000,0.0000000000,0.0000000000,2\n");
}

} // namespace
} // namespace ec
