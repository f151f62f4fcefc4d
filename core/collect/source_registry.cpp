// core/collect/source_registry.cpp - The connection types: one line each.
#include "core/collect/source_registry.h"

#include "core/collect/cur2_export/cur2_export_source.h"
#include "core/collect/cur_report/cur_report_source.h"
#include "core/collect/explicit_bucket/explicit_bucket_source.h"
#include "core/collect/local_folder/local_folder_source.h"

namespace ec {
namespace {

constexpr const SourceType* kTypes[] = {
    &kCurReportSource,
    &kCur2ExportSource,
    &kExplicitBucketSource,
    &kLocalFolderSource,
};

} // namespace

const SourceType* source_type(ConnectionType type) {
  for (const SourceType* entry : kTypes)
    if (entry->type == type)
      return entry;
  return nullptr;
}

std::size_t max_source_arena_bytes(std::span<const ConnectionConfig> connections) {
  std::size_t largest = 0;
  for (const ConnectionConfig& connection : connections) {
    const SourceType* entry = source_type(connection.type);
    EC_CHECK(entry != nullptr);
    largest = entry->arena_bytes > largest ? entry->arena_bytes : largest;
  }
  return largest;
}

Result<Source*> make_source(const ConnectionConfig& config, Host& host, Arena& arena) {
  const SourceType* entry = source_type(config.type);
  EC_CHECK(entry != nullptr);
  return entry->make(config, host, arena);
}

} // namespace ec
