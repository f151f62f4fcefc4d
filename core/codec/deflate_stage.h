// core/codec/deflate_stage.h - DeflateStage: zlib inflating one deflate stream at a time.
#pragma once

#include "core/base/arena.h"
#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>

struct z_stream_s;  // zlib's stream, kept out of this header
struct gz_header_s; // zlib's gzip header record

namespace ec {

class PlainOutput;

/// Arena bytes one stage takes besides its output window: zlib's stream and state (~7 KiB, at
/// init()) plus zlib's 32 KiB window (on the first compressed file), with alignment slack. Checked
/// against the measured high water mark in tests/codec/inflate_stage_test.cpp.
inline constexpr std::size_t kInflateZlibArenaBytes = 44 * 1024;

/// How the deflate data is wrapped. GzipMember: zlib reads the member's header (and checks its
/// FHCRC) and takes its 8-byte trailer, but the trailer's CRC-32 and ISIZE are left to the caller
/// (GzipMembers), which has the counts already. Raw: deflate data alone (a ZIP entry).
enum class Framing : std::uint8_t { GzipMember, Raw };

/// Whether inflate() stopped at the end of the deflate stream.
enum class StreamEnd : std::uint8_t { NotYet, Reached };

/// One zlib inflate stream, started again for each gzip member or ZIP entry, writing into the
/// plain output (into the space its downstream lends, else into the output window). All memory
/// comes from the arena given to init() and is kept across streams and files: zlib's stream and
/// state at init(), its 32 KiB window when the first stream starts. Nothing is allocated after
/// that, and nothing is freed: a new stream resets zlib (inflateReset2), which keeps the window.
class DeflateStage {
public:
  /// `output` must outlive the stage.
  explicit DeflateStage(PlainOutput& output) : m_output(&output) {}

  /// Takes zlib's stream, the output window (`window_bytes`, > 0) and zlib's state from `arena`,
  /// in that order, which must outlive the stage. OutOfMemory naming the part that did not fit
  /// ("zlib stream", "output window", "zlib state"); the stage then stays not ready().
  Status init(Arena& arena, std::uint32_t window_bytes);
  [[nodiscard]] bool ready() const { return m_zstream != nullptr; }
  /// Forgets the current stream (a new file); zlib and its memory are kept.
  void reset() { m_state = {}; }

  /// Starts a stream. `position` is the input offset reported if zlib's window cannot be taken
  /// (OutOfMemory "inflate: out of memory", detail "zlib window").
  Status start(Framing framing, std::uint64_t position);
  /// Inflates from the front of `data`, whose first byte is at input offset `data_offset`, and
  /// writes the plain bytes to the output. Returns when all of `data` was taken and the output
  /// flushed (NotYet), or at the end of the stream (Reached: `data` holds what follows it).
  /// zlib's errors carry ErrorLib::Zlib, its code and its message as the detail, at the offset
  /// of the last input byte zlib read; an output error comes back unchanged.
  Result<StreamEnd> inflate(Bytes& data, std::uint64_t data_offset);
  /// GzipMember: zlib has read (and checked) the member's header.
  [[nodiscard]] bool header_read() const { return m_state.header_read; }

private:
  enum class ZlibWindow : std::uint8_t { NotYet, Taken };

  Status take_zlib_window(std::uint64_t position);
  [[nodiscard]] MutableBytes output_space(MutableBytes lent) const;
  Status check_header_read();
  [[nodiscard]] Error zlib_error(int code, std::uint64_t consumed) const;

  struct State {
    Framing framing = Framing::Raw;
    bool header_read = false; // GzipMember: see header_read()
  };

  // Kept across streams and files: never cleared by reset().
  PlainOutput* m_output;
  z_stream_s* m_zstream = nullptr;    // in the arena
  gz_header_s* m_gz_header = nullptr; // in the arena: zlib marks it done after a member's header
  std::uint8_t* m_window = nullptr;   // in the arena, m_window_bytes long
  std::uint32_t m_window_bytes = 0;
  ZlibWindow m_zlib_window = ZlibWindow::NotYet; // zlib's own 32 KiB

  State m_state; // per stream
};

} // namespace ec
