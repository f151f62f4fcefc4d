// tests/fuzz/cur_manifest_fuzz.cpp - parse_cur_manifest and parse_cur_key never crash; accepted
// manifests are coherent, a key's period overrides the manifest's, and accepted keys reassemble
// from their parts.
#include "core/aws/cur_manifest.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/alloc_failure.h"

namespace {

void check(bool condition) {
  if (!condition)
    std::abort();
}

void check_error(const ec::Error& error, std::string_view input) {
  const auto inside = [&](const char* text) {
    return text && text >= input.data() && text < input.data() + input.size();
  };
  check(!inside(error.message) && !inside(error.detail));
  if (error.where == ec::ErrorWhere::ByteOffset)
    check(error.position <= input.size());
}

alignas(16) std::uint8_t g_storage[1 << 20];

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ec::Arena arena(ec::MutableBytes(g_storage, sizeof g_storage));

  ec::Result<ec::CurManifest> manifest = ec::parse_cur_manifest(input, arena);
  if (!manifest.ok()) {
    check_error(manifest.error(), input);
  } else {
    const ec::CurManifest& value = manifest.value();
    check(value.columns.size() <= ec::kMaxManifestColumns);
    check(value.data_files.size() <= ec::kMaxManifestDataFiles);
    check(value.artifacts.size() <= ec::kMaxManifestArtifacts);
    for (const ec::ManifestColumn& column : value.columns)
      check(!column.name.empty());
    if (value.billing_period)
      check(value.billing_period->start < value.billing_period->end);
    check(value.delivery_id() ==
          (value.assembly_id.empty() ? value.execution_id : value.assembly_id));
  }

  // Read with a key that names its period, the same document is accepted whenever it was without
  // one (its billingPeriod is then not read), and the period is always the key's.
  const bool accepted = manifest.ok();
  ec::Arena keyed_arena(ec::MutableBytes(g_storage, sizeof g_storage)); // manifest is done with
  ec::Result<ec::CurManifest> keyed = ec::parse_cur_manifest(
      input, "exports/cur2/metadata/BILLING_PERIOD=2024-03/cur2-Manifest.json", keyed_arena);
  if (!keyed.ok()) {
    check(!accepted);
    check_error(keyed.error(), input);
  } else {
    check(keyed.value().billing_period.has_value());
    check(keyed.value().billing_period->start == 1709251200 &&
          keyed.value().billing_period->end == 1711929600);
  }

  // The same documents with less memory than they took: OutOfMemory, cleanly.
  ec::fuzz::with_allocation_failure(input, g_storage, sizeof g_storage,
                                    [&](ec::Arena& a) { return ec::parse_cur_manifest(input, a); });
  ec::fuzz::with_allocation_failure(input, g_storage, sizeof g_storage, [&](ec::Arena& a) {
    return ec::parse_cur_manifest(
        input, "exports/cur2/metadata/BILLING_PERIOD=2024-03/cur2-Manifest.json", a);
  });

  ec::Result<ec::CurKeyParts> key = ec::parse_cur_key(input);
  if (!key.ok()) {
    check_error(key.error(), input);
    return 0;
  }
  const ec::CurKeyParts& parts = key.value();
  check(parts.period.start < parts.period.end);
  check(!parts.report_name.empty() && !parts.file_name.empty());
  std::string rebuilt;
  if (!parts.prefix.empty())
    rebuilt.append(parts.prefix).append("/");
  rebuilt.append(parts.report_name).append("/");
  if (parts.layout == ec::CurLayout::Cur2)
    rebuilt.append(parts.area).append("/");
  rebuilt.append(parts.period_text).append("/");
  if (!parts.delivery_folder.empty())
    rebuilt.append(parts.delivery_folder).append("/");
  rebuilt.append(parts.file_name);
  check(rebuilt == input || "/" + rebuilt == input);
  return 0;
}
