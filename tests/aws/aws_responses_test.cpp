// tests/aws/aws_responses_test.cpp - Typed AWS answers: what the stand-in and AWS send (STS, S3,
// JSON 1.1 errors, CUR, Data Exports, Organizations), edge cases, every list limit crossed,
// truncation at every byte, arena exhaustion, and credentials kept out of errors.
#include "core/aws/aws_responses.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ec {
namespace {

// ---- captured from tests/aws/standin/standin.py -------------------------------------------------
// Bodies exactly as the stand-in sent them, captured at development time with a python3 script
// that started test_standin's configuration (StandIn + botocore signing) and sent: AssumeRole
// (good and wrong ExternalId), ListObjectsV2 over keys "odd/a+b c.csv", "odd/pct%41.csv",
// "odd/x&y<z>.csv", "odd/\u00fcber/\u65e5\u672c-1.csv.gz" (with and without encoding-type=url),
// a truncated delimiter listing, an empty one, GetObject of a missing key, a wrong-region and a
// skewed request, DescribeReportDefinitions (good; MaxResults 6), ListExports, GetExport (good;
// unknown ARN), ListAccounts (page 1; the empty page 2; a bad token) and a bad signature.

// HTTP 200
constexpr std::string_view kStandinAssumeRole =
    R"AWS(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROAA9179741DAF8C22D8:edge-collector</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/collector/edge-collector</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIA55G6TIL3RDWSNJV6</AccessKeyId>
      <SecretAccessKey>a9tO/nvetps/xwSpaKm2iCQdyg36/CRGkxeJ491D</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2Vj+/+7yM9ZA2ZDWll7pg7RTPmxpbhMs0O+CKyg5Of9RWHm2Qaj8NCOn4bO8sTJkZjOoMWl+ichfyDdVkxzvI3Y6u7b+hhSnwtkVYqAo3R7LZksshgdeoqCRtxuRwCJaG8sDbBfJ7ESYlI5v4piMbzShjlSMTh0qXKyW9yj47ILqW0hqPWaWni0XZGVUoyyho83weui1cliO2djDH6XbCElfimx06/xU7d04LRCnUfFYnbZyB5SthbTDx6wD2KmHV1BgBmRDCzIBZBy1c2p9WAic0/+Kz21b+OwTtC3fUQGmtOvDtmYLhFJVLOAXZNuuN17nG7iucBYqEgOarmeeaynL0vuDTcfg/+rQRHgBFHF6dJdtxAyqe1rKeBD060bIflPCGVzZwjwFxD0okB3o/7FnZM0VrOlI1ra2RyTz07fH/ZNe2Ip8iK+0xSuMQ10PQt9e3nTfkzJJW5soyHPWTUhxYoHm7IoxLH41qD4NgpyZGOTTSfffvSOE/rPd+hAWZ57oHSBoisgGd/etiBXlw/dpCSm7gjlNDd3F4JbVgOV6Q7npQ8WOPFFTnRdz2l9VZEVw2M77/qROIsf2kDlQ6muIWN426x8baW9YXY1mHqHT7YMaSdPic+KJeJbHx5GT5aEDuUVsLpGb7527OZITjSEZnVqbyPE13DIZaPayz+6yNvUhJH/NRFjMkyZQZYVTnpU3v/g75a9W5eu5vPzdQU/LDFCsdpBdr3KiwwYxHP3qW1Edl+FFnykbvsXtLgRz+Q9xF6LBZ+oaVOEKNTMG+k02xoGAodrZhzU54FX</SessionToken>
      <Expiration>2026-11-22T07:22:54Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>84f3d67a-9c8c-4a43-9853-81454f7ea1a7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
)AWS";

// HTTP 403
constexpr std::string_view kStandinStsAccessDenied =
    R"AWS(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/edge is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/collector</Message>
  </Error>
  <RequestId>b6f43b8d-b89c-4a93-89cd-4a7b8d581eec</RequestId>
</ErrorResponse>
)AWS";

// HTTP 200
constexpr std::string_view kStandinListUrlEncoded = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cur-bucket</Name><Prefix>odd/</Prefix><KeyCount>4</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>odd/a%2Bb+c.csv</Key><LastModified>2026-11-22T07:07:54.271Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>odd/pct%2541.csv</Key><LastModified>2026-11-22T07:07:54.274Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>odd/x%26y%3Cz%3E.csv</Key><LastModified>2026-11-22T07:07:54.273Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>odd/%C3%BCber/%E6%97%A5%E6%9C%AC-1.csv.gz</Key><LastModified>2026-11-22T07:07:54.272Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>)AWS";

// HTTP 200
constexpr std::string_view kStandinListPlain = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cur-bucket</Name><Prefix>odd/</Prefix><KeyCount>4</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>odd/a+b c.csv</Key><LastModified>2026-11-22T07:07:54.271Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>odd/pct%41.csv</Key><LastModified>2026-11-22T07:07:54.274Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>odd/x&amp;y&lt;z&gt;.csv</Key><LastModified>2026-11-22T07:07:54.273Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>odd/über/日本-1.csv.gz</Key><LastModified>2026-11-22T07:07:54.272Z</LastModified><ETag>"900150983cd24fb0d6963f7d28e17f72"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>)AWS";

// HTTP 200
constexpr std::string_view kStandinListTruncated = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cur-bucket</Name><Prefix>cur/</Prefix><NextContinuationToken>1+/+1KK9FUO0HzWT+6j7WNVY7PPj5vj6vNeZAIbs=</NextContinuationToken><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><CommonPrefixes><Prefix>cur/report name/</Prefix></CommonPrefixes></ListBucketResult>)AWS";

// HTTP 200
constexpr std::string_view kStandinListEmpty = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cur-bucket</Name><Prefix>nothing/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>)AWS";

// HTTP 404
constexpr std::string_view kStandinNoSuchKey = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>nope.csv</Key><RequestId>EBCD5567C1F45458</RequestId><HostId>JkWXMTYs7Mn33FhhwPhCv+TeGA4PSi2Kf/HFmaM4M/po3PF/u1/rjPAh4XAeQglk</HostId></Error>)AWS";

// HTTP 400
constexpr std::string_view kStandinWrongRegion = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region><RequestId>2213CCCF17F216B1</RequestId><HostId>RKp+3Zl7JlGcX/p7fPJHv3xNzA6mThmr0Jd0IaCrGpiOJ6YS/v2D/0JVHxY5JUU8</HostId></Error>)AWS";

// HTTP 403
constexpr std::string_view kStandinSkewed = R"AWS(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTime>20261122T060754Z</RequestTime><ServerTime>2026-11-22T07:07:54Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>DEEB40A786A2A742</RequestId><HostId>fse65EehiVZ64HMKuxAm0skCcsikJi5bswKioqdPk+jc2WPR3rdSc7CMQg8U0BSz</HostId></Error>)AWS";

// HTTP 200
constexpr std::string_view kStandinReportPage =
    R"AWS({"ReportDefinitions": [{"ReportName": "report-0", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "cur-bucket", "S3Prefix": "cur", "S3Region": "us-east-1", "ReportVersioning": "OVERWRITE_REPORT"}, {"ReportName": "report-1", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "cur-bucket", "S3Prefix": "cur", "S3Region": "us-east-1", "ReportVersioning": "OVERWRITE_REPORT"}, {"ReportName": "report-2", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "cur-bucket", "S3Prefix": "cur", "S3Region": "us-east-1", "ReportVersioning": "OVERWRITE_REPORT"}, {"ReportName": "report-3", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "cur-bucket", "S3Prefix": "cur", "S3Region": "us-east-1", "ReportVersioning": "OVERWRITE_REPORT"}, {"ReportName": "report-4", "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "cur-bucket", "S3Prefix": "cur", "S3Region": "us-east-1", "ReportVersioning": "OVERWRITE_REPORT"}], "NextToken": "eyJzIjogImN1ciIsICJvIjogNSwgInAiOiAwfQ=="})AWS";

// HTTP 400
constexpr std::string_view kStandinCurValidation =
    R"AWS({"__type": "ValidationException", "Message": "1 validation error detected: Value '6' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 5"})AWS";

// HTTP 200
constexpr std::string_view kStandinListExports =
    R"AWS({"Exports": [{"ExportArn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234", "ExportName": "cur2", "ExportStatus": {"StatusCode": "HEALTHY", "CreatedAt": 1700000000.0, "LastUpdatedAt": 1700000000.0, "LastRefreshedAt": 1795331274.0}}]})AWS";

// HTTP 200
constexpr std::string_view kStandinGetExport =
    R"AWS({"Export": {"ExportArn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234", "Name": "cur2", "DataQuery": {"QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT"}, "DestinationConfigurations": {"S3Destination": {"S3Bucket": "cur-bucket", "S3Prefix": "exports", "S3Region": "us-east-1", "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP", "Overwrite": "OVERWRITE_REPORT"}}}, "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}, "ExportStatus": {"StatusCode": "HEALTHY", "CreatedAt": 1700000000.0, "LastUpdatedAt": 1700000000.0, "LastRefreshedAt": 1795331274.0}})AWS";

// HTTP 400
constexpr std::string_view kStandinExportNotFound =
    R"AWS({"__type": "ResourceNotFoundException", "Message": "Export arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234x not found", "ResourceId": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234x", "ResourceType": "Export"})AWS";

// HTTP 200
constexpr std::string_view kStandinAccountsPage1 =
    R"AWS({"Accounts": [{"Id": "111111111111", "Name": "account 1", "Email": "a1@example.com", "Status": "ACTIVE", "State": "ACTIVE"}, {"Id": "222222222222", "Name": "account 2", "Email": "a2@example.com", "Status": "ACTIVE", "State": "ACTIVE"}], "NextToken": "eyJzIjogIm9yZ2FuaXphdGlvbnMiLCAibyI6IDIsICJwIjogMX0A+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+//g=="})AWS";

// HTTP 200
constexpr std::string_view kStandinAccountsEmptyPage =
    R"AWS({"Accounts": [], "NextToken": "eyJzIjogIm9yZ2FuaXphdGlvbnMiLCAibyI6IDIsICJwIjogMn0A+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+//g=="})AWS";

// HTTP 400
constexpr std::string_view kStandinBadToken =
    R"AWS({"__type": "InvalidInputException", "Message": "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.", "Reason": "INVALID_PAGINATION_TOKEN"})AWS";

// HTTP 400
constexpr std::string_view kStandinBadSignature =
    R"AWS({"__type": "com.amazon.coral.service#InvalidSignatureException", "message": "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:44553\nx-amz-date:20261122T070754Z\nx-amz-target:AWSOrigamiServiceGatewayService.DescribeReportDefinitions\n\ncontent-type;host;x-amz-date;x-amz-target\n0a9793f0cb4cfe51f4394490db0ae59b07fd7d5dab3022bca1b33ee15f67dacf'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261122T070754Z\n20261122/us-east-1/cur/aws4_request\nf3b40a7652eae8f3787566ab6521eaa1d3a099b7c011b765bdd0aedbed0359a0'\n"})AWS";

std::string error_text(const Error& error) {
  char text[512];
  format_error(error, text, sizeof text);
  return text;
}

/// A fresh arena per parse, big enough for every document here.
struct Scratch {
  Scratch()
      : storage(std::make_unique_for_overwrite<std::uint8_t[]>(kBytes)),
        arena(MutableBytes(storage.get(), kBytes)) {}
  static constexpr std::size_t kBytes = 1 << 20;
  std::unique_ptr<std::uint8_t[]> storage;
  Arena arena;
};

constexpr UnixSeconds k20261122T072254Z = 1795332174;
constexpr UnixSeconds k20261122T070754Z = 1795331274;

/// Every strict prefix of `document` up to its last non-space byte fails with InvalidInput at an
/// offset inside the prefix, and no error text holds any of `secrets`.
template <typename Parse>
void expect_every_truncation_fails(std::string_view document, Parse parse,
                                   std::vector<std::string> secrets = {}) {
  std::size_t end = document.size();
  while (end > 0 && (document[end - 1] == '\n' || document[end - 1] == ' '))
    --end;
  Scratch scratch;
  for (std::size_t size = 0; size < end; ++size) {
    scratch.arena.reset();
    auto result = parse(document.substr(0, size), scratch.arena);
    ASSERT_FALSE(result.ok()) << "a prefix of " << size << " bytes was accepted";
    EXPECT_EQ(result.error().code, ErrorCode::InvalidInput) << size;
    EXPECT_EQ(result.error().where, ErrorWhere::ByteOffset) << size;
    EXPECT_LE(result.error().position, size);
    const std::string text = error_text(result.error());
    for (const std::string& secret : secrets)
      ASSERT_EQ(text.find(secret), std::string::npos) << text;
  }
  scratch.arena.reset();
  EXPECT_TRUE(parse(document, scratch.arena).ok());
}

/// With the arena failing after k allocations, for every k until the parse succeeds: each
/// failure is OutOfMemory. Returns how many allocations the parse needs.
template <typename Parse>
std::size_t expect_arena_exhaustion_reported(std::string_view document, Parse parse) {
  for (long successes = 0; successes < 100000; ++successes) {
    Scratch scratch;
    scratch.arena.fail_after(successes);
    auto result = parse(document, scratch.arena);
    if (result.ok())
      return static_cast<std::size_t>(successes);
    EXPECT_EQ(result.error().code, ErrorCode::OutOfMemory)
        << successes << ": " << error_text(result.error());
  }
  ADD_FAILURE() << "never succeeded";
  return 0;
}

// ---- STS ------------------------------------------------------------------------------------

TEST(StsResponse, ReadsTheStandinsCredentials) {
  Scratch scratch;
  Result<AssumedRoleCredentials> parsed =
      parse_assume_role_response(kStandinAssumeRole, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  const AssumedRoleCredentials& credentials = parsed.value();
  EXPECT_EQ(credentials.access_key_id, "ASIA55G6TIL3RDWSNJV6");
  EXPECT_EQ(credentials.secret_access_key, "a9tO/nvetps/xwSpaKm2iCQdyg36/CRGkxeJ491D");
  EXPECT_EQ(credentials.session_token.size(), 820u);
  EXPECT_EQ(credentials.session_token.substr(0, 20), "IQoJb3JpZ2luX2Vj+/+7");
  EXPECT_EQ(credentials.session_token.substr(800), "G+k02xoGAodrZhzU54FX");
  EXPECT_EQ(credentials.expiration, k20261122T072254Z);
  EXPECT_EQ(credentials.assumed_role_arn,
            "arn:aws:sts::123456789012:assumed-role/collector/edge-collector");
  EXPECT_EQ(scratch.arena.used(), 0u); // nothing needed decoding: views into the body
}

// The shape of AWS's own AssumeRole example (STS API reference), with a declaration, a
// SourceIdentity and PackedPolicySize, the token wrapped in newlines and an entity in it.
constexpr std::string_view kAwsAssumeRole = R"(<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult>
<SourceIdentity>Alice</SourceIdentity>
<AssumedRoleUser>
<Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
<AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
</AssumedRoleUser>
<Credentials>
<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
<SessionToken>
AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI&#43;A==
</SessionToken>
<Expiration>2019-11-09T13:34:41Z</Expiration>
</Credentials>
<PackedPolicySize>6</PackedPolicySize>
</AssumeRoleResult>
<ResponseMetadata>
<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ResponseMetadata>
</AssumeRoleResponse>
)";

TEST(StsResponse, ReadsAwsShapedCredentialsTrimmedAndDecoded) {
  Scratch scratch;
  Result<AssumedRoleCredentials> parsed = parse_assume_role_response(kAwsAssumeRole, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  EXPECT_EQ(parsed.value().access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(
      parsed.value().session_token,
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
      "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI+A==");
  EXPECT_EQ(parsed.value().expiration, 1573306481); // 2019-11-09T13:34:41Z
  EXPECT_EQ(parsed.value().assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
}

TEST(StsResponse, MissingCredentialsNameTheField) {
  const struct {
    std::string_view drop;
    const char* field;
  } cases[] = {{"<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", "AccessKeyId"},
               {"<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>",
                "SecretAccessKey"},
               {"<Expiration>2019-11-09T13:34:41Z</Expiration>", "Expiration"}};
  for (const auto& test : cases) {
    std::string document(kAwsAssumeRole);
    document.erase(document.find(test.drop), test.drop.size());
    Scratch scratch;
    Result<AssumedRoleCredentials> parsed = parse_assume_role_response(document, scratch.arena);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(error_text(parsed.error()),
              std::string("aws: required field is missing: ") + test.field + " (at byte 39)");
  }
  std::string empty_token(kAwsAssumeRole);
  const std::size_t begin = empty_token.find("<SessionToken>") + 14;
  empty_token.erase(begin, empty_token.find("</SessionToken>") - begin);
  Scratch scratch;
  Result<AssumedRoleCredentials> parsed = parse_assume_role_response(empty_token, scratch.arena);
  ASSERT_FALSE(parsed.ok());
  EXPECT_STREQ(parsed.error().detail, "SessionToken");
}

TEST(StsResponse, RefusesABadExpirationAtItsElement) {
  std::string document(kStandinAssumeRole);
  const std::size_t at = document.find("2026-11-22T07:22:54Z");
  document.replace(at, 20, "2026-13-22T07:22:54Z");
  Scratch scratch;
  Result<AssumedRoleCredentials> parsed = parse_assume_role_response(document, scratch.arena);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput);
  EXPECT_EQ(error_text(parsed.error()), "aws: timestamp is malformed: Expiration (at byte " +
                                            std::to_string(document.find("<Expiration>")) + ")");
}

TEST(StsResponse, ErrorResponseIsNotCredentials) {
  Scratch scratch;
  Result<AssumedRoleCredentials> parsed =
      parse_assume_role_response(kStandinStsAccessDenied, scratch.arena);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(error_text(parsed.error()),
            "aws: xml root element is not the expected one: AssumeRoleResponse (at byte 0)");
}

TEST(StsResponse, CredentialLimitsAreExactAndNeverQuoteTheValue) {
  const auto with_secret = [](std::size_t size) {
    std::string document(kAwsAssumeRole);
    const std::string secret(size, 'S');
    const std::size_t begin = document.find("<SecretAccessKey>") + 17;
    document.replace(begin, document.find("</SecretAccessKey>") - begin, secret);
    return document;
  };
  Scratch scratch;
  EXPECT_TRUE(parse_assume_role_response(with_secret(kMaxSecretKeyBytes), scratch.arena).ok());
  Result<AssumedRoleCredentials> too_long =
      parse_assume_role_response(with_secret(kMaxSecretKeyBytes + 1), scratch.arena);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(too_long.error().detail, "SecretAccessKey");
  EXPECT_EQ(error_text(too_long.error()).find("SSSS"), std::string::npos);

  std::string token_document(kStandinAssumeRole);
  const std::size_t begin = token_document.find("<SessionToken>") + 14;
  const std::size_t size = token_document.find("</SessionToken>") - begin;
  token_document.replace(begin, size, std::string(kMaxSessionTokenBytes, 'T'));
  EXPECT_TRUE(parse_assume_role_response(token_document, scratch.arena).ok());
  token_document.insert(begin, "T");
  Result<AssumedRoleCredentials> long_token =
      parse_assume_role_response(token_document, scratch.arena);
  ASSERT_FALSE(long_token.ok());
  EXPECT_EQ(long_token.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(long_token.error().detail, "SessionToken");
}

TEST(StsResponse, EveryTruncationFailsWithoutLeakingTheSecret) {
  expect_every_truncation_fails(kStandinAssumeRole, parse_assume_role_response,
                                {"a9tO/nvetps", "IQoJb3JpZ2luX2Vj", "ASIA55G6TIL3"});
}

TEST(StsError, ReadsTheStandinsAccessDenied) {
  Scratch scratch;
  Result<StsError> parsed = parse_sts_error(kStandinStsAccessDenied, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  EXPECT_EQ(parsed.value().type, "Sender");
  EXPECT_EQ(parsed.value().code, "AccessDenied");
  EXPECT_EQ(
      parsed.value().message,
      "User: arn:aws:iam::123456789012:user/edge is not authorized to perform: sts:AssumeRole on "
      "resource: arn:aws:iam::123456789012:role/collector");
  EXPECT_EQ(parsed.value().request_id, "b6f43b8d-b89c-4a93-89cd-4a7b8d581eec");
  expect_every_truncation_fails(kStandinStsAccessDenied, parse_sts_error);
}

TEST(StsError, MissingFieldsAreEmpty) {
  Scratch scratch;
  Result<StsError> parsed = parse_sts_error(
      "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>", scratch.arena);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().code, "Throttling");
  EXPECT_EQ(parsed.value().type, "");
  EXPECT_EQ(parsed.value().request_id, "");
}

// ---- S3 -------------------------------------------------------------------------------------

const char* const kOddKeys[] = {"odd/a+b c.csv", "odd/pct%41.csv", "odd/x&y<z>.csv",
                                "odd/\xC3\xBC"
                                "ber/\xE6\x97\xA5\xE6\x9C\xAC-1.csv.gz"};

TEST(S3List, DecodesUrlEncodedKeysAsTheStandinSendsThem) {
  Scratch scratch;
  Result<S3ListPage> parsed = parse_list_objects_v2(kStandinListUrlEncoded, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  const S3ListPage& page = parsed.value();
  EXPECT_TRUE(page.url_encoded);
  EXPECT_EQ(page.bucket, "cur-bucket");
  EXPECT_EQ(page.prefix, "odd/");
  EXPECT_EQ(page.key_count, 4u);
  EXPECT_FALSE(page.is_truncated);
  EXPECT_EQ(page.next_continuation_token, "");
  ASSERT_EQ(page.objects.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(page.objects[i].key, kOddKeys[i]);
    EXPECT_EQ(page.objects[i].size_bytes, 3u);
    EXPECT_EQ(page.objects[i].etag, "\"900150983cd24fb0d6963f7d28e17f72\"");
    EXPECT_EQ(page.objects[i].last_modified, k20261122T070754Z);
  }
  EXPECT_TRUE(page.common_prefixes.empty());
}

TEST(S3List, ThePlainListingGivesTheSameKeys) {
  Scratch scratch;
  Result<S3ListPage> parsed = parse_list_objects_v2(kStandinListPlain, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  EXPECT_FALSE(parsed.value().url_encoded);
  ASSERT_EQ(parsed.value().objects.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(parsed.value().objects[i].key, kOddKeys[i]);
}

TEST(S3List, ATruncatedPageCarriesItsTokenAndCommonPrefixes) {
  Scratch scratch;
  Result<S3ListPage> parsed = parse_list_objects_v2(kStandinListTruncated, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  EXPECT_TRUE(parsed.value().is_truncated);
  EXPECT_EQ(parsed.value().next_continuation_token, "1+/+1KK9FUO0HzWT+6j7WNVY7PPj5vj6vNeZAIbs=");
  EXPECT_TRUE(parsed.value().objects.empty());
  ASSERT_EQ(parsed.value().common_prefixes.size(), 1u);
  EXPECT_EQ(parsed.value().common_prefixes[0], "cur/report name/");
}

TEST(S3List, AnEmptyListing) {
  Scratch scratch;
  Result<S3ListPage> parsed = parse_list_objects_v2(kStandinListEmpty, scratch.arena);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().prefix, "nothing/");
  EXPECT_EQ(parsed.value().key_count, 0u);
  EXPECT_TRUE(parsed.value().objects.empty());
  EXPECT_EQ(scratch.arena.used(), 0u);
}

// The shape of S3's ListObjectsV2 example (S3 API reference): pretty-printed, <Prefix/>, quoted
// ETags as &quot;, Owner, ChecksumAlgorithm, a multipart ETag, and url-encoded keys with a
// CommonPrefixes entry.
constexpr std::string_view kAwsListing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>example-bucket</Name>
    <Prefix/>
    <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
    <NextContinuationToken>1Bxc5d3QT/9mbGd+c0WdSv4yYbsC7Bg==</NextContinuationToken>
    <KeyCount>3</KeyCount>
    <MaxKeys>3</MaxKeys>
    <Delimiter>%2F</Delimiter>
    <EncodingType>url</EncodingType>
    <IsTruncated>true</IsTruncated>
    <Contents>
        <Key>cur/my+report/20240301-20240401/my+report-Manifest.json</Key>
        <LastModified>2024-03-02T06:21:04.000Z</LastModified>
        <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
        <ChecksumAlgorithm>CRC32</ChecksumAlgorithm>
        <Size>4213</Size>
        <Owner>
            <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
            <DisplayName>mtd@amazon.com</DisplayName>
        </Owner>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <Contents>
        <Key>cur/my+report/20240301-20240401/my+report-00001.csv.gz</Key>
        <LastModified>2024-03-02T06:20:59.000Z</LastModified>
        <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e-38&quot;</ETag>
        <Size>5368709120</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <CommonPrefixes>
        <Prefix>cur/my+report/20240301-20240401/a1b2%2Fc3/</Prefix>
    </CommonPrefixes>
</ListBucketResult>)";

TEST(S3List, ReadsAwsShapedListing) {
  Scratch scratch;
  Result<S3ListPage> parsed = parse_list_objects_v2(kAwsListing, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  const S3ListPage& page = parsed.value();
  EXPECT_EQ(page.bucket, "example-bucket");
  EXPECT_EQ(page.prefix, "");
  EXPECT_TRUE(page.is_truncated);
  EXPECT_EQ(page.next_continuation_token, "1Bxc5d3QT/9mbGd+c0WdSv4yYbsC7Bg==");
  EXPECT_EQ(page.key_count, 3u);
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "cur/my report/20240301-20240401/my report-Manifest.json");
  EXPECT_EQ(page.objects[0].etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(page.objects[0].size_bytes, 4213u);
  EXPECT_EQ(page.objects[0].last_modified, 1709360464); // 2024-03-02T06:21:04Z
  EXPECT_EQ(page.objects[1].etag, "\"d41d8cd98f00b204e9800998ecf8427e-38\"");
  EXPECT_EQ(page.objects[1].size_bytes, 5368709120u); // above 4 GiB
  ASSERT_EQ(page.common_prefixes.size(), 1u);
  EXPECT_EQ(page.common_prefixes[0], "cur/my report/20240301-20240401/a1b2/c3/");
}

TEST(S3List, RefusesATruncatedPageWithoutAToken) {
  std::string document(kStandinListTruncated);
  const std::size_t begin = document.find("<NextContinuationToken>");
  document.erase(begin, document.find("<KeyCount>") - begin);
  Scratch scratch;
  Result<S3ListPage> parsed = parse_list_objects_v2(document, scratch.arena);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(
      error_text(parsed.error()),
      "aws: s3 listing is truncated without a continuation token: NextContinuationToken (at byte " +
          std::to_string(document.find("<IsTruncated>")) + ")");
}

TEST(S3List, RefusesBadObjects) {
  const struct {
    std::string_view contents;
    std::string_view expected;
  } cases[] = {
      {"<Contents><Size>1</Size></Contents>", "aws: required field is missing: Key (at byte 18)"},
      {"<Contents><Key>k</Key></Contents>", "aws: required field is missing: Size (at byte 18)"},
      {"<Contents><Key>k</Key><Size>-1</Size></Contents>",
       "aws: number is malformed: Size (at byte 40)"},
      {"<Contents><Key>k</Key><Size>18446744073709551616</Size></Contents>",
       "aws: number is too large: Size (at byte 40)"},
      {"<Contents><Key>k</Key><Size>1</Size><LastModified>yesterday</LastModified></Contents>",
       "aws: timestamp is malformed: LastModified (at byte 54)"},
      {"<EncodingType>url</EncodingType><Contents><Key>a%zz</Key><Size>1</Size></Contents>",
       "aws: percent-encoding is malformed: Key (at byte 60)"},
      {"<IsTruncated>maybe</IsTruncated>", "aws: boolean is malformed: IsTruncated (at byte 18)"},
      {"<Contents><Key>k<b/></Key><Size>1</Size></Contents>",
       "aws: xml element has child elements where text is expected: Key (at byte 34)"},
  };
  for (const auto& test : cases) {
    const std::string document =
        "<ListBucketResult>" + std::string(test.contents) + "</ListBucketResult>";
    Scratch scratch;
    Result<S3ListPage> parsed = parse_list_objects_v2(document, scratch.arena);
    ASSERT_FALSE(parsed.ok()) << test.contents;
    EXPECT_EQ(error_text(parsed.error()), test.expected) << test.contents;
  }
}

/// A listing of `objects` keys and `prefixes` common prefixes, url-encoded when asked.
std::string listing(std::size_t objects, std::size_t prefixes, bool encoded,
                    std::size_t key_bytes = 0) {
  std::string document =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>cur/</Prefix>)";
  if (encoded)
    document += "<EncodingType>url</EncodingType>";
  document += "<IsTruncated>false</IsTruncated>";
  char key[64];
  for (std::size_t i = 0; i < objects; ++i) {
    std::snprintf(key, sizeof key,
                  encoded ? "cur/my+report/20240301-20240401/my+report-%05zu.csv.gz"
                          : "cur/my report/20240301-20240401/my report-%05zu.csv.gz",
                  i + 1);
    std::string name = key;
    if (key_bytes > name.size())
      name += std::string(key_bytes - name.size(), 'k');
    document += "<Contents><Key>" + name +
                "</Key><LastModified>2024-03-02T06:20:59.000Z</LastModified>"
                "<ETag>\"d41d8cd98f00b204e9800998ecf8427e\"</ETag><Size>" +
                std::to_string(i * 1000) +
                "</Size><StorageClass>STANDARD</StorageClass></Contents>";
  }
  for (std::size_t i = 0; i < prefixes; ++i)
    document += "<CommonPrefixes><Prefix>cur/p" + std::to_string(i) + "/</Prefix></CommonPrefixes>";
  return document + "</ListBucketResult>";
}

TEST(S3List, ListLimitsAreExact) {
  Scratch scratch;
  const std::string body = listing(kMaxS3ListKeys, 0, true);
  Result<S3ListPage> full = parse_list_objects_v2(body, scratch.arena);
  ASSERT_TRUE(full.ok()) << error_text(full.error());
  ASSERT_EQ(full.value().objects.size(), kMaxS3ListKeys);
  EXPECT_EQ(full.value().objects[999].key,
            "cur/my report/20240301-20240401/my report-01000.csv.gz");
  EXPECT_EQ(full.value().objects[999].size_bytes, 999000u);

  Scratch again;
  Result<S3ListPage> over =
      parse_list_objects_v2(listing(kMaxS3ListKeys + 1, 0, false), again.arena);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(over.error().detail, "Contents");
  EXPECT_EQ(again.arena.used(), 0u); // refused before anything was allocated

  Scratch prefixes;
  EXPECT_TRUE(parse_list_objects_v2(listing(0, kMaxS3ListKeys, false), prefixes.arena).ok());
  Result<S3ListPage> too_many =
      parse_list_objects_v2(listing(0, kMaxS3ListKeys + 1, false), prefixes.arena);
  ASSERT_FALSE(too_many.ok());
  EXPECT_STREQ(too_many.error().detail, "CommonPrefixes");
}

TEST(S3List, KeyLimitIsExactAfterDecoding) {
  Scratch scratch;
  Result<S3ListPage> longest =
      parse_list_objects_v2(listing(1, 0, true, kMaxS3KeyBytes), scratch.arena);
  ASSERT_TRUE(longest.ok()) << error_text(longest.error());
  EXPECT_EQ(longest.value().objects[0].key.size(), kMaxS3KeyBytes);
  Result<S3ListPage> longer =
      parse_list_objects_v2(listing(1, 0, true, kMaxS3KeyBytes + 1), scratch.arena);
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(longer.error().detail, "Key");
  // A 1024-byte key of multi-byte characters is three times longer encoded, and still fits.
  std::string encoded;
  for (std::size_t i = 0; i < kMaxS3KeyBytes / 2; ++i)
    encoded += "%C3%BC";
  const std::string document = "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>" +
                               encoded + "</Key><Size>1</Size></Contents></ListBucketResult>";
  Result<S3ListPage> wide = parse_list_objects_v2(document, scratch.arena);
  ASSERT_TRUE(wide.ok()) << error_text(wide.error());
  EXPECT_EQ(wide.value().objects[0].key.size(), kMaxS3KeyBytes);
}

TEST(S3List, ArenaUseOfAFullPageIsMeasured) {
  Scratch scratch;
  const std::string document = listing(kMaxS3ListKeys, 0, true);
  Result<S3ListPage> parsed = parse_list_objects_v2(document, scratch.arena);
  ASSERT_TRUE(parsed.ok());
  // The objects array plus each decoded key (54 bytes); ETags, sizes and dates need no copy.
  const std::size_t expected = kMaxS3ListKeys * sizeof(S3Object) + kMaxS3ListKeys * 54;
  EXPECT_EQ(scratch.arena.high_water(), expected);
  std::printf("[ measure  ] 1000-key url-encoded page: %zu bytes of body, %zu bytes of arena\n",
              document.size(), scratch.arena.high_water());
}

TEST(S3List, EveryTruncationFails) {
  expect_every_truncation_fails(kStandinListUrlEncoded, parse_list_objects_v2);
  expect_every_truncation_fails(kStandinListPlain, parse_list_objects_v2);
  expect_every_truncation_fails(kAwsListing, parse_list_objects_v2);
}

TEST(S3List, ArenaExhaustionIsReportedAtEveryAllocation) {
  // The objects array, then four decoded keys.
  EXPECT_EQ(expect_arena_exhaustion_reported(kStandinListUrlEncoded, parse_list_objects_v2), 5u);
  // Two arrays, two keys, two ETags with &quot;, one common prefix.
  EXPECT_EQ(expect_arena_exhaustion_reported(kAwsListing, parse_list_objects_v2), 7u);
}

TEST(S3Error, ReadsTheStandinsErrors) {
  Scratch scratch;
  Result<S3Error> missing = parse_s3_error(kStandinNoSuchKey, scratch.arena);
  ASSERT_TRUE(missing.ok()) << error_text(missing.error());
  EXPECT_EQ(missing.value().code, "NoSuchKey");
  EXPECT_EQ(missing.value().message, "The specified key does not exist.");
  EXPECT_EQ(missing.value().request_id, "EBCD5567C1F45458");
  EXPECT_EQ(missing.value().host_id,
            "JkWXMTYs7Mn33FhhwPhCv+TeGA4PSi2Kf/HFmaM4M/po3PF/u1/rjPAh4XAeQglk");
  EXPECT_FALSE(missing.value().server_time);

  Result<S3Error> region = parse_s3_error(kStandinWrongRegion, scratch.arena);
  ASSERT_TRUE(region.ok());
  EXPECT_EQ(region.value().code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(region.value().region, "eu-west-1");

  Result<S3Error> skewed = parse_s3_error(kStandinSkewed, scratch.arena);
  ASSERT_TRUE(skewed.ok());
  EXPECT_EQ(skewed.value().code, "RequestTimeTooSkewed");
  ASSERT_TRUE(skewed.value().server_time);
  EXPECT_EQ(*skewed.value().server_time, k20261122T070754Z);

  for (std::string_view body : {kStandinNoSuchKey, kStandinWrongRegion, kStandinSkewed})
    expect_every_truncation_fails(body, parse_s3_error);
}

TEST(S3Error, ReadsAPermanentRedirect) {
  // The shape S3 answers a request to the wrong regional endpoint with (S3 error responses).
  constexpr std::string_view kRedirect =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      "\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access "
      "must be "
      "addressed using the specified endpoint. Please send all future requests to this "
      "endpoint.</Message>"
      "<Endpoint>cur-bucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>cur-bucket</Bucket>"
      "<RequestId>8M4Q9VVC9HKNRD2J</RequestId><HostId>ZYx1sw==</HostId></Error>";
  Scratch scratch;
  Result<S3Error> parsed = parse_s3_error(kRedirect, scratch.arena);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().endpoint, "cur-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(parsed.value().bucket, "cur-bucket");
  EXPECT_EQ(parsed.value().request_id, "8M4Q9VVC9HKNRD2J");
  Result<S3Error> wrong_root = parse_s3_error(kStandinListEmpty, scratch.arena);
  ASSERT_FALSE(wrong_root.ok());
  EXPECT_STREQ(wrong_root.error().detail, "Error");
}

// ---- JSON 1.1 errors ------------------------------------------------------------------------

TEST(JsonError, TakesTheCodeAfterTheHash) {
  Scratch scratch;
  Result<JsonServiceError> signature = parse_json_error(kStandinBadSignature, scratch.arena);
  ASSERT_TRUE(signature.ok()) << error_text(signature.error());
  EXPECT_EQ(signature.value().code, "InvalidSignatureException");
  EXPECT_EQ(signature.value().type, "com.amazon.coral.service#InvalidSignatureException");
  EXPECT_EQ(signature.value().message.substr(0, 50),
            "The request signature we calculated does not match");
  EXPECT_NE(signature.value().message.find("\n\nThe Canonical String"), std::string_view::npos);

  Result<JsonServiceError> validation = parse_json_error(kStandinCurValidation, scratch.arena);
  ASSERT_TRUE(validation.ok());
  EXPECT_EQ(validation.value().code, "ValidationException");
  EXPECT_EQ(validation.value().message.substr(0, 29), "1 validation error detected: ");

  Result<JsonServiceError> token = parse_json_error(kStandinBadToken, scratch.arena);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token.value().code, "InvalidInputException");
  EXPECT_EQ(token.value().reason, "INVALID_PAGINATION_TOKEN");

  Result<JsonServiceError> missing = parse_json_error(kStandinExportNotFound, scratch.arena);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value().code, "ResourceNotFoundException");
  for (std::string_view body :
       {kStandinBadSignature, kStandinCurValidation, kStandinBadToken, kStandinExportNotFound})
    expect_every_truncation_fails(body, parse_json_error);
}

TEST(JsonError, VariantsOfTheTypeAndMessage) {
  const struct {
    std::string_view body;
    std::string_view code;
    std::string_view message;
  } cases[] = {
      {R"({"__type":"ThrottlingException","message":"Rate exceeded"})", "ThrottlingException",
       "Rate exceeded"},
      {R"({"__type":"a.b#c#ExpiredTokenException"})", "ExpiredTokenException", ""},
      {R"({"__type":"aws.protocoltests#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"})",
       "FooError", ""},
      {R"({"Message":"upper","message":"lower"})", "", "lower"},
      {R"({"message":null,"Message":"upper","__type":null})", "", "upper"},
      {R"({"__type":"X","extra":{"deep":[1,2,{"x":null}]},"message":"caf\u00e9"})", "X",
       "caf\xC3\xA9"},
      {"{}", "", ""},
  };
  for (const auto& test : cases) {
    Scratch scratch;
    Result<JsonServiceError> parsed = parse_json_error(test.body, scratch.arena);
    ASSERT_TRUE(parsed.ok()) << test.body << ": " << error_text(parsed.error());
    EXPECT_EQ(parsed.value().code, test.code) << test.body;
    EXPECT_EQ(parsed.value().message, test.message) << test.body;
  }
  Scratch scratch;
  for (std::string_view bad : {"[]", "\"x\"", "<Error/>", "", R"({"__type":5})"})
    EXPECT_EQ(parse_json_error(bad, scratch.arena).error().code, ErrorCode::InvalidInput) << bad;
}

// ---- CUR report definitions -------------------------------------------------------------------

TEST(ReportDefinitions, ReadsTheStandinsPage) {
  Scratch scratch;
  Result<ReportDefinitionPage> parsed =
      parse_describe_report_definitions(kStandinReportPage, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  ASSERT_EQ(parsed.value().definitions.size(), 5u);
  EXPECT_EQ(parsed.value().next_token, "eyJzIjogImN1ciIsICJvIjogNSwgInAiOiAwfQ==");
  for (std::size_t i = 0; i < 5; ++i) {
    const ReportDefinition& definition = parsed.value().definitions[i];
    EXPECT_EQ(definition.report_name, "report-" + std::to_string(i));
    EXPECT_EQ(definition.time_unit, "HOURLY");
    EXPECT_EQ(delivery_format_from(definition.format), DeliveryFormat::Csv);
    EXPECT_EQ(delivery_compression_from(definition.compression), DeliveryCompression::Gzip);
    ASSERT_EQ(definition.additional_schema_elements.size(), 1u);
    EXPECT_EQ(definition.additional_schema_elements[0], "RESOURCES");
    EXPECT_TRUE(definition.additional_artifacts.empty());
    EXPECT_EQ(definition.s3_bucket, "cur-bucket");
    EXPECT_EQ(definition.s3_prefix, "cur");
    EXPECT_EQ(definition.s3_region, "us-east-1");
    EXPECT_FALSE(definition.refresh_closed_reports);
    EXPECT_EQ(delivery_versioning_from(definition.report_versioning),
              DeliveryVersioning::OverwriteReport);
  }
  expect_every_truncation_fails(kStandinReportPage, parse_describe_report_definitions);
}

// Every field botocore's cur model has, as AWS returns it (the last page: no NextToken).
constexpr std::string_view kAwsReportPage = R"({
  "ReportDefinitions": [
    {
      "ReportName": "hourly-cur",
      "TimeUnit": "HOURLY",
      "Format": "Parquet",
      "Compression": "Parquet",
      "AdditionalSchemaElements": ["RESOURCES", "SPLIT_COST_ALLOCATION_DATA"],
      "S3Bucket": "billing-\u00e9xports",
      "S3Prefix": "",
      "S3Region": "eu-west-1",
      "AdditionalArtifacts": ["ATHENA"],
      "RefreshClosedReports": true,
      "ReportVersioning": "CREATE_NEW_REPORT",
      "BillingViewArn": "arn:aws:billing::123456789012:billingview/primary",
      "ReportStatus": {"lastDelivery": "20240302T062104Z", "lastStatus": "SUCCESS"}
    },
    {"ReportName": "daily", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "ZIP",
     "AdditionalSchemaElements": [], "S3Bucket": "b", "S3Prefix": "a/b", "S3Region": "us-east-1",
     "RefreshClosedReports": false}
  ]
})";

TEST(ReportDefinitions, ReadsEveryField) {
  Scratch scratch;
  Result<ReportDefinitionPage> parsed =
      parse_describe_report_definitions(kAwsReportPage, scratch.arena);
  ASSERT_TRUE(parsed.ok()) << error_text(parsed.error());
  EXPECT_EQ(parsed.value().next_token, "");
  ASSERT_EQ(parsed.value().definitions.size(), 2u);
  const ReportDefinition& hourly = parsed.value().definitions[0];
  EXPECT_EQ(delivery_format_from(hourly.format), DeliveryFormat::Parquet);
  EXPECT_EQ(delivery_compression_from(hourly.compression), DeliveryCompression::Parquet);
  ASSERT_EQ(hourly.additional_schema_elements.size(), 2u);
  EXPECT_EQ(hourly.additional_schema_elements[1], "SPLIT_COST_ALLOCATION_DATA");
  ASSERT_EQ(hourly.additional_artifacts.size(), 1u);
  EXPECT_EQ(hourly.additional_artifacts[0], "ATHENA");
  EXPECT_EQ(hourly.s3_bucket, "billing-\xC3\xA9xports");
  EXPECT_EQ(hourly.s3_prefix, "");
  EXPECT_EQ(hourly.s3_region, "eu-west-1");
  ASSERT_TRUE(hourly.refresh_closed_reports);
  EXPECT_TRUE(*hourly.refresh_closed_reports);
  EXPECT_EQ(delivery_versioning_from(hourly.report_versioning),
            DeliveryVersioning::CreateNewReport);
  const ReportDefinition& daily = parsed.value().definitions[1];
  EXPECT_EQ(daily.time_unit, "DAILY");
  EXPECT_EQ(delivery_compression_from(daily.compression), DeliveryCompression::Zip);
  EXPECT_TRUE(daily.additional_schema_elements.empty());
  EXPECT_EQ(daily.s3_prefix, "a/b");
  ASSERT_TRUE(daily.refresh_closed_reports);
  EXPECT_FALSE(*daily.refresh_closed_reports);
  EXPECT_EQ(delivery_versioning_from(daily.report_versioning), DeliveryVersioning::Unknown);
  expect_every_truncation_fails(kAwsReportPage, parse_describe_report_definitions);
  // The definitions, the escaped bucket, the two non-empty lists.
  EXPECT_EQ(expect_arena_exhaustion_reported(kAwsReportPage, parse_describe_report_definitions),
            4u);
}

TEST(ReportDefinitions, EdgeCases) {
  const struct {
    std::string_view body;
    std::string_view expected; // "ok:<count>" or the error text
  } cases[] = {
      {R"({"ReportDefinitions": []})", "ok:0"},
      {R"({"ReportDefinitions": null, "NextToken": null})", "ok:0"},
      {"{}", "ok:0"},
      {R"({"ReportDefinitions": [{"S3Bucket": "b"}]})",
       "aws: required field is missing: ReportName (at byte 23)"},
      {R"({"ReportDefinitions": [{"ReportName": "r"}]})",
       "aws: required field is missing: S3Bucket (at byte 23)"},
      {R"({"ReportDefinitions": [{"ReportName": "r", "S3Bucket": 7}]})",
       "aws: json value has the wrong type: S3Bucket (at byte 55)"},
      {R"({"ReportDefinitions": {}})",
       "aws: json value has the wrong type: ReportDefinitions (at byte 22)"},
      {R"({"ReportDefinitions": [{"ReportName": "r", "S3Bucket": "b", "RefreshClosedReports": "yes"}]})",
       "aws: json value has the wrong type: RefreshClosedReports (at byte 84)"},
      {R"([{"ReportName": "r"}])",
       "aws: json response is not an object: DescribeReportDefinitions (at byte 0)"},
  };
  for (const auto& test : cases) {
    Scratch scratch;
    Result<ReportDefinitionPage> parsed =
        parse_describe_report_definitions(test.body, scratch.arena);
    const std::string got = parsed.ok() ? "ok:" + std::to_string(parsed.value().definitions.size())
                                        : error_text(parsed.error());
    EXPECT_EQ(got, test.expected) << test.body;
  }
}

std::string report_page(std::size_t definitions, std::size_t schema_elements) {
  std::string body = R"({"ReportDefinitions": [)";
  for (std::size_t i = 0; i < definitions; ++i) {
    body += i ? "," : "";
    body += R"({"ReportName": "r)" + std::to_string(i) +
            R"(", "S3Bucket": "b", "AdditionalSchemaElements": [)";
    for (std::size_t j = 0; j < schema_elements; ++j)
      body += std::string(j ? "," : "") + "\"E" + std::to_string(j) + "\"";
    body += "]}";
  }
  return body + "]}";
}

TEST(ReportDefinitions, ListLimitsAreExact) {
  Scratch scratch;
  const std::string body = report_page(kMaxReportDefinitionsPerPage, kMaxReportListItems);
  Result<ReportDefinitionPage> full = parse_describe_report_definitions(body, scratch.arena);
  ASSERT_TRUE(full.ok()) << error_text(full.error());
  EXPECT_EQ(full.value().definitions.size(), kMaxReportDefinitionsPerPage);
  EXPECT_EQ(full.value().definitions[63].additional_schema_elements[15], "E15");
  Result<ReportDefinitionPage> many = parse_describe_report_definitions(
      report_page(kMaxReportDefinitionsPerPage + 1, 1), scratch.arena);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(error_text(many.error()),
            "aws: list has too many items: ReportDefinitions (at byte 22)");
  Result<ReportDefinitionPage> wide =
      parse_describe_report_definitions(report_page(1, kMaxReportListItems + 1), scratch.arena);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(wide.error().detail, "AdditionalSchemaElements");
}

// ---- Data Exports ----------------------------------------------------------------------------

TEST(DataExports, ReadsTheStandinsListAndExport) {
  Scratch scratch;
  Result<ExportListPage> list = parse_list_exports(kStandinListExports, scratch.arena);
  ASSERT_TRUE(list.ok()) << error_text(list.error());
  ASSERT_EQ(list.value().exports.size(), 1u);
  EXPECT_EQ(list.value().exports[0].export_arn,
            "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234");
  EXPECT_EQ(list.value().exports[0].export_name, "cur2");
  EXPECT_EQ(list.value().exports[0].status_code, "HEALTHY");
  EXPECT_EQ(list.value().next_token, "");

  Result<ExportDefinition> got = parse_get_export(kStandinGetExport, scratch.arena);
  ASSERT_TRUE(got.ok()) << error_text(got.error());
  const ExportDefinition& definition = got.value();
  EXPECT_EQ(definition.export_arn,
            "arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-1234");
  EXPECT_EQ(definition.name, "cur2");
  EXPECT_EQ(definition.query_statement, "SELECT * FROM COST_AND_USAGE_REPORT");
  EXPECT_EQ(definition.s3_bucket, "cur-bucket");
  EXPECT_EQ(definition.s3_prefix, "exports");
  EXPECT_EQ(definition.s3_region, "us-east-1");
  EXPECT_EQ(definition.output_type, "CUSTOM");
  EXPECT_EQ(delivery_format_from(definition.format), DeliveryFormat::Csv);
  EXPECT_EQ(delivery_compression_from(definition.compression), DeliveryCompression::Gzip);
  EXPECT_EQ(delivery_versioning_from(definition.overwrite), DeliveryVersioning::OverwriteReport);
  EXPECT_EQ(definition.refresh_frequency, "SYNCHRONOUS");
  EXPECT_EQ(definition.status_code, "HEALTHY");
  EXPECT_EQ(definition.table_name, "");
  expect_every_truncation_fails(kStandinListExports, parse_list_exports);
  expect_every_truncation_fails(kStandinGetExport, parse_get_export);
}

// A GetExport answer with every member of botocore's model, TableConfigurations included.
constexpr std::string_view kAwsGetExport =
    R"({"Export": {"ExportArn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/focus-5d3f",
 "Name": "cur2-parquet", "Description": "Daily \"CUR 2.0\"\nfor edgecur",
 "DataQuery": {"QueryStatement": "SELECT bill_payer_account_id, line_item_unblended_cost FROM COST_AND_USAGE_REPORT",
  "TableConfigurations": {"COST_AND_USAGE_REPORT": {"TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "FALSE",
   "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE"}, "OTHER_TABLE": {"TIME_GRANULARITY": "MONTHLY"}}},
 "DestinationConfigurations": {"S3Destination": {"S3Bucket": "exports-bucket", "S3BucketOwner": "123456789012",
  "S3Prefix": "data/exports", "S3Region": "ap-southeast-2", "S3OutputConfigurations": {"OutputType": "CUSTOM",
  "Format": "PARQUET", "Compression": "PARQUET", "Overwrite": "CREATE_NEW_REPORT"}}},
 "RefreshCadence": {"Frequency": "SYNCHRONOUS"}},
 "ExportStatus": {"StatusCode": "UNHEALTHY", "StatusReason": "INSUFFICIENT_PERMISSION", "CreatedAt": 1.7e9,
  "LastUpdatedAt": 1700000000.5, "LastRefreshedAt": 1700003600}, "Tags": [{"Key": "k", "Value": "v"}]})";

TEST(DataExports, ReadsEveryFieldOfAnExport) {
  Scratch scratch;
  Result<ExportDefinition> got = parse_get_export(kAwsGetExport, scratch.arena);
  ASSERT_TRUE(got.ok()) << error_text(got.error());
  const ExportDefinition& definition = got.value();
  EXPECT_EQ(definition.name, "cur2-parquet");
  EXPECT_EQ(definition.description, "Daily \"CUR 2.0\"\nfor edgecur");
  EXPECT_EQ(definition.table_name, "COST_AND_USAGE_REPORT");
  EXPECT_EQ(definition.time_granularity, "DAILY");
  EXPECT_EQ(definition.s3_bucket, "exports-bucket");
  EXPECT_EQ(definition.s3_prefix, "data/exports");
  EXPECT_EQ(definition.s3_region, "ap-southeast-2");
  EXPECT_EQ(delivery_format_from(definition.format), DeliveryFormat::Parquet);
  EXPECT_EQ(delivery_versioning_from(definition.overwrite), DeliveryVersioning::CreateNewReport);
  EXPECT_EQ(definition.status_code, "UNHEALTHY");
  EXPECT_EQ(definition.status_reason, "INSUFFICIENT_PERMISSION");
  expect_every_truncation_fails(kAwsGetExport, parse_get_export);
}

TEST(DataExports, EdgeCases) {
  Scratch scratch;
  EXPECT_EQ(error_text(parse_get_export(R"({"ExportStatus": {}})", scratch.arena).error()),
            "aws: required field is missing: Export (at byte 0)");
  EXPECT_EQ(error_text(parse_get_export(R"({"Export": {"Name": "n"}})", scratch.arena).error()),
            "aws: required field is missing: S3Bucket (at byte 11)");
  EXPECT_EQ(
      error_text(
          parse_get_export(
              R"({"Export": {"DestinationConfigurations": {"S3Destination": {"S3Bucket": "b"}}}})",
              scratch.arena)
              .error()),
      "aws: required field is missing: Name (at byte 11)");
  // An escaped table name outlives the member names read after it.
  Result<ExportDefinition> escaped = parse_get_export(
      R"({"Export": {"Name": "n", "DestinationConfigurations": {"S3Destination": {"S3Bucket": "b"}},)"
      R"( "DataQuery": {"TableConfigurations": {"FOCUS_1_0\u005fAWS": {"TIME_GRANULARITY": "HOURLY"}}}}})",
      scratch.arena);
  ASSERT_TRUE(escaped.ok()) << error_text(escaped.error());
  EXPECT_EQ(escaped.value().table_name, "FOCUS_1_0_AWS");
  EXPECT_EQ(escaped.value().time_granularity, "HOURLY");
  Result<ExportListPage> empty =
      parse_list_exports(R"({"Exports": [], "NextToken": "t"})", scratch.arena);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().exports.empty());
  EXPECT_EQ(empty.value().next_token, "t");
  EXPECT_EQ(error_text(
                parse_list_exports(R"({"Exports": [{"ExportName": "x"}]})", scratch.arena).error()),
            "aws: required field is missing: ExportArn (at byte 13)");
}

TEST(DataExports, ListLimitIsExact) {
  const auto page = [](std::size_t count) {
    std::string body = R"({"Exports": [)";
    for (std::size_t i = 0; i < count; ++i)
      body += std::string(i ? "," : "") +
              R"({"ExportArn": "arn:aws:bcm-data-exports:us-east-1:1:export/e)" +
              std::to_string(i) +
              R"(", "ExportName": "e", "ExportStatus": {"StatusCode": "HEALTHY"}})";
    return body + R"(], "NextToken": "n"})";
  };
  Scratch scratch;
  const std::string body = page(kMaxExportsPerPage);
  Result<ExportListPage> full = parse_list_exports(body, scratch.arena);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full.value().exports.size(), kMaxExportsPerPage);
  EXPECT_EQ(full.value().exports[299].export_arn,
            "arn:aws:bcm-data-exports:us-east-1:1:export/e299");
  Result<ExportListPage> over = parse_list_exports(page(kMaxExportsPerPage + 1), scratch.arena);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(error_text(over.error()), "aws: list has too many items: Exports (at byte 12)");
}

// ---- Organizations ---------------------------------------------------------------------------

TEST(Organizations, ReadsTheStandinsPagesIncludingAnEmptyOne) {
  Scratch scratch;
  Result<AccountPage> first = parse_list_accounts(kStandinAccountsPage1, scratch.arena);
  ASSERT_TRUE(first.ok()) << error_text(first.error());
  ASSERT_EQ(first.value().accounts.size(), 2u);
  EXPECT_EQ(first.value().accounts[0].id, "111111111111");
  EXPECT_EQ(first.value().accounts[0].name, "account 1");
  EXPECT_EQ(first.value().accounts[0].email, "a1@example.com");
  EXPECT_EQ(first.value().accounts[0].status, "ACTIVE");
  EXPECT_EQ(first.value().accounts[0].state, "ACTIVE");
  EXPECT_EQ(first.value().accounts[1].id, "222222222222");
  EXPECT_EQ(first.value().next_token.size(), 136u);
  EXPECT_EQ(first.value().next_token.substr(first.value().next_token.size() - 6), "+//g==");

  Result<AccountPage> empty = parse_list_accounts(kStandinAccountsEmptyPage, scratch.arena);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().accounts.empty());
  EXPECT_FALSE(empty.value().next_token.empty()); // keep paging
  expect_every_truncation_fails(kStandinAccountsPage1, parse_list_accounts);
  expect_every_truncation_fails(kStandinAccountsEmptyPage, parse_list_accounts);
}

TEST(Organizations, ReadsAnAwsShapedLastPage) {
  // ListAccounts as AWS returns it: Arn, JoinedMethod, a float JoinedTimestamp, a suspended
  // account without State, and no NextToken.
  constexpr std::string_view kBody =
      R"({"Accounts":[{"Arn":"arn:aws:organizations::111111111111:account/o-exampleorgid/111111111111","Email":"bill@example.com","Id":"111111111111","JoinedMethod":"INVITED","JoinedTimestamp":1.481830215E9,"Name":"Production Account","Status":"ACTIVE","State":"ACTIVE"},{"Id":"222222222222","Email":"j\u00fcrgen@example.com","Name":"Old \"dev\"","Status":"SUSPENDED","JoinedTimestamp":1481835741.044}]})";
  Scratch scratch;
  Result<AccountPage> page = parse_list_accounts(kBody, scratch.arena);
  ASSERT_TRUE(page.ok()) << error_text(page.error());
  ASSERT_EQ(page.value().accounts.size(), 2u);
  EXPECT_EQ(page.value().accounts[0].name, "Production Account");
  EXPECT_EQ(page.value().accounts[1].email, "j\xC3\xBCrgen@example.com");
  EXPECT_EQ(page.value().accounts[1].name, "Old \"dev\"");
  EXPECT_EQ(page.value().accounts[1].status, "SUSPENDED");
  EXPECT_EQ(page.value().accounts[1].state, "");
  EXPECT_EQ(page.value().next_token, "");
  expect_every_truncation_fails(kBody, parse_list_accounts);
  EXPECT_EQ(expect_arena_exhaustion_reported(kBody, parse_list_accounts), 3u);
}

TEST(Organizations, ListLimitAndRequiredId) {
  const auto page = [](std::size_t count) {
    std::string body = R"({"Accounts": [)";
    for (std::size_t i = 0; i < count; ++i)
      body += std::string(i ? "," : "") + R"({"Id": ")" + std::to_string(100000000000 + i) +
              R"(", "Name": "a"})";
    return body + "]}";
  };
  Scratch scratch;
  const std::string body = page(kMaxAccountsPerPage);
  Result<AccountPage> full = parse_list_accounts(body, scratch.arena);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full.value().accounts.size(), kMaxAccountsPerPage);
  EXPECT_EQ(full.value().accounts[63].id, "100000000063");
  Result<AccountPage> over = parse_list_accounts(page(kMaxAccountsPerPage + 1), scratch.arena);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(error_text(over.error()), "aws: list has too many items: Accounts (at byte 13)");
  EXPECT_EQ(
      error_text(parse_list_accounts(R"({"Accounts": [{"Name": "x"}]})", scratch.arena).error()),
      "aws: required field is missing: Id (at byte 14)");
  std::string long_token =
      R"({"Accounts": [], "NextToken": ")" + std::string(kMaxPageTokenBytes, 't') + "\"}";
  EXPECT_TRUE(parse_list_accounts(long_token, scratch.arena).ok());
  long_token.insert(40, "t");
  Result<AccountPage> too_long = parse_list_accounts(long_token, scratch.arena);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(too_long.error().detail, "NextToken");
}

} // namespace
} // namespace ec
