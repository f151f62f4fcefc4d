// platform/posix/dir_object_store.cpp - DirObjectStore over opendir/readdir and read(2).
#include "platform/dir_object_store.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ec::platform {
namespace {

constexpr std::size_t kMaxKeyBytes = 1024;
constexpr std::size_t kMaxDepth = 32;

Error errno_error(ErrorCode code, const char* message, int error_number) {
  return make_lib_error(code, message, ErrorLib::Errno, error_number);
}

Error open_error(int error_number) {
  if (error_number == ENOENT || error_number == ENOTDIR)
    return errno_error(ErrorCode::NotFound, "file: does not exist", error_number);
  if (error_number == EACCES || error_number == EPERM)
    return errno_error(ErrorCode::Permission, "file: permission denied", error_number);
  return errno_error(ErrorCode::Io, "file: cannot open", error_number);
}

void version_of(const struct stat& st, ObjectVersion& version) {
  long long nanos = static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
  int written = std::snprintf(version.etag, sizeof version.etag, "%llu-%lld",
                              static_cast<unsigned long long>(st.st_size), nanos);
  version.etag_size = written > 0 ? static_cast<std::size_t>(written) : 0;
  version.size = static_cast<std::uint64_t>(st.st_size);
}

bool same_version(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ino == b.st_ino;
}

} // namespace

Status DirObjectStore::init(std::string_view root, MutableBytes buffer) {
  while (root.size() > 1 && root.back() == '/')
    root.remove_suffix(1);
  if (root.empty() || root.size() + 1 + kMaxKeyBytes > sizeof m_path - 1)
    return make_error(ErrorCode::InvalidArgument, "local: directory path too long or empty");
  if (buffer.empty())
    return make_error(ErrorCode::InvalidArgument, "local: no read buffer");
  m_root = root;
  m_buffer = buffer;
  std::memcpy(m_path, root.data(), root.size());
  m_path[root.size()] = '/';
  m_root_size = root.size() + 1;
  return {};
}

Status DirObjectStore::path_of(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes)
    return make_error(ErrorCode::LimitExceeded, "local: key too long");
  // A key from a manifest is untrusted: no way out of the root.
  if (key.front() == '/' || key == ".." || key.substr(0, 3) == "../" ||
      key.find("/../") != std::string_view::npos ||
      (key.size() >= 3 && key.substr(key.size() - 3) == "/..") ||
      key.find('\0') != std::string_view::npos)
    return make_error(ErrorCode::InvalidInput, "local: key leaves the directory");
  std::memcpy(m_path + m_root_size, key.data(), key.size());
  m_path[m_root_size + key.size()] = '\0';
  return {};
}

Status DirObjectStore::walk(std::size_t path_size, std::size_t depth, std::string_view prefix,
                            ObjectVisitor& visitor) {
  if (depth > kMaxDepth)
    return make_error(ErrorCode::LimitExceeded, "local: directories nested too deep");
  m_path[path_size] = '\0';
  DIR* directory = opendir(m_path);
  if (!directory) {
    int error_number = errno;
    if (error_number == ENOENT && depth == 0)
      return {}; // nothing under this prefix yet
    return open_error(error_number);
  }
  Status status;
  while (status.ok()) {
    errno = 0;
    dirent* entry = readdir(directory);
    if (!entry) {
      if (errno != 0)
        status = errno_error(ErrorCode::Io, "file: cannot read a directory", errno);
      break;
    }
    const char* name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
      continue;
    std::size_t length = std::strlen(name);
    if (path_size + length + 1 > m_root_size + kMaxKeyBytes) {
      status = make_error(ErrorCode::LimitExceeded, "local: key too long");
      break;
    }
    std::memcpy(m_path + path_size, name, length);
    m_path[path_size + length] = '\0';
    std::string_view key(m_path + m_root_size, path_size + length - m_root_size);
    // Prune: a directory is entered only when it can hold keys with the prefix.
    struct stat st;
    if (lstat(m_path, &st) != 0)
      continue; // vanished since readdir
    if (S_ISDIR(st.st_mode)) {
      std::size_t common = key.size() < prefix.size() ? key.size() : prefix.size();
      if (key.substr(0, common) != prefix.substr(0, common))
        continue;
      m_path[path_size + length] = '/';
      status = walk(path_size + length + 1, depth + 1, prefix, visitor);
      continue;
    }
    if (S_ISLNK(st.st_mode) && (stat(m_path, &st) != 0 || !S_ISREG(st.st_mode)))
      continue;
    if (!S_ISREG(st.st_mode) || key.substr(0, prefix.size()) != prefix)
      continue;
    ObjectVersion version;
    version_of(st, version);
    status = visitor.on_object(ObjectEntry{key, version.etag_view(), version.size});
  }
  closedir(directory);
  return status;
}

Status DirObjectStore::list(std::string_view prefix, ObjectVisitor& visitor) {
  return walk(m_root_size, 0, prefix, visitor);
}

Result<Bytes> DirObjectStore::read_small(std::string_view key, MutableBytes buffer,
                                         ObjectVersion& version) {
  EC_TRY(path_of(key));
  int fd = open(m_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return open_error(errno);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return make_error(ErrorCode::InvalidInput, "file: not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > buffer.size()) {
    close(fd);
    return make_error(ErrorCode::LimitExceeded, "local: file larger than its buffer");
  }
  std::size_t done = 0;
  while (done < static_cast<std::size_t>(st.st_size)) {
    ssize_t got = read(fd, buffer.data() + done, static_cast<std::size_t>(st.st_size) - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      int error_number = got < 0 ? errno : EIO;
      close(fd);
      return errno_error(ErrorCode::Io, "file: cannot read", error_number);
    }
    done += static_cast<std::size_t>(got);
  }
  close(fd);
  version_of(st, version);
  return Bytes(buffer.data(), done);
}

Status DirObjectStore::stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                              StreamObserver* observer) {
  EC_TRY(path_of(key));
  int fd = open(m_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return open_error(errno);
  struct stat before;
  if (fstat(fd, &before) != 0 || !S_ISREG(before.st_mode)) {
    close(fd);
    return make_error(ErrorCode::InvalidInput, "file: not a regular file");
  }
  version_of(before, version);
  std::uint64_t done = 0;
  Status status;
  for (;;) {
    ssize_t got = read(fd, m_buffer.data(), m_buffer.size());
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      status = errno_error(ErrorCode::Io, "file: cannot read", errno);
      break;
    }
    if (got == 0)
      break;
    status = sink.write(Bytes(m_buffer.data(), static_cast<std::size_t>(got)));
    if (!status.ok())
      break;
    done += static_cast<std::uint64_t>(got);
    if (observer)
      observer->on_bytes(done, version.size);
  }
  struct stat after;
  bool changed = fstat(fd, &after) != 0 || !same_version(before, after) || done != version.size;
  close(fd);
  if (status.ok() && changed)
    return make_error(ErrorCode::InvalidInput, kObjectReplacedMessage);
  return status;
}

} // namespace ec::platform
