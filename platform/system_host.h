// platform/system_host.h - SystemHost: core's Host port on this machine: the system clock, the
// log on stderr, a random source seeded from the kernel, one HTTP client and one directory store.
#pragma once

#include "core/base/host.h"
#include "core/base/random_source.h"
#include "platform/dir_object_store.h"
#include "platform/http_client.h"
#include "platform/stderr_log.h"
#include "platform/system_clock.h"

namespace ec::platform {

/// About 30 KiB of fixed buffers (the HTTP client's and the directory store's): keep it in a
/// long-lived object, not on a small stack.
class SystemHost final : public Host {
public:
  explicit SystemHost(LogLevel level) : m_log(level), m_random(random_seed()) {}
  SystemHost(const SystemHost&) = delete;
  SystemHost& operator=(const SystemHost&) = delete;

  Clock& clock() override { return m_clock; }
  Log& log() override { return m_log; }
  RandomSource& random() override { return m_random; }
  Result<HttpTransport*> open_http(const HttpSettings& settings) override;
  Result<ObjectStore*> open_directory(std::string_view root, MutableBytes buffer) override;
  Result<HostFile> read_file(std::string_view path, std::size_t max_bytes, Arena& arena) override;
  void release() override { m_http.close(); }
  std::string_view environment(const char* name) override;

private:
  SystemClock m_clock;
  StderrLog m_log;
  SplitMix64 m_random;
  HttpClient m_http;
  DirObjectStore m_directory;
};

} // namespace ec::platform
