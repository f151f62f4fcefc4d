// platform/file_status.h - A file's type, mode and owner, and its whole text, for the config
// loader.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec::platform {

enum class FileType : std::uint8_t { Regular, Directory, Other };

/// What the OS says about a file (symbolic links are followed).
struct FileStatus {
  FileType type = FileType::Other;
  std::uint32_t mode = 0;      ///< permission bits only (07777), e.g. 0600
  std::uint32_t owner_uid = 0; ///< numeric user id of the owner
  std::uint64_t size_bytes = 0;
};

/// A small file read whole, with the status of the very file that was read (no race between the
/// permission check and the read).
struct FileContents {
  FileStatus status;
  std::string_view text; ///< in the arena given to read_small_file, followed by a '\0'
};

/// Status of `path`. Errors (lib Errno with the raw errno): NotFound "file: does not exist",
/// Permission "file: permission denied", Io "file: cannot get status".
Result<FileStatus> file_status(const char* path);

/// Reads the regular file `path` whole into `arena` (size + 1 bytes). Errors: as file_status, plus
/// InvalidInput "file: not a regular file", LimitExceeded "file: larger than the limit" when it
/// holds more than `max_bytes`, OutOfMemory when the arena is too small (the arena is then left
/// as it was), Io "file: cannot read". EINTR and short reads are absorbed.
Result<FileContents> read_small_file(const char* path, std::size_t max_bytes, Arena& arena);

} // namespace ec::platform
