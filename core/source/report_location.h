// core/source/report_location.h - ReportLocation: where a connection's report files are, and how
// they are written, as discovery found it or the INI gave it.
#pragma once

#include "core/aws/cur_manifest.h"
#include "core/config/config.h"

#include <cstdint>
#include <string_view>

namespace ec {

/// How AWS writes new deliveries (legacy ReportVersioning / CUR 2.0 Overwrite).
enum class Versioning : std::uint8_t { Unknown, CreateNew, Overwrite };

/// Views point into the arena the discovery used (or the Config). Keys of the report's objects
/// start with key_root(): "<prefix>/<name>/" (or "<name>/" with an empty prefix).
struct ReportLocation {
  CurLayout layout = CurLayout::Legacy; ///< Legacy: a CUR report; Cur2: a Data Exports export
  std::string_view bucket;              ///< empty for a local directory
  std::string_view prefix;              ///< without leading or trailing '/'; may be empty
  std::string_view name;                ///< report or export name
  std::string_view region;              ///< the bucket's region (signing region for S3)
  CurFileFormat format = CurFileFormat::Auto;
  Versioning versioning = Versioning::Unknown;
  bool hourly = true; ///< false: DAILY/MONTHLY time unit (warned about; totals still exact)
};

} // namespace ec
