// core/report/report_writer.h - ReportWriter: query rows as csv, an aligned table or json text.
#pragma once

#include "core/agg/hour_key.h"
#include "core/base/byte_sink.h"
#include "core/store/store.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

enum class ReportFormat : std::uint8_t {
  Csv,   ///< the contract: kReportCsvHeader, one row per key, costs with 10 decimals, LF
  Table, ///< for a person at a terminal: aligned columns, costs with 4 decimals, totals
  Json,  ///< one array of objects named like the csv columns, costs as exact strings
};

/// Whether csv gets a last column, account_name (table and json always show names).
enum class CsvNames : std::uint8_t {
  Omit,   ///< the contract's ten columns, exactly
  Append, ///< kReportCsvHeader + ",account_name"; the name quoted per RFC 4180 when needed
};

/// "csv", "table" or "json" (exactly, lower case); false for anything else.
[[nodiscard]] bool parse_report_format(std::string_view name, ReportFormat& out);

/// The csv header line (without its LF). Field names are the same in json.
inline constexpr std::string_view kReportCsvHeader =
    "billing_period,payer_account_id,usage_account_id,hour_start,currency,unblended_cost,"
    "net_unblended_cost,blended_cost,amortized_cost,line_items";

/// The column csv appends with CsvNames::Append, and the json field of the same value.
inline constexpr std::string_view kReportCsvNameColumn = "account_name";
/// Table column of the account name, in characters (code points); longer names are cut to one
/// less and end in '~'. Characters that take two terminal cells (CJK) are counted as one.
inline constexpr std::size_t kReportTableNameWidth = 20;

/// Bytes collected before they are written to the sink.
inline constexpr std::size_t kReportBufferBytes = 4096;
/// Currencies the table's totals can hold; one more is LimitExceeded.
inline constexpr std::size_t kReportMaxCurrencies = 16;
/// Fraction digits of costs in csv and json: the contract.
inline constexpr int kReportExactDigits = 10;
/// Fraction digits of costs in the table: what a person can read. Rounded half to even from
/// the exact value (totals too, so a total may differ from the sum of the rounded rows shown).
inline constexpr int kReportTableDigits = 4;

/// Formats query rows (it is the ReportRowSink given to Store::query) and writes the text to a
/// ByteSink in chunks of at most kReportBufferBytes. No heap: fixed buffers only.
///
/// Csv: the header, then per row `YYYY-MM,payer,account,YYYY-MM-DDTHH:00:00Z,CUR,` four costs
/// with exactly 10 decimals (half to even, never "-0.0000000000") and the line item count.
/// hour_start holds the bucket start for day and month grouping. Lines end with LF.
/// Table: a header line, rows with fixed minimum column widths (wider values push the line; the
/// account name is cut to its column), "(no rows)" when there are none, else a rule and one
/// "total" line per currency in code order.
/// Json: "[]" for no rows, else "[", one object per line, "]"; then LF. Each object has the csv
/// fields and "account_name" ("" when unknown) after "usage_account_id".
/// Account names are untrusted text: every format first passes them through
/// clean_account_name() (no control characters, valid UTF-8, bounded), then escapes them for
/// the format (json string escapes, csv quoting). A csv name that starts with '=', '+', '-' or
/// '@' is written as it is: spreadsheets should open the file as text.
class ReportWriter final : public ReportRowSink {
public:
  /// `out` must outlive the writer. `csv_names` only matters for ReportFormat::Csv.
  ReportWriter(ByteSink& out, ReportFormat format, CsvNames csv_names = CsvNames::Omit)
      : m_out(out), m_format(format), m_csv_names(csv_names) {}
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  /// Formats one row (the header first, once). Errors: the sink's, Overflow when a table total
  /// overflows, LimitExceeded past kReportMaxCurrencies currencies in a table. After an error
  /// the writer only returns InvalidArgument.
  Status on_named_row(const KeyedTotals& row, std::string_view account_name) override;
  /// on_named_row() without a name.
  Status on_row(const KeyedTotals& row) override { return on_named_row(row, {}); }
  /// Writes what remains (the header too when there were no rows), then calls out.finish().
  /// Call once.
  Status finish();

  [[nodiscard]] std::uint64_t row_count() const { return m_rows; }

private:
  struct CurrencyTotals {
    CurrencyCode currency;
    HourTotals totals;
  };
  enum class Align : std::uint8_t { Left, Right };

  Status start();
  Status flush();
  Status fail(Status status);
  void append(std::string_view text);
  void append_padded(std::string_view text, std::size_t width, Align align);
  void append_csv_row(const KeyedTotals& row, std::string_view account_name);
  void append_json_row(const KeyedTotals& row, std::string_view account_name);
  void append_table_row(const KeyedTotals& row, std::string_view account_name);
  void append_csv_field(std::string_view text);
  void append_json_text(std::string_view text);
  void append_table_name(std::string_view name);
  void append_table_totals();
  Status add_to_totals(const KeyedTotals& row);

  ByteSink& m_out;
  ReportFormat m_format;
  CsvNames m_csv_names;
  bool m_started = false;
  bool m_stopped = false; ///< after an error or finish()
  std::uint64_t m_rows = 0;
  std::size_t m_used = 0;
  char m_buffer[kReportBufferBytes];
  CurrencyTotals m_totals[kReportMaxCurrencies] = {};
  std::size_t m_currency_count = 0;
};

} // namespace ec
