// core/codec/crc32_concat.h - CRC-32 of two byte runs joined, from their own CRCs.
#pragma once

#include <cstdint>

namespace ec {

/// zlib's CRC-32 of A followed by B, given crc32(A), crc32(B) and B's length in bytes. Exact for
/// any length on any target (zlib's own combine takes a z_off_t, which is 32 bits on some ARM
/// builds); costs O(log length) per GiB of B, no table and no allocation.
[[nodiscard]] std::uint32_t crc32_concat(std::uint32_t crc_a, std::uint32_t crc_b,
                                         std::uint64_t length_b);

} // namespace ec
