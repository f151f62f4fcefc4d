// tests/codec/plain_output_test.cpp - PlainOutput: pieces, lent space, file and unit counters.
#include "core/codec/plain_output.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/codec/codec_inputs.h"

namespace ec {
namespace {

using codec_test::CollectSink;
using codec_test::crc_of;

TEST(PlainOutput, WritesInPiecesOfAtMostTheWindowAndCountsEachUnit) {
  CollectSink sink;
  PlainOutput output(sink);
  output.set_max_piece_bytes(100);
  const std::string first(250, 'a');
  const std::string second = "second unit";
  ASSERT_TRUE(output.write(as_bytes(first)).ok());
  EXPECT_EQ(sink.pieces, (std::vector<std::size_t>{100, 100, 50}));
  EXPECT_EQ(output.unit_bytes(), 250u);
  EXPECT_EQ(output.unit_crc32(), crc_of(first));
  output.start_unit();
  ASSERT_TRUE(output.write(as_bytes(second)).ok());
  EXPECT_EQ(output.unit_bytes(), second.size());
  EXPECT_EQ(output.unit_crc32(), crc_of(second));
  EXPECT_EQ(output.bytes_out(), first.size() + second.size()); // the file's, across units
  EXPECT_EQ(sink.out, first + second);
  output.reset();
  EXPECT_EQ(output.bytes_out(), 0u);
  EXPECT_EQ(output.unit_bytes(), 0u);
  EXPECT_EQ(output.unit_crc32(), 0u);
  EXPECT_FALSE(output.lends());
  EXPECT_TRUE(output.lent_space().empty());
}

TEST(PlainOutput, DownstreamErrorComesBackUnchangedWithThePieceCounted) {
  CollectSink sink;
  sink.fail_at_bytes = 150;
  PlainOutput output(sink);
  output.set_max_piece_bytes(100);
  Status status = output.write(as_bytes(std::string(250, 'b')));
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().message, "sink: disk full");
  EXPECT_EQ(status.error().where, ErrorWhere::None);
  EXPECT_EQ(sink.pieces.size(), 2u); // the third piece is never offered
  EXPECT_EQ(output.bytes_out(), 200u);
}

/// Lends 64 bytes at a time and remembers what it holds when a commit arrives.
class FixedLender final : public BufferedSink {
public:
  MutableBytes write_space() override { return {m_space, sizeof(m_space)}; }
  Status commit_written(std::size_t bytes) override {
    out.append(reinterpret_cast<const char*>(m_space), bytes);
    return {};
  }
  Status write(Bytes chunk) override {
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  Status finish() override { return {}; }
  std::string out;

private:
  std::uint8_t m_space[64] = {};
};

TEST(PlainOutput, LentSpaceIsCountedWhenCommitted) {
  FixedLender lender;
  PlainOutput output(lender);
  output.set_max_piece_bytes(4096);
  ASSERT_TRUE(output.lends());
  MutableBytes space = output.lent_space();
  ASSERT_EQ(space.size(), 64u);
  const std::string text = "lent,bytes\n";
  std::copy(text.begin(), text.end(), space.begin());
  ASSERT_TRUE(output.commit_lent(Bytes(space.data(), text.size())).ok());
  ASSERT_TRUE(output.write(as_bytes(text)).ok()); // both ways mix freely
  EXPECT_EQ(lender.out, text + text);
  EXPECT_EQ(output.unit_crc32(), crc_of(text + text));
  EXPECT_EQ(output.bytes_out(), 2 * text.size());
}

} // namespace
} // namespace ec
