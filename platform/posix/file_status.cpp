// platform/posix/file_status.cpp - File status and whole-file reads with open/fstat/read.
#include "platform/file_status.h"

#include "platform/posix/eintr.h"
#include "platform/posix/errno_error.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ec::platform {
namespace {

FileStatus status_from(const struct stat& info) {
  FileStatus status;
  if (S_ISREG(info.st_mode))
    status.type = FileType::Regular;
  else if (S_ISDIR(info.st_mode))
    status.type = FileType::Directory;
  else
    status.type = FileType::Other;
  status.mode = static_cast<std::uint32_t>(info.st_mode) & 07777u;
  status.owner_uid = static_cast<std::uint32_t>(info.st_uid);
  status.size_bytes = info.st_size > 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
  return status;
}

// Closes the descriptor on every path out of read_small_file.
class FileDescriptor {
public:
  explicit FileDescriptor(int descriptor) : m_descriptor(descriptor) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (m_descriptor >= 0)
      ::close(m_descriptor);
  }
  [[nodiscard]] int get() const { return m_descriptor; }

private:
  int m_descriptor;
};

} // namespace

Result<FileStatus> file_status(const char* path) {
  struct stat info {};
  if (retry_on_eintr([&] { return ::stat(path, &info); }) != 0)
    return file_errno_error(errno, "file: cannot get status");
  return status_from(info);
}

Result<FileContents> read_small_file(const char* path, std::size_t max_bytes, Arena& arena) {
  int descriptor =
      retry_on_eintr([&] { return ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); });
  if (descriptor < 0)
    return file_errno_error(errno, "file: cannot open");
  FileDescriptor file(descriptor);

  struct stat info {};
  if (::fstat(file.get(), &info) != 0)
    return file_errno_error(errno, "file: cannot get status");
  FileContents contents;
  contents.status = status_from(info);
  if (contents.status.type != FileType::Regular)
    return make_error(ErrorCode::InvalidInput, "file: not a regular file");
  if (contents.status.size_bytes > max_bytes)
    return make_error(ErrorCode::LimitExceeded, "file: larger than the limit");

  // Room for the whole limit plus one byte, so a file that grew since fstat is still caught.
  std::size_t capacity = static_cast<std::size_t>(contents.status.size_bytes) + 1;
  Arena::Mark mark = arena.mark();
  char* buffer = static_cast<char*>(arena.allocate(capacity + 1, 1));
  if (!buffer)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("file text");
  std::size_t used = 0;
  for (;;) {
    if (used == capacity) {
      // The file grew after fstat: refuse rather than parse a file that is being written.
      arena.rewind(mark);
      return make_error(ErrorCode::LimitExceeded, "file: changed while being read");
    }
    ssize_t got =
        retry_on_eintr([&] { return ::read(file.get(), buffer + used, capacity - used); });
    if (got < 0) {
      int error_number = errno;
      arena.rewind(mark);
      return file_errno_error(error_number, "file: cannot read");
    }
    if (got == 0)
      break;
    used += static_cast<std::size_t>(got);
  }
  buffer[used] = '\0';
  contents.text = std::string_view(buffer, used);
  return contents;
}

} // namespace ec::platform
