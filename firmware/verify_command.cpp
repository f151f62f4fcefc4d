// firmware/verify_command.cpp - `edgecur verify`: each step of each connection, OK or FAIL with
// the cause and the fix, for a technician on site (the steps: core/collect/source_check.h).
#include "core/collect/source_check.h"
#include "core/collect/source_registry.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/network_memory.h"
#include "firmware/runtime.h"
#include "firmware/settings.h"

#include <cstdio>
#include <memory>
#include <string>

namespace ec::firmware {
namespace {

class CheckPrinter final : public CheckObserver {
public:
  explicit CheckPrinter(std::string name) : m_name(std::move(name)) {}
  void on_check(CheckResult result, std::string_view check, std::string_view text,
                std::string_view fix) override {
    const char* label = result == CheckResult::Ok     ? "OK"
                        : result == CheckResult::Warn ? "WARN"
                                                      : "FAIL";
    std::printf("%-5s %-12s %-18.*s %.*s\n", label, m_name.c_str(), static_cast<int>(check.size()),
                check.data(), static_cast<int>(text.size()), text.data());
    if (result == CheckResult::Fail && !fix.empty())
      std::printf("      %-12s %-18s fix: %.*s\n", "", "", static_cast<int>(fix.size()),
                  fix.data());
  }

private:
  std::string m_name;
};

} // namespace

int run_verify(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "store", "connection"}, {});
  if (!args.ok()) {
    print_message("verify: " + args.problem());
    return kExitUsage;
  }
  Settings settings;
  if (int code = load_settings(args, settings); code != kExitOk)
    return code;
  if (!settings.config || settings.config->connections.empty()) {
    print_message("verify: no [connection NAME] section in the configuration");
    return kExitConfig;
  }
  if (int code = give_network_memory(settings, "verify"); code != kExitOk)
    return code;
  auto runtime = std::make_unique<Runtime>(settings.config->log.level);
  // One connection at a time: the largest source's arena, and the sync's for the manifests.
  std::size_t budget = max_source_arena_bytes(settings.config->connections);
  std::unique_ptr<std::uint8_t[]> memory(new std::uint8_t[budget]);
  Arena arena(MutableBytes(memory.get(), budget));
  std::unique_ptr<std::uint8_t[]> sync_memory(new std::uint8_t[kReportSyncArenaBytes]);
  Arena sync_arena(MutableBytes(sync_memory.get(), kReportSyncArenaBytes));
  auto sync = std::make_unique<ReportSync>();
  const char* only = args.value("connection");
  bool all_ok = true;
  bool matched = false;
  for (const ConnectionConfig& c : settings.config->connections) {
    if (only && std::string(c.name) != only)
      continue;
    matched = true;
    arena.reset();
    sync_arena.reset();
    CheckPrinter printer{std::string(c.name)};
    Status ready = sync->init(sync_arena);
    if (!ready.ok()) {
      print_error("verify", ready.error());
      return kExitInternal;
    }
    all_ok = check_connection(c, *runtime, arena, *sync, printer) && all_ok;
  }
  runtime.reset(); // its HTTP client goes before libcurl's global state
  platform::http_global_cleanup();
  if (only && !matched) {
    print_message(std::string("verify: no connection named ") + only);
    return kExitUsage;
  }
  return all_ok ? kExitOk : kExitRemote;
}

} // namespace ec::firmware
