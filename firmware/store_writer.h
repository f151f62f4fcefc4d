// firmware/store_writer.h - Opening the store to write it: the writer lock first, then SQLite.
#pragma once

#include "core/store/store.h"
#include "firmware/settings.h"
#include "platform/store_lock.h"

namespace ec::firmware {

/// Creates the store's folder (0700) and file (0600) when missing, takes the store's writer lock
/// (waiting up to [store] lock_wait), then opens the store for writing. The lock is held until
/// `lock` is released or destroyed: for the whole command, so that no other writer's delivery
/// interleaves with this one's. Prints what went wrong and returns the exit code: kExitOk,
/// kExitStoreBusy when another process still writes after the wait (the message names its pid,
/// start time and command), kExitStore otherwise.
int open_store_for_writing(const Settings& settings, int argc, char** argv,
                           platform::StoreLock& lock, Store& store);

} // namespace ec::firmware
