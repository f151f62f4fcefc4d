// core/codec/zip_descriptor.cpp - The four readings of a ZIP data descriptor, most likely first.
#include "core/codec/zip_descriptor.h"

#include "core/codec/little_endian.h"

namespace ec {
namespace {

enum class Signature : std::uint8_t { Present, Absent };

struct DescriptorLayout {
  Signature signature;
  std::uint8_t size_bytes; // 4, or 8 for ZIP64
  [[nodiscard]] std::size_t length() const {
    return (signature == Signature::Present ? 4u : 0u) + 4u + 2u * size_bytes;
  }
};

// Most likely first; the bytes after a descriptor decide between readings that both match.
constexpr DescriptorLayout kDescriptorLayouts[] = {
    {Signature::Present, 4},
    {Signature::Present, 8},
    {Signature::Absent, 4},
    {Signature::Absent, 8},
};

bool describes(const DescriptorLayout& layout, Bytes bytes, const ZipEntryCounts& entry) {
  const std::uint8_t* field = bytes.data();
  if (layout.signature == Signature::Present) {
    if (read_le32(field) != kZipDescriptorSignature)
      return false;
    field += 4;
  }
  if (read_le32(field) != entry.crc32)
    return false;
  if (layout.size_bytes == 8)
    return read_le64(field + 4) == entry.compressed_bytes &&
           read_le64(field + 12) == entry.plain_bytes;
  const std::uint64_t low32 = 0xffffffff;
  return read_le32(field + 4) == (entry.compressed_bytes & low32) &&
         read_le32(field + 8) == (entry.plain_bytes & low32);
}

} // namespace

std::size_t match_zip_descriptor(Bytes bytes, const ZipEntryCounts& entry, InputEnd input_end) {
  std::size_t fallback = 0;
  for (const DescriptorLayout& layout : kDescriptorLayouts) {
    const std::size_t length = layout.length();
    if (length > bytes.size() || !describes(layout, bytes, entry))
      continue;
    const Bytes rest = bytes.subspan(length);
    const bool followed = rest.size() >= kZipSignatureBytes ? is_zip_record_signature(rest.data())
                                                            : input_end == InputEnd::Reached;
    if (followed)
      return length;
    if (fallback == 0)
      fallback = length;
  }
  return fallback;
}

bool is_zip_record_signature(const std::uint8_t* p) {
  if (p[0] != 'P' || p[1] != 'K')
    return false;
  const int kind = p[2] * 256 + p[3];
  switch (kind) {
  case 0x0304: // local file header
  case 0x0102: // central directory header
  case 0x0505: // digital signature
  case 0x0506: // end of central directory
  case 0x0606: // ZIP64 end of central directory
  case 0x0607: // ZIP64 end of central directory locator
  case 0x0608: // archive extra data
    return true;
  default:
    return false;
  }
}

} // namespace ec
