// core/client/aws_caller.h - AwsCaller: one AWS request, signed, sent, classified and retried
// (backoff with full jitter, clock-offset re-signing, expired-session renewal), over any
// HttpTransport. No heap: buffers come from the arena given to init().
#pragma once

#include "core/aws/canonical.h"
#include "core/aws/sigv4.h"
#include "core/base/arena.h"
#include "core/base/clock.h"
#include "core/base/http_message.h"
#include "core/base/log.h"
#include "core/base/result.h"
#include "core/client/credentials.h"
#include "core/client/endpoint.h"
#include "core/net/aws_error.h"
#include "core/net/clock_offset.h"
#include "core/net/retry_policy.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

/// One request to an AWS service. Views must live during call().
struct AwsCall {
  HttpMethod method = HttpMethod::Get;
  const Endpoint* endpoint = nullptr;
  /// After endpoint->base_path(), starting with '/', URI-encoded as sent (S3: "/" +
  /// uri_encode(key, Slash::Keep)). Empty means "/".
  std::string_view path;
  std::span<const QueryParameter> query; ///< decoded; encoded once into the URL and the signature
  /// Sent and signed (X-Amz-Target, Content-Type, Range, If-Match...). Not Host, X-Amz-Date,
  /// X-Amz-Security-Token, X-Amz-Content-SHA256 or Authorization: the caller adds those.
  std::span<const HttpHeader> headers;
  Bytes body;
  std::string_view service; ///< signing name: "s3", "sts", "cur", "bcm-data-exports", ...
  std::string_view region;  ///< signing region
  /// For log lines: "s3 GetObject", "sts AssumeRole". Static text.
  const char* operation = "";
};

/// The last try of a call that got an HTTP response (any status).
struct AwsReply {
  HttpResponse response;
  Outcome outcome = Outcome::Fatal; ///< Success for 2xx
  /// The AWS error code and message (views into response.body) when not Success; empty when the
  /// body had none (classify() then went by the status alone).
  AwsError error;
  std::uint32_t attempts = 0; ///< tries made, clock-skew and renewal retries included
};

/// Counters over the caller's life, for logs, `verify` and tests.
struct AwsCallerStats {
  std::uint64_t requests = 0;  ///< tries sent
  std::uint64_t retries = 0;   ///< backoff retries (throttling, 5xx, dropped connections)
  std::uint64_t throttled = 0; ///< tries answered with a throttling code
  std::uint64_t resigned = 0;  ///< clock-skew re-signs
  std::uint64_t renewed = 0;   ///< expired-session renewals
  std::uint64_t delay_ms = 0;  ///< total backoff waited
};

/// Arena bytes init() takes: the SignedHeaders (~19 KiB), the URL and the request header array.
inline constexpr std::size_t kAwsCallerArenaBytes = 40 * 1024;

/// Not thread-safe; one per connection (it owns the connection's ClockOffset).
///
/// Per try: credentials.current(offset.corrected(now)); sign; send; classify the status and the
/// error body's code (DateSkew from the response Date); learn the clock offset; then, as
/// RetryState says, finish, back off (clock.pause_ms) or re-sign at once. An Auth outcome whose
/// code says the session expired (ExpiredToken, ExpiredTokenException, RequestExpired is skew)
/// makes one renewal: credentials.invalidate() and, when it returns true, one more try.
///
/// Transport failures (no HTTP response) are retried like 5xx while attempts remain; when they run
/// out the last transport Error is returned. A Log line (Warn) is written for every retry, throttle
/// and clock-offset change ("s3 GetObject: 503 SlowDown; retry 2 of 5 in 340 ms", "clock: the
/// server is 1203 s ahead of this device; signing with that offset"); never a secret, a header
/// value or a query string.
class AwsCaller {
public:
  AwsCaller() = default;
  AwsCaller(const AwsCaller&) = delete;
  AwsCaller& operator=(const AwsCaller&) = delete;

  /// Keeps references to transport, clock, random and log. OutOfMemory when the arena has less
  /// than kAwsCallerArenaBytes.
  Status init(HttpTransport& transport, Clock& clock, RandomSource& random, Log& log,
              const RetryPolicy& policy, Arena& arena);

  /// The whole body (any status) into `buffer`: small API responses. A body larger than the
  /// buffer is LimitExceeded (not retried).
  Result<AwsReply> call(const AwsCall& call, CredentialSource& credentials, MutableBytes buffer);

  /// A 2xx body streamed into `sink` (finish() not called). Retries only while no body byte has
  /// reached the sink; a failure after that is returned at once with ErrorWhere::ByteOffset =
  /// body bytes the sink took in this call, so the caller can resume with a Range.
  Result<AwsReply> call(const AwsCall& call, CredentialSource& credentials, ByteSink& sink);

  [[nodiscard]] ClockOffset& offset() { return m_offset; }
  [[nodiscard]] const AwsCallerStats& stats() const { return m_stats; }
  [[nodiscard]] Clock& clock() { return *m_clock; }
  [[nodiscard]] Log& log() { return *m_log; }

private:
  // implementation's choice
  /// The loop behind both call() forms: exactly one of `buffer` and `sink` is used.
  Result<AwsReply> run(const AwsCall& call, CredentialSource& credentials, MutableBytes* buffer,
                       ByteSink* sink);
  /// Builds the try's URL in m_url; `path` is set to its path (base path included), as signed.
  Result<std::string_view> build_url(const AwsCall& call, std::string_view& path);

  HttpTransport* m_transport = nullptr;
  Clock* m_clock = nullptr;
  RandomSource* m_random = nullptr;
  Log* m_log = nullptr;
  RetryPolicy m_policy;
  ClockOffset m_offset;
  AwsCallerStats m_stats;
  SignedHeaders* m_signed = nullptr;
  char* m_url = nullptr;
  std::size_t m_url_capacity = 0;
  RequestHeader* m_headers = nullptr;
};

} // namespace ec
