// core/codec/inflate_stage.cpp - InflateStage: format detection, gzip members, one ZIP entry.
#include "core/codec/inflate_stage.h"

#include "core/codec/crc32_concat.h"
#include "core/codec/crc32_fast.h"

#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace ec {
namespace {

constexpr std::uint8_t kGzipMagic[2] = {0x1f, 0x8b};
constexpr std::uint8_t kZipLocalMagic[4] = {'P', 'K', 3, 4};
constexpr int kGzipWindowBits = 15 + 16; // gzip wrapper only, 32 KiB window
constexpr int kRawWindowBits = -15;      // ZIP: raw deflate, the same 32 KiB window
constexpr std::size_t kZipLocalHeaderBytes = 30;
constexpr std::uint32_t kZipExtraRecordHeaderBytes = 4;
constexpr std::uint32_t kZip64SizesBytes = 16;
constexpr std::size_t kZipDescriptorMaxBytes = 24; // signature, CRC, two 8-byte sizes
constexpr std::size_t kZipSignatureBytes = 4;
constexpr std::uint32_t kZipDescriptorSignature = 0x08074b50;
constexpr std::uint32_t kZipLocalSignature = 0x04034b50;
constexpr std::uint32_t kZip32Unknown = 0xffffffff;
constexpr std::uint16_t kZipFlagEncrypted = 0x0001;
constexpr std::uint16_t kZipFlagDescriptor = 0x0008;
constexpr std::uint16_t kZipFlagStrongEncryption = 0x0040;
constexpr std::uint16_t kZipFlagMaskedHeader = 0x2000;
constexpr std::uint16_t kZipMethodStored = 0;
constexpr std::uint16_t kZipMethodDeflate = 8;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
// zlib's avail_in and avail_out are 32 bits: at most this much per call.
constexpr std::size_t kMaxZlibInputBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxZlibOutputBytes = std::size_t{1} << 30;
// Window bytes inflated when a lending downstream is full: its write() of them parses and frees
// its buffer, and the output after that goes into the lent space again.
constexpr std::size_t kLenderFullBytes = 4096;
// Output offered while zlib reads a gzip header: zlib checks the header's own CRC only while its
// data check is on, so that stays on until the header is read, over at most this much output.
constexpr std::size_t kHeaderOutputBytes = 1;
constexpr std::size_t kGzipTrailerBytes = 8; // CRC-32, then ISIZE, little-endian

// zlib's stream and the header record inflateGetHeader fills, in one arena allocation.
struct ZlibParts {
  z_stream stream;
  gz_header header;
};

// Local file header field offsets.
constexpr std::size_t kLocalFlags = 6;
constexpr std::size_t kLocalMethod = 8;
constexpr std::size_t kLocalCrc = 14;
constexpr std::size_t kLocalCompressedSize = 18;
constexpr std::size_t kLocalPlainSize = 22;
constexpr std::size_t kLocalNameLength = 26;
constexpr std::size_t kLocalExtraLength = 28;

std::uint16_t read16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t read32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t read64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(read32(p)) | (static_cast<std::uint64_t>(read32(p + 4)) << 32);
}

/// A record signature that may follow a ZIP entry: another local header, the central directory,
/// the end records, archive extra data or a digital signature.
bool is_zip_record_signature(const std::uint8_t* p) {
  if (p[0] != 'P' || p[1] != 'K')
    return false;
  const int kind = p[2] * 256 + p[3];
  switch (kind) {
  case 0x0304: // local file header
  case 0x0102: // central directory header
  case 0x0505: // digital signature
  case 0x0506: // end of central directory
  case 0x0606: // ZIP64 end of central directory
  case 0x0607: // ZIP64 end of central directory locator
  case 0x0608: // archive extra data
    return true;
  default:
    return false;
  }
}

// zlib allocates through the arena; the arena releases in bulk, so zfree has nothing to do.
voidpf arena_zalloc(voidpf opaque, uInt items, uInt size) {
  const std::size_t bytes = static_cast<std::size_t>(items) * size;
  if (size != 0 && bytes / size != items)
    return Z_NULL;
  return static_cast<Arena*>(opaque)->allocate(bytes);
}
void arena_zfree(voidpf /*opaque*/, voidpf /*address*/) {}

enum class Descriptor : std::uint8_t { WithSignature, WithoutSignature };

struct DescriptorLayout {
  Descriptor signature;
  std::uint8_t size_bytes; // 4, or 8 for ZIP64
  [[nodiscard]] std::size_t length() const {
    return (signature == Descriptor::WithSignature ? 4u : 0u) + 4u + 2u * size_bytes;
  }
};

// Most likely first; the bytes after a descriptor decide between readings that both match.
constexpr DescriptorLayout kDescriptorLayouts[] = {
    {Descriptor::WithSignature, 4},
    {Descriptor::WithSignature, 8},
    {Descriptor::WithoutSignature, 4},
    {Descriptor::WithoutSignature, 8},
};

} // namespace

Status InflateStage::init(Arena& arena, std::uint32_t window_bytes) {
  if (m_zstream)
    return make_error(ErrorCode::InvalidArgument, "inflate: init called twice");
  if (window_bytes == 0)
    return make_error(ErrorCode::InvalidArgument, "inflate: output window is empty");
  ZlibParts* parts = arena.make<ZlibParts>();
  z_stream* stream = parts ? &parts->stream : nullptr;
  if (!stream)
    return make_error(ErrorCode::OutOfMemory, "inflate: out of memory").with_detail("zlib stream");
  void* window = arena.allocate(window_bytes);
  if (!window)
    return make_error(ErrorCode::OutOfMemory, "inflate: out of memory").with_detail("output window");
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
  reset();
  return {};
}

void InflateStage::reset() {
  // zlib itself is reset when a member or entry starts, keeping its window.
  m_format = InputFormat::Unknown;
  m_phase = Phase::Detect;
  m_failed = false;
  m_error = Error{};
  m_bytes_in = 0;
  m_bytes_out = 0;
  m_crc32 = 0;
  m_member_bytes_out = 0;
  m_member_crc32 = 0;
  m_member_header_done = false;
  m_consumed = 0;
  m_unit_offset = 0;
  m_carry_bytes = 0;
  m_zip_flags = 0;
  m_zip_method = 0;
  m_zip_crc32 = 0;
  m_zip_compressed_bytes = 0;
  m_zip_plain_bytes = 0;
  m_zip_compressed_known = false;
  m_zip_plain_known = false;
  m_skip_bytes = 0;
  m_extra_left = 0;
  m_extra_collect = 0;
  m_stored_left = 0;
  m_entry_in = 0;
}

std::uint32_t InflateStage::crc32() const {
  // Inside a gzip member the member's own CRC-32 is kept (the trailer is checked with it), so the
  // output is not run through crc32 twice; the file's CRC is the members' CRCs joined.
  if (m_phase == Phase::GzipMember && m_member_bytes_out > 0)
    return crc32_concat(m_crc32, m_member_crc32, m_member_bytes_out);
  return m_crc32;
}

Status InflateStage::fail(Error error) {
  m_failed = true;
  m_error = error;
  return error;
}

Status InflateStage::write(Bytes chunk) {
  if (m_failed)
    return m_error;
  if (!m_zstream)
    return make_error(ErrorCode::InvalidArgument, "inflate: write before init");
  if (m_phase == Phase::Finished)
    return make_error(ErrorCode::InvalidArgument, "inflate: write after finish");
  m_bytes_in += chunk.size();
  return process(chunk);
}

Status InflateStage::finish() {
  if (m_failed)
    return m_error;
  if (!m_zstream)
    return make_error(ErrorCode::InvalidArgument, "inflate: finish before init");
  switch (m_phase) {
  case Phase::Detect: { // shorter than any magic: plain
    m_format = InputFormat::Plain;
    m_phase = Phase::Plain;
    const Bytes held(m_carry, m_carry_bytes);
    m_carry_bytes = 0;
    EC_TRY(emit(held, CrcUpdate::Here));
    break;
  }
  case Phase::Plain:
  case Phase::GzipPadding:
  case Phase::ZipIgnore:
    break;
  case Phase::GzipBetween:
    if (m_carry_bytes > 0) // the first byte of another member's magic
      return fail(make_error(ErrorCode::Truncated, "gzip: file ends inside a compressed member")
                      .at(ErrorWhere::ByteOffset, m_consumed));
    break;
  case Phase::GzipMember:
    return fail(make_error(ErrorCode::Truncated, "gzip: file ends inside a compressed member")
                    .at(ErrorWhere::ByteOffset, m_consumed));
  case Phase::ZipHeader:
  case Phase::ZipName:
  case Phase::ZipExtraHead:
  case Phase::ZipExtraBody:
  case Phase::ZipDeflate:
  case Phase::ZipStored:
    return fail(make_error(ErrorCode::Truncated, "zip: file ends inside an entry")
                    .at(ErrorWhere::ByteOffset, m_consumed));
  case Phase::ZipDescriptor:
    EC_TRY(process_zip_descriptor(InputEnd::Reached));
    break;
  case Phase::ZipAfter:
    EC_TRY(process_zip_after(InputEnd::Reached));
    break;
  case Phase::Finished:
    return make_error(ErrorCode::InvalidArgument, "inflate: finish called twice");
  }
  m_phase = Phase::Finished;
  Status status = m_downstream->finish();
  if (!status.ok())
    return fail(status.error());
  return {};
}

Status InflateStage::process(Bytes data) {
  while (!data.empty()) {
    switch (m_phase) {
    case Phase::Detect:
      EC_TRY(process_detect(data));
      break;
    case Phase::Plain:
      m_consumed += data.size();
      EC_TRY(emit(data, CrcUpdate::Here));
      data = {};
      break;
    case Phase::GzipMember:
    case Phase::ZipDeflate:
      EC_TRY(inflate_some(data));
      break;
    case Phase::GzipBetween:
      EC_TRY(process_gzip_between(data));
      break;
    case Phase::GzipPadding:
      for (std::size_t i = 0; i < data.size(); ++i)
        if (data[i] != 0)
          return fail(make_error(ErrorCode::Corrupt, "gzip: trailing data after the last member")
                          .at(ErrorWhere::ByteOffset, m_consumed + i));
      m_consumed += data.size();
      data = {};
      break;
    case Phase::ZipHeader:
      if (collect(data, kZipLocalHeaderBytes))
        EC_TRY(process_zip_header());
      break;
    case Phase::ZipName: {
      const std::size_t skipped =
          static_cast<std::size_t>(std::min<std::uint64_t>(m_skip_bytes, data.size()));
      m_skip_bytes -= skipped;
      m_consumed += skipped;
      data = data.subspan(skipped);
      if (m_skip_bytes == 0)
        EC_TRY(next_extra_record());
      break;
    }
    case Phase::ZipExtraHead:
      if (collect(data, kZipExtraRecordHeaderBytes))
        EC_TRY(process_zip_extra_head());
      break;
    case Phase::ZipExtraBody:
      EC_TRY(process_zip_extra_body(data));
      break;
    case Phase::ZipStored:
      EC_TRY(process_zip_stored(data));
      break;
    case Phase::ZipDescriptor:
      if (collect(data, kZipDescriptorMaxBytes + kZipSignatureBytes))
        EC_TRY(process_zip_descriptor(InputEnd::NotYet));
      break;
    case Phase::ZipAfter:
      if (collect(data, kZipSignatureBytes))
        EC_TRY(process_zip_after(InputEnd::NotYet));
      break;
    case Phase::ZipIgnore:
      m_consumed += data.size();
      data = {};
      break;
    case Phase::Finished:
      EC_CHECK(m_phase != Phase::Finished); // write() refuses input after finish()
      break;
    }
  }
  return {};
}

bool InflateStage::collect(Bytes& data, std::size_t want) {
  EC_CHECK(want <= sizeof(m_carry) && m_carry_bytes <= want);
  const std::size_t taken = std::min(want - m_carry_bytes, data.size());
  std::memcpy(m_carry + m_carry_bytes, data.data(), taken);
  m_carry_bytes += taken;
  m_consumed += taken;
  data = data.subspan(taken);
  return m_carry_bytes == want;
}

Status InflateStage::emit(Bytes plain, CrcUpdate crc_update) {
  while (!plain.empty()) {
    const Bytes piece = plain.first(std::min<std::size_t>(plain.size(), m_window_bytes));
    if (crc_update == CrcUpdate::Here)
        m_crc32 = crc32_update(m_crc32, piece);
    m_bytes_out += piece.size();
    Status status = m_downstream->write(piece);
    if (!status.ok())
      return fail(status.error()); // the downstream error goes back unchanged
    plain = plain.subspan(piece.size());
  }
  return {};
}

Status InflateStage::commit_lent(Bytes plain, CrcUpdate crc_update) {
  if (crc_update == CrcUpdate::Here)
    m_crc32 = crc32_update(m_crc32, plain);
  m_bytes_out += plain.size();
  Status status = m_lender->commit_written(plain.size());
  if (!status.ok())
    return fail(status.error()); // the downstream error goes back unchanged
  return {};
}

// ---- detection ----------------------------------------------------------------------------------

Status InflateStage::process_detect(Bytes& data) {
  InputFormat detected = InputFormat::Unknown;
  while (!data.empty() && detected == InputFormat::Unknown) {
    m_carry[m_carry_bytes++] = data[0];
    ++m_consumed;
    data = data.subspan(1);
    if (m_carry[0] == kGzipMagic[0]) {
      if (m_carry_bytes == 2)
        detected = m_carry[1] == kGzipMagic[1] ? InputFormat::Gzip : InputFormat::Plain;
    } else if (m_carry[0] == kZipLocalMagic[0]) {
      if (m_carry[m_carry_bytes - 1] != kZipLocalMagic[m_carry_bytes - 1])
        detected = InputFormat::Plain;
      else if (m_carry_bytes == sizeof(kZipLocalMagic))
        detected = InputFormat::Zip;
    } else {
      detected = InputFormat::Plain;
    }
  }
  switch (detected) {
  case InputFormat::Unknown:
    return {};
  case InputFormat::Plain: {
    m_format = InputFormat::Plain;
    m_phase = Phase::Plain;
    const Bytes held(m_carry, m_carry_bytes);
    m_carry_bytes = 0;
    return emit(held, CrcUpdate::Here);
  }
  case InputFormat::Gzip:
    m_format = InputFormat::Gzip;
    m_carry_bytes = 0;
    return start_gzip_member();
  case InputFormat::Zip:
    m_format = InputFormat::Zip;
    m_phase = Phase::ZipHeader; // the magic stays in the carry as the header's first bytes
    return {};
  }
  return {};
}

// ---- gzip ---------------------------------------------------------------------------------------

Status InflateStage::take_zlib_window() {
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
    return fail(
        make_lib_error(ErrorCode::OutOfMemory, "inflate: out of memory", ErrorLib::Zlib, rc)
            .with_detail("zlib window")
            .at(ErrorWhere::ByteOffset, m_consumed));
  if (rc != Z_OK)
    return fail(make_lib_error(ErrorCode::Internal, "inflate: zlib failed", ErrorLib::Zlib, rc)
                    .at(ErrorWhere::ByteOffset, m_consumed));
  m_zlib_window = ZlibWindow::Taken;
  return {};
}

Status InflateStage::start_gzip_member() {
  EC_TRY(take_zlib_window());
  // The magic has been taken already; zlib reads it again to parse the header itself.
  const int rc = inflateReset2(m_zstream, kGzipWindowBits);
  if (rc != Z_OK)
    return fail(make_lib_error(ErrorCode::Internal, "gzip: zlib refused to reset", ErrorLib::Zlib,
                               rc));
  // zlib fills the record, and sets done, once it has read (and checked) the header.
  *m_gz_header = gz_header{};
  if (inflateGetHeader(m_zstream, m_gz_header) != Z_OK)
    return fail(make_error(ErrorCode::Internal, "gzip: zlib refused the header record"));
  m_phase = Phase::GzipMember;
  m_member_bytes_out = 0;
  m_member_crc32 = 0;
  m_member_header_done = false;
  std::memset(m_trailer, 0, sizeof(m_trailer));
  m_consumed -= sizeof(kGzipMagic);
  Bytes magic(kGzipMagic, sizeof(kGzipMagic));
  EC_TRY(inflate_some(magic));
  EC_CHECK(magic.empty());
  return {};
}

Status InflateStage::process_gzip_between(Bytes& data) {
  while (!data.empty()) {
    const std::uint8_t byte = data[0];
    if (m_carry_bytes == 0) {
      if (byte == 0) {
        m_phase = Phase::GzipPadding;
        return {};
      }
      m_unit_offset = m_consumed;
    }
    if (byte != kGzipMagic[m_carry_bytes])
      return fail(make_error(ErrorCode::Corrupt, "gzip: trailing data after the last member")
                      .at(ErrorWhere::ByteOffset, m_unit_offset));
    m_carry[m_carry_bytes++] = byte;
    ++m_consumed;
    data = data.subspan(1);
    if (m_carry_bytes == sizeof(kGzipMagic)) {
      m_carry_bytes = 0;
      return start_gzip_member();
    }
  }
  return {};
}

Status InflateStage::inflate_some(Bytes& data) {
  z_stream& stream = *m_zstream;
  for (;;) {
    const std::size_t offered = std::min(data.size(), kMaxZlibInputBytes);
    stream.next_in = data.data();
    stream.avail_in = static_cast<uInt>(offered);
    // Into the downstream buffer when it lends space; else into the window, then write(). When
    // the lender is full, a small window piece makes its write() free room soon.
    MutableBytes out = m_lender != nullptr ? m_lender->write_space() : MutableBytes{};
    const bool lent = !out.empty();
    if (!lent)
      out = MutableBytes(m_window, m_lender != nullptr
                                       ? std::min<std::size_t>(m_window_bytes, kLenderFullBytes)
                                       : m_window_bytes);
    const bool gzip = m_phase == Phase::GzipMember;
    const std::size_t out_bytes =
        std::min(out.size(), gzip && !m_member_header_done ? kHeaderOutputBytes : kMaxZlibOutputBytes);
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out_bytes);
    const int rc = ::inflate(&stream, Z_NO_FLUSH);
    const std::size_t taken = offered - stream.avail_in;
    const std::size_t produced = out_bytes - stream.avail_out;
    if (gzip) {
      keep_trailer_bytes(data.first(taken));
      if (!m_member_header_done && m_gz_header->done == 1) {
        // From here on zlib neither runs crc32 nor compares the trailer: produced bytes are
        // checked here (see check_gzip_trailer).
        if (inflateValidate(&stream, 0) != Z_OK)
          return fail(make_error(ErrorCode::Internal, "gzip: zlib refused to skip its check"));
        m_member_header_done = true;
      }
    }
    data = data.subspan(taken);
    m_consumed += taken;
    m_entry_in += taken;
    if (produced > 0) {
      const Bytes plain(out.data(), produced);
      const CrcUpdate crc_update = gzip ? CrcUpdate::ByCaller : CrcUpdate::Here;
      if (gzip) { // before emitting: a lender may reuse its space once the bytes are committed
        m_member_bytes_out += produced;
        m_member_crc32 = crc32_update(m_member_crc32, plain);
      }
      EC_TRY(lent ? commit_lent(plain, crc_update) : emit(plain, crc_update));
    }
    switch (rc) {
    case Z_STREAM_END:
      return end_of_deflate_stream();
    case Z_OK:
    case Z_BUF_ERROR: // no progress possible: zlib needs more input
      break;
    default:
      return fail(zlib_error(rc));
    }
    if (stream.avail_out != 0 && data.empty())
      return {}; // everything taken and nothing more to flush
    if (taken == 0 && produced == 0)
      return fail(make_lib_error(ErrorCode::Internal, "inflate: zlib made no progress",
                                 ErrorLib::Zlib, rc)
                      .at(ErrorWhere::ByteOffset, m_consumed));
  }
}

Error InflateStage::zlib_error(int code) const {
  const bool gzip = m_phase == Phase::GzipMember;
  const std::uint64_t last_read = m_consumed > 0 ? m_consumed - 1 : 0;
  const char* zlib_message = m_zstream->msg;
  Error error;
  switch (code) {
  case Z_DATA_ERROR:
  case Z_NEED_DICT: {
    ErrorText message = gzip ? ErrorText("gzip: corrupt compressed data")
                             : ErrorText("zip: corrupt compressed data");
    if (gzip && zlib_message && std::strcmp(zlib_message, "incorrect data check") == 0)
      message = "gzip: crc-32 mismatch";
    else if (gzip && zlib_message && std::strcmp(zlib_message, "incorrect length check") == 0)
      message = "gzip: size mismatch";
    error = make_lib_error(ErrorCode::Corrupt, message, ErrorLib::Zlib, code);
    break;
  }
  case Z_MEM_ERROR: // the window is taken before the first member; zlib allocates nothing else
    error = make_lib_error(ErrorCode::OutOfMemory, "inflate: out of memory", ErrorLib::Zlib, code);
    zlib_message = "zlib window";
    break;
  default:
    error = make_lib_error(ErrorCode::Internal, "inflate: zlib failed", ErrorLib::Zlib, code);
    break;
  }
  return error.with_detail(zlib_message).at(ErrorWhere::ByteOffset, last_read);
}

void InflateStage::keep_trailer_bytes(Bytes consumed) {
  if (consumed.size() >= kGzipTrailerBytes) {
    std::memcpy(m_trailer, consumed.data() + consumed.size() - kGzipTrailerBytes, kGzipTrailerBytes);
    return;
  }
  const std::size_t kept = kGzipTrailerBytes - consumed.size();
  std::memmove(m_trailer, m_trailer + consumed.size(), kept);
  std::memcpy(m_trailer + kept, consumed.data(), consumed.size());
}

Status InflateStage::check_gzip_trailer() {
  // zlib has taken the 8 trailer bytes last (its data check is off); the errors are the ones zlib
  // gives with the check on, at the same offsets: the last byte of the field that differs.
  EC_CHECK(m_member_header_done && m_consumed >= kGzipTrailerBytes);
  if (read32(m_trailer) != m_member_crc32)
    return fail(make_lib_error(ErrorCode::Corrupt, "gzip: crc-32 mismatch", ErrorLib::Zlib,
                               Z_DATA_ERROR)
                    .with_detail("incorrect data check")
                    .at(ErrorWhere::ByteOffset, m_consumed - 5));
  if (read32(m_trailer + 4) != static_cast<std::uint32_t>(m_member_bytes_out))
    return fail(make_lib_error(ErrorCode::Corrupt, "gzip: size mismatch", ErrorLib::Zlib,
                               Z_DATA_ERROR)
                    .with_detail("incorrect length check")
                    .at(ErrorWhere::ByteOffset, m_consumed - 1));
  return {};
}

Status InflateStage::end_of_deflate_stream() {
  if (m_phase == Phase::GzipMember) {
    EC_TRY(check_gzip_trailer());
    m_crc32 = crc32_concat(m_crc32, m_member_crc32, m_member_bytes_out);
    m_member_bytes_out = 0;
    m_phase = Phase::GzipBetween;
    m_carry_bytes = 0;
    return {};
  }
  return end_zip_entry();
}

// ---- ZIP ----------------------------------------------------------------------------------------

Status InflateStage::process_zip_header() {
  // The header is the first thing in the file, so field offsets are input offsets.
  const std::uint8_t* header = m_carry;
  m_zip_flags = read16(header + kLocalFlags);
  m_zip_method = read16(header + kLocalMethod);
  if (m_zip_flags & (kZipFlagEncrypted | kZipFlagStrongEncryption | kZipFlagMaskedHeader))
    return fail(make_error(ErrorCode::Unsupported, "zip: encrypted entries are not supported")
                    .at(ErrorWhere::ByteOffset, kLocalFlags));
  if (m_zip_method != kZipMethodStored && m_zip_method != kZipMethodDeflate)
    return fail(make_error(ErrorCode::Unsupported, "zip: compression method is not deflate or stored")
                    .at(ErrorWhere::ByteOffset, kLocalMethod));
  m_zip_crc32 = read32(header + kLocalCrc);
  const std::uint32_t compressed = read32(header + kLocalCompressedSize);
  const std::uint32_t plain = read32(header + kLocalPlainSize);
  m_zip_compressed_bytes = compressed;
  m_zip_plain_bytes = plain;
  m_zip_compressed_known = compressed != kZip32Unknown; // else in the ZIP64 extra field
  m_zip_plain_known = plain != kZip32Unknown;
  m_skip_bytes = read16(header + kLocalNameLength);
  m_extra_left = read16(header + kLocalExtraLength);
  m_carry_bytes = 0;
  m_phase = Phase::ZipName;
  if (m_skip_bytes == 0)
    return next_extra_record();
  return {};
}

Status InflateStage::next_extra_record() {
  m_carry_bytes = 0;
  m_extra_collect = 0;
  if (m_extra_left == 0)
    return start_zip_data();
  if (m_extra_left < kZipExtraRecordHeaderBytes) { // padding some writers leave: skip it
    m_skip_bytes = m_extra_left;
    m_extra_left = 0;
    m_phase = Phase::ZipExtraBody;
    return {};
  }
  m_phase = Phase::ZipExtraHead;
  return {};
}

Status InflateStage::process_zip_extra_head() {
  const std::uint16_t id = read16(m_carry);
  std::uint32_t size = read16(m_carry + 2);
  m_extra_left -= kZipExtraRecordHeaderBytes;
  size = std::min(size, m_extra_left); // a record overrunning the field: take what is there
  m_extra_left -= size;
  m_carry_bytes = 0;
  m_extra_collect = id == kZip64ExtraId ? std::min<std::uint32_t>(size, kZip64SizesBytes) : 0;
  m_skip_bytes = size - m_extra_collect;
  m_phase = Phase::ZipExtraBody;
  if (size == 0)
    return next_extra_record();
  return {};
}

Status InflateStage::process_zip_extra_body(Bytes& data) {
  if (m_extra_collect > 0) {
    if (!collect(data, m_extra_collect))
      return {};
    // ZIP64 sizes, in this order, for the header fields that hold 0xffffffff.
    const std::uint8_t* field = m_carry;
    std::size_t left = m_extra_collect;
    if (!m_zip_plain_known && left >= 8) {
      m_zip_plain_bytes = read64(field);
      m_zip_plain_known = true;
      field += 8;
      left -= 8;
    } else if (left >= 16) {
      field += 8; // both sizes are present in a local header even when one fits 32 bits
      left -= 8;
    }
    if (!m_zip_compressed_known && left >= 8) {
      m_zip_compressed_bytes = read64(field);
      m_zip_compressed_known = true;
    }
    m_extra_collect = 0;
    m_carry_bytes = 0;
  }
  const std::size_t skipped =
      static_cast<std::size_t>(std::min<std::uint64_t>(m_skip_bytes, data.size()));
  m_skip_bytes -= skipped;
  m_consumed += skipped;
  data = data.subspan(skipped);
  if (m_skip_bytes > 0)
    return {};
  return next_extra_record();
}

Status InflateStage::start_zip_data() {
  m_entry_in = 0;
  if (m_zip_method == kZipMethodStored) {
    if ((m_zip_flags & kZipFlagDescriptor) || !m_zip_compressed_known || !m_zip_plain_known)
      return fail(make_error(ErrorCode::Unsupported,
                             "zip: stored entry without sizes in the local header")
                      .at(ErrorWhere::ByteOffset, kLocalCompressedSize));
    if (m_zip_compressed_bytes != m_zip_plain_bytes)
      return fail(make_error(ErrorCode::Corrupt, "zip: stored entry sizes differ")
                      .at(ErrorWhere::ByteOffset, kLocalCompressedSize));
    m_stored_left = m_zip_compressed_bytes;
    m_phase = Phase::ZipStored;
    if (m_stored_left == 0)
      return end_zip_entry();
    return {};
  }
  EC_TRY(take_zlib_window());
  const int rc = inflateReset2(m_zstream, kRawWindowBits);
  if (rc != Z_OK)
    return fail(
        make_lib_error(ErrorCode::Internal, "zip: zlib refused to reset", ErrorLib::Zlib, rc));
  m_phase = Phase::ZipDeflate;
  return {};
}

Status InflateStage::process_zip_stored(Bytes& data) {
  const std::size_t taken =
      static_cast<std::size_t>(std::min<std::uint64_t>(m_stored_left, data.size()));
  m_stored_left -= taken;
  m_consumed += taken;
  m_entry_in += taken;
  EC_TRY(emit(data.first(taken), CrcUpdate::Here));
  data = data.subspan(taken);
  if (m_stored_left == 0)
    return end_zip_entry();
  return {};
}

Status InflateStage::end_zip_entry() {
  m_carry_bytes = 0;
  m_unit_offset = m_consumed;
  if (m_zip_flags & kZipFlagDescriptor) {
    m_phase = Phase::ZipDescriptor;
    return {};
  }
  if (m_crc32 != m_zip_crc32)
    return fail(make_error(ErrorCode::Corrupt, "zip: crc-32 mismatch")
                    .at(ErrorWhere::ByteOffset, m_consumed));
  if ((m_zip_plain_known && m_bytes_out != m_zip_plain_bytes) ||
      (m_zip_compressed_known && m_entry_in != m_zip_compressed_bytes))
    return fail(make_error(ErrorCode::Corrupt, "zip: entry size differs from the local header")
                    .at(ErrorWhere::ByteOffset, m_consumed));
  m_phase = Phase::ZipAfter;
  return {};
}

Status InflateStage::process_zip_descriptor(InputEnd input_end) {
  // The descriptor may or may not have its signature and may hold 4- or 8-byte sizes; the entry's
  // own CRC and sizes (known now) and the record that follows tell the readings apart.
  const std::size_t have = m_carry_bytes;
  const std::size_t descriptor_sizes_mask = 0xffffffff;
  int chosen = -1;
  int fallback = -1;
  for (int i = 0; i < static_cast<int>(std::size(kDescriptorLayouts)); ++i) {
    const DescriptorLayout& layout = kDescriptorLayouts[i];
    const std::size_t length = layout.length();
    if (length > have)
      continue;
    const std::uint8_t* field = m_carry;
    if (layout.signature == Descriptor::WithSignature) {
      if (read32(field) != kZipDescriptorSignature)
        continue;
      field += 4;
    }
    const std::uint32_t crc = read32(field);
    std::uint64_t compressed = 0;
    std::uint64_t plain = 0;
    bool sizes_match = false;
    if (layout.size_bytes == 4) {
      compressed = read32(field + 4);
      plain = read32(field + 8);
      sizes_match = compressed == (m_entry_in & descriptor_sizes_mask) &&
                    plain == (m_bytes_out & descriptor_sizes_mask);
    } else {
      compressed = read64(field + 4);
      plain = read64(field + 12);
      sizes_match = compressed == m_entry_in && plain == m_bytes_out;
    }
    if (crc != m_crc32 || !sizes_match)
      continue;
    const std::size_t rest = have - length;
    const bool followed = rest >= kZipSignatureBytes ? is_zip_record_signature(m_carry + length)
                                                     : input_end == InputEnd::Reached;
    if (followed) {
      chosen = i;
      break;
    }
    if (fallback < 0)
      fallback = i;
  }
  if (chosen < 0)
    chosen = fallback;
  if (chosen < 0) {
    bool crc_may_match = have < 4 || read32(m_carry) == m_crc32;
    if (have >= 4 && read32(m_carry) == kZipDescriptorSignature)
      crc_may_match = crc_may_match || have < 8 || read32(m_carry + 4) == m_crc32;
    if (!crc_may_match)
      return fail(make_error(ErrorCode::Corrupt, "zip: crc-32 mismatch")
                      .at(ErrorWhere::ByteOffset, m_unit_offset));
    if (input_end == InputEnd::Reached && have < kZipDescriptorMaxBytes)
      return fail(make_error(ErrorCode::Truncated, "zip: file ends inside an entry")
                      .at(ErrorWhere::ByteOffset, m_consumed));
    return fail(make_error(ErrorCode::Corrupt, "zip: data descriptor does not match the entry")
                    .at(ErrorWhere::ByteOffset, m_unit_offset));
  }
  const std::size_t length = kDescriptorLayouts[chosen].length();
  const std::size_t rest = have - length;
  std::memmove(m_carry, m_carry + length, rest);
  m_carry_bytes = rest;
  m_unit_offset += length;
  m_phase = Phase::ZipAfter;
  if (rest >= kZipSignatureBytes || input_end == InputEnd::Reached)
    return process_zip_after(input_end);
  return {};
}

Status InflateStage::process_zip_after(InputEnd input_end) {
  if (m_carry_bytes < kZipSignatureBytes) {
    EC_CHECK(input_end == InputEnd::Reached);
    m_phase = Phase::ZipIgnore; // the file ends after the entry: its data is complete
    return {};
  }
  if (read32(m_carry) == kZipLocalSignature)
    return fail(make_error(ErrorCode::Unsupported, "zip: more than one entry")
                    .at(ErrorWhere::ByteOffset, m_unit_offset));
  if (!is_zip_record_signature(m_carry))
    return fail(make_error(ErrorCode::Corrupt, "zip: unexpected data after the entry")
                    .at(ErrorWhere::ByteOffset, m_unit_offset));
  m_phase = Phase::ZipIgnore; // the central directory and end records repeat what we checked
  m_carry_bytes = 0;
  return {};
}

} // namespace ec
