// platform/output.h - Standard output and error as sinks.
#pragma once

#include "core/base/byte_sink.h"

#include <cstdint>

namespace ec::platform {

enum class Fd { Stdout, Stderr };

/// A buffered writer to stdout or stderr (64 KiB buffer, flushed on finish() and when full).
class FdSink final : public ByteSink {
public:
  explicit FdSink(Fd fd) : m_fd(fd) {}
  Status write(Bytes chunk) override;
  Status finish() override;

private:
  Status flush();
  Fd m_fd;
  std::uint8_t m_buffer[64 * 1024];
  std::size_t m_used = 0;
};

} // namespace ec::platform
