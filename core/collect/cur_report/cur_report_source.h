// core/collect/cur_report/cur_report_source.h - `type = cur`: a legacy Cost and Usage Report,
// found by its name with cur:DescribeReportDefinitions.
#pragma once

#include "core/collect/source_registry.h"

namespace ec {

extern const SourceType kCurReportSource;

} // namespace ec
