// bench/csv_bench.cpp - CsvReader throughput on generated CUR-like rows, beside zlib inflate.
//
// The data is generated here, deterministically: ~1 KB rows of 130 columns, about 40% of them
// empty, some quoted fields with commas, 12 selected columns spread over the row. zlib inflate of
// the same bytes is measured too, since the whole pipeline must keep up with it.
#include "core/csv/csv_reader.h"

#include <benchmark/benchmark.h>
#include <initializer_list>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace ec;

constexpr std::uint32_t kColumns = 130;
constexpr std::size_t kDataBytes = 24u << 20;
/// Columns a CUR mapper would take: spread from the first to the last.
constexpr std::uint32_t kSelected[] = {0, 1, 9, 10, 11, 13, 17, 22, 24, 61, 100, 129};

/// Concatenation without operator+ chains (GCC 12 warns falsely on those: -Wrestrict).
std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts)
    out += part;
  return out;
}

std::string random_text(std::mt19937& random, const char* alphabet, std::size_t length) {
  std::string out(length, ' ');
  std::size_t size = std::char_traits<char>::length(alphabet);
  for (char& c : out)
    c = alphabet[random() % size];
  return out;
}

std::string cur_field(std::mt19937& random, std::uint32_t column) {
  static const char* const kProducts[] = {"AmazonEC2", "AmazonS3",         "AWSLambda",
                                          "AmazonRDS", "AmazonCloudWatch", "AWSDataTransfer"};
  static const char* const kTypes[] = {"Usage", "Usage",           "Usage",
                                       "Tax",   "DiscountedUsage", "SavingsPlanCoveredUsage"};
  switch (column) {
  case 0:
    return random_text(random, "abcdefghijklmnopqrstuvwxyz234567", 52);
  case 1:
    return join({"2023-11-0", std::to_string(1 + random() % 9), "T00:00:00Z/2023-11-0",
                 std::to_string(1 + random() % 9), "T01:00:00Z"});
  case 3:
  case 28:
    return "\"Amazon Web Services, Inc.\"";
  case 6:
  case 9:
    return random_text(random, "0123456789", 12);
  case 10:
    return kTypes[random() % 6];
  case 7:
  case 8:
  case 11:
  case 12:
    return join({"2023-11-01T0", std::to_string(random() % 10), ":00:00Z"});
  case 13:
    return kProducts[random() % 6];
  case 14:
    return "USE1-BoxUsage:t3.micro";
  case 15:
    return "RunInstances:0002";
  case 25:
    return random() % 3 ? "$0.0116 per On Demand Linux t3.micro Instance Hour"
                        : "\"AWS Lambda - Compute Free Tier - 400,000 GB-Seconds\"";
  case 26:
    return join({"arn:aws:ec2:us-east-1:", random_text(random, "0123456789", 12), ":instance/i-0",
                 random_text(random, "0123456789abcdef", 16)});
  default:
    break;
  }
  if (column >= 16 && column < 25) // amounts, rates and costs
    return random() % 5 == 0 ? std::string() : join({"0.", random_text(random, "0123456789", 10)});
  if (random() % 100 < 42) // product attributes and tags are often empty
    return std::string();
  switch (random() % 6) {
  case 0:
    return random_text(random, "0123456789", 1 + random() % 4);
  case 1:
    return join(
        {"\"", random_text(random, "abcdefgh ", 8), ", ", random_text(random, "xyz", 6), "\""});
  default:
    return random_text(random, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_./", 3 + random() % 14);
  }
}

/// Deterministic CUR-like CSV of about kDataBytes.
const std::string& cur_like_data() {
  static const std::string data = [] {
    std::mt19937 random(20231101);
    std::string out;
    out.reserve(kDataBytes + 4096);
    out += "identity/LineItemId";
    for (std::uint32_t column = 1; column < kColumns; ++column) {
      out += ",product/attribute";
      out += std::to_string(column);
    }
    out += "\n";
    while (out.size() < kDataBytes) {
      for (std::uint32_t column = 0; column < kColumns; ++column) {
        if (column)
          out += ',';
        out += cur_field(random, column);
      }
      out += "\n";
    }
    return out;
  }();
  return data;
}

/// Touches every delivered field so nothing is optimised away.
class SumConsumer final : public CsvConsumer {
public:
  explicit SumConsumer(int selection) : m_selection(selection) {}
  Status on_header(const CsvHeader& header, ColumnSelection& selection) override {
    if (m_selection == 1) {
      std::uint32_t slot = 0;
      for (std::uint32_t column : kSelected)
        selection.select(column, slot++);
    } else if (m_selection == 2) {
      for (std::uint32_t column = 0; column < kMaxSelectedColumns; ++column)
        selection.select(column * (header.column_count() / kMaxSelectedColumns), column);
    }
    return {};
  }
  Status on_row(const CsvRow& row) override {
    for (std::uint32_t slot = 0; slot < kMaxSelectedColumns; ++slot)
      bytes += row.field(slot).size();
    return {};
  }
  Status on_malformed(const Error&) override {
    ++malformed;
    return {};
  }
  int m_selection;
  std::uint64_t bytes = 0;
  std::uint64_t malformed = 0;
};

/// Args: kernel (0 best, 1 portable), chunk bytes, selection (0 none, 1 twelve spread, 2 32).
void BM_CsvReader(benchmark::State& state) {
  const std::string& data = cur_like_data();
  const auto kernel = static_cast<CsvKernel>(state.range(0));
  const auto chunk = static_cast<std::size_t>(state.range(1));
  SumConsumer consumer(static_cast<int>(state.range(2)));
  CsvLimits limits;
  std::vector<std::uint8_t> storage(CsvReader::arena_bytes(limits));
  Arena arena(MutableBytes(storage.data(), storage.size()));
  CsvReader reader(limits, consumer);
  if (!reader.init(arena).ok()) {
    state.SkipWithError("init failed");
    return;
  }
  reader.set_kernel(kernel);
  Bytes bytes = as_bytes(data);
  std::uint64_t rows = 0;
  for (auto _ : state) {
    reader.reset();
    for (std::size_t offset = 0; offset < bytes.size(); offset += chunk) {
      std::size_t take = bytes.size() - offset < chunk ? bytes.size() - offset : chunk;
      if (!reader.write(bytes.subspan(offset, take)).ok())
        state.SkipWithError("write failed");
    }
    if (!reader.finish().ok())
      state.SkipWithError("finish failed");
    rows = reader.rows();
  }
  benchmark::DoNotOptimize(consumer.bytes);
  if (consumer.malformed != 0)
    state.SkipWithError("malformed rows in generated data");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetLabel(csv_kernel_name(kernel));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["bytes_per_row"] = static_cast<double>(data.size()) / static_cast<double>(rows);
}
BENCHMARK(BM_CsvReader)
    ->ArgNames({"kernel", "chunk", "selection"})
    ->Args({0, 64 * 1024, 1})
    ->Args({1, 64 * 1024, 1})
    ->Args({0, 64 * 1024, 0})
    ->Args({0, 64 * 1024, 2})
    ->Args({0, 4 * 1024, 1})
    ->Args({0, 1, 1})
    ->Unit(benchmark::kMillisecond);

/// zlib inflate of the same bytes into a 64 KiB window, as the inflate stage does: the speed the
/// pipeline is measured against.
void BM_ZlibInflate(benchmark::State& state) {
  const std::string& data = cur_like_data();
  uLongf packed_size = compressBound(static_cast<uLong>(data.size()));
  std::vector<Bytef> packed(packed_size);
  if (compress2(packed.data(), &packed_size, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uLong>(data.size()), 6) != Z_OK) {
    state.SkipWithError("compress2 failed");
    return;
  }
  std::vector<Bytef> window(64 * 1024);
  std::uint64_t total = 0;
  for (auto _ : state) {
    z_stream stream{};
    inflateInit(&stream);
    stream.next_in = packed.data();
    stream.avail_in = static_cast<uInt>(packed_size);
    int status = Z_OK;
    while (status == Z_OK) {
      stream.next_out = window.data();
      stream.avail_out = static_cast<uInt>(window.size());
      status = inflate(&stream, Z_NO_FLUSH);
      benchmark::DoNotOptimize(window.data());
    }
    total = stream.total_out;
    inflateEnd(&stream);
    if (status != Z_STREAM_END)
      state.SkipWithError("inflate failed");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total));
  state.counters["ratio"] = static_cast<double>(data.size()) / static_cast<double>(packed_size);
}
BENCHMARK(BM_ZlibInflate)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
