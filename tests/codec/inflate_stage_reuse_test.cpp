// tests/codec/inflate_stage_reuse_test.cpp - One InflateStage over files of every format: reset()
// leaves nothing behind.
#include "core/codec/inflate_stage.h"

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
using codec_test::gzip;
using codec_test::Split;
using codec_test::zip_end_record;
using codec_test::zip_local;
using codec_test::ZipLocal;

struct Outcome {
  bool ok = false;
  const char* message = nullptr;
  std::uint64_t position = 0;
  std::string out;
  std::uint32_t crc = 0;
  InputFormat format = InputFormat::Unknown;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

bool operator==(const Outcome& a, const Outcome& b) {
  return a.ok == b.ok && (a.ok || std::string(a.message) == b.message) &&
         a.position == b.position && a.out == b.out && a.crc == b.crc && a.format == b.format &&
         a.bytes_in == b.bytes_in && a.bytes_out == b.bytes_out;
}

/// A stage on its own arena, as the ingest engine keeps one for every file of a delivery.
struct Reused {
  Reused() : arena(MutableBytes(storage.data(), storage.size())), stage(sink) {
    EXPECT_TRUE(stage.init(arena, 1024).ok());
  }

  /// Writes `input` from the start of a file; finishes it unless `finish` is false (a file
  /// abandoned midway, as when a download breaks).
  Outcome decode(const std::string& input, Split split, bool finish = true) {
    stage.reset();
    sink.out.clear();
    Status status;
    for (const std::string& chunk : chunks_of(input, split, 7)) {
      status = stage.write(as_bytes(chunk));
      if (!status.ok())
        break;
    }
    if (status.ok() && finish)
      status = stage.finish();
    Outcome outcome;
    outcome.ok = status.ok();
    if (!status.ok()) {
      outcome.message = status.error().message;
      outcome.position = status.error().position;
    }
    outcome.out = sink.out;
    outcome.crc = stage.crc32();
    outcome.format = stage.format();
    outcome.bytes_in = stage.bytes_in();
    outcome.bytes_out = stage.bytes_out();
    return outcome;
  }

  CollectSink sink;
  std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(256 * 1024);
  Arena arena;
  InflateStage stage;
};

struct File {
  const char* name;
  std::string bytes;
};

std::vector<File> files_of_every_format() {
  const std::string text = csv_text(300, 11);
  ZipLocal described;
  described.plain = text;
  described.descriptor = Descriptor::WithoutSignature;
  described.zip64_descriptor = true;
  ZipLocal stored;
  stored.plain = csv_text(50, 12);
  stored.method = 0;
  return {
      {"gzip", gzip(text)},
      {"zip with descriptor", zip_local(described).bytes + zip_end_record()},
      {"plain", csv_text(40, 13)},
      {"gzip of two members", gzip(csv_text(20, 14)) + gzip(text)},
      {"stored zip", zip_local(stored).bytes},
      {"plain shorter than a magic", "PK"},
  };
}

TEST(InflateStageReuse, GzipThenZipThenPlainThenGzipAndBackDecodeAsIfFresh) {
  Reused reused;
  const std::vector<File> files = files_of_every_format();
  std::size_t allocations = 0;
  for (int round = 0; round < 3; ++round) {
    for (const File& file : files) {
      SCOPED_TRACE(testing::Message() << file.name << ", round " << round);
      Reused fresh;
      const Outcome expected = fresh.decode(file.bytes, Split::Whole);
      ASSERT_TRUE(expected.ok) << expected.message;
      EXPECT_EQ(expected.crc, crc_of(expected.out));
      EXPECT_TRUE(reused.decode(file.bytes, Split::Random) == expected);
      if (allocations == 0)
        allocations = reused.arena.allocation_count();
      EXPECT_EQ(reused.arena.allocation_count(), allocations); // zlib's window, from file one
    }
  }
}

TEST(InflateStageReuse, AFileLeftAnywhereLeavesNothingForTheNext) {
  // Each file of each format is abandoned (or fails) at many points; the next file, of any
  // format, must decode exactly as on a fresh stage: no per-file field survives reset().
  Reused reused;
  const std::vector<File> files = files_of_every_format();
  std::vector<Outcome> fresh_outcomes;
  for (const File& next : files) {
    Reused fresh;
    fresh_outcomes.push_back(fresh.decode(next.bytes, Split::Whole));
  }
  const std::size_t high_water = [&] {
    reused.decode(files[0].bytes, Split::Whole);
    return reused.arena.high_water();
  }();
  for (const File& first : files) {
    for (std::size_t cut = 0; cut <= first.bytes.size(); cut += 1 + first.bytes.size() / 40) {
      std::string left = first.bytes.substr(0, cut);
      if (cut % 3 == 1 && !left.empty())
        left.back() = static_cast<char>(left.back() ^ 0x20); // and corrupt, now and then
      const bool finish = cut % 2 == 0;
      reused.decode(left, Split::Random, finish);
      for (std::size_t n = 0; n < files.size(); ++n) {
        SCOPED_TRACE(testing::Message()
                     << first.name << " cut at " << cut << " then " << files[n].name);
        EXPECT_TRUE(reused.decode(files[n].bytes, Split::Random) == fresh_outcomes[n]);
      }
    }
  }
  EXPECT_EQ(reused.arena.high_water(), high_water);
}

} // namespace
} // namespace ec
