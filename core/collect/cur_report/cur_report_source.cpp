// core/collect/cur_report/cur_report_source.cpp - `type = cur`: discovery of a legacy report.
#include "core/collect/cur_report/cur_report_source.h"

#include "core/collect/aws_source.h"
#include "core/source/report_discovery.h"

namespace ec {
namespace {

class CurReportSource final : public AwsSource {
public:
  using AwsSource::AwsSource;

  Status locate(Findings& findings) override {
    auto endpoint = cur_endpoint(m_config.cur_endpoint);
    if (!endpoint.ok()) {
      m_access.set_problem({"cur_endpoint: not a usable address"});
      return endpoint.error();
    }
    m_discovery = endpoint.value();
    EC_TRY_ASSIGN(m_location,
                  discover_cur_report(m_access.caller(), m_access.credentials(), m_discovery,
                                      m_config.report_name, *m_arena, findings));
    return open_bucket(*m_arena);
  }

  void write_fix(SourceStep step, std::string_view aws_code, TextBuilder& out) const override {
    if (step != SourceStep::Locate)
      return AwsSource::write_fix(step, aws_code, out);
    write_permission_fix("cur:DescribeReportDefinitions", out);
    out.append(", and check report_name");
  }

private:
  Endpoint m_discovery;
};

Result<Source*> make(const ConnectionConfig& config, Host& host, Arena& arena) {
  return make_in_arena<CurReportSource>(arena, config, host);
}

} // namespace

const SourceType kCurReportSource = {
    ConnectionType::Cur,
    arena_bytes_of<CurReportSource>() + AwsAccess::kArenaBytes + kDiscoveryArenaBytes,
    &make,
};

} // namespace ec
