// core/codec/crc32_concat.cpp - CRC-32 concatenation over zlib's combine operators.
#include "core/codec/crc32_concat.h"

#include <zlib.h>

namespace ec {

std::uint32_t crc32_concat(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b) {
  // Shifting crc_a over B is linear, so a long B is taken in steps that fit a 32-bit z_off_t.
  constexpr std::uint64_t kStepBytes = std::uint64_t{1} << 30;
  uLong crc = crc_a;
  if (length_b > kStepBytes) {
    const uLong step = crc32_combine_gen(static_cast<z_off_t>(kStepBytes));
    while (length_b > kStepBytes) {
      crc = crc32_combine_op(crc, 0, step);
      length_b -= kStepBytes;
    }
  }
  return static_cast<std::uint32_t>(crc32_combine(crc, crc_b, static_cast<z_off_t>(length_b)));
}

} // namespace ec
