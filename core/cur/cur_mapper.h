// core/cur/cur_mapper.h - CurMapper: CSV rows of a CUR file to keyed exact measures.
#pragma once

#include "core/agg/hour_table.h"
#include "core/base/timestamp.h"
#include "core/csv/csv_reader.h"
#include "core/cur/cur_columns.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

/// What happens to a row that cannot be read.
enum class MalformedPolicy : std::uint8_t {
  Skip, ///< count it, remember where, go on
  Fail, ///< fail the delivery
};

/// Where a skipped row was.
struct RowLocation {
  std::uint32_t file_index = 0;
  std::uint64_t line = 0;
  const char* reason = ""; ///< static text
};

inline constexpr std::uint32_t kRememberedMalformedRows = 5;

/// How many malformed rows one file may have before its whole delivery is rejected ([ingest]
/// max_malformed): a share of the file's rows (valid, filtered and malformed), or a count. A file
/// whose every row is malformed is rejected whatever the limit: a format change by AWS must not
/// empty a month and exit 0.
struct MalformedLimit {
  bool share = true;           ///< `value` is parts per million of the file's rows, else a count
  std::uint64_t value = 10000; ///< 1%
};

/// Which valid rows are kept. A row whose key cells are valid (payer, usage account, currency,
/// billing period and usage start) is filtered out, counted in filtered_rows() and not in
/// rows(), when its usage account is not allowed or is denied, or when its hour starts before
/// `start_time`; its cost cells are not read then, so a filtered row is never malformed. A row
/// with an invalid key cell is malformed whatever the filter.
struct RowFilter {
  /// Usage account ids as numbers (AccountId::digits, so "000011112222" is 11112222), sorted
  /// ascending, duplicates allowed. Empty: every account is allowed. The views must outlive
  /// the mapper's use of them.
  std::span<const std::uint64_t> accounts_allow;
  std::span<const std::uint64_t> accounts_deny; ///< as accounts_allow; empty: none denied
  UnixSeconds start_time = 0; ///< rows whose hour starts before it are filtered; 0 keeps all

  /// False when either list is not sorted ascending.
  [[nodiscard]] bool lists_sorted() const;
  /// Whether the filter can drop anything (false: the per-row check is skipped).
  [[nodiscard]] bool active() const {
    return !accounts_allow.empty() || !accounts_deny.empty() || start_time != 0;
  }
};

/// The cells of one row by role (empty = absent); views valid for one call.
struct CurFields {
  std::string_view cell[kCurRoleCount];
  [[nodiscard]] std::string_view operator[](CurRole role) const {
    return cell[static_cast<std::uint32_t>(role)];
  }
};

/// Finds the CUR columns by name in each file's header and turns each row into a key and its
/// measures (CUR-FORMATS.md section 4), added to the HourTable. Malformed rows follow the policy.
/// Allocation-free; one mapper serves all files of a delivery.
class CurMapper final : public CsvConsumer {
public:
  CurMapper(HourTable& table, MalformedPolicy policy) : m_table(&table), m_policy(policy) {}

  /// The next file's rows are counted against `file_index` in malformed locations.
  void begin_file(std::uint32_t file_index);
  /// After the file's last row: LimitExceeded "cur: too many malformed rows in this file ..."
  /// when its malformed rows pass `limit` (see MalformedLimit), else ok.
  Status end_file(const MalformedLimit& limit) const;
  /// The first kRememberedMalformedRows malformed rows of the current file.
  [[nodiscard]] const RowLocation* file_malformed_locations(std::uint32_t& count) const {
    std::uint64_t in_file = m_malformed - m_file_start_malformed;
    count = in_file < kRememberedMalformedRows ? static_cast<std::uint32_t>(in_file)
                                               : kRememberedMalformedRows;
    return m_file_locations;
  }
  /// Applies `filter` to the rows from now on. Its lists must be sorted (checked: a bug aborts).
  void set_filter(const RowFilter& filter) {
    EC_CHECK(filter.lists_sorted());
    m_filter = filter;
    m_filtering = filter.active();
  }

  Status on_header(const CsvHeader& header, ColumnSelection& selection) override;
  Status on_row(const CsvRow& row) override;
  Status on_malformed(const Error& why) override;

  /// Maps one row given by role (also the unit-test entry point).
  Status add_row(const CurFields& fields, std::uint64_t line);

  [[nodiscard]] std::uint64_t rows() const { return m_rows; }
  [[nodiscard]] std::uint64_t malformed_rows() const { return m_malformed; }
  /// Valid rows the filter dropped.
  [[nodiscard]] std::uint64_t filtered_rows() const { return m_filtered; }
  /// The first kRememberedMalformedRows malformed rows.
  [[nodiscard]] const RowLocation* malformed_locations(std::uint32_t& count) const {
    count = m_malformed < kRememberedMalformedRows ? static_cast<std::uint32_t>(m_malformed)
                                                   : kRememberedMalformedRows;
    return m_locations;
  }
  [[nodiscard]] CurStyle style() const { return m_style; }

private:
  Status reject(std::uint64_t line, const char* reason);
  [[nodiscard]] bool filtered_out(const HourKey& key) const;

  HourTable* m_table;
  MalformedPolicy m_policy;
  CurStyle m_style = CurStyle::Legacy;
  bool m_has_column[kCurRoleCount] = {};
  std::uint32_t m_file_index = 0;
  std::uint64_t m_rows = 0;
  std::uint64_t m_malformed = 0;
  std::uint64_t m_filtered = 0;
  RowFilter m_filter;
  bool m_filtering = false; ///< m_filter.active(), kept so the row path tests one flag
  RowLocation m_locations[kRememberedMalformedRows];
  // The current file's share: counters at its start, and its own first malformed rows.
  std::uint64_t m_file_start_rows = 0;
  std::uint64_t m_file_start_malformed = 0;
  std::uint64_t m_file_start_filtered = 0;
  RowLocation m_file_locations[kRememberedMalformedRows];

  // One-entry caches: consecutive rows mostly repeat these cells. The text is copied (bounded).
  struct TimeCache {
    char text[40];
    std::uint32_t length = 0;
    UnixSeconds value = 0;
  };
  TimeCache m_period_cache;
  TimeCache m_usage_cache;
  UnixSeconds m_period_start = INT64_MIN; ///< the last valid period start and its YYYYMM
  std::int32_t m_billing_period = 0;
};

} // namespace ec
