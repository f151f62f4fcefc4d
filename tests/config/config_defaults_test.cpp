// tests/config/config_defaults_test.cpp - The settings table is the one home of every default:
// the structs the engine, the CSV reader and the store also start from must agree with it, so a
// run without an INI file and a unit test built on the structs run with the same values.
#include "core/config/config.h"
#include "core/ingest/ingest_engine.h"
#include "core/store/store_memory.h"

#include <gtest/gtest.h>

#include <vector>

namespace ec {
namespace {

TEST(ConfigDefaults, TheStructsStartFromTheTablesDefaults) {
  std::vector<std::uint8_t> memory(kConfigArenaBytes);
  Arena arena{MutableBytes(memory)};
  std::vector<char> text(4096);
  ConfigDiagnostics diagnostics{std::span<char>(text.data(), text.size())};
  Result<const Config*> loaded = parse_config_text("(defaults)", "", arena, diagnostics);
  ASSERT_TRUE(loaded.ok());
  const Config& config = *loaded.value();

  const IngestSettings ingest;
  EXPECT_EQ(config.ingest.max_field_bytes, ingest.csv.max_field_bytes);
  EXPECT_EQ(config.ingest.max_row_bytes, ingest.csv.max_row_bytes);
  EXPECT_EQ(config.ingest.table_keys, ingest.table_keys);
  EXPECT_EQ(config.ingest.malformed_rows == MalformedRows::Fail,
            ingest.malformed == MalformedPolicy::Fail);
  MalformedLimit limit;
  ASSERT_TRUE(parse_max_malformed(config.ingest.max_malformed, limit.share, limit.value));
  EXPECT_EQ(limit.share, ingest.max_malformed.share);
  EXPECT_EQ(limit.value, ingest.max_malformed.value);
  EXPECT_EQ(config.store.memory_bytes, kStoreMemoryDefaultBytes);
}

} // namespace
} // namespace ec
