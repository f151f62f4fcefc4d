// core/collect/cur2_export/cur2_export_source.h - `type = cur2`: a CUR 2.0 data export, found
// by its name with bcm-data-exports:ListExports and GetExport.
#pragma once

#include "core/collect/source_registry.h"

namespace ec {

extern const SourceType kCur2ExportSource;

} // namespace ec
