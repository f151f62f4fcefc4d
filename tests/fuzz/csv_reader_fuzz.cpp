// tests/fuzz/csv_reader_fuzz.cpp - CsvReader on arbitrary bytes: whole, split, kernels, oracle.
//
// Input layout: byte 0 picks the limits and selection, bytes 1-2 the split offset, the rest is
// the CSV. Whatever the bytes, the reader must not crash, must give the same transcript whole,
// split in two at the offset, and (for short inputs) in 1-byte writes, with either kernel, and
// must agree with the byte-at-a-time reference parser.
#include "core/csv/csv_reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "tests/csv/csv_reference.h"

namespace {

using namespace ec;

void require_same(const std::string& expected, const std::string& actual, const char* what) {
  if (expected == actual)
    return;
  std::fprintf(stderr, "csv fuzz: %s differs\nexpected: %s\nactual:   %s\n", what, expected.c_str(),
               actual.c_str());
  __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3)
    return 0;
  const std::uint8_t mode = data[0];
  const std::size_t split = static_cast<std::size_t>(data[1]) | (std::size_t{data[2]} << 8);
  const std::string input(reinterpret_cast<const char*>(data) + 3, size - 3);

  csv_test::RunOptions options;
  if (mode & 1) { // small limits and window: limits and compaction on every input
    options.limits.max_row_bytes = 16 + (mode >> 4) * 16;
    options.limits.max_field_bytes = 4 + (mode >> 4) * 4;
    options.limits.window_bytes = 2 + ((mode >> 1) & 7) * 9;
  } else {
    options.limits.max_row_bytes = 64 * 1024;
    options.limits.max_field_bytes = 16 * 1024;
    options.limits.window_bytes = 4096;
  }
  if (mode & 2) {
    options.selection.select_all = false;
    for (std::uint32_t pair = 0; pair < (mode >> 5); ++pair)
      options.selection.pairs.emplace_back((pair * 3 + mode) % 7, (pair * 11 + mode) % 32);
  }

  const std::string expected = csv_test::reference(input, options.limits, options.selection);
  for (CsvKernel kernel : csv_test::kernels_under_test()) {
    options.kernel = kernel;
    options.split = csv_test::Split::Whole;
    require_same(expected, csv_test::run(input, options), "whole");
    options.split = csv_test::Split::At;
    options.split_at = input.empty() ? 0 : split % (input.size() + 1);
    require_same(expected, csv_test::run(input, options), "split in two");
    if (input.size() <= 2048) {
      options.split = csv_test::Split::OneByte;
      require_same(expected, csv_test::run(input, options), "1-byte writes");
    }
  }
  return 0;
}
