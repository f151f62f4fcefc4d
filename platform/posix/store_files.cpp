// platform/posix/store_files.cpp - The store's folder and file, with mkdir(2) and open(2).
#include "platform/store_files.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ec::platform {
namespace {

Error creation_error(int error_number, ErrorText permission_message, ErrorText io_message) {
  if (error_number == EACCES || error_number == EPERM || error_number == EROFS)
    return make_lib_error(ErrorCode::Permission, permission_message, ErrorLib::Errno, error_number);
  return make_lib_error(ErrorCode::Io, io_message, ErrorLib::Errno, error_number);
}

} // namespace

Status create_store_folder(const char* store_path) {
  char path[PATH_MAX];
  std::size_t length = std::strlen(store_path);
  if (length == 0 || length >= sizeof path)
    return make_error(ErrorCode::InvalidArgument, "store: path is too long");
  std::memcpy(path, store_path, length + 1);
  // Every folder on the way, shortest first: "a/b/c.db" makes "a" then "a/b" when missing.
  for (std::size_t i = 1; i < length; ++i) {
    if (path[i] != '/')
      continue;
    path[i] = '\0';
    if (::mkdir(path, 0700) != 0 && errno != EEXIST) {
      int error_number = errno;
      return creation_error(error_number, "store: cannot create the store's folder",
                            "store: cannot create the store's folder");
    }
    path[i] = '/';
  }
  return {};
}

Status create_store_file(const char* path) {
  // O_EXCL: an existing store (or anything planted at its name) is left as it is, for SQLite to
  // judge; only a file this call creates gets the mode.
  int descriptor = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (descriptor >= 0) {
    ::close(descriptor);
    return {};
  }
  if (errno == EEXIST)
    return {};
  int error_number = errno;
  return creation_error(error_number, "store: cannot create the database file",
                        "store: cannot create the database file");
}

void make_new_files_private() {
  ::umask(077);
}

Status move_store_aside(const char* store_path, const char* stamp, char* moved_to,
                        std::size_t moved_to_size) {
  int length = std::snprintf(moved_to, moved_to_size, "%s.damaged-%s", store_path, stamp);
  if (length < 0 || static_cast<std::size_t>(length) >= moved_to_size)
    return make_error(ErrorCode::InvalidArgument, "store: path is too long");
  // The WAL first: were the database file renamed alone, SQLite would open the old WAL with the
  // next database of that name.
  for (const char* suffix : {"-wal", "-shm", ""}) {
    char from[PATH_MAX];
    char to[PATH_MAX];
    int from_length = std::snprintf(from, sizeof from, "%s%s", store_path, suffix);
    int to_length = std::snprintf(to, sizeof to, "%s%s", moved_to, suffix);
    if (from_length < 0 || static_cast<std::size_t>(from_length) >= sizeof from || to_length < 0 ||
        static_cast<std::size_t>(to_length) >= sizeof to)
      return make_error(ErrorCode::InvalidArgument, "store: path is too long");
    if (::rename(from, to) != 0 && errno != ENOENT)
      return make_lib_error(ErrorCode::Io, "store: cannot move the damaged store aside",
                            ErrorLib::Errno, errno);
  }
  return {};
}

} // namespace ec::platform
