// firmware/once_command.cpp - `edgecur once`: one pass over every connection of the INI.
#include "core/ingest/ingest_engine.h"
#include "core/source/account_names.h"
#include "core/source/report_sync.h"
#include "core/store/store.h"
#include "firmware/commands.h"
#include "firmware/connection.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/network_memory.h"
#include "firmware/runtime.h"
#include "firmware/settings.h"
#include "firmware/sqlite_memory.h"
#include "firmware/store_writer.h"
#include "platform/output.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ec::firmware {
namespace {

// One line per billing period.
class PeriodPrinter final : public SyncObserver {
public:
  PeriodPrinter(const std::string& name, const IngestEngine& engine)
      : m_name(name), m_engine(engine) {}

  void on_period(const PeriodReport& report) override {
    std::string line = "  " + period_text(report.yyyymm) + ": ";
    switch (report.action) {
    case PeriodAction::Ingested:
      line += report.change == PeriodChange::Unchanged  ? "read again, totals unchanged"
              : report.change == PeriodChange::Replaced ? "replaced"
                                                        : "added";
      line += " (" + std::string(report.identity) + ", " + std::to_string(report.files) +
              (report.files == 1 ? " file, " : " files, ") + group_digits(report.rows) +
              " line items, " + human_bytes(report.bytes_in) + " read";
      if (report.restarts > 0)
        line +=
            ", restarted " + std::to_string(report.restarts) + "x: the delivery changed while read";
      if (report.malformed_rows > 0)
        line += ", " + group_digits(report.malformed_rows) + " malformed rows skipped";
      line += ")";
      break;
    case PeriodAction::UpToDate:
      line += "up to date (" + std::string(report.identity) + ")";
      break;
    case PeriodAction::Closed:
      line += "closed, not checked again (past recheck_days)";
      break;
    case PeriodAction::BeforeStart:
      line += "before start_date, not read";
      break;
    case PeriodAction::Failed:
      line += "FAILED: " + error_text(report.error);
      if (!report.failed_key.empty())
        line += " [" + std::string(report.failed_key) + "]";
      line += "; the store keeps what it had";
      break;
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    if (report.action == PeriodAction::Failed) {
      std::fprintf(stderr, "edgecur: connection %s: %s\n", m_name.c_str(), line.c_str() + 2);
      // A file rejected for its malformed rows: where they are (the engine keeps its mapper's
      // state until the next delivery begins).
      if (report.error.code == ErrorCode::LimitExceeded && !report.failed_key.empty())
        print_malformed_locations(m_engine.mapper(), report.failed_key);
      print_failed_key(m_engine.store(), report.error.code);
      if (report.error.code == ErrorCode::Conflict)
        print_duplicate(m_engine.store());
    }
  }

private:
  const std::string& m_name;
  const IngestEngine& m_engine;
};

// Account names of every connection with account_names = true, kept until all fetched.
class NameCollector final : public AccountNameSink {
public:
  Status on_account_name(const AccountName& account) override {
    names.push_back(std::string(account.name.data(), account.name.size()));
    accounts.push_back(account.account);
    return {};
  }
  std::vector<std::string> names;
  std::vector<AccountId> accounts;
};

} // namespace

int run_once(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store", "connection"}, {});
  if (!args.ok()) {
    print_message("once: " + args.problem());
    return kExitUsage;
  }
  Settings settings;
  if (int code = load_store_settings(args, settings); code != kExitOk)
    return code;
  if (!settings.config || settings.config->connections.empty()) {
    print_message("once: no [connection NAME] section in the configuration; nothing to do");
    return kExitConfig;
  }
  const Config& config = *settings.config;
  const char* only = args.value("connection");

  platform::StoreLock lock; // held until the command returns: one writer per store
  Store store;
  if (int code = open_store_for_writing(settings, argc, argv, lock, store); code != kExitOk)
    return code;
  if (int code = give_network_memory(settings, "once"); code != kExitOk)
    return code;
  Runtime runtime(config.log.level);
  Clock& clock = runtime.clock;
  RandomSource& random = runtime.random;
  Log& log = runtime.log;

  // The engine copies each connection's account lists into its arena: size it for the largest.
  std::size_t engine_bytes = 0;
  for (const ConnectionConfig& c : config.connections) {
    IngestSettings sized = settings.ingest;
    sized.accounts_allow = c.accounts_allow;
    sized.accounts_deny = c.accounts_deny;
    std::size_t bytes = IngestEngine::arena_bytes_for(sized);
    engine_bytes = bytes > engine_bytes ? bytes : engine_bytes;
  }
  std::size_t budget = engine_bytes + Connection::kArenaBytes + 4096;
  std::unique_ptr<std::uint8_t[]> memory(new std::uint8_t[budget]);
  Arena arena(MutableBytes(memory.get(), budget));
  // The sync rewinds its own arena between periods: it must not share one with the connection.
  std::unique_ptr<std::uint8_t[]> sync_memory(new std::uint8_t[kReportSyncArenaBytes]);
  Arena sync_arena(MutableBytes(sync_memory.get(), kReportSyncArenaBytes));
  auto sync = std::make_unique<ReportSync>();

  int exit_code = kExitOk;
  bool matched = false;
  NameCollector names;
  bool names_wanted = false;
  bool names_failed = false;
  for (const ConnectionConfig& connection_config : config.connections) {
    std::string name = std::string(connection_config.name);
    if (only && name != only)
      continue;
    matched = true;
    arena.reset();
    sync_arena.reset();
    IngestSettings ingest = settings.ingest;
    ingest.accounts_allow = connection_config.accounts_allow;
    ingest.accounts_deny = connection_config.accounts_deny;
    ingest.start_time = connection_config.start_date;
    auto engine = std::make_unique<IngestEngine>();
    Status status = engine->init(arena, ingest, store);
    if (status.ok())
      status = sync->init(sync_arena);
    auto connection = std::make_unique<Connection>(connection_config, clock, random, log);
    if (status.ok())
      status = connection->open(arena);
    Findings findings;
    if (status.ok())
      status = connection->locate(findings);
    for (std::size_t i = 0; i < findings.size(); ++i) {
      const Finding& finding = findings[i];
      std::printf("connection %s: %s: %.*s\n", name.c_str(),
                  finding.level == FindingLevel::Error ? "error" : "warning",
                  static_cast<int>(finding.view().size()), finding.view().data());
    }
    if (!status.ok()) {
      std::string problem = connection->problem();
      std::string failed = "connection " + name + ": FAILED: " + error_text(status.error()) +
                           (problem.empty() ? "" : "; " + problem);
      std::printf("%s\n", failed.c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "edgecur: %s (run `edgecur verify --connection %s` for the cause)\n",
                   failed.c_str(), name.c_str());
      exit_code = kExitRemote;
      continue;
    }
    const ReportLocation& location = connection->location();
    std::printf("connection %s: %s %s in %s/%s\n", name.c_str(),
                location.layout == CurLayout::Cur2 ? "CUR 2.0 export" : "CUR report",
                std::string(location.name).c_str(), connection->source_label().c_str(),
                std::string(location.prefix).c_str());
    std::fflush(stdout);
    SyncSettings sync_settings;
    sync_settings.scope = connection_config.name;
    sync_settings.source = connection->source_label();
    sync_settings.now = connection->now();
    sync_settings.start_date = connection_config.start_date;
    sync_settings.recheck_days = connection_config.recheck_days;
    PeriodPrinter printer(name, *engine);
    auto summary =
        sync->run(location, connection->objects(), *engine, store, sync_settings, printer);
    if (!summary.ok()) {
      std::printf("connection %s: FAILED listing the report: %s\n", name.c_str(),
                  error_text(summary.error()).c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "edgecur: connection %s: FAILED listing the report: %s\n", name.c_str(),
                   error_text(summary.error()).c_str());
      exit_code = kExitRemote;
      continue;
    }
    const SyncSummary& s = summary.value();
    std::printf("connection %s: %u billing period%s: %u read, %u up to date, %u closed, %u before "
                "start_date, %u failed\n",
                name.c_str(), s.periods, s.periods == 1 ? "" : "s", s.ingested, s.up_to_date,
                s.closed, s.before_start, s.failed);
    if (s.periods == 0)
      std::printf("connection %s: no manifest found under the report's prefix yet (AWS delivers "
                  "the first report up to 24 hours after it is created)\n",
                  name.c_str());
    if (s.failed > 0)
      exit_code = kExitRemote;
    if (connection_config.account_names) {
      names_wanted = true;
      auto endpoint = organizations_endpoint(connection_config.organizations_endpoint);
      Findings name_findings;
      Result<AccountNameStats> fetched =
          endpoint.ok() ? fetch_account_names(connection->caller(), connection->credentials(),
                                              endpoint.value(), arena, names, name_findings)
                        : Result<AccountNameStats>(endpoint.error());
      if (fetched.ok()) {
        std::printf("connection %s: %u account names from AWS Organizations\n", name.c_str(),
                    fetched.value().accounts);
      } else {
        names_failed = true;
        std::string why = error_text(fetched.error());
        for (std::size_t i = 0; i < name_findings.size(); ++i)
          why += "; " + std::string(name_findings[i].view());
        std::printf("connection %s: account names not read: %s\n", name.c_str(), why.c_str());
        std::fprintf(stderr,
                     "edgecur: connection %s: account names not read (the names stored "
                     "before are kept): %s\n",
                     name.c_str(), why.c_str());
      }
    }
  }
  // Names replace the stored ones only when every connection that wants them got them all.
  if (names_wanted && !names_failed) {
    std::vector<AccountName> list;
    list.reserve(names.names.size());
    for (std::size_t i = 0; i < names.names.size(); ++i)
      list.push_back(AccountName{names.accounts[i], names.names[i]});
    if (Status stored = store.put_account_names(list); !stored.ok()) {
      print_error("store " + settings.store_path, stored.error());
      exit_code = kExitStore;
    }
  }
  if (only && !matched) {
    print_message(std::string("once: no connection named ") + only);
    return kExitUsage;
  }
  platform::http_global_cleanup();
  log.write(LogLevel::Debug, sqlite_memory_text());
  log.write(LogLevel::Debug, network_memory_text());
  return exit_code;
}

} // namespace ec::firmware
