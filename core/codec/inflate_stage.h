// core/codec/inflate_stage.h - InflateStage: gzip, single-entry ZIP or plain bytes to plain bytes.
#pragma once

#include "core/base/arena.h"
#include "core/base/byte_sink.h"
#include "core/codec/deflate_stage.h"
#include "core/codec/format_sniffer.h"
#include "core/codec/gzip_members.h"
#include "core/codec/plain_output.h"
#include "core/codec/zip_entry.h"

#include <cstdint>

namespace ec {

/// Decodes the stream pushed into it and pushes the plain bytes downstream in pieces of at most
/// the output window. gzip may have several members; ZIP must hold exactly one entry, deflated or
/// stored; anything else passes through unchanged. zlib's memory comes from the arena given to
/// init() (about 7 KiB of state at init(), plus its 32 KiB window when the first gzip member or
/// deflated entry starts) and is reused across files: nothing is allocated after that. Errors
/// carry the byte offset in the compressed input.
///
/// A composition (curl's content-encoding writers): a FormatSniffer reads the magic and puts a
/// GzipMembers or a ZipEntry stage in front of the one DeflateStage, or passes plain bytes on;
/// every stage writes to one PlainOutput. Their format rules:
/// - gzip (gzip_members.h): all-zero bytes after the last member are padding and ignored (as GNU
///   gzip does); any other byte there is Corrupt "gzip: trailing data after the last member".
/// - ZIP (zip_entry.h): the central directory and end records after the entry are not read (the
///   entry's own CRC-32 is checked); a file that ends right after the entry is accepted. A second
///   local header, encryption, a method other than stored/deflate, or a stored entry without
///   sizes in its local header is Unsupported.
/// - Errors reported by zlib (deflate_stage.h) carry ErrorLib::Zlib, zlib's return code and
///   zlib's message (static text) as the detail. The position of a data error is the offset of
///   the last input byte zlib read; of a truncation, the input length.
/// After an error, write() and finish() return that error again until reset().
class InflateStage final : public ByteSink {
public:
  explicit InflateStage(ByteSink& downstream)
      : m_output(downstream), m_deflate(m_output), m_gzip(m_deflate, m_output),
        m_zip(m_deflate, m_output) {}
  /// As above; zlib then inflates straight into the space `downstream` lends, when it has some.
  explicit InflateStage(BufferedSink& downstream)
      : m_output(downstream), m_deflate(m_output), m_gzip(m_deflate, m_output),
        m_zip(m_deflate, m_output) {}
  // The stages point at each other.
  InflateStage(const InflateStage&) = delete;
  InflateStage& operator=(const InflateStage&) = delete;

  /// Takes the output window (`window_bytes`, > 0) and zlib's state from `arena`, which must
  /// outlive the stage. OutOfMemory (the stage stays unusable) when the arena is too small;
  /// InvalidArgument when called twice or with a zero window.
  Status init(Arena& arena, std::uint32_t window_bytes = 64 * 1024);
  /// Starts a new file; never allocates.
  void reset();

  Status write(Bytes chunk) override;
  /// Truncated when the file ended inside a member; then finishes downstream.
  Status finish() override;

  [[nodiscard]] InputFormat format() const { return m_sniffer.format(); }
  [[nodiscard]] std::uint64_t bytes_in() const { return m_state.bytes_in; }
  [[nodiscard]] std::uint64_t bytes_out() const { return m_output.bytes_out(); }
  /// CRC-32 of all plain bytes produced for this file (checked against gzip/ZIP trailers, and
  /// computed for plain input too): part of a delivery's fingerprint.
  [[nodiscard]] std::uint32_t crc32() const;

private:
  Status process(Bytes data);
  Status start(InputFormat format);
  Status finish_format();
  Status fail(Error error);

  struct State {
    bool finished = false; // finish() succeeded
    bool failed = false;
    Error error; // when failed: returned again by write() and finish()
    std::uint64_t bytes_in = 0;
  };

  // Each stage keeps its per-file state in a struct of defaults that reset() assigns afresh;
  // the arena memory (window, zlib) is the deflate stage's and is kept across files.
  PlainOutput m_output;
  FormatSniffer m_sniffer;
  DeflateStage m_deflate;
  GzipMembers m_gzip;
  ZipEntry m_zip;
  State m_state; // per file
};

} // namespace ec
