// core/base/http_message.h - HTTP requests and responses as the AWS code sees them, and
// HttpTransport, the interface platform::HttpClient implements (core/ names no OS code).
#pragma once

#include "core/base/byte_sink.h"
#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ec {

/// Response header values captured (longer ones are LimitExceeded, so an ETag is never cut).
inline constexpr std::size_t kMaxDateBytes = 64;
inline constexpr std::size_t kMaxETagBytes = 256;
inline constexpr std::size_t kMaxContentRangeBytes = 96;
inline constexpr std::size_t kMaxContentTypeBytes = 128;
inline constexpr std::size_t kMaxRequestIdBytes = 128;
inline constexpr std::size_t kMaxRetryAfterBytes = 64;
inline constexpr std::size_t kMaxRegionHeaderBytes = 64;

enum class HttpMethod : std::uint8_t { Get, Head, Post, Put, Delete };

/// "GET", "HEAD"...: what to sign (SigningInput::method).
const char* method_name(HttpMethod method);

/// One request header, sent exactly as given. Views owned by the caller.
struct RequestHeader {
  std::string_view name;
  std::string_view value; ///< empty sends "Name:" with no value
};

/// A request, already signed by the caller (core/aws/sigv4.h). Views must live during send().
/// The client adds nothing a signature covers: no Accept, no Expect, no Content-Type, no
/// User-Agent, no Accept-Encoding; Host comes from the URL (unless given here) and Content-Length
/// from the body (POST/PUT). Dot segments and `//` in the path are sent as they are.
struct HttpRequest {
  HttpMethod method = HttpMethod::Get;
  /// Absolute http:// or https:// URL, percent-encoded as signed. Its query may hold secrets (a
  /// presigned URL): it never appears in an Error.
  std::string_view url;
  std::span<const RequestHeader> headers; ///< at most kMaxRequestHeaders; no CR or LF anywhere
  Bytes body;                             ///< POST and PUT only
};

/// The response headers edgecur uses, copied into fixed buffers. Of a header sent twice the last
/// wins. Views are valid as long as this object.
class ResponseHeaders {
public:
  [[nodiscard]] std::string_view date() const { return m_date.view(); }
  [[nodiscard]] std::string_view etag() const { return m_etag.view(); } ///< quotes included
  [[nodiscard]] std::string_view content_range() const { return m_content_range.view(); }
  [[nodiscard]] std::string_view content_type() const { return m_content_type.view(); }
  [[nodiscard]] std::string_view request_id() const {
    return m_request_id.view();
  } ///< x-amz-request-id
  [[nodiscard]] std::string_view retry_after() const { return m_retry_after.view(); }
  /// x-amz-bucket-region: where a bucket really is (with 301 PermanentRedirect, 400 wrong region).
  [[nodiscard]] std::string_view bucket_region() const { return m_bucket_region.view(); }
  /// Content-Length as sent (for HEAD: the object's size); nullopt when absent or not a number.
  [[nodiscard]] std::optional<std::uint64_t> content_length() const {
    return m_has_content_length ? std::optional<std::uint64_t>(m_content_length) : std::nullopt;
  }

  /// Used by the client while headers arrive; LimitExceeded (detail: the header name) when a
  /// value does not fit. `name` is matched without regard to case; `value` is trimmed.
  Status capture(std::string_view name, std::string_view value);
  void clear();

private:
  template <std::size_t N> struct Text {
    char data[N];
    std::size_t size = 0;
    [[nodiscard]] std::string_view view() const { return {data, size}; }
  };
  Text<kMaxDateBytes> m_date;
  Text<kMaxETagBytes> m_etag;
  Text<kMaxContentRangeBytes> m_content_range;
  Text<kMaxContentTypeBytes> m_content_type;
  Text<kMaxRequestIdBytes> m_request_id;
  Text<kMaxRetryAfterBytes> m_retry_after;
  Text<kMaxRegionHeaderBytes> m_bucket_region;
  std::uint64_t m_content_length = 0;
  bool m_has_content_length = false;
};

struct HttpResponse {
  std::uint16_t status = 0;
  ResponseHeaders headers;
  /// Body bytes received: streamed to the sink, written to the buffer, or (non-2xx to a sink)
  /// counted while only the first kMaxErrorBodyBytes were kept.
  std::uint64_t body_bytes = 0;
  /// The body when it did not go to a sink: the filled part of the caller's buffer (send with a
  /// buffer), or the start of a non-2xx body (send with a sink; a view into the client, valid until
  /// its next send). Empty otherwise.
  Bytes body;
  /// Connections opened for this request: 0 when a kept-alive one was reused.
  std::uint32_t new_connections = 0;
};

/// How the client connects. Views only need to live during the client's open (the client copies
/// them).
///
/// Proxies: when `proxy` is empty, libcurl reads the usual environment variables, as curl(1) does:
/// `https_proxy`/`HTTPS_PROXY` for https:// URLs, `http_proxy` (lower case only: the upper-case
/// form is ignored, CGI "httpoxy") for http:// URLs, `all_proxy`/`ALL_PROXY` for both, and
/// `no_proxy`/`NO_PROXY`. A `no_proxy` set here replaces the environment's. The environment is
/// read at each request. Proxy URLs may hold `user:password@`; it is never logged nor put in an
/// Error.
///
/// CA bundles: an empty one means the bundle compiled into libcurl, Debian's
/// /etc/ssl/certs/ca-certificates.crt (package ca-certificates) in both builds of it: edgecur's own
/// (EDGECUR_CURL=mbedtls, the default: static, on mbedTLS 2.28, toolchains/deps/curl.cmake) and
/// Debian's shared OpenSSL one (EDGECUR_CURL=system). With mbedTLS, an HTTPS server or proxy must
/// be named by host name: mbedTLS 2.28 does not match a certificate's IP-address names, so
/// https://192.0.2.1/ fails with "http: TLS certificate not trusted".
struct HttpSettings {
  std::string_view ca_bundle;       ///< PEM file of trusted CAs for servers; empty: libcurl's
  std::string_view proxy;           ///< http://, https://, socks5://...; empty: the environment
  std::string_view no_proxy;        ///< "host,.domain,10.0.0.0/8,*"; empty: the environment
  std::string_view proxy_ca_bundle; ///< PEM file for an https:// proxy; empty: libcurl's
  std::uint32_t connect_timeout_ms = 10'000;
  /// Stall detection: a transfer slower than low_speed_bytes_per_second for low_speed_timeout_ms
  /// (rounded up to whole seconds, libcurl's unit) fails with "http: transfer stalled". libcurl
  /// measures the speed averaged over the last 5 seconds, so a transfer that stops dead after a
  /// fast start trips it up to 5 s later than low_speed_timeout_ms.
  std::uint32_t low_speed_bytes_per_second = 1024;
  std::uint32_t low_speed_timeout_ms = 60'000;
  std::uint32_t total_timeout_ms = 0; ///< one request, connect included; 0: no limit
};

/// Sends one request and returns its response. platform::HttpClient is the real one; tests use
/// fakes. Contract (see platform/http_client.h for the errors): a 2xx body goes to `sink` chunk by
/// chunk (finish() is not called); a non-2xx body never reaches the sink and its start is kept in
/// HttpResponse::body; a non-2xx status is not an Error. The buffer form puts the whole body of any
/// status in `buffer`, LimitExceeded when it does not fit.
class HttpTransport {
public:
  virtual Result<HttpResponse> send(const HttpRequest& request, ByteSink& sink) = 0;
  virtual Result<HttpResponse> send(const HttpRequest& request, MutableBytes buffer) = 0;

protected:
  ~HttpTransport() = default;
};

} // namespace ec
