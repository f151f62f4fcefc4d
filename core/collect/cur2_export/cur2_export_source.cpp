// core/collect/cur2_export/cur2_export_source.cpp - `type = cur2`: discovery of a data export.
#include "core/collect/cur2_export/cur2_export_source.h"

#include "core/collect/aws_source.h"
#include "core/source/report_discovery.h"

namespace ec {
namespace {

class Cur2ExportSource final : public AwsSource {
public:
  using AwsSource::AwsSource;

  Status locate(Findings& findings) override {
    auto endpoint = exports_endpoint(m_config.exports_endpoint);
    if (!endpoint.ok()) {
      m_access.set_problem({"exports_endpoint: not a usable address"});
      return endpoint.error();
    }
    m_discovery = endpoint.value();
    EC_TRY_ASSIGN(m_location,
                  discover_export(m_access.caller(), m_access.credentials(), m_discovery,
                                  m_config.export_name, *m_arena, findings));
    return open_bucket(*m_arena);
  }

  void write_fix(SourceStep step, std::string_view aws_code, TextBuilder& out) const override {
    if (step != SourceStep::Locate)
      return AwsSource::write_fix(step, aws_code, out);
    write_permission_fix("bcm-data-exports:GetExport", out);
    out.append(", and check export_name");
  }

private:
  Endpoint m_discovery;
};

Result<Source*> make(const ConnectionConfig& config, Host& host, Arena& arena) {
  return make_in_arena<Cur2ExportSource>(arena, config, host);
}

} // namespace

const SourceType kCur2ExportSource = {
    ConnectionType::Cur2,
    arena_bytes_of<Cur2ExportSource>() + AwsAccess::kArenaBytes + kDiscoveryArenaBytes,
    &make,
};

} // namespace ec
