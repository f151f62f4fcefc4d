// firmware/once_command.cpp - `edgecur once`: one pass over every connection of the INI.
#include "core/collect/collector.h"
#include "core/ingest/ingest_engine.h"
#include "core/store/store.h"
#include "firmware/commands.h"
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

// What a pass says, one line per event: connections, findings, billing periods, names.
class PassPrinter final : public CollectObserver {
public:
  void on_connection(const ConnectionConfig& connection, const IngestEngine& engine) override {
    m_name = std::string(connection.name);
    m_engine = &engine;
  }

  void on_finding(const ConnectionConfig& connection, const Finding& finding) override {
    (void)connection;
    std::printf("connection %s: %s: %.*s\n", m_name.c_str(),
                finding.level == FindingLevel::Error ? "error" : "warning",
                static_cast<int>(finding.view().size()), finding.view().data());
  }

  void on_located(const ConnectionConfig& connection, Source& source) override {
    (void)connection;
    const ReportLocation& location = source.location();
    std::printf("connection %s: %s %s in %s/%s\n", m_name.c_str(),
                location.layout == CurLayout::Cur2 ? "CUR 2.0 export" : "CUR report",
                std::string(location.name).c_str(), std::string(source.label()).c_str(),
                std::string(location.prefix).c_str());
    std::fflush(stdout);
  }

  void on_failed(const ConnectionConfig& connection, SourceStep step, const Error& error,
                 std::string_view problem) override {
    (void)connection;
    if (step == SourceStep::List) {
      std::printf("connection %s: FAILED listing the report: %s\n", m_name.c_str(),
                  error_text(error).c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "edgecur: connection %s: FAILED listing the report: %s\n",
                   m_name.c_str(), error_text(error).c_str());
      return;
    }
    std::string failed = "connection " + m_name + ": FAILED: " + error_text(error) +
                         (problem.empty() ? "" : "; " + std::string(problem));
    std::printf("%s\n", failed.c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "edgecur: %s (run `edgecur verify --connection %s` for the cause)\n",
                 failed.c_str(), m_name.c_str());
  }

  void on_synced(const ConnectionConfig& connection, const SyncSummary& s) override {
    (void)connection;
    std::printf("connection %s: %u billing period%s: %u read, %u up to date, %u closed, %u "
                "before start_date, %u failed\n",
                m_name.c_str(), s.periods, s.periods == 1 ? "" : "s", s.ingested, s.up_to_date,
                s.closed, s.before_start, s.failed);
    if (s.periods == 0)
      std::printf("connection %s: no manifest found under the report's prefix yet (AWS "
                  "delivers the first report up to 24 hours after it is created)\n",
                  m_name.c_str());
  }

  void on_account_names(const ConnectionConfig& connection, const Result<AccountNameStats>& fetched,
                        const Findings& findings) override {
    (void)connection;
    if (fetched.ok()) {
      std::printf("connection %s: %u account names from AWS Organizations\n", m_name.c_str(),
                  fetched.value().accounts);
      return;
    }
    std::string why = error_text(fetched.error());
    for (std::size_t i = 0; i < findings.size(); ++i)
      why += "; " + std::string(findings[i].view());
    std::printf("connection %s: account names not read: %s\n", m_name.c_str(), why.c_str());
    std::fprintf(stderr,
                 "edgecur: connection %s: account names not read (the names stored before are "
                 "kept): %s\n",
                 m_name.c_str(), why.c_str());
  }

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
        print_malformed_locations(m_engine->mapper(), report.failed_key);
      print_failed_key(m_engine->store(), report.error.code);
      if (report.error.code == ErrorCode::Conflict)
        print_duplicate(m_engine->store());
    }
  }

private:
  std::string m_name;
  const IngestEngine* m_engine = nullptr;
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
  Log& log = runtime.log();

  // One memory plan: the largest connection's arena, and the sync's own.
  std::size_t budget = Collector::arena_bytes(config, settings.ingest);
  std::unique_ptr<std::uint8_t[]> memory(new std::uint8_t[budget]);
  Arena arena(MutableBytes(memory.get(), budget));
  std::unique_ptr<std::uint8_t[]> sync_memory(new std::uint8_t[Collector::kSyncArenaBytes]);
  Arena sync_arena(MutableBytes(sync_memory.get(), Collector::kSyncArenaBytes));
  auto collector = std::make_unique<Collector>(runtime, store, arena, sync_arena);
  PassPrinter printer;
  NameCollector names;
  CollectSummary pass = collector->run(config, settings.ingest, only ? only : "", printer, names);
  int exit_code = pass.failed > 0 ? kExitRemote : kExitOk;
  // Names replace the stored ones only when every connection that wants them got them all.
  if (pass.names_wanted && pass.names_complete) {
    std::vector<AccountName> list;
    list.reserve(names.names.size());
    for (std::size_t i = 0; i < names.names.size(); ++i)
      list.push_back(AccountName{names.accounts[i], names.names[i]});
    if (Status stored = store.put_account_names(list); !stored.ok()) {
      print_error("store " + settings.store_path, stored.error());
      exit_code = kExitStore;
    }
  }
  if (only && pass.connections == 0) {
    print_message(std::string("once: no connection named ") + only);
    return kExitUsage;
  }
  platform::http_global_cleanup();
  log.write(LogLevel::Debug, sqlite_memory_text());
  log.write(LogLevel::Debug, network_memory_text());
  return exit_code;
}

} // namespace ec::firmware
