// core/base/byte_sink.h - ByteSink, the push interface every streaming stage implements.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstdint>

namespace ec {

/// A stage that is pushed bytes by whoever has them (a file loop, or an HTTP client's write
/// callback). It never reads a file or socket itself. Backpressure is the returned error: on any
/// error the producer stops and must not call write() or finish() again.
class ByteSink {
public:
  /// `chunk` is valid during the call only; any size, including 0 and 1 byte.
  virtual Status write(Bytes chunk) = 0;
  /// Called once after the last write; reports a unit left incomplete (a truncated member).
  virtual Status finish() = 0;

protected:
  ~ByteSink() = default;
};

/// A ByteSink that can also lend its own free buffer space, so that a producer writes its output
/// there instead of into a buffer of its own followed by write(): one copy fewer. A producer
/// that knows its sink is a BufferedSink may mix both ways freely; the result is the same.
class BufferedSink : public ByteSink {
public:
  /// Free space the producer may fill, valid until the next call on this sink. Empty when the
  /// sink has none without first processing what it holds, or has failed: the producer then
  /// uses write(), which does that processing (or returns the error).
  virtual MutableBytes write_space() = 0;
  /// The first `bytes` of the last write_space() were filled: they now count as written, as if
  /// passed to write(). More than that space holds is a bug (EC_CHECK).
  virtual Status commit_written(std::size_t bytes) = 0;

protected:
  ~BufferedSink() = default;
};

/// Passes writes on to another sink and counts the bytes it accepted: where a dropped transfer
/// resumes, and whether a failure came from the sink itself.
class CountingSink final : public ByteSink {
public:
  explicit CountingSink(ByteSink& next) : m_next(next) {}
  Status write(Bytes chunk) override {
    Status status = m_next.write(chunk);
    if (!status.ok()) {
      m_failed = true;
      return status;
    }
    m_bytes += chunk.size();
    return {};
  }
  Status finish() override { return m_next.finish(); }

  /// Bytes the next sink accepted.
  [[nodiscard]] std::uint64_t bytes() const { return m_bytes; }
  /// The next sink refused a write.
  [[nodiscard]] bool failed() const { return m_failed; }

private:
  ByteSink& m_next;
  std::uint64_t m_bytes = 0;
  bool m_failed = false;
};

} // namespace ec
