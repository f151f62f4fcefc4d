// core/codec/zip_descriptor.h - Which reading of a ZIP data descriptor matches the entry.
#pragma once

#include "core/base/bytes.h"

#include <cstddef>
#include <cstdint>

namespace ec {

/// Bytes of the longest data descriptor: signature, CRC-32, two 8-byte sizes.
inline constexpr std::size_t kZipDescriptorMaxBytes = 24;
/// Bytes of a record signature ("PK" and two kind bytes).
inline constexpr std::size_t kZipSignatureBytes = 4;
inline constexpr std::uint32_t kZipDescriptorSignature = 0x08074b50;

/// Whether input follows the bytes at hand: finish() has been called, or not yet.
enum class InputEnd : std::uint8_t { NotYet, Reached };

/// What an entry's data turned out to be: what its descriptor must say.
struct ZipEntryCounts {
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_bytes = 0;
  std::uint64_t plain_bytes = 0;
};

/// The length of the data descriptor at the start of `bytes` that describes `entry`, or 0 when
/// none does. A descriptor may or may not start with its signature and may hold 4- or 8-byte
/// sizes (4-byte sizes are the low 32 bits); when several readings match, the one followed by a
/// record signature (or by the end of the input) wins, else the most likely one. `bytes` holds
/// the descriptor and the 4 bytes after it, or fewer when the input ended.
[[nodiscard]] std::size_t match_zip_descriptor(Bytes bytes, const ZipEntryCounts& entry,
                                               InputEnd input_end);

/// Whether the 4 bytes at `p` are the signature of a record that may follow a ZIP entry: another
/// local header, the central directory, the end records, archive extra data or a digital
/// signature.
[[nodiscard]] bool is_zip_record_signature(const std::uint8_t* p);

} // namespace ec
