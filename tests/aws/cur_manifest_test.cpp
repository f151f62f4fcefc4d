// tests/aws/cur_manifest_test.cpp - CUR manifests (a real legacy one, CUR 2.0 variants), the key
// layouts of both report generations, limits, truncation and arena exhaustion.
#include "core/aws/aws_responses.h"
#include "core/aws/cur_manifest.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace ec {
namespace {

std::string error_text(const Error& error) {
  char text[512];
  format_error(error, text, sizeof text);
  return text;
}

std::string read_file(const std::string& path) {
  std::string text;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file)
    return text;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    text.append(buffer, got);
  std::fclose(file);
  return text;
}

struct Scratch {
  Scratch()
      : storage(std::make_unique_for_overwrite<std::uint8_t[]>(kBytes)),
        arena(MutableBytes(storage.get(), kBytes)) {}
  static constexpr std::size_t kBytes = 1 << 20;
  std::unique_ptr<std::uint8_t[]> storage;
  Arena arena;
};

constexpr UnixSeconds k20180501 = 1525132800;
constexpr UnixSeconds k20180601 = 1527811200;
constexpr UnixSeconds k20240301 = 1709251200;
constexpr UnixSeconds k20240401 = 1711929600;

const std::string& legacy_manifest() {
  static const std::string text =
      read_file(EC_SOURCE_DIR
                "/../shared/testdata/cur-samples/manifests/legacy-cur-manifest.xproject-2018.json");
  return text;
}

TEST(CurManifest, ReadsTheRealLegacyManifest) {
  const std::string& body = legacy_manifest();
  ASSERT_EQ(body.size(), 8274u) << "testdata missing or changed";
  Scratch scratch;
  Result<CurManifest> parsed = parse_cur_manifest(body, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  const CurManifest& manifest = parsed.value();
  EXPECT_EQ(manifest.assembly_id, "afe8b092-dc87-405a-a0b7-fc743e14adff");
  EXPECT_EQ(manifest.delivery_id(), "afe8b092-dc87-405a-a0b7-fc743e14adff");
  EXPECT_EQ(manifest.execution_id, "");
  EXPECT_EQ(manifest.account, "141375116029");
  EXPECT_EQ(manifest.report_id, "1fbc20f088082669ee179c61999326b3b329325738afe67a98931c03b07cc613");
  EXPECT_EQ(manifest.report_name, "test-quicksight");
  EXPECT_EQ(manifest.bucket, "qezz-xproject-test-bucket-91739124");
  EXPECT_EQ(manifest.charset, "UTF-8");
  EXPECT_EQ(delivery_compression_from(manifest.compression), DeliveryCompression::Gzip);
  EXPECT_EQ(manifest.content_type, "text/csv");
  ASSERT_TRUE(manifest.billing_period);
  EXPECT_EQ(manifest.billing_period->start, k20180501);
  EXPECT_EQ(manifest.billing_period->end, k20180601);
  ASSERT_EQ(manifest.columns.size(), 99u);
  EXPECT_EQ(manifest.columns[0].category, "identity");
  EXPECT_EQ(manifest.columns[0].name, "LineItemId");
  EXPECT_EQ(manifest.columns[22].category, "lineItem");
  EXPECT_EQ(manifest.columns[22].name, "UnblendedCost");
  EXPECT_EQ(manifest.columns[98].category, "reservation");
  EXPECT_EQ(manifest.columns[98].name, "UpfrontValue");
  ASSERT_EQ(manifest.data_files.size(), 1u);
  EXPECT_EQ(manifest.data_files[0].bucket, "qezz-xproject-test-bucket-91739124");
  EXPECT_EQ(manifest.data_files[0].key,
            "quicksight/test-quicksight/20180501-20180601/afe8b092-dc87-405a-a0b7-fc743e14adff/"
            "test-quicksight-1.csv.gz");
  ASSERT_EQ(manifest.artifacts.size(), 2u);
  EXPECT_EQ(manifest.artifacts[0].type, "RedshiftCommands");
  EXPECT_EQ(manifest.artifacts[1].key,
            "quicksight/test-quicksight/20180501-20180601/afe8b092-dc87-405a-a0b7-fc743e14adff/"
            "test-quicksight-RedshiftManifest.json");
  // Nothing in it is escaped: only the three arrays come from the arena.
  EXPECT_EQ(scratch.arena.allocation_count(), 3u);
  std::printf("[ measure  ] real legacy manifest: %zu bytes, arena %zu bytes\n", body.size(),
              scratch.arena.high_water());

  // The data file's key names the same delivery and period as the manifest.
  Result<CurKeyParts> parts = parse_cur_key(manifest.data_files[0].key);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts.value().layout, CurLayout::Legacy);
  EXPECT_EQ(parts.value().kind, CurObjectKind::DataFile);
  EXPECT_EQ(parts.value().prefix, "quicksight");
  EXPECT_EQ(parts.value().report_name, manifest.report_name);
  EXPECT_EQ(parts.value().delivery_folder, manifest.assembly_id);
  EXPECT_EQ(parts.value().period.start, manifest.billing_period->start);
  EXPECT_EQ(parts.value().period.end, manifest.billing_period->end);
  EXPECT_EQ(parts.value().file_name, "test-quicksight-1.csv.gz");
}

TEST(CurManifest, EveryTruncationOfTheRealManifestFails) {
  const std::string& body = legacy_manifest();
  ASSERT_FALSE(body.empty());
  const std::size_t end = body.rfind('}') + 1;
  Scratch scratch;
  for (std::size_t size = 0; size < end; ++size) {
    scratch.arena.reset();
    Result<CurManifest> parsed =
        parse_cur_manifest(std::string_view(body).substr(0, size), scratch.arena);
    ASSERT_FALSE(parsed.ok()) << "a prefix of " << size << " bytes was accepted";
    ASSERT_EQ(parsed.error().code, ErrorCode::InvalidInput) << size;
    ASSERT_LE(parsed.error().position, size);
  }
}

// CUR 2.0: field names are unverified (CUR-FORMATS.md section 2); this is the shape third-party
// readers expect: dataFiles as s3:// URLs, flat columns with a type, an executionId, ISO periods.
constexpr std::string_view kCur2Manifest = R"({
  "version": "1.0",
  "executionId": "f7c9a7e2-1f4c-4c4e-9b1e-2f7c3b8a9d10",
  "exportArn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234",
  "exportName": "cur2",
  "billingPeriod": {"start": "2024-03-01T00:00:00.000Z", "end": "2024-04-01T00:00:00.000Z"},
  "columns": [{"name": "bill_payer_account_id", "type": "string"},
              {"name": "line_item_unblended_cost", "type": "double"},
              {"name": "resource_tags", "type": "map<string,string>"}],
  "dataFiles": [
    "s3://cur-bucket/exports/cur2/data/BILLING_PERIOD=2024-03/cur2-00001.csv.gz",
    "s3://cur-bucket/exports/cur2/data/BILLING_PERIOD=2024-03/cur2-00002.csv.gz"
  ],
  "somethingNew": {"nested": [1, {"x": null}], "flag": true}
})";

TEST(CurManifest, ReadsACur2Manifest) {
  Scratch scratch;
  Result<CurManifest> parsed = parse_cur_manifest(kCur2Manifest, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  const CurManifest& manifest = parsed.value();
  EXPECT_EQ(manifest.assembly_id, "");
  EXPECT_EQ(manifest.delivery_id(), "f7c9a7e2-1f4c-4c4e-9b1e-2f7c3b8a9d10");
  EXPECT_EQ(manifest.report_name, "cur2"); // from exportName
  ASSERT_TRUE(manifest.billing_period);
  EXPECT_EQ(manifest.billing_period->start, k20240301);
  EXPECT_EQ(manifest.billing_period->end, k20240401);
  ASSERT_EQ(manifest.columns.size(), 3u);
  EXPECT_EQ(manifest.columns[1].category, "");
  EXPECT_EQ(manifest.columns[1].name, "line_item_unblended_cost");
  ASSERT_EQ(manifest.data_files.size(), 2u);
  EXPECT_EQ(manifest.data_files[1].bucket, "cur-bucket");
  EXPECT_EQ(manifest.data_files[1].key,
            "exports/cur2/data/BILLING_PERIOD=2024-03/cur2-00002.csv.gz");
  Result<CurKeyParts> parts = parse_cur_key(manifest.data_files[1].key);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts.value().layout, CurLayout::Cur2);
  EXPECT_EQ(parts.value().period.start, manifest.billing_period->start);
}

TEST(CurManifest, DefensiveVariants) {
  const struct {
    std::string_view body;
    std::string_view expected; // "<delivery id>|<files>|<first bucket>/<first key>" or the error
  } cases[] = {
      // No identity at all: the caller falls back on the manifest's ETag.
      {R"({"reportKeys": ["a/b.csv.gz"], "bucket": "bk"})", "|1|bk/a/b.csv.gz"},
      // "bucket" after the keys still applies to them.
      {R"({"reportKeys": ["k1", "k2"], "assemblyId": "A", "bucket": "late"})", "A|2|late/k1"},
      {R"({"reportKeys": []})", "|0|"},
      // Both lists: dataFiles (full URLs) wins.
      {R"({"reportKeys": ["x"], "dataFiles": ["s3://b/y"], "assemblyId": "A", "executionId": "E"})",
       "A|1|b/y"},
      {R"({"dataFiles": ["s3://b/k"], "executionId": "E", "assemblyId": null})", "E|1|b/k"},
      // Columns as bare names; artifacts as bare keys; ids as numbers.
      {R"({"reportKeys": ["k"], "columns": ["a", "b"], "additionalArtifactKeys": ["x"], "account": 123456789012})",
       "|1|/k"},
      {R"({"reportKeys": ["k"], "billingPeriod": null})", "|1|/k"},
      {R"({"reportKeys": ["caf\u00e9/\u65e5.csv"], "bucket": "b"})",
       "|1|b/caf\xC3\xA9/\xE6\x97\xA5.csv"},
      // Errors.
      {R"({"assemblyId": "A"})", "aws: required field is missing: reportKeys (at byte 0)"},
      {R"({"reportKeys": null})", "aws: required field is missing: reportKeys (at byte 0)"},
      {R"({"dataFiles": ["https://b/k"]})", "aws: not an s3:// url: dataFiles (at byte 15)"},
      {R"({"dataFiles": ["s3://b"]})", "aws: not an s3:// url: dataFiles (at byte 15)"},
      {R"({"dataFiles": ["s3:///k"]})", "aws: not an s3:// url: dataFiles (at byte 15)"},
      {R"({"dataFiles": ["s3://b/"]})", "aws: not an s3:// url: dataFiles (at byte 15)"},
      {R"({"reportKeys": "k"})", "aws: json value has the wrong type: reportKeys (at byte 15)"},
      {R"({"reportKeys": [7]})", "aws: json value has the wrong type: reportKeys (at byte 16)"},
      {R"({"reportKeys": ["k"], "columns": [{"category": "c"}]})",
       "aws: required field is missing: columns.name (at byte 34)"},
      {R"({"dataFiles": [{"path": "s3://b/k1", "size": 7}, "s3://b/k2"], "executionId": "E"})",
       "E|2|b/k1"},
      {R"({"dataFiles": [{"path": "k"}]})", "aws: not an s3:// url: dataFiles.path (at byte 24)"},
      {R"({"dataFiles": [{"key": "s3://b/k"}]})",
       "aws: required field is missing: dataFiles.path (at byte 15)"},
      {R"({"dataFiles": [{"path": 7}]})",
       "aws: json value has the wrong type: dataFiles.path (at byte 24)"},
      {R"({"reportKeys": ["k"], "billingPeriod": {"start": "20180501T000000.000Z", "end": "20180501T000000.000Z"}})",
       "aws: billing period ends before it starts: billingPeriod (at byte 39)"},
      {R"({"reportKeys": ["k"], "billingPeriod": {"start": "2018-13-01", "end": "2018-06-01"}})",
       "aws: timestamp is malformed: billingPeriod.start (at byte 49)"},
      {R"({"reportKeys": ["k"], "billingPeriod": "2018-05"})",
       "aws: json value has the wrong type: billingPeriod (at byte 39)"},
      {R"([])", "aws: json response is not an object: manifest (at byte 0)"},
      {R"({"reportKeys": ["k"]} x)", "aws: json has text after the document (at byte 22)"},
  };
  for (const auto& test : cases) {
    Scratch scratch;
    Result<CurManifest> parsed = parse_cur_manifest(test.body, scratch.arena);
    std::string got;
    if (!parsed.ok()) {
      got = error_text(parsed.error());
    } else {
      const CurManifest& manifest = parsed.value();
      got = std::string(manifest.delivery_id()) + "|" + std::to_string(manifest.data_files.size()) +
            "|";
      if (!manifest.data_files.empty())
        got += std::string(manifest.data_files[0].bucket) + "/" +
               std::string(manifest.data_files[0].key);
    }
    EXPECT_EQ(got, test.expected) << test.body;
  }
}

// ---- the billing period: key first, the manifest's billingPeriod when there is no key -------

constexpr const char* kCur2ManifestKey =
    "exports/cur2/metadata/BILLING_PERIOD=2024-03/cur2-Manifest.json";
constexpr UnixSeconds k20240501 = 1714521600;

/// "[start,end) files=<n>" or the error.
std::string period_of(std::string_view body, std::optional<std::string_view> key) {
  Scratch scratch;
  Result<CurManifest> parsed =
      key ? parse_cur_manifest(body, *key, scratch.arena) : parse_cur_manifest(body, scratch.arena);
  if (!parsed.ok())
    return error_text(parsed.error());
  const CurManifest& manifest = parsed.value();
  std::string text = manifest.billing_period
                         ? "[" + std::to_string(manifest.billing_period->start) + "," +
                               std::to_string(manifest.billing_period->end) + ")"
                         : std::string("none");
  return text + " files=" + std::to_string(manifest.data_files.size());
}

const std::string kMarch = "[" + std::to_string(k20240301) + "," + std::to_string(k20240401) + ")";
const std::string kApril = "[" + std::to_string(k20240401) + "," + std::to_string(k20240501) + ")";

TEST(CurManifestPeriod, AManifestWithoutEndTakesItsPeriodFromTheKey) {
  // Issue 11 (A7): every period of an export failed with "required field is missing:
  // billingPeriod.end" on a manifest like this one.
  constexpr std::string_view kWithoutEnd = R"({"executionId": "E",
    "billingPeriod": {"start": "2024-03-01T00:00:00.000Z"},
    "dataFiles": ["s3://b/exports/cur2/data/BILLING_PERIOD=2024-03/cur2-00001.csv.gz"]})";
  EXPECT_EQ(period_of(kWithoutEnd, kCur2ManifestKey), kMarch + " files=1");
  // Without a key, a missing end is the start of the next month.
  EXPECT_EQ(period_of(kWithoutEnd, std::nullopt), kMarch + " files=1");
  EXPECT_EQ(period_of(R"({"billingPeriod": {"start": "20231201T000000.000Z", "end": null},
                          "reportKeys": []})",
                      std::nullopt),
            "[1701388800,1704067200) files=0");
}

TEST(CurManifestPeriod, AManifestWithoutBillingPeriodTakesItFromTheKey) {
  EXPECT_EQ(period_of(R"({"dataFiles": [{"path": "s3://b/k"}]})", kCur2ManifestKey),
            kMarch + " files=1");
  EXPECT_EQ(period_of(R"({"dataFiles": ["s3://b/k"], "billingPeriod": null})", kCur2ManifestKey),
            kMarch + " files=1");
  EXPECT_EQ(period_of(R"({"dataFiles": ["s3://b/k"], "billingPeriod": {"end": "2024-04-01"}})",
                      kCur2ManifestKey),
            kMarch + " files=1");
  // Legacy keys carry the period too.
  EXPECT_EQ(period_of(R"({"reportKeys": ["k"]})", "cur/rep/20240301-20240401/rep-Manifest.json"),
            kMarch + " files=1");
  // Without a key the manifest simply has no period; the caller knows where it found it.
  EXPECT_EQ(period_of(R"({"dataFiles": ["s3://b/k"]})", std::nullopt), "none files=1");
}

TEST(CurManifestPeriod, TheManifestGivesThePeriodWhenTheKeyDoesNot) {
  EXPECT_EQ(period_of(R"({"reportKeys": ["k"], "billingPeriod": {"start": "2024-04-01"}})",
                      "somewhere/else/cur2-Manifest.json"),
            kApril + " files=1");
  EXPECT_EQ(period_of(R"({"reportKeys": ["k"], "billingPeriod": {"start": "2024-04-01"}})", ""),
            kApril + " files=1");
}

TEST(CurManifestPeriod, NeitherKeyNorManifestIsAnErrorNamingBoth) {
  const std::string missing = "aws: manifest and its key give no billing period: "
                              "BILLING_PERIOD=YYYY-MM in the key or billingPeriod.start";
  EXPECT_EQ(period_of(R"({"dataFiles": ["s3://b/k"]})", "exports/cur2/cur2-Manifest.json"),
            missing);
  EXPECT_EQ(period_of(R"({"dataFiles": ["s3://b/k"], "billingPeriod": {"end": "2024-04-01"}})",
                      "cur2-Manifest.json"),
            missing);
  // A manifest error comes first: the file list is needed whatever the period.
  EXPECT_EQ(period_of(R"({"executionId": "E"})", "cur2-Manifest.json"),
            "aws: required field is missing: reportKeys (at byte 0)");
  EXPECT_EQ(period_of(R"({"executionId": "E"})", kCur2ManifestKey),
            "aws: required field is missing: reportKeys (at byte 0)");
}

TEST(CurManifestPeriod, TheKeyWinsOverTheManifest) {
  // Disagreeing: the key's March, not the manifest's April (reasons at parse_cur_manifest).
  EXPECT_EQ(period_of(R"({"dataFiles": ["s3://b/k"], "billingPeriod":
                          {"start": "2024-04-01T00:00:00Z", "end": "2024-05-01T00:00:00Z"}})",
                      kCur2ManifestKey),
            kMarch + " files=1");
  // A billingPeriod the key makes unnecessary is not read, so its shape cannot fail the period;
  // without the key it still does.
  constexpr std::string_view kOdd =
      R"({"dataFiles": ["s3://b/k"], "billingPeriod": {"start": "March 2024", "end": 7}})";
  EXPECT_EQ(period_of(kOdd, kCur2ManifestKey), kMarch + " files=1");
  EXPECT_EQ(period_of(kOdd, std::nullopt),
            "aws: timestamp is malformed: billingPeriod.start (at byte 55)");
  // The real legacy manifest agrees with its own key.
  EXPECT_EQ(period_of(legacy_manifest(),
                      "quicksight/test-quicksight/20180501-20180601/test-quicksight-Manifest.json"),
            "[" + std::to_string(k20180501) + "," + std::to_string(k20180601) + ") files=1");
}

std::string manifest_with(std::size_t columns, std::size_t keys, std::size_t artifacts) {
  std::string body = R"({"assemblyId": "a", "columns": [)";
  for (std::size_t i = 0; i < columns; ++i)
    body +=
        std::string(i ? "," : "") + R"({"category": "c", "name": "n)" + std::to_string(i) + "\"}";
  body += R"(], "reportKeys": [)";
  for (std::size_t i = 0; i < keys; ++i)
    body += std::string(i ? "," : "") + "\"p/r/20240301-20240401/a/r-" + std::to_string(i + 1) +
            ".csv.gz\"";
  body += R"(], "additionalArtifactKeys": [)";
  for (std::size_t i = 0; i < artifacts; ++i)
    body += std::string(i ? "," : "") + R"({"artifactType": "T", "name": "x"})";
  return body + "]}";
}

TEST(CurManifest, ListLimitsAreExact) {
  Scratch scratch;
  const std::string full =
      manifest_with(kMaxManifestColumns, kMaxManifestDataFiles, kMaxManifestArtifacts);
  Result<CurManifest> parsed = parse_cur_manifest(full, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  EXPECT_EQ(parsed.value().columns.size(), kMaxManifestColumns);
  EXPECT_EQ(parsed.value().columns[1023].name, "n1023");
  EXPECT_EQ(parsed.value().data_files.size(), kMaxManifestDataFiles);
  EXPECT_EQ(parsed.value().data_files[4095].key, "p/r/20240301-20240401/a/r-4096.csv.gz");
  EXPECT_EQ(parsed.value().artifacts.size(), kMaxManifestArtifacts);
  std::printf("[ measure  ] manifest at every list limit: %zu bytes, arena %zu bytes\n",
              full.size(), scratch.arena.high_water());
  const struct {
    std::string body;
    const char* field;
  } over[] = {{manifest_with(kMaxManifestColumns + 1, 1, 0), "columns"},
              {manifest_with(1, kMaxManifestDataFiles + 1, 0), "reportKeys"},
              {manifest_with(1, 1, kMaxManifestArtifacts + 1), "additionalArtifactKeys"}};
  for (const auto& test : over) {
    scratch.arena.reset();
    Result<CurManifest> refused = parse_cur_manifest(test.body, scratch.arena);
    ASSERT_FALSE(refused.ok()) << test.field;
    EXPECT_EQ(refused.error().code, ErrorCode::LimitExceeded);
    EXPECT_STREQ(refused.error().detail, test.field);
  }
}

TEST(CurManifest, ValueLimitsAreExact) {
  Scratch scratch;
  const auto with_key = [](std::size_t size) {
    return R"({"reportKeys": [")" + std::string(size, 'k') + "\"]}";
  };
  const std::string longest = with_key(kMaxS3KeyBytes);
  EXPECT_TRUE(parse_cur_manifest(longest, scratch.arena).ok());
  Result<CurManifest> longer = parse_cur_manifest(with_key(kMaxS3KeyBytes + 1), scratch.arena);
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(longer.error().detail, "reportKeys");
  const std::string long_id = R"({"reportKeys": [], "assemblyId": ")" +
                              std::string(kMaxManifestFieldBytes + 1, 'a') + "\"}";
  Result<CurManifest> id = parse_cur_manifest(long_id, scratch.arena);
  ASSERT_FALSE(id.ok());
  EXPECT_STREQ(id.error().detail, "assemblyId");
}

TEST(CurManifest, ArenaExhaustionIsReportedAtEveryAllocation) {
  constexpr std::string_view kEscaped =
      R"({"assemblyId": "\u0041", "reportKeys": ["a\/b"], "columns": [{"category": "c", "name": "\u00e9"}],)"
      R"( "bucket": "b\u0031", "additionalArtifactKeys": [{"name": "x\/y"}]})";
  std::size_t needed = 0;
  for (long successes = 0; successes < 100; ++successes) {
    Scratch scratch;
    scratch.arena.fail_after(successes);
    Result<CurManifest> parsed = parse_cur_manifest(kEscaped, scratch.arena);
    if (parsed.ok()) {
      needed = static_cast<std::size_t>(successes);
      EXPECT_EQ(parsed.value().assembly_id, "A");
      EXPECT_EQ(parsed.value().data_files[0].bucket, "b1");
      EXPECT_EQ(parsed.value().data_files[0].key, "a/b");
      EXPECT_EQ(parsed.value().columns[0].name, "\xC3\xA9");
      EXPECT_EQ(parsed.value().artifacts[0].key, "x/y");
      break;
    }
    EXPECT_EQ(parsed.error().code, ErrorCode::OutOfMemory) << successes;
  }
  // Three arrays and five escaped strings.
  EXPECT_EQ(needed, 8u);
}

// ---- key layouts --------------------------------------------------------------------------------

/// "<layout> <kind> prefix=<p> name=<n> area=<a> period=<text> [<start>,<end>) folder=<f>
/// file=<f>".
std::string parts_of(std::string_view key) {
  Result<CurKeyParts> parsed = parse_cur_key(key);
  if (!parsed.ok())
    return "error";
  const CurKeyParts& parts = parsed.value();
  const char* kinds[] = {"manifest", "data", "other"};
  return std::string(parts.layout == CurLayout::Legacy ? "legacy " : "cur2 ") +
         kinds[static_cast<int>(parts.kind)] + " prefix=" + std::string(parts.prefix) +
         " name=" + std::string(parts.report_name) + " area=" + std::string(parts.area) +
         " period=" + std::string(parts.period_text) + " [" + std::to_string(parts.period.start) +
         "," + std::to_string(parts.period.end) + ") folder=" + std::string(parts.delivery_folder) +
         " file=" + std::string(parts.file_name);
}

TEST(CurKey, LegacyLayouts) {
  const std::string period = " period=20240301-20240401 [1709251200,1711929600)";
  EXPECT_EQ(parts_of("cur/report/20240301-20240401/report-1.csv.gz"),
            "legacy data prefix=cur name=report area=" + period + " folder= file=report-1.csv.gz");
  EXPECT_EQ(parts_of("cur/report/20240301-20240401/report-Manifest.json"),
            "legacy manifest prefix=cur name=report area=" + period +
                " folder= file=report-Manifest.json");
  EXPECT_EQ(parts_of("a/b/c/report/20240301-20240401/4b1c2d3e-0000-4000-8000-000000000000/"
                     "report-00001.csv.gz"),
            "legacy data prefix=a/b/c name=report area=" + period +
                " folder=4b1c2d3e-0000-4000-8000-000000000000 file=report-00001.csv.gz");
  EXPECT_EQ(parts_of("report/20240301-20240401/id/report-Manifest.json"),
            "legacy manifest prefix= name=report area=" + period +
                " folder=id file=report-Manifest.json");
  EXPECT_EQ(parts_of("/report/20240301-20240401/report-1.snappy.parquet"),
            "legacy data prefix= name=report area=" + period +
                " folder= file=report-1.snappy.parquet");
  EXPECT_EQ(parts_of("cur/report/20240301-20240401/id/report-RedshiftCommands.sql"),
            "legacy other prefix=cur name=report area=" + period +
                " folder=id file=report-RedshiftCommands.sql");
  // Year end and a leap day.
  EXPECT_EQ(parts_of("r/20231201-20240101/r-1.csv.gz"),
            "legacy data prefix= name=r area= period=20231201-20240101 [1701388800,1704067200) "
            "folder= file=r-1.csv.gz");
  EXPECT_NE(parts_of("r/20240229-20240301/r-1.csv.gz"), "error");
}

TEST(CurKey, Cur2Layouts) {
  EXPECT_EQ(parts_of("exports/cur2/data/BILLING_PERIOD=2024-03/cur2-00001.csv.gz"),
            "cur2 data prefix=exports name=cur2 area=data period=BILLING_PERIOD=2024-03 "
            "[1709251200,1711929600) folder= file=cur2-00001.csv.gz");
  EXPECT_EQ(parts_of("exports/cur2/metadata/BILLING_PERIOD=2024-03/cur2-Manifest.json"),
            "cur2 manifest prefix=exports name=cur2 area=metadata period=BILLING_PERIOD=2024-03 "
            "[1709251200,1711929600) folder= file=cur2-Manifest.json");
  EXPECT_EQ(
      parts_of("cur2/data/BILLING_PERIOD=2023-12/20231215T061244Z-1f2e3d4c/cur2-00001.parquet"),
      "cur2 data prefix= name=cur2 area=data period=BILLING_PERIOD=2023-12 "
      "[1701388800,1704067200) folder=20231215T061244Z-1f2e3d4c file=cur2-00001.parquet");
}

TEST(CurKey, RefusesOtherKeys) {
  for (std::string_view key : {
           "",
           "report-1.csv.gz",
           "cur/report/20240301-20240401/",
           "20240301-20240401/r-1.csv.gz",
           "cur/cost_and_usage_data_status/cost_and_usage_data_status.json",
           "cur/report/20240231-20240301/report-1.csv.gz", // 31 February
           "cur/report/20230229-20230301/report-1.csv.gz", // not a leap year
           "cur/report/20240401-20240301/report-1.csv.gz", // ends before it starts
           "cur/report/20240301-20240301/report-1.csv.gz", // empty
           "cur/report/2024030-20240401/report-1.csv.gz",  // seven digits
           "cur/report/2024030a-20240401/report-1.csv.gz",
           "cur//20240301-20240401/report-1.csv.gz",        // empty report name
           "cur/report/20240301-20240401//report-1.csv.gz", // empty folder
           "x/cur2/data2/BILLING_PERIOD=2024-03/f.csv.gz",  // neither data nor metadata
           "x/cur2/data/BILLING_PERIOD=2024-13/f.csv.gz",
           "x/cur2/data/BILLING_PERIOD=2024-3/f.csv.gz",
           "x/cur2/data/billing_period=2024-03/f.csv.gz",
           "data/BILLING_PERIOD=2024-03/f.csv.gz",            // no export name
           "x/cur2/data/BILLING_PERIOD=2024-03/a/b/f.csv.gz", // two folders below the period
       }) {
    Result<CurKeyParts> parsed = parse_cur_key(key);
    ASSERT_FALSE(parsed.ok()) << key;
    EXPECT_EQ(std::string(parsed.error().message), "aws: key is not in a cur report layout") << key;
  }
}

TEST(CurKey, S3Urls) {
  Result<S3Location> location = parse_s3_url("s3://bucket/a/b/c.csv.gz");
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location.value().bucket, "bucket");
  EXPECT_EQ(location.value().key, "a/b/c.csv.gz");
  for (std::string_view bad :
       {"", "s3:/", "s3://", "s3://b", "s3://b/", "s3:///k", "S3://b/k", "http://b/k"})
    EXPECT_FALSE(parse_s3_url(bad).ok()) << bad;
}

} // namespace
} // namespace ec
