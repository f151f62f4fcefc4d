// core/aws/cur_manifest.h - CUR manifests (legacy and CUR 2.0) and the S3 key layouts of report
// deliveries, read defensively (../shared/docs/CUR-FORMATS.md sections 1 and 2), no heap.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"
#include "core/base/timestamp.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ec {

// ---- limits: each is checked, and crossing it is LimitExceeded
// -----------------------------------
/// Columns a manifest may list (the CSV reader's kMaxCsvColumns is 1024 too).
inline constexpr std::size_t kMaxManifestColumns = 1024;
/// Data files of one delivery (reportKeys or dataFiles).
inline constexpr std::size_t kMaxManifestDataFiles = 4096;
/// additionalArtifactKeys entries.
inline constexpr std::size_t kMaxManifestArtifacts = 64;
/// One column name or category; ids, names and other scalar fields.
inline constexpr std::size_t kMaxManifestFieldBytes = 1024;

/// A billing period, [start, end) in Unix seconds.
struct BillingPeriod {
  UnixSeconds start = 0;
  UnixSeconds end = 0;
};

/// A column of the delivered files: category "lineItem" and name "UnblendedCost" for the legacy
/// CSV header "lineItem/UnblendedCost"; CUR 2.0 lists flat names with no category.
struct ManifestColumn {
  std::string_view category; ///< empty when not given
  std::string_view name;
};

/// Where a delivered file is.
struct S3Location {
  std::string_view bucket; ///< empty for a reportKeys entry when the manifest has no "bucket"
  std::string_view key;
};

/// An additionalArtifactKeys entry (Redshift/QuickSight helpers; edgecur does not read them).
struct ManifestArtifact {
  std::string_view type; ///< artifactType; empty when the entry was a bare string
  std::string_view key;  ///< name
};

/// A parsed manifest. Views point into the manifest body or the arena given to the parser.
struct CurManifest {
  std::string_view assembly_id;  ///< legacy: new for every delivery
  std::string_view execution_id; ///< CUR 2.0 (unverified field name)
  std::string_view account;      ///< the payer account
  std::string_view report_id;
  std::string_view report_name; ///< reportName, or exportName when only that is present
  std::string_view bucket;
  std::string_view charset;      ///< "UTF-8"
  std::string_view compression;  ///< GZIP | ZIP | Parquet (see delivery_compression_from)
  std::string_view content_type; ///< "text/csv"
  /// From the manifest's billingPeriod (its `end` may be missing: the next month's start), or
  /// from the key when parse_cur_manifest() was given one; empty when neither said.
  std::optional<BillingPeriod> billing_period;
  std::span<const ManifestColumn> columns;
  /// The delivery's data files: dataFiles (full s3:// URLs, as strings or as {"path": url}) when
  /// present, else reportKeys (keys in `bucket`). All of them make up the delivery; other objects
  /// beside them are not part of it.
  std::span<const S3Location> data_files;
  std::span<const ManifestArtifact> artifacts;

  /// What identifies this delivery: assembly_id, else execution_id, else empty (the caller then
  /// uses the manifest object's ETag). A new identity for a billing period replaces the period.
  [[nodiscard]] std::string_view delivery_id() const {
    return !assembly_id.empty() ? assembly_id : execution_id;
  }
};

/// Parses a CUR manifest (legacy `<name>-Manifest.json` or CUR 2.0's), tolerating the variants
/// CUR-FORMATS.md lists: `columns` entries as {category, name[, type]} objects or bare strings;
/// `dataFiles` (s3://bucket/key strings, or objects with the URL in "path") or `reportKeys`;
/// `assemblyId` and `executionId` both optional; `billingPeriod` optional, as {start[, end]} in
/// any parse_timestamp form (the legacy compact "20180501T000000.000Z" included), without
/// `start` read as absent; `additionalArtifactKeys` as objects or strings; unknown members
/// skipped. Errors: InvalidInput for a malformed document, a field of the wrong type, a billing
/// period that does not parse or ends before it starts, a dataFiles entry that is not
/// `s3://bucket/key` or an object without "path", and a manifest with neither dataFiles nor
/// reportKeys ("aws: required field is missing", detail "reportKeys"); LimitExceeded past the k*
/// limits above; OutOfMemory when the arena is full. Every error has a byte offset; none carries
/// manifest text.
Result<CurManifest> parse_cur_manifest(std::string_view body, Arena& arena);

/// The same for the manifest stored at `manifest_key`, with the billing period taken from the
/// key first (its YYYYMMDD-YYYYMMDD or BILLING_PERIOD=YYYY-MM folder): the manifest's own
/// billingPeriod is then not read, so it can neither fail nor contradict the key. A key in no
/// report layout falls back on the manifest's period; when that is absent too, InvalidInput "aws:
/// manifest and its key give no billing period" (no position: the key is the caller's).
/// `billing_period` is always set on success.
Result<CurManifest> parse_cur_manifest(std::string_view body, std::string_view manifest_key,
                                       Arena& arena);

/// Splits `s3://bucket/key`; InvalidInput "aws: not an s3:// url" unless both parts are
/// non-empty. Views into `url`.
Result<S3Location> parse_s3_url(std::string_view url);

// ---- key layouts
// ----------------------------------------------------------------------------------
enum class CurLayout : std::uint8_t {
  Legacy, ///< <prefix>/<name>/<YYYYMMDD-YYYYMMDD>/[<assemblyId>/]<file>
  Cur2,   ///< <prefix>/<export>/(data|metadata)/BILLING_PERIOD=YYYY-MM/[<folder>/]<file>
};
enum class CurObjectKind : std::uint8_t {
  Manifest, ///< the file name ends in "-Manifest.json"
  DataFile, ///< .csv, .csv.gz, .gz, .zip, .csv.zip or .parquet
  Other,    ///< anything else in a delivery folder (Redshift/Athena helpers)
};

/// The parts of a report object's S3 key. Views into the key.
struct CurKeyParts {
  CurLayout layout = CurLayout::Legacy;
  CurObjectKind kind = CurObjectKind::Other;
  std::string_view prefix;      ///< before the report name, without the joining '/'; may be empty
  std::string_view report_name; ///< report (legacy) or export (CUR 2.0) name
  std::string_view area;        ///< CUR 2.0: "data" or "metadata"; empty for legacy
  std::string_view period_text; ///< "20240301-20240401" or "BILLING_PERIOD=2024-03"
  BillingPeriod period;
  /// The per-delivery folder (legacy assemblyId, CUR 2.0 "<time>-<executionId>"), or empty for a
  /// file directly under the period: for a legacy Manifest, empty means the top-level manifest
  /// that every delivery rewrites.
  std::string_view delivery_folder;
  std::string_view file_name;
};

/// Recognises the key layouts of CUR-FORMATS.md sections 1 and 2 by their period folder (the
/// prefix may hold any number of '/'). A key in neither layout, an impossible date (20240231) or a
/// range that does not end after it starts is InvalidInput "aws: key is not in a cur report
/// layout" (no position: the key is the caller's).
Result<CurKeyParts> parse_cur_key(std::string_view key);

} // namespace ec
