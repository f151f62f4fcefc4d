// core/config/config_schema.cpp - The settings table and the parsers of each setting type.
#include "core/config/config_schema.h"

#include "core/base/ascii.h"
#include "core/base/endpoint_url.h"

#include <cstdio>
#include <cstring>
#include <iterator>

namespace ec {
namespace {

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = kKiB * 1024;
constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::int64_t kEarliestDate = 946684800; // 2000-01-01
constexpr std::int64_t kLatestDate = 4102358400;  // 2099-12-31

// ---- enum names, in enumerator order (the loader stores the index) ----------------------------

constexpr const char* kMalformedRowsNames[] = {"skip", "fail", nullptr};
constexpr const char* kLogLevelNames[] = {"error", "warn", "info", "debug", nullptr};
constexpr const char* kPermissionPolicyNames[] = {"refuse", "warn", nullptr};
constexpr const char* kConnectionTypeNames[] = {"cur", "cur2", "explicit", "local", nullptr};
constexpr const char* kCurFileFormatNames[] = {"auto", "cur1", "cur2", nullptr};

static_assert(std::size(kMalformedRowsNames) - 1 ==
              static_cast<std::size_t>(MalformedRows::Fail) + 1);
static_assert(std::size(kLogLevelNames) - 1 == static_cast<std::size_t>(LogLevel::Debug) + 1);
static_assert(std::size(kPermissionPolicyNames) - 1 ==
              static_cast<std::size_t>(PermissionPolicy::Warn) + 1);
static_assert(std::size(kConnectionTypeNames) - 1 == kConnectionTypeCount);
static_assert(std::size(kCurFileFormatNames) - 1 ==
              static_cast<std::size_t>(CurFileFormat::Cur2) + 1);

// ---- text rules -------------------------------------------------------------------------------

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool is_alnum(char c) {
  return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z');
}
constexpr bool is_printable_no_space(char c) {
  return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
}
bool in_set(char c, const char* extra) {
  return c != '\0' && std::strchr(extra, c) != nullptr;
}

bool all_chars(std::string_view value, const char* extra) {
  for (char c : value)
    if (!is_alnum(c) && !in_set(c, extra))
      return false;
  return true;
}

bool accepts_role_arn(std::string_view value) {
  constexpr std::string_view kPartitions[] = {
      "arn:aws:iam::", "arn:aws-cn:iam::", "arn:aws-us-gov:iam::"};
  std::string_view rest;
  for (std::string_view partition : kPartitions)
    if (value.starts_with(partition))
      rest = value.substr(partition.size());
  if (rest.size() < 12 + 6 + 1 || value.size() > 2048)
    return false;
  for (std::size_t i = 0; i < 12; ++i)
    if (!is_digit(rest[i]))
      return false;
  rest = rest.substr(12);
  if (!rest.starts_with(":role/"))
    return false;
  std::string_view name = rest.substr(6);
  return !name.empty() && name.back() != '/' && all_chars(name, "_+=,.@/-");
}

bool accepts_external_id(std::string_view value) {
  return value.size() >= 2 && value.size() <= 1224 && all_chars(value, "_+=,.@:/-");
}

// Two or more letters, one or more "-word" parts, then "-<1 or 2 digits>": us-east-1,
// us-gov-west-1.
bool accepts_region(std::string_view value) {
  std::size_t dash = value.rfind('-');
  if (dash == std::string_view::npos || dash + 1 >= value.size() || value.size() - dash - 1 > 2)
    return false;
  for (std::size_t i = dash + 1; i < value.size(); ++i)
    if (!is_digit(value[i]))
      return false;
  std::string_view words = value.substr(0, dash);
  std::size_t parts = 0;
  std::size_t part_length = 0;
  for (char c : words) {
    if (c == '-') {
      if (part_length == 0)
        return false;
      ++parts;
      part_length = 0;
    } else if (is_lower(c)) {
      ++part_length;
    } else {
      return false;
    }
  }
  return part_length > 0 && parts >= 1 && words.find('-') >= 2;
}

bool accepts_access_key_id(std::string_view value) {
  return value.size() >= 3 && value.size() <= 128 && all_chars(value, "_");
}

bool accepts_secret(std::string_view value) {
  if (value.empty() || value.size() > 128)
    return false;
  for (char c : value)
    if (!is_printable_no_space(c))
      return false;
  return true;
}

bool accepts_token(std::string_view value) {
  for (char c : value)
    if (!is_printable_no_space(c))
      return false;
  return !value.empty();
}

bool accepts_report_name(std::string_view value) {
  return !value.empty() && value.size() <= 256 && all_chars(value, "!-_.*'()");
}

bool accepts_bucket(std::string_view value) {
  return value.size() >= 3 && value.size() <= 255 && all_chars(value, ".-_") &&
         is_alnum(value.front()) && is_alnum(value.back());
}

bool accepts_prefix(std::string_view value) {
  if (value.empty() || value.size() > 1024 || value.front() == '/')
    return false;
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20)
      return false;
  return true;
}

bool accepts_url_after_scheme(std::string_view rest) {
  if (rest.empty() || rest.front() == '/' || rest.front() == ':')
    return false;
  for (char c : rest)
    if (!is_printable_no_space(c))
      return false;
  return true;
}

// An endpoint carries signed requests, AssumeRole's session token and the external ID: https://,
// or http:// only to loopback (a test server, a local gateway). user:password@ has no use in an
// AWS endpoint and would put a password in a setting shown in messages, so it is refused too. The
// same parser as the run's (core/base/endpoint_url.h), so `config check` and `once` agree.
ValueProblem endpoint_problem(std::string_view value) {
  EndpointUrl parts;
  switch (parse_endpoint_url(value, parts)) {
  case EndpointUrlProblem::None:
    return ValueProblem::None;
  case EndpointUrlProblem::UserInfo:
    return ValueProblem::UserInfo;
  case EndpointUrlProblem::PlainHttp:
    return ValueProblem::PlainHttp;
  case EndpointUrlProblem::NotUrl:
  case EndpointUrlProblem::QueryOrFragment:
  case EndpointUrlProblem::BadPort:
  case EndpointUrlProblem::HostTooLong:
  case EndpointUrlProblem::PathTooLong:
    return ValueProblem::BadFormat;
  }
  return ValueProblem::BadFormat;
}

bool accepts_endpoint(std::string_view value) {
  return endpoint_problem(value) == ValueProblem::None;
}

bool accepts_proxy(std::string_view value) {
  for (std::string_view scheme :
       {"http://", "https://", "socks4://", "socks4a://", "socks5://", "socks5h://"})
    if (value.starts_with(scheme))
      return accepts_url_after_scheme(value.substr(scheme.size()));
  return false;
}

bool accepts_max_malformed(std::string_view value) {
  bool share = false;
  std::uint64_t parsed = 0;
  return parse_max_malformed(value, share, parsed);
}

bool accepts_host_list(std::string_view value) {
  return all_chars(value, ".-_*:[]/, ");
}

constexpr TextRule kMaxMalformedRule{&accepts_max_malformed,
                                     "a share such as 1% or 0.5%, or a count such as 500"};
constexpr TextRule kRoleArnRule{&accepts_role_arn,
                                "an IAM role ARN such as arn:aws:iam::123456789012:role/edgecur"};
constexpr TextRule kExternalIdRule{&accepts_external_id,
                                   "2 to 1224 characters of letters, digits and _ + = , . @ : / -"};
constexpr TextRule kRegionRule{&accepts_region, "an AWS region such as us-east-1"};
constexpr TextRule kAccessKeyIdRule{&accepts_access_key_id,
                                    "an access key ID of 3 to 128 letters and digits"};
constexpr TextRule kSecretRule{&accepts_secret, "1 to 128 printable characters without spaces"};
constexpr TextRule kTokenRule{&accepts_token, "printable characters without spaces"};
constexpr TextRule kReportNameRule{&accepts_report_name,
                                   "a name of letters, digits and ! - _ . * ' ( )"};
constexpr TextRule kBucketRule{&accepts_bucket,
                               "an S3 bucket name of 3 to 255 letters, digits, '.', '-' or '_'"};
constexpr TextRule kPrefixRule{&accepts_prefix, "a key prefix such as billing/cur, not starting "
                                                "with '/'"};
constexpr TextRule kEndpointRule{
    &accepts_endpoint,
    "an address starting with https:// (http:// only to 127.0.0.1, [::1] or localhost)",
    &endpoint_problem};
constexpr TextRule kProxyRule{&accepts_proxy,
                              "a proxy address such as http://10.0.0.1:3128 (http, https, socks5)"};
constexpr TextRule kHostListRule{&accepts_host_list, "host names or addresses separated by commas"};

// ---- the table ----------------------------------------------------------------------------------

constexpr TypeMask kCur = type_bit(ConnectionType::Cur);
constexpr TypeMask kCur2 = type_bit(ConnectionType::Cur2);
constexpr TypeMask kExplicit = type_bit(ConnectionType::Explicit);
constexpr TypeMask kLocal = type_bit(ConnectionType::Local);

using C = ConnectionConfig;

// clang-format off
constexpr SettingSpec kSettings[] = {
  // [store]
  {.section = Section::Store, .key = "path", .type = SettingType::Path,
   .default_text = "/var/lib/edgecur/edgecur.db",
   .description = "Database file that keeps the hourly cost totals; put it on storage that survives a reboot",
   .target = field<&StoreConfig::path>()},
  {.section = Section::Store, .key = "memory", .type = SettingType::Size,
   .default_text = "3M", .min = kMiB, .max = 256 * kMiB,
   .description = "Memory the database may use, taken once at start; a commit that needs more fails, changes nothing and says so",
   .target = field<&StoreConfig::memory_bytes>()},
  {.section = Section::Store, .key = "lock_wait", .type = SettingType::Duration,
   .default_text = "0s", .min = 0, .max = kHourMs,
   .description = "How long a run waits while another one writes the database (cron and a manual run at once); 0 exits at once, with code 7",
   .target = field<&StoreConfig::lock_wait_ms>()},

  // [ingest]
  {.section = Section::Ingest, .key = "malformed_rows", .type = SettingType::Enum,
   .default_text = "skip", .choices = kMalformedRowsNames,
   .description = "What to do with a broken row in a report: skip it (and count it) or fail the file",
   .target = field<&IngestConfig::malformed_rows>()},
  {.section = Section::Ingest, .key = "max_malformed", .type = SettingType::Text,
   .default_text = "1%", .rule = &kMaxMalformedRule,
   .description = "With skip: more broken rows than this in one file (a share of its rows, or a count) reject the delivery",
   .target = field<&IngestConfig::max_malformed>()},
  {.section = Section::Ingest, .key = "max_field_bytes", .type = SettingType::Size,
   .default_text = "64K", .min = kKiB, .max = 16 * kMiB,
   .description = "Longest single value in a report row; a longer one makes the row broken",
   .target = field<&IngestConfig::max_field_bytes>()},
  {.section = Section::Ingest, .key = "max_row_bytes", .type = SettingType::Size,
   .default_text = "128K", .min = 4 * kKiB, .max = 64 * kMiB,
   .description = "Longest report row (at least max_field_bytes); a longer one is broken",
   .target = field<&IngestConfig::max_row_bytes>()},
  {.section = Section::Ingest, .key = "table_keys", .type = SettingType::Integer,
   .default_text = "24576", .min = 256, .max = 4 * kMiB, .unit = "keys",
   .description = "Hourly totals held in memory (104 bytes each) before they go to the database; more is faster but uses more memory",
   .target = field<&IngestConfig::table_keys>()},
  {.section = Section::Ingest, .key = "chunk_bytes", .type = SettingType::Size,
   .default_text = "64K", .min = 4 * kKiB, .max = 16 * kMiB,
   .description = "How much of a report file is read at a time",
   .target = field<&IngestConfig::chunk_bytes>()},
  {.section = Section::Ingest, .key = "network_memory", .type = SettingType::Size,
   .default_text = "2M", .min = 256 * kKiB, .max = 64 * kMiB,
   .description = "Memory for downloads and HTTPS (libcurl and TLS), taken once at start; a request that needs more fails and says so",
   .target = field<&IngestConfig::network_memory_bytes>()},

  // [log]
  {.section = Section::Log, .key = "level", .type = SettingType::Enum,
   .default_text = "info", .choices = kLogLevelNames,
   .description = "How much edgecur writes to its log",
   .target = field<&LogConfig::level>()},

  // [security]
  {.section = Section::Security, .key = "config_permissions", .type = SettingType::Enum,
   .default_text = "refuse", .choices = kPermissionPolicyNames,
   .description = "When a file with keys can be read by other users: refuse to start, or only warn",
   .target = field<&SecurityConfig::config_permissions>()},

  // [connection NAME]
  {.section = Section::Connection, .key = "type", .type = SettingType::Enum,
   .example_text = "cur", .required_for = kAllTypes, .choices = kConnectionTypeNames,
   .description = "Where the reports come from: cur report, cur2 data export, explicit bucket, local folder",
   .target = field<&C::type>()},
  {.section = Section::Connection, .key = "role_arn", .type = SettingType::Text,
   .example_text = "arn:aws:iam::123456789012:role/edgecur-read", .applies_to = kRemoteTypes,
   .rule = &kRoleArnRule,
   .description = "IAM role edgecur signs in to, as given by the owner of the AWS account",
   .target = field<&C::role_arn>()},
  {.section = Section::Connection, .key = "external_id", .type = SettingType::Text,
   .applies_to = kRemoteTypes, .rule = &kExternalIdRule, .sensitivity = Sensitivity::Hidden,
   .description = "External ID the account owner set on that role, if any",
   .target = field<&C::external_id>()},
  {.section = Section::Connection, .key = "access_key_id", .type = SettingType::Text,
   .applies_to = kRemoteTypes, .rule = &kAccessKeyIdRule, .sensitivity = Sensitivity::Hidden,
   .description = "Access key ID of an IAM user, used with secret_access_key (or use credentials_file)",
   .target = field<&C::access_key_id>()},
  {.section = Section::Connection, .key = "secret_access_key", .type = SettingType::Secret,
   .applies_to = kRemoteTypes, .rule = &kSecretRule, .sensitivity = Sensitivity::Secret,
   .description = "Secret access key of that user; this file must then be chmod 600",
   .target = field<&C::secret_access_key>()},
  {.section = Section::Connection, .key = "session_token", .type = SettingType::Secret,
   .applies_to = kRemoteTypes, .rule = &kTokenRule, .sensitivity = Sensitivity::Secret,
   .description = "Session token, only for temporary keys (long tokens go in credentials_file)",
   .target = field<&C::session_token>()},
  {.section = Section::Connection, .key = "credentials_file", .type = SettingType::Path,
   .applies_to = kRemoteTypes,
   .description = "File holding the access keys instead of this file; it must be chmod 600",
   .target = field<&C::credentials_file>()},
  {.section = Section::Connection, .key = "region", .type = SettingType::Text,
   .required_for = kExplicit, .applies_to = kRemoteTypes, .rule = &kRegionRule,
   .description = "AWS region of the bucket, e.g. us-east-1 (cur and cur2 find it themselves)",
   .target = field<&C::region>()},
  {.section = Section::Connection, .key = "report_name", .type = SettingType::Text,
   .example_text = "my-cost-report", .required_for = kCur, .applies_to = kCur | kExplicit | kLocal,
   .rule = &kReportNameRule,
   .description = "Name of the CUR report as shown in the AWS Billing console",
   .target = field<&C::report_name>()},
  {.section = Section::Connection, .key = "export_name", .type = SettingType::Text,
   .required_for = kCur2, .applies_to = kCur2 | kExplicit | kLocal, .rule = &kReportNameRule,
   .description = "Name of the CUR 2.0 data export as shown in the AWS Billing console",
   .target = field<&C::export_name>()},
  {.section = Section::Connection, .key = "bucket", .type = SettingType::Text,
   .required_for = kExplicit, .applies_to = kExplicit, .rule = &kBucketRule,
   .description = "S3 bucket the reports are delivered to",
   .target = field<&C::bucket>()},
  {.section = Section::Connection, .key = "prefix", .type = SettingType::Text,
   .applies_to = kExplicit, .rule = &kPrefixRule,
   .description = "Folder (key prefix) in the bucket in front of the report name; empty for none",
   .target = field<&C::prefix>()},
  {.section = Section::Connection, .key = "format", .type = SettingType::Enum,
   .default_text = "auto", .applies_to = kExplicit | kLocal, .choices = kCurFileFormatNames,
   .description = "Layout of the report files: auto detects it, cur1 is legacy CUR, cur2 is CUR 2.0",
   .target = field<&C::format>()},
  {.section = Section::Connection, .key = "local_dir", .type = SettingType::Path,
   .required_for = kLocal, .applies_to = kLocal,
   .description = "Folder on this device that holds the report files",
   .target = field<&C::local_dir>()},
  {.section = Section::Connection, .key = "sts_endpoint", .type = SettingType::Url,
   .applies_to = kRemoteTypes, .rule = &kEndpointRule,
   .description = "Address of AWS STS (role sign-in) to use instead of the standard one",
   .target = field<&C::sts_endpoint>()},
  {.section = Section::Connection, .key = "s3_endpoint", .type = SettingType::Url,
   .applies_to = kRemoteTypes, .rule = &kEndpointRule,
   .description = "Address of S3 to use instead of the standard one (VPC endpoint, test server)",
   .target = field<&C::s3_endpoint>()},
  {.section = Section::Connection, .key = "cur_endpoint", .type = SettingType::Url,
   .applies_to = kCur, .rule = &kEndpointRule,
   .description = "Address of the CUR report API to use instead of the standard one",
   .target = field<&C::cur_endpoint>()},
  {.section = Section::Connection, .key = "exports_endpoint", .type = SettingType::Url,
   .applies_to = kCur2, .rule = &kEndpointRule,
   .description = "Address of the Data Exports API to use instead of the standard one",
   .target = field<&C::exports_endpoint>()},
  {.section = Section::Connection, .key = "account_names", .type = SettingType::Bool,
   .default_text = "false", .applies_to = kRemoteTypes,
   .description = "Fetch account names from AWS Organizations (needs organizations:ListAccounts in the management account)",
   .target = field<&C::account_names>()},
  {.section = Section::Connection, .key = "organizations_endpoint", .type = SettingType::Url,
   .applies_to = kRemoteTypes, .rule = &kEndpointRule,
   .description = "Address of AWS Organizations (account names) to use instead of the standard one",
   .target = field<&C::organizations_endpoint>()},
  {.section = Section::Connection, .key = "s3_path_style", .type = SettingType::Bool,
   .default_text = "false", .applies_to = kRemoteTypes,
   .description = "Put the bucket in the path of S3 addresses (some test and S3-compatible servers need it)",
   .target = field<&C::s3_path_style>()},
  {.section = Section::Connection, .key = "proxy", .type = SettingType::Url,
   .applies_to = kRemoteTypes, .rule = &kProxyRule, .sensitivity = Sensitivity::Hidden,
   .description = "Proxy to reach AWS through, e.g. http://10.0.0.1:3128; empty to connect directly",
   .target = field<&C::proxy>()},
  {.section = Section::Connection, .key = "no_proxy", .type = SettingType::Text,
   .applies_to = kRemoteTypes, .rule = &kHostListRule,
   .description = "Hosts reached without the proxy, separated by commas",
   .target = field<&C::no_proxy>()},
  {.section = Section::Connection, .key = "ca_bundle", .type = SettingType::Path,
   .applies_to = kRemoteTypes,
   .description = "File of trusted CA certificates (PEM) for AWS; empty for the system's",
   .target = field<&C::ca_bundle>()},
  {.section = Section::Connection, .key = "proxy_ca_bundle", .type = SettingType::Path,
   .applies_to = kRemoteTypes,
   .description = "File of trusted CA certificates (PEM) for an HTTPS proxy; empty for the system's",
   .target = field<&C::proxy_ca_bundle>()},
  {.section = Section::Connection, .key = "accounts_allow", .type = SettingType::AccountList,
   .description = "Only count these linked accounts (12-digit IDs, commas; the line may repeat); empty for all",
   .target = field<&C::accounts_allow>()},
  {.section = Section::Connection, .key = "accounts_deny", .type = SettingType::AccountList,
   .description = "Never count these linked accounts (12-digit IDs, commas; the line may repeat)",
   .target = field<&C::accounts_deny>()},
  {.section = Section::Connection, .key = "start_date", .type = SettingType::Date,
   .min = kEarliestDate, .max = kLatestDate,
   .description = "Ignore costs before this day; empty to keep everything",
   .target = field<&C::start_date>()},
  {.section = Section::Connection, .key = "recheck_days", .type = SettingType::Integer,
   .default_text = "35", .min = 0, .max = 365, .unit = "days",
   .description = "Days after a month ends that it is still checked for late corrections from AWS",
   .target = field<&C::recheck_days>()},
  {.section = Section::Connection, .key = "chunk_bytes", .type = SettingType::Size,
   .default_text = "8M", .applies_to = kRemoteTypes, .min = 64 * kKiB, .max = 1024 * kMiB,
   .description = "Size of each download request; a broken one resumes at the exact byte it reached",
   .target = field<&C::chunk_bytes>()},
  {.section = Section::Connection, .key = "connect_timeout", .type = SettingType::Duration,
   .default_text = "10s", .applies_to = kRemoteTypes, .min = kSecondMs, .max = 5 * kMinuteMs,
   .description = "Give up connecting to AWS after this long",
   .target = field<&C::connect_timeout_ms>()},
  {.section = Section::Connection, .key = "low_speed_timeout", .type = SettingType::Duration,
   .default_text = "60s", .applies_to = kRemoteTypes, .min = 5 * kSecondMs, .max = kHourMs,
   .description = "Give up a download that has stalled (under 1 KB/s) for this long",
   .target = field<&C::low_speed_timeout_ms>()},
  {.section = Section::Connection, .key = "total_timeout", .type = SettingType::Duration,
   .default_text = "30m", .applies_to = kRemoteTypes, .min = 0, .max = kDayMs,
   .description = "Longest one request may take; 0 for no limit",
   .target = field<&C::total_timeout_ms>()},
  {.section = Section::Connection, .key = "retries", .type = SettingType::Integer,
   .default_text = "5", .applies_to = kRemoteTypes, .min = 0, .max = 20,
   .description = "How many times a failed request is tried again before the run gives up",
   .target = field<&C::retries>()},
};
// clang-format on

constexpr bool kind_matches(SettingType type, FieldKind kind) {
  switch (type) {
  case SettingType::Text:
  case SettingType::Path:
  case SettingType::Url:
  case SettingType::Secret:
    return kind == FieldKind::Text;
  case SettingType::Bool:
    return kind == FieldKind::Bool;
  case SettingType::Enum:
    return kind == FieldKind::Choice;
  case SettingType::Integer:
  case SettingType::Duration:
  case SettingType::Size:
  case SettingType::Date:
    return kind == FieldKind::Number;
  case SettingType::AccountList:
    return kind == FieldKind::Accounts;
  }
  return false;
}

constexpr bool same_text(const char* a, const char* b) {
  while (*a && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

// The table's own rules, checked by the compiler: each entry stores into a member of its own
// section's struct, of a kind that fits its type, within that member's range.
constexpr bool table_is_consistent() {
  for (const SettingSpec& spec : kSettings) {
    if (spec.target.section != spec.section || !kind_matches(spec.type, spec.target.kind))
      return false;
    if (spec.target.kind == FieldKind::Number &&
        (spec.min > spec.max || spec.min < spec.target.min_value ||
         spec.max > spec.target.max_value))
      return false;
    if (spec.type == SettingType::Enum) {
      std::int64_t count = 0;
      while (spec.choices && spec.choices[count])
        ++count;
      if (count == 0 || count - 1 > spec.target.max_value)
        return false;
    }
    if ((spec.type == SettingType::Url || spec.type == SettingType::Secret) && !spec.rule)
      return false;
    if ((spec.type == SettingType::Secret) != (spec.sensitivity == Sensitivity::Secret))
      return false;
    if ((spec.required_for & ~spec.applies_to) != 0 || spec.description[0] == '\0')
      return false;
    if (spec.section != Section::Connection &&
        (spec.required_for != kNoTypes || spec.applies_to != kAllTypes))
      return false;
    for (const SettingSpec& other : kSettings)
      if (&other != &spec && other.section == spec.section && same_text(other.key, spec.key))
        return false;
  }
  return true;
}
static_assert(table_is_consistent(), "config: the settings table contradicts itself");

// ---- number parsing -----------------------------------------------------------------------------

// Up to 15 decimal digits (no sign), so the multipliers below cannot overflow.
bool parse_digits(std::string_view text, std::int64_t& out, std::size_t& used) {
  std::int64_t value = 0;
  used = 0;
  while (used < text.size() && is_digit(text[used])) {
    if (used == 15)
      return false;
    value = value * 10 + (text[used] - '0');
    ++used;
  }
  out = value;
  return used > 0;
}

bool parse_size_text(std::string_view text, std::int64_t& bytes) {
  std::size_t used = 0;
  if (!parse_digits(text, bytes, used))
    return false;
  std::string_view suffix = text.substr(used);
  if (suffix.empty())
    return true;
  if (equals_ignoring_case(suffix, "k")) {
    bytes *= kKiB;
    return true;
  }
  if (equals_ignoring_case(suffix, "m")) {
    bytes *= kMiB;
    return true;
  }
  return false;
}

bool parse_duration_text(std::string_view text, std::int64_t& milliseconds) {
  std::size_t used = 0;
  std::int64_t count = 0;
  if (!parse_digits(text, count, used))
    return false;
  std::string_view unit = text.substr(used);
  std::int64_t scale = 0;
  if (unit.empty() || unit == "s")
    scale = kSecondMs;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m")
    scale = kMinuteMs;
  else if (unit == "h")
    scale = kHourMs;
  else if (unit == "d")
    scale = kDayMs;
  else
    return false;
  milliseconds = count * scale;
  return true;
}

ValueProblem copy_text(std::string_view text, Arena& arena, ParsedValue& out) {
  char* copy = static_cast<char*>(arena.allocate(text.size() + 1, 1));
  if (!copy)
    return ValueProblem::OutOfMemory;
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0'; // so a path can be handed to the OS as it is
  out.text = std::string_view(copy, text.size());
  return ValueProblem::None;
}

ValueProblem parse_accounts(std::string_view text, Arena& arena,
                            std::span<const std::uint64_t> previous, ParsedValue& out) {
  auto is_separator = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
  // First pass: validate and count.
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size();) {
    while (at < text.size() && is_separator(text[at]))
      ++at;
    std::size_t start = at;
    while (at < text.size() && !is_separator(text[at]))
      ++at;
    if (start == at)
      break;
    if (at - start != 12)
      return ValueProblem::BadFormat;
    for (std::size_t i = start; i < at; ++i)
      if (!is_digit(text[i]))
        return ValueProblem::BadFormat;
    ++count;
  }
  if (count == 0)
    return ValueProblem::BadFormat;
  if (previous.size() + count > kConfigMaxAccounts)
    return ValueProblem::TooMany;

  // Second pass: store. A list whose earlier lines are the arena's last allocation grows in
  // place, so a long list over many lines costs no copies.
  Arena::Mark mark = arena.mark();
  auto* items = arena.allocate_array<std::uint64_t>(count);
  std::size_t stored = 0;
  if (items && !previous.empty() && items == previous.data() + previous.size()) {
    items = const_cast<std::uint64_t*>(previous.data()); // ours, from this same arena
    stored = previous.size();
  } else if (items && !previous.empty()) {
    arena.rewind(mark);
    items = arena.allocate_array<std::uint64_t>(previous.size() + count);
    if (items)
      for (; stored < previous.size(); ++stored)
        items[stored] = previous[stored];
  }
  if (!items)
    return ValueProblem::OutOfMemory;
  for (std::size_t at = 0; at < text.size();) {
    while (at < text.size() && is_separator(text[at]))
      ++at;
    std::uint64_t value = 0;
    std::size_t start = at;
    for (; at < text.size() && !is_separator(text[at]); ++at)
      value = value * 10 + static_cast<std::uint64_t>(text[at] - '0');
    if (start != at)
      items[stored++] = value;
  }
  out.accounts = std::span<const std::uint64_t>(items, stored);
  return ValueProblem::None;
}

std::size_t clamp_length(int length, std::size_t out_size) {
  if (length < 0 || out_size == 0)
    return 0;
  auto size = static_cast<std::size_t>(length);
  return size < out_size ? size : out_size - 1;
}

std::size_t format_date(std::int64_t seconds, char* out, std::size_t out_size) {
  char stamp[24];
  format_timestamp(seconds, stamp, sizeof stamp);
  stamp[10] = '\0'; // keep YYYY-MM-DD
  return clamp_length(std::snprintf(out, out_size, "%s", stamp), out_size);
}

// "skip, fail" or "skip|fail".
std::size_t join_choices(const char* const* choices, const char* separator, char* out,
                         std::size_t out_size) {
  std::size_t used = 0;
  if (out_size == 0)
    return 0;
  out[0] = '\0';
  for (std::size_t i = 0; choices[i]; ++i) {
    int more = std::snprintf(out + used, out_size - used, "%s%s", i ? separator : "", choices[i]);
    used += clamp_length(more, out_size - used);
  }
  return used;
}

} // namespace

const char* section_name(Section section) {
  switch (section) {
  case Section::Store:
    return "store";
  case Section::Ingest:
    return "ingest";
  case Section::Log:
    return "log";
  case Section::Security:
    return "security";
  case Section::Connection:
    return "connection";
  }
  return "";
}

const char* connection_type_name(ConnectionType type) {
  return kConnectionTypeNames[static_cast<std::size_t>(type)];
}

const char* log_level_name(LogLevel level) {
  return kLogLevelNames[static_cast<std::size_t>(level)];
}

std::span<const SettingSpec> setting_specs() {
  return kSettings;
}

const SettingSpec* find_setting(Section section, std::string_view key) {
  for (const SettingSpec& spec : kSettings)
    if (spec.section == section && key == spec.key)
      return &spec;
  return nullptr;
}

std::size_t setting_index(const SettingSpec& spec) {
  return static_cast<std::size_t>(&spec - kSettings);
}

ValueProblem parse_setting_value(const SettingSpec& spec, std::string_view text, Arena& arena,
                                 std::span<const std::uint64_t> previous, ParsedValue& out) {
  out = ParsedValue{};
  auto in_range = [&spec](std::int64_t number) {
    return number >= spec.min && number <= spec.max ? ValueProblem::None : ValueProblem::OutOfRange;
  };
  switch (spec.type) {
  case SettingType::Text:
  case SettingType::Url:
  case SettingType::Secret:
    if (spec.rule && !spec.rule->accepts(text))
      return spec.rule->why_refused ? spec.rule->why_refused(text) : ValueProblem::BadFormat;
    return copy_text(text, arena, out);
  case SettingType::Path:
    if (text.empty() || text.front() != '/' || text.size() > 4095)
      return ValueProblem::BadFormat;
    return copy_text(text, arena, out);
  case SettingType::Bool:
    for (const char* yes : {"true", "yes", "on", "1"})
      if (equals_ignoring_case(text, yes)) {
        out.flag = true;
        return ValueProblem::None;
      }
    for (const char* no : {"false", "no", "off", "0"})
      if (equals_ignoring_case(text, no)) {
        out.flag = false;
        return ValueProblem::None;
      }
    return ValueProblem::BadFormat;
  case SettingType::Integer: {
    std::size_t used = 0;
    if (!parse_digits(text, out.number, used) || used != text.size())
      return ValueProblem::BadFormat;
    return in_range(out.number);
  }
  case SettingType::Enum:
    for (std::size_t i = 0; spec.choices[i]; ++i)
      if (equals_ignoring_case(text, spec.choices[i])) {
        out.choice = static_cast<std::uint8_t>(i);
        return ValueProblem::None;
      }
    return ValueProblem::BadFormat;
  case SettingType::Duration:
    if (!parse_duration_text(text, out.number))
      return ValueProblem::BadFormat;
    return in_range(out.number);
  case SettingType::Size:
    if (!parse_size_text(text, out.number))
      return ValueProblem::BadFormat;
    return in_range(out.number);
  case SettingType::Date: {
    if (text.size() < 10 || !is_digit(text[0]))
      return ValueProblem::BadFormat;
    Result<UnixSeconds> seconds = parse_timestamp(text);
    if (!seconds.ok())
      return ValueProblem::BadFormat;
    out.number = seconds.value();
    return in_range(out.number);
  }
  case SettingType::AccountList:
    return parse_accounts(text, arena, previous, out);
  }
  return ValueProblem::BadFormat;
}

std::string_view endpoint_host(std::string_view url) {
  // For messages only (the host a refused http:// URL names): up to the first '/', '?' or '#',
  // then without :port ("[::1]:9000" -> "[::1]").
  std::size_t scheme = url.find("://");
  std::string_view authority = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (!authority.empty() && authority.front() == '[')
    return authority.substr(0, authority.find(']') + 1); // npos + 1: all of it
  return authority.substr(0, authority.find(':'));
}

std::size_t format_size(std::int64_t bytes, char* out, std::size_t out_size) {
  long long value = bytes;
  if (bytes != 0 && bytes % kMiB == 0)
    return clamp_length(std::snprintf(out, out_size, "%lldM", value / kMiB), out_size);
  if (bytes != 0 && bytes % kKiB == 0)
    return clamp_length(std::snprintf(out, out_size, "%lldK", value / kKiB), out_size);
  return clamp_length(std::snprintf(out, out_size, "%lld", value), out_size);
}

std::size_t format_duration(std::int64_t milliseconds, char* out, std::size_t out_size) {
  long long value = milliseconds;
  if (milliseconds == 0)
    return clamp_length(std::snprintf(out, out_size, "0"), out_size);
  if (milliseconds % kDayMs == 0)
    return clamp_length(std::snprintf(out, out_size, "%lldd", value / kDayMs), out_size);
  if (milliseconds % kHourMs == 0)
    return clamp_length(std::snprintf(out, out_size, "%lldh", value / kHourMs), out_size);
  if (milliseconds % kMinuteMs == 0)
    return clamp_length(std::snprintf(out, out_size, "%lldm", value / kMinuteMs), out_size);
  if (milliseconds % kSecondMs == 0)
    return clamp_length(std::snprintf(out, out_size, "%llds", value / kSecondMs), out_size);
  return clamp_length(std::snprintf(out, out_size, "%lldms", value), out_size);
}

std::size_t describe_expected(const SettingSpec& spec, char* out, std::size_t out_size) {
  char low[24];
  char high[24];
  switch (spec.type) {
  case SettingType::Text:
  case SettingType::Url:
  case SettingType::Secret:
    return clamp_length(
        std::snprintf(out, out_size, "%s", spec.rule ? spec.rule->expected : "text"), out_size);
  case SettingType::Path:
    return clamp_length(std::snprintf(out, out_size, "an absolute path starting with '/'"),
                        out_size);
  case SettingType::Bool:
    return clamp_length(std::snprintf(out, out_size, "true or false"), out_size);
  case SettingType::Integer:
    return clamp_length(std::snprintf(out, out_size, "a whole number from %lld to %lld%s%s",
                                      static_cast<long long>(spec.min),
                                      static_cast<long long>(spec.max), spec.unit[0] ? " " : "",
                                      spec.unit),
                        out_size);
  case SettingType::Enum: {
    char choices[160];
    join_choices(spec.choices, ", ", choices, sizeof choices);
    return clamp_length(std::snprintf(out, out_size, "one of %s", choices), out_size);
  }
  case SettingType::Duration:
    format_duration(spec.min, low, sizeof low);
    format_duration(spec.max, high, sizeof high);
    return clamp_length(std::snprintf(out, out_size,
                                      "a duration from %s to %s (a number with ms, s, m, h or d, "
                                      "e.g. 30s)",
                                      low, high),
                        out_size);
  case SettingType::Size:
    format_size(spec.min, low, sizeof low);
    format_size(spec.max, high, sizeof high);
    return clamp_length(std::snprintf(out, out_size,
                                      "a size from %s to %s (bytes, or a number with K or M, e.g. "
                                      "64K)",
                                      low, high),
                        out_size);
  case SettingType::Date:
    format_date(spec.min, low, sizeof low);
    format_date(spec.max, high, sizeof high);
    return clamp_length(std::snprintf(out, out_size, "a date YYYY-MM-DD from %s to %s", low, high),
                        out_size);
  case SettingType::AccountList:
    return clamp_length(std::snprintf(out, out_size,
                                      "12-digit AWS account IDs separated by commas (at most %zu)",
                                      kConfigMaxAccounts),
                        out_size);
  }
  return clamp_length(std::snprintf(out, out_size, "a valid value"), out_size);
}

std::size_t describe_allowed(const SettingSpec& spec, char* out, std::size_t out_size) {
  char low[24];
  char high[24];
  if (out_size)
    out[0] = '\0';
  switch (spec.type) {
  case SettingType::Text:
  case SettingType::Path:
  case SettingType::Url:
  case SettingType::Secret:
  case SettingType::AccountList:
    return 0;
  case SettingType::Bool:
    return clamp_length(std::snprintf(out, out_size, "true|false"), out_size);
  case SettingType::Enum:
    return join_choices(spec.choices, "|", out, out_size);
  case SettingType::Integer:
    return clamp_length(std::snprintf(out, out_size, "%lld-%lld", static_cast<long long>(spec.min),
                                      static_cast<long long>(spec.max)),
                        out_size);
  case SettingType::Duration:
    format_duration(spec.min, low, sizeof low);
    format_duration(spec.max, high, sizeof high);
    return clamp_length(std::snprintf(out, out_size, "%s-%s", low, high), out_size);
  case SettingType::Size:
    format_size(spec.min, low, sizeof low);
    format_size(spec.max, high, sizeof high);
    return clamp_length(std::snprintf(out, out_size, "%s-%s", low, high), out_size);
  case SettingType::Date:
    return clamp_length(std::snprintf(out, out_size, "YYYY-MM-DD"), out_size);
  }
  return 0;
}

bool parse_max_malformed(std::string_view text, bool& share, std::uint64_t& value) {
  if (text.empty())
    return false;
  share = text.back() == '%';
  if (share)
    text.remove_suffix(1);
  std::uint64_t whole = 0;
  std::size_t at = 0;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
    if (whole > (UINT64_MAX - 9) / 10)
      return false;
    whole = whole * 10 + static_cast<std::uint64_t>(text[at] - '0');
  }
  if (at == 0)
    return false;
  if (!share) {
    value = whole;
    return at == text.size();
  }
  // Parts per million: 1% = 10,000; four decimals reach 0.0001% = 1 ppm.
  std::uint64_t ppm = 0;
  if (whole > 100)
    return false;
  ppm = whole * 10000;
  if (at < text.size()) {
    if (text[at] != '.' || at + 1 == text.size() || text.size() - at - 1 > 4)
      return false;
    std::uint64_t scale = 1000;
    for (++at; at < text.size(); ++at, scale /= 10) {
      if (text[at] < '0' || text[at] > '9')
        return false;
      ppm += static_cast<std::uint64_t>(text[at] - '0') * scale;
    }
  }
  if (ppm > 1000000)
    return false;
  value = ppm;
  return true;
}

} // namespace ec
