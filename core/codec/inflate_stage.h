// core/codec/inflate_stage.h - InflateStage: gzip, single-entry ZIP or plain bytes to plain bytes.
#pragma once

#include "core/base/arena.h"
#include "core/base/byte_sink.h"

#include <cstdint>

namespace ec {

/// What the first bytes of a file said it is (never the file name).
enum class InputFormat : std::uint8_t { Unknown, Plain, Gzip, Zip };

/// Decodes the stream pushed into it and pushes the plain bytes downstream in pieces of at most
/// the output window. gzip may have several members; ZIP must hold exactly one entry, deflated or
/// stored; anything else passes through unchanged. zlib's memory comes from the arena given to
/// init() (about 7 KiB of state plus its 32 KiB window, taken on first use) and is reused across
/// files. Errors carry the byte offset in the compressed input.
class InflateStage final : public ByteSink {
public:
  explicit InflateStage(ByteSink& downstream) : m_downstream(&downstream) {}

  /// Takes the output window (`window_bytes`) and zlib's state from `arena`.
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
  [[nodiscard]] std::uint32_t crc32() const { return m_crc32; }

private:
  // Implementation state: the helper that writes inflate_stage.cpp owns everything below.
  ByteSink* m_downstream;
  InputFormat m_format = InputFormat::Unknown;
  std::uint64_t m_bytes_in = 0;
  std::uint64_t m_bytes_out = 0;
  std::uint32_t m_crc32 = 0;
};

} // namespace ec
