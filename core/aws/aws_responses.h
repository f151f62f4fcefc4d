// core/aws/aws_responses.h - Typed parsers for the AWS answers edgecur reads (STS, S3, CUR,
// Data Exports, Organizations, errors), over a complete body in a caller buffer, no heap.
#pragma once

#include "core/aws/sigv4.h"
#include "core/base/arena.h"
#include "core/base/result.h"
#include "core/base/timestamp.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ec {

// Conventions for every parser below:
// - `body` is the complete response body. Every std::string_view in a result points into `body`
//   or into `arena` (a value that had escapes, entities or percent-encoding), so both must
//   outlive the result; lists are arrays in `arena`, sized exactly. Nothing else is allocated.
// - A malformed document, a wrong root, a field of the wrong type or a required field missing is
//   InvalidInput "aws: ..." with the byte offset (ErrorWhere::ByteOffset) of the offending value;
//   a list longer than its k* maximum or a value longer than its limit is LimitExceeded; a full
//   arena is OutOfMemory. The detail names the field ("SessionToken"), never its value: no error
//   ever carries response text, so credentials cannot leak through one.
// - Unknown elements and members are skipped (AWS adds fields); a repeated field keeps the last.
// - An empty, absent or null NextToken means the last page.

// ---- limits: each is checked, and crossing it is LimitExceeded
// -----------------------------------
/// Ids, names, codes, regions, buckets, ARNs, prefixes, status words.
inline constexpr std::size_t kMaxAwsFieldBytes = 2048;
/// Error messages (S3 and STS ones quote ARNs and canonical requests).
inline constexpr std::size_t kMaxAwsMessageBytes = 8192;
/// STS session tokens have no documented maximum (about 1 KiB today); the signer's canonical
/// request (kMaxCanonicalRequestBytes, 16 KiB) must still hold one.
inline constexpr std::size_t kMaxSessionTokenBytes = 8192;
/// S3 object keys are at most 1024 bytes of UTF-8.
inline constexpr std::size_t kMaxS3KeyBytes = 1024;
/// NextToken / NextContinuationToken: Data Exports documents 8192; it is sent back in a request.
inline constexpr std::size_t kMaxPageTokenBytes = 8192;
/// Data Exports' QueryStatement (documented maximum 36000).
inline constexpr std::size_t kMaxQueryStatementBytes = 36000;
/// S3 ListObjectsV2 returns at most 1000 keys a page (Contents and CommonPrefixes together).
inline constexpr std::size_t kMaxS3ListKeys = 1000;
/// DescribeReportDefinitions pages hold 5 (the API's MaxResults); the rest is slack.
inline constexpr std::size_t kMaxReportDefinitionsPerPage = 64;
/// AdditionalSchemaElements / AdditionalArtifacts of one report (AWS knows 4 and 3 values).
inline constexpr std::size_t kMaxReportListItems = 16;
/// ListExports MaxResults is at most 300.
inline constexpr std::size_t kMaxExportsPerPage = 300;
/// ListAccounts MaxResults is at most 20; the rest is slack.
inline constexpr std::size_t kMaxAccountsPerPage = 64;

// ---- STS (query protocol, XML) ---------------------------------------------------------------
/// AssumeRoleResponse/AssumeRoleResult. The secret and the token are views into `body` (or the
/// arena): wipe those buffers when the credentials are dropped.
struct AssumedRoleCredentials {
  std::string_view access_key_id;     ///< at most kMaxAccessKeyIdBytes
  std::string_view secret_access_key; ///< at most kMaxSecretKeyBytes
  std::string_view session_token;     ///< at most kMaxSessionTokenBytes
  UnixSeconds expiration = 0;         ///< Credentials/Expiration
  std::string_view assumed_role_arn;  ///< AssumedRoleUser/Arn; empty when absent
};
/// Parses an STS AssumeRole answer (HTTP 200). Root must be AssumeRoleResponse; AccessKeyId,
/// SecretAccessKey, SessionToken and Expiration are required (missing: InvalidInput "aws:
/// required field is missing", the field as detail); an Expiration parse_timestamp refuses is
/// InvalidInput "aws: timestamp is malformed". The three credential values are trimmed of
/// surrounding whitespace; one longer than its limit is LimitExceeded "aws: credential is too
/// long".
Result<AssumedRoleCredentials> parse_assume_role_response(std::string_view body, Arena& arena);

/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
struct StsError {
  std::string_view type; ///< "Sender" or "Receiver"
  std::string_view code; ///< e.g. "AccessDenied", "RegionDisabledException"
  std::string_view message;
  std::string_view request_id;
};
/// Parses an STS (query protocol) error body. Root must be ErrorResponse; every field may be
/// absent (empty).
Result<StsError> parse_sts_error(std::string_view body, Arena& arena);

// ---- S3 (REST XML) ---------------------------------------------------------------------------
struct S3Object {
  std::string_view key; ///< percent-decoded when the listing used encoding-type=url
  std::uint64_t size_bytes = 0;
  std::string_view etag;         ///< as S3 sends it, quotes included (what If-Match wants); opaque
  UnixSeconds last_modified = 0; ///< 0 when absent
};
/// One ListObjectsV2 page (ListBucketResult).
struct S3ListPage {
  std::string_view bucket;                           ///< Name
  std::string_view prefix;                           ///< Prefix, decoded like keys
  std::span<const S3Object> objects;                 ///< Contents, in document order
  std::span<const std::string_view> common_prefixes; ///< CommonPrefixes/Prefix, decoded
  bool is_truncated = false;
  /// Send back as continuation-token while is_truncated; empty on the last page.
  std::string_view next_continuation_token;
  std::uint64_t key_count = 0; ///< KeyCount as sent (0 when absent)
  bool url_encoded = false;    ///< EncodingType was "url" and keys were decoded
};
/// Parses a ListObjectsV2 answer. Root must be ListBucketResult; each Contents needs Key and a
/// decimal Size; LastModified is parsed with parse_timestamp. With `<EncodingType>url` the Key,
/// Prefix and CommonPrefixes values are percent-decoded ('+' is a space, as S3 writes them).
/// More than kMaxS3ListKeys Contents, or CommonPrefixes, is LimitExceeded; IsTruncated true
/// without a NextContinuationToken is InvalidInput "aws: s3 listing is truncated without a
/// continuation token" (following it would loop or lose keys).
Result<S3ListPage> parse_list_objects_v2(std::string_view body, Arena& arena);

/// An S3 `<Error>` body.
struct S3Error {
  std::string_view code;
  std::string_view message;
  std::string_view request_id;
  std::string_view host_id;
  std::string_view region;   ///< Region: the bucket's region (AuthorizationHeaderMalformed)
  std::string_view endpoint; ///< Endpoint (PermanentRedirect)
  std::string_view bucket;   ///< Bucket / BucketName
  /// ServerTime (RequestTimeTooSkewed): the server's clock, to correct the signing time.
  std::optional<UnixSeconds> server_time;
};
/// Parses an S3 error body. Root must be Error; every field may be absent (empty).
Result<S3Error> parse_s3_error(std::string_view body, Arena& arena);

// ---- JSON 1.1 services -----------------------------------------------------------------------
/// `{"__type":"prefix#Code","message":"..."}` (or "Message").
struct JsonServiceError {
  std::string_view code;    ///< __type after the last '#', anything from a ':' on dropped
  std::string_view type;    ///< __type as sent
  std::string_view message; ///< "message", else "Message"
  std::string_view reason;  ///< "Reason" (Organizations: INVALID_PAGINATION_TOKEN, ...)
};
/// Parses a JSON 1.1 error body. It must be an object; every field may be absent (then the caller
/// goes by the HTTP status).
Result<JsonServiceError> parse_json_error(std::string_view body, Arena& arena);

/// Format words as the CUR and Data Exports APIs spell them (textORcsv / TEXT_OR_CSV, ...).
enum class DeliveryFormat : std::uint8_t { Unknown, Csv, Parquet };
enum class DeliveryCompression : std::uint8_t { Unknown, Gzip, Zip, Parquet };
enum class DeliveryVersioning : std::uint8_t { Unknown, CreateNewReport, OverwriteReport };
[[nodiscard]] DeliveryFormat delivery_format_from(std::string_view text);
[[nodiscard]] DeliveryCompression delivery_compression_from(std::string_view text);
[[nodiscard]] DeliveryVersioning delivery_versioning_from(std::string_view text);

/// One legacy CUR report definition (CUR-FORMATS.md section 1).
struct ReportDefinition {
  std::string_view report_name;
  std::string_view time_unit;   ///< HOURLY | DAILY | MONTHLY
  std::string_view format;      ///< textORcsv | Parquet (see delivery_format_from)
  std::string_view compression; ///< ZIP | GZIP | Parquet
  std::span<const std::string_view> additional_schema_elements; ///< RESOURCES, ...
  std::span<const std::string_view> additional_artifacts;       ///< REDSHIFT, QUICKSIGHT, ATHENA
  std::string_view s3_bucket;
  std::string_view s3_prefix; ///< may be empty
  std::string_view s3_region;
  std::optional<bool> refresh_closed_reports; ///< absent when not sent
  std::string_view report_versioning;         ///< CREATE_NEW_REPORT | OVERWRITE_REPORT
};
struct ReportDefinitionPage {
  std::span<const ReportDefinition> definitions;
  std::string_view next_token;
};
/// Parses a cur:DescribeReportDefinitions answer. ReportName and S3Bucket are required in each
/// definition; more than kMaxReportDefinitionsPerPage definitions or kMaxReportListItems list
/// items is LimitExceeded.
Result<ReportDefinitionPage> parse_describe_report_definitions(std::string_view body, Arena& arena);

/// One ListExports entry (ExportReference).
struct ExportSummary {
  std::string_view export_arn;
  std::string_view export_name;
  std::string_view status_code;   ///< ExportStatus.StatusCode: HEALTHY | UNHEALTHY
  std::string_view status_reason; ///< ExportStatus.StatusReason; empty when healthy
};
struct ExportListPage {
  std::span<const ExportSummary> exports;
  std::string_view next_token;
};
/// Parses a bcm-data-exports:ListExports answer. ExportArn is required in each entry; more than
/// kMaxExportsPerPage entries is LimitExceeded.
Result<ExportListPage> parse_list_exports(std::string_view body, Arena& arena);

/// A GetExport answer: the export and where it delivers (CUR-FORMATS.md section 2).
struct ExportDefinition {
  std::string_view export_arn;
  std::string_view name;
  std::string_view description;
  std::string_view query_statement; ///< DataQuery.QueryStatement
  /// The first table of DataQuery.TableConfigurations (COST_AND_USAGE_REPORT, FOCUS_1_0_AWS...)
  /// and its TIME_GRANULARITY (HOURLY | DAILY | MONTHLY); empty when not sent.
  std::string_view table_name;
  std::string_view time_granularity;
  std::string_view s3_bucket;
  std::string_view s3_prefix;
  std::string_view s3_region;
  std::string_view output_type;       ///< S3OutputConfigurations.OutputType: CUSTOM | ATHENA | ...
  std::string_view format;            ///< TEXT_OR_CSV | PARQUET
  std::string_view compression;       ///< GZIP | PARQUET
  std::string_view overwrite;         ///< CREATE_NEW_REPORT | OVERWRITE_REPORT
  std::string_view refresh_frequency; ///< RefreshCadence.Frequency: SYNCHRONOUS
  std::string_view status_code;       ///< the answer's ExportStatus.StatusCode
  std::string_view status_reason;
};
/// Parses a bcm-data-exports:GetExport answer. Export, Export.Name and its S3Bucket are required.
Result<ExportDefinition> parse_get_export(std::string_view body, Arena& arena);

/// One Organizations account. Name and Email are sensitive to AWS: do not log them by default.
struct OrgAccount {
  std::string_view id;
  std::string_view name;
  std::string_view email;
  std::string_view status; ///< ACTIVE | SUSPENDED | PENDING_CLOSURE
  std::string_view state;  ///< newer field: ACTIVE | SUSPENDED | CLOSED | ...
};
struct AccountPage {
  std::span<const OrgAccount> accounts; ///< may be empty while next_token is not: keep paging
  std::string_view next_token;
};
/// Parses an organizations:ListAccounts answer. Id is required in each account; more than
/// kMaxAccountsPerPage accounts is LimitExceeded.
Result<AccountPage> parse_list_accounts(std::string_view body, Arena& arena);

} // namespace ec
