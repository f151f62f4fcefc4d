// tests/codec/gzip_members_test.cpp - GzipMembers: members joined, trailers checked, padding.
#include "core/codec/deflate_stage.h"
#include "core/codec/gzip_members.h"
#include "core/codec/plain_output.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "tests/codec/codec_inputs.h"

namespace ec {
namespace {

using codec_test::chunks_of;
using codec_test::CollectSink;
using codec_test::crc_of;
using codec_test::csv_text;
using codec_test::gzip;
using codec_test::Split;

/// The gzip stage in front of a deflate stage, as InflateStage wires them.
struct GzipChain {
  GzipChain() : arena(MutableBytes(storage.data(), storage.size())), output(sink), deflate(output) {
    output.set_max_piece_bytes(512);
    EXPECT_TRUE(deflate.init(arena, 512).ok());
  }

  /// Decodes `input`, which starts with the gzip magic (the sniffer's part), then finishes.
  Status decode(const std::string& input, Split split, std::uint32_t seed = 1) {
    sink.out.clear();
    output.reset();
    deflate.reset();
    members.reset();
    EXPECT_EQ(input.compare(0, 2, "\x1f\x8b"), 0);
    EC_TRY(members.start());
    for (const std::string& chunk : chunks_of(input.substr(2), split, seed))
      EC_TRY(members.write(as_bytes(chunk)));
    return members.finish();
  }

  CollectSink sink;
  std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(256 * 1024);
  Arena arena;
  PlainOutput output;
  DeflateStage deflate;
  GzipMembers members{deflate, output};
};

void expect_error(const Status& status, ErrorCode code, const char* message,
                  std::uint64_t position) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code);
  EXPECT_STREQ(status.error().message, message);
  EXPECT_EQ(status.error().where, ErrorWhere::ByteOffset);
  EXPECT_EQ(status.error().position, position);
}

TEST(GzipMembers, MembersJoinIntoOneOutputWithOneCrc) {
  GzipChain chain;
  const std::string a = csv_text(300, 1);
  const std::string b = csv_text(20, 2);
  for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
    ASSERT_TRUE(chain.decode(gzip(a) + gzip("") + gzip(b), split).ok());
    EXPECT_TRUE(chain.sink.out == a + b);
    EXPECT_EQ(chain.members.crc32(), crc_of(a + b));
    EXPECT_EQ(chain.output.bytes_out(), a.size() + b.size());
    EXPECT_EQ(chain.output.unit_bytes(), 0u); // each member's unit ended with its trailer
  }
}

TEST(GzipMembers, CrcInsideAMemberCoversItsBytesSoFar) {
  GzipChain chain;
  const std::string a = csv_text(50, 3);
  const std::string b = csv_text(400, 4);
  const std::string second = gzip(b);
  const std::string input = gzip(a) + second.substr(0, second.size() / 2);
  const Status status = chain.decode(input, Split::Random);
  expect_error(status, ErrorCode::Truncated, "gzip: file ends inside a compressed member",
               input.size());
  ASSERT_GT(chain.sink.out.size(), a.size());
  EXPECT_EQ(chain.members.crc32(), crc_of(chain.sink.out));
}

TEST(GzipMembers, TrailerMismatchIsNamedAtTheFieldsLastByte) {
  GzipChain chain;
  const std::string text = csv_text(200, 5);
  std::string bad_crc = gzip(text) + gzip(text);
  bad_crc[bad_crc.size() - 8] ^= 0x01; // the second member's CRC-32
  std::string bad_size = gzip(text);
  bad_size[bad_size.size() - 1] ^= 0x80; // ISIZE's high byte
  for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
    const Status crc = chain.decode(bad_crc, split);
    expect_error(crc, ErrorCode::Corrupt, "gzip: crc-32 mismatch", bad_crc.size() - 5);
    EXPECT_STREQ(crc.error().detail, "incorrect data check");
    EXPECT_EQ(crc.error().lib, ErrorLib::Zlib);
    EXPECT_EQ(crc.error().lib_code, Z_DATA_ERROR);
    const Status size = chain.decode(bad_size, split);
    expect_error(size, ErrorCode::Corrupt, "gzip: size mismatch", bad_size.size() - 1);
    EXPECT_STREQ(size.error().detail, "incorrect length check");
  }
}

TEST(GzipMembers, ZerosAfterTheLastMemberArePaddingAnythingElseIsNot) {
  GzipChain chain;
  const std::string text = csv_text(30, 6);
  const std::string member = gzip(text);
  for (Split split : {Split::Whole, Split::OneByte}) {
    ASSERT_TRUE(chain.decode(member + std::string(100, '\0'), split).ok());
    EXPECT_TRUE(chain.sink.out == text);
    expect_error(chain.decode(member + std::string(7, '\0') + "x", split), ErrorCode::Corrupt,
                 "gzip: trailing data after the last member", member.size() + 7);
    expect_error(chain.decode(member + "\x1f" + "x", split), ErrorCode::Corrupt,
                 "gzip: trailing data after the last member", member.size());
    expect_error(chain.decode(member + "\x1f", split), ErrorCode::Truncated,
                 "gzip: file ends inside a compressed member", member.size() + 1);
  }
}

TEST(GzipMembers, FileEndingInsideAMemberIsTruncatedAtItsEnd) {
  GzipChain chain;
  const std::string member = gzip(csv_text(20, 7));
  for (std::size_t cut = 2; cut < member.size(); cut += 5)
    expect_error(
        chain.decode(member.substr(0, cut), Split::Random, static_cast<std::uint32_t>(cut)),
        ErrorCode::Truncated, "gzip: file ends inside a compressed member", cut);
}

} // namespace
} // namespace ec
