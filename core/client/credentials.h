// core/client/credentials.h - Where signing credentials come from: static keys (INI or a
// credentials file) or STS AssumeRole, refreshed before they expire.
#pragma once

#include "core/aws/aws_responses.h"
#include "core/aws/sigv4.h"
#include "core/base/arena.h"
#include "core/base/result.h"
#include "core/base/timestamp.h"
#include "core/client/endpoint.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

class AwsCaller;

// kMaxSessionTokenBytes (8 KiB) comes from core/aws/aws_responses.h: a token the STS parser
// accepts must fit the cache here.
/// The AssumeRole answer buffer and the arena that parses it (and holds the form body while it is
/// sent): an answer carries a session token of up to kMaxSessionTokenBytes.
inline constexpr std::size_t kAssumeRoleResponseBytes = 16 * 1024;
inline constexpr std::size_t kAssumeRoleArenaBytes = 16 * 1024;
/// Refresh assumed-role credentials this long before their Expiration (AWS SDKs: 5 to 15 min).
inline constexpr std::int64_t kCredentialRefreshSeconds = 10 * 60;

/// A source of credentials for signing. Views returned stay valid until the next current() or
/// invalidate() on the same object.
class CredentialSource {
public:
  /// Credentials usable at `now` (the corrected clock: ClockOffset::corrected). May call AWS
  /// (AssumeRole) through the same AwsCaller that asked: AwsCaller calls it before signing.
  virtual Result<Credentials> current(UnixSeconds now) = 0;
  /// The service refused the credentials as expired (ExpiredToken...): forget cached ones. True
  /// when the next current() fetches new ones (a static key cannot be renewed: false).
  virtual bool invalidate() = 0;

protected:
  ~CredentialSource() = default;
};

/// Long-term keys (or a fixed temporary set), copied into fixed buffers. Wiped on destruction.
class StaticCredentials final : public CredentialSource {
public:
  StaticCredentials() = default;
  StaticCredentials(const StaticCredentials&) = delete;
  StaticCredentials& operator=(const StaticCredentials&) = delete;
  ~StaticCredentials();
  /// InvalidArgument "credentials: access key id missing" / "... secret access key missing";
  /// LimitExceeded past kMaxAccessKeyIdBytes / kMaxSecretKeyBytes / kMaxSessionTokenBytes.
  Status set(std::string_view access_key_id, std::string_view secret_access_key,
             std::string_view session_token = {});
  Result<Credentials> current(UnixSeconds now) override;
  bool invalidate() override { return false; }

private:
  char m_key_id[kMaxAccessKeyIdBytes];
  char m_secret[kMaxSecretKeyBytes];
  char m_token[kMaxSessionTokenBytes];
  std::size_t m_key_id_size = 0;
  std::size_t m_secret_size = 0;
  std::size_t m_token_size = 0;
};

/// What AssumeRole needs. Views must outlive the AssumeRoleCredentials.
struct AssumeRoleSettings {
  std::string_view role_arn;
  std::string_view external_id;          ///< empty: not sent
  std::string_view session_name;         ///< 2-64 of [\w+=,.@-]; e.g. "edgecur-<connection>"
  std::uint32_t duration_seconds = 3600; ///< 900-43200
  std::string_view region;               ///< signing region of the STS endpoint
};

/// STS AssumeRole with `base` credentials; the result is cached and fetched again
/// kCredentialRefreshSeconds before Expiration (or at 3/4 of a shorter lifetime), not after a
/// failure. The external id and the secrets never appear in an Error or a log line.
class AssumeRoleCredentials final : public CredentialSource {
public:
  AssumeRoleCredentials() = default;
  AssumeRoleCredentials(const AssumeRoleCredentials&) = delete;
  AssumeRoleCredentials& operator=(const AssumeRoleCredentials&) = delete;
  ~AssumeRoleCredentials();

  /// Keeps references to all four; nothing is sent yet.
  void init(AwsCaller& caller, CredentialSource& base, const Endpoint& sts,
            const AssumeRoleSettings& settings);
  /// Errors: Permission "sts: AssumeRole refused" (AccessDenied: wrong role, external id or trust
  /// policy; detail: the AWS code), Permission "sts: region disabled" (RegionDisabledException),
  /// InvalidInput "sts: malformed response", transport errors from the caller; also
  /// InvalidArgument "sts: AssumeRole request refused" (ValidationError: a bad ARN, session name
  /// or duration), Io "sts: AssumeRole failed after retries" (throttled or 5xx to the end),
  /// NotFound "sts: no AssumeRole at the endpoint". Details are static names of AWS codes, "other"
  /// for an unknown one. When a refresh ahead of Expiration fails, the cached credentials are
  /// returned until they expire (one Warn line; the next AssumeRole a minute later).
  Result<Credentials> current(UnixSeconds now) override;
  bool invalidate() override;

  /// Expiration of the cached credentials (0 when none).
  [[nodiscard]] UnixSeconds expiration() const { return m_expiration; }
  /// AssumeRole calls made (for tests and the verify command).
  [[nodiscard]] std::uint32_t fetches() const { return m_fetches; }
  /// The AWS error code and message of the last refused AssumeRole (copied; no secrets), for
  /// `edgecur verify`. Empty when the last one succeeded.
  [[nodiscard]] std::string_view last_error_code() const {
    return {m_error_code, m_error_code_size};
  }
  [[nodiscard]] std::string_view last_error_message() const {
    return {m_error_message, m_error_message_size};
  }

private:
  Result<Credentials> fetch();
  Status send_assume_role();
  void remember_refusal(std::string_view code, std::string_view message);
  void wipe_scratch();

  AwsCaller* m_caller = nullptr;
  CredentialSource* m_base = nullptr;
  const Endpoint* m_sts = nullptr;
  AssumeRoleSettings m_settings;
  StaticCredentials m_cached;
  UnixSeconds m_expiration = 0;
  UnixSeconds m_refresh_at = 0;
  bool m_valid = false;
  std::uint32_t m_fetches = 0;
  char m_error_code[64];
  char m_error_message[256];
  std::size_t m_error_code_size = 0;
  std::size_t m_error_message_size = 0;
  // The AssumeRole answer, then the parser's and the form body's arena: both hold secrets for a
  // moment and are wiped after each fetch (about 32 KiB together).
  std::size_t m_response_size = 0;
  std::uint8_t m_response[kAssumeRoleResponseBytes];
  alignas(std::max_align_t) std::uint8_t m_arena_storage[kAssumeRoleArenaBytes];
  Arena m_arena{MutableBytes(m_arena_storage, sizeof m_arena_storage)};
};

/// Keys from an AWS shared-credentials style file (what `aws configure` writes):
///   [default]
///   aws_access_key_id = AKIA...
///   aws_secret_access_key = ...
///   aws_session_token = ...        (optional; any length)
/// `profile` picks the section (empty: "default"; a file with one section may omit the header).
/// Lines may be of any length (tokens are long); '#' and ';' start comments. Views into `text`.
/// InvalidInput with the line number ("credentials file: ...": missing '=', unknown key, section
/// not found, key repeated, key or secret missing). Never quotes a value in an Error.
struct CredentialsFileKeys {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view session_token;
};
Result<CredentialsFileKeys> parse_credentials_file(std::string_view text,
                                                   std::string_view profile = {});

} // namespace ec
