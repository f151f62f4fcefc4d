// core/aws/sha256.h - SHA-256 and HMAC-SHA256 over mbedTLS's md API, lower-hex, and key wiping.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

inline constexpr std::size_t kSha256Bytes = 32;
inline constexpr std::size_t kSha256HexChars = 2 * kSha256Bytes;

using Sha256Digest = std::array<std::uint8_t, kSha256Bytes>;
/// 64 lower-case hex characters, not terminated.
using Sha256Hex = std::array<char, kSha256HexChars>;

/// SHA-256 of `data`. Never allocates. Internal with ErrorLib::MbedTls if mbedTLS refuses (a
/// build without SHA-256).
Result<Sha256Digest> sha256(Bytes data);

/// HMAC-SHA256 (RFC 2104) of `message` under `key` (any length). mbedTLS callocs its HMAC
/// context (about 0.3 KiB) for the call and frees it before returning: Debian's build has no
/// MBEDTLS_PLATFORM_MEMORY hook to route it into an Arena. OutOfMemory (ErrorLib::MbedTls) when
/// that allocation fails. Neither the key nor the message ever appears in an Error.
Result<Sha256Digest> hmac_sha256(Bytes key, Bytes message);

/// Writes 2 * bytes.size() lower-case hex characters to `out` (no terminator).
void write_hex_lower(Bytes bytes, char* out);

/// The digest as 64 lower-case hex characters.
Sha256Hex to_hex(const Sha256Digest& digest);

inline std::string_view as_view(const Sha256Hex& hex) {
  return {hex.data(), hex.size()};
}

/// Overwrites key material so it does not linger on the stack (secure_wipe, not optimised away).
void wipe(MutableBytes bytes);

} // namespace ec
