// core/source/report_discovery.cpp - Report and export discovery, the checks of their settings,
// and the JSON 1.1 call shared with account names.
#include "core/source/report_discovery.h"

#include "core/base/ascii.h"
#include "core/base/text_builder.h"
#include "core/cur/cur_columns.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

// A string_view as printf's "%.*s" arguments (every view here is far below INT_MAX).
#define EC_VIEW_ARGS(view) static_cast<int>((view).size()), (view).data()

namespace ec {

namespace {

constexpr std::string_view kJsonRegion = "us-east-1";
/// Longest part of an AWS error message quoted in a finding.
constexpr std::size_t kQuotedMessageBytes = 200;
/// Room for the list of names that exist, in a not-found finding.
constexpr std::size_t kNameListBytes = 256;

std::string_view trim_slashes(std::string_view text) {
  while (!text.empty() && text.front() == '/')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == '/')
    text.remove_suffix(1);
  return text;
}

std::string_view or_none(std::string_view text) {
  return text.empty() ? std::string_view("(none)") : text;
}

const char* granularity_effect(std::string_view unit) {
  if (unit == "DAILY")
    return "per day only";
  if (unit == "MONTHLY")
    return "per month only";
  return "not per hour";
}

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Whether `word` appears in `text` as a whole SQL identifier, ignoring case.
bool contains_word(std::string_view text, std::string_view word) {
  if (word.empty() || text.size() < word.size())
    return false;
  for (std::size_t at = 0; at + word.size() <= text.size(); ++at) {
    if (at > 0 && is_identifier_char(text[at - 1]))
      continue;
    std::size_t end = at + word.size();
    if (end < text.size() && is_identifier_char(text[end]))
      continue;
    bool same = true;
    for (std::size_t i = 0; i < word.size() && same; ++i)
      same = ascii_lower(text[at + i]) == ascii_lower(word[i]);
    if (same)
      return true;
  }
  return false;
}

/// "a, b, c" in a fixed buffer. Once a name does not fit, it and every later one are only
/// counted (omitted()), so the list stays in the order AWS gave.
class NameList {
public:
  void add(std::string_view name) {
    ++m_count;
    const std::size_t before = m_text.size();
    if (m_shown > 0)
      m_text.append(", ");
    m_text.append(name);
    if (m_text.overflowed()) { // sticky: later names overflow too
      m_text.truncate(before);
      ++m_omitted;
      return;
    }
    ++m_shown;
  }
  [[nodiscard]] std::size_t count() const { return m_count; }
  [[nodiscard]] std::string_view text() const { return m_text.view(); }
  [[nodiscard]] std::size_t omitted() const { return m_omitted; }

private:
  char m_storage[kNameListBytes];
  TextBuilder m_text{std::span<char>(m_storage)};
  std::size_t m_count = 0;
  std::size_t m_shown = 0;
  std::size_t m_omitted = 0;
};

/// The columns edgecur reads, missing from an export's query, as "a, b" (empty: none missing).
std::size_t missing_columns(std::string_view query, Requirement requirement, char* out,
                            std::size_t out_size) {
  TextBuilder text(std::span<char>(out, out_size));
  for (std::uint32_t i = 0; i < kCurRoleCount; ++i) {
    const CurColumn& column = cur_column(static_cast<CurRole>(i));
    if (column.requirement != requirement || contains_word(query, column.cur2_name))
      continue;
    if (text.size() > 0)
      text.append(", ");
    text.append(column.cur2_name);
  }
  return text.size();
}

void warn_region(std::string_view kind, std::string_view name, std::string_view bucket,
                 std::string_view region, Findings& findings) {
  if (!region.empty())
    return;
  findings.add(FindingLevel::Warning,
               "%.*s %.*s does not say which region its bucket %.*s is in; set region = <the "
               "bucket's region> in this connection's settings (without it edgecur uses the "
               "region setting, else us-east-1)",
               EC_VIEW_ARGS(kind), EC_VIEW_ARGS(name), EC_VIEW_ARGS(bucket));
}

} // namespace

// ---- locations --------------------------------------------------------------------------------

ReportLocation location_from_definition(const ReportDefinition& definition, Findings& findings) {
  ReportLocation location;
  location.layout = CurLayout::Legacy;
  location.bucket = definition.s3_bucket;
  location.prefix = trim_slashes(definition.s3_prefix);
  location.name = definition.report_name;
  location.region = definition.s3_region;
  location.format = CurFileFormat::Cur1;
  const std::string_view name = definition.report_name;

  location.hourly = definition.time_unit == "HOURLY";
  if (!location.hourly)
    findings.add(FindingLevel::Warning,
                 "report %.*s has TimeUnit %.*s: totals will be %s; in the AWS Billing console "
                 "set the report's time granularity to Hourly",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(or_none(definition.time_unit)),
                 granularity_effect(definition.time_unit));

  const DeliveryFormat format = delivery_format_from(definition.format);
  switch (format) {
  case DeliveryFormat::Csv:
    break;
  case DeliveryFormat::Parquet:
    findings.add(FindingLevel::Error,
                 "report %.*s is delivered as Parquet, which edgecur cannot read yet; in the AWS "
                 "Billing console create a report with CSV format and GZIP or ZIP compression, "
                 "and set report_name to it",
                 EC_VIEW_ARGS(name));
    break;
  case DeliveryFormat::Unknown:
    findings.add(FindingLevel::Error,
                 "report %.*s has Format '%.*s', which edgecur does not know; in the AWS Billing "
                 "console create a report with CSV format and GZIP or ZIP compression, and set "
                 "report_name to it",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(definition.format));
    break;
  }

  // A Parquet report has Parquet compression too: the format finding already says it all.
  if (format != DeliveryFormat::Parquet) {
    switch (delivery_compression_from(definition.compression)) {
    case DeliveryCompression::Gzip:
    case DeliveryCompression::Zip:
      break;
    case DeliveryCompression::Parquet:
    case DeliveryCompression::Unknown:
      findings.add(FindingLevel::Error,
                   "report %.*s has Compression %.*s, which edgecur cannot read; in the AWS "
                   "Billing console set the report's compression to GZIP (or ZIP)",
                   EC_VIEW_ARGS(name), EC_VIEW_ARGS(or_none(definition.compression)));
      break;
    }
  }

  switch (delivery_versioning_from(definition.report_versioning)) {
  case DeliveryVersioning::CreateNewReport:
    location.versioning = Versioning::CreateNew;
    break;
  case DeliveryVersioning::OverwriteReport:
    location.versioning = Versioning::Overwrite; // fine: each month's manifest names the files
    break;
  case DeliveryVersioning::Unknown:
    location.versioning = Versioning::Unknown;
    findings.add(FindingLevel::Warning,
                 "report %.*s has ReportVersioning '%.*s', which edgecur does not know; it "
                 "follows each month's latest manifest; if totals look wrong, set report "
                 "versioning to 'Create new report version' in the AWS Billing console",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(definition.report_versioning));
    break;
  }

  if (definition.refresh_closed_reports.has_value() && !*definition.refresh_closed_reports)
    findings.add(FindingLevel::Warning,
                 "report %.*s does not refresh closed months (RefreshClosedReports is off): "
                 "refunds and credits AWS adds after a bill is closed will be missing; in the AWS "
                 "Billing console turn on 'Automatically refresh your Cost & Usage Report when "
                 "charges are detected for previous months with closed bills'",
                 EC_VIEW_ARGS(name));

  warn_region("report", name, definition.s3_bucket, definition.s3_region, findings);
  return location;
}

namespace {

// The table after the query's first FROM ("SELECT ... FROM FOCUS_1_0_AWS"): an export's
// TableConfigurations may not name it.
std::string_view table_in_query(std::string_view query) {
  auto word_char = [](char c) { return is_ascii_alnum(c) || c == '_'; };
  for (std::size_t at = 0; at + 4 <= query.size(); ++at) {
    if (!equals_ignoring_case(query.substr(at, 4), "from"))
      continue;
    if ((at > 0 && word_char(query[at - 1])) || (at + 4 < query.size() && word_char(query[at + 4])))
      continue;
    std::size_t start = at + 4;
    while (start < query.size() && is_ascii_space(query[start]))
      ++start;
    std::size_t end = start;
    while (end < query.size() && (word_char(query[end]) || query[end] == '.'))
      ++end;
    return query.substr(start, end - start);
  }
  return {};
}

} // namespace

ReportLocation location_from_export(const ExportDefinition& definition, Findings& findings) {
  ReportLocation location;
  location.layout = CurLayout::Cur2;
  location.bucket = definition.s3_bucket;
  location.prefix = trim_slashes(definition.s3_prefix);
  location.name = definition.name;
  location.region = definition.s3_region;
  location.format = CurFileFormat::Cur2;
  const std::string_view name = definition.name;

  const std::string_view table = definition.table_name.empty()
                                     ? table_in_query(definition.query_statement)
                                     : definition.table_name;
  const bool cur2_table = table.empty() || table == "COST_AND_USAGE_REPORT";
  if (!cur2_table)
    findings.add(FindingLevel::Error,
                 "export %.*s holds table %.*s, but edgecur reads CUR 2.0 "
                 "(COST_AND_USAGE_REPORT) only; in the AWS Billing console (Data Exports) create "
                 "a standard export of type CUR 2.0 and set export_name to it",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(table));

  const DeliveryFormat format = delivery_format_from(definition.format);
  switch (format) {
  case DeliveryFormat::Csv:
    break;
  case DeliveryFormat::Parquet:
    findings.add(FindingLevel::Error,
                 "export %.*s is delivered as Parquet, which edgecur cannot read yet; in the AWS "
                 "Billing console (Data Exports) create a CUR 2.0 export with file format "
                 "text/CSV and GZIP compression, and set export_name to it",
                 EC_VIEW_ARGS(name));
    break;
  case DeliveryFormat::Unknown:
    findings.add(FindingLevel::Error,
                 "export %.*s has Format '%.*s', which edgecur does not know; in the AWS Billing "
                 "console (Data Exports) create a CUR 2.0 export with file format text/CSV and "
                 "GZIP compression, and set export_name to it",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(definition.format));
    break;
  }

  if (format != DeliveryFormat::Parquet &&
      delivery_compression_from(definition.compression) != DeliveryCompression::Gzip)
    findings.add(FindingLevel::Error,
                 "export %.*s has Compression %.*s, which edgecur cannot read; edit the export in "
                 "the AWS Billing console (Data Exports) and choose GZIP compression",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(or_none(definition.compression)));

  // The export's SQL names its columns; AWS lets the user leave some out.
  const std::string_view query = definition.query_statement;
  if (cur2_table && !query.empty() && query.find('*') == std::string_view::npos) {
    char missing[kNameListBytes];
    std::size_t size = missing_columns(query, Requirement::Required, missing, sizeof missing);
    if (size > 0)
      findings.add(FindingLevel::Error,
                   "export %.*s leaves out columns edgecur needs: %.*s; edit the export's column "
                   "selection in the AWS Billing console (Data Exports) and include them",
                   EC_VIEW_ARGS(name), static_cast<int>(size), missing);
    size = missing_columns(query, Requirement::Optional, missing, sizeof missing);
    if (size > 0)
      findings.add(FindingLevel::Warning,
                   "export %.*s leaves out columns %.*s: the net, blended or amortized totals "
                   "that use them may be wrong; include them in the export's column selection",
                   EC_VIEW_ARGS(name), static_cast<int>(size), missing);
  }

  location.hourly = definition.time_granularity.empty() || definition.time_granularity == "HOURLY";
  if (!location.hourly)
    findings.add(FindingLevel::Warning,
                 "export %.*s has time granularity %.*s: totals will be %s; edit the export in "
                 "the AWS Billing console (Data Exports) and set time granularity to Hourly",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(definition.time_granularity),
                 granularity_effect(definition.time_granularity));

  switch (delivery_versioning_from(definition.overwrite)) {
  case DeliveryVersioning::CreateNewReport:
    location.versioning = Versioning::CreateNew;
    break;
  case DeliveryVersioning::OverwriteReport:
    location.versioning = Versioning::Overwrite;
    break;
  case DeliveryVersioning::Unknown:
    location.versioning = Versioning::Unknown;
    findings.add(FindingLevel::Warning,
                 "export %.*s has Overwrite '%.*s', which edgecur does not know; it follows each "
                 "month's latest manifest; if totals look wrong, set the export to overwrite the "
                 "existing export in the AWS Billing console (Data Exports)",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(definition.overwrite));
    break;
  }

  const std::string_view status = definition.status_code;
  if (!status.empty() && status != "HEALTHY") {
    const std::string_view reason = definition.status_reason;
    const char* advice =
        reason == "INSUFFICIENT_PERMISSION"
            ? "AWS may not write to the bucket: its bucket policy must allow "
              "billingreports.amazonaws.com and bcm-data-exports.amazonaws.com to put objects"
        : reason == "BILL_OWNER_CHANGED"
            ? "the account's bill owner changed: create the export again in the paying account"
            : "check the export in the AWS Billing console (Data Exports)";
    findings.add(FindingLevel::Warning,
                 "export %.*s is %.*s at AWS (reason: %.*s): new data may not arrive; %s",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(status), EC_VIEW_ARGS(or_none(reason)), advice);
  }

  const std::string_view frequency = definition.refresh_frequency;
  if (!frequency.empty() && frequency != "SYNCHRONOUS")
    findings.add(FindingLevel::Warning,
                 "export %.*s refreshes '%.*s', not SYNCHRONOUS (with AWS's billing data), which "
                 "edgecur does not know; totals may lag behind the bill",
                 EC_VIEW_ARGS(name), EC_VIEW_ARGS(frequency));

  warn_region("export", name, definition.s3_bucket, definition.s3_region, findings);
  return location;
}

Result<ReportLocation> location_from_config(const ConnectionConfig& connection) {
  ReportLocation location;
  switch (connection.type) {
  case ConnectionType::Cur:
  case ConnectionType::Cur2:
    return make_error(ErrorCode::InvalidArgument, "source: connection type needs discovery");
  case ConnectionType::Explicit:
    if (connection.report_name.empty() && connection.export_name.empty())
      return make_error(ErrorCode::InvalidArgument,
                        "source: connection has no report_name or export_name")
          .at(ErrorWhere::Line, connection.line);
    location.bucket = connection.bucket;
    location.prefix = trim_slashes(connection.prefix);
    location.region = connection.region;
    break;
  case ConnectionType::Local:
    break;
  }
  const bool cur2 = connection.format == CurFileFormat::Cur2 ||
                    (connection.report_name.empty() && !connection.export_name.empty());
  location.layout = cur2 ? CurLayout::Cur2 : CurLayout::Legacy;
  if (cur2)
    location.name =
        connection.export_name.empty() ? connection.report_name : connection.export_name;
  else
    location.name = connection.report_name;
  location.format =
      connection.format == CurFileFormat::Auto && cur2 ? CurFileFormat::Cur2 : connection.format;
  location.versioning = Versioning::Unknown;
  location.hourly = true;
  return location;
}

// ---- the JSON 1.1 call --------------------------------------------------------------------------

const JsonApi kCurApi{
    .service = "cur",
    .target_prefix = "AWSOrigamiServiceGatewayService",
    .title = "the CUR API",
    .endpoint_setting = "cur_endpoint",
    .access_denied = "cur: access denied",
    .throttled = "cur: throttled by aws",
    .unavailable = "cur: service unavailable",
    .clock_refused = "cur: request time refused",
    .not_found = "cur: api not found",
    .refused = "cur: request refused",
    .too_many_pages = "cur: too many pages",
};
const JsonApi kExportsApi{
    .service = "bcm-data-exports",
    .target_prefix = "AWSBillingAndCostManagementDataExports",
    .title = "the Data Exports API",
    .endpoint_setting = "exports_endpoint",
    .access_denied = "exports: access denied",
    .throttled = "exports: throttled by aws",
    .unavailable = "exports: service unavailable",
    .clock_refused = "exports: request time refused",
    .not_found = "exports: not found",
    .refused = "exports: request refused",
    .too_many_pages = "exports: too many pages",
};
const JsonApi kOrganizationsApi{
    .service = "organizations",
    .target_prefix = "AWSOrganizationsV20161128",
    .title = "the Organizations API",
    .endpoint_setting = "organizations_endpoint",
    .access_denied = "organizations: access denied",
    .throttled = "organizations: throttled by aws",
    .unavailable = "organizations: service unavailable",
    .clock_refused = "organizations: request time refused",
    .not_found = "organizations: api not found",
    .refused = "organizations: request refused",
    .too_many_pages = "organizations: too many pages",
    .access_hint = " (ListAccounts works only with keys of the organization's management account "
                   "or of a delegated administrator)",
};

namespace {

bool code_is(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view candidate : codes)
    if (code == candidate)
      return true;
  return false;
}

/// "Code: message" (the message cut), or "HTTP 403" when the body had no code.
std::string_view describe_reply(const AwsReply& reply, std::span<char> out) {
  int length = 0;
  if (reply.error.code.empty()) {
    length = std::snprintf(out.data(), out.size(), "HTTP %u",
                           static_cast<unsigned>(reply.response.status));
  } else {
    std::string_view message = reply.error.message.substr(0, kQuotedMessageBytes);
    length = message.empty()
                 ? std::snprintf(out.data(), out.size(), "%.*s", EC_VIEW_ARGS(reply.error.code))
                 : std::snprintf(out.data(), out.size(), "%.*s: %.*s",
                                 EC_VIEW_ARGS(reply.error.code), EC_VIEW_ARGS(message));
  }
  std::size_t size = length > 0 ? static_cast<std::size_t>(length) : 0;
  return {out.data(), size < out.size() ? size : out.size() - 1};
}

Error auth_failure(const JsonApi& api, const char* operation, const AwsReply& reply,
                   std::string_view said, Findings& findings) {
  const std::string_view code = reply.error.code;
  if (code_is(code, {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId"}))
    findings.add(FindingLevel::Error,
                 "AWS does not know the access key edgecur used for %s:%s (%.*s); check "
                 "access_key_id (or credentials_file) in this connection's settings",
                 api.service, operation, EC_VIEW_ARGS(said));
  else if (code_is(code,
                   {"InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature"}))
    findings.add(FindingLevel::Error,
                 "AWS says the signature of %s:%s is wrong (%.*s); check secret_access_key (or "
                 "credentials_file) in this connection's settings",
                 api.service, operation, EC_VIEW_ARGS(said));
  else if (code_is(code, {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"}))
    findings.add(FindingLevel::Error,
                 "the temporary keys used for %s:%s have expired (%.*s); give new ones, or set "
                 "role_arn so edgecur renews them itself",
                 api.service, operation, EC_VIEW_ARGS(said));
  else
    findings.add(FindingLevel::Error,
                 "AWS refused %s:%s (%.*s): the IAM role or user edgecur signs in as needs the "
                 "action %s:%s%s; add it to its IAM policy",
                 api.service, operation, EC_VIEW_ARGS(said), api.service, operation,
                 api.access_hint);
  return make_error(ErrorCode::Permission, api.access_denied);
}

} // namespace

Result<std::string_view> json_request_body(Arena& arena, std::string_view head,
                                           std::string_view key, std::string_view value) {
  std::size_t escaped = 0;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    escaped += c == '"' || c == '\\' ? 2 : byte < 0x20 ? 6 : 1;
  }
  const bool member = !value.empty();
  const std::size_t size =
      2 + head.size() + (member ? (head.empty() ? 0 : 1) + key.size() + 5 + escaped : 0);
  EC_TRY_ASSIGN(char* out, arena.try_allocate_array<char>(size, "json request"));
  std::size_t at = 0;
  auto put = [&](std::string_view text) {
    if (text.empty())
      return; // data() may be null
    std::memcpy(out + at, text.data(), text.size());
    at += text.size();
  };
  put("{");
  put(head);
  if (member) {
    if (!head.empty())
      put(",");
    put("\"");
    put(key);
    put("\":\"");
    for (char c : value) {
      auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out[at++] = '\\';
        out[at++] = c;
      } else if (byte < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        put("\\u00");
        out[at++] = kHex[byte >> 4];
        out[at++] = kHex[byte & 0x0f];
      } else {
        out[at++] = c;
      }
    }
    put("\"");
  }
  put("}");
  EC_CHECK(at == size);
  return std::string_view(out, size);
}

Result<JsonAnswer> call_json_api(AwsCaller& caller, CredentialSource& credentials,
                                 const Endpoint& endpoint, const JsonApi& api,
                                 const char* operation, std::string_view body, MutableBytes buffer,
                                 Findings& findings) {
  char target[128];
  int target_length = std::snprintf(target, sizeof target, "%s.%s", api.target_prefix, operation);
  EC_CHECK(target_length > 0 && static_cast<std::size_t>(target_length) < sizeof target);
  char log_name[96];
  std::snprintf(log_name, sizeof log_name, "%s %s", api.service, operation);
  const HttpHeader headers[] = {
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", std::string_view(target, static_cast<std::size_t>(target_length))},
  };
  AwsCall call;
  call.method = HttpMethod::Post;
  call.endpoint = &endpoint;
  call.path = "/";
  call.headers = headers;
  call.body = as_bytes(body);
  call.service = api.service;
  call.region = kJsonRegion;
  call.operation = log_name; // read during call() only

  Result<AwsReply> sent = caller.call(call, credentials, buffer);
  if (!sent.ok()) {
    char error_text[192];
    format_error(sent.error(), error_text, sizeof error_text);
    findings.add(FindingLevel::Error,
                 "could not reach %s at %.*s for %s:%s (%s); check the network, the proxy "
                 "settings and %s",
                 api.title, EC_VIEW_ARGS(endpoint.host()), api.service, operation, error_text,
                 api.endpoint_setting);
    return sent.error();
  }
  const AwsReply& reply = sent.value();
  char said_storage[kQuotedMessageBytes + 96];
  const std::string_view said = describe_reply(reply, said_storage);
  switch (reply.outcome) {
  case Outcome::Success:
    return JsonAnswer{as_text(reply.response.body), reply.attempts};
  case Outcome::Auth:
    return auth_failure(api, operation, reply, said, findings);
  case Outcome::Throttled:
    findings.add(FindingLevel::Error,
                 "AWS kept throttling %s:%s (%.*s) after %u tries; edgecur tries again on its "
                 "next run",
                 api.service, operation, EC_VIEW_ARGS(said), reply.attempts);
    return make_error(ErrorCode::Io, api.throttled);
  case Outcome::Retry:
    findings.add(FindingLevel::Error,
                 "%s kept failing for %s:%s (%.*s) after %u tries; AWS may be having trouble: "
                 "edgecur tries again on its next run",
                 api.title, api.service, operation, EC_VIEW_ARGS(said), reply.attempts);
    return make_error(ErrorCode::Io, api.unavailable);
  case Outcome::ClockSkew:
    findings.add(FindingLevel::Error,
                 "AWS refused the time of %s:%s (%.*s) even after edgecur corrected for this "
                 "device's clock; set the clock (NTP) and try again",
                 api.service, operation, EC_VIEW_ARGS(said));
    return make_error(ErrorCode::Permission, api.clock_refused);
  case Outcome::NotFound:
    findings.add(FindingLevel::Error,
                 "%s at %.*s answered 'not found' to %s:%s (%.*s); check %s in this "
                 "connection's settings, or leave it empty for AWS's standard address",
                 api.title, EC_VIEW_ARGS(endpoint.host()), api.service, operation,
                 EC_VIEW_ARGS(said), api.endpoint_setting);
    return make_error(ErrorCode::NotFound, api.not_found);
  case Outcome::Fatal:
    if (reply.error.code == "AWSOrganizationsNotInUseException") {
      findings.add(FindingLevel::Error,
                   "this AWS account is not in an organization (%.*s), so there are no account "
                   "names to fetch; set account_names = false in this connection's settings",
                   EC_VIEW_ARGS(said));
      return make_error(ErrorCode::Unsupported, "organizations: account is not in an organization");
    }
    findings.add(FindingLevel::Error,
                 "AWS refused the request %s:%s (%.*s); check %s in this connection's settings; "
                 "if it is right, report this with the device's log",
                 api.service, operation, EC_VIEW_ARGS(said), api.endpoint_setting);
    return make_error(ErrorCode::InvalidArgument, api.refused);
  }
  return make_error(ErrorCode::Internal, "source: unknown outcome");
}

// ---- discovery ----------------------------------------------------------------------------------

namespace {

/// Moves the location's strings to `start` in the arena, releasing everything above them: they
/// are gathered after everything first, then moved down (Arena::keep_only). On failure the arena
/// is back at `start`.
Result<ReportLocation> keep_location(ReportLocation location, Arena& arena, Arena::Mark start) {
  std::string_view* fields[] = {&location.bucket, &location.prefix, &location.name,
                                &location.region};
  std::size_t total = 0;
  for (const std::string_view* field : fields)
    total += field->size();
  auto* gathered = static_cast<char*>(arena.allocate(total, 1));
  if (!gathered) {
    arena.rewind(start);
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("location");
  }
  std::size_t at = 0;
  for (const std::string_view* field : fields) {
    if (!field->empty())
      std::memcpy(gathered + at, field->data(), field->size());
    at += field->size();
  }
  auto* kept = static_cast<char*>(arena.keep_only(start, gathered, total));
  at = 0;
  for (std::string_view* field : fields) {
    *field = std::string_view(kept + at, field->size());
    at += field->size();
  }
  return location;
}

/// What a paged search keeps between pages: the token (copied out of the page) and the names
/// seen.
struct PagedSearch {
  char* token_storage = nullptr;
  std::string_view token;
  NameList names;

  Status start(Arena& arena) {
    EC_TRY_ASSIGN(token_storage, arena.try_allocate_array<char>(kMaxPageTokenBytes, "page token"));
    return {};
  }
  /// Keeps `next` for the next request; false when it is empty (the last page).
  bool advance(std::string_view next) {
    EC_CHECK(next.size() <= kMaxPageTokenBytes); // the parsers' limit
    if (next.empty())
      return false;
    std::memcpy(token_storage, next.data(), next.size());
    token = std::string_view(token_storage, next.size());
    return true;
  }
};

Result<MutableBytes> answer_buffer(Arena& arena) {
  auto* buffer = static_cast<std::uint8_t*>(arena.allocate(kDiscoveryBodyBytes, 1));
  if (!buffer)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("answer");
  return MutableBytes(buffer, kDiscoveryBodyBytes);
}

void unreadable_answer(const JsonApi& api, const char* operation, const Error& error,
                       Findings& findings) {
  if (error.code == ErrorCode::OutOfMemory)
    return; // our budget, not the answer
  char error_text[192];
  format_error(error, error_text, sizeof error_text);
  findings.add(FindingLevel::Error,
               "the answer of %s to %s:%s could not be read (%s); check %s, and if it is right "
               "report this with the device's log",
               api.title, api.service, operation, error_text, api.endpoint_setting);
}

Result<ReportLocation> find_report(AwsCaller& caller, CredentialSource& credentials,
                                   const Endpoint& cur, std::string_view report_name, Arena& arena,
                                   Findings& findings) {
  constexpr const char* kOperation = "DescribeReportDefinitions";
  PagedSearch search;
  EC_TRY(search.start(arena));
  for (std::size_t page = 0;; ++page) {
    if (page == kMaxDiscoveryPages) {
      findings.add(FindingLevel::Error,
                   "the CUR API listed more than %zu pages of reports without the end; check "
                   "cur_endpoint in this connection's settings",
                   kMaxDiscoveryPages);
      return make_error(ErrorCode::LimitExceeded, kCurApi.too_many_pages);
    }
    const Arena::Mark page_start = arena.mark();
    EC_TRY_ASSIGN(std::string_view body,
                  json_request_body(arena, "\"MaxResults\":5", "NextToken", search.token));
    EC_TRY_ASSIGN(MutableBytes buffer, answer_buffer(arena));
    EC_TRY_ASSIGN(JsonAnswer answer, call_json_api(caller, credentials, cur, kCurApi, kOperation,
                                                   body, buffer, findings));
    Result<ReportDefinitionPage> parsed = parse_describe_report_definitions(answer.body, arena);
    if (!parsed.ok()) {
      unreadable_answer(kCurApi, kOperation, parsed.error(), findings);
      return parsed.error();
    }
    for (const ReportDefinition& definition : parsed.value().definitions) {
      if (definition.report_name == report_name)
        return location_from_definition(definition, findings);
      search.names.add(definition.report_name);
    }
    if (!search.advance(parsed.value().next_token))
      break;
    arena.rewind(page_start);
  }
  if (search.names.count() == 0)
    findings.add(FindingLevel::Error,
                 "no CUR report named %.*s: this account has no CUR reports (or these keys cannot "
                 "see them; reports live in the account that created them, usually the "
                 "management account); create one in the AWS Billing console (hourly, CSV, "
                 "GZIP), or use type = cur2 for a CUR 2.0 data export",
                 EC_VIEW_ARGS(report_name));
  else
    findings.add(FindingLevel::Error,
                 "no CUR report named %.*s in this account; it has %zu: %.*s%s; set "
                 "report_name to one of them (names are case-sensitive)",
                 EC_VIEW_ARGS(report_name), search.names.count(), EC_VIEW_ARGS(search.names.text()),
                 search.names.omitted() > 0 ? " and more" : "");
  return make_error(ErrorCode::NotFound, "cur: report not found");
}

Result<ReportLocation> find_export(AwsCaller& caller, CredentialSource& credentials,
                                   const Endpoint& exports, std::string_view export_name,
                                   Arena& arena, Findings& findings) {
  constexpr const char* kList = "ListExports";
  constexpr const char* kGet = "GetExport";
  char head[32];
  int head_length = std::snprintf(head, sizeof head, "\"MaxResults\":%u", kExportsPageSize);
  EC_CHECK(head_length > 0 && static_cast<std::size_t>(head_length) < sizeof head);
  const std::string_view page_head(head, static_cast<std::size_t>(head_length));

  PagedSearch search;
  EC_TRY(search.start(arena));
  std::string_view arn;
  for (std::size_t page = 0; arn.empty(); ++page) {
    if (page == kMaxDiscoveryPages) {
      findings.add(FindingLevel::Error,
                   "the Data Exports API listed more than %zu pages of exports without the end; "
                   "check exports_endpoint in this connection's settings",
                   kMaxDiscoveryPages);
      return make_error(ErrorCode::LimitExceeded, kExportsApi.too_many_pages);
    }
    const Arena::Mark page_start = arena.mark();
    EC_TRY_ASSIGN(std::string_view body,
                  json_request_body(arena, page_head, "NextToken", search.token));
    EC_TRY_ASSIGN(MutableBytes buffer, answer_buffer(arena));
    EC_TRY_ASSIGN(JsonAnswer answer, call_json_api(caller, credentials, exports, kExportsApi, kList,
                                                   body, buffer, findings));
    Result<ExportListPage> parsed = parse_list_exports(answer.body, arena);
    if (!parsed.ok()) {
      unreadable_answer(kExportsApi, kList, parsed.error(), findings);
      return parsed.error();
    }
    for (const ExportSummary& summary : parsed.value().exports) {
      if (summary.export_name == export_name) {
        // Kept where the token was, so this page can go before GetExport's answer comes.
        EC_CHECK(summary.export_arn.size() <= kMaxPageTokenBytes); // the parser's field limit
        std::memcpy(search.token_storage, summary.export_arn.data(), summary.export_arn.size());
        arn = std::string_view(search.token_storage, summary.export_arn.size());
        break;
      }
      search.names.add(summary.export_name);
    }
    const bool more = arn.empty() && search.advance(parsed.value().next_token);
    arena.rewind(page_start);
    if (!more)
      break;
  }
  if (arn.empty()) {
    if (search.names.count() == 0)
      findings.add(FindingLevel::Error,
                   "no data export named %.*s: this account has no data exports (or these keys "
                   "cannot see them); create a CUR 2.0 export in the AWS Billing console (Data "
                   "Exports; hourly, text/CSV, GZIP), or use type = cur for a legacy CUR report",
                   EC_VIEW_ARGS(export_name));
    else
      findings.add(FindingLevel::Error,
                   "no data export named %.*s in this account; it has %zu: %.*s%s; set "
                   "export_name to one of them (names are case-sensitive)",
                   EC_VIEW_ARGS(export_name), search.names.count(),
                   EC_VIEW_ARGS(search.names.text()),
                   search.names.omitted() > 0 ? " and more" : "");
    return make_error(ErrorCode::NotFound, "exports: export not found");
  }

  EC_TRY_ASSIGN(std::string_view body, json_request_body(arena, {}, "ExportArn", arn));
  EC_TRY_ASSIGN(MutableBytes buffer, answer_buffer(arena));
  EC_TRY_ASSIGN(JsonAnswer answer, call_json_api(caller, credentials, exports, kExportsApi, kGet,
                                                 body, buffer, findings));
  Result<ExportDefinition> parsed = parse_get_export(answer.body, arena);
  if (!parsed.ok()) {
    unreadable_answer(kExportsApi, kGet, parsed.error(), findings);
    return parsed.error();
  }
  return location_from_export(parsed.value(), findings);
}

} // namespace

Result<ReportLocation> discover_cur_report(AwsCaller& caller, CredentialSource& credentials,
                                           const Endpoint& cur, std::string_view report_name,
                                           Arena& arena, Findings& findings) {
  const Arena::Mark start = arena.mark();
  Result<ReportLocation> found =
      find_report(caller, credentials, cur, report_name, arena, findings);
  if (!found.ok()) {
    arena.rewind(start);
    return found.error();
  }
  return keep_location(found.value(), arena, start);
}

Result<ReportLocation> discover_export(AwsCaller& caller, CredentialSource& credentials,
                                       const Endpoint& exports, std::string_view export_name,
                                       Arena& arena, Findings& findings) {
  const Arena::Mark start = arena.mark();
  Result<ReportLocation> found =
      find_export(caller, credentials, exports, export_name, arena, findings);
  if (!found.ok()) {
    arena.rewind(start);
    return found.error();
  }
  return keep_location(found.value(), arena, start);
}

} // namespace ec

#undef EC_VIEW_ARGS
