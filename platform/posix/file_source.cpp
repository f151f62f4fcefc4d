// platform/posix/file_source.cpp - push_file with open/read/close.
#include "platform/file_source.h"

#include "platform/posix/eintr.h"
#include "platform/posix/errno_error.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ec::platform {

Result<std::uint64_t> file_size(const char* path) {
  struct stat status {};
  if (stat(path, &status) != 0)
    return errno_error("file: cannot stat", errno);
  if (!S_ISREG(status.st_mode))
    return make_error(ErrorCode::InvalidArgument, "file: not a regular file");
  return static_cast<std::uint64_t>(status.st_size);
}

Status push_file(const char* path, MutableBytes buffer, ByteSink& sink, ReadProgress* progress) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno_error("file: cannot open", errno);
  struct stat status {};
  std::uint64_t total = 0;
  if (fstat(fd, &status) == 0)
    total = static_cast<std::uint64_t>(status.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::uint64_t done = 0;
  Status result;
  for (;;) {
    ssize_t count = retry_on_eintr([&] { return ::read(fd, buffer.data(), buffer.size()); });
    if (count < 0) {
      result = errno_error("file: read failed", errno).at(ErrorWhere::ByteOffset, done);
      break;
    }
    if (count == 0)
      break;
    done += static_cast<std::uint64_t>(count);
    Status written = sink.write(buffer.first(static_cast<std::size_t>(count)));
    if (!written.ok()) {
      result = written;
      break;
    }
    if (progress) {
      Status told = progress->on_progress(done, total);
      if (!told.ok()) {
        result = told;
        break;
      }
    }
  }
  close(fd);
  return result;
}

} // namespace ec::platform
