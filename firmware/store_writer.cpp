// firmware/store_writer.cpp - Opening the store to write it: the writer lock first, then SQLite.
#include "firmware/store_writer.h"

#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "platform/output.h"
#include "platform/store_files.h"

#include <cstdio>
#include <string>

namespace ec::firmware {

int open_store_for_writing(const Settings& settings, int argc, char** argv,
                           platform::StoreLock& lock, Store& store) {
  std::string command;
  for (int i = 0; i < argc; ++i) {
    if (i > 0)
      command += ' ';
    command += i == 0 ? "edgecur" : argv[i];
  }
  // The folder first (the lock file lives in it), private: a fresh device has no /var/lib/edgecur.
  if (Status ready = platform::create_store_folder(settings.store_path.c_str()); !ready.ok()) {
    print_error("store " + settings.store_path, ready.error());
    return kExitStore;
  }
  Result<bool> taken = lock.acquire(settings.store_path.c_str(), settings.store_lock_wait_ms,
                                    command.c_str(), platform::wall_clock_seconds());
  if (!taken.ok()) {
    print_error("store " + settings.store_path, taken.error());
    return kExitStore;
  }
  if (!taken.value()) {
    char waited[32];
    std::snprintf(waited, sizeof waited, "%.1f s", settings.store_lock_wait_ms / 1000.0);
    print_message("store " + settings.store_path + ": another edgecur is writing it (" +
                  lock.holder() + "); waited " + waited +
                  " ([store] lock_wait); nothing was read or written, run again later");
    return kExitStoreBusy;
  }
  // The file only once the lock is ours: a writer that gives up leaves nothing behind.
  if (Status ready = platform::create_store_file(settings.store_path.c_str()); !ready.ok()) {
    print_error("store " + settings.store_path, ready.error());
    return kExitStore;
  }
  if (Status opened = store.open(settings.store_path.c_str(), OpenMode::ReadWrite); !opened.ok()) {
    print_error("store " + settings.store_path, opened.error());
    return kExitStore;
  }
  return kExitOk;
}

} // namespace ec::firmware
