// tests/csv/csv_reader_test.cpp - CsvReader rules, limits, memory and the real CUR samples.
#include "core/csv/csv_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/csv/csv_harness.h"

namespace ec {
namespace {

using csv_test::all_splits;
using csv_test::kernels_under_test;
using csv_test::reference;
using csv_test::run;
using csv_test::RunOptions;
using csv_test::Selection;
using csv_test::Split;

struct Case {
  const char* name;
  std::string input;
  std::string expected;
};

/// Runs `input` whole, in 1-byte chunks and in random splits, with every kernel; each transcript
/// must be `expected`, and the reference parser must agree with it too.
void expect_everywhere(const std::string& name, const std::string& input,
                       const std::string& expected, const RunOptions& base = RunOptions{}) {
  for (const auto& [how, options] : all_splits(base)) {
    EXPECT_EQ(run(input, options), expected) << name << " (" << how << ")";
  }
  if (base.stop_at_row == 0 && !base.stop_on_malformed) {
    EXPECT_EQ(reference(input, base.limits, base.selection), expected) << name << " (reference)";
  }
}

void expect_cases(const std::vector<Case>& cases, const RunOptions& base = RunOptions{}) {
  for (const Case& test : cases)
    expect_everywhere(test.name, test.input, test.expected, base);
}

TEST(CsvReader, RecordsAndLineEnds) {
  expect_cases({
      {"basic", "a,b\n1,2\n3,4\n", "H a|b; R2 1|2; R3 3|4; OK r2 l3"},
      {"no final newline", "a,b\n1,2", "H a|b; R2 1|2; OK r1 l2"},
      {"crlf", "a,b\r\n1,2\r\n", "H a|b; R2 1|2; OK r1 l2"},
      {"crlf, last line ends with a lone cr", "a,b\r\n1,2\r", "H a|b; R2 1|2; OK r1 l2"},
      {"trailing empty field", "a,b\n1,\n", "H a|b; R2 1|; OK r1 l2"},
      {"trailing empty field crlf", "a,b\r\n1,\r\n", "H a|b; R2 1|; OK r1 l2"},
      {"leading empty field", "a,b\n,2\n", "H a|b; R2 |2; OK r1 l2"},
      {"lone cr is data", "a,b\n1\r2,3\n", "H a|b; R2 1\\r2|3; OK r1 l2"},
      {"cr before crlf stays", "a\n1\r\r\n", "H a; R2 1\\r; OK r1 l2"},
      {"header only", "a,b\n", "H a|b; OK r0 l1"},
      {"header only, no newline", "a,b", "H a|b; OK r0 l1"},
      {"empty input", "", "OK r0 l0"},
      {"single column", "x\n1\n\n2\n", "H x; R2 1; R4 2; OK r2 l4"},
  });
}

TEST(CsvReader, LentSpaceIsTheFreeBufferAndWriteMakesRoom) {
  CsvLimits limits;
  limits.max_row_bytes = 64;
  limits.max_field_bytes = 64;
  limits.window_bytes = 64;
  csv_test::Recorder recorder(Selection{});
  std::vector<std::uint8_t> storage(CsvReader::arena_bytes(limits));
  Arena arena(MutableBytes(storage.data(), storage.size()));
  CsvReader reader(limits, recorder);
  ASSERT_TRUE(reader.init(arena).ok());
  std::string input = "a,b\n";
  for (int row = 0; row < 100; ++row)
    input += std::to_string(row) + ",x\n";
  std::size_t offset = 0;
  int full = 0;
  bool first = true;
  while (offset < input.size()) {
    MutableBytes space = reader.write_space();
    if (first) {
      EXPECT_EQ(space.size(), 128u); // max_row_bytes + window_bytes, all free
    }
    first = false;
    if (space.empty()) { // full: write() parses the held rows to make room
      ++full;
      ASSERT_TRUE(reader.write(as_bytes(input).subspan(offset, 1)).ok());
      ++offset;
      continue;
    }
    std::size_t take = std::min(space.size(), input.size() - offset);
    std::memcpy(space.data(), input.data() + offset, take);
    ASSERT_TRUE(reader.commit_written(take).ok());
    offset += take;
  }
  ASSERT_TRUE(reader.finish().ok());
  EXPECT_EQ(full, 3); // 494 bytes through a 128-byte buffer
  EXPECT_EQ(reader.rows(), 100u);
  EXPECT_EQ(reader.lines(), 101u);
  EXPECT_NE(recorder.m_text.find("R101 99|x; "), std::string::npos);
}

TEST(CsvReader, QuotedFields) {
  expect_cases({
      {"comma and doubled quote", "a,b\n\"x,y\",\"q\"\"z\"\n", "H a|b; R2 x,y|q\"z; OK r1 l2"},
      {"quoted newline counts a line", "a,b\n\"x\ny\",2\n3,4\n",
       "H a|b; R2 x\\ny|2; R4 3|4; OK r2 l4"},
      {"quoted crlf kept", "a,b\r\n\"x\r\ny\",2\r\n", "H a|b; R2 x\\r\\ny|2; OK r1 l3"},
      {"quoted lone cr kept", "a\n\"x\ry\"\n", "H a; R2 x\\ry; OK r1 l2"},
      {"quoted last field then crlf", "a,b\r\n1,\"x\"\r\n", "H a|b; R2 1|x; OK r1 l2"},
      {"quoted comma at the end then crlf", "a,b\r\n1,\"x,\"\r\n", "H a|b; R2 1|x,; OK r1 l2"},
      {"empty quoted field is not an empty line", "a\n\"\"\n", "H a; R2 ; OK r1 l2"},
      {"only doubled quotes", "a\n\"\"\"\"\n", "H a; R2 \"; OK r1 l2"},
      {"quoted field at end of input", "a\n\"x\"", "H a; R2 x; OK r1 l2"},
      {"quoted header names", "\"na,me\",\"q\"\"\"\n1,2\n", "H na,me|q\"; R2 1|2; OK r1 l2"},
      {"several quoted lines", "a,b\n\"1\n2\n3\",x\n4,5\n",
       "H a|b; R2 1\\n2\\n3|x; R5 4|5; OK r2 l5"},
  });
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsLiteralAsInPython) {
  expect_cases({
      {"mid-field quote", "a,b\nab\"c,2\n", "H a|b; R2 ab\"c|2; OK r1 l2"},
      {"two mid-field quotes around a comma", "a,b\nx\"y,z\"w\n", "H a|b; R2 x\"y|z\"w; OK r1 l2"},
      {"quote after a space", "a\n \"x\"\n", "H a; R2  \"x\"; OK r1 l2"},
      {"quote after a lone cr", "a\n\r\"x\"\n", "H a; R2 \\r\"x\"; OK r1 l2"},
      {"trailing quote", "a,b\nx\",y\n", "H a|b; R2 x\"|y; OK r1 l2"},
  });
}

TEST(CsvReader, EmptyLinesAndBom) {
  expect_cases({
      {"empty lines anywhere", "\n\na,b\n\n1,2\n\r\n\n3,4\n\n", "H a|b; R5 1|2; R8 3|4; OK r2 l9"},
      {"only empty lines", "\n\r\n", "OK r0 l2"},
      {"bom",
       "\xEF\xBB\xBF"
       "a,b\n1,2\n",
       "H a|b; R2 1|2; OK r1 l2"},
      {"bom then quoted header", "\xEF\xBB\xBF\"a\",b\n1,2\n", "H a|b; R2 1|2; OK r1 l2"},
      {"bom only", "\xEF\xBB\xBF", "OK r0 l1"},
      {"bom later is data",
       "a,b\n\xEF\xBB\xBF"
       "1,2\n",
       "H a|b; R2 \xEF\xBB\xBF"
       "1|2; OK r1 l2"},
      {"half a bom is data", "\xEF\xBB", "H \xEF\xBB; OK r0 l1"},
  });
}

TEST(CsvReader, MalformedRowsAreReportedAndSkipped) {
  expect_cases({
      {"wrong column counts", "a,b\n1\n1,2,3\n4,5\n",
       "H a|b; M2 csv: wrong number of columns; M3 csv: wrong number of columns; R4 4|5; OK r1 l4"},
      {"text after closing quote", "a,b\n\"x\"y,2\n3,4\n",
       "H a|b; M2 csv: stray quote; R3 3|4; OK r1 l3"},
      {"stray quote wins over column count", "a,b\n\"x\"y\n",
       "H a|b; M2 csv: stray quote; OK r0 l2"},
      {"cr then text after closing quote", "a,b\n\"x\"\ry,2\n",
       "H a|b; M2 csv: stray quote; OK r0 l2"},
      {"cr then comma after closing quote", "a,b\n\"x\"\r,2\n",
       "H a|b; M2 csv: stray quote; OK r0 l2"},
      {"quote, cr, quote", "a\n\"x\"\r\"\n", "H a; M2 csv: stray quote; OK r0 l2"},
      {"stray quote with later quoted newline keeps lines", "a\n\"p\"q\"\n\"\n\"r\"\n",
       "H a; M2 csv: stray quote; M3 csv: stray quote; OK r0 l4"},
      {"malformed row spanning lines", "a,b\n\"1\n2\",3,4\n5,6\n",
       "H a|b; M2 csv: wrong number of columns; R4 5|6; OK r1 l4"},
      {"more than 1024 fields in a data row", "a\n" + std::string(1500, ','),
       "H a; M2 csv: wrong number of columns; OK r0 l2"},
  });
}

TEST(CsvReader, FatalErrorsNameTheLine) {
  expect_cases({
      {"unterminated quote", "a,b\n1,\"abc\n",
       "H a|b; ERR truncated csv: file ends inside a quoted field @2 r0 l1"},
      {"unterminated quote after quoted lines", "a,b\n\"x\ny\",1\n2,\"\n\n",
       "H a|b; R2 x\\ny|1; ERR truncated csv: file ends inside a quoted field @4 r1 l3"},
      {"unterminated quote in header", "\"a,b\n",
       "ERR truncated csv: file ends inside a quoted field @1 r0 l0"},
      {"stray quote in header", "\n\"a\"b,c\n1,2\n",
       "ERR invalid-input csv: stray quote in the header @2 r0 l1"},
  });
}

TEST(CsvReader, HeaderColumnLimit) {
  std::string names;
  for (std::uint32_t column = 0; column < kMaxCsvColumns; ++column) {
    names += column ? "," : "";
    names += std::to_string(column % 10);
  }
  std::string row(kMaxCsvColumns - 1, ',');
  RunOptions options;
  options.selection.select_all = false;
  options.selection.pairs = {{1023, 0}, {0, 1}};
  std::string expected_header = "H " + names;
  for (char& c : expected_header)
    c = c == ',' ? '|' : c;
  expect_everywhere("1024 columns", names + "\n" + row + "x\n",
                    expected_header + "; R2 x|; OK r1 l2", options);
  expect_everywhere("1025 columns", names + ",z\n" + row + "x\n",
                    "ERR limit-exceeded csv: header has more than 1024 columns @1 r0 l0", options);
}

TEST(CsvReader, SelectedColumnsLandInTheirSlots) {
  RunOptions options;
  options.selection.select_all = false;
  options.selection.pairs = {{2, 0}, {0, 1}, {2, 5}, {3, 3}, {1, 3}}; // slot 3 holds column 1
  expect_everywhere("slots", "a,b,c,d\n1,2,\"x,3\",4\r\n5,6,7,8",
                    "H a|b|c|d; R2 x,3|1||2||x,3; R3 7|5||6||7; OK r2 l3", options);

  options.selection.pairs = {{3, 0}};
  expect_everywhere("last column quoted before crlf", "a,b,c,d\r\n1,2,3,\"x\"\"y\"\r\n",
                    "H a|b|c|d; R2 x\"y; OK r1 l2", options);

  options.selection.pairs = {};
  expect_everywhere("no selection", "a,b\n1,2\n3,4\n5\n",
                    "H a|b; R2 ; R3 ; M4 csv: wrong number of columns; OK r2 l4", options);

  options.selection.pairs = {{5, 0}};
  expect_everywhere(
      "column outside header", "a,b,c\n1,2,3\n",
      "H a|b|c; ERR invalid-argument csv: selected column is not in the header @1 r0 l0", options);
}

TEST(CsvReader, WideRowsAcrossBlocks) {
  // 40 columns of varied widths so separators, quotes and CRLFs fall on every block offset.
  std::string header;
  for (int column = 0; column < 40; ++column)
    header += (column ? "," : "") + std::string("c") + std::to_string(column);
  std::string input = header + "\r\n";
  std::string expected = "H " + header + "; ";
  for (char& c : expected)
    c = c == ',' ? '|' : c;
  RunOptions options;
  options.selection.select_all = false;
  options.selection.pairs = {{0, 0}, {5, 1}, {39, 2}, {17, 3}, {18, 4}};
  for (int row = 0; row < 60; ++row) {
    std::vector<std::string> values;
    std::string line;
    for (int column = 0; column < 40; ++column) {
      std::string value = std::string(static_cast<std::size_t>((row * 7 + column * 3) % 11), 'v');
      std::string raw = value;
      if ((row + column) % 5 == 0) {
        value.insert(0, "q,\"");
        raw.insert(0, "\"q,\"\"");
        raw += "\"";
      }
      values.push_back(value);
      line += column ? "," : "";
      line += raw;
    }
    input += line;
    input += row % 2 ? "\r\n" : "\n";
    expected += "R";
    expected += std::to_string(row + 2);
    for (int column : {0, 5, 39, 17, 18}) {
      expected += column ? "|" : " ";
      expected += values[static_cast<std::size_t>(column)];
    }
    expected += "; ";
  }
  expect_everywhere("wide rows", input, expected + "OK r60 l61", options);
}

TEST(CsvReader, BlockBoundarySweep) {
  // Every interesting two- or three-byte pattern at every offset around the 64-byte boundaries.
  const std::vector<std::string> tails = {
      "\"q\"\r\n", "\"q\"\"\",z\n", "\"x\"y,z\n", "\"x\"\ry\n", "ab\"c,\"\"\n",    "\"a\nb\",c\r\n",
      ",\"\"\n",   "\"\"\"\"\n",    "\r\n",       "\"x\"\r",    "\"unterminated\n"};
  int count = 0;
  for (const std::string& tail : tails) {
    for (std::size_t pad = 0; pad < 140; ++pad) {
      std::string input = "a,b\n" + std::string(pad, 'p') + "," + tail + "1,2\n";
      RunOptions options;
      std::string expected = reference(input, options.limits, options.selection);
      for (CsvKernel kernel : kernels_under_test()) {
        options.kernel = kernel;
        options.split = Split::Whole;
        EXPECT_EQ(run(input, options), expected)
            << "pad " << pad << " tail " << csv_test::escape(tail);
        options.split = Split::Random;
        options.seed = static_cast<std::uint32_t>(pad);
        EXPECT_EQ(run(input, options), expected)
            << "pad " << pad << " tail " << csv_test::escape(tail);
        ++count;
      }
    }
  }
  // Every tail and padding ran through each kernel this build and CPU can run.
  EXPECT_GE(kernels_under_test().size(), 1u);
  EXPECT_EQ(count, 11 * 140 * static_cast<int>(kernels_under_test().size()));
}

TEST(CsvReader, ConsumerErrorsStopTheStream) {
  RunOptions options;
  options.stop_on_malformed = true;
  expect_everywhere("stop on malformed", "a,b\n1,2\n1\n3,4\n",
                    "H a|b; R2 1|2; M3 csv: wrong number of columns; ERR invalid-input csv: wrong "
                    "number of columns @3 r1 l2",
                    options);
  expect_everywhere("stop on stray quote", "a,b\n\"1\"x,2\n3,4\n",
                    "H a|b; M2 csv: stray quote; ERR invalid-input csv: stray quote @2 r0 l1",
                    options);
  options = RunOptions{};
  options.stop_at_row = 2;
  expect_everywhere("stop at row", "a,b\n1,2\n3,4\n5,6\n",
                    "H a|b; R2 1|2; R3 3|4; ERR invalid-argument test: stop at row r2 l2", options);
}

// ---- limits -----------------------------------------------------------------------------------

TEST(CsvReader, FieldLimitIsInclusiveAndCountsUnquotedBytes) {
  RunOptions options;
  options.limits.max_field_bytes = 5;
  options.limits.max_row_bytes = 64;
  expect_cases(
      {
          {"5 bytes", "a\n12345\n", "H a; R2 12345; OK r1 l2"},
          {"6 bytes", "a\n1\n123456\n",
           "H a; R2 1; ERR limit-exceeded csv: field exceeds max_field_bytes @3 r1 l2"},
          {"quoted 5 bytes with a doubled quote", "a\n\"12\"\"45\"\n", "H a; R2 12\"45; OK r1 l2"},
          {"quoted 6 bytes", "a\n\"12\"\"456\"\n",
           "H a; ERR limit-exceeded csv: field exceeds max_field_bytes @2 r0 l1"},
          {"crlf not counted", "a\n12345\r\n", "H a; R2 12345; OK r1 l2"},
          {"quoted crlf counted", "a\n\"123\r\n\"\n", "H a; R2 123\\r\\n; OK r1 l3"},
          {"quoted crlf over", "a\n\"1234\r\n\"\n",
           "H a; ERR limit-exceeded csv: field exceeds max_field_bytes @2 r0 l1"},
          {"unselected field too", "a,b\n1,123456\n",
           "H a|b; ERR limit-exceeded csv: field exceeds max_field_bytes @2 r0 l1"},
          {"in a malformed row too", "a,b\n123456\n",
           "H a|b; ERR limit-exceeded csv: field exceeds max_field_bytes @2 r0 l1"},
          {"in a header", "abcdef\n",
           "ERR limit-exceeded csv: field exceeds max_field_bytes @1 r0 l0"},
      },
      options);
}

TEST(CsvReader, RowLimitIsInclusiveAndNamesTheRowStart) {
  for (std::uint32_t window : {2u, 3u, 64u, 65536u}) {
    RunOptions options;
    options.limits.max_row_bytes = 10;
    options.limits.window_bytes = window;
    expect_cases(
        {
            {"10 bytes", "a\n1234567890\n", "H a; R2 1234567890; OK r1 l2"},
            {"10 bytes crlf", "a\r\n1234567890\r\n", "H a; R2 1234567890; OK r1 l2"},
            {"10 bytes at the end", "a\n1234567890", "H a; R2 1234567890; OK r1 l2"},
            {"11 bytes", "a\n1\n\"1\n\"\n12345678901\n",
             "H a; R2 1; R3 1\\n; ERR limit-exceeded csv: row exceeds max_row_bytes @5 r2 l4"},
            {"11 bytes at the end", "a\n12345678901",
             "H a; ERR limit-exceeded csv: row exceeds max_row_bytes @2 r0 l1"},
            {"quoted newlines count", "a,b\n\"1\n2\n3\",45\n", "H a|b; R2 1\\n2\\n3|45; OK r1 l4"},
            {"quoted newlines over", "a,b\n\"1\n2\n3\",456\n",
             "H a|b; ERR limit-exceeded csv: row exceeds max_row_bytes @2 r0 l1"},
            {"far over", "a\n" + std::string(500, 'x') + "\n",
             "H a; ERR limit-exceeded csv: row exceeds max_row_bytes @2 r0 l1"},
            {"far over, malformed", "a\n\"x\"" + std::string(500, 'x') + "\n",
             "H a; ERR limit-exceeded csv: row exceeds max_row_bytes @2 r0 l1"},
            {"unterminated, short", "a\n\"12345\n",
             "H a; ERR truncated csv: file ends inside a quoted field @2 r0 l1"},
            {"unterminated, 10 bytes", "a\n\"12345678\n",
             "H a; ERR truncated csv: file ends inside a quoted field @2 r0 l1"},
            {"unterminated, 11 bytes", "a\n\"123456789\n",
             "H a; ERR limit-exceeded csv: row exceeds max_row_bytes @2 r0 l1"},
            {"unterminated, long", "a\n\"" + std::string(300, 'x'),
             "H a; ERR limit-exceeded csv: row exceeds max_row_bytes @2 r0 l1"},
            {"header over", "12345678901\n",
             "ERR limit-exceeded csv: row exceeds max_row_bytes @1 r0 l0"},
        },
        options);
  }
}

TEST(CsvReader, InitTakesItsMemoryFromTheArena) {
  csv_test::Recorder recorder(Selection{});
  CsvLimits limits;
  limits.max_row_bytes = 1000;
  limits.window_bytes = 100;
  const std::size_t needed = CsvReader::arena_bytes(limits);
  EXPECT_GE(needed, 1000u + 100u + kMaxCsvColumns * sizeof(std::string_view));
  EXPECT_LE(needed, 1000u + 100u + kMaxCsvColumns * sizeof(std::string_view) + 128u);

  std::vector<std::uint8_t> storage(needed);
  {
    Arena arena(MutableBytes(storage.data(), needed));
    CsvReader reader(limits, recorder);
    ASSERT_TRUE(reader.init(arena).ok());
    EXPECT_LE(arena.high_water(), needed);
    const std::size_t used = arena.used();
    ASSERT_TRUE(reader.write(as_bytes("a,b\n1,2\n")).ok());
    ASSERT_TRUE(reader.finish().ok());
    EXPECT_EQ(arena.used(), used);
    EXPECT_EQ(reader.rows(), 1u);
  }
  for (std::size_t size : {std::size_t{0}, std::size_t{1100}, needed - kMaxCsvColumns * 8}) {
    Arena arena(MutableBytes(storage.data(), size));
    CsvReader reader(limits, recorder);
    Status status = reader.init(arena);
    ASSERT_FALSE(status.ok()) << size;
    EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory) << size;
  }
  for (long successes : {0L, 1L}) { // the buffer, then the name table
    Arena arena(MutableBytes(storage.data(), needed));
    arena.fail_after(successes);
    CsvReader reader(limits, recorder);
    Status status = reader.init(arena);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);
  }
}

TEST(CsvReader, InitRejectsUnusableLimits) {
  csv_test::Recorder recorder(Selection{});
  std::vector<std::uint8_t> storage(1 << 20);
  for (CsvLimits limits : {CsvLimits{0, 10, 64}, CsvLimits{10, 0, 64}, CsvLimits{10, 10, 1},
                           CsvLimits{10, (1u << 30) + 1, 64}}) {
    Arena arena(MutableBytes(storage.data(), storage.size()));
    CsvReader reader(limits, recorder);
    Status status = reader.init(arena);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
  }
}

TEST(CsvReader, ResetStartsANewFileAndErrorsStick) {
  csv_test::Recorder recorder(Selection{});
  CsvLimits limits;
  std::vector<std::uint8_t> storage(CsvReader::arena_bytes(limits));
  Arena arena(MutableBytes(storage.data(), storage.size()));
  CsvReader reader(limits, recorder);
  ASSERT_TRUE(reader.init(arena).ok());

  ASSERT_TRUE(reader.write(as_bytes("a,b\n1,2\n3,4")).ok());
  ASSERT_TRUE(reader.finish().ok());
  EXPECT_EQ(reader.rows(), 2u);
  EXPECT_EQ(reader.lines(), 3u);

  reader.reset();
  EXPECT_EQ(reader.rows(), 0u);
  EXPECT_EQ(reader.lines(), 0u);
  ASSERT_TRUE(reader.write(as_bytes("\xEF\xBB\xBFx\n\"\n")).ok());
  Status truncated = reader.finish();
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::Truncated);
  EXPECT_EQ(truncated.error().position, 2u);

  reader.reset();
  ASSERT_TRUE(reader.write(as_bytes("p\n\"1\"x\n")).ok());
  recorder.m_stop_on_malformed = true;
  Status stopped = reader.finish();
  ASSERT_FALSE(stopped.ok());
  EXPECT_STREQ(stopped.error().message, "csv: stray quote");

  reader.reset();
  recorder.m_stop_on_malformed = false;
  CsvLimits small{4, 8, 2};
  CsvReader limited(small, recorder);
  std::vector<std::uint8_t> small_storage(CsvReader::arena_bytes(small));
  Arena small_arena(MutableBytes(small_storage.data(), small_storage.size()));
  ASSERT_TRUE(limited.init(small_arena).ok());
  Status over = limited.write(as_bytes("a\n12345678901234567890\n"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(over.error().position, 2u);
  Status again = limited.write(as_bytes("b\n"));
  ASSERT_FALSE(again.ok());
  EXPECT_STREQ(again.error().message, over.error().message);
  EXPECT_EQ(again.error().position, 2u);
  EXPECT_EQ(recorder.m_text, "H a|b; R2 1|2; R3 3|4; H x; H p; M2 csv: stray quote; H a; ");
}

// ---- the real CUR samples ---------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file.good()) << path;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Counts rows by the value of one column and checks another column's value on every row.
class CurCounter final : public CsvConsumer {
public:
  Status on_header(const CsvHeader& header, ColumnSelection& selection) override {
    columns = header.column_count();
    for (std::uint32_t column = 0; column < header.column_count(); ++column) {
      std::string_view name = header.name(column);
      if (name == "lineItem/LineItemType" || name == "line_item_line_item_type")
        selection.select(column, 0);
      if (name == "bill/InvoicingEntity")
        selection.select(column, 1);
      if (name == "identity/LineItemId" || name == "identity_line_item_id")
        selection.select(column, 2);
    }
    return {};
  }
  Status on_row(const CsvRow& row) override {
    if (row.field(0) == "Usage")
      ++usage;
    if (row.field(0) == "Tax")
      ++tax;
    if (row.field(1) == "Amazon Web Services Canada, Inc.")
      ++canada;
    last_id = std::string(row.field(2));
    last_line = row.line();
    return {};
  }
  Status on_malformed(const Error& why) override {
    malformed.push_back(why.position);
    return {};
  }
  std::uint32_t columns = 0;
  std::uint64_t usage = 0, tax = 0, canada = 0, last_line = 0;
  std::string last_id;
  std::vector<std::uint64_t> malformed;
};

CurCounter read_sample(const std::string& relative, Split split, CsvKernel kernel,
                       std::uint64_t* rows, std::uint64_t* lines) {
  std::string input =
      read_file(std::string(EC_SOURCE_DIR) + "/../shared/testdata/cur-samples/" + relative);
  CurCounter counter;
  CsvLimits limits;
  std::vector<std::uint8_t> storage(CsvReader::arena_bytes(limits));
  Arena arena(MutableBytes(storage.data(), storage.size()));
  CsvReader reader(limits, counter);
  EXPECT_TRUE(reader.init(arena).ok());
  reader.set_kernel(kernel);
  Bytes bytes = as_bytes(input);
  std::size_t step = split == Split::OneByte ? 1 : split == Split::Random ? 4093 : 64 * 1024;
  for (std::size_t offset = 0; offset < bytes.size(); offset += step)
    EXPECT_TRUE(reader.write(bytes.subspan(offset, std::min(step, bytes.size() - offset))).ok());
  EXPECT_TRUE(reader.finish().ok());
  if (rows)
    *rows = reader.rows();
  if (lines)
    *lines = reader.lines();
  return counter;
}

TEST(CsvReaderSamples, LegacyRealExport) {
  for (Split split : {Split::Whole, Split::OneByte, Split::Random}) {
    for (CsvKernel kernel : kernels_under_test()) {
      std::uint64_t rows = 0, lines = 0;
      CurCounter counter = read_sample("legacy-real/sample-anonymous-aws-export-dataset.csv", split,
                                       kernel, &rows, &lines);
      EXPECT_EQ(counter.columns, 94u);
      EXPECT_EQ(rows, 1281u);
      EXPECT_EQ(lines, 1282u);
      EXPECT_EQ(counter.usage, 1269u);
      EXPECT_EQ(counter.tax, 12u);
      EXPECT_EQ(counter.canada, 1281u); // a quoted field with a comma, on every row
      EXPECT_EQ(counter.last_id, "cuxat4je4habcdabcdabcdabcdabcdabcdabcdabcjk4pzffepq");
      EXPECT_EQ(counter.last_line, 1282u);
      EXPECT_TRUE(counter.malformed.empty());
    }
  }
}

TEST(CsvReaderSamples, KokuFixtures) {
  struct Fixture {
    const char* file;
    std::uint32_t columns;
    std::uint64_t rows;
    std::uint64_t lines;
    std::uint64_t usage; // rows whose line item type is "Usage"
    const char* last_id;
  };
  for (Fixture fixture :
       {Fixture{"koku/2023-06-01.csv", 201, 3, 4, 0, "b9ac48e7dcec3aabdde311785107cb08a2b14de5"},
        Fixture{"koku/2023-06-01-not-final.csv", 201, 3, 4, 0,
                "b9ac48e7dcec3aabdde311785107cb08a2b14de5"},
        Fixture{"koku/2022-07-01-alt-columns.csv", 154, 2, 3, 2, "notreal"}}) {
    for (CsvKernel kernel : kernels_under_test()) {
      std::uint64_t rows = 0, lines = 0;
      CurCounter counter = read_sample(fixture.file, Split::OneByte, kernel, &rows, &lines);
      EXPECT_EQ(counter.columns, fixture.columns) << fixture.file;
      EXPECT_EQ(rows, fixture.rows) << fixture.file;
      EXPECT_EQ(lines, fixture.lines) << fixture.file;
      EXPECT_EQ(counter.usage, fixture.usage) << fixture.file;
      EXPECT_EQ(counter.last_id, fixture.last_id) << fixture.file;
      EXPECT_TRUE(counter.malformed.empty()) << fixture.file;
    }
  }
}

TEST(CsvReaderSamples, KokuTestCurHasShortRows) {
  // koku's test_cur.csv has a 131-column header (CRLF) but 130 fields in each of its 19 rows:
  // every data row is malformed under RFC 4180's rule, at lines 2..20.
  std::uint64_t rows = 0, lines = 0;
  CurCounter counter =
      read_sample("koku/test_cur.csv", Split::Random, CsvKernel::Best, &rows, &lines);
  EXPECT_EQ(counter.columns, 131u);
  EXPECT_EQ(rows, 0u);
  EXPECT_EQ(lines, 20u);
  ASSERT_EQ(counter.malformed.size(), 19u);
  EXPECT_EQ(counter.malformed.front(), 2u);
  EXPECT_EQ(counter.malformed.back(), 20u);
}

} // namespace
} // namespace ec
