// core/base/host.h - Host: what a connection asks of the machine it runs on. platform implements
// it (platform/system_host.h); tests give fakes.
#pragma once

#include "core/base/arena.h"
#include "core/base/bytes.h"
#include "core/base/clock.h"
#include "core/base/http_message.h"
#include "core/base/log.h"
#include "core/base/object_store.h"
#include "core/base/random_source.h"
#include "core/base/result.h"

#include <cstddef>
#include <string_view>

namespace ec {

/// A small file read whole.
struct HostFile {
  std::string_view text;        ///< in the arena given to read_file, followed by a '\0'
  bool others_can_read = false; ///< group or other may read it (a secret's file should not)
};

/// The clock, the log, the random source, and the resources one connection opens. One connection
/// at a time: opening the HTTP client or a directory again replaces the one opened before.
class Host {
public:
  virtual Clock& clock() = 0;
  virtual Log& log() = 0;
  virtual RandomSource& random() = 0;

  /// The host's HTTP client, (re)opened with `settings`. Errors: those of platform::HttpClient's
  /// open.
  virtual Result<HttpTransport*> open_http(const HttpSettings& settings) = 0;
  /// The host's store over the directory `root`, reading through `buffer`. NotFound when `root`
  /// is not a readable directory.
  virtual Result<ObjectStore*> open_directory(std::string_view root, MutableBytes buffer) = 0;
  /// The regular file `path` whole in `arena` (at most `max_bytes`). NotFound, Permission,
  /// LimitExceeded, OutOfMemory, Io, with the OS's errno.
  virtual Result<HostFile> read_file(std::string_view path, std::size_t max_bytes,
                                     Arena& arena) = 0;
  /// Closes what the last connection opened (the HTTP client's connections and TLS state go back
  /// to the network memory). Sources made on this host must not be used after it.
  virtual void release() = 0;
  /// The environment variable `name`; empty when it is not set.
  virtual std::string_view environment(const char* name) = 0;

protected:
  ~Host() = default;
};

} // namespace ec
