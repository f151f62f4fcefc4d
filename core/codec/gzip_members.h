// core/codec/gzip_members.h - GzipMembers: one gzip file of one or more members, checked.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <array>
#include <cstdint>

namespace ec {

class DeflateStage;
class PlainOutput;

/// The gzip stage in front of the deflate stage: starts a member at each magic, checks each
/// member's trailer (CRC-32 and ISIZE) against what the output counted, and joins the members'
/// CRCs into the file's. Byte offsets in errors are file offsets.
///
/// After the last member, all-zero bytes are padding and ignored (as GNU gzip does); any other
/// byte is Corrupt "gzip: trailing data after the last member". A file ending inside a member
/// (one byte of another member's magic included) is Truncated.
class GzipMembers {
public:
  /// `deflate` and `output` must outlive this stage.
  GzipMembers(DeflateStage& deflate, PlainOutput& output)
      : m_deflate(&deflate), m_output(&output) {}

  /// Starts a new file.
  void reset() { m_state = {}; }
  /// The first member's magic (2 bytes) has been taken: its member starts (zlib reads the magic
  /// again, to parse the header itself).
  Status start();
  /// The file's next bytes; valid during the call only.
  Status write(Bytes data);
  /// The file ended: Truncated when inside a member.
  Status finish();
  /// CRC-32 of the file's plain bytes so far.
  [[nodiscard]] std::uint32_t crc32() const;

private:
  enum class Step : std::uint8_t {
    Member,  // the deflate stage inflating one member (header and trailer included)
    Between, // after a member: the next member's magic, padding or the end
    Padding, // zeros after the last member
  };

  Status start_member();
  Status inflate_some(Bytes& data);
  Status end_member();
  [[nodiscard]] Status check_trailer() const;
  Status process_between(Bytes& data);
  Status process_padding(Bytes& data);
  void keep_trailer_bytes(Bytes consumed);

  struct State {
    Step step = Step::Member;
    std::uint64_t consumed = 0;               // input bytes taken: the offset of errors
    std::uint32_t crc32 = 0;                  // of the members before the current one
    std::array<std::uint8_t, 8> trailer = {}; // the last 8 input bytes zlib took
    std::uint64_t magic_offset = 0;           // where the magic after a member starts
    std::uint8_t magic_bytes = 0;             // of that magic, seen so far
  };

  DeflateStage* m_deflate;
  PlainOutput* m_output;
  State m_state; // per file
};

} // namespace ec
