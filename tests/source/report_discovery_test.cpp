// tests/source/report_discovery_test.cpp - Report and export checks (each finding's exact text),
// locations from the INI, and discovery through the real AwsCaller over a scripted transport.
#include "core/source/report_discovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "discovery_fakes.h"

namespace ec {
namespace {

using fakes::CallerRig;
using fakes::credential_scope;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> texts(const Findings& findings) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < findings.size(); ++i)
    out.emplace_back(findings[i].view());
  return out;
}

std::vector<FindingLevel> levels(const Findings& findings) {
  std::vector<FindingLevel> out;
  for (std::size_t i = 0; i < findings.size(); ++i)
    out.push_back(findings[i].level);
  return out;
}

ReportDefinition good_report() {
  ReportDefinition definition;
  definition.report_name = "hourly-cur";
  definition.time_unit = "HOURLY";
  definition.format = "textORcsv";
  definition.compression = "GZIP";
  definition.s3_bucket = "acme-billing";
  definition.s3_prefix = "/billing/cur/";
  definition.s3_region = "eu-west-1";
  definition.refresh_closed_reports = true;
  definition.report_versioning = "CREATE_NEW_REPORT";
  return definition;
}

constexpr const char* kCur2Query =
    "SELECT bill_billing_period_start_date, bill_payer_account_id, line_item_usage_account_id, "
    "line_item_usage_start_date, line_item_currency_code, line_item_line_item_type, "
    "line_item_unblended_cost, line_item_net_unblended_cost, line_item_blended_cost, "
    "savings_plan_savings_plan_effective_cost, savings_plan_total_commitment_to_date, "
    "savings_plan_used_commitment, reservation_effective_cost, "
    "reservation_unused_amortized_upfront_fee_for_billing_period, "
    "reservation_unused_recurring_fee, "
    "reservation_reservation_a_r_n FROM COST_AND_USAGE_REPORT";

ExportDefinition good_export() {
  ExportDefinition definition;
  definition.export_arn = "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1a2b";
  definition.name = "cur2";
  definition.query_statement = kCur2Query;
  definition.table_name = "COST_AND_USAGE_REPORT";
  definition.time_granularity = "HOURLY";
  definition.s3_bucket = "acme-exports";
  definition.s3_prefix = "exports";
  definition.s3_region = "us-west-2";
  definition.output_type = "CUSTOM";
  definition.format = "TEXT_OR_CSV";
  definition.compression = "GZIP";
  definition.overwrite = "OVERWRITE_REPORT";
  definition.refresh_frequency = "SYNCHRONOUS";
  definition.status_code = "HEALTHY";
  return definition;
}

// ---- Findings -----------------------------------------------------------------------------------

TEST(Findings, KeepsSixteenCountsTheRestCutsLongTextAndCleansControlBytes) {
  Findings findings;
  for (int i = 0; i < 18; ++i)
    findings.add(i % 2 ? FindingLevel::Error : FindingLevel::Warning, "finding %d", i);
  EXPECT_EQ(findings.size(), kMaxFindings);
  EXPECT_EQ(findings.dropped(), 2u);
  EXPECT_EQ(findings.count(FindingLevel::Error), 8u);
  EXPECT_EQ(findings[15].view(), "finding 15");

  Findings other;
  const std::string name(600, 'x');
  other.add(FindingLevel::Warning, "name\n%s\x7f", name.c_str());
  ASSERT_EQ(other.size(), 1u);
  const std::string text(other[0].view());
  EXPECT_EQ(text.size(), kMaxFindingTextBytes - 1);
  EXPECT_EQ(text.substr(0, 6), "name?x");
  EXPECT_EQ(text.substr(text.size() - 4), "x...");
  EXPECT_FALSE(other.has_errors());
}

TEST(Findings, CutsOnACharacterBoundary) {
  Findings findings;
  std::string text(kMaxFindingTextBytes - 5, 'a');
  text += "\xc3\xa9\xc3\xa9\xc3\xa9"; // "ééé" crosses the limit; the cut falls inside one
  findings.add(FindingLevel::Warning, "%s", text.c_str());
  const std::string kept(findings[0].view());
  EXPECT_EQ(kept, std::string(kMaxFindingTextBytes - 5, 'a') + "...");
}

// ---- legacy report definitions
// --------------------------------------------------------------------

TEST(LocationFromDefinition, AGoodReportHasNoFindingsAndItsLocation) {
  Findings findings;
  ReportLocation location = location_from_definition(good_report(), findings);
  EXPECT_EQ(findings.size(), 0u) << ::testing::PrintToString(texts(findings));
  EXPECT_EQ(location.layout, CurLayout::Legacy);
  EXPECT_EQ(location.bucket, "acme-billing");
  EXPECT_EQ(location.prefix, "billing/cur");
  EXPECT_EQ(location.name, "hourly-cur");
  EXPECT_EQ(location.region, "eu-west-1");
  EXPECT_EQ(location.format, CurFileFormat::Cur1);
  EXPECT_EQ(location.versioning, Versioning::CreateNew);
  EXPECT_TRUE(location.hourly);
}

TEST(LocationFromDefinition, DailyAndMonthlyTimeUnitsWarn) {
  ReportDefinition definition = good_report();
  definition.time_unit = "DAILY";
  Findings findings;
  ReportLocation location = location_from_definition(definition, findings);
  EXPECT_FALSE(location.hourly);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Warning));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur has TimeUnit DAILY: totals will be per day only; in "
                          "the AWS Billing console set the report's time granularity to Hourly"));

  definition.time_unit = "MONTHLY";
  Findings monthly;
  (void)location_from_definition(definition, monthly);
  EXPECT_THAT(texts(monthly),
              ElementsAre("report hourly-cur has TimeUnit MONTHLY: totals will be per month only; "
                          "in the AWS Billing console set the report's time granularity to "
                          "Hourly"));
}

TEST(LocationFromDefinition, ParquetIsOneErrorNotTwo) {
  ReportDefinition definition = good_report();
  definition.format = "Parquet";
  definition.compression = "Parquet";
  Findings findings;
  (void)location_from_definition(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur is delivered as Parquet, which edgecur cannot read "
                          "yet; in the AWS Billing console create a report with CSV format and "
                          "GZIP or ZIP compression, and set report_name to it"));
}

TEST(LocationFromDefinition, UnknownFormatIsAnError) {
  ReportDefinition definition = good_report();
  definition.format = "ORC";
  Findings findings;
  (void)location_from_definition(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur has Format 'ORC', which edgecur does not know; in "
                          "the AWS Billing console create a report with CSV format and GZIP or "
                          "ZIP compression, and set report_name to it"));
}

TEST(LocationFromDefinition, CompressionOtherThanGzipOrZipIsAnError) {
  ReportDefinition definition = good_report();
  definition.compression = "ZIP";
  Findings zip;
  (void)location_from_definition(definition, zip);
  EXPECT_EQ(zip.size(), 0u);

  definition.compression = "Parquet";
  Findings findings;
  (void)location_from_definition(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur has Compression Parquet, which edgecur cannot read; "
                          "in the AWS Billing console set the report's compression to GZIP (or "
                          "ZIP)"));
}

TEST(LocationFromDefinition, OverwriteIsFineAnUnknownVersioningWarns) {
  ReportDefinition definition = good_report();
  definition.report_versioning = "OVERWRITE_REPORT";
  Findings overwrite;
  EXPECT_EQ(location_from_definition(definition, overwrite).versioning, Versioning::Overwrite);
  EXPECT_EQ(overwrite.size(), 0u);

  definition.report_versioning = "KEEP_BOTH";
  Findings findings;
  EXPECT_EQ(location_from_definition(definition, findings).versioning, Versioning::Unknown);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Warning));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur has ReportVersioning 'KEEP_BOTH', which edgecur does "
                          "not know; it follows each month's latest manifest; if totals look "
                          "wrong, set report versioning to 'Create new report version' in the AWS "
                          "Billing console"));
}

TEST(LocationFromDefinition, ClosedMonthsNotRefreshedWarnsAbsentSaysNothing) {
  ReportDefinition definition = good_report();
  definition.refresh_closed_reports.reset();
  Findings absent;
  (void)location_from_definition(definition, absent);
  EXPECT_EQ(absent.size(), 0u);

  definition.refresh_closed_reports = false;
  Findings findings;
  (void)location_from_definition(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Warning));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur does not refresh closed months (RefreshClosedReports "
                          "is off): refunds and credits AWS adds after a bill is closed will be "
                          "missing; in the AWS Billing console turn on 'Automatically refresh "
                          "your Cost & Usage Report when charges are detected for previous months "
                          "with closed bills'"));
}

TEST(LocationFromDefinition, MissingBucketRegionWarnsAndStaysEmpty) {
  ReportDefinition definition = good_report();
  definition.s3_region = "";
  Findings findings;
  EXPECT_EQ(location_from_definition(definition, findings).region, "");
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Warning));
  EXPECT_THAT(texts(findings),
              ElementsAre("report hourly-cur does not say which region its bucket acme-billing is "
                          "in; set region = <the bucket's region> in this connection's settings "
                          "(without it edgecur uses the region setting, else us-east-1)"));
}

TEST(LocationFromDefinition, EveryProblemAtOnceInRuleOrder) {
  ReportDefinition definition = good_report();
  definition.time_unit = "DAILY";
  definition.compression = "BZIP2";
  definition.report_versioning = "";
  definition.refresh_closed_reports = false;
  definition.s3_region = "";
  definition.s3_prefix = "";
  Findings findings;
  ReportLocation location = location_from_definition(definition, findings);
  EXPECT_EQ(location.prefix, "");
  EXPECT_THAT(levels(findings),
              ElementsAre(FindingLevel::Warning, FindingLevel::Error, FindingLevel::Warning,
                          FindingLevel::Warning, FindingLevel::Warning));
  EXPECT_THAT(texts(findings)[1], HasSubstr("has Compression BZIP2, which edgecur cannot read"));
  EXPECT_THAT(texts(findings)[2], HasSubstr("has ReportVersioning '', which edgecur"));
}

// ---- CUR 2.0 exports
// ------------------------------------------------------------------------------

TEST(LocationFromExport, AGoodExportHasNoFindingsAndItsLocation) {
  Findings findings;
  ReportLocation location = location_from_export(good_export(), findings);
  EXPECT_EQ(findings.size(), 0u) << ::testing::PrintToString(texts(findings));
  EXPECT_EQ(location.layout, CurLayout::Cur2);
  EXPECT_EQ(location.bucket, "acme-exports");
  EXPECT_EQ(location.prefix, "exports");
  EXPECT_EQ(location.name, "cur2");
  EXPECT_EQ(location.region, "us-west-2");
  EXPECT_EQ(location.format, CurFileFormat::Cur2);
  EXPECT_EQ(location.versioning, Versioning::Overwrite);
  EXPECT_TRUE(location.hourly);
}

TEST(LocationFromExport, ParquetIsOneError) {
  ExportDefinition definition = good_export();
  definition.format = "PARQUET";
  definition.compression = "PARQUET";
  Findings findings;
  (void)location_from_export(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 is delivered as Parquet, which edgecur cannot read yet; in "
                          "the AWS Billing console (Data Exports) create a CUR 2.0 export with "
                          "file format text/CSV and GZIP compression, and set export_name to it"));
}

TEST(LocationFromExport, UnknownFormatAndCompressionAreErrors) {
  ExportDefinition definition = good_export();
  definition.format = "JSON";
  definition.compression = "ZIP";
  Findings findings;
  (void)location_from_export(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error, FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 has Format 'JSON', which edgecur does not know; in the AWS "
                          "Billing console (Data Exports) create a CUR 2.0 export with file "
                          "format text/CSV and GZIP compression, and set export_name to it",
                          "export cur2 has Compression ZIP, which edgecur cannot read; edit the "
                          "export in the AWS Billing console (Data Exports) and choose GZIP "
                          "compression"));
}

TEST(LocationFromExport, ATableOtherThanCur2IsAnError) {
  ExportDefinition definition = good_export();
  definition.table_name = "FOCUS_1_0_AWS";
  definition.query_statement = "SELECT BilledCost, ChargePeriodStart FROM FOCUS_1_0_AWS";
  Findings findings;
  (void)location_from_export(definition, findings);
  ASSERT_GE(findings.size(), 1u);
  EXPECT_EQ(findings[0].level, FindingLevel::Error);
  EXPECT_EQ(findings[0].view(),
            "export cur2 holds table FOCUS_1_0_AWS, but edgecur reads CUR 2.0 "
            "(COST_AND_USAGE_REPORT) only; in the AWS Billing console (Data Exports) create a "
            "standard export of type CUR 2.0 and set export_name to it");
}

TEST(LocationFromExport, AFocusTableNamedOnlyInTheQueryIsAnError) {
  // TableConfigurations does not name the table: the query's FROM does (issue 10's bug).
  ExportDefinition definition = good_export();
  definition.table_name = "";
  definition.query_statement =
      "SELECT BilledCost, ChargePeriodStart, SubAccountId\n  from\tFOCUS_1_0_AWS WHERE x = 1";
  Findings findings;
  (void)location_from_export(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 holds table FOCUS_1_0_AWS, but edgecur reads CUR 2.0 "
                          "(COST_AND_USAGE_REPORT) only; in the AWS Billing console (Data "
                          "Exports) create a standard export of type CUR 2.0 and set "
                          "export_name to it"));
  // A column whose name holds "from" is not the FROM clause.
  definition.query_statement = "SELECT fromage, line_item_unblended_cost FROM "
                               "COST_AND_USAGE_REPORT";
  Findings cur2;
  (void)location_from_export(definition, cur2);
  for (std::size_t i = 0; i < cur2.size(); ++i)
    EXPECT_EQ(std::string_view(cur2[i].view()).find("holds table"), std::string_view::npos);
}

TEST(LocationFromExport, ColumnsLeftOutOfTheQueryAreNamed) {
  ExportDefinition definition = good_export();
  definition.query_statement =
      "SELECT bill_billing_period_start_date, BILL_PAYER_ACCOUNT_ID, line_item_usage_account_id,"
      "line_item_usage_start_date, line_item_line_item_type, line_item_unblended_cost_x, "
      "line_item_net_unblended_cost, line_item_blended_cost, reservation_effective_cost, "
      "reservation_unused_amortized_upfront_fee_for_billing_period, "
      "reservation_unused_recurring_fee, reservation_reservation_a_r_n "
      "FROM COST_AND_USAGE_REPORT";
  Findings findings;
  (void)location_from_export(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error, FindingLevel::Warning));
  EXPECT_THAT(
      texts(findings),
      ElementsAre("export cur2 leaves out columns edgecur needs: line_item_currency_code, "
                  "line_item_unblended_cost; edit the export's column selection in the AWS "
                  "Billing console (Data Exports) and include them",
                  "export cur2 leaves out columns savings_plan_savings_plan_effective_cost, "
                  "savings_plan_total_commitment_to_date, savings_plan_used_commitment: the net, "
                  "blended or amortized totals that use them may be wrong; include them in the "
                  "export's column selection"));
}

TEST(LocationFromExport, DailyGranularityWarns) {
  ExportDefinition definition = good_export();
  definition.time_granularity = "DAILY";
  Findings findings;
  EXPECT_FALSE(location_from_export(definition, findings).hourly);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Warning));
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 has time granularity DAILY: totals will be per day only; "
                          "edit the export in the AWS Billing console (Data Exports) and set time "
                          "granularity to Hourly"));
}

TEST(LocationFromExport, CreateNewIsFineAnUnknownOverwriteWarns) {
  ExportDefinition definition = good_export();
  definition.overwrite = "CREATE_NEW_REPORT";
  Findings fine;
  EXPECT_EQ(location_from_export(definition, fine).versioning, Versioning::CreateNew);
  EXPECT_EQ(fine.size(), 0u);

  definition.overwrite = "APPEND";
  Findings findings;
  EXPECT_EQ(location_from_export(definition, findings).versioning, Versioning::Unknown);
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 has Overwrite 'APPEND', which edgecur does not know; it "
                          "follows each month's latest manifest; if totals look wrong, set the "
                          "export to overwrite the existing export in the AWS Billing console "
                          "(Data Exports)"));
}

TEST(LocationFromExport, AnUnhealthyExportWarnsWithItsReason) {
  ExportDefinition definition = good_export();
  definition.status_code = "UNHEALTHY";
  definition.status_reason = "INSUFFICIENT_PERMISSION";
  Findings findings;
  (void)location_from_export(definition, findings);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Warning));
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 is UNHEALTHY at AWS (reason: INSUFFICIENT_PERMISSION): new "
                          "data may not arrive; AWS may not write to the bucket: its bucket policy "
                          "must allow billingreports.amazonaws.com and "
                          "bcm-data-exports.amazonaws.com to put objects"));

  definition.status_reason = "";
  Findings no_reason;
  (void)location_from_export(definition, no_reason);
  EXPECT_THAT(texts(no_reason),
              ElementsAre("export cur2 is UNHEALTHY at AWS (reason: (none)): new data may not "
                          "arrive; check the export in the AWS Billing console (Data Exports)"));
}

TEST(LocationFromExport, AnUnknownRefreshCadenceAndAMissingRegionWarn) {
  ExportDefinition definition = good_export();
  definition.refresh_frequency = "WEEKLY";
  definition.s3_region = "";
  Findings findings;
  (void)location_from_export(definition, findings);
  EXPECT_THAT(texts(findings),
              ElementsAre("export cur2 refreshes 'WEEKLY', not SYNCHRONOUS (with AWS's billing "
                          "data), which edgecur does not know; totals may lag behind the bill",
                          "export cur2 does not say which region its bucket acme-exports is in; "
                          "set region = <the bucket's region> in this connection's settings "
                          "(without it edgecur uses the region setting, else us-east-1)"));
}

// ---- locations from the INI
// -------------------------------------------------------------------------

TEST(LocationFromConfig, ExplicitLegacyReport) {
  ConnectionConfig connection;
  connection.type = ConnectionType::Explicit;
  connection.bucket = "acme-billing";
  connection.prefix = "billing/cur/";
  connection.region = "eu-central-1";
  connection.report_name = "hourly-cur";
  Result<ReportLocation> result = location_from_config(connection);
  ASSERT_TRUE(result.ok());
  const ReportLocation& location = result.value();
  EXPECT_EQ(location.layout, CurLayout::Legacy);
  EXPECT_EQ(location.bucket, "acme-billing");
  EXPECT_EQ(location.prefix, "billing/cur");
  EXPECT_EQ(location.name, "hourly-cur");
  EXPECT_EQ(location.region, "eu-central-1");
  EXPECT_EQ(location.format, CurFileFormat::Auto);
  EXPECT_EQ(location.versioning, Versioning::Unknown);
}

TEST(LocationFromConfig, ExplicitCur2ByExportNameOrByFormat) {
  ConnectionConfig connection;
  connection.type = ConnectionType::Explicit;
  connection.bucket = "acme-exports";
  connection.region = "us-east-1";
  connection.export_name = "cur2";
  Result<ReportLocation> by_name = location_from_config(connection);
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name.value().layout, CurLayout::Cur2);
  EXPECT_EQ(by_name.value().name, "cur2");
  EXPECT_EQ(by_name.value().format, CurFileFormat::Cur2);

  connection.export_name = "";
  connection.report_name = "named-as-report";
  connection.format = CurFileFormat::Cur2;
  Result<ReportLocation> by_format = location_from_config(connection);
  ASSERT_TRUE(by_format.ok());
  EXPECT_EQ(by_format.value().layout, CurLayout::Cur2);
  EXPECT_EQ(by_format.value().name, "named-as-report");

  // Both names and no format: the legacy report wins.
  connection.format = CurFileFormat::Auto;
  connection.export_name = "cur2";
  Result<ReportLocation> both = location_from_config(connection);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both.value().layout, CurLayout::Legacy);
  EXPECT_EQ(both.value().name, "named-as-report");
}

TEST(LocationFromConfig, ExplicitWithoutANameNamesTheSectionLine) {
  ConnectionConfig connection;
  connection.type = ConnectionType::Explicit;
  connection.bucket = "acme-billing";
  connection.line = 14;
  Result<ReportLocation> result = location_from_config(connection);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(result.error().message, "source: connection has no report_name or export_name");
  EXPECT_EQ(result.error().where, ErrorWhere::Line);
  EXPECT_EQ(result.error().position, 14u);
}

TEST(LocationFromConfig, LocalHasNoBucketAndMayHaveNoName) {
  ConnectionConfig connection;
  connection.type = ConnectionType::Local;
  connection.local_dir = "/srv/cur";
  Result<ReportLocation> result = location_from_config(connection);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value().bucket, "");
  EXPECT_EQ(result.value().name, "");
  EXPECT_EQ(result.value().layout, CurLayout::Legacy);

  connection.format = CurFileFormat::Cur2;
  connection.export_name = "cur2";
  Result<ReportLocation> cur2 = location_from_config(connection);
  ASSERT_TRUE(cur2.ok());
  EXPECT_EQ(cur2.value().layout, CurLayout::Cur2);
  EXPECT_EQ(cur2.value().name, "cur2");
}

TEST(LocationFromConfig, CurAndCur2NeedDiscovery) {
  ConnectionConfig connection;
  for (ConnectionType type : {ConnectionType::Cur, ConnectionType::Cur2}) {
    connection.type = type;
    Result<ReportLocation> result = location_from_config(connection);
    ASSERT_FALSE(result.ok());
    EXPECT_STREQ(result.error().message, "source: connection type needs discovery");
  }
}

// ---- request bodies
// -------------------------------------------------------------------------------

TEST(JsonRequestBody, EscapesTheTokenAndLeavesAnEmptyOneOut) {
  InlineArena<1024> arena;
  Result<std::string_view> first = json_request_body(arena, "\"MaxResults\":5", "NextToken", "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), "{\"MaxResults\":5}");
  Result<std::string_view> next =
      json_request_body(arena, "\"MaxResults\":5", "NextToken", "a\"b\\c/+=\n\x01\xc3\xa9");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value(),
            "{\"MaxResults\":5,\"NextToken\":\"a\\\"b\\\\c/+=\\u000a\\u0001\xc3\xa9\"}");
  Result<std::string_view> get = json_request_body(arena, {}, "ExportArn", "arn:x");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get.value(), "{\"ExportArn\":\"arn:x\"}");

  InlineArena<16> small;
  Result<std::string_view> full = json_request_body(small, "\"MaxResults\":5", "NextToken", "abc");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::OutOfMemory);
}

// ---- discovery of a legacy report
// -----------------------------------------------------------------

constexpr const char* kCurUrl = "https://cur.us-east-1.amazonaws.com";

std::string definition_json(const std::string& name, const std::string& extra = "") {
  return "{\"ReportName\":\"" + name +
         "\",\"TimeUnit\":\"HOURLY\",\"Format\":\"textORcsv\",\"Compression\":\"GZIP\","
         "\"AdditionalSchemaElements\":[\"RESOURCES\"],\"S3Bucket\":\"acme-billing\","
         "\"S3Prefix\":\"billing/cur\",\"S3Region\":\"eu-west-1\",\"AdditionalArtifacts\":[],"
         "\"RefreshClosedReports\":true,\"ReportVersioning\":\"CREATE_NEW_REPORT\"" +
         extra + "}";
}

std::string definitions_page(const std::vector<std::string>& names, const std::string& token) {
  std::string body = "{\"ReportDefinitions\":[";
  for (std::size_t i = 0; i < names.size(); ++i)
    body += (i ? "," : "") + definition_json(names[i]);
  body += "]";
  if (!token.empty())
    body += ",\"NextToken\":\"" + token + "\"";
  return body + "}";
}

struct DiscoveryArena {
  explicit DiscoveryArena(std::size_t bytes = kDiscoveryArenaBytes)
      : memory(bytes), arena(MutableBytes(memory)) {}
  std::vector<std::uint8_t> memory;
  Arena arena;
};

TEST(DiscoverCurReport, FollowsThreePagesAndFindsTheReportOnTheLast) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(200, definitions_page({"a1", "a2", "a3", "a4", "a5"}, "page\\/2"));
  rig.transport.reply(200, definitions_page({"b1", "b2", "b3", "b4", "b5"}, "page-3"));
  rig.transport.reply(200, definitions_page({"c1", "hourly-cur"}, ""));
  DiscoveryArena memory;
  const std::size_t before = memory.arena.used();
  Findings findings;

  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(findings.size(), 0u) << ::testing::PrintToString(texts(findings));
  const ReportLocation& location = result.value();
  EXPECT_EQ(location.bucket, "acme-billing");
  EXPECT_EQ(location.prefix, "billing/cur");
  EXPECT_EQ(location.name, "hourly-cur");
  EXPECT_EQ(location.region, "eu-west-1");
  EXPECT_EQ(location.versioning, Versioning::CreateNew);
  // Only the location's strings stay in the arena.
  EXPECT_EQ(memory.arena.used() - before,
            std::string("acme-billingbilling/curhourly-cureu-west-1").size());
  EXPECT_LE(memory.arena.high_water(), kDiscoveryArenaBytes);
  ::testing::Test::RecordProperty("arena_high_water", static_cast<int>(memory.arena.high_water()));

  const auto& requests = rig.transport.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, "{\"MaxResults\":5}");
  EXPECT_EQ(requests[1].body, "{\"MaxResults\":5,\"NextToken\":\"page/2\"}");
  EXPECT_EQ(requests[2].body, "{\"MaxResults\":5,\"NextToken\":\"page-3\"}");
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, HttpMethod::Post);
    EXPECT_EQ(request.url, "https://cur.us-east-1.amazonaws.com/");
    EXPECT_EQ(request.header("X-Amz-Target"),
              "AWSOrigamiServiceGatewayService.DescribeReportDefinitions");
    EXPECT_EQ(request.header("Content-Type"), "application/x-amz-json-1.1");
    EXPECT_EQ(credential_scope(request.header("Authorization")),
              "20231114/us-east-1/cur/aws4_request");
  }
}

TEST(DiscoverCurReport, SendsATokenWithQuotesAndBackslashesBackEscaped) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(200, definitions_page({"other"}, "q\\\"uo\\\\te+/="));
  rig.transport.reply(200, definitions_page({"hourly-cur"}, ""));
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(rig.transport.requests().size(), 2u);
  EXPECT_EQ(rig.transport.requests()[1].body,
            "{\"MaxResults\":5,\"NextToken\":\"q\\\"uo\\\\te+/=\"}");
}

TEST(DiscoverCurReport, NotFoundListsTheReportsThatExist) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(200, definitions_page({"hourly-cur-prod", "daily"}, "t2"));
  rig.transport.reply(200, definitions_page({"Hourly-Cur"}, ""));
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_STREQ(result.error().message, "cur: report not found");
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_THAT(levels(findings), ElementsAre(FindingLevel::Error));
  EXPECT_THAT(texts(findings),
              ElementsAre("no CUR report named hourly-cur in this account; it has 3: "
                          "hourly-cur-prod, daily, Hourly-Cur; set report_name to one of them "
                          "(names are case-sensitive)"));
}

TEST(DiscoverCurReport, NotFoundAmongManyCutsTheList) {
  CallerRig rig(kCurUrl);
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i)
    names.push_back("a-rather-long-report-name-number-" + std::to_string(i) + std::string(30, 'x'));
  rig.transport.reply(200, definitions_page(names, ""));
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_cur_report(rig.caller, rig.keys, *rig.endpoint, "mine", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(findings.size(), 1u);
  const std::string text(findings[0].view());
  EXPECT_THAT(text, HasSubstr("it has 5: a-rather-long-report-name-number-0"));
  EXPECT_THAT(text, HasSubstr(" and more; set report_name to one of them"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("number-4")));
}

TEST(DiscoverCurReport, NoReportsAtAllSaysHowToCreateOne) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(200, "{\"ReportDefinitions\":[]}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_THAT(texts(findings),
              ElementsAre("no CUR report named hourly-cur: this account has no CUR reports (or "
                          "these keys cannot see them; reports live in the account that created "
                          "them, usually the management account); create one in the AWS Billing "
                          "console (hourly, CSV, GZIP), or use type = cur2 for a CUR 2.0 data "
                          "export"));
}

TEST(DiscoverCurReport, PassesOnTheReportsFindings) {
  CallerRig rig(kCurUrl);
  std::string page = definitions_page({"hourly-cur"}, "");
  page.replace(page.find("HOURLY"), 6, "DAILY");
  rig.transport.reply(200, page);
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.value().hourly);
  EXPECT_THAT(texts(findings), ElementsAre(HasSubstr("has TimeUnit DAILY")));
}

TEST(DiscoverCurReport, AccessDeniedNamesTheMissingAction) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(400, "{\"__type\":\"AccessDeniedException\",\"Message\":\"User: "
                           "arn:aws:iam::123456789012:user/edge is not authorized to perform: "
                           "cur:DescribeReportDefinitions\"}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Permission);
  EXPECT_STREQ(result.error().message, "cur: access denied");
  EXPECT_EQ(rig.transport.requests().size(), 1u); // not retried
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_THAT(texts(findings),
              ElementsAre("AWS refused cur:DescribeReportDefinitions (AccessDeniedException: "
                          "User: arn:aws:iam::123456789012:user/edge is not authorized to "
                          "perform: cur:DescribeReportDefinitions): the IAM role or user edgecur "
                          "signs in as needs the action cur:DescribeReportDefinitions; add it to "
                          "its IAM policy"));
}

TEST(DiscoverCurReport, AnUnknownKeyAndAWrongSecretSaySoWithTheAwsCode) {
  {
    CallerRig rig(kCurUrl);
    rig.transport.reply(400, "{\"__type\":\"UnrecognizedClientException\",\"message\":\"The "
                             "security token included in the request is invalid.\"}");
    DiscoveryArena memory;
    Findings findings;
    Result<ReportLocation> result =
        discover_cur_report(rig.caller, rig.keys, *rig.endpoint, "r", memory.arena, findings);
    ASSERT_FALSE(result.ok());
    EXPECT_STREQ(result.error().message, "cur: access denied");
    EXPECT_THAT(texts(findings),
                ElementsAre("AWS does not know the access key edgecur used for "
                            "cur:DescribeReportDefinitions (UnrecognizedClientException: The "
                            "security token included in the request is invalid.); check "
                            "access_key_id (or credentials_file) in this connection's settings"));
  }
  {
    CallerRig rig(kCurUrl);
    rig.transport.reply(400, "{\"__type\":\"InvalidSignatureException\",\"message\":\"The "
                             "request signature we calculated does not match\"}");
    DiscoveryArena memory;
    Findings findings;
    Result<ReportLocation> result =
        discover_cur_report(rig.caller, rig.keys, *rig.endpoint, "r", memory.arena, findings);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Permission);
    EXPECT_THAT(texts(findings),
                ElementsAre(HasSubstr("AWS says the signature of cur:DescribeReportDefinitions "
                                      "is wrong (InvalidSignatureException: The request")));
  }
}

TEST(DiscoverCurReport, ThrottledAfterEveryRetryIsAnIoError) {
  CallerRig rig(kCurUrl, 3);
  for (int i = 0; i < 3; ++i)
    rig.transport.reply(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Io);
  EXPECT_STREQ(result.error().message, "cur: throttled by aws");
  EXPECT_EQ(rig.transport.requests().size(), 3u);
  EXPECT_THAT(texts(findings),
              ElementsAre("AWS kept throttling cur:DescribeReportDefinitions "
                          "(ThrottlingException: Rate exceeded) after 3 tries; edgecur tries "
                          "again on its next run"));
}

TEST(DiscoverCurReport, ServerErrorsAfterEveryRetryAreUnavailable) {
  CallerRig rig(kCurUrl, 2);
  rig.transport.reply(500, "{\"__type\":\"InternalErrorException\",\"message\":\"oops\"}");
  rig.transport.reply(503, "");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Io);
  EXPECT_STREQ(result.error().message, "cur: service unavailable");
  EXPECT_THAT(texts(findings),
              ElementsAre("the CUR API kept failing for cur:DescribeReportDefinitions (HTTP 503) "
                          "after 2 tries; AWS may be having trouble: edgecur tries again on its "
                          "next run"));
}

TEST(DiscoverCurReport, AWrongEndpointAnswering404IsNotFound) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(404, "<html>no</html>");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_STREQ(result.error().message, "cur: api not found");
  EXPECT_THAT(texts(findings),
              ElementsAre("the CUR API at cur.us-east-1.amazonaws.com answered 'not found' to "
                          "cur:DescribeReportDefinitions (HTTP 404); check cur_endpoint in this "
                          "connection's settings, or leave it empty for AWS's standard address"));
}

TEST(DiscoverCurReport, ARefusedRequestIsInvalidArgument) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(400,
                      "{\"__type\":\"ValidationException\",\"Message\":\"Invalid NextToken\"}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(result.error().message, "cur: request refused");
  EXPECT_THAT(texts(findings),
              ElementsAre("AWS refused the request cur:DescribeReportDefinitions "
                          "(ValidationException: Invalid NextToken); check cur_endpoint in this "
                          "connection's settings; if it is right, report this with the device's "
                          "log"));
}

TEST(DiscoverCurReport, ATransportFailureIsReturnedWithAFinding) {
  CallerRig rig(kCurUrl, 1);
  rig.transport.fail(make_lib_error(ErrorCode::Network, "http: cannot connect", ErrorLib::Curl, 7));
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Network);
  EXPECT_STREQ(result.error().message, "http: cannot connect");
  EXPECT_THAT(texts(findings),
              ElementsAre("could not reach the CUR API at cur.us-east-1.amazonaws.com for "
                          "cur:DescribeReportDefinitions (http: cannot connect [curl 7]); check "
                          "the network, the proxy settings and cur_endpoint"));
}

TEST(DiscoverCurReport, AnUnreadableAnswerIsInvalidInput) {
  CallerRig rig(kCurUrl);
  rig.transport.reply(200, "{\"ReportDefinitions\":[{\"ReportName\":\"x\"}]}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidInput);
  EXPECT_THAT(texts(findings),
              ElementsAre(HasSubstr("the answer of the CUR API to cur:DescribeReportDefinitions "
                                    "could not be read (aws: required field is missing: "
                                    "S3Bucket")));
}

TEST(DiscoverCurReport, StopsAfterThePageLimit) {
  CallerRig rig(kCurUrl);
  rig.transport.repeat_forever(200, definitions_page({"other"}, "again"));
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                      "hourly-cur", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(result.error().message, "cur: too many pages");
  EXPECT_EQ(rig.transport.requests().size(), kMaxDiscoveryPages);
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_THAT(texts(findings),
              ElementsAre("the CUR API listed more than 64 pages of reports without the end; "
                          "check cur_endpoint in this connection's settings"));
}

TEST(DiscoverCurReport, ATooSmallArenaFailsCleanlyAtEveryAllocation) {
  for (long allowed = 0; allowed < 12; ++allowed) {
    CallerRig rig(kCurUrl);
    rig.transport.repeat_forever(200, definitions_page({"hourly-cur"}, ""));
    DiscoveryArena memory;
    memory.arena.fail_after(allowed);
    Findings findings;
    Result<ReportLocation> result = discover_cur_report(rig.caller, rig.keys, *rig.endpoint,
                                                        "hourly-cur", memory.arena, findings);
    if (result.ok()) {
      EXPECT_EQ(result.value().name, "hourly-cur");
      EXPECT_GE(allowed, 4) << "the search needs several allocations";
      return;
    }
    EXPECT_EQ(result.error().code, ErrorCode::OutOfMemory) << allowed;
    EXPECT_EQ(memory.arena.used(), 0u) << allowed;
  }
  FAIL() << "never succeeded";
}

// ---- discovery of a CUR 2.0 export
// ----------------------------------------------------------------

constexpr const char* kExportsUrl = "https://bcm-data-exports.us-east-1.api.aws";
constexpr const char* kExportArn =
    "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-0c1d2e3f";

std::string export_entry(const std::string& name, const std::string& arn) {
  return "{\"ExportArn\":\"" + arn + "\",\"ExportName\":\"" + name +
         "\",\"ExportStatus\":{\"StatusCode\":\"HEALTHY\",\"LastRefreshedAt\":1700000000.0}}";
}

std::string get_export_body() {
  return std::string("{\"Export\":{\"ExportArn\":\"") + kExportArn +
         "\",\"Name\":\"cur2\",\"DataQuery\":{\"QueryStatement\":\"" + kCur2Query +
         "\",\"TableConfigurations\":{\"COST_AND_USAGE_REPORT\":{\"TIME_GRANULARITY\":\"HOURLY\","
         "\"INCLUDE_RESOURCES\":\"FALSE\"}}},\"DestinationConfigurations\":{\"S3Destination\":{"
         "\"S3Bucket\":\"acme-exports\",\"S3Prefix\":\"exports/\",\"S3Region\":\"us-west-2\","
         "\"S3OutputConfigurations\":{\"OutputType\":\"CUSTOM\",\"Format\":\"TEXT_OR_CSV\","
         "\"Compression\":\"GZIP\",\"Overwrite\":\"OVERWRITE_REPORT\"}}},\"RefreshCadence\":{"
         "\"Frequency\":\"SYNCHRONOUS\"}},\"ExportStatus\":{\"StatusCode\":\"HEALTHY\"}}";
}

TEST(DiscoverExport, ListsEveryPageThenGetsTheExport) {
  CallerRig rig(kExportsUrl);
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("other", "arn:other") +
                               "],\"NextToken\":\"tok+/=\"}");
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("cur2", kExportArn) + "]}");
  rig.transport.reply(200, get_export_body());
  DiscoveryArena memory;
  Findings findings;

  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(findings.size(), 0u) << ::testing::PrintToString(texts(findings));
  const ReportLocation& location = result.value();
  EXPECT_EQ(location.layout, CurLayout::Cur2);
  EXPECT_EQ(location.bucket, "acme-exports");
  EXPECT_EQ(location.prefix, "exports");
  EXPECT_EQ(location.name, "cur2");
  EXPECT_EQ(location.region, "us-west-2");
  EXPECT_EQ(location.versioning, Versioning::Overwrite);
  EXPECT_EQ(memory.arena.used(), std::string("acme-exportsexportscur2us-west-2").size());
  EXPECT_LE(memory.arena.high_water(), kDiscoveryArenaBytes);
  ::testing::Test::RecordProperty("arena_high_water", static_cast<int>(memory.arena.high_water()));

  const auto& requests = rig.transport.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, "{\"MaxResults\":20}");
  EXPECT_EQ(requests[1].body, "{\"MaxResults\":20,\"NextToken\":\"tok+/=\"}");
  EXPECT_EQ(requests[2].body, std::string("{\"ExportArn\":\"") + kExportArn + "\"}");
  EXPECT_EQ(requests[0].header("X-Amz-Target"),
            "AWSBillingAndCostManagementDataExports.ListExports");
  EXPECT_EQ(requests[1].header("X-Amz-Target"),
            "AWSBillingAndCostManagementDataExports.ListExports");
  EXPECT_EQ(requests[2].header("X-Amz-Target"), "AWSBillingAndCostManagementDataExports.GetExport");
  for (const auto& request : requests) {
    EXPECT_EQ(request.url, "https://bcm-data-exports.us-east-1.api.aws/");
    EXPECT_EQ(request.header("Content-Type"), "application/x-amz-json-1.1");
    EXPECT_EQ(credential_scope(request.header("Authorization")),
              "20231114/us-east-1/bcm-data-exports/aws4_request");
  }
}

TEST(DiscoverExport, NotFoundListsTheExportsThatExist) {
  CallerRig rig(kExportsUrl);
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("cur-2", "arn:1") + "," +
                               export_entry("focus", "arn:2") + "]}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_STREQ(result.error().message, "exports: export not found");
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_THAT(texts(findings),
              ElementsAre("no data export named cur2 in this account; it has 2: cur-2, focus; "
                          "set export_name to one of them (names are case-sensitive)"));
}

TEST(DiscoverExport, NoExportsAtAllSaysHowToCreateOne) {
  CallerRig rig(kExportsUrl);
  rig.transport.reply(200, "{\"Exports\":[]}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(texts(findings),
              ElementsAre("no data export named cur2: this account has no data exports (or these "
                          "keys cannot see them); create a CUR 2.0 export in the AWS Billing "
                          "console (Data Exports; hourly, text/CSV, GZIP), or use type = cur for "
                          "a legacy CUR report"));
}

TEST(DiscoverExport, GetExportDeniedNamesItsAction) {
  CallerRig rig(kExportsUrl);
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("cur2", kExportArn) + "]}");
  rig.transport.reply(400, "{\"__type\":\"AccessDeniedException\",\"Message\":\"denied\"}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Permission);
  EXPECT_STREQ(result.error().message, "exports: access denied");
  EXPECT_EQ(memory.arena.used(), 0u);
  EXPECT_THAT(texts(findings),
              ElementsAre("AWS refused bcm-data-exports:GetExport (AccessDeniedException: "
                          "denied): the IAM role or user edgecur signs in as needs the action "
                          "bcm-data-exports:GetExport; add it to its IAM policy"));
}

TEST(DiscoverExport, AnExportGoneBetweenListAndGetIsNotFound) {
  CallerRig rig(kExportsUrl);
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("cur2", kExportArn) + "]}");
  rig.transport.reply(400, "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Export "
                           "not found\"}");
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_STREQ(result.error().message, "exports: not found");
  EXPECT_THAT(texts(findings), ElementsAre(HasSubstr("(ResourceNotFoundException: Export not "
                                                     "found); check exports_endpoint")));
}

TEST(DiscoverExport, ParquetExportIsFoundWithAnErrorFinding) {
  CallerRig rig(kExportsUrl);
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("cur2", kExportArn) + "]}");
  std::string body = get_export_body();
  body.replace(body.find("TEXT_OR_CSV"), 11, "PARQUET");
  body.replace(body.find("\"GZIP\""), 6, "\"PARQUET\"");
  rig.transport.reply(200, body);
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(findings.has_errors());
  EXPECT_THAT(texts(findings), ElementsAre(HasSubstr("export cur2 is delivered as Parquet")));
}

// A GetExport answer that nearly fills kDiscoveryBodyBytes with escapes (so its decoded query is
// copied into the arena) after the longest page token stays within kDiscoveryArenaBytes.
TEST(DiscoverExport, TheLargestAnswerFitsTheArenaBudget) {
  CallerRig rig(kExportsUrl);
  const std::string token(kMaxPageTokenBytes, 'T');
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("other", "arn:other") +
                               "],\"NextToken\":\"" + token + "\"}");
  rig.transport.reply(200, "{\"Exports\":[" + export_entry("cur2", kExportArn) + "]}");
  // Escaped newlines: the answer fills most of kDiscoveryBodyBytes and its decoded copy goes
  // to the arena.
  std::string query = kCur2Query;
  for (int i = 0; i < 30000; ++i)
    query += "\\n";
  std::string body = get_export_body();
  body.replace(body.find(kCur2Query), std::string(kCur2Query).size(), query);
  rig.transport.reply(200, body);
  DiscoveryArena memory;
  Findings findings;
  Result<ReportLocation> result =
      discover_export(rig.caller, rig.keys, *rig.endpoint, "cur2", memory.arena, findings);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(rig.transport.requests()[1].body.size(), token.size() + 32);
  EXPECT_LE(memory.arena.high_water(), kDiscoveryArenaBytes);
  ::testing::Test::RecordProperty("arena_high_water", static_cast<int>(memory.arena.high_water()));
}

} // namespace
} // namespace ec
