// tests/source/iam_policy_test.cpp - The IAM policy and trust policy texts for a Config: exact,
// valid JSON, merged per bucket, placeholders with notes, and the account_names setting.
#include "core/aws/json_reader.h"
#include "core/config/config.h"
#include "core/source/iam_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct Loaded {
  std::vector<std::uint8_t> memory = std::vector<std::uint8_t>(kConfigArenaBytes);
  Arena arena{MutableBytes(memory)};
  std::vector<char> text = std::vector<char>(4096);
  ConfigDiagnostics diagnostics{std::span<char>(text)};
  const Config* config = nullptr;
};

std::unique_ptr<Loaded> load(const std::string& ini) {
  auto loaded = std::make_unique<Loaded>();
  Result<const Config*> result =
      parse_config_text("test.ini", ini, loaded->arena, loaded->diagnostics);
  EXPECT_TRUE(result.ok()) << loaded->diagnostics.text();
  if (result.ok())
    loaded->config = result.value();
  return loaded;
}

std::vector<std::string> texts(const Findings& findings) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < findings.size(); ++i)
    out.emplace_back(findings[i].view());
  return out;
}

/// The whole text is one JSON document (JsonReader checks every value).
bool is_json(const std::string& text) {
  JsonReader reader(text);
  return reader.skip_value().ok() && reader.finish().ok();
}

std::string policy_of(const Config& config, std::span<const DiscoveredLocation> discovered,
                      Findings& notes) {
  Result<std::size_t> length = write_iam_policy(config, discovered, {}, notes);
  EXPECT_TRUE(length.ok());
  if (!length.ok())
    return "";
  std::string text(length.value() + 1, '\0');
  Findings again;
  Result<std::size_t> written = write_iam_policy(config, discovered, text, again);
  EXPECT_TRUE(written.ok());
  EXPECT_EQ(written.value(), length.value());
  text.resize(length.value());
  return text;
}

const std::string kConfig = "[connection payer]\n"
                            "type = cur\n"
                            "role_arn = arn:aws:iam::123456789012:role/edgecur-read\n"
                            "external_id = ext-Id_42\n"
                            "report_name = hourly-cur\n"
                            "account_names = true\n"
                            "\n"
                            "[connection exports]\n"
                            "type = cur2\n"
                            "role_arn = arn:aws:iam::123456789012:role/edgecur-read\n"
                            "export_name = cur2\n"
                            "\n"
                            "[connection linked]\n"
                            "type = explicit\n"
                            "role_arn = arn:aws:iam::210987654321:role/edgecur-read\n"
                            "bucket = acme-billing\n"
                            "prefix = linked/\n"
                            "region = eu-west-1\n"
                            "report_name = linked*report\n"
                            "\n"
                            "[connection linked-again]\n"
                            "type = explicit\n"
                            "role_arn = arn:aws:iam::210987654321:role/edgecur-read\n"
                            "bucket = acme-billing\n"
                            "prefix = linked\n"
                            "region = eu-west-1\n"
                            "report_name = linked*report\n"
                            "\n"
                            "[connection team]\n"
                            "type = explicit\n"
                            "role_arn = arn:aws:iam::210987654321:role/edgecur-read\n"
                            "bucket = team-bucket\n"
                            "region = us-east-2\n"
                            "export_name = team-cur2\n"
                            "\n"
                            "[connection files]\n"
                            "type = local\n"
                            "local_dir = /srv/cur\n";

constexpr const char* kExpectedPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListReports1",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::acme-billing",
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "billing/cur/hourly-cur/*",
            "linked/linked${*}report/*"
          ]
        }
      }
    },
    {
      "Sid": "ListReports2",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::REPORT_BUCKET",
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "REPORT_PREFIX/cur2/*"
          ]
        }
      }
    },
    {
      "Sid": "ListReports3",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::team-bucket",
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "team-cur2/*"
          ]
        }
      }
    },
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": [
        "arn:aws:s3:::acme-billing/billing/cur/hourly-cur/*",
        "arn:aws:s3:::acme-billing/linked/linked${*}report/*",
        "arn:aws:s3:::REPORT_BUCKET/REPORT_PREFIX/cur2/*",
        "arn:aws:s3:::team-bucket/team-cur2/*"
      ]
    },
    {
      "Sid": "FindReports",
      "Effect": "Allow",
      "Action": "cur:DescribeReportDefinitions",
      "Resource": "*"
    },
    {
      "Sid": "FindExports",
      "Effect": "Allow",
      "Action": [
        "bcm-data-exports:ListExports",
        "bcm-data-exports:GetExport"
      ],
      "Resource": "*"
    },
    {
      "Sid": "ReadAccountNames",
      "Effect": "Allow",
      "Action": "organizations:ListAccounts",
      "Resource": "*"
    }
  ]
}
)";

TEST(IamPolicy, ExactTextForAConfigWithEveryKindOfConnection) {
  auto loaded = load(kConfig);
  ASSERT_NE(loaded->config, nullptr);
  ReportLocation payer;
  payer.bucket = "acme-billing";
  payer.prefix = "billing/cur";
  payer.name = "hourly-cur";
  payer.region = "eu-west-1";
  const DiscoveredLocation discovered[] = {{"payer", payer}};
  Findings notes;

  const std::string policy = policy_of(*loaded->config, discovered, notes);

  EXPECT_EQ(policy, kExpectedPolicy);
  EXPECT_TRUE(is_json(policy));
  EXPECT_THAT(policy, Not(HasSubstr("ext-Id_42")));
  EXPECT_THAT(texts(notes),
              ElementsAre("connection exports: its report has not been found yet, so the policy "
                          "names REPORT_BUCKET and REPORT_PREFIX; replace them with the bucket "
                          "and prefix the report is delivered to (edgecur verify shows them), "
                          "and drop 'REPORT_PREFIX/' when it has no prefix",
                          "organizations:ListAccounts works only in the organization's "
                          "management account (or a delegated administrator account): give "
                          "that statement to the role or user there"));
}

TEST(IamPolicy, OneConnectionIsTheSmallestPolicy) {
  auto loaded = load("[connection only]\ntype = explicit\n"
                     "role_arn = arn:aws-cn:iam::123456789012:role/edgecur\n"
                     "bucket = cn-bucket\nregion = cn-north-1\nreport_name = r\n");
  ASSERT_NE(loaded->config, nullptr);
  Findings notes;
  const std::string policy = policy_of(*loaded->config, {}, notes);
  EXPECT_EQ(policy, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListReports1",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws-cn:s3:::cn-bucket",
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "r/*"
          ]
        }
      }
    },
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws-cn:s3:::cn-bucket/r/*"
    }
  ]
}
)");
  EXPECT_TRUE(is_json(policy));
  EXPECT_EQ(notes.size(), 0u);
}

TEST(IamPolicy, SpecialCharactersAreEscapedForJsonAndIam) {
  auto loaded = load("[connection odd]\ntype = explicit\n"
                     "role_arn = arn:aws:iam::123456789012:role/edgecur\n"
                     "bucket = odd-bucket\nregion = us-east-1\n"
                     "prefix = a\"b $c?\\\nreport_name = x\n");
  ASSERT_NE(loaded->config, nullptr);
  ASSERT_EQ(loaded->config->connections[0].prefix, "a\"b $c?\\");
  Findings notes;
  const std::string policy = policy_of(*loaded->config, {}, notes);
  EXPECT_THAT(policy, HasSubstr("\"arn:aws:s3:::odd-bucket/a\\\"b ${$}c${?}\\\\/x/*\""));
  EXPECT_TRUE(is_json(policy));
}

TEST(IamPolicy, LocalOnlyNeedsNothing) {
  auto loaded = load("[connection files]\ntype = local\nlocal_dir = /srv/cur\n");
  ASSERT_NE(loaded->config, nullptr);
  Findings notes;
  Result<std::size_t> result = write_iam_policy(*loaded->config, {}, {}, notes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_STREQ(result.error().message, "iam: no connection reads from aws");
}

TEST(IamPolicy, ATooSmallBufferGetsTheFullLengthAndATerminatedCut) {
  auto loaded = load(kConfig);
  ASSERT_NE(loaded->config, nullptr);
  char small[40];
  Findings notes;
  Result<std::size_t> result = write_iam_policy(*loaded->config, {}, small, notes);
  ASSERT_TRUE(result.ok());
  EXPECT_GT(result.value(), sizeof small);
  EXPECT_EQ(std::string(small), std::string("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\"")
                                    .substr(0, sizeof small - 1));
}

TEST(IamPolicy, AnExplicitConnectionWithoutANameIsAnError) {
  auto loaded = load("[connection nameless]\ntype = explicit\n"
                     "role_arn = arn:aws:iam::123456789012:role/edgecur\n"
                     "bucket = b-bucket\nregion = us-east-1\n");
  ASSERT_NE(loaded->config, nullptr);
  Findings notes;
  Result<std::size_t> result = write_iam_policy(*loaded->config, {}, {}, notes);
  ASSERT_FALSE(result.ok());
  EXPECT_STREQ(result.error().message, "source: connection has no report_name or export_name");
  EXPECT_EQ(result.error().position, 1u);
}

TEST(TrustPolicy, HoldsTheExternalIdAndSaysWhereItGoes) {
  auto loaded = load(kConfig);
  ASSERT_NE(loaded->config, nullptr);
  const ConnectionConfig& payer = loaded->config->connections[0];
  Findings notes;
  char text[1024];
  Result<std::size_t> length = write_trust_policy(payer, text, notes);
  ASSERT_TRUE(length.ok());
  const std::string policy(text, length.value());
  EXPECT_EQ(policy, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EdgecurAssumeRole",
      "Effect": "Allow",
      "Principal": {
        "AWS": "TRUSTED_PRINCIPAL_ARN"
      },
      "Action": "sts:AssumeRole",
      "Condition": {
        "StringEquals": {
          "sts:ExternalId": "ext-Id_42"
        }
      }
    }
  ]
}
)");
  EXPECT_TRUE(is_json(policy));
  EXPECT_THAT(texts(notes),
              ElementsAre("connection payer: this trust policy belongs on role "
                          "arn:aws:iam::123456789012:role/edgecur-read; replace "
                          "TRUSTED_PRINCIPAL_ARN with the ARN of the IAM user (or role) whose "
                          "keys this device uses; the policy holds the external id: give it "
                          "only to the account owner"));
  for (const std::string& note : texts(notes))
    EXPECT_THAT(note, Not(HasSubstr("ext-Id_42")));
}

TEST(TrustPolicy, NeedsARoleAndAnExternalId) {
  auto loaded = load(kConfig);
  ASSERT_NE(loaded->config, nullptr);
  Findings notes;
  char text[1024];
  Result<std::size_t> result = write_trust_policy(loaded->config->connections[1], text, notes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_STREQ(result.error().message, "iam: connection has no role_arn and external_id");
}

TEST(AccountNamesSetting, DefaultsToFalseAndParsesTrue) {
  auto loaded = load(kConfig);
  ASSERT_NE(loaded->config, nullptr);
  EXPECT_TRUE(loaded->config->connections[0].account_names);
  EXPECT_FALSE(loaded->config->connections[1].account_names);
}

} // namespace
} // namespace ec
