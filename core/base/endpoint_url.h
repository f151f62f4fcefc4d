// core/base/endpoint_url.h - The syntax of an endpoint URL from the INI: the one check shared by
// `config check` (core/config) and the run (core/client's Endpoint), so they never disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

inline constexpr std::size_t kMaxEndpointHostBytes = 255;
inline constexpr std::size_t kMaxEndpointPathBytes = 255;

/// Why a text is not an endpoint URL.
enum class EndpointUrlProblem : std::uint8_t {
  None,
  NotUrl,          ///< not "http(s)://host[:port][/path]" (scheme in any letter case)
  UserInfo,        ///< user:password@ before the host
  QueryOrFragment, ///< '?' or '#': an endpoint has neither
  PlainHttp,       ///< http:// to a host that is not loopback (is_loopback_host)
  BadPort,         ///< not 1-65535
  HostTooLong,     ///< over kMaxEndpointHostBytes
  PathTooLong,     ///< over kMaxEndpointPathBytes (after trailing '/'s are dropped)
};

/// An endpoint URL's parts; views into the parsed text.
struct EndpointUrl {
  bool https = true;
  std::string_view host;  ///< a name, dotted IPv4, or [IPv6] with its brackets
  std::uint16_t port = 0; ///< 0: the scheme's default
  std::string_view path;  ///< "" or "/..." without trailing '/'
};

/// Parses "https://host[:port][/path]" (http:// only to loopback). Host bytes: letters, digits,
/// '-', '.', '_' (or hex digits, ':' and '.' inside [ ]); path bytes: printable ASCII, no space.
EndpointUrlProblem parse_endpoint_url(std::string_view text, EndpointUrl& out);

} // namespace ec
