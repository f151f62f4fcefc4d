// core/store/store.h - Store: the SQLite file of exact hourly totals, replaced per billing period.
#pragma once

#include "core/agg/hour_key.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

struct sqlite3;

namespace ec {

enum class OpenMode : std::uint8_t { ReadWrite, ReadOnly };

/// What a delivery commit did to one billing period.
enum class PeriodChange : std::uint8_t {
  Added,     ///< the store held nothing for the period
  Replaced,  ///< the period's rows were replaced by the delivery's
  Unchanged, ///< the delivery's totals equal the stored ones: nothing was written
};

struct PeriodOutcome {
  std::int32_t billing_period = 0; ///< YYYYMM
  PeriodChange change = PeriodChange::Added;
  std::uint64_t keys = 0;       ///< hourly rows the period holds now
  std::uint64_t line_items = 0; ///< line items summed into them
};

/// Identifies a delivery: a fingerprint of its content, where it came from and when it was read.
/// All views only need to live for the call.
struct DeliveryInfo {
  std::string_view identity; ///< e.g. "crc32:1a2b3c4d/len:123456" or a CUR assemblyId
  std::string_view source;   ///< e.g. the file names or s3://bucket/prefix
  UnixSeconds ingested_at = 0;
};

/// Receives query rows in order; views inside are valid during the call only.
class ReportRowSink {
public:
  virtual Status on_row(const KeyedTotals& row) = 0;

protected:
  ~ReportRowSink() = default;
};

enum class ReportGrouping : std::uint8_t { Hour, Day, Month };

/// A report query. Empty/zero fields do not filter.
struct ReportQuery {
  ReportGrouping grouping = ReportGrouping::Hour;
  AccountId account;          ///< usage account, when length != 0
  UnixSeconds from = INT64_MIN; ///< hour_start >= from
  UnixSeconds to = INT64_MAX;   ///< hour_start < to
};

/// The store of one device. A delivery is staged (stage() any number of times, in any key order,
/// with keys repeated) and then committed: for each billing period in the staging area, the
/// period's rows are replaced in one transaction, so a crash at any moment leaves the old totals
/// or the new ones. Staging survives nothing: begin_delivery() clears it.
class Store {
public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  /// Opens (ReadWrite creates) the database and its schema.
  Status open(const char* path, OpenMode mode);
  void close();

  /// Clears the staging area left by an interrupted delivery.
  Status begin_delivery();
  /// Appends partial sums to the staging area (committed, so memory stays bounded).
  Status stage(std::span<const KeyedTotals> batch);
  /// Replaces every staged period; writes one outcome per period (at most `max_outcomes`; the
  /// count is returned, Unchanged included) and clears the staging area.
  Result<std::size_t> commit_delivery(const DeliveryInfo& info, PeriodOutcome* outcomes,
                                      std::size_t max_outcomes);

  /// Streams rows sorted by (billing period, payer, account, bucket start, currency), each
  /// summed exactly over its hour, day or month bucket.
  Status query(const ReportQuery& query, ReportRowSink& sink);

private:
  sqlite3* m_db = nullptr;
};

} // namespace ec
