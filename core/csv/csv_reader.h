// core/csv/csv_reader.h - CsvReader: an RFC 4180 state machine over a pushed byte stream.
#pragma once

#include "core/base/arena.h"
#include "core/base/byte_sink.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// Bounds of one reader. Crossing either is a LimitExceeded error naming the line; the reader's
/// buffer is max_row_bytes plus a parse window, taken from the arena given to init().
struct CsvLimits {
  std::uint32_t max_field_bytes = 64 * 1024; ///< one field, after unquoting
  std::uint32_t max_row_bytes = 128 * 1024;  ///< one record, including quoted newlines, excluding
                                             ///< its line end (LF or CRLF)
  /// Bytes buffered beyond max_row_bytes before rows are parsed (at least 2). A bigger window
  /// means fewer passes over a row split between two windows; it does not change any result.
  std::uint32_t window_bytes = 64 * 1024;
};

/// Most columns one consumer can select.
inline constexpr std::uint32_t kMaxSelectedColumns = 32;
/// Most columns a header may have; a wider header is LimitExceeded.
inline constexpr std::uint32_t kMaxCsvColumns = 1024;

/// How CsvReader finds quotes and separators. All give identical results. Best is the fastest
/// this build and CPU can run: Avx2 when the CPU has AVX2, PCLMULQDQ, POPCNT and BMI1, else
/// Sse2Popcount, else Sse2 (x86_64); Neon (aarch64); else Portable (plain 64-bit integer code).
enum class CsvKernel : std::uint8_t { Best, Portable, Sse2, Sse2Popcount, Avx2, Neon };

/// Every kernel, for tests and benchmarks that try each one csv_kernel_available() says runs.
inline constexpr CsvKernel kCsvKernels[] = {CsvKernel::Best, CsvKernel::Portable,
                                            CsvKernel::Sse2, CsvKernel::Sse2Popcount,
                                            CsvKernel::Avx2, CsvKernel::Neon};

/// Whether this build and CPU can run `kernel` (Best and Portable always can).
[[nodiscard]] bool csv_kernel_available(CsvKernel kernel);

/// "avx2", "sse2+popcnt", "sse2", "neon" or "portable": what `kernel` runs on this build and CPU
/// ("unavailable" for a kernel it cannot run).
const char* csv_kernel_name(CsvKernel kernel);

/// The header row of a file. Names are unquoted; views are valid during on_header() only.
class CsvHeader {
public:
  [[nodiscard]] std::uint32_t column_count() const { return m_count; }
  /// Name of `column` (< column_count(), else a bug: EC_CHECK).
  [[nodiscard]] std::string_view name(std::uint32_t column) const;

private:
  friend class CsvReader;
  const std::string_view* m_names = nullptr;
  std::uint32_t m_count = 0;
};

/// Which header columns a consumer wants delivered, each into a numbered slot.
class ColumnSelection {
public:
  /// Deliver header column `column` as slot `slot` (< kMaxSelectedColumns) of every row. A column
  /// selected twice lands in both slots; a slot selected twice holds the later column. More than
  /// kMaxSelectedColumns selections, or a slot out of range, is a bug (EC_CHECK). A column not in
  /// the header makes the reader fail with InvalidArgument after on_header().
  void select(std::uint32_t column, std::uint32_t slot);
  void clear();

private:
  friend class CsvReader;
  std::uint32_t m_columns[kMaxSelectedColumns]{};
  std::uint32_t m_slots[kMaxSelectedColumns]{};
  std::uint32_t m_count = 0;
};

/// One data row. Only selected columns are available; views are valid during on_row() only.
class CsvRow {
public:
  /// Unquoted text of the column selected into `slot`; empty when the slot is unused.
  [[nodiscard]] std::string_view field(std::uint32_t slot) const { return m_fields[slot]; }
  /// 1-based physical line on which the row starts (quoted newlines count as lines).
  [[nodiscard]] std::uint64_t line() const { return m_line; }

private:
  friend class CsvReader;
  std::string_view m_fields[kMaxSelectedColumns];
  std::uint64_t m_line = 0;
};

/// Receives the header, then each row, of one file.
class CsvConsumer {
public:
  /// Called once per file with the first row. Select columns into `selection`; an error stops.
  virtual Status on_header(const CsvHeader& header, ColumnSelection& selection) = 0;
  /// Called for each well-formed data row; an error stops the stream.
  virtual Status on_row(const CsvRow& row) = 0;
  /// Called for a row that is not valid CSV (a stray quote) or has a column count unlike the
  /// header's. `why` carries the line. Return an error to stop, success to skip the row.
  virtual Status on_malformed(const Error& why) = 0;

protected:
  ~CsvConsumer() = default;
};

/// Streaming CSV reader: quoted fields, doubled quotes, commas and newlines inside quotes, CRLF,
/// a UTF-8 BOM, empty lines skipped. The result is the same for any split of the input into
/// chunks, down to 1 byte. Allocation-free after init().
///
/// The dialect, precisely (Python's csv module where it is cheap to match):
/// - A record ends at an LF outside quotes; a CR just before it belongs to the line end. A CR
///   anywhere else is an ordinary byte. finish() ends a last record that has no line end.
/// - A record with no bytes before its line end is an empty line: skipped, but counted in lines.
/// - A field is quoted when its first byte is `"`; inside, `""` is one quote, and commas, CR and
///   LF are data. The closing quote must be followed by a comma, the line end or the end of input;
///   anything else is malformed ("csv: stray quote", InvalidInput).
/// - A quote inside an unquoted field (`ab"c`) is an ordinary byte, as in Python. Unlike Python,
///   a lone CR is data rather than a line end, and text after a closing quote is malformed
///   (Python's default keeps it: `"ab"x` reads as `abx`).
/// - EF BB BF at the very start of a file is skipped.
/// - The first record is the header. A stray quote in it is fatal (InvalidInput), as are more
///   than kMaxCsvColumns columns (LimitExceeded) and a selected column the header does not have
///   (InvalidArgument).
/// - A data record is checked in this order: longer than max_row_bytes (fatal), a field longer
///   than max_field_bytes after unquoting (fatal), a stray quote (malformed), a field count unlike
///   the header's (malformed, "csv: wrong number of columns"). Fatal errors are returned from
///   write()/finish(); every error carries ErrorWhere::Line of the record's first line.
/// - finish() inside a quoted field is Truncated ("csv: file ends inside a quoted field"), or
///   LimitExceeded when that unfinished record already has more than max_row_bytes.
/// After an error, write() and finish() return the same error again until reset().
class CsvReader final : public BufferedSink {
public:
  CsvReader(CsvLimits limits, CsvConsumer& consumer) : m_limits(limits), m_consumer(&consumer) {}

  /// Arena bytes init() takes for `limits` (buffer, padding, header name table, alignment).
  [[nodiscard]] static std::size_t arena_bytes(CsvLimits limits);

  /// Takes the row buffer and the header's name table from `arena`; OutOfMemory when too small,
  /// InvalidArgument for limits that are zero, a window under 2 bytes or a row limit over 1 GiB.
  Status init(Arena& arena);
  /// Starts a new file (a new header, line 1, counters zero); keeps the buffers.
  void reset();
  /// Chooses the scanning code (for tests and benchmarks); Best by default. A kernel that
  /// csv_kernel_available() refuses is a bug (EC_CHECK).
  void set_kernel(CsvKernel kernel);

  /// Parses what is buffered: rows are only parsed when the buffer is full, so callbacks for a
  /// chunk may come during a later write() or finish().
  Status write(Bytes chunk) override;
  /// The free end of the row buffer (empty when it is full: write() then parses to make room).
  MutableBytes write_space() override;
  Status commit_written(std::size_t bytes) override;
  /// Delivers a last row without a final newline; Truncated for an unterminated quote. Once per
  /// file: call reset() before the next file.
  Status finish() override;

  /// Data rows delivered to on_row() in this file (not the header, empty lines or malformed rows).
  [[nodiscard]] std::uint64_t rows() const { return m_rows; }
  /// Physical lines consumed by finished records in this file; rows are parsed a window at a
  /// time, so this lags during write() and is exact after finish().
  [[nodiscard]] std::uint64_t lines() const { return m_lines; }

private:
  enum class Stage : std::uint8_t { StreamStart, Header, Rows, Failed };
  enum class Final : std::uint8_t { No, Yes };
  enum class RowEnd : std::uint8_t { Complete, Partial };

  Status make_room();
  Status parse(Final final);
  Status scan_rows();
  Result<RowEnd> slow_row();
  Status take_header(std::size_t line_end, std::uint32_t fields);
  Status deliver_fast_row(std::size_t line_end, std::uint32_t separators);
  Status deliver_slow_row(std::size_t line_end);
  Status emit_row();
  Status check_row_size(std::size_t content_end, std::size_t line_end);
  Status fail(Error error);
  void clear_selection_plan();

  CsvLimits m_limits;
  CsvConsumer* m_consumer;
  CsvKernel m_kernel = CsvKernel::Best;
  Stage m_stage = Stage::StreamStart;
  bool m_finished = false;
  Error m_error;

  // The byte buffer (init()'s arena): m_capacity bytes of data, one more for the line end that
  // finish() adds, and a block of zeroed padding so 64-byte loads never leave it.
  std::uint8_t* m_buffer = nullptr;
  std::size_t m_capacity = 0;
  std::size_t m_size = 0;      ///< bytes held
  std::size_t m_row_start = 0; ///< first byte of the record not yet finished
  std::uint64_t m_row_line = 1;
  std::string_view* m_names = nullptr; ///< kMaxCsvColumns header names (init()'s arena)
  std::uint32_t m_column_count = 0;

  // Selection plan of the current file, built after on_header(). A field's bounds are found
  // from the positions of separators ("targets"): field c spans separator c-1 to separator c.
  std::uint32_t m_column_total = 0;                           ///< distinct selected columns
  std::uint32_t m_columns[kMaxSelectedColumns]{};             ///< sorted, distinct
  std::uint32_t m_column_start_target[kMaxSelectedColumns]{}; ///< index into m_targets
  std::uint32_t m_column_end_target[kMaxSelectedColumns]{};   ///< index into m_targets
  std::uint32_t m_entry_total = 0;                            ///< selections, in order
  std::uint32_t m_entry_slot[kMaxSelectedColumns]{};
  std::uint32_t m_entry_column[kMaxSelectedColumns]{};     ///< index into m_columns
  std::uint32_t m_targets[2 * kMaxSelectedColumns + 1]{};  ///< sorted, then a sentinel
  std::size_t m_target_offsets[2 * kMaxSelectedColumns]{}; ///< of the current record
  std::string_view m_column_views[kMaxSelectedColumns]{};
  CsvRow m_row;

  std::uint64_t m_rows = 0;
  std::uint64_t m_lines = 0;
};

} // namespace ec
