// firmware/store_writer.cpp - Opening the store to write it: the writer lock first, then SQLite.
#include "firmware/store_writer.h"

#include "firmware/console.h"
#include "firmware/exit_codes.h"
#include "platform/output.h"
#include "platform/store_files.h"
#include "platform/system_clock.h"

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
  // Everything a writer creates is private, SQLite's per-delivery staging file included.
  platform::make_new_files_private();
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
  Status opened = store.open(settings.store_path.c_str(), OpenMode::ReadWrite);
  if (!opened.ok() && Store::is_damaged(opened.error())) {
    // Never written into: moved aside (kept for support) and rebuilt from the source, since a
    // new store holds no delivery and every period in the recheck window is read again.
    char stamp[32];
    format_timestamp(platform::wall_clock_seconds(), stamp, sizeof stamp);
    std::string compact;
    for (char c : std::string(stamp))
      if (c != '-' && c != ':')
        compact += c;
    char moved_to[4096];
    Status moved = platform::move_store_aside(settings.store_path.c_str(), compact.c_str(),
                                              moved_to, sizeof moved_to);
    if (!moved.ok()) {
      print_error("store " + settings.store_path, opened.error());
      print_error("store " + settings.store_path, moved.error());
      return kExitStore;
    }
    print_message("store " + settings.store_path + ": " + error_text(opened.error()) +
                  "; moved aside to " + moved_to +
                  " and starting a new store: every billing period is read again");
    if (Status ready = platform::create_store_file(settings.store_path.c_str()); !ready.ok()) {
      print_error("store " + settings.store_path, ready.error());
      return kExitStore;
    }
    opened = store.open(settings.store_path.c_str(), OpenMode::ReadWrite);
  }
  if (!opened.ok()) {
    print_error("store " + settings.store_path, opened.error());
    return kExitStore;
  }
  return kExitOk;
}

} // namespace ec::firmware
