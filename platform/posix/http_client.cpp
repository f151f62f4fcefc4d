// platform/posix/http_client.cpp - HttpClient over libcurl's easy interface (the only libcurl
// code).
#include "platform/http_client.h"

#include "core/base/ascii.h"
#include "core/base/loopback.h"
#include "core/base/secure_wipe.h"
#include "platform/environment.h"
#include "platform/network_memory.h"
#include "platform/posix/eintr.h"
#include "platform/posix/network_heap.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace ec::platform {

namespace {

CURL* curl_of(void* handle) {
  return static_cast<CURL*>(handle);
}

bool same_name(std::string_view a, std::string_view b) {
  return equals_ignoring_case(a, b);
}

// RFC 9110 tchar: what a header name may hold.
bool is_token(std::string_view name) {
  if (name.empty())
    return false;
  for (char c : name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

// CR, LF and NUL would split or end a header line (header injection).
bool has_line_break(std::string_view text) {
  for (char c : text)
    if (c == '\r' || c == '\n' || c == '\0')
      return true;
  return false;
}

bool is_success(std::uint16_t status) {
  return status >= 200 && status <= 299;
}

Error curl_error(ErrorCode code, ErrorText message, CURLcode curl_code) {
  return make_lib_error(code, message, ErrorLib::Curl, static_cast<std::int32_t>(curl_code));
}

// With the network's fixed heap, running out of it is a setting the technician can raise.
Error out_of_memory(CURLcode curl_code = CURLE_OUT_OF_MEMORY) {
  if (network_heap::installed())
    return curl_error(ErrorCode::OutOfMemory,
                      "http: the network memory is used up: raise [ingest] network_memory",
                      curl_code);
  return curl_error(ErrorCode::OutOfMemory, "http: out of memory", curl_code);
}

// A setopt that cannot fail with a correct option and type failing means a libcurl built without
// a feature we rely on.
Status checked(CURLcode code, const char* option) {
  if (code == CURLE_OK)
    return {};
  if (code == CURLE_OUT_OF_MEMORY)
    return out_of_memory();
  return curl_error(ErrorCode::Internal, "http: libcurl refused an option", code)
      .with_detail(option);
}

} // namespace

// ---- HttpClient -----------------------------------------------------------------------------

Status http_global_init(MutableBytes memory) {
  CURLcode code = CURLE_OK;
  if (memory.empty()) {
    code = curl_global_init(CURL_GLOBAL_DEFAULT);
  } else {
    network_heap::install(memory);
    code = curl_global_init_mem(CURL_GLOBAL_DEFAULT, &network_heap::allocate,
                                &network_heap::release, &network_heap::reallocate,
                                &network_heap::duplicate, &network_heap::allocate_zeroed);
  }
  if (code == CURLE_OK)
    return {};
  if (code == CURLE_OUT_OF_MEMORY)
    return out_of_memory();
  return curl_error(ErrorCode::Internal, "http: libcurl failed to start", code);
}

void http_global_cleanup() {
  curl_global_cleanup();
}

HttpClient::~HttpClient() {
  close();
}

void HttpClient::close() {
  if (m_handle)
    curl_easy_cleanup(curl_of(m_handle));
  m_handle = nullptr;
  curl_slist_free_all(m_header_list);
  m_header_list = nullptr;
}

namespace {

// The host of a proxy URL ("http://user:pass@host:port/", "[::1]:3128", "host"); never a secret.
std::string_view proxy_host(std::string_view proxy) {
  std::size_t scheme = proxy.find("://");
  if (scheme != std::string_view::npos)
    proxy.remove_prefix(scheme + 3);
  proxy = proxy.substr(0, proxy.find('/'));
  std::size_t at = proxy.rfind('@');
  if (at != std::string_view::npos)
    proxy.remove_prefix(at + 1);
  if (!proxy.empty() && proxy.front() == '[') {
    std::size_t close = proxy.find(']');
    return close == std::string_view::npos ? proxy : proxy.substr(1, close - 1);
  }
  return proxy.substr(0, proxy.find(':'));
}

// Whether an http:// request would go through a proxy that is not on this host: the configured
// one, else the environment's as libcurl reads it (http_proxy, then all_proxy/ALL_PROXY).
bool http_proxy_elsewhere(std::string_view configured) {
  std::string_view proxy = configured;
  if (proxy.empty()) {
    for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
      const char* value = environment_variable(name);
      if (value && *value) {
        proxy = value;
        break;
      }
    }
  }
  return !proxy.empty() && !is_loopback_host(proxy_host(proxy));
}

bool is_plain_http(std::string_view url) {
  return starts_with_ignoring_case(url, "http://");
}

} // namespace

Status HttpClient::open(const HttpSettings& settings) {
  if (m_handle) {
    curl_easy_cleanup(curl_of(m_handle));
    m_handle = nullptr;
  }
  CURL* curl = curl_easy_init();
  if (!curl)
    return out_of_memory();
  m_handle = curl;
  m_settings = settings;
  m_settings.ca_bundle = m_settings.proxy = m_settings.no_proxy = m_settings.proxy_ca_bundle = {};
  Status configured = configure(settings);
  if (!configured.ok()) { // never leave a half-configured handle to send with
    curl_easy_cleanup(curl);
    m_handle = nullptr;
  }
  return configured;
}

Status HttpClient::configure(const HttpSettings& settings) {
  CURL* curl = curl_of(m_handle);

  // Strings are copied by libcurl; m_line only has to hold each one with its terminator.
  auto set_text = [&](CURLoption option, std::string_view value, const char* name) -> Status {
    if (value.empty())
      return {};
    if (value.size() > kMaxSettingBytes)
      return make_error(ErrorCode::InvalidArgument, "http: setting too long").with_detail(name);
    if (has_line_break(value))
      return make_error(ErrorCode::InvalidArgument, "http: line break in a setting")
          .with_detail(name);
    std::memcpy(m_line, value.data(), value.size());
    m_line[value.size()] = '\0';
    Status status = checked(curl_easy_setopt(curl, option, m_line), name);
    secure_wipe(m_line, value.size()); // a proxy password does not linger here
    return status;
  };
  EC_TRY(set_text(CURLOPT_CAINFO, settings.ca_bundle, "ca_bundle"));
  EC_TRY(set_text(CURLOPT_PROXY_CAINFO, settings.proxy_ca_bundle, "proxy_ca_bundle"));
  EC_TRY(set_text(CURLOPT_PROXY, settings.proxy, "proxy"));
  EC_TRY(set_text(CURLOPT_NOPROXY, settings.no_proxy, "no_proxy"));
  m_http_proxy_elsewhere = http_proxy_elsewhere(settings.proxy);
  m_proxy_bypassed = false;
  std::size_t kept = settings.no_proxy.size() < kMaxSettingBytes ? settings.no_proxy.size() : 0;
  if (kept != 0)
    std::memcpy(m_no_proxy, settings.no_proxy.data(), kept);
  m_no_proxy[kept] = '\0';

  // Verification is never switched off; these are libcurl's defaults, stated so a reader and a
  // future libcurl build cannot disagree.
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L), "ssl_verifypeer"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L), "ssl_verifyhost"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_PROXY_SSL_VERIFYPEER, 1L), "proxy_verifypeer"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_PROXY_SSL_VERIFYHOST, 2L), "proxy_verifyhost"));
  // mbedTLS builds default to TLS 1.0 (CROSS.md): the minimum is explicit.
  EC_TRY(checked(
      curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)),
      "sslversion"));
  EC_TRY(checked(
      curl_easy_setopt(curl, CURLOPT_PROXY_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)),
      "proxy_sslversion"));

  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "protocols"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L), "followlocation"));
  EC_TRY(checked(
      curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)),
      "http_version"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L), "nosignal"));
  // S3 paths are signed as sent: libcurl must not squash "/./" or "/../".
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L), "path_as_is"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L), "connect_headers"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L), "tcp_keepalive"));
  // One open connection per client: over TLS each one holds its own parsed copy of the CA
  // bundle (0.6 MiB of the network memory for Debian's), and a pass calls one host after another.
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_MAXCONNECTS, 1L), "maxconnects"));

  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                                  static_cast<long>(settings.connect_timeout_ms)),
                 "connect_timeout"));
  EC_TRY(checked(
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.total_timeout_ms)),
      "total_timeout"));
  if (settings.low_speed_timeout_ms > 0 && settings.low_speed_bytes_per_second > 0) {
    long seconds = static_cast<long>((settings.low_speed_timeout_ms + 999) / 1000);
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT,
                                    static_cast<long>(settings.low_speed_bytes_per_second)),
                   "low_speed_limit"));
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, seconds), "low_speed_time"));
  }

  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &HttpClient::on_header),
                 "headerfunction"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_HEADERDATA, this), "headerdata"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &HttpClient::on_body),
                 "writefunction"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_WRITEDATA, this), "writedata"));
  return {};
}

Status HttpClient::append_header(std::string_view name, std::string_view value) {
  // "Name;" is libcurl's way to send a header with an empty value ("Name:" would remove it).
  if (name.size() + 2 + value.size() > kMaxRequestHeaderLineBytes)
    return make_error(ErrorCode::LimitExceeded, "http: request header too long")
        .with_detail("request header");
  std::size_t used = 0;
  std::memcpy(m_line, name.data(), name.size());
  used += name.size();
  if (value.empty()) {
    m_line[used++] = ';';
  } else {
    m_line[used++] = ':';
    m_line[used++] = ' ';
    std::memcpy(m_line + used, value.data(), value.size());
    used += value.size();
  }
  m_line[used] = '\0';
  curl_slist* grown = curl_slist_append(m_header_list, m_line);
  secure_wipe(m_line, used); // an Authorization value does not linger here
  if (!grown)
    return out_of_memory();
  m_header_list = grown;
  return {};
}

Status HttpClient::remove_header(const char* name_colon) {
  // "Name:" with nothing after it tells libcurl not to send its own header of that name.
  curl_slist* grown = curl_slist_append(m_header_list, name_colon);
  if (!grown)
    return out_of_memory();
  m_header_list = grown;
  return {};
}

Status HttpClient::set_request(const HttpRequest& request) {
  CURL* curl = curl_of(m_handle);
  curl_slist_free_all(m_header_list);
  m_header_list = nullptr;
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr)),
                 "httpheader"));

  if (request.url.size() > kMaxUrlBytes)
    return make_error(ErrorCode::LimitExceeded, "http: URL too long").with_detail("url");
  if (request.url.empty() || has_line_break(request.url))
    return make_error(ErrorCode::InvalidArgument, "http: malformed URL");
  std::memcpy(m_line, request.url.data(), request.url.size());
  m_line[request.url.size()] = '\0';
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_URL, m_line), "url"));
  bool bypass = m_http_proxy_elsewhere && is_plain_http(request.url);
  if (bypass != m_proxy_bypassed) {
    const char* no_proxy = bypass ? "*" : (m_no_proxy[0] ? m_no_proxy : nullptr);
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy), "no_proxy"));
    m_proxy_bypassed = bypass;
  }

  if (request.headers.size() > kMaxRequestHeaders)
    return make_error(ErrorCode::LimitExceeded, "http: too many request headers");
  bool has_accept = false;
  bool has_expect = false;
  bool has_content_type = false;
  for (const RequestHeader& header : request.headers) {
    if (!is_token(header.name))
      return make_error(ErrorCode::InvalidArgument, "http: bad request header name");
    if (has_line_break(header.value))
      return make_error(ErrorCode::InvalidArgument, "http: line break in a request header value");
    has_accept = has_accept || same_name(header.name, "Accept");
    has_expect = has_expect || same_name(header.name, "Expect");
    has_content_type = has_content_type || same_name(header.name, "Content-Type");
    EC_TRY(append_header(header.name, header.value));
  }
  // libcurl would add these on its own: Expect: 100-continue (large POST/PUT, an extra round
  // trip some proxies mishandle), Accept: */*, and a form Content-Type on POST.
  if (!has_expect)
    EC_TRY(remove_header("Expect:"));
  if (!has_accept)
    EC_TRY(remove_header("Accept:"));
  bool sends_body = request.method == HttpMethod::Post || request.method == HttpMethod::Put ||
                    (request.method == HttpMethod::Delete && !request.body.empty());
  if (sends_body && !has_content_type)
    EC_TRY(remove_header("Content-Type:"));

  // Reset what the previous request set, then this method.
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L), "httpget"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, static_cast<char*>(nullptr)),
                 "customrequest"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_NOBODY, 0L), "nobody"));
  if (!sends_body && !request.body.empty())
    return make_error(ErrorCode::InvalidArgument, "http: this method sends no body");
  if (request.method == HttpMethod::Head)
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_NOBODY, 1L), "nobody"));
  if (sends_body) {
    static const char kEmpty[] = "";
    const void* data = request.body.empty() ? static_cast<const void*>(kEmpty)
                                            : static_cast<const void*>(request.body.data());
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data), "postfields"));
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                                    static_cast<curl_off_t>(request.body.size())),
                   "postfieldsize"));
  }
  if (request.method == HttpMethod::Put || request.method == HttpMethod::Delete)
    EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_name(request.method)),
                   "customrequest"));
  EC_TRY(checked(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, m_header_list), "httpheader"));
  return {};
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request, ByteSink& sink) {
  m_sink = &sink;
  m_buffer = {};
  Result<HttpResponse> result = perform(request, BodyTarget::Sink);
  m_sink = nullptr;
  return result;
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request, MutableBytes buffer) {
  m_sink = nullptr;
  m_buffer = buffer;
  Result<HttpResponse> result = perform(request, BodyTarget::Buffer);
  m_buffer = {};
  return result;
}

Result<HttpResponse> HttpClient::perform(const HttpRequest& request, BodyTarget target) {
  if (!m_handle)
    return make_error(ErrorCode::InvalidArgument, "http: client not opened");
  CURL* curl = curl_of(m_handle);
  m_target = target;
  m_response = HttpResponse();
  m_kept = 0;
  m_status_seen = false;
  m_callback_failed = false;
  Status prepared = set_request(request);
  secure_wipe(m_line, sizeof m_line);
  if (!prepared.ok()) {
    curl_slist_free_all(m_header_list);
    m_header_list = nullptr;
    (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    return prepared.error();
  }

  std::uint64_t refused_before = network_memory_use().failures;
  CURLcode code = curl_easy_perform(curl);

  // The header list and the body are the caller's for this call only.
  (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_slist_free_all(m_header_list);
  m_header_list = nullptr;
  long connects = 0;
  if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0)
    m_response.new_connections = static_cast<std::uint32_t>(connects);

  if (m_callback_failed)
    return m_callback_error; // the sink's own error, or a limit of ours
  if (code != CURLE_OK) {
    // mbedTLS reports its allocation failures as handshake or CA-file errors: the heap knows.
    if (network_memory_use().failures != refused_before)
      return out_of_memory(code);
    return error_from(static_cast<int>(code));
  }
  long status = 0;
  (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  m_response.status = static_cast<std::uint16_t>(status > 0 && status < 1000 ? status : 0);
  if (m_target == BodyTarget::Buffer)
    m_response.body = Bytes(m_buffer.data(), m_kept);
  else if (!is_success(m_response.status))
    m_response.body = Bytes(m_error_body, m_kept);
  return m_response;
}

Error HttpClient::error_from(int curl_code) {
  auto code = static_cast<CURLcode>(curl_code);
  CURL* curl = curl_of(m_handle);
  std::uint64_t received = m_response.body_bytes;
  long connect_code = 0; // the proxy's answer to CONNECT, when there was one
  (void)curl_easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  if (connect_code >= 300) {
    if (connect_code == 407)
      return curl_error(ErrorCode::Permission, "http: proxy wants credentials", code);
    return curl_error(ErrorCode::Network, "http: proxy refused the tunnel", code);
  }
  switch (code) {
  case CURLE_UNSUPPORTED_PROTOCOL:
    return curl_error(ErrorCode::Unsupported, "http: unsupported URL scheme", code);
  case CURLE_URL_MALFORMAT:
    return curl_error(ErrorCode::InvalidArgument, "http: malformed URL", code);
  case CURLE_COULDNT_RESOLVE_PROXY:
    return curl_error(ErrorCode::Network, "http: cannot resolve the proxy", code);
  case CURLE_COULDNT_RESOLVE_HOST:
    return curl_error(ErrorCode::Network, "http: cannot resolve the host name", code);
  case CURLE_COULDNT_CONNECT:
    return curl_error(ErrorCode::Network, "http: cannot connect", code);
  case CURLE_WEIRD_SERVER_REPLY:
    return curl_error(ErrorCode::Network, "http: malformed response", code);
  case CURLE_GOT_NOTHING:
    return curl_error(ErrorCode::Network, "http: connection closed before a response", code);
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
    if (!m_status_seen && code != CURLE_PARTIAL_FILE)
      return curl_error(ErrorCode::Network, "http: connection closed before a response", code);
    return curl_error(ErrorCode::Network, "http: connection dropped", code)
        .at(ErrorWhere::ByteOffset, received);
  case CURLE_OPERATION_TIMEDOUT: {
    curl_off_t connect_us = 0;
    curl_off_t total_us = 0;
    (void)curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_us);
    (void)curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
    if (connect_us == 0)
      return curl_error(ErrorCode::Network, "http: timed out connecting", code);
    // Both limits end in the same CURLcode: the elapsed time tells them apart.
    curl_off_t total_limit_us = static_cast<curl_off_t>(m_settings.total_timeout_ms) * 1000;
    if (m_settings.total_timeout_ms > 0 && total_us + 20'000 >= total_limit_us)
      return curl_error(ErrorCode::Network, "http: timed out", code)
          .at(ErrorWhere::ByteOffset, received);
    return curl_error(ErrorCode::Network, "http: transfer stalled", code)
        .at(ErrorWhere::ByteOffset, received);
  }
  case CURLE_SSL_CONNECT_ERROR:
    return curl_error(ErrorCode::Network, "http: TLS handshake failed", code);
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    return curl_error(ErrorCode::Permission, "http: TLS certificate not trusted", code);
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CRL_BADFILE:
    return curl_error(ErrorCode::InvalidArgument, "http: cannot use the CA bundle", code);
  case CURLE_OUT_OF_MEMORY:
    return out_of_memory();
  case CURLE_PROXY: // SOCKS and HTTPS-proxy handshake failures
    return curl_error(ErrorCode::Network, "http: proxy refused the tunnel", code);
  case CURLE_FAILED_INIT:
  case CURLE_NOT_BUILT_IN:
  case CURLE_BAD_FUNCTION_ARGUMENT:
  case CURLE_UNKNOWN_OPTION:
  case CURLE_ABORTED_BY_CALLBACK:
  case CURLE_WRITE_ERROR:
  case CURLE_READ_ERROR:
    return curl_error(ErrorCode::Internal, "http: libcurl failed", code);
  default: // libcurl's list is long and grows: what is left is a network failure
    return curl_error(ErrorCode::Network, "http: transfer failed", code)
        .at(ErrorWhere::ByteOffset, received);
  }
}

std::size_t HttpClient::on_header(char* data, std::size_t size, std::size_t count, void* self) {
  return static_cast<HttpClient*>(self)->take_header(std::string_view(data, size * count));
}

std::size_t HttpClient::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  Bytes chunk(reinterpret_cast<const std::uint8_t*>(data), size * count);
  return static_cast<HttpClient*>(self)->take_body(chunk);
}

std::size_t HttpClient::take_header(std::string_view line) {
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after a 1xx, or the real one): forget earlier headers.
    m_response.headers.clear();
    std::size_t space = line.find(' ');
    std::uint16_t status = 0;
    if (space != std::string_view::npos && line.size() >= space + 4) {
      for (std::size_t i = space + 1; i < space + 4; ++i)
        status = static_cast<std::uint16_t>(status * 10 + static_cast<unsigned>(line[i] - '0'));
    }
    m_response.status = status;
    m_status_seen = true;
    return line.size();
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos)
    return line.size(); // the blank line ending the headers, or a folded continuation
  Status captured = m_response.headers.capture(line.substr(0, colon), line.substr(colon + 1));
  if (!captured.ok()) {
    m_callback_failed = true;
    m_callback_error = captured.error();
    return 0;
  }
  return line.size();
}

std::size_t HttpClient::take_body(Bytes chunk) {
  auto fail = [&](Error error) -> std::size_t {
    m_callback_failed = true;
    m_callback_error = error;
#ifdef CURL_WRITEFUNC_ERROR
    return CURL_WRITEFUNC_ERROR;
#else
    return 0;
#endif
  };
  if (m_target == BodyTarget::Buffer) {
    if (chunk.size() > m_buffer.size() - m_kept)
      return fail(make_error(ErrorCode::LimitExceeded, "http: response body larger than its buffer")
                      .at(ErrorWhere::ByteOffset, m_buffer.size()));
    std::memcpy(m_buffer.data() + m_kept, chunk.data(), chunk.size());
    m_kept += chunk.size();
  } else if (is_success(m_response.status)) {
    Status written = m_sink->write(chunk);
    if (!written.ok())
      return fail(written.error());
  } else {
    std::size_t room = sizeof m_error_body - m_kept;
    std::size_t kept = chunk.size() < room ? chunk.size() : room;
    std::memcpy(m_error_body + m_kept, chunk.data(), kept);
    m_kept += kept;
  }
  m_response.body_bytes += chunk.size();
  return chunk.size();
}

} // namespace ec::platform
