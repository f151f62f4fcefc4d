// core/base/object_store.h - ObjectStore: a bucket (S3) or a directory laid out like one,
// as the report sync reads it: list keys, read a small object, stream a large one.
#pragma once

#include "core/base/byte_sink.h"
#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

inline constexpr std::size_t kMaxObjectETagBytes = 256;

/// One listed object; views valid during the visitor call only.
struct ObjectEntry {
  std::string_view key;
  std::string_view etag; ///< quotes included as S3 sends them; a local file: "size-mtime"
  std::uint64_t size = 0;
};

class ObjectVisitor {
public:
  virtual Status on_object(const ObjectEntry& entry) = 0;

protected:
  ~ObjectVisitor() = default;
};

/// The ETag (fixed buffer) and size of an object read.
struct ObjectVersion {
  char etag[kMaxObjectETagBytes];
  std::size_t etag_size = 0;
  std::uint64_t size = 0;
  [[nodiscard]] std::string_view etag_view() const { return {etag, etag_size}; }
};

/// Told about the bytes of a streamed object as they arrive (a progress line, a test's fault).
class StreamObserver {
public:
  virtual void on_bytes(std::uint64_t done, std::uint64_t total) = 0;

protected:
  ~StreamObserver() = default;
};

/// The ObjectStore error callers branch on, by its code Changed: the object changed while it was
/// streamed (S3 412 to If-Match, a local file rewritten); the bytes already given to the sink are
/// of the old version: start the delivery again.
inline constexpr Error kObjectReplaced =
    make_error(ErrorCode::Changed, "source: object replaced while being read");

class ObjectStore {
public:
  /// Every object whose key starts with `prefix`, all pages (S3: in key order; a directory: in
  /// no particular order). An S3 page cut short
  /// (truncated without a continuation token) is an error, never a silent end.
  virtual Status list(std::string_view prefix, ObjectVisitor& visitor) = 0;
  /// The whole object into `buffer`; returns the filled part. `version` gets its ETag and size.
  /// LimitExceeded when it does not fit; NotFound when missing.
  virtual Result<Bytes> read_small(std::string_view key, MutableBytes buffer,
                                   ObjectVersion& version) = 0;
  /// The whole object into `sink` in order (finish() not called), in ranged reads, resuming at
  /// the exact byte after a dropped connection; every read after the first is conditional on the
  /// first one's ETag, so a replaced object is kObjectReplaced (Changed).
  virtual Status stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                        StreamObserver* observer) = 0;

protected:
  ~ObjectStore() = default;
};

} // namespace ec
