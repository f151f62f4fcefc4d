// platform/dir_object_store.h - DirObjectStore: a local directory laid out like a report bucket
// (a copied bucket: <dir>/<prefix>/<name>/...), read through the ObjectStore interface.
#pragma once

#include "core/base/bytes.h"
#include "core/base/object_store.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec::platform {

/// Keys are paths relative to the root with '/' separators. ETags are "<size>-<mtime ns>", so a
/// file rewritten while it is read is reported as replaced. Nothing leads out of the root: a
/// symbolic link inside it, to a file or a directory, is neither listed nor entered, and a read
/// through one is Permission "local: refusing a symbolic link" (the root itself may be a link).
/// Not thread-safe.
class DirObjectStore final : public ObjectStore {
public:
  /// `root` must outlive the store; `buffer` is the read buffer for stream().
  Status init(std::string_view root, MutableBytes buffer);

  /// Every regular file under the root whose key starts with `prefix`, in directory order (not
  /// sorted: nothing here needs key order, and sorting would need memory per level). Keys longer
  /// than 1024 bytes or more than 32 levels deep are LimitExceeded.
  Status list(std::string_view prefix, ObjectVisitor& visitor) override;
  Result<Bytes> read_small(std::string_view key, MutableBytes buffer,
                           ObjectVersion& version) override;
  Status stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                StreamObserver* observer) override;

private:
  Status path_of(std::string_view key);
  int open_root();
  /// A descriptor of the regular file or other node at `key`, never through a link.
  Result<int> open_key(std::string_view key);
  /// Lists below `directory_fd` (owned: closed on return), whose key is m_path up to path_size.
  Status walk(int directory_fd, std::size_t path_size, std::size_t depth, std::string_view prefix,
              ObjectVisitor& visitor);

  std::string_view m_root;
  MutableBytes m_buffer;
  char m_path[4096 + 2];
  std::size_t m_root_size = 0;
};

} // namespace ec::platform
