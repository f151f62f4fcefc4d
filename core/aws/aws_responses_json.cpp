// core/aws/aws_responses_json.cpp - The JSON 1.1 answers: errors, CUR report definitions, Data
// Exports, Organizations accounts.
#include "core/aws/aws_responses.h"
#include "core/aws/aws_text.h"
#include "core/aws/json_fields.h"
#include "core/aws/json_reader.h"

namespace ec {

namespace jf = json_fields;

DeliveryFormat delivery_format_from(std::string_view text) {
  if (text == "textORcsv" || text == "TEXT_OR_CSV")
    return DeliveryFormat::Csv;
  if (text == "Parquet" || text == "PARQUET")
    return DeliveryFormat::Parquet;
  return DeliveryFormat::Unknown;
}

DeliveryCompression delivery_compression_from(std::string_view text) {
  if (text == "GZIP")
    return DeliveryCompression::Gzip;
  if (text == "ZIP")
    return DeliveryCompression::Zip;
  if (text == "Parquet" || text == "PARQUET")
    return DeliveryCompression::Parquet;
  return DeliveryCompression::Unknown;
}

DeliveryVersioning delivery_versioning_from(std::string_view text) {
  if (text == "CREATE_NEW_REPORT")
    return DeliveryVersioning::CreateNewReport;
  if (text == "OVERWRITE_REPORT")
    return DeliveryVersioning::OverwriteReport;
  return DeliveryVersioning::Unknown;
}

namespace {

Result<std::string_view> field(JsonReader& reader, Arena& arena, const char* what) {
  return jf::text(reader, arena, kMaxAwsFieldBytes, what);
}

Result<std::string_view> page_token(JsonReader& reader, Arena& arena) {
  return jf::text(reader, arena, kMaxPageTokenBytes, "NextToken");
}

/// Reads the whole body as one object, member by member, then checks nothing follows.
template <typename Visit>
Status read_document(JsonReader& reader, const char* what, Visit&& visit) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind != JsonKind::Object)
    return jf::invalid_at("aws: json response is not an object", reader.offset(), what);
  EC_TRY(jf::for_each_member(reader, what, visit));
  return reader.finish();
}

Status read_report_definition(JsonReader& reader, Arena& arena, ReportDefinition& out) {
  const std::uint64_t offset = reader.offset();
  const auto definition_member = [&](std::string_view key) -> Status {
    if (key == "ReportName")
      EC_TRY_SET(out.report_name, field(reader, arena, "ReportName"));
    else if (key == "TimeUnit")
      EC_TRY_SET(out.time_unit, field(reader, arena, "TimeUnit"));
    else if (key == "Format")
      EC_TRY_SET(out.format, field(reader, arena, "Format"));
    else if (key == "Compression")
      EC_TRY_SET(out.compression, field(reader, arena, "Compression"));
    else if (key == "AdditionalSchemaElements")
      EC_TRY_SET(out.additional_schema_elements,
                 jf::text_list(reader, arena, kMaxReportListItems, kMaxAwsFieldBytes,
                               "AdditionalSchemaElements"));
    else if (key == "AdditionalArtifacts")
      EC_TRY_SET(out.additional_artifacts, jf::text_list(reader, arena, kMaxReportListItems,
                                                         kMaxAwsFieldBytes, "AdditionalArtifacts"));
    else if (key == "S3Bucket")
      EC_TRY_SET(out.s3_bucket, field(reader, arena, "S3Bucket"));
    else if (key == "S3Prefix")
      EC_TRY_SET(out.s3_prefix, field(reader, arena, "S3Prefix"));
    else if (key == "S3Region")
      EC_TRY_SET(out.s3_region, field(reader, arena, "S3Region"));
    else if (key == "ReportVersioning")
      EC_TRY_SET(out.report_versioning, field(reader, arena, "ReportVersioning"));
    else if (key == "RefreshClosedReports") {
      EC_TRY_ASSIGN(JsonKind kind, reader.peek());
      if (kind == JsonKind::Null)
        return reader.read_null("RefreshClosedReports");
      EC_TRY_SET(out.refresh_closed_reports, reader.read_bool("RefreshClosedReports"));
    } else
      EC_TRY(reader.skip_value());
    return {};
  };
  EC_TRY(jf::for_each_member(reader, "ReportDefinitions", definition_member));
  if (out.report_name.empty())
    return jf::missing("ReportName", offset);
  if (out.s3_bucket.empty())
    return jf::missing("S3Bucket", offset);
  return {};
}

/// ExportStatus {StatusCode, StatusReason, timestamps}.
Status read_export_status(JsonReader& reader, Arena& arena, std::string_view& code,
                          std::string_view& reason) {
  return jf::for_each_member(reader, "ExportStatus", [&](std::string_view key) -> Status {
    if (key == "StatusCode")
      EC_TRY_SET(code, field(reader, arena, "StatusCode"));
    else if (key == "StatusReason")
      EC_TRY_SET(reason, field(reader, arena, "StatusReason"));
    else
      EC_TRY(reader.skip_value());
    return {};
  });
}

} // namespace

Result<JsonServiceError> parse_json_error(std::string_view body, Arena& arena) {
  JsonReader reader(body);
  JsonServiceError out;
  std::string_view lower_message;
  std::string_view upper_message;
  const auto error_member = [&](std::string_view key) -> Status {
    if (key == "__type")
      EC_TRY_SET(out.type, field(reader, arena, "__type"));
    else if (key == "message")
      EC_TRY_SET(lower_message, jf::text(reader, arena, kMaxAwsMessageBytes, "message"));
    else if (key == "Message")
      EC_TRY_SET(upper_message, jf::text(reader, arena, kMaxAwsMessageBytes, "Message"));
    else if (key == "Reason")
      EC_TRY_SET(out.reason, field(reader, arena, "Reason"));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  EC_TRY(read_document(reader, "error", error_member));
  out.message = !lower_message.empty() ? lower_message : upper_message;
  // As botocore: drop anything from ':' (a URL some services append), keep what follows '#'.
  std::string_view code = out.type.substr(0, out.type.find(':'));
  const std::size_t hash = code.rfind('#');
  if (hash != std::string_view::npos)
    code.remove_prefix(hash + 1);
  out.code = code;
  return out;
}

Result<ReportDefinitionPage> parse_describe_report_definitions(std::string_view body,
                                                               Arena& arena) {
  JsonReader reader(body);
  ReportDefinitionPage out;
  const auto page_member = [&](std::string_view key) -> Status {
    if (key == "ReportDefinitions")
      EC_TRY_SET(out.definitions,
                 jf::list<ReportDefinition>(reader, arena, kMaxReportDefinitionsPerPage,
                                            "ReportDefinitions", [&](ReportDefinition& item) {
                                              return read_report_definition(reader, arena, item);
                                            }));
    else if (key == "NextToken")
      EC_TRY_SET(out.next_token, page_token(reader, arena));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  EC_TRY(read_document(reader, "DescribeReportDefinitions", page_member));
  return out;
}

Result<ExportListPage> parse_list_exports(std::string_view body, Arena& arena) {
  JsonReader reader(body);
  ExportListPage out;
  const auto entry = [&](ExportSummary& item) -> Status {
    const std::uint64_t offset = reader.offset();
    const auto entry_member = [&](std::string_view key) -> Status {
      if (key == "ExportArn")
        EC_TRY_SET(item.export_arn, field(reader, arena, "ExportArn"));
      else if (key == "ExportName")
        EC_TRY_SET(item.export_name, field(reader, arena, "ExportName"));
      else if (key == "ExportStatus")
        EC_TRY(read_export_status(reader, arena, item.status_code, item.status_reason));
      else
        EC_TRY(reader.skip_value());
      return {};
    };
    EC_TRY(jf::for_each_member(reader, "Exports", entry_member));
    if (item.export_arn.empty())
      return jf::missing("ExportArn", offset);
    return {};
  };
  const auto page_member = [&](std::string_view key) -> Status {
    if (key == "Exports")
      EC_TRY_SET(out.exports,
                 jf::list<ExportSummary>(reader, arena, kMaxExportsPerPage, "Exports", entry));
    else if (key == "NextToken")
      EC_TRY_SET(out.next_token, page_token(reader, arena));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  EC_TRY(read_document(reader, "ListExports", page_member));
  return out;
}

Result<ExportDefinition> parse_get_export(std::string_view body, Arena& arena) {
  JsonReader reader(body);
  ExportDefinition out;
  bool have_export = false;
  std::uint64_t export_offset = 0;

  const auto output = [&](std::string_view key) -> Status {
    if (key == "OutputType")
      EC_TRY_SET(out.output_type, field(reader, arena, "OutputType"));
    else if (key == "Format")
      EC_TRY_SET(out.format, field(reader, arena, "Format"));
    else if (key == "Compression")
      EC_TRY_SET(out.compression, field(reader, arena, "Compression"));
    else if (key == "Overwrite")
      EC_TRY_SET(out.overwrite, field(reader, arena, "Overwrite"));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  const auto destination = [&](std::string_view key) -> Status {
    if (key == "S3Bucket")
      EC_TRY_SET(out.s3_bucket, field(reader, arena, "S3Bucket"));
    else if (key == "S3Prefix")
      EC_TRY_SET(out.s3_prefix, field(reader, arena, "S3Prefix"));
    else if (key == "S3Region")
      EC_TRY_SET(out.s3_region, field(reader, arena, "S3Region"));
    else if (key == "S3OutputConfigurations")
      EC_TRY(jf::for_each_member(reader, "S3OutputConfigurations", output));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  const auto destinations = [&](std::string_view key) -> Status {
    if (key == "S3Destination")
      return jf::for_each_member(reader, "S3Destination", destination);
    return reader.skip_value();
  };
  const auto table = [&](std::string_view key) -> Status {
    if (key == "TIME_GRANULARITY")
      EC_TRY_SET(out.time_granularity, field(reader, arena, "TIME_GRANULARITY"));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  const auto tables = [&](std::string_view key) -> Status {
    if (!out.table_name.empty())
      return reader.skip_value(); // only the first table is reported
    EC_TRY_SET(out.table_name, jf::keep_key(key, body, arena));
    return jf::for_each_member(reader, "TableConfigurations", table);
  };
  const auto query = [&](std::string_view key) -> Status {
    if (key == "QueryStatement")
      EC_TRY_SET(out.query_statement,
                 jf::text(reader, arena, kMaxQueryStatementBytes, "QueryStatement"));
    else if (key == "TableConfigurations")
      EC_TRY(jf::for_each_member(reader, "TableConfigurations", tables));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  const auto cadence = [&](std::string_view key) -> Status {
    if (key == "Frequency")
      EC_TRY_SET(out.refresh_frequency, field(reader, arena, "Frequency"));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  const auto export_member = [&](std::string_view key) -> Status {
    if (key == "ExportArn")
      EC_TRY_SET(out.export_arn, field(reader, arena, "ExportArn"));
    else if (key == "Name")
      EC_TRY_SET(out.name, field(reader, arena, "Name"));
    else if (key == "Description")
      EC_TRY_SET(out.description, jf::text(reader, arena, kMaxAwsMessageBytes, "Description"));
    else if (key == "DataQuery")
      EC_TRY(jf::for_each_member(reader, "DataQuery", query));
    else if (key == "DestinationConfigurations")
      EC_TRY(jf::for_each_member(reader, "DestinationConfigurations", destinations));
    else if (key == "RefreshCadence")
      EC_TRY(jf::for_each_member(reader, "RefreshCadence", cadence));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  const auto document_member = [&](std::string_view key) -> Status {
    if (key == "Export") {
      EC_TRY_ASSIGN(JsonKind kind, reader.peek());
      have_export = kind == JsonKind::Object;
      export_offset = reader.offset();
      return jf::for_each_member(reader, "Export", export_member);
    }
    if (key == "ExportStatus")
      return read_export_status(reader, arena, out.status_code, out.status_reason);
    return reader.skip_value();
  };
  EC_TRY(read_document(reader, "GetExport", document_member));
  if (!have_export)
    return jf::missing("Export", 0);
  if (out.name.empty())
    return jf::missing("Name", export_offset);
  if (out.s3_bucket.empty())
    return jf::missing("S3Bucket", export_offset);
  return out;
}

Result<AccountPage> parse_list_accounts(std::string_view body, Arena& arena) {
  JsonReader reader(body);
  AccountPage out;
  const auto account = [&](OrgAccount& item) -> Status {
    const std::uint64_t offset = reader.offset();
    const auto account_member = [&](std::string_view key) -> Status {
      if (key == "Id")
        EC_TRY_SET(item.id, field(reader, arena, "Id"));
      else if (key == "Name")
        EC_TRY_SET(item.name, field(reader, arena, "Name"));
      else if (key == "Email")
        EC_TRY_SET(item.email, field(reader, arena, "Email"));
      else if (key == "Status")
        EC_TRY_SET(item.status, field(reader, arena, "Status"));
      else if (key == "State")
        EC_TRY_SET(item.state, field(reader, arena, "State"));
      else
        EC_TRY(reader.skip_value());
      return {};
    };
    EC_TRY(jf::for_each_member(reader, "Accounts", account_member));
    if (item.id.empty())
      return jf::missing("Id", offset);
    return {};
  };
  const auto page_member = [&](std::string_view key) -> Status {
    if (key == "Accounts")
      EC_TRY_SET(out.accounts,
                 jf::list<OrgAccount>(reader, arena, kMaxAccountsPerPage, "Accounts", account));
    else if (key == "NextToken")
      EC_TRY_SET(out.next_token, page_token(reader, arena));
    else
      EC_TRY(reader.skip_value());
    return {};
  };
  EC_TRY(read_document(reader, "ListAccounts", page_member));
  return out;
}

} // namespace ec
