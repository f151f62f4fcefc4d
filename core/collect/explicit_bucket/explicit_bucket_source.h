// core/collect/explicit_bucket/explicit_bucket_source.h - `type = explicit`: a report in a bucket
// the INI names (bucket, prefix, region, report_name or export_name), without discovery.
#pragma once

#include "core/collect/source_registry.h"

namespace ec {

extern const SourceType kExplicitBucketSource;

} // namespace ec
