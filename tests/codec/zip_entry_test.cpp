// tests/codec/zip_entry_test.cpp - ZipEntry: stored and deflated entries, descriptors, what
// follows.
#include "core/codec/deflate_stage.h"
#include "core/codec/plain_output.h"
#include "core/codec/zip_entry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/codec/codec_inputs.h"

namespace ec {
namespace {

using codec_test::chunks_of;
using codec_test::CollectSink;
using codec_test::crc_of;
using codec_test::csv_text;
using codec_test::Descriptor;
using codec_test::put32;
using codec_test::Split;
using codec_test::zip_end_record;
using codec_test::zip_local;
using codec_test::ZipBytes;
using codec_test::ZipLocal;

/// The ZIP stage in front of a deflate stage, as InflateStage wires them.
struct ZipChain {
  ZipChain() : arena(MutableBytes(storage.data(), storage.size())), output(sink), deflate(output) {
    output.set_max_piece_bytes(512);
    EXPECT_TRUE(deflate.init(arena, 512).ok());
  }

  /// Decodes `input`, which starts with a local header's signature (the sniffer's part).
  Status decode(const std::string& input, Split split, std::uint32_t seed = 1) {
    sink.out.clear();
    output.reset();
    deflate.reset();
    entry.reset();
    EXPECT_EQ(input.compare(0, 4, "PK\x03\x04"), 0);
    entry.start(as_bytes(input).first(4));
    for (const std::string& chunk : chunks_of(input.substr(4), split, seed))
      EC_TRY(entry.write(as_bytes(chunk)));
    return entry.finish();
  }

  CollectSink sink;
  std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(256 * 1024);
  Arena arena;
  PlainOutput output;
  DeflateStage deflate;
  ZipEntry entry{deflate, output};
};

void expect_error(const Status& status, ErrorCode code, const char* message,
                  std::uint64_t position) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code);
  EXPECT_STREQ(status.error().message, message);
  EXPECT_EQ(status.error().where, ErrorWhere::ByteOffset);
  EXPECT_EQ(status.error().position, position);
}

TEST(ZipEntry, DataDescriptorInEachLayoutWithOrWithoutARecordAfterIt) {
  ZipChain chain;
  for (Descriptor kind : {Descriptor::WithSignature, Descriptor::WithoutSignature}) {
    for (bool zip64 : {false, true}) {
      for (const std::string& plain : {csv_text(300, 1), std::string()}) {
        ZipLocal local;
        local.plain = plain;
        local.descriptor = kind;
        local.zip64_descriptor = zip64;
        const std::string entry = zip_local(local).bytes;
        for (const std::string& input : {entry, entry + zip_end_record()}) {
          for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
            SCOPED_TRACE(testing::Message() << "signature " << (kind == Descriptor::WithSignature)
                                            << " zip64 " << zip64 << " size " << plain.size()
                                            << " followed " << (input.size() > entry.size()));
            const Status status = chain.decode(input, split);
            ASSERT_TRUE(status.ok()) << status.error().message;
            EXPECT_TRUE(chain.sink.out == plain);
            EXPECT_EQ(chain.output.unit_crc32(), crc_of(plain));
          }
        }
      }
    }
  }
}

TEST(ZipEntry, DescriptorThatDoesNotDescribeTheEntry) {
  ZipChain chain;
  ZipLocal local;
  local.plain = csv_text(100, 2);
  local.descriptor = Descriptor::WithSignature;
  local.crc_xor = 0x00010000;
  const ZipBytes wrong_crc = zip_local(local);
  expect_error(chain.decode(wrong_crc.bytes + zip_end_record(), Split::Random), ErrorCode::Corrupt,
               "zip: crc-32 mismatch", wrong_crc.data_end);
  local.crc_xor = 0;
  ZipBytes wrong_size = zip_local(local);
  wrong_size.bytes[wrong_size.data_end + 8] ^= 0x01; // the compressed size, after signature and CRC
  for (Split split : {Split::Whole, Split::OneByte}) {
    expect_error(chain.decode(wrong_size.bytes + zip_end_record(), split), ErrorCode::Corrupt,
                 "zip: data descriptor does not match the entry", wrong_size.data_end);
    // With nothing after it, a longer (ZIP64) descriptor may still have been cut short.
    expect_error(chain.decode(wrong_size.bytes, split), ErrorCode::Truncated,
                 "zip: file ends inside an entry", wrong_size.bytes.size());
  }
}

TEST(ZipEntry, StoredEntryPassesThroughAndIsChecked) {
  ZipChain chain;
  ZipLocal local;
  local.plain = csv_text(200, 3);
  local.method = 0;
  const std::string stored = zip_local(local).bytes;
  for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
    ASSERT_TRUE(chain.decode(stored + zip_end_record(), split).ok());
    EXPECT_TRUE(chain.sink.out == local.plain);
    for (std::size_t piece : chain.sink.pieces)
      EXPECT_LE(piece, 512u);
  }
  local.crc_xor = 1;
  const ZipBytes wrong_crc = zip_local(local);
  expect_error(chain.decode(wrong_crc.bytes, Split::Random), ErrorCode::Corrupt,
               "zip: crc-32 mismatch", wrong_crc.data_end);
  std::string sizes_differ = stored;
  sizes_differ[22] ^= 0x01; // the plain size, unlike the compressed one
  expect_error(chain.decode(sizes_differ, Split::Whole), ErrorCode::Corrupt,
               "zip: stored entry sizes differ", 18);
}

TEST(ZipEntry, DeflatedEntryOfAnotherSizeThanItsHeaderSays) {
  ZipChain chain;
  ZipLocal local;
  local.plain = csv_text(100, 4);
  ZipBytes zip = zip_local(local);
  zip.bytes[18] ^= 0x01; // the compressed size
  expect_error(chain.decode(zip.bytes, Split::Random), ErrorCode::Corrupt,
               "zip: entry size differs from the local header", zip.data_end);
}

TEST(ZipEntry, WhatFollowsTheEntryIsARecordOrAnError) {
  ZipChain chain;
  ZipLocal local;
  local.plain = csv_text(50, 5);
  const std::string entry = zip_local(local).bytes;
  for (Split split : {Split::Whole, Split::OneByte}) {
    expect_error(chain.decode(entry + entry, split), ErrorCode::Unsupported,
                 "zip: more than one entry", entry.size());
    expect_error(chain.decode(entry + "trailing", split), ErrorCode::Corrupt,
                 "zip: unexpected data after the entry", entry.size());
    ASSERT_TRUE(chain.decode(entry + "PK", split).ok()); // too short to be a record: ignored
    ASSERT_TRUE(chain.decode(entry + zip_end_record() + "anything", split).ok()); // not read
  }
}

TEST(ZipEntry, FileEndingInsideTheEntryIsTruncatedAtItsEnd) {
  ZipChain chain;
  for (std::uint16_t method : {0, 8}) {
    ZipLocal local;
    local.plain = csv_text(10, 6);
    local.method = method;
    local.descriptor = method == 8 ? Descriptor::WithoutSignature : Descriptor::None;
    const std::string entry = zip_local(local).bytes;
    for (std::size_t cut = 4; cut < entry.size(); ++cut)
      expect_error(
          chain.decode(entry.substr(0, cut), Split::Random, static_cast<std::uint32_t>(cut)),
          ErrorCode::Truncated, "zip: file ends inside an entry", cut);
  }
}

} // namespace
} // namespace ec
