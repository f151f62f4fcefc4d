// core/collect/collector.cpp - Collector: a pass over every connection.
#include "core/collect/collector.h"

#include "core/client/endpoint.h"
#include "core/collect/aws_access.h"
#include "core/collect/source_registry.h"

namespace ec {
namespace {

IngestSettings ingest_for(const ConnectionConfig& connection, const IngestSettings& ingest) {
  IngestSettings settings = ingest;
  settings.accounts_allow = connection.accounts_allow;
  settings.accounts_deny = connection.accounts_deny;
  settings.start_time = connection.start_date;
  return settings;
}

} // namespace

Result<AccountNameStats> Collector::fetch_names(const ConnectionConfig& connection, AwsAccess* aws,
                                                AccountNameSink& names, Findings& findings) {
  if (!aws)
    return make_error(ErrorCode::Unsupported,
                      "names: the connection type has no AWS Organizations");
  EC_TRY_ASSIGN(Endpoint endpoint, organizations_endpoint(connection.organizations_endpoint));
  return fetch_account_names(aws->caller(), aws->credentials(), endpoint, m_arena, names, findings);
}

std::size_t Collector::arena_bytes(const Config& config, const IngestSettings& ingest) {
  std::size_t largest = 0;
  for (const ConnectionConfig& connection : config.connections) {
    const SourceType* type = source_type(connection.type);
    EC_CHECK(type != nullptr);
    std::size_t bytes = IngestEngine::arena_bytes_for(ingest_for(connection, ingest)) +
                        type->arena_bytes +
                        (connection.account_names ? kAccountNamesArenaBytes : 0);
    largest = bytes > largest ? bytes : largest;
  }
  return largest;
}

CollectSummary Collector::run(const Config& config, const IngestSettings& ingest,
                              std::string_view only, CollectObserver& observer,
                              AccountNameSink& names) {
  CollectSummary summary;
  bool names_complete = true;
  for (const ConnectionConfig& connection : config.connections) {
    if (!only.empty() && connection.name != only)
      continue;
    ++summary.connections;
    if (!collect(connection, ingest, observer, names, names_complete))
      ++summary.failed;
    m_host.release();
    summary.names_wanted = summary.names_wanted || connection.account_names;
  }
  summary.names_complete = summary.names_wanted && names_complete;
  return summary;
}

bool Collector::collect(const ConnectionConfig& connection, const IngestSettings& ingest,
                        CollectObserver& observer, AccountNameSink& names, bool& names_complete) {
  m_arena.reset();
  m_sync_arena.reset();
  m_engine.reset();
  IngestEngine& engine = m_engine.emplace();
  observer.on_connection(connection, engine);
  SourceHandle source;
  SourceStep step = SourceStep::Open;
  Status status = engine.init(m_arena, ingest_for(connection, ingest), m_store);
  if (status.ok())
    status = m_sync.init(m_sync_arena);
  if (status.ok()) {
    auto made = make_source(connection, m_host, m_arena);
    if (made.ok())
      source.reset(made.value());
    else
      status = made.error();
  }
  if (status.ok())
    status = source->open(m_arena);
  if (status.ok()) {
    // A role proves itself first: its failure is then not blamed on the discovery calls.
    step = SourceStep::Access;
    status = source->check_access();
  }
  Findings findings;
  if (status.ok()) {
    step = SourceStep::Locate;
    status = source->locate(findings);
  }
  for (std::size_t i = 0; i < findings.size(); ++i)
    observer.on_finding(connection, findings[i]);
  if (status.ok() && findings.has_errors())
    status = make_error(ErrorCode::Unsupported,
                        "source: edgecur cannot read the report as it is set up");
  if (!status.ok()) {
    observer.on_failed(connection, step, status.error(),
                       source.get() ? source->problem() : std::string_view());
    if (connection.account_names)
      names_complete = false;
    return false;
  }
  observer.on_located(connection, *source);

  SyncSettings sync;
  sync.scope = connection.name;
  sync.source = source->label();
  sync.now = source->now();
  sync.start_date = connection.start_date;
  sync.recheck_days = connection.recheck_days;
  auto synced = m_sync.run(source->location(), source->objects(), engine, m_store, sync, observer);
  bool ok = true;
  if (synced.ok()) {
    observer.on_synced(connection, synced.value());
    ok = synced.value().failed == 0;
  } else {
    observer.on_failed(connection, SourceStep::List, synced.error(), {});
    ok = false;
  }

  if (connection.account_names) {
    Findings name_findings;
    Result<AccountNameStats> fetched = fetch_names(connection, source->aws(), names, name_findings);
    if (!fetched.ok())
      names_complete = false;
    observer.on_account_names(connection, fetched, name_findings);
  }
  return ok;
}

} // namespace ec
