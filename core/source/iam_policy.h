// core/source/iam_policy.h - The least IAM policy a Config needs, and the role's trust policy,
// as JSON text for the owner of the AWS account.
#pragma once

#include "core/base/result.h"
#include "core/config/config.h"
#include "core/source/report_discovery.h"
#include "core/source/report_location.h"

#include <cstddef>
#include <span>
#include <string_view>

namespace ec {

/// A report location discovery found for the connection named `connection` (type cur or cur2).
/// Views must live during write_iam_policy.
struct DiscoveredLocation {
  std::string_view connection;
  ReportLocation location;
};

/// Written where a cur or cur2 connection's bucket and prefix are not known (not discovered yet).
inline constexpr std::string_view kPolicyBucketPlaceholder = "REPORT_BUCKET";
inline constexpr std::string_view kPolicyPrefixPlaceholder = "REPORT_PREFIX";
/// Written as the principal of the trust policy: edgecur cannot know which IAM user's keys it has.
inline constexpr std::string_view kTrustedPrincipalPlaceholder = "TRUSTED_PRINCIPAL_ARN";

/// Writes the policy (JSON, 2-space indent, '\n' after the last '}') that lets every connection
/// of `config` do what edgecur does, and nothing more:
/// - per bucket (connections sharing one are merged): s3:ListBucket on arn:aws:s3:::BUCKET with
///   Condition StringLike s3:prefix ["PREFIX/NAME/*", ...] ("NAME/*" without a prefix);
/// - s3:GetObject on arn:aws:s3:::BUCKET/PREFIX/NAME/* for each connection;
/// - cur:DescribeReportDefinitions when a connection has type cur; bcm-data-exports:ListExports
///   and bcm-data-exports:GetExport when one has type cur2 (Resource "*": list actions);
/// - organizations:ListAccounts when a connection has account_names = true.
/// Local connections need nothing. A cur or cur2 connection takes its bucket and prefix from
/// `discovered` (matched by connection name), else the placeholders above, with a Warning in
/// `notes` saying what to replace. The partition (aws, aws-cn, aws-us-gov) comes from role_arn,
/// else the region. '*', '?' and '$' in names are written as IAM's ${*}, ${?} and ${$} so they
/// match only themselves. The text never holds a secret or the external id.
/// Returns the full length, like snprintf: when it is >= out.size() the text was cut (call again
/// with a larger buffer); it is terminated when there is room. Errors: NotFound "iam: no
/// connection reads from aws" (every connection is local), those of location_from_config.
Result<std::size_t> write_iam_policy(const Config& config,
                                     std::span<const DiscoveredLocation> discovered,
                                     std::span<char> out, Findings& notes);

/// Writes the trust policy for the connection's role (JSON, 2-space indent): sts:AssumeRole for
/// kTrustedPrincipalPlaceholder with Condition StringEquals sts:ExternalId, and a Warning in
/// `notes` naming the role and what to replace. THE TEXT HOLDS THE EXTERNAL ID: it is for the
/// account owner who sets up the role (print it to the terminal on request), never for a Log
/// line, a diagnostic or a file others can read. Returns the full length like write_iam_policy.
/// Errors: NotFound "iam: connection has no role_arn and external_id" when either is empty.
Result<std::size_t> write_trust_policy(const ConnectionConfig& connection, std::span<char> out,
                                       Findings& notes);

} // namespace ec
