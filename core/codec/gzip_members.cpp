// core/codec/gzip_members.cpp - GzipMembers: member boundaries, trailers, padding.
#include "core/codec/gzip_members.h"

#include "core/codec/crc32_concat.h"
#include "core/codec/deflate_stage.h"
#include "core/codec/little_endian.h"
#include "core/codec/plain_output.h"

#include <zlib.h>

#include <cstring>

namespace ec {
namespace {

constexpr std::uint8_t kGzipMagic[2] = {0x1f, 0x8b};
constexpr std::size_t kGzipTrailerBytes = 8; // CRC-32, then ISIZE, little-endian

Error truncated(std::uint64_t position) {
  return make_error(ErrorCode::Truncated, "gzip: file ends inside a compressed member")
      .at(ErrorWhere::ByteOffset, position);
}

} // namespace

Status GzipMembers::start() {
  m_state.consumed = sizeof(kGzipMagic);
  return start_member();
}

Status GzipMembers::write(Bytes data) {
  while (!data.empty()) {
    switch (m_state.step) {
    case Step::Member:
      EC_TRY(inflate_some(data));
      break;
    case Step::Between:
      EC_TRY(process_between(data));
      break;
    case Step::Padding:
      EC_TRY(process_padding(data));
      break;
    }
  }
  return {};
}

Status GzipMembers::finish() {
  switch (m_state.step) {
  case Step::Member:
    return truncated(m_state.consumed);
  case Step::Between:
    if (m_state.magic_bytes > 0) // the first byte of another member's magic
      return truncated(m_state.consumed);
    return {};
  case Step::Padding:
    return {};
  }
  return {};
}

std::uint32_t GzipMembers::crc32() const {
  // Inside a member the output keeps the member's own CRC-32 (the trailer is checked with it), so
  // no byte is run through crc32 twice; the file's CRC is the members' CRCs joined.
  if (m_state.step == Step::Member && m_output->unit_bytes() > 0)
    return crc32_concat(m_state.crc32, m_output->unit_crc32(), m_output->unit_bytes());
  return m_state.crc32;
}

Status GzipMembers::start_member() {
  // The magic has been taken (offsets of a window error are after it); zlib reads it again.
  EC_TRY(m_deflate->start(Framing::GzipMember, m_state.consumed));
  m_state.step = Step::Member;
  m_state.trailer = {};
  m_output->start_unit();
  m_state.consumed -= sizeof(kGzipMagic);
  Bytes magic(kGzipMagic, sizeof(kGzipMagic));
  EC_TRY(inflate_some(magic));
  EC_CHECK(magic.empty());
  return {};
}

Status GzipMembers::inflate_some(Bytes& data) {
  const Bytes offered = data;
  Result<StreamEnd> end = m_deflate->inflate(data, m_state.consumed);
  const std::size_t taken = offered.size() - data.size();
  keep_trailer_bytes(offered.first(taken));
  m_state.consumed += taken;
  EC_TRY(end);
  if (end.value() == StreamEnd::Reached)
    return end_member();
  return {};
}

void GzipMembers::keep_trailer_bytes(Bytes consumed) {
  std::uint8_t* const trailer = m_state.trailer.data();
  if (consumed.size() >= kGzipTrailerBytes) {
    std::memcpy(trailer, consumed.data() + consumed.size() - kGzipTrailerBytes, kGzipTrailerBytes);
    return;
  }
  const std::size_t kept = kGzipTrailerBytes - consumed.size();
  std::memmove(trailer, trailer + consumed.size(), kept);
  std::memcpy(trailer + kept, consumed.data(), consumed.size());
}

Status GzipMembers::check_trailer() const {
  // zlib has taken the 8 trailer bytes last (its data check is off); the errors are the ones zlib
  // gives with the check on, at the same offsets: the last byte of the field that differs.
  EC_CHECK(m_deflate->header_read() && m_state.consumed >= kGzipTrailerBytes);
  if (read_le32(m_state.trailer.data()) != m_output->unit_crc32())
    return make_lib_error(ErrorCode::Corrupt, "gzip: crc-32 mismatch", ErrorLib::Zlib, Z_DATA_ERROR)
        .with_detail("incorrect data check")
        .at(ErrorWhere::ByteOffset, m_state.consumed - 5);
  if (read_le32(m_state.trailer.data() + 4) != static_cast<std::uint32_t>(m_output->unit_bytes()))
    return make_lib_error(ErrorCode::Corrupt, "gzip: size mismatch", ErrorLib::Zlib, Z_DATA_ERROR)
        .with_detail("incorrect length check")
        .at(ErrorWhere::ByteOffset, m_state.consumed - 1);
  return {};
}

Status GzipMembers::end_member() {
  EC_TRY(check_trailer());
  m_state.crc32 = crc32_concat(m_state.crc32, m_output->unit_crc32(), m_output->unit_bytes());
  m_output->start_unit();
  m_state.step = Step::Between;
  m_state.magic_bytes = 0;
  return {};
}

Status GzipMembers::process_between(Bytes& data) {
  while (!data.empty()) {
    const std::uint8_t byte = data[0];
    if (m_state.magic_bytes == 0) {
      if (byte == 0) {
        m_state.step = Step::Padding;
        return {};
      }
      m_state.magic_offset = m_state.consumed;
    }
    if (byte != kGzipMagic[m_state.magic_bytes])
      return make_error(ErrorCode::Corrupt, "gzip: trailing data after the last member")
          .at(ErrorWhere::ByteOffset, m_state.magic_offset);
    ++m_state.magic_bytes;
    ++m_state.consumed;
    data = data.subspan(1);
    if (m_state.magic_bytes == sizeof(kGzipMagic))
      return start_member();
  }
  return {};
}

Status GzipMembers::process_padding(Bytes& data) {
  for (std::size_t i = 0; i < data.size(); ++i)
    if (data[i] != 0)
      return make_error(ErrorCode::Corrupt, "gzip: trailing data after the last member")
          .at(ErrorWhere::ByteOffset, m_state.consumed + i);
  m_state.consumed += data.size();
  data = {};
  return {};
}

} // namespace ec
