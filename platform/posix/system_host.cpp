// platform/posix/system_host.cpp - SystemHost on POSIX.
#include "platform/system_host.h"

#include "platform/environment.h"
#include "platform/file_status.h"

#include <cstring>

namespace ec::platform {

Result<HttpTransport*> SystemHost::open_http(const HttpSettings& settings) {
  EC_TRY(m_http.open(settings));
  return static_cast<HttpTransport*>(&m_http);
}

Result<ObjectStore*> SystemHost::open_directory(std::string_view root, MutableBytes buffer) {
  EC_TRY(m_directory.init(root, buffer));
  return static_cast<ObjectStore*>(&m_directory);
}

Result<HostFile> SystemHost::read_file(std::string_view path, std::size_t max_bytes, Arena& arena) {
  char name[4096 + 1];
  if (path.size() >= sizeof name || std::memchr(path.data(), '\0', path.size()) != nullptr)
    return make_error(ErrorCode::InvalidArgument, "file: unusable path");
  std::memcpy(name, path.data(), path.size());
  name[path.size()] = '\0';
  EC_TRY_ASSIGN(FileContents file, read_small_file(name, max_bytes, arena));
  HostFile out;
  out.text = file.text;
  out.others_can_read = (file.status.mode & 077) != 0;
  return out;
}

std::string_view SystemHost::environment(const char* name) {
  const char* value = environment_variable(name);
  return value ? std::string_view(value) : std::string_view();
}

} // namespace ec::platform
