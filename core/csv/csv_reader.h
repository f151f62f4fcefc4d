// core/csv/csv_reader.h - CsvReader: an RFC 4180 state machine over a pushed byte stream.
#pragma once

#include "core/base/arena.h"
#include "core/base/byte_sink.h"

#include <cstdint>
#include <string_view>

namespace ec {

/// Bounds of one reader. Crossing either is a LimitExceeded error naming the line; the reader's
/// buffer is max_row_bytes plus a parse window, taken from the arena given to init().
struct CsvLimits {
  std::uint32_t max_field_bytes = 64 * 1024; ///< one field, after unquoting
  std::uint32_t max_row_bytes = 256 * 1024;  ///< one record, including quoted newlines
};

/// Most columns one consumer can select.
inline constexpr std::uint32_t kMaxSelectedColumns = 32;

/// The header row of a file. Names are unquoted; views are valid during on_header() only.
class CsvHeader {
public:
  [[nodiscard]] std::uint32_t column_count() const { return m_count; }
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
  /// selected twice lands in both slots.
  void select(std::uint32_t column, std::uint32_t slot);
  void clear();

private:
  friend class CsvReader;
  std::uint32_t m_columns[kMaxSelectedColumns];
  std::uint32_t m_slots[kMaxSelectedColumns];
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
class CsvReader final : public ByteSink {
public:
  CsvReader(CsvLimits limits, CsvConsumer& consumer) : m_limits(limits), m_consumer(&consumer) {}

  /// Takes the row buffer and the header's name table from `arena`; OutOfMemory when too small.
  Status init(Arena& arena);
  /// Starts a new file (a new header); keeps the buffers.
  void reset();

  Status write(Bytes chunk) override;
  /// Delivers a last row without a final newline; Truncated for an unterminated quote.
  Status finish() override;

  [[nodiscard]] std::uint64_t rows() const { return m_rows; }
  [[nodiscard]] std::uint64_t lines() const { return m_lines; }

private:
  // Implementation state: the helper that writes csv_reader.cpp owns everything below.
  CsvLimits m_limits;
  CsvConsumer* m_consumer;
  std::uint64_t m_rows = 0;
  std::uint64_t m_lines = 0;
};

} // namespace ec
