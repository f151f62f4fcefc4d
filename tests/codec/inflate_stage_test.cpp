// tests/codec/inflate_stage_test.cpp - InflateStage against inputs built with zlib and by hand.
#include "core/codec/inflate_stage.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace ec {
namespace {

// ---- inputs -------------------------------------------------------------------------------------

std::string random_bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes)
    byte = static_cast<char>(random() & 0xff);
  return bytes;
}

/// CUR-like CSV: compresses well, so deflate uses Huffman codes and long matches.
std::string csv_text(std::size_t rows, std::uint32_t seed) {
  std::mt19937 random(seed);
  static const char* const kServices[] = {"AmazonEC2", "AmazonS3", "AWSLambda", "AmazonRDS"};
  std::string text = "identity/LineItemId,lineItem/UsageStartDate,lineItem/ProductCode,"
                     "lineItem/UnblendedCost\n";
  char line[160];
  for (std::size_t row = 0; row < rows; ++row) {
    std::snprintf(line, sizeof(line), "%08x%08x,2024-03-%02uT%02u:00:00Z,%s,%u.%010u\n",
                  static_cast<unsigned>(random()), static_cast<unsigned>(random()),
                  static_cast<unsigned>(1 + random() % 28), static_cast<unsigned>(random() % 24),
                  kServices[random() % 4], static_cast<unsigned>(random() % 100),
                  static_cast<unsigned>(random() % 1000000000));
    text += line;
  }
  return text;
}

struct GzipHeaderFields {
  std::string name;    // FNAME when not empty
  std::string comment; // FCOMMENT when not empty
  std::string extra;   // FEXTRA when not empty
  bool header_crc = false;
};

std::string deflate_with(const std::string& plain, int window_bits, const GzipHeaderFields* fields,
                         int level = 6) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  gz_header header{};
  if (fields) {
    header.name = fields->name.empty()
                      ? Z_NULL
                      : reinterpret_cast<Bytef*>(const_cast<char*>(fields->name.c_str()));
    header.comment = fields->comment.empty()
                         ? Z_NULL
                         : reinterpret_cast<Bytef*>(const_cast<char*>(fields->comment.c_str()));
    header.extra = fields->extra.empty()
                       ? Z_NULL
                       : reinterpret_cast<Bytef*>(const_cast<char*>(fields->extra.data()));
    header.extra_len = static_cast<uInt>(fields->extra.size());
    header.hcrc = fields->header_crc ? 1 : 0;
    EXPECT_EQ(deflateSetHeader(&stream, &header), Z_OK);
  }
  std::string out(deflateBound(&stream, plain.size()) + 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string gzip(const std::string& plain, const GzipHeaderFields* fields = nullptr) {
  return deflate_with(plain, 15 + 16, fields);
}
std::string raw_deflate(const std::string& plain) {
  return deflate_with(plain, -15, nullptr);
}

std::uint32_t crc_of(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}
void put64(std::string& out, std::uint64_t value) {
  put32(out, static_cast<std::uint32_t>(value));
  put32(out, static_cast<std::uint32_t>(value >> 32));
}

enum class DescriptorKind { None, WithSignature, WithoutSignature };

struct ZipEntry {
  std::string plain;
  std::string name = "cur-00001.csv";
  std::string extra;        // extra field records, as raw bytes
  std::uint16_t method = 8; // 8 deflate, 0 stored, anything else as given
  std::uint16_t extra_flags = 0;
  DescriptorKind descriptor = DescriptorKind::None;
  bool zip64_descriptor = false; // 8-byte sizes in the descriptor
  bool zip64_extra = false;      // local sizes 0xffffffff, real ones in a ZIP64 extra record
  bool wrong_crc = false;
};

struct ZipFile {
  std::string bytes;
  std::vector<std::size_t> data_ends;  // offset just after each entry's data
  std::vector<std::size_t> entry_ends; // ... and after its descriptor
};

ZipFile build_zip(const std::vector<ZipEntry>& entries, bool central_directory = true) {
  ZipFile zip;
  std::string central;
  for (const ZipEntry& entry : entries) {
    const std::string data = entry.method == 0 ? entry.plain : raw_deflate(entry.plain);
    std::uint32_t crc = crc_of(entry.plain);
    if (entry.wrong_crc)
      crc ^= 0x00010000;
    const bool descriptor = entry.descriptor != DescriptorKind::None;
    const std::uint16_t flags =
        static_cast<std::uint16_t>((descriptor ? 0x0008 : 0) | entry.extra_flags);
    std::string extra = entry.extra;
    if (entry.zip64_extra) {
      put16(extra, 0x0001);
      put16(extra, 16);
      put64(extra, entry.plain.size());
      put64(extra, data.size());
    }
    const std::size_t header_offset = zip.bytes.size();
    std::string& out = zip.bytes;
    put32(out, 0x04034b50);
    put16(out, entry.zip64_extra || entry.zip64_descriptor ? 45 : 20);
    put16(out, flags);
    put16(out, entry.method);
    put16(out, 0x6000); // 12:00
    put16(out, 0x5861); // 2024-03-01
    put32(out, descriptor ? 0 : crc);
    put32(out, descriptor          ? 0
               : entry.zip64_extra ? 0xffffffff
                                   : static_cast<std::uint32_t>(data.size()));
    put32(out, descriptor          ? 0
               : entry.zip64_extra ? 0xffffffff
                                   : static_cast<std::uint32_t>(entry.plain.size()));
    put16(out, static_cast<std::uint32_t>(entry.name.size()));
    put16(out, static_cast<std::uint32_t>(extra.size()));
    out += entry.name;
    out += extra;
    out += data;
    zip.data_ends.push_back(out.size());
    if (descriptor) {
      if (entry.descriptor == DescriptorKind::WithSignature)
        put32(out, 0x08074b50);
      put32(out, crc);
      if (entry.zip64_descriptor) {
        put64(out, data.size());
        put64(out, entry.plain.size());
      } else {
        put32(out, static_cast<std::uint32_t>(data.size()));
        put32(out, static_cast<std::uint32_t>(entry.plain.size()));
      }
    }
    zip.entry_ends.push_back(out.size());

    put32(central, 0x02014b50);
    put16(central, 0x031e); // made by Unix, 3.0
    put16(central, 20);
    put16(central, flags);
    put16(central, entry.method);
    put16(central, 0x6000);
    put16(central, 0x5861);
    put32(central, crc);
    put32(central, static_cast<std::uint32_t>(data.size()));
    put32(central, static_cast<std::uint32_t>(entry.plain.size()));
    put16(central, static_cast<std::uint32_t>(entry.name.size()));
    put16(central, 0); // extra
    put16(central, 0); // comment
    put16(central, 0); // disk
    put16(central, 0); // internal attributes
    put32(central, 0); // external attributes
    put32(central, static_cast<std::uint32_t>(header_offset));
    central += entry.name;
  }
  if (central_directory) {
    const std::size_t central_offset = zip.bytes.size();
    zip.bytes += central;
    put32(zip.bytes, 0x06054b50);
    put16(zip.bytes, 0);
    put16(zip.bytes, 0);
    put16(zip.bytes, static_cast<std::uint32_t>(entries.size()));
    put16(zip.bytes, static_cast<std::uint32_t>(entries.size()));
    put32(zip.bytes, static_cast<std::uint32_t>(central.size()));
    put32(zip.bytes, static_cast<std::uint32_t>(central_offset));
    put16(zip.bytes, 0);
  }
  return zip;
}

// ---- harness ------------------------------------------------------------------------------------

/// Collects what the stage pushes; can refuse after a number of bytes, like a full disk.
class CollectSink final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    if (m_failed) {
      ++calls_after_failure;
      return failure;
    }
    EXPECT_FALSE(chunk.empty()) << "the stage pushed an empty piece";
    EXPECT_EQ(finishes, 0) << "write after finish";
    max_piece = std::max(max_piece, chunk.size());
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    if (out.size() >= fail_at_bytes) {
      m_failed = true;
      return failure;
    }
    return {};
  }
  Status finish() override {
    if (m_failed)
      ++calls_after_failure;
    ++finishes;
    return {};
  }
  void clear() {
    out.clear();
    max_piece = 0;
    finishes = 0;
    calls_after_failure = 0;
    m_failed = false;
  }

  std::string out;
  std::size_t max_piece = 0;
  int finishes = 0;
  int calls_after_failure = 0;
  std::size_t fail_at_bytes = SIZE_MAX;
  Error failure = make_error(ErrorCode::Io, "sink: disk full").with_detail("/data/cur.db");

private:
  bool m_failed = false;
};

enum class Split { Whole, OneByte, Random };

struct Outcome {
  bool ok = false;
  Error error;
  std::string out;
  std::uint32_t crc = 0;
  InputFormat format = InputFormat::Unknown;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

/// A stage over a heap buffer, reused (reset) for every decode, as the firmware reuses it.
class Harness {
public:
  explicit Harness(std::uint32_t window_bytes = 4096, std::size_t arena_bytes = 256 * 1024)
      : m_storage(arena_bytes), arena(MutableBytes(m_storage.data(), m_storage.size())),
        stage(sink) {
    Status status = stage.init(arena, window_bytes);
    EXPECT_TRUE(status.ok()) << status.error().message;
    this->window_bytes = window_bytes;
  }

  Outcome decode(const std::string& input, Split split, std::uint32_t seed = 1) {
    stage.reset();
    sink.clear();
    Outcome outcome;
    std::mt19937 random(seed);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(input.data());
    std::size_t at = 0;
    Status status;
    while (at < input.size() && status.ok()) {
      std::size_t size = input.size() - at;
      if (split == Split::OneByte)
        size = 1;
      else if (split == Split::Random)
        size = std::min<std::size_t>(size, random() % 3 == 0 ? random() % 4 : random() % 700);
      status = stage.write(Bytes(bytes + at, size));
      at += size;
    }
    if (status.ok())
      status = stage.finish();
    outcome.ok = status.ok();
    if (!status.ok())
      outcome.error = status.error();
    outcome.out = sink.out;
    outcome.crc = stage.crc32();
    outcome.format = stage.format();
    outcome.bytes_in = stage.bytes_in();
    outcome.bytes_out = stage.bytes_out();
    EXPECT_LE(sink.max_piece, window_bytes);
    if (outcome.ok) {
      EXPECT_EQ(sink.finishes, 1);
    }
    return outcome;
  }

  CollectSink sink;

private:
  std::vector<std::uint8_t> m_storage;

public:
  Arena arena;
  InflateStage stage;
  std::uint32_t window_bytes = 0;
};

struct SplitCase {
  Split split;
  std::uint32_t seed;
  const char* name;
};
constexpr SplitCase kSplits[] = {
    {Split::Whole, 0, "whole"},   {Split::OneByte, 0, "1-byte"}, {Split::Random, 1, "seed 1"},
    {Split::Random, 2, "seed 2"}, {Split::Random, 3, "seed 3"},  {Split::Random, 99, "seed 99"},
};

/// Every split decodes `input` to exactly `expected`, with the counters and CRC a user sees.
void expect_decodes(Harness& harness, const std::string& input, const std::string& expected,
                    InputFormat format) {
  for (const SplitCase& split : kSplits) {
    SCOPED_TRACE(split.name);
    Outcome outcome = harness.decode(input, split.split, split.seed);
    ASSERT_TRUE(outcome.ok) << outcome.error.message << " at " << outcome.error.position;
    EXPECT_EQ(outcome.format, format);
    ASSERT_EQ(outcome.out.size(), expected.size());
    EXPECT_TRUE(outcome.out == expected);
    EXPECT_EQ(outcome.crc, crc_of(expected));
    EXPECT_EQ(outcome.bytes_in, input.size());
    EXPECT_EQ(outcome.bytes_out, expected.size());
  }
}

/// Every split fails with the same code, message and position.
void expect_fails(Harness& harness, const std::string& input, ErrorCode code, const char* message,
                  std::uint64_t position) {
  for (const SplitCase& split : kSplits) {
    SCOPED_TRACE(split.name);
    Outcome outcome = harness.decode(input, split.split, split.seed);
    ASSERT_FALSE(outcome.ok);
    EXPECT_STREQ(error_code_name(outcome.error.code), error_code_name(code));
    EXPECT_STREQ(outcome.error.message, message);
    EXPECT_EQ(outcome.error.where, ErrorWhere::ByteOffset);
    EXPECT_EQ(outcome.error.position, position);
  }
}

// ---- plain --------------------------------------------------------------------------------------

TEST(InflateStage, PlainTextPassesThroughCountedAndChecksummed) {
  Harness harness(1000);
  const std::string text = csv_text(300, 7);
  expect_decodes(harness, text, text, InputFormat::Plain);
  // Looks like a magic at first, but is not one.
  expect_decodes(harness, "PKZIP archives are not what this is\n",
                 "PKZIP archives are not what this is\n", InputFormat::Plain);
  expect_decodes(harness, std::string("\x1f\x8a rest", 7), std::string("\x1f\x8a rest", 7),
                 InputFormat::Plain);
  expect_decodes(harness, std::string("PK\x03\x05zz", 6), std::string("PK\x03\x05zz", 6),
                 InputFormat::Plain);
}

TEST(InflateStage, InputShorterThanAnyMagicIsPlain) {
  Harness harness;
  for (const std::string& input :
       {std::string(), std::string("a"), std::string("\x1f"), std::string("P"), std::string("PK"),
        std::string("PK\x03"), std::string("ab,")}) {
    SCOPED_TRACE(input.size());
    expect_decodes(harness, input, input, InputFormat::Plain);
  }
  Outcome empty = harness.decode("", Split::Whole);
  EXPECT_EQ(empty.crc, 0u);
  EXPECT_EQ(harness.sink.finishes, 1);
}

// ---- gzip ---------------------------------------------------------------------------------------

TEST(InflateStage, GzipSingleMemberOfTextAndOfRandomBytes) {
  Harness harness(1000); // a small window: each member spans many pieces
  const std::string text = csv_text(2000, 1);
  expect_decodes(harness, gzip(text), text, InputFormat::Gzip);
  const std::string noise = random_bytes(70000, 2); // stored deflate blocks, > 64 KiB
  expect_decodes(harness, gzip(noise), noise, InputFormat::Gzip);
}

TEST(InflateStage, GzipMembersConcatenateIntoOneOutputWithOneCrc) {
  Harness harness(777);
  const std::string a = csv_text(500, 3);
  const std::string b = random_bytes(3000, 4);
  const std::string c = csv_text(40, 5);
  const std::string input = gzip(a) + gzip("") + gzip(b) + gzip(c);
  expect_decodes(harness, input, a + b + c, InputFormat::Gzip);
}

TEST(InflateStage, GzipEmptyMember) {
  Harness harness;
  expect_decodes(harness, gzip(""), "", InputFormat::Gzip);
  expect_decodes(harness, gzip("") + gzip(""), "", InputFormat::Gzip);
}

TEST(InflateStage, GzipHeaderFieldsAreSkipped) {
  Harness harness;
  const std::string text = csv_text(100, 8);
  GzipHeaderFields fields;
  fields.name = std::string(3000, 'n') + ".csv";
  fields.comment = "cost and usage report, account 123456789012";
  fields.extra = random_bytes(5000, 9);
  fields.header_crc = true;
  expect_decodes(harness, gzip(text, &fields), text, InputFormat::Gzip);
  GzipHeaderFields name_only;
  name_only.name = "cur.csv";
  expect_decodes(harness, gzip(text, &name_only) + gzip(text, &fields), text + text,
                 InputFormat::Gzip);
}

TEST(InflateStage, GzipZeroPaddingIsIgnoredOtherTrailingDataIsCorrupt) {
  Harness harness;
  const std::string text = csv_text(50, 10);
  const std::string member = gzip(text);
  expect_decodes(harness, member + std::string(512, '\0'), text, InputFormat::Gzip);
  expect_fails(harness, member + "garbage", ErrorCode::Corrupt,
               "gzip: trailing data after the last member", member.size());
  expect_fails(harness, member + std::string(100, '\0') + "x", ErrorCode::Corrupt,
               "gzip: trailing data after the last member", member.size() + 100);
  // The first byte of a member's magic, then something else.
  expect_fails(harness, member + std::string("\x1f\x00", 2), ErrorCode::Corrupt,
               "gzip: trailing data after the last member", member.size());
  // Zeros then another member: padding ends the file.
  expect_fails(harness, member + std::string(4, '\0') + member, ErrorCode::Corrupt,
               "gzip: trailing data after the last member", member.size() + 4);
  // One byte of another member's magic is a member cut short.
  expect_fails(harness, member + "\x1f", ErrorCode::Truncated,
               "gzip: file ends inside a compressed member", member.size() + 1);
}

TEST(InflateStage, GzipTruncatedAtEveryOffsetIsTruncatedAtTheEnd) {
  Harness harness(512);
  const std::string text = csv_text(40, 11);
  const std::string member = gzip(text);
  ASSERT_GT(member.size(), 300u);
  // Below 2 bytes the input is plain by definition.
  for (std::size_t cut = 2; cut < member.size(); ++cut) {
    SCOPED_TRACE(cut);
    const std::string input = member.substr(0, cut);
    for (Split split : {Split::Whole, Split::Random, Split::OneByte}) {
      if (split == Split::OneByte && cut % 7 != 0)
        continue; // keeps the test fast; the random split covers the rest
      Outcome outcome = harness.decode(input, split, static_cast<std::uint32_t>(cut));
      ASSERT_FALSE(outcome.ok);
      EXPECT_EQ(outcome.error.code, ErrorCode::Truncated);
      EXPECT_STREQ(outcome.error.message, "gzip: file ends inside a compressed member");
      EXPECT_EQ(outcome.error.position, cut);
      EXPECT_TRUE(text.compare(0, outcome.out.size(), outcome.out) == 0); // a prefix, never junk
    }
  }
}

TEST(InflateStage, GzipCorruptByteIsFoundAtOrAfterIt) {
  Harness harness(512);
  const std::string text = csv_text(400, 12);
  const std::string member = gzip(text);
  int corrupt = 0;
  // Flip bytes inside the deflate data and the trailer (the header is 10 bytes).
  for (std::size_t at = 10; at < member.size(); at += 13) {
    SCOPED_TRACE(at);
    std::string input = member;
    input[at] = static_cast<char>(input[at] ^ 0x5a);
    for (Split split : {Split::Whole, Split::Random}) {
      Outcome outcome = harness.decode(input, split, static_cast<std::uint32_t>(at));
      ASSERT_FALSE(outcome.ok);
      if (outcome.error.code == ErrorCode::Truncated) { // a flipped length asks for more data
        EXPECT_EQ(outcome.error.position, input.size());
        continue;
      }
      ++corrupt;
      EXPECT_EQ(outcome.error.code, ErrorCode::Corrupt);
      EXPECT_EQ(outcome.error.lib, ErrorLib::Zlib);
      EXPECT_EQ(outcome.error.lib_code, Z_DATA_ERROR);
      EXPECT_NE(outcome.error.detail, nullptr); // zlib's own words
      EXPECT_GE(outcome.error.position, at);
      EXPECT_LT(outcome.error.position, input.size());
    }
  }
  EXPECT_GT(corrupt, 20);
}

TEST(InflateStage, GzipTrailerMismatchesAreNamed) {
  Harness harness;
  const std::string text = csv_text(30, 13);
  std::string bad_crc = gzip(text);
  bad_crc[bad_crc.size() - 8] ^= 1;
  expect_fails(harness, bad_crc, ErrorCode::Corrupt, "gzip: crc-32 mismatch", bad_crc.size() - 5);
  std::string bad_size = gzip(text);
  bad_size[bad_size.size() - 4] ^= 1;
  expect_fails(harness, bad_size, ErrorCode::Corrupt, "gzip: size mismatch", bad_size.size() - 1);
  Outcome outcome = harness.decode(bad_crc, Split::Whole);
  EXPECT_STREQ(outcome.error.detail, "incorrect data check");
  // The second member's checks are its own.
  std::string second = gzip(text) + bad_crc;
  expect_fails(harness, second, ErrorCode::Corrupt, "gzip: crc-32 mismatch", second.size() - 5);
}

TEST(InflateStage, GzipEveryTrailerBitIsChecked) {
  // The stage checks the trailer itself (zlib's check is off): a member spanning many windows,
  // each of the 64 trailer bits flipped alone, must fail on the field it is in, and nothing else.
  Harness harness(512);
  const std::string text = csv_text(2000, 14);
  const std::string member = gzip(text);
  ASSERT_GT(text.size(), 100u * 512u);
  for (std::size_t bit = 0; bit < 64; ++bit) {
    SCOPED_TRACE(bit);
    std::string input = member + member; // the second member's trailer is altered
    input[input.size() - 8 + bit / 8] ^= static_cast<char>(1 << (bit % 8));
    if (bit < 32)
      expect_fails(harness, input, ErrorCode::Corrupt, "gzip: crc-32 mismatch", input.size() - 5);
    else
      expect_fails(harness, input, ErrorCode::Corrupt, "gzip: size mismatch", input.size() - 1);
  }
  expect_decodes(harness, member + member, text + text, InputFormat::Gzip);
}

TEST(InflateStage, GzipHeaderCrcIsStillChecked) {
  Harness harness;
  const std::string text = csv_text(30, 15);
  GzipHeaderFields fields;
  fields.header_crc = true;
  std::string input = gzip(text, &fields);
  expect_decodes(harness, input, text, InputFormat::Gzip);
  input[10] ^= 1; // FHCRC: the two bytes after the 10-byte header
  expect_fails(harness, input, ErrorCode::Corrupt, "gzip: corrupt compressed data", 11);
  Outcome outcome = harness.decode(input, Split::Whole);
  EXPECT_STREQ(outcome.error.detail, "header crc mismatch");
}

TEST(InflateStage, GzipMagicAloneIsTruncated) {
  Harness harness;
  expect_fails(harness, std::string("\x1f\x8b", 2), ErrorCode::Truncated,
               "gzip: file ends inside a compressed member", 2);
}

// ---- ZIP ----------------------------------------------------------------------------------------

void expect_zip_decodes(Harness& harness, const ZipEntry& entry, bool central_directory = true) {
  const ZipFile zip = build_zip({entry}, central_directory);
  expect_decodes(harness, zip.bytes, entry.plain, InputFormat::Zip);
}

TEST(InflateStage, ZipDeflatedAndStored) {
  Harness harness(1000);
  ZipEntry entry;
  entry.plain = csv_text(800, 14);
  expect_zip_decodes(harness, entry);
  expect_zip_decodes(harness, entry, false); // no central directory: the entry is complete
  entry.method = 0;
  expect_zip_decodes(harness, entry);
  entry.plain = random_bytes(5000, 15);
  expect_zip_decodes(harness, entry);
  entry.plain.clear();
  expect_zip_decodes(harness, entry); // empty stored entry
  entry.method = 8;
  expect_zip_decodes(harness, entry); // empty deflated entry
}

TEST(InflateStage, ZipDataDescriptorWithAndWithoutSignatureAndZip64Sizes) {
  Harness harness(1000);
  for (DescriptorKind kind : {DescriptorKind::WithSignature, DescriptorKind::WithoutSignature}) {
    for (bool zip64 : {false, true}) {
      for (bool central : {true, false}) {
        for (const std::string& plain : {csv_text(600, 16), std::string(), std::string("x")}) {
          SCOPED_TRACE(testing::Message()
                       << "signature " << (kind == DescriptorKind::WithSignature) << " zip64 "
                       << zip64 << " central " << central << " size " << plain.size());
          ZipEntry entry;
          entry.plain = plain;
          entry.descriptor = kind;
          entry.zip64_descriptor = zip64;
          expect_zip_decodes(harness, entry, central);
        }
      }
    }
  }
}

TEST(InflateStage, ZipLongNameAndExtraFieldsAreSkippedAcrossChunks) {
  Harness harness;
  ZipEntry entry;
  entry.plain = csv_text(200, 17);
  entry.name = std::string(65535, 'd');
  std::string extra;
  put16(extra, 0x5455); // extended timestamp
  put16(extra, 5);
  extra += std::string("\x03\x00\x00\x00\x00", 5);
  put16(extra, 0xcafe);
  put16(extra, 60000);
  extra += random_bytes(60000, 18);
  extra += std::string("\0\0", 2); // alignment padding that is not a record
  entry.extra = extra;
  expect_zip_decodes(harness, entry);
  entry.method = 0;
  expect_zip_decodes(harness, entry);
}

TEST(InflateStage, ZipZip64LocalSizes) {
  Harness harness;
  ZipEntry entry;
  entry.plain = csv_text(100, 19);
  entry.zip64_extra = true;
  expect_zip_decodes(harness, entry);
  entry.method = 0; // a stored entry needs them to know where it ends
  expect_zip_decodes(harness, entry);
}

TEST(InflateStage, ZipWithTwoEntriesIsUnsupported) {
  Harness harness;
  ZipEntry first;
  first.plain = csv_text(100, 20);
  ZipEntry second;
  second.plain = "second file\n";
  const ZipFile zip = build_zip({first, second});
  expect_fails(harness, zip.bytes, ErrorCode::Unsupported, "zip: more than one entry",
               zip.entry_ends[0]);
  first.descriptor = DescriptorKind::WithSignature;
  const ZipFile described = build_zip({first, second});
  expect_fails(harness, described.bytes, ErrorCode::Unsupported, "zip: more than one entry",
               described.entry_ends[0]);
  first.descriptor = DescriptorKind::WithoutSignature;
  first.method = 8;
  const ZipFile bare = build_zip({first, second});
  expect_fails(harness, bare.bytes, ErrorCode::Unsupported, "zip: more than one entry",
               bare.entry_ends[0]);
}

TEST(InflateStage, ZipEntriesWeCannotReadAreUnsupported) {
  Harness harness;
  ZipEntry encrypted;
  encrypted.plain = "secret";
  encrypted.extra_flags = 0x0001;
  expect_fails(harness, build_zip({encrypted}).bytes, ErrorCode::Unsupported,
               "zip: encrypted entries are not supported", 6);
  ZipEntry bzip2;
  bzip2.plain = "abc";
  bzip2.method = 12;
  expect_fails(harness, build_zip({bzip2}).bytes, ErrorCode::Unsupported,
               "zip: compression method is not deflate or stored", 8);
  ZipEntry stored_with_descriptor;
  stored_with_descriptor.plain = "abc";
  stored_with_descriptor.method = 0;
  stored_with_descriptor.descriptor = DescriptorKind::WithSignature;
  expect_fails(harness, build_zip({stored_with_descriptor}).bytes, ErrorCode::Unsupported,
               "zip: stored entry without sizes in the local header", 18);
}

TEST(InflateStage, ZipCrcMismatchInHeaderOrDescriptorIsCorrupt) {
  Harness harness;
  for (std::uint16_t method : {0, 8}) {
    ZipEntry entry;
    entry.plain = csv_text(100, 21);
    entry.method = method;
    entry.wrong_crc = true;
    const ZipFile zip = build_zip({entry});
    expect_fails(harness, zip.bytes, ErrorCode::Corrupt, "zip: crc-32 mismatch", zip.data_ends[0]);
  }
  for (DescriptorKind kind : {DescriptorKind::WithSignature, DescriptorKind::WithoutSignature}) {
    ZipEntry entry;
    entry.plain = csv_text(100, 22);
    entry.descriptor = kind;
    entry.wrong_crc = true;
    const ZipFile zip = build_zip({entry});
    expect_fails(harness, zip.bytes, ErrorCode::Corrupt, "zip: crc-32 mismatch", zip.data_ends[0]);
  }
}

TEST(InflateStage, ZipGarbageAfterTheEntryIsCorrupt) {
  Harness harness;
  ZipEntry entry;
  entry.plain = csv_text(10, 23);
  const ZipFile zip = build_zip({entry}, false);
  expect_fails(harness, zip.bytes + "trailing", ErrorCode::Corrupt,
               "zip: unexpected data after the entry", zip.entry_ends[0]);
  // Fewer than 4 bytes after the entry cannot be a record: ignored like a missing directory.
  expect_decodes(harness, zip.bytes + "PK", entry.plain, InputFormat::Zip);
}

TEST(InflateStage, ZipTruncatedAtEveryOffsetNeverSucceeds) {
  Harness harness(512);
  std::vector<ZipEntry> variants(4);
  for (ZipEntry& entry : variants)
    entry.plain = csv_text(30, 24);
  variants[1].method = 0;
  variants[2].descriptor = DescriptorKind::WithSignature;
  variants[3].descriptor = DescriptorKind::WithoutSignature;
  variants[3].zip64_descriptor = true;
  variants[0].name = std::string(300, 'x'); // cuts inside the name
  variants[0].zip64_extra = true;           // ... and inside an extra record
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const ZipFile zip = build_zip({variants[v]});
    // Below 4 bytes the input is plain; after the entry, the directory is not read.
    for (std::size_t cut = 4; cut < zip.entry_ends[0]; ++cut) {
      SCOPED_TRACE(testing::Message() << "variant " << v << " cut " << cut);
      Outcome outcome =
          harness.decode(zip.bytes.substr(0, cut), cut % 5 == 0 ? Split::OneByte : Split::Random,
                         static_cast<std::uint32_t>(cut));
      ASSERT_FALSE(outcome.ok);
      EXPECT_EQ(outcome.error.code, ErrorCode::Truncated);
      EXPECT_STREQ(outcome.error.message, "zip: file ends inside an entry");
      EXPECT_EQ(outcome.error.position, cut);
    }
  }
}

TEST(InflateStage, ZipCorruptDeflateDataIsFound) {
  Harness harness(512);
  ZipEntry entry;
  entry.plain = csv_text(300, 25);
  entry.descriptor = DescriptorKind::WithSignature;
  const ZipFile zip = build_zip({entry});
  const std::size_t data_start = 30 + entry.name.size();
  int failures = 0;
  for (std::size_t at = data_start; at < zip.data_ends[0]; at += 11) {
    SCOPED_TRACE(at);
    std::string input = zip.bytes;
    input[at] = static_cast<char>(input[at] ^ 0x21);
    Outcome outcome = harness.decode(input, Split::Random, static_cast<std::uint32_t>(at));
    ASSERT_FALSE(outcome.ok);
    ++failures;
    EXPECT_TRUE(outcome.error.code == ErrorCode::Corrupt ||
                outcome.error.code == ErrorCode::Truncated)
        << error_code_name(outcome.error.code);
    EXPECT_GE(outcome.error.position, at);
    if (outcome.error.lib == ErrorLib::Zlib) {
      EXPECT_STREQ(outcome.error.message, "zip: corrupt compressed data");
    }
  }
  EXPECT_GT(failures, 10);
}

// ---- downstream, memory, reuse ------------------------------------------------------------------

TEST(InflateStage, DownstreamErrorStopsTheStageAndComesBackUnchanged) {
  const std::string text = csv_text(400, 26);
  ZipEntry stored;
  stored.plain = text;
  stored.method = 0;
  for (const std::string& input : {text, gzip(text), build_zip({stored}).bytes}) {
    for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
      Harness harness(256);
      harness.sink.fail_at_bytes = 3000;
      Outcome outcome = harness.decode(input, split, 5);
      ASSERT_FALSE(outcome.ok);
      EXPECT_EQ(outcome.error.code, ErrorCode::Io);
      EXPECT_STREQ(outcome.error.message, "sink: disk full");
      EXPECT_STREQ(outcome.error.detail, "/data/cur.db");
      EXPECT_EQ(outcome.error.where, ErrorWhere::None); // no offset added to someone else's error
      EXPECT_EQ(harness.sink.calls_after_failure, 0);
      EXPECT_GE(outcome.out.size(), 3000u);
      EXPECT_LT(outcome.out.size(), 3000u + 256u);
      // The producer should stop; if it does not, the same error comes back and nothing moves.
      Status again = harness.stage.write(as_bytes("more"));
      ASSERT_FALSE(again.ok());
      EXPECT_STREQ(again.error().message, "sink: disk full");
      EXPECT_FALSE(harness.stage.finish().ok());
      EXPECT_EQ(harness.sink.calls_after_failure, 0);
    }
  }
}

/// A downstream that lends space of random sizes (sometimes none, so write() is used too), as
/// CsvReader lends its row buffer, and keeps what is committed or written.
class LendingSink final : public BufferedSink {
public:
  explicit LendingSink(std::uint32_t seed) : m_random(seed) {}

  MutableBytes write_space() override {
    const std::size_t size = m_random() % 4 == 0 ? 0 : 1 + m_random() % 3000;
    m_space.assign(size, 0xee);
    return {m_space.data(), m_space.size()};
  }
  Status commit_written(std::size_t bytes) override {
    EXPECT_LE(bytes, m_space.size());
    ++commits;
    return keep(Bytes(m_space.data(), std::min(bytes, m_space.size())));
  }
  Status write(Bytes chunk) override {
    ++writes;
    return keep(chunk);
  }
  Status finish() override { return {}; }

  std::string out;
  int commits = 0;
  int writes = 0;
  std::size_t fail_at_bytes = SIZE_MAX;

private:
  Status keep(Bytes chunk) {
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    if (out.size() >= fail_at_bytes)
      return make_error(ErrorCode::Io, "sink: disk full");
    return {};
  }

  std::mt19937 m_random;
  std::vector<std::uint8_t> m_space;
};

TEST(InflateStage, LendingDownstreamGetsTheSameBytesCountersAndErrors) {
  const std::string text = csv_text(3000, 31);
  ZipEntry deflated;
  deflated.plain = text;
  ZipEntry stored;
  stored.plain = text;
  stored.method = 0;
  std::string corrupt = gzip(text);
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  std::string cut = gzip(text);
  cut.resize(cut.size() / 2);
  const std::vector<std::string> inputs = {text,
                                           gzip(text) + gzip(text.substr(0, 999)),
                                           build_zip({deflated}).bytes,
                                           build_zip({stored}).bytes,
                                           corrupt,
                                           cut};
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const std::string& input = inputs[index];
    Harness plain(4096);
    const Outcome expected = plain.decode(input, Split::Whole);
    for (std::uint32_t seed = 1; seed <= 3; ++seed) {
      SCOPED_TRACE(testing::Message() << "input " << index << " seed " << seed);
      std::vector<std::uint8_t> storage(256 * 1024);
      Arena arena(MutableBytes(storage.data(), storage.size()));
      LendingSink sink(seed);
      InflateStage stage(sink);
      ASSERT_TRUE(stage.init(arena, 4096).ok());
      std::mt19937 random(seed);
      Status status;
      for (std::size_t at = 0; at < input.size() && status.ok();) {
        const std::size_t size = std::min<std::size_t>(input.size() - at, random() % 900);
        status = stage.write(as_bytes(input).subspan(at, size));
        at += size;
      }
      if (status.ok())
        status = stage.finish();
      ASSERT_EQ(status.ok(), expected.ok);
      if (!status.ok()) {
        EXPECT_EQ(status.error().code, expected.error.code);
        EXPECT_STREQ(status.error().message, expected.error.message);
        EXPECT_EQ(status.error().position, expected.error.position);
      }
      EXPECT_TRUE(sink.out == expected.out);
      EXPECT_EQ(stage.crc32(), expected.crc);
      EXPECT_EQ(stage.bytes_out(), expected.bytes_out);
      if (index == 1 || index == 2) { // inflated: into lent space, and by write() when none
        EXPECT_GT(sink.commits, 10);
        EXPECT_GT(sink.writes, 0);
      }
    }
  }
  // An error from commit_written() stops the stage and comes back unchanged.
  std::vector<std::uint8_t> storage(256 * 1024);
  Arena arena(MutableBytes(storage.data(), storage.size()));
  LendingSink sink(7);
  sink.fail_at_bytes = 5000;
  InflateStage stage(sink);
  ASSERT_TRUE(stage.init(arena, 4096).ok());
  Status status = stage.write(as_bytes(gzip(text)));
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().message, "sink: disk full");
  EXPECT_EQ(status.error().where, ErrorWhere::None);
  EXPECT_LT(sink.out.size(), 5000u + 4096u);
  EXPECT_FALSE(stage.finish().ok());
}

TEST(InflateStage, ArenaTooSmallAtInit) {
  struct Step {
    long successes;
    const char* detail;
  };
  for (const Step& step :
       {Step{0, "zlib stream"}, Step{1, "output window"}, Step{2, "zlib state"}}) {
    SCOPED_TRACE(step.detail);
    std::vector<std::uint8_t> storage(256 * 1024);
    Arena arena(MutableBytes(storage.data(), storage.size()));
    arena.fail_after(step.successes);
    CollectSink sink;
    InflateStage stage(sink);
    Status status = stage.init(arena);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
    EXPECT_STREQ(status.error().detail, step.detail);
    if (step.successes == 2) {
      EXPECT_EQ(status.error().lib, ErrorLib::Zlib);
      EXPECT_EQ(status.error().lib_code, Z_MEM_ERROR);
    }
    EXPECT_FALSE(stage.write(as_bytes("abc")).ok()); // unusable, but no crash
  }
  // A real small arena: room for the window but not for zlib's state.
  std::vector<std::uint8_t> storage(64 * 1024 + 1024);
  Arena arena(MutableBytes(storage.data(), storage.size()));
  CollectSink sink;
  InflateStage stage(sink);
  Status status = stage.init(arena);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
  EXPECT_STREQ(status.error().detail, "zlib state");
}

TEST(InflateStage, ArenaTooSmallForZlibsWindowMidStream) {
  const std::string text = csv_text(200, 27);
  ZipEntry entry;
  entry.plain = text;
  for (const std::string& input : {gzip(text), build_zip({entry}).bytes}) {
    // Injected: init's three allocations succeed, the window (on first output) fails.
    {
      std::vector<std::uint8_t> storage(256 * 1024);
      Arena arena(MutableBytes(storage.data(), storage.size()));
      arena.fail_after(3);
      CollectSink sink;
      InflateStage stage(sink);
      ASSERT_TRUE(stage.init(arena, 4096).ok());
      Status status =
          stage.write(Bytes(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
      ASSERT_FALSE(status.ok());
      EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
      EXPECT_EQ(status.error().lib, ErrorLib::Zlib);
      EXPECT_EQ(status.error().lib_code, Z_MEM_ERROR);
      EXPECT_STREQ(status.error().detail, "zlib window");
      EXPECT_EQ(status.error().where, ErrorWhere::ByteOffset);
      EXPECT_LT(status.error().position, input.size());
    }
    // Real: an arena sized exactly for init() has no room for the window.
    {
      std::vector<std::uint8_t> probe_storage(256 * 1024);
      Arena probe(MutableBytes(probe_storage.data(), probe_storage.size()));
      CollectSink probe_sink;
      InflateStage probe_stage(probe_sink);
      ASSERT_TRUE(probe_stage.init(probe, 4096).ok());
      std::vector<std::uint8_t> storage(probe.used() + 1024);
      Arena arena(MutableBytes(storage.data(), storage.size()));
      CollectSink sink;
      InflateStage stage(sink);
      ASSERT_TRUE(stage.init(arena, 4096).ok());
      // Plain input needs no window...
      ASSERT_TRUE(stage.write(as_bytes("plain,text\n")).ok());
      ASSERT_TRUE(stage.finish().ok());
      EXPECT_EQ(sink.out, "plain,text\n");
      sink.clear();
      // ... compressed input does.
      stage.reset();
      Status status =
          stage.write(Bytes(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
      ASSERT_FALSE(status.ok());
      EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
      EXPECT_STREQ(status.error().detail, "zlib window");
    }
  }
}

TEST(InflateStage, ReusedAcrossFilesWithoutAllocatingAfterTheFirstWindow) {
  constexpr std::uint32_t kWindowBytes = 64 * 1024;
  Harness harness(kWindowBytes, kWindowBytes + kInflateZlibArenaBytes);
  const std::size_t after_init = harness.arena.allocation_count();
  EXPECT_EQ(after_init, 3u); // stream, output window, zlib state
  const std::string text = csv_text(300, 28);
  ZipEntry deflated;
  deflated.plain = text;
  deflated.descriptor = DescriptorKind::WithSignature;
  ZipEntry stored = deflated;
  stored.method = 0;
  stored.descriptor = DescriptorKind::None;
  const std::string inputs[] = {gzip(text), build_zip({deflated}).bytes, text,
                                build_zip({stored}).bytes, gzip(text) + gzip(text)};
  Outcome first = harness.decode(inputs[0], Split::Whole);
  ASSERT_TRUE(first.ok);
  const std::size_t allocations = harness.arena.allocation_count();
  const std::size_t high_water = harness.arena.high_water();
  EXPECT_EQ(allocations, after_init + 1); // zlib's window, though this small file did not need it
  for (int file = 0; file < 60; ++file) {
    const std::string& input = inputs[file % 5];
    Outcome outcome = harness.decode(input, file % 3 == 0 ? Split::Random : Split::Whole,
                                     static_cast<std::uint32_t>(file));
    ASSERT_TRUE(outcome.ok) << file << ": " << outcome.error.message;
    EXPECT_EQ(outcome.out.size(), file % 5 == 4 ? 2 * text.size() : text.size());
    // A corrupt file in between must not cost memory either.
    Outcome bad = harness.decode(gzip(text).substr(0, 100) + "xxxxxxxxxxxxxxxxxxxx", Split::Whole);
    EXPECT_FALSE(bad.ok);
  }
  EXPECT_EQ(harness.arena.allocation_count(), allocations);
  EXPECT_EQ(harness.arena.high_water(), high_water);
  EXPECT_LE(high_water, kWindowBytes + kInflateZlibArenaBytes);
  std::printf("[ measure  ] inflate stage arena high water: %zu bytes (window %u + zlib %zu)\n",
              high_water, kWindowBytes, high_water - kWindowBytes);
  RecordProperty("arena_high_water_bytes", static_cast<int>(high_water));
}

TEST(InflateStage, MisuseIsAnErrorNotACrash) {
  CollectSink sink;
  InflateStage stage(sink);
  Status before = stage.write(as_bytes("x"));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code, ErrorCode::InvalidArgument);
  std::vector<std::uint8_t> storage(256 * 1024);
  Arena arena(MutableBytes(storage.data(), storage.size()));
  EXPECT_EQ(stage.init(arena, 0).error().code, ErrorCode::InvalidArgument);
  ASSERT_TRUE(stage.init(arena).ok());
  EXPECT_EQ(stage.init(arena).error().code, ErrorCode::InvalidArgument);
  ASSERT_TRUE(stage.write(as_bytes("abc")).ok());
  ASSERT_TRUE(stage.finish().ok());
  EXPECT_EQ(stage.write(as_bytes("x")).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(stage.finish().error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(sink.out, "abc");
  EXPECT_EQ(sink.finishes, 1);
}

// ---- files made by the real tools, when they are installed --------------------------------------

std::string run_tool(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe)
    return out;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, got);
  pclose(pipe);
  return out;
}

TEST(InflateStage, FilesMadeByGzipAndZipTools) {
  const bool have_gzip = std::system("command -v gzip >/dev/null 2>&1") == 0;
  const bool have_zip = std::system("command -v zip >/dev/null 2>&1") == 0;
  if (!have_gzip && !have_zip)
    GTEST_SKIP() << "neither gzip nor zip is installed";
  char dir_template[] = "/tmp/ec_inflate_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string text = csv_text(3000, 29);
  {
    FILE* file = std::fopen((dir + "/cur.csv").c_str(), "wb");
    ASSERT_NE(file, nullptr);
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
  }
  Harness harness;
  if (have_gzip) {
    const std::string gz = run_tool("gzip -9 -c " + dir + "/cur.csv");
    ASSERT_GT(gz.size(), 100u);
    expect_decodes(harness, gz, text, InputFormat::Gzip);
  }
  if (have_zip) {
    // From a file: sizes in the local header. From a pipe: a data descriptor (maybe ZIP64).
    const std::string from_file =
        run_tool("cd " + dir + " && zip -q -9 a.zip cur.csv && cat a.zip");
    expect_decodes(harness, from_file, text, InputFormat::Zip);
    const std::string from_pipe = run_tool("zip -q - - < " + dir + "/cur.csv");
    expect_decodes(harness, from_pipe, text, InputFormat::Zip);
    const std::string stored = run_tool("cd " + dir + " && zip -q -0 b.zip cur.csv && cat b.zip");
    expect_decodes(harness, stored, text, InputFormat::Zip);
  }
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

} // namespace
} // namespace ec
