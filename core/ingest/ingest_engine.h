// core/ingest/ingest_engine.h - IngestEngine: the push pipeline from file bytes to the store.
#pragma once

#include "core/agg/hour_table.h"
#include "core/base/arena.h"
#include "core/codec/inflate_stage.h"
#include "core/csv/csv_reader.h"
#include "core/cur/cur_mapper.h"
#include "core/store/store.h"

#include <cstddef>
#include <cstdint>

namespace ec {

/// Files per delivery whose content the engine remembers to refuse the same file twice (8 bytes
/// each from the arena).
inline constexpr std::uint32_t kEngineTrackedFiles = 1024;

/// Every budget of the ingest path, in one place (the INI's [ingest] section sets them).
struct IngestSettings {
  CsvLimits csv;
  /// Keys summed in memory before a spill (104 bytes each): 24,576 holds a month of 34 accounts.
  std::uint32_t table_keys = 24 * 1024;
  std::uint32_t inflate_window_bytes = 64 * 1024; ///< inflate output per push into the CSV stage
  MalformedPolicy malformed = MalformedPolicy::Skip;
  MalformedLimit max_malformed; ///< with Skip: more in one file rejects the delivery
  /// Usage accounts kept (12-digit ids as numbers), in any order; empty: all. init() copies and
  /// sorts them into its arena, so the view only needs to live for init(). See RowFilter.
  std::span<const std::uint64_t> accounts_allow;
  std::span<const std::uint64_t> accounts_deny; ///< usage accounts dropped, as accounts_allow
  UnixSeconds start_time = 0; ///< rows whose hour starts before it are dropped; 0 keeps all
  // A billing period whose every row is filtered out is not in the delivery, so what the store
  // holds for it stays (as for a period the files do not cover).
};

/// Counters of one delivery.
struct IngestStats {
  std::uint32_t files = 0;
  std::uint64_t bytes_in = 0;  ///< as read (compressed)
  std::uint64_t bytes_out = 0; ///< plain CSV
  std::uint64_t rows = 0;      ///< line items summed
  std::uint64_t malformed_rows = 0;
  std::uint64_t filtered_rows = 0; ///< valid rows dropped by the accounts or start-time filter
  std::uint64_t spills = 0;
};

/// Wires InflateStage -> CsvReader -> CurMapper -> HourTable -> Store staging. The producer (a
/// file loop, or an object store's download) pushes each file's bytes into input() between
/// begin_file() and end_file(); commit() then replaces the delivery's billing periods atomically.
/// All memory comes from init()'s arena; nothing allocates per row or per chunk.
class IngestEngine {
public:
  IngestEngine();
  IngestEngine(const IngestEngine&) = delete;
  IngestEngine& operator=(const IngestEngine&) = delete;

  /// Arena bytes init() needs for `settings` (what the firmware budgets), account lists
  /// included (8 bytes per id).
  static std::size_t arena_bytes_for(const IngestSettings& settings);

  /// Takes all buffers from `arena` (the account lists too). The store must stay open while the
  /// engine is used.
  Status init(Arena& arena, const IngestSettings& settings, Store& store);

  /// Clears what an interrupted delivery left staged; resets counters.
  Status begin_delivery();
  /// Starts file `file_index` of the delivery (used in malformed-row locations).
  void begin_file(std::uint32_t file_index);
  /// Where the producer pushes the current file's raw bytes.
  [[nodiscard]] ByteSink& input() { return m_inflate; }
  /// Finishes the current file (reports truncation) and adds it to the delivery fingerprint.
  /// InvalidInput when a file of the same content with rows in it was already read in this
  /// delivery (the first kEngineTrackedFiles files are compared): its costs would count twice.
  /// LimitExceeded when the file has more malformed rows than `max_malformed` allows: their
  /// first locations are then in mapper().file_malformed_locations().
  Status end_file();
  /// Flushes the table and replaces every billing period the delivery covers. `info.identity`
  /// may be empty: the engine's content fingerprint is used then (see fingerprint()).
  Result<std::size_t> commit(const DeliveryInfo& info, PeriodOutcome* outcomes,
                             std::size_t max_outcomes);
  /// Drops a failed delivery: its in-memory sums, and its staged rows with their space
  /// (Store::abandon_delivery), best effort. Store::failed_key() stays readable.
  void abort();

  /// "fnv1a64:<16 hex>/files:<n>/bytes:<plain bytes>": a fingerprint of the plain content of the
  /// files so far, in order. Valid until the next begin_delivery().
  [[nodiscard]] const char* fingerprint() const { return m_fingerprint_text; }
  /// "content:<16 hex>/files:<n>/bytes:<plain bytes>": the same in any file order, so `ingest`
  /// of the files a connection read gives what that connection recorded (DeliveryInfo::content).
  /// Set by commit(); valid until the next begin_delivery().
  [[nodiscard]] const char* content() const { return m_content_text; }

  [[nodiscard]] IngestStats stats() const;
  [[nodiscard]] const CurMapper& mapper() const { return m_mapper; }
  /// The store given to init() (for failed_key() after a failed delivery).
  [[nodiscard]] const Store& store() const { return *m_store; }
  [[nodiscard]] InputFormat current_format() const { return m_inflate.format(); }

private:
  // Adapts the store's staging area to the table's spill sink.
  class StagingSink final : public TotalsSink {
  public:
    Store* store = nullptr;
    Status on_batch(std::span<const KeyedTotals> batch) override { return store->stage(batch); }
  };

  void update_fingerprint();
  /// Data rows the mapper saw in the delivery: summed, malformed or filtered.
  [[nodiscard]] std::uint64_t rows_seen() const;
  void reset_mapper();
  /// A sorted copy of `accounts` in `arena` (an empty span for an empty list).
  static Result<std::span<const std::uint64_t>>
  sorted_copy(Arena& arena, std::span<const std::uint64_t> accounts);

  Store* m_store = nullptr;
  StagingSink m_staging;
  HourTable m_table;
  CurMapper m_mapper;
  CsvReader m_csv;
  InflateStage m_inflate;
  IngestSettings m_settings;
  RowFilter m_filter; ///< its lists point into init()'s arena
  std::uint32_t m_files = 0;
  bool m_file_open = false;
  std::uint64_t m_spills_before = 0;
  std::uint64_t m_bytes_in = 0;
  std::uint64_t m_bytes_out = 0;
  std::uint64_t m_fingerprint = 0;
  char m_fingerprint_text[96] = {};
  std::uint64_t m_content_sum = 0; ///< sum of the files' hashes: the same in any order
  char m_content_text[96] = {};
  std::uint64_t* m_file_hashes = nullptr; ///< kEngineTrackedFiles, from the arena
  std::uint32_t m_tracked_files = 0;
  std::uint64_t m_rows_at_file_start = 0;
};

} // namespace ec
