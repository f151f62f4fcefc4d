// core/codec/plain_output.h - PlainOutput: where the inflate stages put plain bytes, counted.
#pragma once

#include "core/base/byte_sink.h"

#include <cstddef>
#include <cstdint>

namespace ec {

/// The end of the inflate chain: passes plain bytes downstream and counts them and their CRC-32,
/// each byte once. A unit is what one trailer or descriptor checks: a gzip member, a ZIP entry,
/// or a whole plain file. Downstream errors come back unchanged (no offset is added to them).
class PlainOutput {
public:
  explicit PlainOutput(ByteSink& downstream) : m_downstream(&downstream) {}
  /// As above; lent_space() then offers the space `downstream` lends.
  explicit PlainOutput(BufferedSink& downstream)
      : m_downstream(&downstream), m_lender(&downstream) {}

  /// write() passes bytes on in pieces of at most `max_piece_bytes` (> 0): the output window.
  void set_max_piece_bytes(std::uint32_t max_piece_bytes) { m_max_piece_bytes = max_piece_bytes; }
  /// Starts a new file: the counters go back to zero.
  void reset() { m_state = {}; }
  /// Starts a new unit inside the file (a gzip member): its counters go back to zero.
  void start_unit() { m_state.unit = {}; }

  /// Counts `plain` and writes it downstream in pieces; `plain` is valid during the call only.
  Status write(Bytes plain);
  /// Whether the downstream may lend space (it is a BufferedSink).
  [[nodiscard]] bool lends() const { return m_lender != nullptr; }
  /// Space the downstream lends, valid until the next call on this output; empty when it lends
  /// none now (or never does: see lends()).
  [[nodiscard]] MutableBytes lent_space();
  /// `plain`, the first bytes of the last lent_space(), were filled: counts them (before the
  /// downstream may reuse the space) and commits them.
  Status commit_lent(Bytes plain);
  /// Finishes the downstream.
  Status finish() { return m_downstream->finish(); }

  /// Plain bytes of the file so far, including a piece the downstream refused.
  [[nodiscard]] std::uint64_t bytes_out() const { return m_state.bytes_out; }
  /// Plain bytes, and their CRC-32, of the current unit.
  [[nodiscard]] std::uint64_t unit_bytes() const { return m_state.unit.bytes; }
  [[nodiscard]] std::uint32_t unit_crc32() const { return m_state.unit.crc32; }

private:
  void count(Bytes plain);

  struct Unit {
    std::uint64_t bytes = 0;
    std::uint32_t crc32 = 0;
  };
  struct State {
    std::uint64_t bytes_out = 0;
    Unit unit;
  };

  ByteSink* m_downstream;
  BufferedSink* m_lender = nullptr; // m_downstream, when it lends its buffer
  std::uint32_t m_max_piece_bytes = 0;
  State m_state; // per file
};

} // namespace ec
