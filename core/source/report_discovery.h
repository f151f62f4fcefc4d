// core/source/report_discovery.h - Finding the CUR report or CUR 2.0 export a connection names,
// checking that edgecur can read it, and saying what to change when it cannot.
#pragma once

#include "core/aws/aws_responses.h"
#include "core/base/arena.h"
#include "core/base/bytes.h"
#include "core/base/findings.h"
#include "core/base/result.h"
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "core/client/endpoint.h"
#include "core/config/config.h"
#include "core/source/report_location.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

// ---- locations without I/O --------------------------------------------------------------------

/// The location of a legacy CUR report definition, and a finding for each setting edgecur cannot
/// use or that gives unexpected totals: a time unit other than HOURLY (Warning; `hourly` false),
/// a format other than CSV (Error: Parquet is not supported yet), a compression other than GZIP or
/// ZIP (Error), an unknown report versioning (Warning), closed months not refreshed (Warning), no
/// bucket region (Warning; `region` empty). Views point where the definition's views point. The
/// prefix loses leading and trailing '/'.
ReportLocation location_from_definition(const ReportDefinition& definition, Findings& findings);

/// The location of a CUR 2.0 data export, with findings: a format other than TEXT_OR_CSV (Error),
/// a compression other than GZIP (Error), a table other than COST_AND_USAGE_REPORT (Error), a
/// query that leaves out a column edgecur needs (Error) or one it uses for the other measures
/// (Warning), a time granularity other than HOURLY (Warning), an unknown overwrite mode (Warning),
/// an export AWS reports UNHEALTHY (Warning, with the reason), a refresh cadence other than
/// SYNCHRONOUS (Warning), no bucket region (Warning).
ReportLocation location_from_export(const ExportDefinition& definition, Findings& findings);

/// The location an `explicit` or `local` connection gives in the INI (views into the Config).
/// explicit: bucket, prefix (without leading or trailing '/'), region, report_name or
/// export_name; the layout is Cur2 when format = cur2 or only export_name is set. local: no
/// bucket or region; the name may be empty (the whole folder). Errors: InvalidArgument "source:
/// connection has no report_name or export_name" (explicit; at ErrorWhere::Line of the section),
/// InvalidArgument "source: connection type needs discovery" for cur and cur2 (a caller bug).
Result<ReportLocation> location_from_config(const ConnectionConfig& connection);

// ---- discovery through the AWS APIs -----------------------------------------------------------

/// Body buffer for one API answer. GetExport carries the export's SQL (up to 36000 bytes).
inline constexpr std::size_t kDiscoveryBodyBytes = 64 * 1024;
/// Pages followed before giving up (LimitExceeded): 320 reports or 1280 exports.
inline constexpr std::size_t kMaxDiscoveryPages = 64;
/// ListExports MaxResults. DescribeReportDefinitions takes exactly 5.
inline constexpr std::uint32_t kExportsPageSize = 20;
/// Arena bytes discover_cur_report and discover_export use at most while they run: the page
/// token (8 KiB), the request sending it back (up to 48 KiB when every byte needs a JSON escape),
/// the answer (kDiscoveryBodyBytes) and the decoded copies of its escaped strings (at most half of
/// it). Ordinary answers take about 75 KiB (measured in tests/source). On return only the found
/// location's strings remain (at most 4 * kMaxAwsFieldBytes); everything else is released.
inline constexpr std::size_t kDiscoveryArenaBytes = 160 * 1024;

/// How one JSON 1.1 API is named in errors and findings. Every member is static text.
struct JsonApi {
  const char* service = "";          ///< signing name: "cur", "bcm-data-exports", "organizations"
  const char* target_prefix = "";    ///< X-Amz-Target before the '.'
  const char* title = "";            ///< for findings: "the CUR API"
  const char* endpoint_setting = ""; ///< the INI key that overrides its address
  // Error messages by outcome, "component: lower-case fact".
  ErrorText access_denied = "";
  ErrorText throttled = "";
  ErrorText unavailable = "";
  ErrorText clock_refused = "";
  ErrorText not_found = "";
  ErrorText refused = "";
  ErrorText too_many_pages = "";
  /// Added after the IAM action in an access-denied finding (where the call must be made).
  const char* access_hint = "";
};
extern const JsonApi kCurApi;
extern const JsonApi kExportsApi;
extern const JsonApi kOrganizationsApi;

/// A successful JSON 1.1 answer: the body (a view into the caller's buffer) and the reply.
struct JsonAnswer {
  std::string_view body;
  std::uint32_t attempts = 0;
};

/// POST / to `endpoint` with X-Amz-Target "<api.target_prefix>.<operation>", Content-Type
/// application/x-amz-json-1.1 and `body`, signed for api.service in us-east-1, answer into
/// `buffer`. A 2xx answer is returned. Otherwise a Finding naming the IAM action
/// ("<service>:<operation>"), the AWS code and message, and what to change, and an Error by
/// outcome: Auth -> Permission api.access_denied; Throttled -> Io api.throttled; Retry -> Io
/// api.unavailable; ClockSkew -> Permission api.clock_refused; NotFound -> NotFound api.not_found;
/// Fatal -> InvalidArgument api.refused. A transport failure is returned as it is, with a
/// finding. `operation` is static text ("DescribeReportDefinitions").
Result<JsonAnswer> call_json_api(AwsCaller& caller, CredentialSource& credentials,
                                 const Endpoint& endpoint, const JsonApi& api,
                                 const char* operation, std::string_view body, MutableBytes buffer,
                                 Findings& findings);

/// Writes `{<head>}` or `{<head>,"<key>":"<value>"}` (value JSON-escaped; `head` is raw JSON
/// members such as `"MaxResults":5`, or empty) into `arena`. An empty `value` leaves the member
/// out. OutOfMemory when the arena is full.
Result<std::string_view> json_request_body(Arena& arena, std::string_view head,
                                           std::string_view key, std::string_view value);

/// Finds the legacy CUR report `report_name` with cur:DescribeReportDefinitions (every page, up
/// to kMaxDiscoveryPages; NextToken sent back JSON-escaped) and returns its location, with the
/// findings of location_from_definition. The location's strings are copied to the start of what
/// this call took from `arena` (see kDiscoveryArenaBytes). Errors: NotFound "cur: report not
/// found" with a finding that lists the reports that do exist (a typo shows); LimitExceeded
/// "cur: too many pages"; those of call_json_api and parse_describe_report_definitions;
/// OutOfMemory.
Result<ReportLocation> discover_cur_report(AwsCaller& caller, CredentialSource& credentials,
                                           const Endpoint& cur, std::string_view report_name,
                                           Arena& arena, Findings& findings);

/// Finds the CUR 2.0 export `export_name` with bcm-data-exports:ListExports (every page) and reads
/// it with GetExport; returns its location, with the findings of location_from_export. Arena use
/// and errors as discover_cur_report, with "exports: export not found" and the export names that
/// exist.
Result<ReportLocation> discover_export(AwsCaller& caller, CredentialSource& credentials,
                                       const Endpoint& exports, std::string_view export_name,
                                       Arena& arena, Findings& findings);

} // namespace ec
