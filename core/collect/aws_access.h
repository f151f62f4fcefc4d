// core/collect/aws_access.h - AwsAccess: what every AWS connection type shares: the HTTP client,
// the credentials (their search order and the role), the AWS caller and the report bucket's
// object store.
#pragma once

#include "core/base/arena.h"
#include "core/base/host.h"
#include "core/base/text_builder.h"
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "core/client/endpoint.h"
#include "core/config/config.h"
#include "core/source/report_location.h"
#include "core/source/s3_object_store.h"

#include <initializer_list>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// Where the base keys came from, for messages (never the keys themselves).
enum class KeySource : std::uint8_t { None, Ini, CredentialsFile, Environment };
const char* key_source_text(KeySource source);

/// Largest credentials file read.
inline constexpr std::size_t kCredentialsFileMaxBytes = 64 * 1024;

class AwsAccess {
public:
  /// Arena bytes open() and open_bucket() take: the caller's and the S3 store's, and the
  /// credentials file's text (with its terminator) for a moment.
  static constexpr std::size_t kArenaBytes =
      kAwsCallerArenaBytes + kS3ObjectStoreArenaBytes + kCredentialsFileMaxBytes + 1;

  AwsAccess(const ConnectionConfig& config, Host& host) : m_config(config), m_host(host) {}
  AwsAccess(const AwsAccess&) = delete;
  AwsAccess& operator=(const AwsAccess&) = delete;

  /// The HTTP client, the caller and the credentials, in this order of keys: the INI's
  /// access_key_id/secret_access_key, its credentials_file, then the environment's
  /// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN). With role_arn, AssumeRole
  /// on those keys. Nothing is sent yet. On failure problem() names the setting.
  Status open(Arena& arena);
  /// AssumeRole now when a role is configured; Ok otherwise. On failure problem() names the
  /// settings and AWS's code.
  Status check_role();
  /// Fills in the location's region (the INI's, else us-east-1) when it has none, and opens the
  /// S3 store of its bucket.
  Status open_bucket(ReportLocation& location, Arena& arena);

  [[nodiscard]] AwsCaller& caller() { return m_caller; }
  [[nodiscard]] CredentialSource& credentials();
  [[nodiscard]] KeySource key_source() const { return m_key_source; }
  [[nodiscard]] bool uses_role() const { return !m_config.role_arn.empty(); }
  [[nodiscard]] const AssumeRoleCredentials& role() const { return m_role; }
  [[nodiscard]] S3ObjectStore& s3() { return m_s3; }
  [[nodiscard]] const S3ObjectStore& s3() const { return m_s3; }
  /// "s3://bucket" once open_bucket() succeeded.
  [[nodiscard]] std::string_view label() const { return {m_label, m_label_size}; }
  [[nodiscard]] std::string_view problem() const { return {m_problem, m_problem_size}; }
  /// The caller's corrected clock (the wall clock when nothing was learned).
  [[nodiscard]] UnixSeconds now();
  /// The problem text of a failure (replaces the one before). Truncated to fit.
  void set_problem(std::initializer_list<std::string_view> parts);

private:
  Status load_keys(Arena& arena);

  const ConnectionConfig& m_config;
  Host& m_host;
  AwsCaller m_caller;
  bool m_caller_ready = false;
  StaticCredentials m_keys;
  AssumeRoleCredentials m_role;
  KeySource m_key_source = KeySource::None;
  Endpoint m_sts;
  Endpoint m_s3_endpoint;
  S3ObjectStore m_s3;
  char m_session_name[65];
  char m_label[80];
  std::size_t m_label_size = 0;
  char m_problem[512];
  std::size_t m_problem_size = 0;
};

} // namespace ec
