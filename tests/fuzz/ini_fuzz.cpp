// tests/fuzz/ini_fuzz.cpp - Arbitrary text through the config loader: no crash, bounded
// diagnostics.
#include "core/config/config.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "tests/fuzz/alloc_failure.h"

namespace {

// The file system as the fuzzer decides: the config text is the input, other paths exist or not
// and have a mode depending on their length, so every branch of the file checks is reachable.
class FuzzFiles final : public ec::ConfigFiles {
public:
  FuzzFiles(std::string_view text, std::uint32_t mode) : m_text(text), m_mode(mode) {}
  ec::Result<ec::FileText> read(const char*, std::size_t max_bytes, ec::Arena&) override {
    if (m_text.size() > max_bytes)
      return ec::make_error(ec::ErrorCode::LimitExceeded, "file: larger than the limit");
    return ec::FileText{{ec::FileKind::Regular, m_mode}, m_text};
  }
  ec::Result<ec::FileFacts> facts(const char* path) override {
    std::size_t length = std::strlen(path);
    switch (length % 4) {
    case 0:
      return ec::make_error(ec::ErrorCode::NotFound, "file: does not exist");
    case 1:
      return ec::FileFacts{ec::FileKind::Directory, 0755};
    case 2:
      return ec::FileFacts{ec::FileKind::Regular, 0600};
    default:
      return ec::FileFacts{ec::FileKind::Regular, 0644};
    }
  }

private:
  std::string_view m_text;
  std::uint32_t m_mode;
};

void check_bounded(const ec::ConfigDiagnostics& diagnostics, std::size_t buffer_size) {
  if (diagnostics.size() > ec::ConfigDiagnostics::kMaxEntries ||
      diagnostics.text().size() > buffer_size ||
      diagnostics.size() + diagnostics.dropped_count() !=
          diagnostics.error_count() + diagnostics.warning_count())
    std::abort();
  for (std::size_t i = 0; i < diagnostics.size(); ++i) {
    std::string_view line = diagnostics[i].text;
    if (line.find('\n') != std::string_view::npos || line.substr(0, 9) != "fuzz.ini:")
      std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ec::InlineArena<1024 * 1024> arena;
  static char buffer[4096];
  if (size == 0 || size > ec::kConfigMaxFileBytes)
    return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  arena.reset();
  ec::ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  ec::Result<const ec::Config*> parsed =
      ec::parse_config_text("fuzz.ini", text, arena, diagnostics);
  check_bounded(diagnostics, sizeof buffer);
  if (parsed.ok() != (diagnostics.error_count() == 0))
    std::abort();
  if (parsed.ok()) {
    const ec::Config& config = *parsed.value();
    if (config.connections.size() > ec::kConfigMaxConnections ||
        config.ingest.max_row_bytes < config.ingest.max_field_bytes)
      std::abort();
  }

  // The same text as a file, with a mode taken from the first byte.
  arena.reset();
  diagnostics.clear();
  FuzzFiles files(text, static_cast<std::uint32_t>(data[0]) & 0777u);
  ec::ConfigCheck check = ec::check_config("fuzz.ini", files, arena, diagnostics);
  check_bounded(diagnostics, sizeof buffer);
  if ((check == ec::ConfigCheck::Ok) != (diagnostics.error_count() == 0))
    std::abort();

  // The parse again with less memory than it took: OutOfMemory, cleanly.
  static std::uint8_t storage[1024 * 1024];
  ec::fuzz::with_allocation_failure(text, storage, sizeof storage, [&](ec::Arena& a) {
    diagnostics.clear();
    return ec::parse_config_text("fuzz.ini", text, a, diagnostics);
  });
  return 0;
}
