// core/base/endpoint_url.cpp - parse_endpoint_url.
#include "core/base/endpoint_url.h"

#include "core/base/ascii.h"
#include "core/base/loopback.h"

namespace ec {
namespace {

bool is_host_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool is_ipv6_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

} // namespace

EndpointUrlProblem parse_endpoint_url(std::string_view text, EndpointUrl& out) {
  using enum EndpointUrlProblem;
  out = EndpointUrl{};
  std::string_view rest;
  if (starts_with_ignoring_case(text, "https://")) {
    rest = text.substr(8);
  } else if (starts_with_ignoring_case(text, "http://")) {
    out.https = false;
    rest = text.substr(7);
  } else {
    return NotUrl;
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos)
    return UserInfo;
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);

  // host, or [IPv6], then an optional :port.
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close < 2)
      return NotUrl;
    host = authority.substr(0, close + 1);
    for (char c : host.substr(1, host.size() - 2))
      if (!is_ipv6_byte(c))
        return NotUrl;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return NotUrl;
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    for (char c : host)
      if (!is_host_byte(c))
        return NotUrl;
  }
  if (host.empty())
    return NotUrl;
  if (host.size() > kMaxEndpointHostBytes)
    return HostTooLong;
  // Nothing reaches the network in clear text but loopback traffic.
  if (!out.https && !is_loopback_host(host))
    return PlainHttp;
  // After the host: a plain http:// endpoint elsewhere is the problem to name first.
  if (rest.find_first_of("?#") != std::string_view::npos)
    return QueryOrFragment;
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5)
      return BadPort;
    std::uint32_t port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9')
        return BadPort;
      port = port * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535)
      return BadPort;
    out.port = static_cast<std::uint16_t>(port);
  }
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  for (char c : path)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return NotUrl;
  if (path.size() > kMaxEndpointPathBytes)
    return PathTooLong;
  out.host = host;
  out.path = path;
  return None;
}

} // namespace ec
