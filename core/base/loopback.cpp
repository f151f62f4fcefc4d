// core/base/loopback.cpp - is_loopback_host.
#include "core/base/loopback.h"

#include "core/base/ascii.h"

#include <cstddef>

namespace ec {
namespace {

bool is_ipv4_part(std::string_view part) {
  if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
    return false;
  unsigned value = 0;
  for (char c : part) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 255;
}

} // namespace

bool is_loopback_host(std::string_view host) {
  if (equals_ignoring_case(host, "localhost") || host == "[::1]")
    return true;
  if (host.substr(0, 4) != "127.")
    return false;
  std::size_t parts = 0;
  for (std::size_t at = 0; at <= host.size(); ++parts) {
    std::size_t dot = host.find('.', at);
    std::size_t end = dot == std::string_view::npos ? host.size() : dot;
    if (!is_ipv4_part(host.substr(at, end - at)))
      return false;
    at = end + 1;
  }
  return parts == 4;
}

} // namespace ec
