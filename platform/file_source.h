// platform/file_source.h - Reading a local file and pushing it into a ByteSink.
#pragma once

#include "core/base/byte_sink.h"
#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstdint>

namespace ec::platform {

/// Told after each chunk pushed; an error stops the read.
class ReadProgress {
public:
  virtual Status on_progress(std::uint64_t bytes_done, std::uint64_t bytes_total) = 0;

protected:
  ~ReadProgress() = default;
};

/// Reads `path` in chunks of `buffer.size()` bytes into `buffer` and writes each to `sink`
/// (retrying EINTR and short reads). Does not call sink.finish(). Errors: NotFound, Permission, Io
/// (ErrorLib::Errno) or the sink's own error, unchanged.
Status push_file(const char* path, MutableBytes buffer, ByteSink& sink, ReadProgress* progress);

/// Size of a regular file, or NotFound/Io.
Result<std::uint64_t> file_size(const char* path);

} // namespace ec::platform
