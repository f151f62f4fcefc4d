// platform/store_lock.h - The store's single-writer lock: flock on a file beside the database.
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <cstdint>

namespace ec::platform {

/// Longest holder description kept (pid, start time and command line of the process that holds
/// the lock), in bytes.
inline constexpr std::size_t kStoreLockHolderBytes = 320;

/// One writer per store. Every command that writes the store (ingest, once) holds an exclusive
/// flock on "<store>.lock" for the whole delivery; readers (report, status) never take it, since
/// SQLite's WAL lets them read beside the writer. The kernel drops the lock when the process ends,
/// however it ends (kill -9, a crash), so a dead writer never blocks the next one. The holder
/// writes who it is into the file, so that a second writer can name it.
class StoreLock {
public:
  StoreLock() = default;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock() { release(); }

  /// Tries to take the lock of `store_path` (the file "<store_path>.lock", created 0600), for up
  /// to `wait_ms` (0: one try). Returns true when taken; then `command` (the writer's command
  /// line, one line, cut at kStoreLockHolderBytes) is recorded in the file with the pid and the
  /// time. Returns false when another process still holds it after the wait: holder() then says
  /// who. Errors (lib Errno): NotFound "store lock: the store's folder does not exist",
  /// Permission "store lock: permission denied", Io "store lock: cannot lock".
  Result<bool> acquire(const char* store_path, std::uint32_t wait_ms, const char* command,
                       std::int64_t now_unix_seconds);
  /// Drops the lock (idempotent).
  void release();
  [[nodiscard]] bool held() const { return m_descriptor >= 0 && m_held; }
  /// After acquire() returned false: the holder's record, e.g. "pid 4242 since
  /// 2026-12-07T14:00:00Z: edgecur once --config /etc/edgecur/edgecur.ini", or "unknown" when
  /// the file has no record yet. Valid until the next acquire().
  [[nodiscard]] const char* holder() const { return m_holder; }

private:
  int m_descriptor = -1;
  bool m_held = false;
  char m_holder[kStoreLockHolderBytes + 1] = {};
};

} // namespace ec::platform
