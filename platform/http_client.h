// platform/http_client.h - HttpClient: signed HTTP/1.1 requests over one reused libcurl handle.
#pragma once

#include "core/base/byte_sink.h"
#include "core/base/bytes.h"
#include "core/base/http_message.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

struct curl_slist; // libcurl's header list; curl/curl.h stays out of this header

namespace ec::platform {

// ---- limits: crossing one is LimitExceeded, with the detail naming what was too long -----------
/// A request URL (S3 keys and continuation tokens, percent-encoded, fit with room).
inline constexpr std::size_t kMaxUrlBytes = 8 * 1024;
/// One request header line "Name: value" (a session token is ~1 KiB from STS, more from SSO).
inline constexpr std::size_t kMaxRequestHeaderLineBytes = 8 * 1024;
/// Headers in one request (the signer adds 4 to what the caller signs).
inline constexpr std::size_t kMaxRequestHeaders = 48;
/// A path or proxy URL in HttpSettings.
inline constexpr std::size_t kMaxSettingBytes = 4096;
/// The part of a non-2xx body kept when the body was meant for a ByteSink (an AWS error document
/// is well under 1 KiB; the rest is counted and dropped).
inline constexpr std::size_t kMaxErrorBodyBytes = 8 * 1024;
/// How the client connects: ec::HttpSettings (core/base/http_message.h, with the proxy and CA
/// rules), so core can ask for a client through the Host port.
using HttpSettings = ec::HttpSettings;

/// One libcurl easy handle, reused so connections are kept alive between requests to the same
/// host. About 18 KiB of fixed buffers (plus libcurl's own heap): keep it in a long-lived object,
/// not on a small stack. Not thread-safe: one client per thread. TLS peer and host verification are
/// always on, TLS 1.2 at least (and at most, on mbedTLS 2.28), for servers and HTTPS proxies
/// alike; there is deliberately no way to turn them off. HTTP/1.1 only, no redirects followed, no
/// cookies, no signals (CURLOPT_NOSIGNAL), no libcurl signing (CURLOPT_AWS_SIGV4 is never set).
///
/// Errors of send(), other than the sink's (returned unchanged) and the limits above, have
/// ErrorLib::Curl and the CURLcode as lib_code. Transient ones are Network, which
/// net::classify_transport retries:
///   Network "http: cannot resolve the host name" / "http: cannot resolve the proxy" /
///      "http: cannot connect" / "http: TLS handshake failed" /
///      "http: connection dropped" (at byte N: body bytes received) /
///      "http: connection closed before a response" / "http: malformed response" /
///      "http: timed out connecting" / "http: transfer stalled" (at byte N) /
///      "http: timed out" (total_timeout_ms; at byte N) / "http: transfer failed" (anything else)
///   Permission "http: TLS certificate not trusted" (unknown CA, wrong host name, expired) /
///      "http: proxy wants credentials" (407 to CONNECT)
///   Network "http: proxy refused the tunnel" (other CONNECT failures; lib_code is the CURLcode)
///   InvalidArgument "http: malformed URL" / "http: cannot use the CA bundle"
///   Unsupported "http: unsupported URL scheme"   OutOfMemory "http: out of memory"
/// Nothing in an Error ever holds the URL, a header value or a proxy password.
class HttpClient final : public HttpTransport {
public:
  HttpClient() = default;
  ~HttpClient(); // not virtual: HttpTransport's destructor is protected
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Creates the handle and applies `settings` (again: the old handle and its connections are
  /// dropped). InvalidArgument "http: setting too long" or "http: line break in a setting"
  /// (detail: the setting's INI name), OutOfMemory, Internal when libcurl lacks a feature.
  Status open(const HttpSettings& settings);
  /// Drops the handle and its connections (their memory goes back); open() makes a new one.
  void close();

  /// Sends `request`. A 2xx body is written to `sink` chunk by chunk (up to 16 KiB per write,
  /// libcurl's CURL_MAX_WRITE_SIZE); sink.finish() is NOT called (the caller decides whether the
  /// body was whole). A non-2xx body never reaches the sink: its start is kept in
  /// HttpResponse::body. A sink error stops the transfer and is returned unchanged.
  /// A non-2xx status is not an Error: classify it (net/aws_error.h).
  Result<HttpResponse> send(const HttpRequest& request, ByteSink& sink) override;

  /// Sends `request` with the whole body (any status) put in `buffer` (small API responses).
  /// LimitExceeded "http: response body larger than its buffer" (at byte buffer.size()) when it
  /// does not fit; the transfer stops there.
  Result<HttpResponse> send(const HttpRequest& request, MutableBytes buffer) override;

private:
  enum class BodyTarget : std::uint8_t { Sink, Buffer };
  Status configure(const HttpSettings& settings);
  Result<HttpResponse> perform(const HttpRequest& request, BodyTarget target);
  Status set_request(const HttpRequest& request);
  Status append_header(std::string_view name, std::string_view value);
  Status remove_header(const char* name_colon);
  Error error_from(int curl_code);
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  std::size_t take_header(std::string_view line);
  std::size_t take_body(Bytes chunk);

  void* m_handle = nullptr; // CURL*
  curl_slist* m_header_list = nullptr;
  HttpSettings m_settings; // numbers only: the views are not kept after open()
  // The transfer in progress.
  BodyTarget m_target = BodyTarget::Sink;
  ByteSink* m_sink = nullptr;
  MutableBytes m_buffer;
  HttpResponse m_response;
  std::size_t m_kept = 0; // bytes of the body in m_buffer or m_error_body
  bool m_status_seen = false;
  bool m_callback_failed = false;
  Error m_callback_error;
  char m_line[kMaxRequestHeaderLineBytes + 1]; // the URL or one header line, NUL-terminated
  // Plain http:// goes only to loopback, so never through a proxy elsewhere on the network (it
  // would carry a session token in clear): such a request gets no_proxy "*", and the configured
  // no_proxy (kept here, it holds no secret) is put back for the next request.
  bool m_http_proxy_elsewhere = false;
  bool m_proxy_bypassed = false;
  char m_no_proxy[kMaxSettingBytes + 1] = {};
  std::uint8_t m_error_body[kMaxErrorBodyBytes];
};

/// Call once at start-up before any thread starts. With a `memory` block, everything libcurl
/// allocates, and mbedTLS too where it is built with MBEDTLS_PLATFORM_MEMORY (the firmware
/// presets), comes from it for the rest of the process (curl_global_init_mem and
/// platform/network_memory.h): no request calls malloc, and one that finds the block used up
/// fails with OutOfMemory "http: the network memory is used up: raise [ingest] network_memory".
/// Without one, the C library's malloc (curl_global_init). OutOfMemory/Internal on failure.
/// Without any call, the first HttpClient::open does it implicitly (fine single-threaded).
Status http_global_init(MutableBytes memory = {});
/// Call once at exit, after every HttpClient is gone.
void http_global_cleanup();

} // namespace ec::platform
