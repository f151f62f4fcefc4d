// core/codec/inflate_stage.h - InflateStage: gzip, single-entry ZIP or plain bytes to plain bytes.
#pragma once

#include "core/base/arena.h"
#include "core/base/byte_sink.h"

#include <cstddef>
#include <cstdint>

struct z_stream_s; // zlib's stream, kept out of this header
struct gz_header_s; // zlib's gzip header record

namespace ec {

/// What the first bytes of a file said it is (never the file name).
enum class InputFormat : std::uint8_t { Unknown, Plain, Gzip, Zip };

/// Arena bytes one stage takes besides its output window: zlib's stream and state (~7 KiB, at
/// init()) plus zlib's 32 KiB window (on the first compressed file), with alignment slack. Checked
/// against the measured high water mark in tests/codec/inflate_stage_test.cpp.
inline constexpr std::size_t kInflateZlibArenaBytes = 44 * 1024;

/// Decodes the stream pushed into it and pushes the plain bytes downstream in pieces of at most
/// the output window. gzip may have several members; ZIP must hold exactly one entry, deflated or
/// stored; anything else passes through unchanged. zlib's memory comes from the arena given to
/// init() (about 7 KiB of state at init(), plus its 32 KiB window when the first gzip member or
/// deflated entry starts) and is reused across files: nothing is allocated after that. Errors
/// carry the byte offset in the compressed input.
///
/// Format rules a technician may meet:
/// - gzip: all-zero bytes after the last member are padding and ignored (as GNU gzip does); any
///   other byte there is Corrupt "gzip: trailing data after the last member".
/// - ZIP: the central directory and end records after the entry are not read (the entry's own
///   CRC-32 is checked); a file that ends right after the entry is accepted. A second local
///   header, encryption, a method other than stored/deflate, or a stored entry without sizes in
///   its local header is Unsupported.
/// - Errors reported by zlib carry ErrorLib::Zlib, zlib's return code and zlib's message (static
///   text) as the detail. The position of a data error is the offset of the last input byte zlib
///   read; of a truncation, the input length.
/// After an error, write() and finish() return that error again until reset().
class InflateStage final : public ByteSink {
public:
  explicit InflateStage(ByteSink& downstream) : m_downstream(&downstream) {}
  /// As above; zlib then inflates straight into the space `downstream` lends, when it has some.
  explicit InflateStage(BufferedSink& downstream)
      : m_downstream(&downstream), m_lender(&downstream) {}

  /// Takes the output window (`window_bytes`, > 0) and zlib's state from `arena`, which must
  /// outlive the stage. OutOfMemory (the stage stays unusable) when the arena is too small;
  /// InvalidArgument when called twice or with a zero window.
  Status init(Arena& arena, std::uint32_t window_bytes = 64 * 1024);
  /// Starts a new file; never allocates.
  void reset();

  Status write(Bytes chunk) override;
  /// Truncated when the file ended inside a member; then finishes downstream.
  Status finish() override;

  [[nodiscard]] InputFormat format() const { return m_format; }
  [[nodiscard]] std::uint64_t bytes_in() const { return m_bytes_in; }
  [[nodiscard]] std::uint64_t bytes_out() const { return m_bytes_out; }
  /// CRC-32 of all plain bytes produced for this file (checked against gzip/ZIP trailers, and
  /// computed for plain input too): part of a delivery's fingerprint.
  [[nodiscard]] std::uint32_t crc32() const;

private:
  enum class Phase : std::uint8_t {
    Detect,        // collecting the magic in m_carry
    Plain,         // passing bytes through
    GzipMember,    // zlib inflating one gzip member (header and trailer included)
    GzipBetween,   // after a member: the next member's magic, padding or the end
    GzipPadding,   // zeros after the last member
    ZipHeader,     // collecting the 30-byte local file header
    ZipName,       // skipping the file name
    ZipExtraHead,  // collecting a 4-byte extra field record header
    ZipExtraBody,  // collecting (ZIP64) or skipping an extra field record
    ZipDeflate,    // raw inflate of the entry
    ZipStored,     // passing the stored entry through
    ZipDescriptor, // collecting the data descriptor and the signature after it
    ZipAfter,      // collecting the signature after the entry
    ZipIgnore,     // central directory and end records: not read
    Finished,      // finish() succeeded
  };

  enum class CrcUpdate : std::uint8_t { Here, ByCaller }; // who runs crc32 over emitted bytes
  enum class InputEnd : std::uint8_t { NotYet, Reached }; // whether finish() has been called
  enum class ZlibWindow : std::uint8_t { NotYet, Taken };

  Status fail(Error error);
  Status process(Bytes data);
  Status process_detect(Bytes& data);
  Status take_zlib_window();
  Status start_gzip_member();
  Status process_gzip_between(Bytes& data);
  Status inflate_some(Bytes& data);
  Status end_of_deflate_stream();
  Status process_zip_header();
  Status next_extra_record();
  Status process_zip_extra_head();
  Status process_zip_extra_body(Bytes& data);
  Status start_zip_data();
  Status process_zip_stored(Bytes& data);
  Status end_zip_entry();
  Status process_zip_descriptor(InputEnd input_end);
  Status process_zip_after(InputEnd input_end);
  Status emit(Bytes plain, CrcUpdate crc_update);
  Status commit_lent(Bytes plain, CrcUpdate crc_update);
  bool collect(Bytes& data, std::size_t want);
  [[nodiscard]] Error zlib_error(int code) const;
  void keep_trailer_bytes(Bytes consumed);
  Status check_gzip_trailer();

  ByteSink* m_downstream;
  BufferedSink* m_lender = nullptr; // m_downstream, when it lends its buffer
  z_stream_s* m_zstream = nullptr; // in m_arena
  gz_header_s* m_gz_header = nullptr; // in m_arena: tells when zlib has read a member's header
  std::uint8_t* m_window = nullptr; // in m_arena, m_window_bytes long
  std::uint32_t m_window_bytes = 0;
  ZlibWindow m_zlib_window = ZlibWindow::NotYet; // zlib's own 32 KiB, kept across files
  InputFormat m_format = InputFormat::Unknown;
  Phase m_phase = Phase::Detect;
  bool m_failed = false;
  Error m_error;
  std::uint64_t m_bytes_in = 0;
  std::uint64_t m_bytes_out = 0;
  std::uint32_t m_crc32 = 0;          // gzip: of the members before the current one
  std::uint64_t m_member_bytes_out = 0; // gzip: output of the current member
  std::uint32_t m_member_crc32 = 0;     // gzip: CRC-32 of the current member's output
  // gzip: zlib checks the header (and its FHCRC); the data CRC-32 and ISIZE are checked here.
  bool m_member_header_done = false;
  std::uint8_t m_trailer[8] = {};       // gzip: the last 8 input bytes zlib took (the trailer at the end)
  std::uint64_t m_consumed = 0;       // input bytes taken so far (offsets of errors)
  std::uint64_t m_unit_offset = 0;    // where the current header or descriptor starts

  // A bounded carry for fixed-size units split across chunks (magic, ZIP headers, descriptor).
  std::uint8_t m_carry[32] = {};
  std::size_t m_carry_bytes = 0;

  // ZIP entry.
  std::uint16_t m_zip_flags = 0;
  std::uint16_t m_zip_method = 0;
  std::uint32_t m_zip_crc32 = 0;
  std::uint64_t m_zip_compressed_bytes = 0;
  std::uint64_t m_zip_plain_bytes = 0;
  bool m_zip_compressed_known = false; // from the local header or its ZIP64 field
  bool m_zip_plain_known = false;
  std::uint64_t m_skip_bytes = 0;  // name or extra record bytes still to skip
  std::uint32_t m_extra_left = 0;  // extra field bytes not yet parsed
  std::uint32_t m_extra_collect = 0; // bytes of a ZIP64 record to collect into m_carry
  std::uint64_t m_stored_left = 0; // stored entry bytes still to pass through
  std::uint64_t m_entry_in = 0;    // compressed bytes of the entry
};

} // namespace ec
