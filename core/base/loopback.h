// core/base/loopback.h - Whether a URL's host is this device: the one test for "plain http:// is
// allowed here", shared by `config check` (core/config) and the run (core/client).
#pragma once

#include <string_view>

namespace ec {

/// True for 127.0.0.0/8 written as four plain decimal parts (0-255, no leading zeros, which some
/// resolvers read as octal), "[::1]", or the name localhost in any letter case: traffic that
/// never leaves the device, so plain http:// to it exposes no session token, external ID or
/// signed request. Anything else (127.0.0.1.example.com, bucket.localhost, 127.1, 0177.0.0.1,
/// [::2]) is not loopback here.
bool is_loopback_host(std::string_view host);

} // namespace ec
