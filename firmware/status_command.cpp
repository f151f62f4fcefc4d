// firmware/status_command.cpp - `edgecur status`: the delivery each scope and billing period holds.
#include "core/store/store.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/settings.h"
#include "firmware/sqlite_memory.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace ec::firmware {
namespace {

class StatusPrinter final : public DeliverySink {
public:
  Status on_delivery(const DeliveryRecord& record) override {
    if (m_count++ == 0)
      std::printf("%-8s %-16s %-20s %12s %14s  %s\n", "period", "scope", "ingested (UTC)",
                  "hourly rows", "line items", "delivery");
    char when[32];
    format_timestamp(record.ingested_at, when, sizeof when);
    std::string_view scope = record.scope.empty() ? kLocalScopeLabel : record.scope;
    std::printf("%04d-%02d  %-16.*s %-20s %12s %14s  %.*s\n", record.billing_period / 100,
                record.billing_period % 100, static_cast<int>(scope.size()), scope.data(), when,
                group_digits(record.keys).c_str(), group_digits(record.line_items).c_str(),
                static_cast<int>(record.identity.size()), record.identity.data());
    std::printf("%8s  from %.*s\n", "", static_cast<int>(record.source.size()),
                record.source.data());
    return {};
  }
  int m_count = 0;
};

} // namespace

int run_status(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store"}, {});
  if (!args.ok() || !args.positional().empty()) {
    print_message("status: " + (args.ok() ? "unexpected argument" : args.problem()) +
                  " (usage: edgecur status [--config F] [--store DB])");
    return kExitUsage;
  }
  Settings settings;
  if (int code = load_store_settings(args, settings); code != kExitOk)
    return code;
  Store store;
  if (Status opened = store.open(settings.store_path.c_str(), OpenMode::ReadOnly); !opened.ok()) {
    print_error("store " + settings.store_path, opened.error());
    return kExitStore;
  }
  StatusPrinter printer;
  if (Status listed = store.list_deliveries(printer); !listed.ok()) {
    print_error("store " + settings.store_path, listed.error());
    return kExitStore;
  }
  if (printer.m_count == 0)
    std::printf("the store holds no billing periods yet\n");
  return kExitOk;
}

} // namespace ec::firmware
