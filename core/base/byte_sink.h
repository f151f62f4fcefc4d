// core/base/byte_sink.h - ByteSink, the push interface every streaming stage implements.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace ec {

/// A stage that is pushed bytes by whoever has them (a file loop now, libcurl's write callback
/// later). It never reads a file or socket itself. Backpressure is the returned error: on any
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

} // namespace ec
