// tests/csv/csv_reference.h - An oracle for CsvReader (its dialect written the obvious way) and a
// runner that records what CsvReader delivers, as comparable transcripts. No gtest: the fuzzer uses
// it.
#pragma once

#include "core/base/arena.h"
#include "core/csv/csv_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ec::csv_test {

/// (column, slot) pairs; an empty list with select_all selects columns 0..31 into slots 0..31.
struct Selection {
  bool select_all = true;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
};

/// What a consumer saw, rendered as one readable string: "H a|b; R2 1|2; M3 csv: ...; OK r1 l3".
/// Field text escapes CR and LF as \r and \n.
inline std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

/// The dialect of csv_reader.h, written the obvious way: byte at a time over the whole input with
/// one byte of lookahead, building every field as a std::string. Returns the transcript run()
/// would, for a consumer that skips malformed rows.
inline std::string reference(std::string input, const CsvLimits& limits, const Selection& sel) {
  std::string out;
  std::size_t pos = 0;
  if (input.size() >= 3 && input.compare(0, 3, "\xEF\xBB\xBF") == 0)
    pos = 3;
  std::size_t added = 0;
  if (!input.empty() && input.back() != '\n') {
    input += '\n';
    added = 1;
  }
  std::uint64_t line = 1;
  std::uint64_t rows = 0;
  std::uint64_t lines = 0;
  bool have_header = false;
  std::size_t column_count = 0;
  std::uint32_t slots = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  auto finish = [&](const std::string& status) {
    return out + status + " r" + std::to_string(rows) + " l" + std::to_string(lines);
  };
  while (pos < input.size()) {
    const std::size_t start = pos;
    const std::uint64_t start_line = line;
    std::vector<std::string> fields(1);
    enum { FieldStart, Unquoted, Quoted, QuoteInQuoted } state = FieldStart;
    bool stray = false;
    std::size_t raw = 0; // bytes before the line end
    for (;;) {
      if (pos == input.size()) { // still inside quotes at the end
        std::size_t bytes = input.size() - added - start;
        if (bytes > limits.max_row_bytes)
          return finish("ERR limit-exceeded csv: row exceeds max_row_bytes @" +
                        std::to_string(start_line));
        return finish("ERR truncated csv: file ends inside a quoted field @" +
                      std::to_string(start_line));
      }
      char c = input[pos];
      bool crlf = c == '\r' && pos + 1 < input.size() && input[pos + 1] == '\n';
      if (state == Quoted) {
        if (c == '"') {
          state = QuoteInQuoted;
        } else {
          fields.back() += c;
          line += c == '\n' ? 1 : 0;
        }
        ++pos;
        continue;
      }
      // FieldStart, Unquoted or QuoteInQuoted: outside quotes.
      if (c == '\n' || crlf) {
        raw = pos - start;
        pos += crlf ? 2 : 1;
        ++line;
        break;
      }
      if (c == ',') {
        fields.emplace_back();
        state = FieldStart;
      } else if (c == '"' && state == FieldStart) {
        state = Quoted;
      } else if (c == '"' && state == QuoteInQuoted) {
        fields.back() += '"';
        state = Quoted;
      } else {
        if (state == QuoteInQuoted)
          stray = true;
        fields.back() += c;
        state = Unquoted;
      }
      ++pos;
    }
    if (raw == 0) { // an empty line
      lines = line - 1;
      continue;
    }
    const std::string at = " @" + std::to_string(start_line);
    if (raw > limits.max_row_bytes)
      return finish("ERR limit-exceeded csv: row exceeds max_row_bytes" + at);
    for (const std::string& field : fields)
      if (field.size() > limits.max_field_bytes)
        return finish("ERR limit-exceeded csv: field exceeds max_field_bytes" + at);
    if (!have_header) {
      if (stray)
        return finish("ERR invalid-input csv: stray quote in the header" + at);
      if (fields.size() > kMaxCsvColumns)
        return finish("ERR limit-exceeded csv: header has more than 1024 columns" + at);
      out += "H ";
      for (std::size_t i = 0; i < fields.size(); ++i)
        out += (i ? "|" : "") + escape(fields[i]);
      out += "; ";
      column_count = fields.size();
      if (sel.select_all) {
        for (std::uint32_t column = 0; column < column_count && column < 32; ++column)
          pairs.emplace_back(column, column);
      } else {
        pairs = sel.pairs;
      }
      for (auto [column, slot] : pairs) {
        slots = std::max(slots, slot + 1);
        if (column >= column_count)
          return finish("ERR invalid-argument csv: selected column is not in the header" + at);
      }
      have_header = true;
    } else if (stray) {
      out += "M" + std::to_string(start_line) + " csv: stray quote; ";
    } else if (fields.size() != column_count) {
      out += "M" + std::to_string(start_line) + " csv: wrong number of columns; ";
    } else {
      std::vector<std::string> slot_text(slots);
      for (auto [column, slot] : pairs)
        slot_text[slot] = fields[column];
      out += "R" + std::to_string(start_line) + " ";
      for (std::uint32_t slot = 0; slot < slots; ++slot)
        out += (slot ? "|" : "") + escape(slot_text[slot]);
      out += "; ";
      ++rows;
    }
    lines = line - 1;
  }
  return finish("OK");
}

/// Records events into a transcript.
class Recorder final : public CsvConsumer {
public:
  explicit Recorder(Selection selection) : m_selection(std::move(selection)) {}

  Status on_header(const CsvHeader& header, ColumnSelection& selection) override {
    m_text += "H ";
    for (std::uint32_t column = 0; column < header.column_count(); ++column) {
      m_text += column ? "|" : "";
      m_text += escape(header.name(column));
    }
    m_text += "; ";
    m_slots = 0;
    if (m_selection.select_all) {
      for (std::uint32_t column = 0; column < header.column_count() && column < 32; ++column)
        selection.select(column, column);
      m_slots = header.column_count() < 32 ? header.column_count() : 32;
    } else {
      for (auto [column, slot] : m_selection.pairs) {
        selection.select(column, slot);
        m_slots = slot + 1 > m_slots ? slot + 1 : m_slots;
      }
    }
    return {};
  }
  Status on_row(const CsvRow& row) override {
    m_text += "R";
    m_text += std::to_string(row.line());
    m_text += " ";
    for (std::uint32_t slot = 0; slot < m_slots; ++slot) {
      m_text += slot ? "|" : "";
      m_text += escape(row.field(slot));
    }
    m_text += "; ";
    ++m_rows_seen;
    if (m_stop_at_row != 0 && m_rows_seen == m_stop_at_row)
      return make_error(ErrorCode::InvalidArgument, "test: stop at row");
    return {};
  }
  Status on_malformed(const Error& why) override {
    m_text += "M";
    m_text += std::to_string(why.position);
    m_text += " ";
    m_text += why.message;
    m_text += "; ";
    if (why.where != ErrorWhere::Line || why.code != ErrorCode::InvalidInput)
      m_text += "(malformed report without a line or with the wrong code) ";
    if (m_stop_on_malformed)
      return why;
    return {};
  }

  std::string m_text;
  Selection m_selection;
  std::uint32_t m_slots = 0;
  std::uint64_t m_rows_seen = 0;
  std::uint64_t m_stop_at_row = 0; ///< on_row fails at this row (1-based); 0 never
  bool m_stop_on_malformed = false;
};

/// How the input is pushed. Lent fills random parts of the reader's write_space() (as
/// InflateStage does), with a write() now and then and whenever no space is lent.
enum class Split { Whole, OneByte, Random, At, Lent };

/// Each kernel this build and CPU can run (Best is one of them, so it is left out): tests run
/// their input through all of them and expect identical transcripts.
inline std::vector<CsvKernel> kernels_under_test() {
  std::vector<CsvKernel> kernels;
  for (CsvKernel kernel : kCsvKernels)
    if (kernel != CsvKernel::Best && csv_kernel_available(kernel))
      kernels.push_back(kernel);
  return kernels;
}

struct RunOptions {
  CsvLimits limits{};
  Selection selection{};
  CsvKernel kernel = CsvKernel::Best;
  Split split = Split::Whole;
  std::uint32_t seed = 1;   ///< of Split::Random
  std::size_t split_at = 0; ///< Split::At: two writes, [0, split_at) and the rest
  std::uint64_t stop_at_row = 0;
  bool stop_on_malformed = false;
};

inline std::string describe_error(const Error& error) {
  std::string out = std::string(error_code_name(error.code)) + " " + error.message;
  if (error.where == ErrorWhere::Line)
    out += " @" + std::to_string(error.position);
  return out;
}

/// Feeds `input` to a fresh reader; returns the transcript ending in "OK r<rows> l<lines>" or the
/// error ("ERR <code> <message> @<line> r<rows> l<lines>").
inline std::string run(const std::string& input, const RunOptions& options) {
  Recorder recorder(options.selection);
  recorder.m_stop_at_row = options.stop_at_row;
  recorder.m_stop_on_malformed = options.stop_on_malformed;
  const std::size_t arena_size = CsvReader::arena_bytes(options.limits);
  std::unique_ptr<std::uint8_t[]> storage(new std::uint8_t[arena_size]);
  Arena arena(MutableBytes(storage.get(), arena_size));
  CsvReader reader(options.limits, recorder);
  Status init = reader.init(arena);
  if (!init.ok())
    return "INIT " + describe_error(init.error());
  reader.set_kernel(options.kernel);
  Bytes bytes = as_bytes(input);
  std::mt19937 random(options.seed);
  Status status;
  std::size_t offset = 0;
  while (offset < bytes.size() && status.ok()) {
    std::size_t take = bytes.size() - offset;
    if (options.split == Split::Lent && random() % 4 != 0) {
      MutableBytes space = reader.write_space();
      if (!space.empty()) {
        take = std::min({take, space.size(), std::size_t{1 + random() % 4096}});
        std::memcpy(space.data(), bytes.data() + offset, take);
        status = reader.commit_written(take);
        offset += take;
        continue;
      }
    }
    if (options.split == Split::OneByte) {
      take = 1;
    } else if (options.split == Split::At && offset < options.split_at) {
      take = std::min(take, options.split_at - offset);
    } else if (options.split == Split::Random || options.split == Split::Lent) {
      // Mostly small pieces, sometimes big ones, sometimes empty writes.
      std::uint32_t kind = random() % 8;
      std::size_t most = kind == 0 ? 0 : kind < 6 ? 1 + random() % 16 : 1 + random() % 4096;
      take = std::min(take, most);
    }
    status = reader.write(bytes.subspan(offset, take));
    offset += take;
  }
  if (status.ok())
    status = reader.finish();
  std::string out = recorder.m_text;
  if (status.ok())
    out += "OK";
  else
    out += "ERR " + describe_error(status.error());
  out += " r" + std::to_string(reader.rows()) + " l" + std::to_string(reader.lines());
  return out;
}

} // namespace ec::csv_test
