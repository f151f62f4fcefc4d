// platform/dir_object_store.h - DirObjectStore: a local directory laid out like a report bucket
// (a copied bucket: <dir>/<prefix>/<name>/...), read through the ObjectStore interface.
#pragma once

#include "core/base/bytes.h"
#include "core/source/object_store.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec::platform {

/// Keys are paths relative to the root with '/' separators. ETags are "<size>-<mtime ns>", so a
/// file rewritten while it is read is reported as replaced. Symbolic links are followed for files,
/// not for directories (no loops). Not thread-safe.
class DirObjectStore final : public ObjectStore {
public:
  /// `root` must outlive the store; `buffer` is the read buffer for stream().
  Status init(std::string_view root, MutableBytes buffer);

  /// Every regular file under the root whose key starts with `prefix`, in directory order (not
  /// sorted: nothing here needs key order, and sorting would need memory per level). Keys longer than 1024 bytes or more than 32 levels deep are LimitExceeded.
  Status list(std::string_view prefix, ObjectVisitor& visitor) override;
  Result<Bytes> read_small(std::string_view key, MutableBytes buffer,
                           ObjectVersion& version) override;
  Status stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                StreamObserver* observer) override;

private:
  Status path_of(std::string_view key);
  Status walk(std::size_t path_size, std::size_t depth, std::string_view prefix,
              ObjectVisitor& visitor);

  std::string_view m_root;
  MutableBytes m_buffer;
  char m_path[4096 + 2];
  std::size_t m_root_size = 0;
};

} // namespace ec::platform
