// core/net/aws_error.h - What an AWS response means for the caller: retry, back off, fix the clock,
// stop.
#pragma once

#include "core/base/bytes.h"
#include "core/base/error.h"

#include <cstdint>
#include <string_view>

namespace ec {

/// What to do about one finished try of a request. A switch over it names every enumerator.
enum class Outcome : std::uint8_t {
  Success,   ///< 2xx
  Retry,     ///< transient: 5xx, InternalError, RequestTimeout, a dropped or timed-out connection
  Throttled, ///< the service asks us to slow down: 429, SlowDown, ThrottlingException...
  ClockSkew, ///< the signature's time is too far from the server's: learn the offset, re-sign
  Auth,      ///< the credentials are wrong, expired or not allowed (AccessDenied, ExpiredToken...)
  NotFound,  ///< 404, NoSuchKey, NoSuchBucket, ResourceNotFoundException
  Fatal,     ///< anything else: a request the service will never accept as sent
};

/// Short stable name ("throttled"), for logs and tests.
const char* outcome_name(Outcome outcome);

/// Whether the response's Date is at least kClockSkewThresholdSeconds (clock_offset.h) away from
/// the local clock as currently corrected; Unknown when there was no usable Date.
enum class DateSkew : std::uint8_t { Unknown, Within, Skewed };

/// Classifies a response by its HTTP status and the AWS error code from its body (empty when the
/// body had none; see parse_aws_error), in this order:
/// 1. 2xx is Success, whatever the body says.
/// 2. A known code decides: RequestTimeTooSkewed, RequestExpired and RequestInTheFuture are
///    ClockSkew; SignatureDoesNotMatch, InvalidSignatureException and AuthFailure are ClockSkew
///    when `message` says "Signature expired" / "not yet current" or `skew` is Skewed, else Auth;
///    botocore's throttling codes (SlowDown, Throttling, ThrottlingException, TooManyRequests...)
///    are Throttled; InternalError, InternalFailure, ServiceUnavailable, RequestTimeout... are
///    Retry; AccessDenied, InvalidAccessKeyId, ExpiredToken, UnrecognizedClientException... are
///    Auth; NoSuchKey, NoSuchBucket, ResourceNotFoundException are NotFound.
///    AuthorizationHeaderMalformed (wrong region) and PermanentRedirect are Fatal.
/// 3. Otherwise the status: 429 Throttled; 408 and 5xx (but 501, 505) Retry; 401/403 Auth;
///    404 NotFound; anything else (other 4xx, 3xx, 1xx) Fatal.
/// Codes are compared exactly (AWS codes are case-sensitive).
Outcome classify(std::uint16_t http_status, std::string_view aws_code,
                 std::string_view message = {}, DateSkew skew = DateSkew::Unknown);

/// Classifies a failure that produced no HTTP response, as platform::HttpClient reports them:
/// ErrorCode::Network (cannot connect, connection dropped, timed out, TLS handshake) is
/// Retry; every other error (an untrusted certificate is Permission, a bad URL InvalidArgument, a
/// ByteSink's own error, whatever its code) is Fatal: retrying would fail the same way or, for a
/// sink that already took part of the body, must be decided by the caller.
Outcome classify_transport(const Error& error);

/// The code and message of an AWS error body; views into the body given to parse_aws_error.
struct AwsError {
  std::string_view code;    ///< e.g. "SlowDown", "ThrottlingException"; empty if none was found
  std::string_view message; ///< raw (XML entities and JSON escapes are left as they are)
};

/// Finds the error code and message in an AWS error body without allocating:
/// - XML (S3 `<Error><Code>`, query services `<ErrorResponse><Error><Code>`): the first `<Code>`
///   and `<Message>` elements.
/// - JSON 1.1 (`{"__type":"prefix#Code","message":...}`): `__type` (else `code`/`Code`) with any
///   `prefix#` and any `:suffix` removed; `message` (else `Message`).
/// Anything else (an empty body, HTML from a proxy) gives empty views. Never fails: the body is
/// untrusted and is only searched, never trusted to be well formed.
AwsError parse_aws_error(Bytes body);

} // namespace ec
