// firmware/exit_codes.h - The process exit codes of every command (documented in README.md).
#pragma once

namespace ec::firmware {

enum ExitCode : int {
  kExitOk = 0,        ///< done
  kExitUsage = 1,     ///< the command line is wrong
  kExitConfig = 2,    ///< the INI file has problems or cannot be read (or is refused)
  kExitInput = 3,     ///< an input file was rejected; the store is as it was before
  kExitStore = 4,     ///< the store cannot be opened, read or written
  kExitInternal = 5,  ///< out of memory or a bug
  kExitRemote = 6,    ///< a connection failed (AWS refused, unreachable, a report unreadable)
  kExitStoreBusy = 7, ///< another edgecur is writing the store ([store] lock_wait ran out)
};

} // namespace ec::firmware
