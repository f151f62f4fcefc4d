// platform/posix/output.cpp - write(2) loops and clock_gettime.
#include "platform/output.h"

#include "platform/posix/eintr.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <unistd.h>

namespace ec::platform {

Status FdSink::write(Bytes chunk) {
  if (chunk.size() > sizeof m_buffer - m_used)
    EC_TRY(flush());
  if (chunk.size() > sizeof m_buffer) {
    // Larger than the buffer: write through.
    std::size_t done = 0;
    int fd = m_fd == Fd::Stdout ? STDOUT_FILENO : STDERR_FILENO;
    while (done < chunk.size()) {
      ssize_t count =
          retry_on_eintr([&] { return ::write(fd, chunk.data() + done, chunk.size() - done); });
      if (count <= 0)
        return make_lib_error(ErrorCode::Io, "output: write failed", ErrorLib::Errno, errno);
      done += static_cast<std::size_t>(count);
    }
    return {};
  }
  std::memcpy(m_buffer + m_used, chunk.data(), chunk.size());
  m_used += chunk.size();
  return {};
}

Status FdSink::flush() {
  int fd = m_fd == Fd::Stdout ? STDOUT_FILENO : STDERR_FILENO;
  std::size_t done = 0;
  while (done < m_used) {
    ssize_t count = retry_on_eintr([&] { return ::write(fd, m_buffer + done, m_used - done); });
    if (count <= 0)
      return make_lib_error(ErrorCode::Io, "output: write failed", ErrorLib::Errno, errno);
    done += static_cast<std::size_t>(count);
  }
  m_used = 0;
  return {};
}

Status FdSink::finish() {
  return flush();
}

UnixSeconds wall_clock_seconds() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<UnixSeconds>(now.tv_sec);
}

std::uint64_t monotonic_ms() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000000u;
}

} // namespace ec::platform
