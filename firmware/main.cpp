// firmware/main.cpp - edgecur entry point: picks the command.
#include "firmware/build_manifest.h"
#include "firmware/commands.h"
#include "firmware/exit_codes.h"

#include <cstdio>
#include <cstring>

namespace {

const char kUsage[] =
    "usage: edgecur <command> [options]\n"
    "\n"
    "commands:\n"
    "  ingest [--config F] [--store DB] FILE...   read one delivery of CUR files into the store\n"
    "  report [--config F] [--store DB] [--format table|csv|json] [--account ID]\n"
    "         [--from T] [--to T] [--by hour|day|month] [--scope CONNECTION] [--csv-names]\n"
    "                                              print the stored totals\n"
    "  status [--config F] [--store DB]            which delivery the store holds per month\n"
    "  forget [--config F] [--store DB] --scope NAME [--period YYYY-MM]\n"
    "                                              remove what one connection (\"\": ingest's\n"
    "                                              files) holds, e.g. a report read twice\n"
    "  once [--config F] [--connection NAME]       read every connection's new deliveries once\n"
    "  verify [--config F] [--connection NAME]     check each connection step by step (OK/FAIL)\n"
    "  policy [--config F] [--offline]             print the least IAM policy the connections "
    "need\n"
    "  policy [--config F] --trust NAME            print the trust policy of NAME's role (holds\n"
    "                                              its external id: for the account owner only)\n"
    "  config check [--config F | F]               check the INI file and its permissions\n"
    "  config example                              print an INI file with every setting\n"
    "  version [--verbose]                         print the version (--verbose: and the build\n"
    "                                              manifest: every library and its origin)\n"
    "\n"
    "exit codes: 0 ok, 1 usage, 2 configuration, 3 input rejected (store unchanged),\n"
    "            4 store error, 5 internal error, 6 a connection failed,\n"
    "            7 another edgecur is writing the store\n";

} // namespace

int main(int argc, char** argv) {
  using namespace ec::firmware;
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const char* command = argv[1];
  if (std::strcmp(command, "ingest") == 0)
    return run_ingest(argc, argv);
  if (std::strcmp(command, "report") == 0)
    return run_report(argc, argv);
  if (std::strcmp(command, "status") == 0)
    return run_status(argc, argv);
  if (std::strcmp(command, "once") == 0)
    return run_once(argc, argv);
  if (std::strcmp(command, "verify") == 0)
    return run_verify(argc, argv);
  if (std::strcmp(command, "policy") == 0)
    return run_policy(argc, argv);
  if (std::strcmp(command, "forget") == 0)
    return run_forget(argc, argv);
  if (std::strcmp(command, "config") == 0)
    return run_config(argc, argv);
  if (std::strcmp(command, "version") == 0 || std::strcmp(command, "--version") == 0) {
    bool verbose = argc == 3 && std::strcmp(argv[2], "--verbose") == 0;
    if (argc > 3 || (argc == 3 && !verbose)) {
      std::fprintf(stderr, "edgecur: usage: edgecur version [--verbose]\n");
      return kExitUsage;
    }
    if (verbose)
      std::fputs(kBuildManifest, stdout); // its first line names edgecur's version
    else
      std::printf("edgecur %s\n", EDGECUR_VERSION);
    return kExitOk;
  }
  std::fprintf(stderr, "edgecur: unknown command '%s'\n\n%s", command, kUsage);
  return kExitUsage;
}
