// core/codec/format_sniffer.h - FormatSniffer: which format a file is, from its first bytes.
#pragma once

#include "core/base/bytes.h"

#include <cstdint>

namespace ec {

/// What the first bytes of a file said it is (never the file name).
enum class InputFormat : std::uint8_t { Unknown, Plain, Gzip, Zip };

/// Reads the magic at the start of a file, however it is split across chunks: 1f 8b is gzip,
/// "PK\3\4" (a ZIP local file header) is ZIP, anything else is plain. Holds the bytes it took
/// (at most 4), since they belong to the file's first unit.
class FormatSniffer {
public:
  /// Starts a new file.
  void reset() { m_state = {}; }
  /// Takes bytes from the front of `data` until the format is known, and returns it; Unknown
  /// when `data` ran out first (all of it was taken). Once known, takes nothing more.
  [[nodiscard]] InputFormat sniff(Bytes& data);
  /// The file ended: a file shorter than any magic is plain. Returns the format.
  InputFormat end_of_input();
  [[nodiscard]] InputFormat format() const { return m_state.format; }
  /// The bytes taken so far: the whole magic of gzip or ZIP, or the first bytes of a plain file.
  /// Valid until the next sniff() or reset().
  [[nodiscard]] Bytes taken() const { return Bytes(m_state.taken, m_state.taken_bytes); }

private:
  struct State {
    std::uint8_t taken[4] = {}; // the longest magic
    std::uint8_t taken_bytes = 0;
    InputFormat format = InputFormat::Unknown;
  };

  State m_state; // per file
};

} // namespace ec
