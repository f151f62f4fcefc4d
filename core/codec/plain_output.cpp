// core/codec/plain_output.cpp - PlainOutput: pieces, lent space and the counters of a file.
#include "core/codec/plain_output.h"

#include "core/codec/crc32_fast.h"

#include <algorithm>

namespace ec {

void PlainOutput::count(Bytes plain) {
  m_state.unit.crc32 = crc32_update(m_state.unit.crc32, plain);
  m_state.unit.bytes += plain.size();
  m_state.bytes_out += plain.size();
}

Status PlainOutput::write(Bytes plain) {
  EC_CHECK(m_max_piece_bytes > 0);
  while (!plain.empty()) {
    const Bytes piece = plain.first(std::min<std::size_t>(plain.size(), m_max_piece_bytes));
    count(piece);
    EC_TRY(m_downstream->write(piece));
    plain = plain.subspan(piece.size());
  }
  return {};
}

MutableBytes PlainOutput::lent_space() {
  return m_lender != nullptr ? m_lender->write_space() : MutableBytes{};
}

Status PlainOutput::commit_lent(Bytes plain) {
  count(plain);
  return m_lender->commit_written(plain.size());
}

} // namespace ec
