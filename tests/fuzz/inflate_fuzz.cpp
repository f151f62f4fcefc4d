// tests/fuzz/inflate_fuzz.cpp - InflateStage on arbitrary bytes, and round trips of fuzz data.
//
// The first byte picks a mode:
//   0: the rest is the input, written whole;
//   1: the rest is the input, written in chunks whose sizes come from a seed byte;
//   2: the rest is compressed into one or two gzip members, which must decode to it exactly;
//   3: the rest is put in a ZIP entry (deflated or stored, with or without a data descriptor),
//      which must decode to it exactly.
// One stage and its arena live for the whole run, so reuse across inputs is fuzzed too: after
// the first compressed input, the arena must never allocate again.
#include "core/codec/inflate_stage.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tests/fuzz/alloc_failure.h"

namespace {

using ec::Bytes;
using ec::Status;

constexpr std::size_t kMaxOutputBytes = 4 << 20; // stops decompression bombs

class Sink final : public ec::ByteSink {
public:
  Status write(Bytes chunk) override {
    if (out.size() + chunk.size() > kMaxOutputBytes)
      return ec::make_error(ec::ErrorCode::LimitExceeded, "fuzz: output limit");
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  Status finish() override { return {}; }
  std::string out;
};

struct Fixture {
  Fixture() : arena(ec::MutableBytes(storage.data(), storage.size())), stage(sink) {
    if (!stage.init(arena, 4096).ok())
      __builtin_trap();
  }
  std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(128 * 1024);
  ec::Arena arena;
  Sink sink;
  ec::InflateStage stage;
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

struct Result {
  bool ok;
  ec::Error error;
};

Result decode(const std::string& input, std::uint8_t seed) {
  Fixture& f = fixture();
  f.stage.reset();
  f.sink.out.clear();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(input.data());
  std::size_t at = 0;
  std::uint32_t state = seed * 2654435761u + 1;
  Status status;
  while (at < input.size() && status.ok()) {
    std::size_t size = input.size() - at;
    if (seed != 0) {
      state = state * 1103515245u + 12345u;
      size = std::min<std::size_t>(size, (state >> 16) % (seed % 64 + 2)); // 0 to 65 bytes
    }
    status = f.stage.write(Bytes(bytes + at, size));
    at += size;
  }
  if (status.ok())
    status = f.stage.finish();
  if (f.stage.bytes_in() != input.size() && status.ok())
    __builtin_trap();
  if (f.stage.bytes_out() != f.sink.out.size() &&
      !(!status.ok() && status.error().code == ec::ErrorCode::LimitExceeded))
    __builtin_trap();
  if (!status.ok() && status.error().code != ec::ErrorCode::LimitExceeded &&
      status.error().where == ec::ErrorWhere::ByteOffset && status.error().position > input.size())
    __builtin_trap(); // an error can only be found inside the input or at its end
  // Only zlib's window may be allocated after init's stream, output window and state.
  if (f.arena.allocation_count() > 4)
    __builtin_trap();
  return {status.ok(), status.ok() ? ec::Error{} : status.error()};
}

// A fresh stage on a fresh arena: init, the whole input, finish. For with_allocation_failure.
Status fresh_decode(const std::string& input, ec::Arena& arena) {
  Sink sink;
  ec::InflateStage stage(sink);
  EC_TRY(stage.init(arena, 4096));
  EC_TRY(stage.write(Bytes(reinterpret_cast<const std::uint8_t*>(input.data()), input.size())));
  return stage.finish();
}

alignas(16) std::uint8_t g_fresh_storage[128 * 1024];

std::string deflate_with(const std::string& plain, int window_bits, int level) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    __builtin_trap();
  std::string out(deflateBound(&stream, plain.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
    __builtin_trap();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::uint32_t crc_of(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}

std::string zip_of(const std::string& plain, std::uint8_t options) {
  const bool stored = options & 1;
  const bool descriptor = !stored && (options & 2);
  const bool signature = options & 4;
  const bool zip64 = options & 8;
  const std::string data = stored ? plain : deflate_with(plain, -15, (options >> 4) % 10);
  const std::uint32_t crc = crc_of(plain);
  std::string zip;
  put32(zip, 0x04034b50);
  put16(zip, 20);
  put16(zip, descriptor ? 8 : 0);
  put16(zip, stored ? 0 : 8);
  put32(zip, 0);
  put32(zip, descriptor ? 0 : crc);
  put32(zip, descriptor ? 0 : static_cast<std::uint32_t>(data.size()));
  put32(zip, descriptor ? 0 : static_cast<std::uint32_t>(plain.size()));
  put16(zip, 7);
  put16(zip, 0);
  zip += "fuzzcsv";
  zip += data;
  if (descriptor) {
    if (signature)
      put32(zip, 0x08074b50);
    put32(zip, crc);
    put32(zip, static_cast<std::uint32_t>(data.size()));
    if (zip64)
      put32(zip, 0);
    put32(zip, static_cast<std::uint32_t>(plain.size()));
    if (zip64)
      put32(zip, 0);
  }
  put32(zip, 0x06054b50); // an empty end record stands in for the central directory
  zip.append(18, '\0');
  return zip;
}

void expect_round_trip(const std::string& input, const std::string& plain, std::uint8_t seed) {
  Result result = decode(input, seed);
  Fixture& f = fixture();
  if (!result.ok || f.sink.out != plain || f.stage.crc32() != crc_of(plain))
    __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const std::uint8_t mode = data[0] % 4;
  const std::uint8_t seed = data[1];
  const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  switch (mode) {
  case 0:
    decode(rest, 0);
    // With less memory than a fresh stage took for it (zlib's state and window come from the
    // arena too): OutOfMemory, cleanly.
    ec::fuzz::with_allocation_failure(rest, g_fresh_storage, sizeof g_fresh_storage,
                                      [&](ec::Arena& a) { return fresh_decode(rest, a); });
    break;
  case 1:
    decode(rest, seed);
    break;
  case 2: {
    const std::size_t cut = seed & 1 ? rest.size() / 2 : rest.size();
    const int level = seed % 10;
    const std::string input = deflate_with(rest.substr(0, cut), 31, level) +
                              (cut < rest.size() ? deflate_with(rest.substr(cut), 31, level) : "");
    expect_round_trip(input, rest, seed);
    break;
  }
  case 3:
    expect_round_trip(zip_of(rest, seed), rest, seed >> 4 | 1);
    break;
  default:
    break;
  }
  return 0;
}
