// firmware/connection.h - Connection: everything one [connection NAME] needs to reach its
// report: HTTP client, credentials (keys, credentials file, AssumeRole), the AWS caller, the
// report's location (discovered or from the INI) and its object store (S3 or a directory).
#pragma once

#include "core/base/arena.h"
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "core/client/endpoint.h"
#include "core/config/config.h"
#include "core/net/retry_policy.h"
#include "core/source/report_discovery.h"
#include "core/source/report_location.h"
#include "core/source/s3_object_store.h"
#include "platform/dir_object_store.h"
#include "platform/http_client.h"

#include <memory>
#include <string>

namespace ec::firmware {

/// Where the base keys came from, for messages (never the keys themselves).
enum class KeySource : std::uint8_t { None, Ini, CredentialsFile, Environment };
const char* key_source_text(KeySource source);

/// One connection's wiring. Heap-held by the command (about 80 KiB of fixed buffers plus the
/// arena it is given); not copyable.
class Connection {
public:
  /// Memory open() takes from its arena.
  /// (local: the read buffer; remote: the caller, the bucket listing, discovery, and the
  /// credentials file's text for a moment)
  static constexpr std::size_t kArenaBytes = kAwsCallerArenaBytes + kS3ObjectStoreArenaBytes +
                                             kDiscoveryArenaBytes + 64 * 1024 + 4096;

  Connection(const ConnectionConfig& config, Clock& clock, RandomSource& random, Log& log)
      : m_config(config), m_clock(clock), m_random(random), m_log(log) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// The HTTP client and the credentials (no request yet). Errors name the setting at fault in
  /// `problem()` ("credentials_file: ...").
  Status open(Arena& arena);
  /// AssumeRole now (verify) when a role is configured; Ok otherwise.
  Status check_role();
  /// Finds the report (discovery for cur/cur2; the INI for explicit/local), with findings about
  /// its settings, and opens its object store.
  Status locate(Findings& findings);

  [[nodiscard]] const ConnectionConfig& config() const { return m_config; }
  [[nodiscard]] const ReportLocation& location() const { return m_location; }
  [[nodiscard]] ObjectStore& objects();
  [[nodiscard]] bool remote() const { return m_config.type != ConnectionType::Local; }
  [[nodiscard]] KeySource key_source() const { return m_key_source; }
  [[nodiscard]] bool uses_role() const { return !m_config.role_arn.empty(); }
  [[nodiscard]] AwsCaller& caller() { return m_caller; }
  [[nodiscard]] CredentialSource& credentials();
  [[nodiscard]] const AssumeRoleCredentials& role() const { return m_role; }
  [[nodiscard]] const S3ObjectStore& s3() const { return m_s3; }
  /// "s3://bucket" or the local directory: the delivery records' source.
  [[nodiscard]] const std::string& source_label() const { return m_source_label; }
  /// What went wrong in words, beyond the Error (which setting, which AWS code).
  [[nodiscard]] const std::string& problem() const { return m_problem; }
  /// The AWS caller's corrected clock (the wall clock when nothing was learned).
  [[nodiscard]] UnixSeconds now() { return m_caller_ready ? m_caller.offset().corrected(m_clock.wall_seconds()) : m_clock.wall_seconds(); }

private:
  Status load_keys(Arena& arena);

  const ConnectionConfig& m_config;
  Clock& m_clock;
  RandomSource& m_random;
  Log& m_log;
  Arena* m_arena = nullptr;
  platform::HttpClient m_http;
  AwsCaller m_caller;
  bool m_caller_ready = false;
  StaticCredentials m_keys;
  AssumeRoleCredentials m_role;
  KeySource m_key_source = KeySource::None;
  Endpoint m_sts;
  Endpoint m_discovery;
  Endpoint m_s3_endpoint;
  ReportLocation m_location;
  S3ObjectStore m_s3;
  platform::DirObjectStore m_dir;
  std::string m_session_name;
  std::string m_source_label;
  std::string m_problem;
};

} // namespace ec::firmware
