// firmware/forget_command.cpp - `edgecur forget`: remove what one scope holds.
#include "core/store/store.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/settings.h"
#include "firmware/sqlite_memory.h"
#include "firmware/store_writer.h"
#include "platform/store_lock.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace ec::firmware {
namespace {

constexpr const char* kForgetUsage =
    "usage: edgecur forget [--config F] [--store DB] --scope NAME [--period YYYY-MM] (NAME is a "
    "connection's name, \"\" for the files of edgecur ingest)";

// "YYYY-MM" as YYYYMM; 0 when it is not one.
std::int32_t parse_period(std::string_view text) {
  if (text.size() != 7 || text[4] != '-')
    return 0;
  std::int32_t value = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4)
      continue;
    if (text[i] < '0' || text[i] > '9')
      return 0;
    value = value * 10 + (text[i] - '0');
  }
  std::int32_t month = value % 100;
  return month >= 1 && month <= 12 && value / 100 >= 1970 ? value : 0;
}

} // namespace

int run_forget(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store", "scope", "period"}, {});
  if (!args.ok() || !args.positional().empty() || !args.value("scope")) {
    print_message(std::string("forget: ") +
                  (!args.ok()                   ? args.problem()
                   : !args.positional().empty() ? "unexpected argument"
                                                : "--scope is required") +
                  " (" + kForgetUsage + ")");
    return kExitUsage;
  }
  std::string_view scope = args.value("scope");
  if (scope == kLocalScopeLabel)
    scope = ""; // as `edgecur status` shows it
  std::int32_t period = 0;
  if (const char* text = args.value("period")) {
    period = parse_period(text);
    if (period == 0) {
      print_message(std::string("forget: --period must be YYYY-MM, not '") + text + "' (" +
                    kForgetUsage + ")");
      return kExitUsage;
    }
  }
  Settings settings;
  if (int code = load_store_settings(args, settings); code != kExitOk)
    return code;
  platform::StoreLock lock; // held until the command returns: one writer per store
  Store store;
  if (int code = open_store_for_writing(settings, argc, argv, lock, store); code != kExitOk)
    return code;
  Result<ForgetOutcome> forgot = store.forget(scope, period);
  if (!forgot.ok()) {
    print_error("store " + settings.store_path, forgot.error());
    return kExitStore;
  }
  std::string label = scope.empty() ? std::string(kLocalScopeLabel) : std::string(scope);
  std::string which = period == 0 ? "every billing period" : period_text(period);
  if (forgot.value().periods == 0 && forgot.value().hourly_rows == 0) {
    std::printf("forget: scope '%s' holds nothing for %s; nothing was changed\n", label.c_str(),
                which.c_str());
    return kExitOk;
  }
  std::printf("forgot scope '%s', %s: %s billing period%s, %s hourly rows removed\n", label.c_str(),
              which.c_str(), group_digits(forgot.value().periods).c_str(),
              forgot.value().periods == 1 ? "" : "s",
              group_digits(forgot.value().hourly_rows).c_str());
  return kExitOk;
}

} // namespace ec::firmware
