// tests/csv/csv_differential_test.cpp - CsvReader against the byte-at-a-time reference parser on
// random tricky CSV, and the SIMD kernel against the portable one on random blocks.
#include "core/csv/csv_reader.h"
#include "core/csv/csv_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/csv/csv_harness.h"

namespace ec {
namespace {

using csv_test::kernels_under_test;
using csv_test::reference;
using csv_test::run;
using csv_test::RunOptions;
using csv_test::Split;

std::string random_field(std::mt19937& random) {
  static const char* const kFields[] = {
      "",           "x",           "hello world", "\"q\"",     "\"a,b\"",
      "\"a\"\"b\"", "\"\"",        "\"\"\"\"",    "\"l\nf\"",  "\"cr\r\nlf\"",
      "\"c\rr\"",   "ab\"c",       "\"ab\"x",     "\"ab\"\rx", "a\rb",
      "\"ab\" ",    " \"ab\"",     "\"a\n\n\"",   "\"\",\"\"", "\xEF\xBB\xBF",
      "1.25E-4",    "\"end\"\"\"",
  };
  std::uint32_t pick = random() % 30;
  if (pick < sizeof kFields / sizeof kFields[0])
    return kFields[pick];
  std::string field(1 + random() % 120, 'v');
  if (pick % 2)
    return "\"" + field + ",\"\"\"";
  return field;
}

/// Rows of a fixed width with sometimes a wrong width, quirks of every kind, mixed line ends.
std::string structured_csv(std::mt19937& random) {
  std::string out;
  if (random() % 4 == 0)
    out += "\xEF\xBB\xBF";
  std::uint32_t columns = 1 + random() % 6;
  std::uint32_t rows = random() % 25;
  for (std::uint32_t row = 0; row <= rows; ++row) {
    std::uint32_t width = columns;
    if (random() % 10 == 0)
      width = random() % 2 ? width + 1 : (width > 1 ? width - 1 : width + 2);
    for (std::uint32_t column = 0; column < width; ++column) {
      out += column ? "," : "";
      if (row == 0) {
        out += "c";
        out += std::to_string(column);
      } else {
        out += random_field(random);
      }
    }
    std::uint32_t end = random() % 12;
    out += end < 6 ? "\n" : end < 10 ? "\r\n" : end < 11 ? "\n\n" : "\r\n\r\n\n";
  }
  std::uint32_t tail = random() % 8;
  if (tail == 0 && !out.empty())
    out.pop_back(); // no final LF (maybe a lone CR left)
  if (tail == 1)
    out += "\"unterminated,\n";
  if (tail == 2)
    out += "x,\"y";
  return out;
}

/// Short random strings over the characters that matter.
std::string soup_csv(std::mt19937& random) {
  static const char kAlphabet[] = {'a', 'b', ',', ',', '"', '"', '"', '\r', '\n', '\n'};
  std::string out;
  if (random() % 8 == 0)
    out += "\xEF\xBB\xBF";
  std::uint32_t length = random() % 300;
  for (std::uint32_t index = 0; index < length; ++index)
    out += kAlphabet[random() % sizeof kAlphabet];
  return out;
}

RunOptions random_options(std::mt19937& random) {
  RunOptions options;
  if (random() % 3 != 0) {
    options.limits.max_row_bytes = 8 + random() % 300;
    options.limits.max_field_bytes = 4 + random() % 120;
    options.limits.window_bytes = 2 + random() % 100;
  } else {
    options.limits.window_bytes = 64 + random() % 2048;
  }
  if (random() % 2) {
    options.selection.select_all = false;
    std::uint32_t pairs = random() % 6;
    for (std::uint32_t pair = 0; pair < pairs; ++pair)
      options.selection.pairs.emplace_back(random() % (random() % 8 == 0 ? 9 : 6), random() % 32);
  }
  return options;
}

void check_against_reference(const std::string& input, RunOptions options, std::uint32_t seed,
                             bool one_byte) {
  const std::string expected = reference(input, options.limits, options.selection);
  for (CsvKernel kernel : kernels_under_test()) {
    options.kernel = kernel;
    options.split = Split::Whole;
    ASSERT_EQ(run(input, options), expected)
        << "seed " << seed << " whole " << csv_kernel_name(kernel) << " input "
        << csv_test::escape(input);
    options.split = Split::Random;
    options.seed = seed;
    ASSERT_EQ(run(input, options), expected)
        << "seed " << seed << " random split " << csv_kernel_name(kernel) << " input "
        << csv_test::escape(input);
    options.split = Split::Lent;
    ASSERT_EQ(run(input, options), expected)
        << "seed " << seed << " lent space " << csv_kernel_name(kernel) << " input "
        << csv_test::escape(input);
    if (one_byte) {
      options.split = Split::OneByte;
      ASSERT_EQ(run(input, options), expected)
          << "seed " << seed << " 1-byte " << csv_kernel_name(kernel) << " input "
          << csv_test::escape(input);
    }
  }
}

TEST(CsvDifferential, StructuredRandomCsvMatchesReference) {
  int malformed = 0, fatal = 0, rows = 0;
  for (std::uint32_t seed = 1; seed <= 2500; ++seed) {
    std::mt19937 random(seed);
    std::string input = structured_csv(random);
    RunOptions options = random_options(random);
    check_against_reference(input, options, seed, seed % 16 == 0);
    if (HasFatalFailure())
      return;
    std::string expected = reference(input, options.limits, options.selection);
    malformed += expected.find("; M") != std::string::npos;
    fatal += expected.find("ERR ") != std::string::npos;
    rows += expected.find("; R") != std::string::npos;
  }
  // The generator reaches every outcome often (so this test can fail for the right reasons).
  EXPECT_GT(malformed, 500);
  EXPECT_GT(fatal, 500);
  EXPECT_GT(rows, 800);
}

TEST(CsvDifferential, CharacterSoupMatchesReference) {
  int malformed = 0, rows = 0;
  for (std::uint32_t seed = 1; seed <= 3000; ++seed) {
    std::mt19937 random(seed * 7919u);
    std::string input = soup_csv(random);
    RunOptions options = random_options(random);
    check_against_reference(input, options, seed, seed % 16 == 0);
    if (HasFatalFailure())
      return;
    std::string expected = reference(input, options.limits, options.selection);
    malformed += expected.find("; M") != std::string::npos;
    rows += expected.find("; R") != std::string::npos;
  }
  EXPECT_GT(malformed, 500);
  EXPECT_GT(rows, 500);
}

TEST(CsvDifferential, LargeInputsAcrossManyWindows) {
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    std::mt19937 random(seed);
    std::string input = "\xEF\xBB\xBF"
                        "c0,c1,c2,c3,c4,c5,c6,c7\r\n";
    while (input.size() < 300 * 1000) {
      for (int column = 0; column < 8; ++column) {
        input += column ? "," : "";
        input += random_field(random);
      }
      input += random() % 2 ? "\n" : "\r\n";
    }
    RunOptions options;
    options.selection.select_all = false;
    options.selection.pairs = {{7, 0}, {0, 1}, {3, 2}};
    options.limits.window_bytes = seed % 2 ? 64 * 1024 : 1000;
    check_against_reference(input, options, seed, false);
  }
}

TEST(CsvScanKernels, BestIsOneOfTheAvailableKernels) {
  const std::string best = csv_kernel_name(CsvKernel::Best);
  std::vector<std::string> names;
  for (CsvKernel kernel : kernels_under_test())
    names.push_back(csv_kernel_name(kernel));
  EXPECT_NE(std::find(names.begin(), names.end(), best), names.end()) << best;
  EXPECT_TRUE(csv_kernel_available(CsvKernel::Portable));
  EXPECT_STREQ(csv_kernel_name(CsvKernel::Portable), "portable");
#if defined(EC_CSV_HAVE_SSE2)
  // x86_64 always has SSE2; AVX2 and POPCNT depend on the CPU.
  EXPECT_TRUE(csv_kernel_available(CsvKernel::Sse2));
  EXPECT_FALSE(csv_kernel_available(CsvKernel::Neon));
  EXPECT_STREQ(csv_kernel_name(CsvKernel::Neon), "unavailable");
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
      __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi")) {
    EXPECT_EQ(best, "avx2");
  }
#endif
}

TEST(CsvScanKernels, BestAgreesWithPortableAndBytewise) {
  std::mt19937 random(42);
  static const std::uint8_t kBytes[] = {'a', ',', '"', '\r', '\n', 0x00, 0x80, 0xff, 0x22 ^ 0x80};
  alignas(64) std::uint8_t block[csv_scan::kBlockBytes + 1];
  for (int round = 0; round < 20000; ++round) {
    std::uint8_t* data = block + round % 2; // aligned and unaligned loads
    for (std::size_t index = 0; index < csv_scan::kBlockBytes; ++index)
      data[index] =
          round % 3 == 0 ? static_cast<std::uint8_t>(random()) : kBytes[random() % sizeof kBytes];
    csv_scan::BlockMasks expected;
    for (std::size_t index = 0; index < csv_scan::kBlockBytes; ++index) {
      std::uint64_t bit = std::uint64_t{1} << index;
      expected.quote |= data[index] == '"' ? bit : 0;
      expected.separator |= data[index] == ',' || data[index] == '\n' ? bit : 0;
      expected.newline |= data[index] == '\n' ? bit : 0;
      expected.carriage_return |= data[index] == '\r' ? bit : 0;
    }
    std::vector<csv_scan::BlockMasks> results = {csv_scan::BestKernel::classify(data),
                                                 csv_scan::PortableKernel::classify(data)};
#if defined(EC_CSV_HAVE_AVX2)
    if (csv_kernel_available(CsvKernel::Avx2))
      results.push_back(csv_scan::Avx2Kernel::classify(data));
#endif
    for (csv_scan::BlockMasks masks : results) {
      ASSERT_EQ(masks.quote, expected.quote) << round;
      ASSERT_EQ(masks.separator, expected.separator) << round;
      ASSERT_EQ(masks.newline, expected.newline) << round;
      ASSERT_EQ(masks.carriage_return, expected.carriage_return) << round;
    }
    std::uint64_t bits = (std::uint64_t{random()} << 32) | random();
    std::uint64_t running = 0, prefix = 0;
    for (int index = 0; index < 64; ++index) {
      running ^= (bits >> index) & 1;
      prefix |= running << index;
    }
    ASSERT_EQ(csv_scan::prefix_xor(bits), prefix) << round;
#if defined(EC_CSV_HAVE_AVX2)
    if (csv_kernel_available(CsvKernel::Avx2)) {
      ASSERT_EQ(csv_scan::Avx2Kernel::quote_prefix_xor(bits), prefix) << round;
    }
#endif
  }
}

} // namespace
} // namespace ec
