// platform/posix/store_lock.cpp - StoreLock with flock(2) on "<store>.lock".
#include "platform/store_lock.h"

#include "core/base/timestamp.h"
#include "platform/posix/eintr.h"
#include "platform/system_clock.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace ec::platform {
namespace {

constexpr std::uint32_t kPollMs = 100;

Error lock_error(int error_number) {
  switch (error_number) {
  case ENOENT:
  case ENOTDIR:
    return make_lib_error(ErrorCode::NotFound, "store lock: the store's folder does not exist",
                          ErrorLib::Errno, error_number);
  case EACCES:
  case EPERM:
  case EROFS:
    return make_lib_error(ErrorCode::Permission, "store lock: permission denied", ErrorLib::Errno,
                          error_number);
  default:
    return make_lib_error(ErrorCode::Io, "store lock: cannot lock", ErrorLib::Errno, error_number);
  }
}

// flock(LOCK_EX | LOCK_NB), absorbing EINTR: 1 taken, 0 held elsewhere, -1 error (errno set).
int try_lock(int descriptor) {
  if (retry_on_eintr([&] { return ::flock(descriptor, LOCK_EX | LOCK_NB); }) == 0)
    return 1;
  return errno == EWOULDBLOCK ? 0 : -1;
}

// The holder's record: one line, control bytes shown as '?', cut to fit.
void read_holder(int descriptor, char* out, std::size_t out_size) {
  std::size_t length = 0;
  for (;;) {
    ssize_t got = retry_on_eintr([&] {
      return ::pread(descriptor, out + length, out_size - 1 - length, static_cast<off_t>(length));
    });
    if (got <= 0)
      break;
    length += static_cast<std::size_t>(got);
    if (length == out_size - 1)
      break;
  }
  while (length > 0 && (out[length - 1] == '\n' || out[length - 1] == '\0'))
    --length;
  for (std::size_t i = 0; i < length; ++i) {
    unsigned char byte = static_cast<unsigned char>(out[i]);
    if (byte < 0x20 || byte == 0x7f)
      out[i] = '?';
  }
  out[length] = '\0';
  if (length == 0)
    std::snprintf(out, out_size, "unknown");
}

// Replaces the file's text with this process's record (best effort: the lock works without it).
void write_holder(int descriptor, const char* command, std::int64_t now_unix_seconds) {
  char since[32];
  format_timestamp(now_unix_seconds, since, sizeof since);
  char record[kStoreLockHolderBytes + 1];
  int length = std::snprintf(record, sizeof record, "pid %ld since %s: %s\n",
                             static_cast<long>(::getpid()), since, command ? command : "");
  if (length < 0)
    return;
  std::size_t size = static_cast<std::size_t>(length);
  if (size >= sizeof record) {
    size = sizeof record - 1;
    record[size - 1] = '\n';
  }
  if (::ftruncate(descriptor, 0) != 0)
    return;
  std::size_t written = 0;
  while (written < size) {
    ssize_t put = retry_on_eintr([&] {
      return ::pwrite(descriptor, record + written, size - written, static_cast<off_t>(written));
    });
    if (put <= 0)
      return;
    written += static_cast<std::size_t>(put);
  }
}

} // namespace

Result<bool> StoreLock::acquire(const char* store_path, std::uint32_t wait_ms, const char* command,
                                std::int64_t now_unix_seconds) {
  release();
  m_holder[0] = '\0';
  char lock_path[PATH_MAX];
  int length = std::snprintf(lock_path, sizeof lock_path, "%s.lock", store_path);
  if (length < 0 || static_cast<std::size_t>(length) >= sizeof lock_path)
    return make_error(ErrorCode::InvalidArgument, "store lock: the store's path is too long");
  // O_NOFOLLOW: a link planted in place of the lock file is refused, never written through.
  int descriptor = ::open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (descriptor < 0)
    return lock_error(errno);
  m_descriptor = descriptor;
  std::uint64_t deadline = monotonic_ms() + wait_ms;
  for (;;) {
    int taken = try_lock(descriptor);
    if (taken < 0) {
      int error_number = errno;
      release();
      return lock_error(error_number);
    }
    if (taken == 1)
      break;
    std::uint64_t now = monotonic_ms();
    if (now >= deadline) {
      read_holder(descriptor, m_holder, sizeof m_holder);
      release();
      return false;
    }
    std::uint64_t left = deadline - now;
    sleep_ms(left < kPollMs ? static_cast<std::uint32_t>(left) : kPollMs);
  }
  m_held = true;
  write_holder(descriptor, command, now_unix_seconds);
  return true;
}

void StoreLock::release() {
  if (m_descriptor >= 0)
    ::close(m_descriptor); // closing the last descriptor drops the flock
  m_descriptor = -1;
  m_held = false;
}

} // namespace ec::platform
