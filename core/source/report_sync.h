// core/source/report_sync.h - ReportSync: one pass over a report's billing periods: list, read
// each top-level manifest, and ingest a period whose delivery differs from the store's.
#pragma once

#include "core/aws/cur_manifest.h"
#include "core/base/arena.h"
#include "core/base/object_store.h"
#include "core/base/result.h"
#include "core/ingest/ingest_engine.h"
#include "core/source/report_location.h"
#include "core/store/store.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// Billing periods one report may list (20 years).
inline constexpr std::size_t kMaxReportPeriods = 240;
/// Largest manifest read (4096 report keys and 1024 columns fit).
inline constexpr std::size_t kMaxManifestBytes = 512 * 1024;
/// Arena bytes init() takes: the manifest buffer, its parse, the period table and their keys. Only
/// the pages actually used count in RSS.
inline constexpr std::size_t kReportSyncArenaBytes = kMaxManifestBytes + 320 * 1024;

struct SyncSettings {
  std::string_view scope;     ///< the connection name: deliveries are kept per scope and period
  std::string_view source;    ///< "s3://bucket" or the local directory, for the delivery records
  UnixSeconds now = 0;        ///< the corrected clock
  UnixSeconds start_date = 0; ///< periods that end on or before it are not read; 0: none
  /// A closed period (ended this many days ago or more) that the store already holds is not read
  /// again; a newer one is checked every pass (AWS restates closed months for weeks).
  std::uint32_t recheck_days = 35;
  /// Deliveries restarted because an object changed while it was read, per period.
  std::uint32_t max_restarts = 3;
};

enum class PeriodAction : std::uint8_t {
  Ingested,    ///< a new delivery was read and the period replaced (or found Unchanged)
  UpToDate,    ///< the manifest names the delivery the store holds
  Closed,      ///< past the check-back window and already stored: not read
  BeforeStart, ///< ends before start_date: not read
  Failed,      ///< see PeriodReport::error; the store keeps what it had
};

/// What happened to one billing period. Views valid during on_period() only.
struct PeriodReport {
  BillingPeriod period;
  std::int32_t yyyymm = 0;
  PeriodAction action = PeriodAction::Failed;
  PeriodChange change = PeriodChange::Unchanged; ///< for Ingested
  std::string_view identity;                     ///< the manifest's delivery identity, when read
  std::string_view manifest_key;
  std::string_view failed_key; ///< the object being read when it failed, if any
  std::uint32_t files = 0;
  std::uint32_t restarts = 0;
  std::uint64_t keys = 0; ///< hourly rows the period holds now (Ingested)
  std::uint64_t rows = 0; ///< line items read (Ingested)
  std::uint64_t malformed_rows = 0;
  std::uint64_t bytes_in = 0; ///< compressed bytes read
  Error error;                ///< for Failed
};

class SyncObserver {
public:
  virtual void on_period(const PeriodReport& report) = 0;
  /// Before each data file of a delivery is read.
  virtual void on_file(std::string_view key, std::uint32_t index, std::uint32_t count,
                       std::uint64_t size) {
    (void)key, (void)index, (void)count, (void)size;
  }

protected:
  ~SyncObserver() = default;
};

struct SyncSummary {
  std::uint32_t periods = 0; ///< billing periods listed
  std::uint32_t ingested = 0;
  std::uint32_t up_to_date = 0;
  std::uint32_t closed = 0;
  std::uint32_t before_start = 0;
  std::uint32_t failed = 0;
};

/// Whether `key` is a manifest that names the current delivery of its billing period: legacy, the
/// top-level `<name>-Manifest.json` of the period folder; CUR 2.0, a manifest in the metadata area
/// (of several, ReportSync keeps the top-level one, else the newest delivery folder's). A location
/// without a name accepts any report's (a local folder holding one report).
bool is_period_manifest(const CurKeyParts& key, const ReportLocation& location);

class ReportSync {
public:
  /// Takes kReportSyncArenaBytes from `arena`.
  Status init(Arena& arena);

  /// One pass, oldest period first. A listing failure is returned as an Error (nothing read); a
  /// period's failure is reported to `observer` and counted, and the pass goes on with the next.
  Result<SyncSummary> run(const ReportLocation& location, ObjectStore& objects,
                          IngestEngine& engine, Store& store, const SyncSettings& settings,
                          SyncObserver& observer);

  /// "<prefix>/<name>/" (legacy) or "<prefix>/<name>/metadata/" (CUR 2.0) into `out`: where the
  /// manifests are listed ("<prefix>/" or "" for a local folder without a name). Returns the
  /// length, kNoPrefix when it does not fit.
  static constexpr std::size_t kNoPrefix = SIZE_MAX;
  static std::size_t manifest_prefix(const ReportLocation& location, std::span<char> out);

  /// What `verify` inspects: the manifest run() reads for the newest billing period, chosen by
  /// the same listing (and the same tie-break between CUR 2.0 delivery folders).
  struct NewestManifest {
    std::string_view key;      ///< empty when the report lists no billing period
    std::uint32_t periods = 0; ///< billing periods listed
    std::uint64_t objects = 0; ///< objects under the manifests' prefix
  };
  Result<NewestManifest> newest_manifest(const ReportLocation& location, ObjectStore& objects);
  /// Reads and parses the manifest `key` (views valid until this sync's next call). `was_read`
  /// tells a parse failure (true) from a read failure.
  Result<CurManifest> read_manifest(std::string_view key, ObjectStore& objects,
                                    ObjectVersion& version, bool& was_read);
  /// The key to read for a data file a manifest names: its own in a bucket; in a local folder,
  /// rebuilt on the folder's prefix (a folder copied from a bucket may hold the report under
  /// another prefix).
  Result<std::string_view> data_key(const S3Location& file, const ReportLocation& location);

private:
  struct PeriodEntry {
    BillingPeriod period;
    std::string_view manifest_key; // in m_keys
    std::string_view folder;       // the delivery folder of a CUR 2.0 fallback manifest
  };
  class Lister;
  /// Lists the report's period manifests into m_periods, oldest first.
  Status list_periods(const ReportLocation& location, ObjectStore& objects);
  Status sync_period(const PeriodEntry& entry, const ReportLocation& location, ObjectStore& objects,
                     IngestEngine& engine, Store& store, const SyncSettings& settings,
                     PeriodReport& report);
  Status ingest_delivery(const CurManifest& manifest, const ReportLocation& location,
                         ObjectStore& objects, IngestEngine& engine, PeriodReport& report,
                         SyncObserver* observer);

  /// A local folder's key for a manifest's `key`: see report_sync.cpp.
  Result<std::string_view> local_key(std::string_view key, const ReportLocation& location);

  MutableBytes m_manifest;
  Arena* m_arena = nullptr;
  Arena::Mark m_mark{0};
  PeriodEntry* m_periods = nullptr;
  std::size_t m_period_count = 0;
  std::uint64_t m_objects_listed = 0;
  SyncObserver* m_observer = nullptr;
  char m_identity[320];
  std::size_t m_identity_size = 0;
  char m_stored[320];
  char m_source[1200];
  char m_key[1100];
};

} // namespace ec
