// core/collect/collector.h - Collector: one pass over the connections of a configuration: each
// source opened and located, its billing periods synced into the store, its account names
// fetched. What `once` runs, and what the daemon will run on its schedule.
#pragma once

#include "core/base/arena.h"
#include "core/base/findings.h"
#include "core/base/host.h"
#include "core/base/result.h"
#include "core/collect/source.h"
#include "core/config/config.h"
#include "core/ingest/ingest_engine.h"
#include "core/source/account_names.h"
#include "core/source/report_sync.h"
#include "core/store/store.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ec {

class AwsAccess;

/// What the collector reports as it goes (the firmware prints it). Periods arrive through
/// SyncObserver, between on_located() and on_synced().
class CollectObserver : public SyncObserver {
public:
  /// A connection starts; its periods are read with `engine`.
  virtual void on_connection(const ConnectionConfig& connection, const IngestEngine& engine) {
    (void)connection, (void)engine;
  }
  /// Something about the report's settings (Error-level: it cannot be read as it is set up).
  virtual void on_finding(const ConnectionConfig& connection, const Finding& finding) = 0;
  /// The report was found; its periods are read next.
  virtual void on_located(const ConnectionConfig& connection, Source& source) = 0;
  /// The connection stopped at `step` (List: the listing of its periods); `problem` names the
  /// setting at fault, or is empty.
  virtual void on_failed(const ConnectionConfig& connection, SourceStep step, const Error& error,
                         std::string_view problem) = 0;
  /// Every period of the connection was handled (each one's outcome went to on_period).
  virtual void on_synced(const ConnectionConfig& connection, const SyncSummary& summary) = 0;
  /// The account names were fetched (or not: the error, and findings saying why).
  virtual void on_account_names(const ConnectionConfig& connection,
                                const Result<AccountNameStats>& fetched,
                                const Findings& findings) = 0;

protected:
  ~CollectObserver() = default;
};

struct CollectSummary {
  std::uint32_t connections = 0; ///< connections run
  std::uint32_t failed = 0;      ///< of them, those that failed, or had a period fail
  bool names_wanted = false;     ///< a connection has account_names = true
  bool names_complete = false;   ///< every such connection gave all of its names to the sink
};

class Collector {
public:
  /// Arena bytes one connection of `config` takes at most: its engine (account lists included),
  /// its source type's, and the account names' fetch when it asks for them.
  static std::size_t arena_bytes(const Config& config, const IngestSettings& ingest);
  /// The sync's own arena (it rewinds it between periods).
  static constexpr std::size_t kSyncArenaBytes = kReportSyncArenaBytes;

  /// `arena` holds arena_bytes(); `sync_arena` kSyncArenaBytes. All must outlive the collector.
  Collector(Host& host, Store& store, Arena& arena, Arena& sync_arena)
      : m_host(host), m_store(store), m_arena(arena), m_sync_arena(sync_arena) {}
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  /// One pass over the connections of `config` (only the one named `only`, when it is not
  /// empty), in INI order. A connection's failure is reported and counted, and the pass goes on.
  /// Account names of connections with account_names = true go to `names`.
  CollectSummary run(const Config& config, const IngestSettings& ingest, std::string_view only,
                     CollectObserver& observer, AccountNameSink& names);

private:
  /// One connection; false when it failed.
  bool collect(const ConnectionConfig& connection, const IngestSettings& ingest,
               CollectObserver& observer, AccountNameSink& names, bool& names_complete);

  Result<AccountNameStats> fetch_names(const ConnectionConfig& connection, AwsAccess* aws,
                                       AccountNameSink& names, Findings& findings);

  Host& m_host;
  Store& m_store;
  Arena& m_arena;
  Arena& m_sync_arena;
  std::optional<IngestEngine> m_engine;
  ReportSync m_sync;
};

} // namespace ec
