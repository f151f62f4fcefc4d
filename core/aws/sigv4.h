// core/aws/sigv4.h - AWS Signature Version 4, header form: sign a described request, no heap.
#pragma once

#include "core/aws/canonical.h"
#include "core/aws/sha256.h"
#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/timestamp.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

// ---- limits: each is checked, and crossing it is LimitExceeded ----------------------------------
/// Headers the caller may ask to sign (host, x-amz-date, the token and x-amz-content-sha256 are
/// added by the signer and do not count).
inline constexpr std::size_t kMaxSignedHeaders = 32;
inline constexpr std::size_t kMaxAccessKeyIdBytes = 128;
inline constexpr std::size_t kMaxSecretKeyBytes = 128;
inline constexpr std::size_t kMaxRegionBytes = 64;
inline constexpr std::size_t kMaxServiceBytes = 64;
/// A DNS name; `:port` is added on top.
inline constexpr std::size_t kMaxHostBytes = 255;
/// The canonical request holds the session token (no fixed AWS maximum; about 1 KiB from STS
/// AssumeRole today), the twice-encoded path and the query (an S3 continuation token).
inline constexpr std::size_t kMaxCanonicalRequestBytes = 16 * 1024;
/// Grows with the signed header names; 2 KiB leaves room for ~60 long names.
inline constexpr std::size_t kMaxAuthorizationBytes = 2048;
/// "YYYYMMDD/region/service/aws4_request": fixed by the region and service limits.
inline constexpr std::size_t kMaxCredentialScopeBytes =
    8 + 1 + kMaxRegionBytes + 1 + kMaxServiceBytes + 1 + 12;
/// "AWS4-HMAC-SHA256\n" amzdate "\n" scope "\n" hex: always fits, by construction.
inline constexpr std::size_t kStringToSignBytes =
    17 + 16 + 1 + kMaxCredentialScopeBytes + 1 + kSha256HexChars;

/// One request header, exactly as it will be sent; views owned by the caller.
struct HttpHeader {
  std::string_view name;
  std::string_view value;
};

enum class Scheme : std::uint8_t { Https, Http };

/// Whether the signer adds (and signs) `x-amz-content-sha256` with the payload hash. S3 refuses a
/// request without it (400 InvalidRequest); other services do not need it.
enum class ContentHashHeader : std::uint8_t { Omit, Add };

/// The service-specific parts of SigV4.
struct SigningRules {
  UriPath uri_path = UriPath::NormalizeAndEncode;
  ContentHashHeader content_hash_header = ContentHashHeader::Omit;
};
/// STS, CUR, Data Exports, Organizations: normalised, twice-encoded path; no content header.
inline constexpr SigningRules kServiceRules{UriPath::NormalizeAndEncode, ContentHashHeader::Omit};
/// S3: the path as sent (encoded once, never normalised) and `x-amz-content-sha256`.
inline constexpr SigningRules kS3Rules{UriPath::AsGiven, ContentHashHeader::Add};
/// kS3Rules for the signing name "s3", kServiceRules for any other.
[[nodiscard]] constexpr SigningRules signing_rules_for(std::string_view service) {
  return service == "s3" ? kS3Rules : kServiceRules;
}

/// Where the payload hash comes from.
enum class Payload : std::uint8_t {
  HashBody,    ///< SHA-256 of SigningInput::body (empty body: e3b0c442...b855)
  Precomputed, ///< SigningInput::payload_hash, 64 lower-case hex characters
  Unsigned,    ///< "UNSIGNED-PAYLOAD": S3 only (needs ContentHashHeader::Add)
};

/// The time the request is signed for, in Unix seconds: the caller's clock plus the offset it
/// learned from the server (RequestTimeTooSkewed, a response Date), so a wrong appliance clock
/// can be corrected without touching the signer. Years 0000-9999 only.
struct SigningTime {
  UnixSeconds unix_seconds = 0;
};

/// Everything that is signed. Nothing is copied: every view must stay valid during sign_request.
struct SigningInput {
  std::string_view method; ///< as sent, e.g. "GET" (not upper-cased for you)
  Scheme scheme = Scheme::Https;
  std::string_view host;  ///< without the port, e.g. "my-bucket.s3.eu-west-1.amazonaws.com"
  std::uint16_t port = 0; ///< 0 or the scheme's default: Host is signed without `:port`
  /// The path as sent on the wire (URI-encoded by the caller, e.g. with uri_encode(Slash::Keep));
  /// `rules.uri_path` says how it is canonicalised.
  std::string_view path;
  std::span<const QueryParameter> query; ///< decoded; at most kMaxQueryParameters
  /// Every header to sign besides host, x-amz-date, x-amz-security-token and (S3)
  /// x-amz-content-sha256, which the signer adds and refuses here. Sign every `x-amz-*` header
  /// you send; do not list User-Agent, Content-Length or anything a proxy may change. Repeated
  /// names are joined with `,` in the order given. At most kMaxSignedHeaders.
  std::span<const HttpHeader> headers;
  Payload payload = Payload::HashBody;
  Bytes body;                    ///< hashed when payload == HashBody
  std::string_view payload_hash; ///< used when payload == Precomputed
  std::string_view region;       ///< e.g. "us-east-1"
  std::string_view service;      ///< the signing name, e.g. "sts", "s3", "bcm-data-exports"
  SigningRules rules = kServiceRules;
  SigningTime time;
};

/// AWS credentials; views owned by the caller. The secret never appears in an Error, in
/// SignedHeaders or anywhere but the key derivation (whose buffers are wiped after use).
struct Credentials {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view session_token; ///< empty for long-term keys; sent as X-Amz-Security-Token
};

/// The headers sign_request produces, in fixed buffers owned by this object (about 19 KiB: keep
/// it in an arena or a long-lived object, not on a small stack). Every view is valid until the
/// next sign_request on this object (x_amz_security_token: as long as the Credentials' token). All
/// views are empty after a failed sign_request.
class SignedHeaders {
public:
  /// "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=hex"
  [[nodiscard]] std::string_view authorization() const {
    return {m_authorization, m_authorization_size};
  }
  /// "YYYYMMDDTHHMMSSZ"
  [[nodiscard]] std::string_view x_amz_date() const { return {m_amz_date, m_amz_date_size}; }
  /// The payload hash when ContentHashHeader::Add, else empty (do not send the header).
  [[nodiscard]] std::string_view x_amz_content_sha256() const {
    return m_content_header == ContentHashHeader::Add ? payload_hash() : std::string_view();
  }
  /// The session token (a view into the Credentials), or empty (do not send the header).
  [[nodiscard]] std::string_view x_amz_security_token() const { return m_security_token; }
  /// The Host value signed: host, or host:port when the port is not the scheme's default.
  [[nodiscard]] std::string_view host() const { return {m_host, m_host_size}; }

  /// The last line of the canonical request: lower hex, or "UNSIGNED-PAYLOAD".
  [[nodiscard]] std::string_view payload_hash() const {
    return {m_payload_hash, m_payload_hash_size};
  }
  /// For diagnosing SignatureDoesNotMatch (S3 returns its own CanonicalRequest to compare). It
  /// holds the session token: do not log it as it is.
  [[nodiscard]] std::string_view canonical_request() const {
    return {m_canonical, m_canonical_size};
  }
  [[nodiscard]] std::string_view string_to_sign() const {
    return {m_string_to_sign, m_string_to_sign_size};
  }
  /// "YYYYMMDD/region/service/aws4_request" (a view into string_to_sign()).
  [[nodiscard]] std::string_view credential_scope() const { return m_scope; }
  /// 64 lower-case hex characters (a view into authorization()).
  [[nodiscard]] std::string_view signature() const { return m_signature; }

  /// The headers to add to the request besides those in SigningInput::headers and Host (which
  /// HTTP clients write from the URL; it must equal host()): Authorization, X-Amz-Date, and
  /// X-Amz-Security-Token and X-Amz-Content-SHA256 when not empty. Views as above.
  struct Added {
    std::array<HttpHeader, 4> items;
    std::size_t count = 0;
  };
  [[nodiscard]] Added headers_to_add() const;

private:
  friend Status sign_request(const SigningInput& input, const Credentials& credentials,
                             SignedHeaders& out);
  static Status sign_into(const SigningInput& input, const Credentials& credentials,
                          SignedHeaders& out);
  void clear();

  char m_canonical[kMaxCanonicalRequestBytes];
  char m_authorization[kMaxAuthorizationBytes];
  char m_string_to_sign[kStringToSignBytes];
  char m_host[kMaxHostBytes + 6]; // ":65535"
  char m_amz_date[16];
  char m_payload_hash[kSha256HexChars];
  std::size_t m_canonical_size = 0;
  std::size_t m_authorization_size = 0;
  std::size_t m_string_to_sign_size = 0;
  std::size_t m_host_size = 0;
  std::size_t m_amz_date_size = 0;
  std::size_t m_payload_hash_size = 0;
  std::string_view m_scope;
  std::string_view m_signature;
  std::string_view m_security_token;
  ContentHashHeader m_content_header = ContentHashHeader::Omit;
};

/// Signs `input` with `credentials` into `out`. Errors (nothing in `out` is then valid):
/// - InvalidArgument: an empty or malformed method, host, region, service, access key id or
///   secret; a header name that is not an HTTP token; a header value or session token with a
///   control character (CR, LF: header injection); a header the signer sets itself (its name is
///   the detail); a bad path (see canonical_uri); a Precomputed hash that is not 64 lower hex;
///   Unsigned without ContentHashHeader::Add; a time outside years 0000-9999.
/// - LimitExceeded: a k* limit above crossed; the detail names the buffer or field.
/// - OutOfMemory / Internal (ErrorLib::MbedTls): mbedTLS failed.
/// No Error ever holds the secret, the session token or any other input text.
Status sign_request(const SigningInput& input, const Credentials& credentials, SignedHeaders& out);

/// `out` = "YYYYMMDDTHHMMSSZ" of `time` (UTC). InvalidArgument outside years 0000-9999.
Status format_amz_date(SigningTime time, std::span<char, 16> out);

/// The SigV4 signing key: HMAC("AWS4" + secret, date8) -> region -> service -> "aws4_request".
/// `date8` is "YYYYMMDD". LimitExceeded when the secret is longer than kMaxSecretKeyBytes. The
/// caller should wipe() the key after use.
Result<Sha256Digest> derive_signing_key(std::string_view secret_access_key, std::string_view date8,
                                        std::string_view region, std::string_view service);

} // namespace ec
