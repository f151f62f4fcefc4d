// core/codec/crc32_fast.h - CRC-32 (gzip/ZIP polynomial) with the CPU's carry-less multiply or CRC
// instructions.
#pragma once

#include "core/base/bytes.h"

#include <cstdint>

namespace ec {

/// zlib's crc32(crc, data): the IEEE 802.3 CRC-32 (reflected polynomial 0xEDB88320) that gzip
/// and ZIP store, continued from `crc` (0 to start; chaining calls over split data gives the CRC
/// of the whole). x86_64 uses PCLMULQDQ folding when the CPU has it (checked once at run time),
/// aarch64 the ARMv8 CRC32 instructions when the build targets them; otherwise zlib's crc32.
[[nodiscard]] std::uint32_t crc32_update(std::uint32_t crc, Bytes data);

} // namespace ec
