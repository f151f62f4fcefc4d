// core/collect/local_folder/local_folder_source.cpp - `type = local`: the host's directory store.
#include "core/collect/local_folder/local_folder_source.h"

#include "core/source/report_discovery.h"

namespace ec {
namespace {

/// The directory store's read buffer.
constexpr std::size_t kReadBufferBytes = 256 * 1024;

class LocalFolderSource final : public Source {
public:
  LocalFolderSource(const ConnectionConfig& config, Host& host) : m_config(config), m_host(host) {}

  Status open(Arena& arena) override {
    EC_TRY_ASSIGN(std::uint8_t * buffer,
                  arena.try_allocate_array<std::uint8_t>(kReadBufferBytes, "local read buffer"));
    EC_TRY_ASSIGN(m_objects, m_host.open_directory(m_config.local_dir,
                                                   MutableBytes(buffer, kReadBufferBytes)));
    return {};
  }
  Status locate(Findings& findings) override {
    (void)findings;
    EC_TRY_ASSIGN(m_location, location_from_config(m_config));
    return {};
  }
  ObjectStore& objects() override { return *m_objects; }
  const ReportLocation& location() const override { return m_location; }
  std::string_view label() const override { return m_config.local_dir; }
  std::string_view problem() const override { return {}; }
  UnixSeconds now() override { return m_host.clock().wall_seconds(); }

  void write_fix(SourceStep step, std::string_view aws_code, TextBuilder& out) const override {
    (void)aws_code;
    switch (step) {
    case SourceStep::Open:
      out.append("set local_dir to a readable directory");
      return;
    case SourceStep::Access:
    case SourceStep::Locate:
      out.append("check prefix and report_name");
      return;
    case SourceStep::List:
      out.append("check local_dir");
      return;
    case SourceStep::Manifest:
    case SourceStep::Data:
      out.append("check that edgecur may read the files under local_dir");
      return;
    }
  }

private:
  const ConnectionConfig& m_config;
  Host& m_host;
  ObjectStore* m_objects = nullptr;
  ReportLocation m_location;
};

Result<Source*> make(const ConnectionConfig& config, Host& host, Arena& arena) {
  return make_in_arena<LocalFolderSource>(arena, config, host);
}

} // namespace

const SourceType kLocalFolderSource = {
    ConnectionType::Local,
    arena_bytes_of<LocalFolderSource>() + kReadBufferBytes,
    &make,
};

} // namespace ec
