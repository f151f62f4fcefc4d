// core/codec/deflate_stage.cpp - DeflateStage: zlib over arena memory, its window and its errors.
#include "core/codec/deflate_stage.h"

#include "core/codec/plain_output.h"

#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace ec {
namespace {

constexpr int kGzipWindowBits = 15 + 16; // gzip wrapper only, 32 KiB window
constexpr int kRawWindowBits = -15;      // ZIP: raw deflate, the same 32 KiB window
// zlib's avail_in and avail_out are 32 bits: at most this much per call.
constexpr std::size_t kMaxZlibInputBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxZlibOutputBytes = std::size_t{1} << 30;
// Window bytes inflated when a lending downstream is full: its write() of them parses and frees
// its buffer, and the output after that goes into the lent space again.
constexpr std::size_t kLenderFullBytes = 4096;
// Output offered while zlib reads a gzip header: zlib checks the header's own CRC only while its
// data check is on, so that stays on until the header is read, over at most this much output.
constexpr std::size_t kHeaderOutputBytes = 1;

// zlib's stream and the header record inflateGetHeader fills, in one arena allocation.
struct ZlibParts {
  z_stream stream;
  gz_header header;
};

// zlib allocates through the arena; the arena releases in bulk, so zfree has nothing to do.
voidpf arena_zalloc(voidpf opaque, uInt items, uInt size) {
  const std::size_t bytes = static_cast<std::size_t>(items) * size;
  if (size != 0 && bytes / size != items)
    return Z_NULL;
  return static_cast<Arena*>(opaque)->allocate(bytes);
}
void arena_zfree(voidpf /*opaque*/, voidpf /*address*/) {}

} // namespace

Status DeflateStage::init(Arena& arena, std::uint32_t window_bytes) {
  ZlibParts* parts = arena.make<ZlibParts>();
  if (!parts)
    return make_error(ErrorCode::OutOfMemory, "inflate: out of memory").with_detail("zlib stream");
  void* window = arena.allocate(window_bytes);
  if (!window)
    return make_error(ErrorCode::OutOfMemory, "inflate: out of memory")
        .with_detail("output window");
  z_stream* stream = &parts->stream;
  stream->zalloc = arena_zalloc;
  stream->zfree = arena_zfree;
  stream->opaque = &arena;
  const int rc = inflateInit2(stream, kGzipWindowBits);
  if (rc == Z_MEM_ERROR)
    return make_lib_error(ErrorCode::OutOfMemory, "inflate: out of memory", ErrorLib::Zlib, rc)
        .with_detail("zlib state");
  if (rc != Z_OK)
    return make_lib_error(ErrorCode::Internal, "inflate: zlib failed to start", ErrorLib::Zlib, rc);
  m_zstream = stream;
  m_gz_header = &parts->header;
  m_window = static_cast<std::uint8_t*>(window);
  m_window_bytes = window_bytes;
  return {};
}

Status DeflateStage::take_zlib_window(std::uint64_t position) {
  if (m_zlib_window == ZlibWindow::Taken)
    return {};
  // zlib allocates its window the first time inflate() returns with a stream still open, which
  // depends on the data (a small member decoded in one call never needs it). A stored block that
  // leaves the stream open makes it allocate now, at the first compressed file, every time.
  static constexpr std::uint8_t kOpenStream[] = {0x00, 0x01, 0x00, 0xfe, 0xff, 0x00};
  int rc = inflateReset2(m_zstream, kRawWindowBits);
  if (rc == Z_OK) {
    m_zstream->next_in = kOpenStream;
    m_zstream->avail_in = sizeof(kOpenStream);
    m_zstream->next_out = m_window;
    m_zstream->avail_out = 1;
    rc = ::inflate(m_zstream, Z_NO_FLUSH);
  }
  if (rc == Z_MEM_ERROR)
    return make_lib_error(ErrorCode::OutOfMemory, "inflate: out of memory", ErrorLib::Zlib, rc)
        .with_detail("zlib window")
        .at(ErrorWhere::ByteOffset, position);
  if (rc != Z_OK)
    return make_lib_error(ErrorCode::Internal, "inflate: zlib failed", ErrorLib::Zlib, rc)
        .at(ErrorWhere::ByteOffset, position);
  m_zlib_window = ZlibWindow::Taken;
  return {};
}

Status DeflateStage::start(Framing framing, std::uint64_t position) {
  EC_TRY(take_zlib_window(position));
  m_state = State{.framing = framing};
  const bool gzip = framing == Framing::GzipMember;
  const int rc = inflateReset2(m_zstream, gzip ? kGzipWindowBits : kRawWindowBits);
  if (rc != Z_OK)
    return make_lib_error(ErrorCode::Internal,
                          gzip ? ErrorText("gzip: zlib refused to reset")
                               : ErrorText("zip: zlib refused to reset"),
                          ErrorLib::Zlib, rc);
  if (!gzip)
    return {};
  // zlib fills the record, and sets done, once it has read (and checked) the header.
  *m_gz_header = gz_header{};
  if (inflateGetHeader(m_zstream, m_gz_header) != Z_OK)
    return make_error(ErrorCode::Internal, "gzip: zlib refused the header record");
  return {};
}

MutableBytes DeflateStage::output_space(MutableBytes lent) const {
  // Into the downstream buffer when it lends space; else into the window, then write(). When
  // the lender is full, a small window piece makes its write() free room soon.
  MutableBytes out = lent;
  if (out.empty())
    out = MutableBytes(m_window, m_output->lends()
                                     ? std::min<std::size_t>(m_window_bytes, kLenderFullBytes)
                                     : m_window_bytes);
  const bool reading_header = m_state.framing == Framing::GzipMember && !m_state.header_read;
  return out.first(std::min(out.size(), reading_header ? kHeaderOutputBytes : kMaxZlibOutputBytes));
}

Status DeflateStage::check_header_read() {
  if (m_state.framing != Framing::GzipMember || m_state.header_read || m_gz_header->done != 1)
    return {};
  // From here on zlib neither runs crc32 nor compares the trailer: GzipMembers checks it with
  // the output's counts.
  if (inflateValidate(m_zstream, 0) != Z_OK)
    return make_error(ErrorCode::Internal, "gzip: zlib refused to skip its check");
  m_state.header_read = true;
  return {};
}

Result<StreamEnd> DeflateStage::inflate(Bytes& data, std::uint64_t data_offset) {
  z_stream& stream = *m_zstream;
  for (;;) {
    const std::size_t offered = std::min(data.size(), kMaxZlibInputBytes);
    stream.next_in = data.data();
    stream.avail_in = static_cast<uInt>(offered);
    const MutableBytes lent = m_output->lent_space();
    const MutableBytes out = output_space(lent);
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = ::inflate(&stream, Z_NO_FLUSH);
    const std::size_t taken = offered - stream.avail_in;
    const std::size_t produced = out.size() - stream.avail_out;
    EC_TRY(check_header_read());
    data = data.subspan(taken);
    data_offset += taken;
    if (produced > 0) { // a lender may reuse its space once the bytes are committed
      const Bytes plain(out.data(), produced);
      EC_TRY(lent.empty() ? m_output->write(plain) : m_output->commit_lent(plain));
    }
    switch (rc) {
    case Z_STREAM_END:
      return StreamEnd::Reached;
    case Z_OK:
    case Z_BUF_ERROR: // no progress possible: zlib needs more input
      break;
    default:
      return zlib_error(rc, data_offset);
    }
    if (stream.avail_out != 0 && data.empty())
      return StreamEnd::NotYet; // everything taken and nothing more to flush
    if (taken == 0 && produced == 0)
      return make_lib_error(ErrorCode::Internal, "inflate: zlib made no progress", ErrorLib::Zlib,
                            rc)
          .at(ErrorWhere::ByteOffset, data_offset);
  }
}

Error DeflateStage::zlib_error(int code, std::uint64_t consumed) const {
  const bool gzip = m_state.framing == Framing::GzipMember;
  const std::uint64_t last_read = consumed > 0 ? consumed - 1 : 0;
  const char* zlib_message = m_zstream->msg;
  Error error;
  switch (code) {
  case Z_DATA_ERROR:
  case Z_NEED_DICT: {
    // With the data check still on (an empty member read in one call), zlib checks the trailer.
    ErrorText message = gzip ? ErrorText("gzip: corrupt compressed data")
                             : ErrorText("zip: corrupt compressed data");
    if (gzip && zlib_message && std::strcmp(zlib_message, "incorrect data check") == 0)
      message = "gzip: crc-32 mismatch";
    else if (gzip && zlib_message && std::strcmp(zlib_message, "incorrect length check") == 0)
      message = "gzip: size mismatch";
    error = make_lib_error(ErrorCode::Corrupt, message, ErrorLib::Zlib, code);
    break;
  }
  case Z_MEM_ERROR: // the window is taken before the first stream; zlib allocates nothing else
    error = make_lib_error(ErrorCode::OutOfMemory, "inflate: out of memory", ErrorLib::Zlib, code);
    zlib_message = "zlib window";
    break;
  default:
    error = make_lib_error(ErrorCode::Internal, "inflate: zlib failed", ErrorLib::Zlib, code);
    break;
  }
  return error.with_detail(zlib_message).at(ErrorWhere::ByteOffset, last_read);
}

} // namespace ec
