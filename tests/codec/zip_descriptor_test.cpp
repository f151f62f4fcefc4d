// tests/codec/zip_descriptor_test.cpp - match_zip_descriptor: the reading the entry and what
// follows choose.
#include "core/codec/zip_descriptor.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/codec/codec_inputs.h"

namespace ec {
namespace {

using codec_test::put32;
using codec_test::put64;
using codec_test::zip_end_record;

std::string descriptor(bool signature, std::uint32_t crc, std::uint64_t compressed,
                       std::uint64_t plain, bool zip64) {
  std::string out;
  if (signature)
    put32(out, kZipDescriptorSignature);
  put32(out, crc);
  if (zip64) {
    put64(out, compressed);
    put64(out, plain);
  } else {
    put32(out, static_cast<std::uint32_t>(compressed));
    put32(out, static_cast<std::uint32_t>(plain));
  }
  return out;
}

TEST(ZipDescriptor, EachLayoutIsFoundByTheEntrysOwnCounts) {
  const ZipEntryCounts entry{.crc32 = 0xcafef00d, .compressed_bytes = 1234, .plain_bytes = 56789};
  for (bool signature : {true, false}) {
    for (bool zip64 : {false, true}) {
      const std::string bytes = descriptor(signature, entry.crc32, 1234, 56789, zip64);
      const std::string followed = bytes + zip_end_record().substr(0, 4);
      EXPECT_EQ(match_zip_descriptor(as_bytes(followed), entry, InputEnd::NotYet), bytes.size());
      EXPECT_EQ(match_zip_descriptor(as_bytes(bytes), entry, InputEnd::Reached), bytes.size());
      ZipEntryCounts other = entry;
      other.plain_bytes += 1;
      EXPECT_EQ(match_zip_descriptor(as_bytes(followed), other, InputEnd::NotYet), 0u);
    }
  }
}

TEST(ZipDescriptor, TheRecordAfterItDecidesBetweenReadingsThatBothMatch) {
  // An empty entry of 2 deflated bytes: its ZIP64 descriptor, read with 4-byte sizes, matches
  // too (compressed 2, then the high half of compressed, 0, as the plain size).
  const ZipEntryCounts entry{.crc32 = 0, .compressed_bytes = 2, .plain_bytes = 0};
  const std::string zip64 = descriptor(true, 0, 2, 0, true);
  ASSERT_EQ(zip64.size(), 24u);
  EXPECT_EQ(match_zip_descriptor(as_bytes(zip64 + "PK\x05\x06"), entry, InputEnd::NotYet), 24u);
  EXPECT_EQ(match_zip_descriptor(as_bytes(zip64), entry, InputEnd::Reached), 24u);
  // Nothing tells them apart yet: the most likely reading.
  EXPECT_EQ(match_zip_descriptor(as_bytes(zip64 + "xxxx"), entry, InputEnd::NotYet), 16u);
}

TEST(ZipDescriptor, RecordSignatures) {
  for (const char* kind :
       {"\x03\x04", "\x01\x02", "\x05\x05", "\x05\x06", "\x06\x06", "\x06\x07", "\x06\x08"})
    EXPECT_TRUE(is_zip_record_signature(as_bytes(std::string("PK") + kind).data())) << kind;
  for (const char* other : {"PK\x07\x08", "PK\x03\x05", "pk\x03\x04", "\0\0\0\0"})
    EXPECT_FALSE(is_zip_record_signature(as_bytes(std::string(other, 4)).data()));
}

} // namespace
} // namespace ec
