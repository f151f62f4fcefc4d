// core/codec/zip_entry.h - ZipEntry: the one entry of a ZIP file, its header and its checks.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/codec/zip_descriptor.h"

#include <cstddef>
#include <cstdint>

namespace ec {

class DeflateStage;
class PlainOutput;

/// The ZIP stage in front of the deflate stage: reads the local file header (name, extra field,
/// ZIP64 sizes), inflates the entry with the deflate stage or passes a stored entry through, then
/// checks the CRC-32 and sizes from the header or the data descriptor. Byte offsets in errors are
/// file offsets.
///
/// The central directory and end records after the entry are not read (the entry's own CRC-32 is
/// checked); a file that ends right after the entry is accepted. A second local header,
/// encryption, a method other than stored/deflate, or a stored entry without sizes in its local
/// header is Unsupported.
class ZipEntry {
public:
  /// `deflate` and `output` must outlive this stage.
  ZipEntry(DeflateStage& deflate, PlainOutput& output) : m_deflate(&deflate), m_output(&output) {}

  /// Starts a new file.
  void reset() { m_state = {}; }
  /// The local header's signature, `magic` (4 bytes), has been taken: the header's first bytes.
  void start(Bytes magic);
  /// The file's next bytes; valid during the call only.
  Status write(Bytes data);
  /// The file ended: Truncated inside the entry; the descriptor and what follows it are checked.
  Status finish();

private:
  enum class Step : std::uint8_t {
    Header,     // collecting the 30-byte local file header
    Name,       // skipping the file name
    ExtraHead,  // collecting a 4-byte extra field record header
    ExtraBody,  // collecting (ZIP64) or skipping an extra field record
    Deflate,    // the deflate stage inflating the entry
    Stored,     // passing the stored entry through
    Descriptor, // collecting the data descriptor and the signature after it
    After,      // collecting the signature after the entry
    Ignore,     // central directory and end records: not read
  };

  // What the local header (and its ZIP64 extra record) says about the entry.
  struct LocalHeader {
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_bytes = 0;
    std::uint64_t plain_bytes = 0;
    bool compressed_known = false; // else in the ZIP64 extra field, or in the descriptor
    bool plain_known = false;
  };

  Status process_header();
  bool skip(Bytes& data);
  Status next_extra_record();
  Status process_extra_head();
  Status process_extra_body(Bytes& data);
  void read_zip64_sizes();
  Status start_data();
  Status inflate_some(Bytes& data);
  Status process_stored(Bytes& data);
  Status end_entry();
  Status process_descriptor(InputEnd input_end);
  Status process_after(InputEnd input_end);
  bool collect(Bytes& data, std::size_t want);

  struct State {
    Step step = Step::Header;
    LocalHeader header;
    std::uint64_t consumed = 0;    // input bytes taken: the offset of errors
    std::uint64_t unit_offset = 0; // where the descriptor, or the record after the entry, starts
    // A bounded carry for fixed-size units split across chunks (header, descriptor, signature).
    std::uint8_t carry[32] = {};
    std::size_t carry_bytes = 0;
    std::uint64_t skip_bytes = 0;    // name or extra record bytes still to skip
    std::uint32_t extra_left = 0;    // extra field bytes not yet parsed
    std::uint32_t extra_collect = 0; // bytes of a ZIP64 record to collect into the carry
    std::uint64_t stored_left = 0;   // stored entry bytes still to pass through
    std::uint64_t entry_in = 0;      // compressed bytes of the entry
  };

  DeflateStage* m_deflate;
  PlainOutput* m_output;
  State m_state; // per file
};

} // namespace ec
