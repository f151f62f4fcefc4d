// core/aws/sha256.cpp - SHA-256 and HMAC-SHA256 through mbedtls_md, the only mbedTLS caller.
#include "core/aws/sha256.h"

#include "core/base/secure_wipe.h"

#include <mbedtls/md.h>

namespace ec {

/// mbedTLS md status -> Error; the one converter for mbedTLS codes, beside its only callers.
static Error mbedtls_error(int code, ErrorText message) {
  ErrorCode kind =
      code == MBEDTLS_ERR_MD_ALLOC_FAILED ? ErrorCode::OutOfMemory : ErrorCode::Internal;
  return make_lib_error(kind, message, ErrorLib::MbedTls, code);
}

static const mbedtls_md_info_t* sha256_info() {
  return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
}

Result<Sha256Digest> sha256(Bytes data) {
  const mbedtls_md_info_t* info = sha256_info();
  if (!info)
    return mbedtls_error(MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE, "sha256: mbedtls has no sha-256");
  Sha256Digest digest{};
  int code = mbedtls_md(info, data.data(), data.size(), digest.data());
  if (code != 0)
    return mbedtls_error(code, "sha256: mbedtls hashing failed");
  return digest;
}

Result<Sha256Digest> hmac_sha256(Bytes key, Bytes message) {
  const mbedtls_md_info_t* info = sha256_info();
  if (!info)
    return mbedtls_error(MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE, "sha256: mbedtls has no sha-256");
  Sha256Digest mac{};
  int code =
      mbedtls_md_hmac(info, key.data(), key.size(), message.data(), message.size(), mac.data());
  if (code != 0)
    return mbedtls_error(code, "sha256: mbedtls hmac failed");
  return mac;
}

void write_hex_lower(Bytes bytes, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::uint8_t byte : bytes) {
    *out++ = kDigits[byte >> 4];
    *out++ = kDigits[byte & 0x0f];
  }
}

Sha256Hex to_hex(const Sha256Digest& digest) {
  Sha256Hex hex{};
  write_hex_lower(Bytes(digest), hex.data());
  return hex;
}

void wipe(MutableBytes bytes) {
  secure_wipe(bytes.data(), bytes.size());
}

} // namespace ec
