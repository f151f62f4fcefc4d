// core/codec/zip_entry.cpp - ZipEntry: local header, extra records, stored data, descriptor.
#include "core/codec/zip_entry.h"

#include "core/codec/deflate_stage.h"
#include "core/codec/little_endian.h"
#include "core/codec/plain_output.h"
#include "core/codec/zip_descriptor.h"

#include <algorithm>
#include <cstring>

namespace ec {
namespace {

constexpr std::size_t kZipLocalHeaderBytes = 30;
constexpr std::uint32_t kZipExtraRecordHeaderBytes = 4;
constexpr std::uint32_t kZip64SizesBytes = 16;
constexpr std::uint32_t kZipLocalSignature = 0x04034b50;
constexpr std::uint32_t kZip32Unknown = 0xffffffff;
constexpr std::uint16_t kZipFlagEncrypted = 0x0001;
constexpr std::uint16_t kZipFlagDescriptor = 0x0008;
constexpr std::uint16_t kZipFlagStrongEncryption = 0x0040;
constexpr std::uint16_t kZipFlagMaskedHeader = 0x2000;
constexpr std::uint16_t kZipMethodStored = 0;
constexpr std::uint16_t kZipMethodDeflate = 8;
constexpr std::uint16_t kZip64ExtraId = 0x0001;

// Local file header field offsets.
constexpr std::size_t kLocalFlags = 6;
constexpr std::size_t kLocalMethod = 8;
constexpr std::size_t kLocalCrc = 14;
constexpr std::size_t kLocalCompressedSize = 18;
constexpr std::size_t kLocalPlainSize = 22;
constexpr std::size_t kLocalNameLength = 26;
constexpr std::size_t kLocalExtraLength = 28;

Error truncated(std::uint64_t position) {
  return make_error(ErrorCode::Truncated, "zip: file ends inside an entry")
      .at(ErrorWhere::ByteOffset, position);
}

} // namespace

void ZipEntry::start(Bytes magic) {
  EC_CHECK(magic.size() <= kZipLocalHeaderBytes);
  std::memcpy(m_state.carry, magic.data(), magic.size());
  m_state.carry_bytes = magic.size();
  m_state.consumed = magic.size();
  m_state.step = Step::Header;
}

Status ZipEntry::write(Bytes data) {
  while (!data.empty()) {
    switch (m_state.step) {
    case Step::Header:
      if (collect(data, kZipLocalHeaderBytes))
        EC_TRY(process_header());
      break;
    case Step::Name:
      if (skip(data))
        EC_TRY(next_extra_record());
      break;
    case Step::ExtraHead:
      if (collect(data, kZipExtraRecordHeaderBytes))
        EC_TRY(process_extra_head());
      break;
    case Step::ExtraBody:
      EC_TRY(process_extra_body(data));
      break;
    case Step::Deflate:
      EC_TRY(inflate_some(data));
      break;
    case Step::Stored:
      EC_TRY(process_stored(data));
      break;
    case Step::Descriptor:
      if (collect(data, kZipDescriptorMaxBytes + kZipSignatureBytes))
        EC_TRY(process_descriptor(InputEnd::NotYet));
      break;
    case Step::After:
      if (collect(data, kZipSignatureBytes))
        EC_TRY(process_after(InputEnd::NotYet));
      break;
    case Step::Ignore:
      m_state.consumed += data.size();
      data = {};
      break;
    }
  }
  return {};
}

Status ZipEntry::finish() {
  switch (m_state.step) {
  case Step::Header:
  case Step::Name:
  case Step::ExtraHead:
  case Step::ExtraBody:
  case Step::Deflate:
  case Step::Stored:
    return truncated(m_state.consumed);
  case Step::Descriptor:
    return process_descriptor(InputEnd::Reached);
  case Step::After:
    return process_after(InputEnd::Reached);
  case Step::Ignore:
    return {};
  }
  return {};
}

bool ZipEntry::collect(Bytes& data, std::size_t want) {
  EC_CHECK(want <= sizeof(m_state.carry) && m_state.carry_bytes <= want);
  const std::size_t taken = std::min(want - m_state.carry_bytes, data.size());
  std::memcpy(m_state.carry + m_state.carry_bytes, data.data(), taken);
  m_state.carry_bytes += taken;
  m_state.consumed += taken;
  data = data.subspan(taken);
  return m_state.carry_bytes == want;
}

bool ZipEntry::skip(Bytes& data) {
  const std::size_t skipped =
      static_cast<std::size_t>(std::min<std::uint64_t>(m_state.skip_bytes, data.size()));
  m_state.skip_bytes -= skipped;
  m_state.consumed += skipped;
  data = data.subspan(skipped);
  return m_state.skip_bytes == 0;
}

// ---- local header -------------------------------------------------------------------------------

Status ZipEntry::process_header() {
  // The header is the first thing in the file, so field offsets are input offsets.
  const std::uint8_t* fields = m_state.carry;
  LocalHeader& header = m_state.header;
  header.flags = read_le16(fields + kLocalFlags);
  header.method = read_le16(fields + kLocalMethod);
  if (header.flags & (kZipFlagEncrypted | kZipFlagStrongEncryption | kZipFlagMaskedHeader))
    return make_error(ErrorCode::Unsupported, "zip: encrypted entries are not supported")
        .at(ErrorWhere::ByteOffset, kLocalFlags);
  if (header.method != kZipMethodStored && header.method != kZipMethodDeflate)
    return make_error(ErrorCode::Unsupported, "zip: compression method is not deflate or stored")
        .at(ErrorWhere::ByteOffset, kLocalMethod);
  header.crc32 = read_le32(fields + kLocalCrc);
  const std::uint32_t compressed = read_le32(fields + kLocalCompressedSize);
  const std::uint32_t plain = read_le32(fields + kLocalPlainSize);
  header.compressed_bytes = compressed;
  header.plain_bytes = plain;
  header.compressed_known = compressed != kZip32Unknown; // else in the ZIP64 extra field
  header.plain_known = plain != kZip32Unknown;
  m_state.skip_bytes = read_le16(fields + kLocalNameLength);
  m_state.extra_left = read_le16(fields + kLocalExtraLength);
  m_state.carry_bytes = 0;
  m_state.step = Step::Name;
  if (m_state.skip_bytes == 0)
    return next_extra_record();
  return {};
}

Status ZipEntry::next_extra_record() {
  m_state.carry_bytes = 0;
  m_state.extra_collect = 0;
  if (m_state.extra_left == 0)
    return start_data();
  if (m_state.extra_left < kZipExtraRecordHeaderBytes) { // padding some writers leave: skip it
    m_state.skip_bytes = m_state.extra_left;
    m_state.extra_left = 0;
    m_state.step = Step::ExtraBody;
    return {};
  }
  m_state.step = Step::ExtraHead;
  return {};
}

Status ZipEntry::process_extra_head() {
  const std::uint16_t id = read_le16(m_state.carry);
  std::uint32_t size = read_le16(m_state.carry + 2);
  m_state.extra_left -= kZipExtraRecordHeaderBytes;
  size = std::min(size, m_state.extra_left); // a record overrunning the field: take what is there
  m_state.extra_left -= size;
  m_state.carry_bytes = 0;
  m_state.extra_collect = id == kZip64ExtraId ? std::min<std::uint32_t>(size, kZip64SizesBytes) : 0;
  m_state.skip_bytes = size - m_state.extra_collect;
  m_state.step = Step::ExtraBody;
  if (size == 0)
    return next_extra_record();
  return {};
}

Status ZipEntry::process_extra_body(Bytes& data) {
  if (m_state.extra_collect > 0) {
    if (!collect(data, m_state.extra_collect))
      return {};
    read_zip64_sizes();
    m_state.extra_collect = 0;
    m_state.carry_bytes = 0;
  }
  if (!skip(data))
    return {};
  return next_extra_record();
}

void ZipEntry::read_zip64_sizes() {
  // ZIP64 sizes, in this order, for the header fields that hold 0xffffffff.
  LocalHeader& header = m_state.header;
  const std::uint8_t* field = m_state.carry;
  std::size_t left = m_state.extra_collect;
  if (!header.plain_known && left >= 8) {
    header.plain_bytes = read_le64(field);
    header.plain_known = true;
    field += 8;
    left -= 8;
  } else if (left >= 16) {
    field += 8; // both sizes are present in a local header even when one fits 32 bits
    left -= 8;
  }
  if (!header.compressed_known && left >= 8) {
    header.compressed_bytes = read_le64(field);
    header.compressed_known = true;
  }
}

// ---- entry data ---------------------------------------------------------------------------------

Status ZipEntry::start_data() {
  const LocalHeader& header = m_state.header;
  m_state.entry_in = 0;
  if (header.method == kZipMethodStored) {
    if ((header.flags & kZipFlagDescriptor) || !header.compressed_known || !header.plain_known)
      return make_error(ErrorCode::Unsupported,
                        "zip: stored entry without sizes in the local header")
          .at(ErrorWhere::ByteOffset, kLocalCompressedSize);
    if (header.compressed_bytes != header.plain_bytes)
      return make_error(ErrorCode::Corrupt, "zip: stored entry sizes differ")
          .at(ErrorWhere::ByteOffset, kLocalCompressedSize);
    m_state.stored_left = header.compressed_bytes;
    m_state.step = Step::Stored;
    if (m_state.stored_left == 0)
      return end_entry();
    return {};
  }
  EC_TRY(m_deflate->start(Framing::Raw, m_state.consumed));
  m_state.step = Step::Deflate;
  return {};
}

Status ZipEntry::inflate_some(Bytes& data) {
  const std::size_t offered = data.size();
  Result<StreamEnd> end = m_deflate->inflate(data, m_state.consumed);
  const std::size_t taken = offered - data.size();
  m_state.consumed += taken;
  m_state.entry_in += taken;
  EC_TRY(end);
  if (end.value() == StreamEnd::Reached)
    return end_entry();
  return {};
}

Status ZipEntry::process_stored(Bytes& data) {
  const std::size_t taken =
      static_cast<std::size_t>(std::min<std::uint64_t>(m_state.stored_left, data.size()));
  m_state.stored_left -= taken;
  m_state.consumed += taken;
  m_state.entry_in += taken;
  EC_TRY(m_output->write(data.first(taken)));
  data = data.subspan(taken);
  if (m_state.stored_left == 0)
    return end_entry();
  return {};
}

Status ZipEntry::end_entry() {
  const LocalHeader& header = m_state.header;
  m_state.carry_bytes = 0;
  m_state.unit_offset = m_state.consumed;
  if (header.flags & kZipFlagDescriptor) {
    m_state.step = Step::Descriptor;
    return {};
  }
  if (m_output->unit_crc32() != header.crc32)
    return make_error(ErrorCode::Corrupt, "zip: crc-32 mismatch")
        .at(ErrorWhere::ByteOffset, m_state.consumed);
  if ((header.plain_known && m_output->unit_bytes() != header.plain_bytes) ||
      (header.compressed_known && m_state.entry_in != header.compressed_bytes))
    return make_error(ErrorCode::Corrupt, "zip: entry size differs from the local header")
        .at(ErrorWhere::ByteOffset, m_state.consumed);
  m_state.step = Step::After;
  return {};
}

// ---- after the entry ----------------------------------------------------------------------------

Status ZipEntry::process_descriptor(InputEnd input_end) {
  // The entry's own CRC and sizes (known now) and the record that follows tell the readings of
  // the descriptor apart.
  const std::size_t have = m_state.carry_bytes;
  const std::uint32_t crc = m_output->unit_crc32();
  const ZipEntryCounts entry{
      .crc32 = crc, .compressed_bytes = m_state.entry_in, .plain_bytes = m_output->unit_bytes()};
  const std::size_t length = match_zip_descriptor(Bytes(m_state.carry, have), entry, input_end);
  if (length == 0) {
    bool crc_may_match = have < 4 || read_le32(m_state.carry) == crc;
    if (have >= 4 && read_le32(m_state.carry) == kZipDescriptorSignature)
      crc_may_match = crc_may_match || have < 8 || read_le32(m_state.carry + 4) == crc;
    if (!crc_may_match)
      return make_error(ErrorCode::Corrupt, "zip: crc-32 mismatch")
          .at(ErrorWhere::ByteOffset, m_state.unit_offset);
    if (input_end == InputEnd::Reached && have < kZipDescriptorMaxBytes)
      return truncated(m_state.consumed);
    return make_error(ErrorCode::Corrupt, "zip: data descriptor does not match the entry")
        .at(ErrorWhere::ByteOffset, m_state.unit_offset);
  }
  const std::size_t rest = have - length;
  std::memmove(m_state.carry, m_state.carry + length, rest);
  m_state.carry_bytes = rest;
  m_state.unit_offset += length;
  m_state.step = Step::After;
  if (rest >= kZipSignatureBytes || input_end == InputEnd::Reached)
    return process_after(input_end);
  return {};
}

Status ZipEntry::process_after(InputEnd input_end) {
  if (m_state.carry_bytes < kZipSignatureBytes) {
    EC_CHECK(input_end == InputEnd::Reached);
    m_state.step = Step::Ignore; // the file ends after the entry: its data is complete
    return {};
  }
  if (read_le32(m_state.carry) == kZipLocalSignature)
    return make_error(ErrorCode::Unsupported, "zip: more than one entry")
        .at(ErrorWhere::ByteOffset, m_state.unit_offset);
  if (!is_zip_record_signature(m_state.carry))
    return make_error(ErrorCode::Corrupt, "zip: unexpected data after the entry")
        .at(ErrorWhere::ByteOffset, m_state.unit_offset);
  m_state.step = Step::Ignore; // the central directory and end records repeat what we checked
  m_state.carry_bytes = 0;
  return {};
}

} // namespace ec
