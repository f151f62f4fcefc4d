// platform/posix/dir_object_store.cpp - DirObjectStore over openat/fdopendir and read(2).
//
// Nothing inside the folder may lead out of it: the service may run as root, and a link such as
// etclink -> /etc would otherwise let a copied folder read etclink/shadow. Every path is opened
// one component at a time with openat() below a descriptor of the folder, each with O_NOFOLLOW,
// rather than by comparing realpath() with the folder's: realpath's answer is stale the moment it
// returns (a directory swapped for a link before the open() that follows is still followed),
// while a descriptor walk never resolves a link at all, whatever changes meanwhile.
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) does the same in one call but needs Linux 5.6,
// newer than some boards' kernels.
#include "platform/dir_object_store.h"

#include "platform/posix/eintr.h"
#include "platform/posix/errno_error.h"

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

Error open_error(int error_number) {
  return file_errno_error(error_number, "file: cannot open");
}

constexpr Error kSymbolicLink =
    make_error(ErrorCode::Permission, "local: refusing a symbolic link");
constexpr int kDirectoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// O_NONBLOCK: a FIFO where a report file should be must not hang the run (fstat then refuses it);
// it changes nothing for a regular file.
constexpr int kFileFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

// The error of openat(directory, name, ... | O_NOFOLLOW) failing with `error_number`: a link is
// named as such (Linux says ELOOP for a last component, ENOTDIR when O_DIRECTORY was asked too).
Error open_error_at(int directory, const char* name, int error_number) {
  struct stat st;
  if (fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
    return kSymbolicLink;
  return open_error(error_number);
}

void version_of(const struct stat& st, ObjectVersion& version) {
  long long nanos =
      static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
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

// The folder itself: its path is the administrator's (local_dir), so a link there is followed.
int DirObjectStore::open_root() {
  m_path[m_root_size - 1] = '\0';
  int fd = open(m_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  m_path[m_root_size - 1] = '/';
  return fd;
}

Result<int> DirObjectStore::open_key(std::string_view key) {
  EC_TRY(path_of(key));
  int directory = open_root();
  if (directory < 0)
    return open_error(errno);
  char* name = m_path + m_root_size;
  for (;;) {
    char* slash = std::strchr(name, '/');
    if (slash == name) { // "a//b": an empty component, as the kernel reads it
      ++name;
      continue;
    }
    if (slash)
      *slash = '\0';
    int fd = openat(directory, name, slash ? kDirectoryFlags : kFileFlags);
    Error error = fd < 0 ? open_error_at(directory, name, errno) : Error{};
    if (slash)
      *slash = '/';
    close(directory);
    if (fd < 0)
      return error;
    if (!slash)
      return fd;
    directory = fd;
    name = slash + 1;
  }
}

Status DirObjectStore::walk(int directory_fd, std::size_t path_size, std::size_t depth,
                            std::string_view prefix, ObjectVisitor& visitor) {
  DIR* directory = fdopendir(directory_fd);
  if (!directory) {
    int error_number = errno;
    close(directory_fd);
    return errno_error("file: cannot read a directory", error_number);
  }
  Status status;
  while (status.ok()) {
    errno = 0;
    dirent* entry = readdir(directory);
    if (!entry) {
      if (errno != 0)
        status = errno_error("file: cannot read a directory", errno);
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
    // Links are neither listed nor entered: a read would refuse them anyway.
    struct stat st;
    if (fstatat(dirfd(directory), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue; // vanished since readdir
    if (S_ISDIR(st.st_mode)) {
      // Prune: a directory is entered only when it can hold keys with the prefix.
      std::size_t common = key.size() < prefix.size() ? key.size() : prefix.size();
      if (key.substr(0, common) != prefix.substr(0, common))
        continue;
      if (depth + 1 > kMaxDepth) {
        status = make_error(ErrorCode::LimitExceeded, "local: directories nested too deep");
        break;
      }
      int child = openat(dirfd(directory), name, kDirectoryFlags);
      if (child < 0) {
        int error_number = errno;
        // Gone, or replaced by a link, since fstatat: skipped like any link.
        if (error_number == ENOENT || error_number == ELOOP || error_number == ENOTDIR)
          continue;
        status = open_error(error_number);
        break;
      }
      m_path[path_size + length] = '/';
      status = walk(child, path_size + length + 1, depth + 1, prefix, visitor);
      continue;
    }
    if (!S_ISREG(st.st_mode) || key.substr(0, prefix.size()) != prefix)
      continue;
    ObjectVersion version;
    version_of(st, version);
    status = visitor.on_object(ObjectEntry{key, version.etag_view(), version.size});
  }
  closedir(directory); // closes directory_fd
  return status;
}

Status DirObjectStore::list(std::string_view prefix, ObjectVisitor& visitor) {
  int root = open_root();
  if (root < 0) {
    int error_number = errno;
    if (error_number == ENOENT)
      return {}; // nothing there yet (a USB stick not in)
    return open_error(error_number);
  }
  return walk(root, m_root_size, 0, prefix, visitor);
}

Result<Bytes> DirObjectStore::read_small(std::string_view key, MutableBytes buffer,
                                         ObjectVersion& version) {
  EC_TRY_ASSIGN(int fd, open_key(key));
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
    ssize_t got = retry_on_eintr([&] {
      return ::read(fd, buffer.data() + done, static_cast<std::size_t>(st.st_size) - done);
    });
    if (got <= 0) {
      int error_number = got < 0 ? errno : EIO;
      close(fd);
      return errno_error("file: cannot read", error_number);
    }
    done += static_cast<std::size_t>(got);
  }
  close(fd);
  version_of(st, version);
  return Bytes(buffer.data(), done);
}

Status DirObjectStore::stream(std::string_view key, ByteSink& sink, ObjectVersion& version,
                              StreamObserver* observer) {
  EC_TRY_ASSIGN(int fd, open_key(key));
  struct stat before;
  if (fstat(fd, &before) != 0 || !S_ISREG(before.st_mode)) {
    close(fd);
    return make_error(ErrorCode::InvalidInput, "file: not a regular file");
  }
  version_of(before, version);
  std::uint64_t done = 0;
  Status status;
  for (;;) {
    ssize_t got = retry_on_eintr([&] { return ::read(fd, m_buffer.data(), m_buffer.size()); });
    if (got < 0) {
      status = errno_error("file: cannot read", errno);
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
    return kObjectReplaced;
  return status;
}

} // namespace ec::platform
