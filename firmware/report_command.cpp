// firmware/report_command.cpp - `edgecur report`: the stored totals as csv, a table or json.
#include "core/report/report_writer.h"
#include "core/store/store.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/settings.h"
#include "firmware/sqlite_memory.h"
#include "platform/output.h"

#include <string>

namespace ec::firmware {

static const char kReportUsage[] =
    "usage: edgecur report [--config F] [--store DB] [--format table|csv|json] [--account ID] "
    "[--from T] [--to T] [--by hour|day|month] [--scope CONNECTION] [--csv-names]";

int run_report(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store", "format", "account", "from", "to", "by", "scope"},
               {"csv-names"});
  if (!args.ok() || !args.positional().empty()) {
    print_message("report: " + (args.ok() ? std::string("unexpected argument") : args.problem()));
    print_message(kReportUsage);
    return kExitUsage;
  }
  ReportFormat format = ReportFormat::Table;
  if (const char* name = args.value("format"); name && !parse_report_format(name, format)) {
    print_message(std::string("report: --format must be table, csv or json, not '") + name + "'");
    return kExitUsage;
  }
  ReportQuery query;
  if (const char* by = args.value("by")) {
    std::string grouping = by;
    if (grouping == "hour") {
      query.grouping = ReportGrouping::Hour;
    } else if (grouping == "day") {
      query.grouping = ReportGrouping::Day;
    } else if (grouping == "month") {
      query.grouping = ReportGrouping::Month;
    } else {
      print_message("report: --by must be hour, day or month, not '" + grouping + "'");
      return kExitUsage;
    }
  }
  if (const char* account = args.value("account");
      account && !AccountId::parse(account, query.account)) {
    print_message(std::string("report: --account must be an account id of 1-19 digits, not '") +
                  account + "'");
    return kExitUsage;
  }
  for (const char* name : {"from", "to"}) {
    const char* text = args.value(name);
    if (!text)
      continue;
    Result<UnixSeconds> when = parse_timestamp(text);
    if (!when.ok()) {
      print_message(std::string("report: --") + name + " must be a UTC date or time such as " +
                    "2024-03-01 or 2024-03-01T12:00:00Z, not '" + text + "'");
      return kExitUsage;
    }
    (std::string(name) == "from" ? query.from : query.to) = when.value();
  }

  // One connection's rows only; "" is the files of `edgecur ingest`.
  if (const char* scope = args.value("scope"))
    query.scope = std::string_view(scope);
  CsvNames csv_names = args.has("csv-names") ? CsvNames::Append : CsvNames::Omit;

  Settings settings;
  if (int code = load_store_settings(args, settings); code != kExitOk)
    return code;
  Store store;
  if (Status opened = store.open(settings.store_path.c_str(), OpenMode::ReadOnly); !opened.ok()) {
    print_error("store " + settings.store_path, opened.error());
    return kExitStore;
  }
  platform::FdSink out(platform::Fd::Stdout);
  ReportWriter writer(out, format, csv_names);
  Status status = store.query(query, writer);
  Status finished = writer.finish();
  if (!status.ok()) {
    print_error("report", status.error());
    // The store could not be read (its database, SQLite's memory, a damaged file); else the output.
    ErrorCode code = status.error().code;
    bool store_failed =
        code == ErrorCode::Store || code == ErrorCode::OutOfMemory || code == ErrorCode::Corrupt;
    return store_failed ? kExitStore : kExitInternal;
  }
  if (!finished.ok()) {
    print_error("report", finished.error());
    return kExitInternal;
  }
  return kExitOk;
}

} // namespace ec::firmware
