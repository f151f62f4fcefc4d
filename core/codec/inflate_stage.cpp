// core/codec/inflate_stage.cpp - InflateStage: the sniffer, then plain, gzip or ZIP stages.
#include "core/codec/inflate_stage.h"

namespace ec {

Status InflateStage::init(Arena& arena, std::uint32_t window_bytes) {
  if (m_deflate.ready())
    return make_error(ErrorCode::InvalidArgument, "inflate: init called twice");
  if (window_bytes == 0)
    return make_error(ErrorCode::InvalidArgument, "inflate: output window is empty");
  EC_TRY(m_deflate.init(arena, window_bytes));
  m_output.set_max_piece_bytes(window_bytes);
  reset();
  return {};
}

void InflateStage::reset() {
  // zlib itself is reset when a member or entry starts, keeping its window.
  m_state = {};
  m_output.reset();
  m_sniffer.reset();
  m_deflate.reset();
  m_gzip.reset();
  m_zip.reset();
}

std::uint32_t InflateStage::crc32() const {
  if (format() == InputFormat::Gzip)
    return m_gzip.crc32();
  return m_output.unit_crc32(); // one unit: the plain file or the ZIP entry
}

Status InflateStage::fail(Error error) {
  m_state.failed = true;
  m_state.error = error;
  return error;
}

Status InflateStage::write(Bytes chunk) {
  if (m_state.failed)
    return m_state.error;
  if (!m_deflate.ready())
    return make_error(ErrorCode::InvalidArgument, "inflate: write before init");
  if (m_state.finished)
    return make_error(ErrorCode::InvalidArgument, "inflate: write after finish");
  m_state.bytes_in += chunk.size();
  Status status = process(chunk);
  if (!status.ok())
    return fail(status.error());
  return {};
}

Status InflateStage::finish() {
  if (m_state.failed)
    return m_state.error;
  if (!m_deflate.ready())
    return make_error(ErrorCode::InvalidArgument, "inflate: finish before init");
  if (m_state.finished)
    return make_error(ErrorCode::InvalidArgument, "inflate: finish called twice");
  Status status = finish_format();
  if (status.ok()) {
    m_state.finished = true;
    status = m_output.finish();
  }
  if (!status.ok())
    return fail(status.error());
  return {};
}

Status InflateStage::process(Bytes data) {
  if (format() == InputFormat::Unknown) {
    const InputFormat format = m_sniffer.sniff(data);
    if (format == InputFormat::Unknown)
      return {}; // all of `data` may still be a magic
    EC_TRY(start(format));
  }
  switch (format()) {
  case InputFormat::Unknown:
    break;
  case InputFormat::Plain:
    return m_output.write(data);
  case InputFormat::Gzip:
    return m_gzip.write(data);
  case InputFormat::Zip:
    return m_zip.write(data);
  }
  return {};
}

Status InflateStage::start(InputFormat format) {
  switch (format) {
  case InputFormat::Unknown:
    break;
  case InputFormat::Plain: // the bytes the sniffer took are the file's first
    return m_output.write(m_sniffer.taken());
  case InputFormat::Gzip:
    return m_gzip.start();
  case InputFormat::Zip:
    m_zip.start(m_sniffer.taken());
    return {};
  }
  return {};
}

Status InflateStage::finish_format() {
  switch (format()) {
  case InputFormat::Unknown: // shorter than any magic: plain
    return start(m_sniffer.end_of_input());
  case InputFormat::Plain:
    return {};
  case InputFormat::Gzip:
    return m_gzip.finish();
  case InputFormat::Zip:
    return m_zip.finish();
  }
  return {};
}

} // namespace ec
