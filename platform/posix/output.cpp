// platform/posix/output.cpp - write(2) loops.
#include "platform/output.h"

#include "platform/posix/eintr.h"

#include <cerrno>
#include <cstring>
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

} // namespace ec::platform
