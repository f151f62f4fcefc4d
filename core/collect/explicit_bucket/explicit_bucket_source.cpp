// core/collect/explicit_bucket/explicit_bucket_source.cpp - `type = explicit`: the INI's bucket.
#include "core/collect/explicit_bucket/explicit_bucket_source.h"

#include "core/collect/aws_source.h"
#include "core/source/report_discovery.h"

namespace ec {
namespace {

class ExplicitBucketSource final : public AwsSource {
public:
  using AwsSource::AwsSource;

  Status locate(Findings& findings) override {
    (void)findings;
    EC_TRY_ASSIGN(m_location, location_from_config(m_config));
    return open_bucket(*m_arena);
  }
};

Result<Source*> make(const ConnectionConfig& config, Host& host, Arena& arena) {
  return make_in_arena<ExplicitBucketSource>(arena, config, host);
}

} // namespace

const SourceType kExplicitBucketSource = {
    ConnectionType::Explicit,
    arena_bytes_of<ExplicitBucketSource>() + AwsAccess::kArenaBytes,
    &make,
};

} // namespace ec
