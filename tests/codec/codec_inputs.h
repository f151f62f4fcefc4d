// tests/codec/codec_inputs.h - gzip, raw deflate and ZIP inputs, sinks and chunkings for the codec
// stage tests.
#pragma once

#include "core/base/byte_sink.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace ec::codec_test {

/// CUR-like CSV: compresses well, so deflate uses Huffman codes and long matches.
inline std::string csv_text(std::size_t rows, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string text = "identity/LineItemId,lineItem/UsageStartDate,lineItem/UnblendedCost\n";
  char line[96];
  for (std::size_t row = 0; row < rows; ++row) {
    std::snprintf(line, sizeof(line), "%08x,2024-03-%02uT%02u:00:00Z,%u.%06u\n",
                  static_cast<unsigned>(random()), static_cast<unsigned>(1 + random() % 28),
                  static_cast<unsigned>(random() % 24), static_cast<unsigned>(random() % 100),
                  static_cast<unsigned>(random() % 1000000));
    text += line;
  }
  return text;
}

inline std::string deflate_with(const std::string& plain, int window_bits) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, plain.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}
inline std::string gzip(const std::string& plain) {
  return deflate_with(plain, 15 + 16);
}
inline std::string raw_deflate(const std::string& plain) {
  return deflate_with(plain, -15);
}

inline std::uint32_t crc_of(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

inline void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
inline void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}
inline void put64(std::string& out, std::uint64_t value) {
  put32(out, static_cast<std::uint32_t>(value));
  put32(out, static_cast<std::uint32_t>(value >> 32));
}

enum class Descriptor { None, WithSignature, WithoutSignature };

/// One ZIP entry: its local header, name, data and descriptor (no central directory).
struct ZipLocal {
  std::string plain;
  std::uint16_t method = 8; // 8 deflate, 0 stored
  Descriptor descriptor = Descriptor::None;
  bool zip64_descriptor = false; // 8-byte sizes in the descriptor
  std::uint32_t crc_xor = 0;     // alters the CRC-32 recorded for the entry
};

struct ZipBytes {
  std::string bytes;
  std::size_t data_start = 0; // where the entry's data starts
  std::size_t data_end = 0;   // ... and ends (where a descriptor starts)
};

inline constexpr const char* kZipName = "cur-00001.csv";

inline ZipBytes zip_local(const ZipLocal& entry) {
  const std::string data = entry.method == 0 ? entry.plain : raw_deflate(entry.plain);
  const std::uint32_t crc = crc_of(entry.plain) ^ entry.crc_xor;
  const bool descriptor = entry.descriptor != Descriptor::None;
  ZipBytes zip;
  std::string& out = zip.bytes;
  put32(out, 0x04034b50);
  put16(out, 20);
  put16(out, descriptor ? 0x0008 : 0);
  put16(out, entry.method);
  put32(out, 0); // time and date
  put32(out, descriptor ? 0 : crc);
  put32(out, descriptor ? 0 : static_cast<std::uint32_t>(data.size()));
  put32(out, descriptor ? 0 : static_cast<std::uint32_t>(entry.plain.size()));
  put16(out, static_cast<std::uint32_t>(std::string(kZipName).size()));
  put16(out, 0); // extra field
  out += kZipName;
  zip.data_start = out.size();
  out += data;
  zip.data_end = out.size();
  if (descriptor) {
    if (entry.descriptor == Descriptor::WithSignature)
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
  return zip;
}

/// An end of central directory record for zero entries: a record that may follow an entry.
inline std::string zip_end_record() {
  std::string out;
  put32(out, 0x06054b50);
  out.append(18, '\0');
  return out;
}

/// Keeps what it is written; refuses once it holds `fail_at_bytes`, like a full disk.
class CollectSink final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    pieces.push_back(chunk.size());
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    if (out.size() >= fail_at_bytes)
      return make_error(ErrorCode::Io, "sink: disk full");
    return {};
  }
  Status finish() override {
    ++finishes;
    return {};
  }

  std::string out;
  std::vector<std::size_t> pieces;
  int finishes = 0;
  std::size_t fail_at_bytes = SIZE_MAX;
};

enum class Split { Whole, OneByte, Random };

/// `input` cut into chunks as `split` says (Random: sizes 0 to 699, from `seed`).
inline std::vector<std::string> chunks_of(const std::string& input, Split split,
                                          std::uint32_t seed = 1) {
  std::mt19937 random(seed);
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < input.size();) {
    std::size_t size = input.size() - at;
    if (split == Split::OneByte)
      size = 1;
    else if (split == Split::Random)
      size = std::min<std::size_t>(size, random() % 700);
    chunks.push_back(input.substr(at, size));
    at += size;
  }
  return chunks;
}

} // namespace ec::codec_test
