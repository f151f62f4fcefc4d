// firmware/policy_command.cpp - `edgecur policy`: the least IAM policy the configured connections
// need (discovering each report's bucket unless --offline), and on request a role's trust policy.
#include "core/collect/source_registry.h"
#include "core/source/iam_policy.h"
#include "firmware/commands.h"
#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "firmware/network_memory.h"
#include "firmware/runtime.h"
#include "firmware/settings.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ec::firmware {
namespace {

void print_notes(const Findings& notes) {
  for (std::size_t i = 0; i < notes.size(); ++i)
    std::fprintf(stderr, "edgecur: note: %.*s\n", static_cast<int>(notes[i].view().size()),
                 notes[i].view().data());
}

template <typename Write> int print_text(Write write) {
  std::vector<char> text(16 * 1024);
  for (int tries = 0; tries < 2; ++tries) {
    Findings notes;
    auto written = write(std::span<char>(text.data(), text.size()), notes);
    if (!written.ok()) {
      print_error("policy", written.error());
      return kExitConfig;
    }
    if (written.value() < text.size()) {
      std::fwrite(text.data(), 1, written.value(), stdout);
      print_notes(notes);
      return kExitOk;
    }
    text.resize(written.value() + 1);
  }
  return kExitInternal;
}

} // namespace

int run_policy(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {"config", "trust"}, {"offline"});
  if (!args.ok()) {
    print_message("policy: " + args.problem());
    return kExitUsage;
  }
  Settings settings;
  if (int code = load_settings(args, settings); code != kExitOk)
    return code;
  if (!settings.config || settings.config->connections.empty()) {
    print_message("policy: no [connection NAME] section in the configuration");
    return kExitConfig;
  }
  const Config& config = *settings.config;
  if (const char* trust = args.value("trust")) {
    // The trust policy holds the external id: it goes to stdout only, for the account owner.
    for (const ConnectionConfig& c : config.connections) {
      if (std::string(c.name) == trust)
        return print_text([&](std::span<char> out, Findings& notes) {
          return write_trust_policy(c, out, notes);
        });
    }
    print_message(std::string("policy: no connection named ") + trust);
    return kExitUsage;
  }

  // Where the bucket of a cur/cur2 report is comes from discovery, when it can run.
  std::vector<DiscoveredLocation> discovered;
  std::vector<std::unique_ptr<std::uint8_t[]>> memories;
  std::vector<std::unique_ptr<Arena>> arenas;
  auto runtime = std::make_unique<Runtime>(config.log.level);
  if (!args.has("offline")) {
    if (int code = give_network_memory(settings, "policy"); code != kExitOk)
      return code;
    for (const ConnectionConfig& c : config.connections) {
      if (c.type != ConnectionType::Cur && c.type != ConnectionType::Cur2)
        continue;
      std::size_t bytes = source_type(c.type)->arena_bytes;
      memories.push_back(std::make_unique<std::uint8_t[]>(bytes));
      arenas.push_back(std::make_unique<Arena>(MutableBytes(memories.back().get(), bytes)));
      // One at a time: each holds an HTTPS connection and its parsed CA bundle in the network
      // memory. What is kept of it (the location) lives in its arena.
      Arena& arena = *arenas.back();
      Findings findings;
      Status status = {};
      {
        SourceHandle source;
        auto made = make_source(c, *runtime, arena);
        if (made.ok())
          source.reset(made.value());
        status = made.ok() ? source->open(arena) : Status(made.error());
        if (status.ok())
          status = source->check_access();
        if (status.ok())
          status = source->locate(findings);
        if (status.ok())
          discovered.push_back(DiscoveredLocation{c.name, source->location()});
      }
      runtime->release();
      if (!status.ok())
        std::fprintf(stderr,
                     "edgecur: note: connection %s: report not found (%s); its bucket is left as "
                     "a placeholder (run `edgecur verify` to see why)\n",
                     std::string(c.name).c_str(), error_text(status.error()).c_str());
    }
  }
  int code = print_text([&](std::span<char> out, Findings& notes) {
    return write_iam_policy(config, discovered, out, notes);
  });
  if (!args.has("offline"))
    platform::http_global_cleanup();
  return code;
}

} // namespace ec::firmware
