// core/codec/little_endian.h - Reads of the little-endian integers in gzip and ZIP records.
#pragma once

#include <cstdint>

namespace ec {

/// The 2, 4 or 8 bytes at `p`, least significant first, on any host byte order.
[[nodiscard]] inline std::uint16_t read_le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
[[nodiscard]] inline std::uint32_t read_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
[[nodiscard]] inline std::uint64_t read_le64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(read_le32(p)) |
         (static_cast<std::uint64_t>(read_le32(p + 4)) << 32);
}

} // namespace ec
