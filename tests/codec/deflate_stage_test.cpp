// tests/codec/deflate_stage_test.cpp - DeflateStage: stream ends, offsets, zlib's memory kept.
#include "core/codec/deflate_stage.h"
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
using codec_test::raw_deflate;
using codec_test::Split;

/// A deflate stage writing into a collecting sink, on an arena of its own.
struct Chain {
  explicit Chain(std::uint32_t window_bytes = 512, long fail_after = -1)
      : arena(MutableBytes(storage.data(), storage.size())), output(sink), deflate(output) {
    arena.fail_after(fail_after);
    output.set_max_piece_bytes(window_bytes);
    init = deflate.init(arena, window_bytes);
  }

  CollectSink sink;
  std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(256 * 1024);
  Arena arena;
  PlainOutput output;
  DeflateStage deflate;
  Status init;
};

struct Inflated {
  Status status;
  StreamEnd end = StreamEnd::NotYet;
  std::string rest; // input after the end of the stream
};

/// Starts a stream over `input` (whose first byte is at `offset`) and pushes it in chunks.
Inflated inflate_all(Chain& chain, Framing framing, const std::string& input, Split split,
                     std::uint64_t offset = 0) {
  chain.sink.out.clear();
  chain.output.reset();
  chain.deflate.reset();
  Inflated inflated;
  inflated.status = chain.deflate.start(framing, offset);
  for (const std::string& chunk : chunks_of(input, split, 3)) {
    if (!inflated.status.ok())
      break;
    if (inflated.end == StreamEnd::Reached) {
      inflated.rest += chunk;
      continue;
    }
    Bytes data = as_bytes(chunk);
    Result<StreamEnd> end = chain.deflate.inflate(data, offset);
    offset += chunk.size() - data.size();
    if (!end.ok()) {
      inflated.status = end.error();
      break;
    }
    inflated.end = end.value();
    inflated.rest += std::string(as_text(data));
  }
  return inflated;
}

TEST(DeflateStage, RawStreamEndsWhereItsDataSaysAndLeavesWhatFollows) {
  Chain chain(777);
  ASSERT_TRUE(chain.init.ok());
  const std::string text = csv_text(500, 1);
  for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
    const Inflated inflated =
        inflate_all(chain, Framing::Raw, raw_deflate(text) + "PK\x05\x06", split);
    ASSERT_TRUE(inflated.status.ok()) << inflated.status.error().message;
    EXPECT_EQ(inflated.end, StreamEnd::Reached);
    EXPECT_EQ(inflated.rest, "PK\x05\x06");
    EXPECT_TRUE(chain.sink.out == text);
    EXPECT_EQ(chain.output.unit_crc32(), crc_of(text));
    for (std::size_t piece : chain.sink.pieces)
      EXPECT_LE(piece, 777u);
  }
  // Cut short: all input taken, no end yet.
  const std::string deflated = raw_deflate(text);
  const Inflated cut =
      inflate_all(chain, Framing::Raw, deflated.substr(0, deflated.size() / 2), Split::Random);
  ASSERT_TRUE(cut.status.ok());
  EXPECT_EQ(cut.end, StreamEnd::NotYet);
  EXPECT_TRUE(cut.rest.empty());
}

TEST(DeflateStage, GzipMemberHeaderIsReadTheTrailerCheckIsLeftToTheCaller) {
  Chain chain;
  ASSERT_TRUE(chain.init.ok());
  const std::string text = csv_text(100, 2);
  std::string member = gzip(text);
  member[member.size() - 8] ^= 0x40; // the trailer's CRC-32: GzipMembers' to find
  for (Split split : {Split::Whole, Split::OneByte}) {
    const Inflated inflated = inflate_all(chain, Framing::GzipMember, member + "\x1f", split);
    ASSERT_TRUE(inflated.status.ok()) << inflated.status.error().message;
    EXPECT_EQ(inflated.end, StreamEnd::Reached);
    EXPECT_TRUE(chain.deflate.header_read());
    EXPECT_EQ(inflated.rest, "\x1f");
    EXPECT_TRUE(chain.sink.out == text);
  }
  // A header zlib rejects is zlib's error, named as gzip's.
  std::string bad_method = gzip(text);
  bad_method[2] = 7;
  const Inflated rejected = inflate_all(chain, Framing::GzipMember, bad_method, Split::Whole);
  ASSERT_FALSE(rejected.status.ok());
  EXPECT_STREQ(rejected.status.error().message, "gzip: corrupt compressed data");
  EXPECT_STREQ(rejected.status.error().detail, "unknown compression method");
  EXPECT_FALSE(chain.deflate.header_read());
}

TEST(DeflateStage, ErrorsAreAtTheLastByteZlibReadCountedFromTheStreamsOffset) {
  Chain chain;
  ASSERT_TRUE(chain.init.ok());
  const std::string good = raw_deflate(csv_text(300, 3));
  // Raw deflate has no check: the first flip from a third of the way in that zlib rejects.
  std::string deflated;
  std::size_t flipped = good.size() / 3;
  Inflated at_zero;
  for (; flipped < good.size(); ++flipped) {
    deflated = good;
    deflated[flipped] ^= 0x5a;
    at_zero = inflate_all(chain, Framing::Raw, deflated, Split::OneByte, 0);
    if (!at_zero.status.ok())
      break;
  }
  ASSERT_FALSE(at_zero.status.ok());
  const Error error = at_zero.status.error();
  EXPECT_EQ(error.code, ErrorCode::Corrupt);
  EXPECT_STREQ(error.message, "zip: corrupt compressed data");
  EXPECT_EQ(error.lib, ErrorLib::Zlib);
  EXPECT_EQ(error.lib_code, Z_DATA_ERROR);
  EXPECT_EQ(error.where, ErrorWhere::ByteOffset);
  EXPECT_GE(error.position, flipped);
  EXPECT_LT(error.position, deflated.size());
  // The same stream behind a 1000-byte header: the same byte, 1000 further on.
  const Inflated at_1000 = inflate_all(chain, Framing::Raw, deflated, Split::OneByte, 1000);
  ASSERT_FALSE(at_1000.status.ok());
  EXPECT_EQ(at_1000.status.error().position, error.position + 1000);
}

TEST(DeflateStage, ZlibsWindowIsTakenAtTheFirstStreamAndKeptForEveryOther) {
  Chain chain(4096);
  ASSERT_TRUE(chain.init.ok());
  EXPECT_EQ(chain.arena.allocation_count(), 3u); // stream, output window, zlib state
  const std::string text = csv_text(200, 4);
  ASSERT_TRUE(inflate_all(chain, Framing::Raw, raw_deflate(text), Split::Whole).status.ok());
  EXPECT_EQ(chain.arena.allocation_count(), 4u);
  const std::size_t high_water = chain.arena.high_water();
  EXPECT_LE(high_water, 4096 + kInflateZlibArenaBytes);
  for (int stream = 0; stream < 20; ++stream) {
    const bool raw = stream % 2 == 0;
    const Inflated inflated = inflate_all(chain, raw ? Framing::Raw : Framing::GzipMember,
                                          raw ? raw_deflate(text) : gzip(text), Split::Random);
    ASSERT_TRUE(inflated.status.ok());
    EXPECT_EQ(inflated.end, StreamEnd::Reached);
    EXPECT_TRUE(chain.sink.out == text);
  }
  EXPECT_EQ(chain.arena.allocation_count(), 4u);
  EXPECT_EQ(chain.arena.high_water(), high_water);
}

TEST(DeflateStage, ArenaTooSmallAtInitOrForTheWindow) {
  const char* const parts[] = {"zlib stream", "output window", "zlib state"};
  for (long successes = 0; successes < 3; ++successes) {
    Chain chain(4096, successes);
    ASSERT_FALSE(chain.init.ok());
    EXPECT_EQ(chain.init.error().code, ErrorCode::OutOfMemory);
    EXPECT_STREQ(chain.init.error().detail, parts[successes]);
    EXPECT_FALSE(chain.deflate.ready());
  }
  Chain chain(4096, 3); // init's three allocations succeed, zlib's window does not
  ASSERT_TRUE(chain.init.ok());
  ASSERT_TRUE(chain.deflate.ready());
  const Status status = chain.deflate.start(Framing::Raw, 77);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
  EXPECT_STREQ(status.error().message, "inflate: out of memory");
  EXPECT_STREQ(status.error().detail, "zlib window");
  EXPECT_EQ(status.error().lib_code, Z_MEM_ERROR);
  EXPECT_EQ(status.error().position, 77u);
}

} // namespace
} // namespace ec
