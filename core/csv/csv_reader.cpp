// core/csv/csv_reader.cpp - CsvReader: buffering, 64-byte block scanning and row delivery.
#include "core/csv/csv_reader.h"

#include "core/csv/csv_scan.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ec {

namespace {

constexpr std::size_t kBlock = csv_scan::kBlockBytes;
constexpr std::size_t kMaxLimitBytes = std::size_t{1} << 30;
constexpr std::uint32_t kNoTarget = 0xffffffffu;
constexpr std::uint8_t kBom[3] = {0xef, 0xbb, 0xbf};
static_assert(kMaxCsvColumns == 1024, "the header limit message names 1024");

Error line_error(ErrorCode code, ErrorText message, std::uint64_t line) {
  return make_error(code, message).at(ErrorWhere::Line, line);
}

std::string_view text(const std::uint8_t* data, std::size_t begin, std::size_t end) {
  return {reinterpret_cast<const char*>(data) + begin, end - begin};
}

// x86_64's baseline has no POPCNT instruction, so std::popcount is a libgcc call there; nearly
// every x86_64 CPU has it though, so the block scanner is compiled several times: inlined into
// functions built for POPCNT (SSE2) and for AVX2 (with PCLMULQDQ and BMI1), chosen at run time,
// and into a plain one.
#if defined(EC_CSV_HAVE_SSE2) && (defined(__GNUC__) || defined(__clang__))
#define EC_CSV_POPCNT_DISPATCH 1
#define EC_CSV_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define EC_CSV_ALWAYS_INLINE inline
#endif

EC_CSV_ALWAYS_INLINE std::uint32_t count_bits(std::uint64_t bits) {
  return static_cast<std::uint32_t>(std::popcount(bits));
}

EC_CSV_ALWAYS_INLINE std::size_t lowest_bit_index(std::uint64_t bits) {
  return static_cast<std::size_t>(std::countr_zero(bits));
}

bool cpu_has_popcount() {
#if defined(EC_CSV_POPCNT_DISPATCH)
  return __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

bool cpu_has_avx2() {
#if defined(EC_CSV_HAVE_AVX2) && defined(EC_CSV_POPCNT_DISPATCH)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
         __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi");
#else
  return false;
#endif
}

/// What CsvKernel::Best runs here.
CsvKernel best_kernel() {
#if defined(EC_CSV_HAVE_SSE2)
  if (cpu_has_avx2())
    return CsvKernel::Avx2;
  return cpu_has_popcount() ? CsvKernel::Sse2Popcount : CsvKernel::Sse2;
#elif defined(EC_CSV_HAVE_NEON)
  return CsvKernel::Neon;
#else
  return CsvKernel::Portable;
#endif
}

/// States of the byte-at-a-time scanner: Python csv's, plus a CR just after a closing quote
/// (part of a CRLF line end, or a stray byte once the next byte is not LF).
enum class FieldState : std::uint8_t { FieldStart, Unquoted, Quoted, QuoteInQuoted, QuoteThenCr };

/// What the byte-at-a-time scan learned about one record.
struct RecordScan {
  std::size_t line_end = 0;      ///< offset of the LF that ends the record
  std::size_t longest_field = 0; ///< bytes, after unquoting
  std::uint64_t newlines = 0;    ///< LFs in the record, its line end included
  std::uint32_t fields = 0;
  bool stray_quote = false;
};

/// Scans the record that starts at data[begin], looking no further than data[end - 1]. False when
/// its line end is not there yet. This is the reference dialect; the block scanner agrees with it
/// on every record it handles and leaves the others to it.
bool scan_record(const std::uint8_t* data, std::size_t begin, std::size_t end, RecordScan& scan) {
  scan = RecordScan{};
  FieldState state = FieldState::FieldStart;
  std::size_t length = 0;
  for (std::size_t index = begin; index < end; ++index) {
    std::uint8_t byte = data[index];
    if (state == FieldState::Quoted) {
      if (byte == '"') {
        state = FieldState::QuoteInQuoted;
      } else {
        ++length;
        scan.newlines += byte == '\n' ? 1 : 0;
      }
      continue;
    }
    if (state == FieldState::QuoteInQuoted) {
      if (byte == '"') { // a doubled quote stands for one
        ++length;
        state = FieldState::Quoted;
        continue;
      }
      if (byte == '\r') {
        state = FieldState::QuoteThenCr;
        continue;
      }
      if (byte != ',' && byte != '\n') { // text after the closing quote: keep it, as Python does
        scan.stray_quote = true;
        ++length;
        state = FieldState::Unquoted;
        continue;
      }
    } else if (state == FieldState::QuoteThenCr) {
      if (byte != '\n') { // the CR was data after the closing quote; `byte` follows it unquoted
        scan.stray_quote = true;
        ++length;
        state = FieldState::Unquoted;
      }
    } else if (state == FieldState::FieldStart && byte == '"') {
      state = FieldState::Quoted;
      continue;
    }
    // Outside quotes.
    if (byte == ',' || byte == '\n') {
      if (byte == '\n' && state == FieldState::Unquoted && data[index - 1] == '\r')
        --length; // the CR of a CRLF line end
      scan.longest_field = std::max(scan.longest_field, length);
      length = 0;
      ++scan.fields;
      state = FieldState::FieldStart;
      if (byte == '\n') {
        ++scan.newlines;
        scan.line_end = index;
        return true;
      }
      continue;
    }
    ++length;
    state = FieldState::Unquoted;
  }
  return false;
}

/// Unquotes the fields of the finished record [begin, line_end) in place, calling
/// emit(column, text) for each. The record must have no stray quote (scan_record said so).
template <typename Emit>
void unquote_record(std::uint8_t* data, std::size_t begin, std::size_t line_end, Emit&& emit) {
  FieldState state = FieldState::FieldStart;
  std::size_t out = begin;
  std::size_t field = begin;
  std::uint32_t column = 0;
  for (std::size_t index = begin; index < line_end; ++index) {
    std::uint8_t byte = data[index];
    switch (state) {
    case FieldState::Quoted:
      if (byte == '"')
        state = FieldState::QuoteInQuoted;
      else
        data[out++] = byte;
      break;
    case FieldState::QuoteInQuoted:
      if (byte == '"') {
        data[out++] = byte;
        state = FieldState::Quoted;
      } else if (byte == ',') {
        emit(column++, text(data, field, out));
        field = out;
        state = FieldState::FieldStart;
      } // else the CR of a CRLF line end
      break;
    case FieldState::FieldStart:
      if (byte == '"') {
        state = FieldState::Quoted;
        break;
      }
      state = FieldState::Unquoted;
      [[fallthrough]];
    case FieldState::Unquoted:
      if (byte == ',') {
        emit(column++, text(data, field, out));
        field = out;
        state = FieldState::FieldStart;
      } else {
        data[out++] = byte;
      }
      break;
    case FieldState::QuoteThenCr: // only in records with a stray quote, never unquoted
      break;
    }
  }
  if (state == FieldState::Unquoted && data[out - 1] == '\r')
    --out; // the CR of a CRLF line end
  emit(column, text(data, field, out));
}

/// Unquotes in place a field the block scanner checked: unquoted, or `"` ... `"` with every
/// inner quote doubled.
std::string_view unquote_field(std::uint8_t* data, std::size_t begin, std::size_t end) {
  if (begin == end || data[begin] != '"')
    return text(data, begin, end);
  std::size_t inner = begin + 1;
  std::size_t stop = end - 1;
  const void* quote = std::memchr(data + inner, '"', stop - inner);
  if (quote == nullptr)
    return text(data, inner, stop);
  std::size_t out = static_cast<std::size_t>(static_cast<const std::uint8_t*>(quote) - data) + 1;
  std::size_t read = out + 1; // past the second quote of the pair
  while (read < stop) {
    std::uint8_t byte = data[read++];
    if (byte == '"')
      ++read;
    data[out++] = byte;
  }
  return text(data, inner, out);
}

// ---- the block scanner ------------------------------------------------------------------------
// For each 64 bytes it builds bitmasks of quotes and separators; a prefix XOR of the quote bits
// marks what lies inside quotes, so separators outside them end fields and records. That reading
// is RFC 4180's only when every quote opens a field, closes one (followed by a comma, LF or CRLF)
// or is doubled inside one; the bytes where that fails are "odd", and the record holding the
// first of them goes to scan_record(). Only the separators that bound selected fields
// ("targets") have their offsets recorded; the others are counted with popcount.

/// Where next_event() stopped.
enum class ScanEvent : std::uint8_t {
  LineEnd, ///< a record ended: line_end, record_separators and next_line are set
  Odd,     ///< the record in progress holds a byte the block reading cannot classify
  End,     ///< the data ended inside a record (or right after one)
};

/// The block scanner's state between events, starting at a record start.
struct BlockScan {
  std::size_t base = 0;                 ///< offset of the current block
  std::uint64_t separator = 0;          ///< separators of the block not consumed yet
  std::uint64_t line_ends = 0;          ///< those separators that end records
  std::uint64_t newlines = 0;           ///< every LF of the block, quoted ones too
  std::uint64_t odd = 0;                ///< the first odd byte of the block, if any
  std::uint64_t inside_carry = 0;       ///< all ones when the last block ended inside quotes
  std::uint64_t separator_carry = 1;    ///< the byte before the block ended a field
  std::uint64_t close_carry = 0;        ///< the byte before the block was a closing quote
  std::uint64_t close_cr_carry = 0;     ///< ... was a CR right after a closing quote
  std::uint64_t lines_before_block = 0; ///< LFs in the file before `base`
  std::uint32_t separators = 0;         ///< of the record in progress
  std::uint32_t target_index = 0;
  std::uint32_t target = 0;
  bool loaded = false; ///< the masks above belong to the block at `base`
  std::size_t line_end = 0;
  std::uint32_t record_separators = 0;
  std::uint64_t next_line = 0; ///< first line of the next record
};

void start_scan(BlockScan& scan, std::size_t row_start, std::uint64_t row_line,
                std::uint32_t first_target) {
  scan = BlockScan{};
  scan.base = row_start;
  scan.lines_before_block = row_line - 1;
  scan.target = first_target;
}

/// Runs the scan over data[scan.base, end) to its next event. `targets` is sorted and ends with
/// kNoTarget; target_offsets[i] receives the offset of separator targets[i] of each record.
template <typename Kernel>
EC_CSV_ALWAYS_INLINE ScanEvent next_event(BlockScan& state, const std::uint8_t* data,
                                          std::size_t end, const std::uint32_t* targets,
                                          std::size_t* target_offsets) {
  BlockScan scan = state; // in locals, so stores to target_offsets cannot alias it
  for (;;) {
    if (!scan.loaded) {
      if (scan.base >= end) {
        state = scan;
        return ScanEvent::End;
      }
      const csv_scan::BlockMasks masks = Kernel::classify(data + scan.base);
      const std::size_t available = end - scan.base;
      const std::uint64_t valid =
          available >= kBlock ? ~std::uint64_t{0} : (std::uint64_t{1} << available) - 1;
      const std::uint64_t quote = masks.quote & valid;
      const std::uint64_t inside = Kernel::quote_prefix_xor(quote) ^ scan.inside_carry;
      const std::uint64_t open = quote & inside;
      const std::uint64_t close = quote & ~inside;
      const std::uint64_t separator = masks.separator & ~inside & valid;
      const std::uint64_t after_separator = (separator << 1) | scan.separator_carry;
      const std::uint64_t after_close = (close << 1) | scan.close_carry;
      const std::uint64_t close_cr = masks.carriage_return & after_close;
      const std::uint64_t after_close_cr = (close_cr << 1) | scan.close_cr_carry;
      // An opening quote must start a field or double a closing one; a closing quote must be
      // followed by a separator, a quote (doubling) or a CR, and that CR by an LF.
      std::uint64_t odd = (open & ~(after_separator | after_close)) |
                          (after_close & ~(masks.separator | quote | masks.carriage_return)) |
                          (after_close_cr & ~masks.newline);
      odd &= valid;
      odd &= 0 - odd;                           // the first one
      const std::uint64_t before_odd = odd - 1; // all ones when there is none
      scan.separator = separator & before_odd;
      scan.line_ends = separator & masks.newline & before_odd;
      scan.newlines = masks.newline & valid;
      scan.odd = odd;
      scan.inside_carry = 0 - (inside >> 63);
      scan.separator_carry = separator >> 63;
      scan.close_carry = close >> 63;
      scan.close_cr_carry = close_cr >> 63;
      scan.loaded = true;
    }
    while (scan.separator != 0) {
      const std::uint64_t line_end_bit = scan.line_ends & (0 - scan.line_ends);
      std::uint64_t record_part =
          line_end_bit != 0 ? scan.separator & (line_end_bit - 1) : scan.separator;
      const std::uint32_t count = count_bits(record_part);
      if (scan.separators + count > scan.target) { // the target separator is in this block
        for (std::uint32_t skip = scan.target - scan.separators; skip != 0; --skip)
          record_part &= record_part - 1;
        const std::uint64_t bit = record_part & (0 - record_part);
        target_offsets[scan.target_index] = scan.base + lowest_bit_index(bit);
        scan.separator &= ~(bit | (bit - 1));
        scan.separators = scan.target + 1;
        scan.target = targets[++scan.target_index];
        continue;
      }
      scan.separators += count;
      if (line_end_bit == 0)
        break;
      scan.line_end = scan.base + lowest_bit_index(line_end_bit);
      scan.record_separators = scan.separators;
      scan.next_line = scan.lines_before_block +
                       count_bits(scan.newlines & (line_end_bit | (line_end_bit - 1))) + 1;
      scan.separators = 0;
      scan.target_index = 0;
      scan.target = targets[0];
      scan.separator &= ~(line_end_bit | (line_end_bit - 1));
      scan.line_ends &= scan.line_ends - 1;
      state = scan;
      return ScanEvent::LineEnd;
    }
    if (scan.odd != 0) {
      state = scan;
      return ScanEvent::Odd;
    }
    if (scan.newlines != 0)
      scan.lines_before_block += count_bits(scan.newlines);
    scan.base += kBlock;
    scan.loaded = false;
  }
}

using NextEvent = ScanEvent (*)(BlockScan&, const std::uint8_t*, std::size_t, const std::uint32_t*,
                                std::size_t*);

ScanEvent next_event_portable(BlockScan& scan, const std::uint8_t* data, std::size_t end,
                              const std::uint32_t* targets, std::size_t* target_offsets) {
  return next_event<csv_scan::PortableKernel>(scan, data, end, targets, target_offsets);
}

#if defined(EC_CSV_HAVE_SSE2)
ScanEvent next_event_sse2(BlockScan& scan, const std::uint8_t* data, std::size_t end,
                          const std::uint32_t* targets, std::size_t* target_offsets) {
  return next_event<csv_scan::Sse2Kernel>(scan, data, end, targets, target_offsets);
}
#endif

#if defined(EC_CSV_POPCNT_DISPATCH)
__attribute__((target("popcnt"))) ScanEvent
next_event_sse2_popcount(BlockScan& scan, const std::uint8_t* data, std::size_t end,
                         const std::uint32_t* targets, std::size_t* target_offsets) {
  return next_event<csv_scan::Sse2Kernel>(scan, data, end, targets, target_offsets);
}
#endif

#if defined(EC_CSV_HAVE_AVX2) && defined(EC_CSV_POPCNT_DISPATCH)
EC_CSV_TARGET_AVX2 ScanEvent next_event_avx2(BlockScan& scan, const std::uint8_t* data,
                                             std::size_t end, const std::uint32_t* targets,
                                             std::size_t* target_offsets) {
  return next_event<csv_scan::Avx2Kernel>(scan, data, end, targets, target_offsets);
}
#endif

#if defined(EC_CSV_HAVE_NEON)
ScanEvent next_event_neon(BlockScan& scan, const std::uint8_t* data, std::size_t end,
                          const std::uint32_t* targets, std::size_t* target_offsets) {
  return next_event<csv_scan::NeonKernel>(scan, data, end, targets, target_offsets);
}
#endif

/// The scanner for `kernel`, which must be available; Best is resolved first.
NextEvent next_event_function(CsvKernel kernel) {
  switch (kernel) {
  case CsvKernel::Best:
    return next_event_function(best_kernel());
  case CsvKernel::Portable:
    return next_event_portable;
  case CsvKernel::Sse2:
#if defined(EC_CSV_HAVE_SSE2)
    return next_event_sse2;
#else
    break;
#endif
  case CsvKernel::Sse2Popcount:
#if defined(EC_CSV_POPCNT_DISPATCH)
    return next_event_sse2_popcount;
#else
    break;
#endif
  case CsvKernel::Avx2:
#if defined(EC_CSV_HAVE_AVX2) && defined(EC_CSV_POPCNT_DISPATCH)
    return next_event_avx2;
#else
    break;
#endif
  case CsvKernel::Neon:
#if defined(EC_CSV_HAVE_NEON)
    return next_event_neon;
#else
    break;
#endif
  }
  return nullptr;
}

} // namespace

bool csv_kernel_available(CsvKernel kernel) {
  switch (kernel) {
  // NOLINTNEXTLINE(bugprone-branch-clone): the SSE2 branch is `true` only where it is built
  case CsvKernel::Best:
  case CsvKernel::Portable:
    return true;
  case CsvKernel::Sse2:
#if defined(EC_CSV_HAVE_SSE2)
    return true;
#else
    return false;
#endif
  case CsvKernel::Sse2Popcount:
    return cpu_has_popcount();
  case CsvKernel::Avx2:
    return cpu_has_avx2();
  case CsvKernel::Neon:
#if defined(EC_CSV_HAVE_NEON)
    return true;
#else
    return false;
#endif
  }
  return false;
}

const char* csv_kernel_name(CsvKernel kernel) {
  if (!csv_kernel_available(kernel))
    return "unavailable";
  switch (kernel) {
  case CsvKernel::Best:
    return csv_kernel_name(best_kernel());
  case CsvKernel::Portable:
    return "portable";
  case CsvKernel::Sse2:
    return "sse2";
  case CsvKernel::Sse2Popcount:
    return "sse2+popcnt";
  case CsvKernel::Avx2:
    return "avx2";
  case CsvKernel::Neon:
    return "neon";
  }
  return "unknown";
}

void CsvReader::set_kernel(CsvKernel kernel) {
  EC_CHECK(csv_kernel_available(kernel));
  m_kernel = kernel;
}

std::string_view CsvHeader::name(std::uint32_t column) const {
  EC_CHECK(column < m_count);
  return m_names[column];
}

void ColumnSelection::select(std::uint32_t column, std::uint32_t slot) {
  EC_CHECK(slot < kMaxSelectedColumns);
  EC_CHECK(m_count < kMaxSelectedColumns);
  m_columns[m_count] = column;
  m_slots[m_count] = slot;
  ++m_count;
}

void ColumnSelection::clear() {
  m_count = 0;
}

std::size_t CsvReader::arena_bytes(CsvLimits limits) {
  return static_cast<std::size_t>(limits.max_row_bytes) + limits.window_bytes + 1 + kBlock +
         alignof(std::string_view) + kMaxCsvColumns * sizeof(std::string_view);
}

Status CsvReader::init(Arena& arena) {
  if (m_limits.max_field_bytes == 0 || m_limits.max_row_bytes == 0 ||
      m_limits.max_row_bytes > kMaxLimitBytes || m_limits.window_bytes < 2 ||
      m_limits.window_bytes > kMaxLimitBytes)
    return make_error(ErrorCode::InvalidArgument, "csv: limits out of range");
  m_capacity = static_cast<std::size_t>(m_limits.max_row_bytes) + m_limits.window_bytes;
  // One byte for the line end finish() may add, and a zeroed block that loads may read past the
  // data (the bits for it are masked off).
  const std::size_t buffer_bytes = m_capacity + 1 + kBlock;
  m_buffer = static_cast<std::uint8_t*>(arena.allocate(buffer_bytes, 1));
  if (m_buffer == nullptr)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("csv row buffer");
  std::memset(m_buffer, 0, buffer_bytes);
  EC_TRY_ASSIGN(m_names,
                arena.try_allocate_array<std::string_view>(kMaxCsvColumns, "csv header names"));
  reset();
  return {};
}

void CsvReader::reset() {
  m_stage = Stage::StreamStart;
  m_finished = false;
  m_error = Error{};
  m_size = 0;
  m_row_start = 0;
  m_row_line = 1;
  m_column_count = 0;
  clear_selection_plan();
  m_rows = 0;
  m_lines = 0;
}

void CsvReader::clear_selection_plan() {
  m_column_total = 0;
  m_entry_total = 0;
  m_targets[0] = kNoTarget;
  for (std::string_view& field : m_row.m_fields)
    field = {};
}

Status CsvReader::fail(Error error) {
  m_stage = Stage::Failed;
  m_error = error;
  return error;
}

Status CsvReader::write(Bytes chunk) {
  EC_CHECK(m_buffer != nullptr && !m_finished);
  if (m_stage == Stage::Failed)
    return m_error;
  while (!chunk.empty()) {
    if (m_size == m_capacity)
      EC_TRY(make_room());
    std::size_t take = std::min(m_capacity - m_size, chunk.size());
    std::memcpy(m_buffer + m_size, chunk.data(), take);
    m_size += take;
    chunk = chunk.subspan(take);
  }
  return {};
}

MutableBytes CsvReader::write_space() {
  EC_CHECK(m_buffer != nullptr && !m_finished);
  if (m_stage == Stage::Failed)
    return {};
  return {m_buffer + m_size, m_capacity - m_size};
}

Status CsvReader::commit_written(std::size_t bytes) {
  EC_CHECK(m_buffer != nullptr && !m_finished && bytes <= m_capacity - m_size);
  if (m_stage == Stage::Failed)
    return m_error;
  m_size += bytes;
  return {};
}

Status CsvReader::make_room() {
  Status parsed = parse(Final::No);
  if (!parsed.ok())
    return fail(parsed.error());
  if (m_row_start == 0) // one unfinished record fills the buffer: over max_row_bytes by a window
    return fail(line_error(ErrorCode::LimitExceeded, "csv: row exceeds max_row_bytes", m_row_line));
  std::memmove(m_buffer, m_buffer + m_row_start, m_size - m_row_start);
  m_size -= m_row_start;
  m_row_start = 0;
  return {};
}

Status CsvReader::finish() {
  EC_CHECK(m_buffer != nullptr && !m_finished);
  m_finished = true;
  if (m_stage == Stage::Failed)
    return m_error;
  std::size_t added = 0;
  if (m_size > 0 && m_buffer[m_size - 1] != '\n') { // the last line ends with the input
    m_buffer[m_size++] = '\n';
    added = 1;
  }
  Status parsed = parse(Final::Yes);
  if (!parsed.ok())
    return fail(parsed.error());
  if (m_row_start < m_size) { // only a quoted field keeps a record open past the last LF
    if (m_size - added - m_row_start > m_limits.max_row_bytes)
      return fail(
          line_error(ErrorCode::LimitExceeded, "csv: row exceeds max_row_bytes", m_row_line));
    return fail(
        line_error(ErrorCode::Truncated, "csv: file ends inside a quoted field", m_row_line));
  }
  return {};
}

Status CsvReader::parse(Final final) {
  if (m_stage == Stage::StreamStart) {
    if (m_size < sizeof kBom && final == Final::No)
      return {};
    if (m_size >= sizeof kBom && std::memcmp(m_buffer, kBom, sizeof kBom) == 0)
      m_row_start = sizeof kBom;
    m_stage = Stage::Header;
  }
  while (m_stage == Stage::Header) {
    EC_TRY_ASSIGN(RowEnd end, slow_row());
    if (end == RowEnd::Partial)
      return {};
  }
  return scan_rows();
}

Status CsvReader::scan_rows() {
  const NextEvent next = next_event_function(m_kernel);
  BlockScan scan;
  start_scan(scan, m_row_start, m_row_line, m_targets[0]);
  for (;;) {
    switch (next(scan, m_buffer, m_size, m_targets, m_target_offsets)) {
    case ScanEvent::LineEnd:
      EC_TRY(deliver_fast_row(scan.line_end, scan.record_separators));
      m_row_start = scan.line_end + 1;
      m_row_line = scan.next_line;
      m_lines = m_row_line - 1;
      break;
    case ScanEvent::Odd: {
      EC_TRY_ASSIGN(RowEnd row_end, slow_row());
      if (row_end == RowEnd::Partial)
        return {};
      start_scan(scan, m_row_start, m_row_line, m_targets[0]);
      break;
    }
    case ScanEvent::End:
      return {};
    }
  }
}

Result<CsvReader::RowEnd> CsvReader::slow_row() {
  RecordScan scan;
  if (!scan_record(m_buffer, m_row_start, m_size, scan))
    return RowEnd::Partial;
  const std::size_t line_end = scan.line_end;
  std::size_t content_end = line_end;
  if (content_end > m_row_start && m_buffer[content_end - 1] == '\r')
    --content_end;
  if (content_end != m_row_start) { // else an empty line
    if (content_end - m_row_start > m_limits.max_row_bytes)
      return line_error(ErrorCode::LimitExceeded, "csv: row exceeds max_row_bytes", m_row_line);
    if (scan.longest_field > m_limits.max_field_bytes)
      return line_error(ErrorCode::LimitExceeded, "csv: field exceeds max_field_bytes", m_row_line);
    if (m_stage == Stage::Header) {
      if (scan.stray_quote)
        return line_error(ErrorCode::InvalidInput, "csv: stray quote in the header", m_row_line);
      EC_TRY(take_header(line_end, scan.fields));
    } else if (scan.stray_quote) {
      EC_TRY(m_consumer->on_malformed(
          line_error(ErrorCode::InvalidInput, "csv: stray quote", m_row_line)));
    } else if (scan.fields != m_column_count) {
      EC_TRY(m_consumer->on_malformed(
          line_error(ErrorCode::InvalidInput, "csv: wrong number of columns", m_row_line)));
    } else {
      EC_TRY(deliver_slow_row(line_end));
    }
  }
  m_row_start = line_end + 1;
  m_row_line += scan.newlines;
  m_lines = m_row_line - 1;
  return RowEnd::Complete;
}

Status CsvReader::take_header(std::size_t line_end, std::uint32_t fields) {
  if (fields > kMaxCsvColumns)
    return line_error(ErrorCode::LimitExceeded, "csv: header has more than 1024 columns",
                      m_row_line);
  unquote_record(m_buffer, m_row_start, line_end,
                 [this](std::uint32_t column, std::string_view name) { m_names[column] = name; });
  m_column_count = fields;
  CsvHeader header;
  header.m_names = m_names;
  header.m_count = fields;
  ColumnSelection selection;
  EC_TRY(m_consumer->on_header(header, selection));

  clear_selection_plan();
  for (std::uint32_t entry = 0; entry < selection.m_count; ++entry) {
    if (selection.m_columns[entry] >= fields)
      return line_error(ErrorCode::InvalidArgument, "csv: selected column is not in the header",
                        m_row_line);
    m_columns[entry] = selection.m_columns[entry];
  }
  std::sort(m_columns, m_columns + selection.m_count);
  m_column_total =
      static_cast<std::uint32_t>(std::unique(m_columns, m_columns + selection.m_count) - m_columns);
  // Field c runs from just after separator c-1 (or the record start) to separator c (the line end
  // for the last column).
  std::uint32_t target_total = 0;
  for (std::uint32_t index = 0; index < m_column_total; ++index) {
    if (m_columns[index] > 0)
      m_targets[target_total++] = m_columns[index] - 1;
    m_targets[target_total++] = m_columns[index];
  }
  std::sort(m_targets, m_targets + target_total);
  target_total =
      static_cast<std::uint32_t>(std::unique(m_targets, m_targets + target_total) - m_targets);
  m_targets[target_total] = kNoTarget;
  auto target_of = [&](std::uint32_t separator) {
    return static_cast<std::uint32_t>(
        std::lower_bound(m_targets, m_targets + target_total, separator) - m_targets);
  };
  for (std::uint32_t index = 0; index < m_column_total; ++index) {
    std::uint32_t column = m_columns[index];
    m_column_start_target[index] = column > 0 ? target_of(column - 1) : kNoTarget;
    m_column_end_target[index] = target_of(column);
  }
  for (std::uint32_t entry = 0; entry < selection.m_count; ++entry) {
    m_entry_slot[entry] = selection.m_slots[entry];
    m_entry_column[entry] = static_cast<std::uint32_t>(
        std::lower_bound(m_columns, m_columns + m_column_total, selection.m_columns[entry]) -
        m_columns);
  }
  m_entry_total = selection.m_count;
  m_stage = Stage::Rows;
  return {};
}

Status CsvReader::check_row_size(std::size_t content_end, std::size_t line_end) {
  std::size_t bytes = content_end - m_row_start;
  if (bytes > m_limits.max_row_bytes)
    return line_error(ErrorCode::LimitExceeded, "csv: row exceeds max_row_bytes", m_row_line);
  if (bytes > m_limits.max_field_bytes) { // only then can a field be too long
    RecordScan scan;
    scan_record(m_buffer, m_row_start, line_end + 1, scan);
    if (scan.longest_field > m_limits.max_field_bytes)
      return line_error(ErrorCode::LimitExceeded, "csv: field exceeds max_field_bytes", m_row_line);
  }
  return {};
}

Status CsvReader::deliver_fast_row(std::size_t line_end, std::uint32_t separators) {
  const std::size_t begin = m_row_start;
  std::size_t content_end = line_end;
  if (content_end > begin && m_buffer[content_end - 1] == '\r')
    --content_end;
  if (content_end == begin)
    return {}; // an empty line
  EC_TRY(check_row_size(content_end, line_end));
  if (separators + 1 != m_column_count)
    return m_consumer->on_malformed(
        line_error(ErrorCode::InvalidInput, "csv: wrong number of columns", m_row_line));
  const std::uint32_t last_column = m_column_count - 1;
  for (std::uint32_t index = 0; index < m_column_total; ++index) {
    const std::uint32_t column = m_columns[index];
    const std::size_t field_begin =
        column == 0 ? begin : m_target_offsets[m_column_start_target[index]] + 1;
    const std::size_t field_end =
        column == last_column ? content_end : m_target_offsets[m_column_end_target[index]];
    m_column_views[index] = unquote_field(m_buffer, field_begin, field_end);
  }
  return emit_row();
}

Status CsvReader::deliver_slow_row(std::size_t line_end) {
  std::uint32_t next = 0;
  unquote_record(m_buffer, m_row_start, line_end,
                 [this, &next](std::uint32_t column, std::string_view field) {
                   if (next < m_column_total && m_columns[next] == column)
                     m_column_views[next++] = field;
                 });
  return emit_row();
}

Status CsvReader::emit_row() {
  for (std::uint32_t entry = 0; entry < m_entry_total; ++entry)
    m_row.m_fields[m_entry_slot[entry]] = m_column_views[m_entry_column[entry]];
  m_row.m_line = m_row_line;
  ++m_rows;
  return m_consumer->on_row(m_row);
}

} // namespace ec
