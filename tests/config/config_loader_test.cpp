// tests/config/config_loader_test.cpp - Exact file:line diagnostics and loaded values of INI text.
#include "core/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// One parse with its own arena and diagnostics buffer.
struct Parsed {
  std::unique_ptr<InlineArena<256 * 1024>> arena = std::make_unique<InlineArena<256 * 1024>>();
  std::vector<char> buffer = std::vector<char>(16 * 1024);
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  const Config* config = nullptr;
  ErrorCode code = ErrorCode::Internal;

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < diagnostics.size(); ++i)
      out.emplace_back(diagnostics[i].text);
    return out;
  }
  std::string text() const { return std::string(diagnostics.text()); }
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto parsed = std::make_unique<Parsed>();
  Result<const Config*> result =
      parse_config_text("test.ini", text, *parsed->arena, parsed->diagnostics);
  if (result.ok())
    parsed->config = result.value();
  else
    parsed->code = result.error().code;
  return parsed;
}

// A connection that passes every rule, to add one key to.
const std::string kGoodConnection = "[connection prod]\n"
                                    "type = cur\n"
                                    "role_arn = arn:aws:iam::123456789012:role/edgecur-read\n"
                                    "report_name = hourly-cur\n";

TEST(ConfigLoader, EmptyTextGivesEveryDefault) {
  auto parsed = parse("");
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  const Config& config = *parsed->config;
  EXPECT_EQ(config.source_path, "test.ini");
  EXPECT_EQ(config.store.path, "/var/lib/edgecur/edgecur.db");
  EXPECT_EQ(config.ingest.malformed_rows, MalformedRows::Skip);
  EXPECT_EQ(config.ingest.max_field_bytes, 64u * 1024);
  EXPECT_EQ(config.ingest.max_row_bytes, 128u * 1024);
  EXPECT_EQ(config.ingest.table_keys, 24576u);
  EXPECT_EQ(config.ingest.chunk_bytes, 64u * 1024);
  EXPECT_EQ(config.ingest.network_memory_bytes, 2048u * 1024);
  EXPECT_EQ(config.log.level, LogLevel::Info);
  EXPECT_EQ(config.security.config_permissions, PermissionPolicy::Refuse);
  EXPECT_TRUE(config.connections.empty());
  EXPECT_EQ(parsed->diagnostics.size(), 0u);
}

TEST(ConfigLoader, DefaultsAppliedToKeysLeftOut) {
  auto parsed = parse("[ingest]\nmax_field_bytes = 128K\n\n" + kGoodConnection);
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  EXPECT_EQ(parsed->config->ingest.max_field_bytes, 128u * 1024);
  EXPECT_EQ(parsed->config->ingest.max_row_bytes, 128u * 1024); // default, though ingest was set
  EXPECT_EQ(parsed->config->ingest.table_keys, 24576u);
  ASSERT_EQ(parsed->config->connections.size(), 1u);
  const ConnectionConfig& c = parsed->config->connections[0];
  EXPECT_EQ(c.name, "prod");
  EXPECT_EQ(c.line, 4u);
  EXPECT_EQ(c.type, ConnectionType::Cur);
  EXPECT_EQ(c.report_name, "hourly-cur");
  EXPECT_EQ(c.format, CurFileFormat::Auto);
  EXPECT_EQ(c.recheck_days, 35u);
  EXPECT_EQ(c.chunk_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(c.connect_timeout_ms, 10000u);
  EXPECT_EQ(c.low_speed_timeout_ms, 60000u);
  EXPECT_EQ(c.total_timeout_ms, 30u * 60 * 1000);
  EXPECT_EQ(c.retries, 5u);
  EXPECT_FALSE(c.s3_path_style);
  EXPECT_EQ(c.start_date, 0);
  EXPECT_TRUE(c.accounts_allow.empty());
  EXPECT_TRUE(c.secret_access_key.empty());
  EXPECT_TRUE(c.sts_endpoint.empty());
}

TEST(ConfigLoader, EveryValueTypeIsStored) {
  auto parsed =
      parse("[store]\npath = \"/data/edgecur totals.db\"\n"
            "[ingest]\nmalformed_rows = FAIL\nmax_row_bytes = 300000\ntable_keys = 256\n"
            "chunk_bytes = 4k\n"
            "[log]\nlevel = debug\n"
            "[security]\nconfig_permissions = warn\n"
            "[connection lab]\ntype = explicit\nbucket = cur-bucket\nregion = eu-west-1\n"
            "prefix = billing/cur\nformat = cur2\naccess_key_id = S3RVER\n"
            "secret_access_key = S3RVER\ns3_endpoint = http://127.0.0.1:4568\n"
            "s3_path_style = yes\nproxy = http://10.0.0.1:3128\nno_proxy = localhost,127.0.0.1\n"
            "accounts_allow = 111111111111, 222222222222\naccounts_allow = 012345678901\n"
            "accounts_deny = 333333333333\nstart_date = 2024-03-01\nrecheck_days = 0\n"
            "chunk_bytes = 64K\nconnect_timeout = 1500ms\nlow_speed_timeout = 2m\n"
            "total_timeout = 0\nretries = 20\n");
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  const Config& config = *parsed->config;
  EXPECT_EQ(config.store.path, "/data/edgecur totals.db");
  EXPECT_EQ(config.ingest.malformed_rows, MalformedRows::Fail);
  EXPECT_EQ(config.ingest.max_row_bytes, 300000u);
  EXPECT_EQ(config.ingest.table_keys, 256u);
  EXPECT_EQ(config.ingest.chunk_bytes, 4096u);
  EXPECT_EQ(config.log.level, LogLevel::Debug);
  EXPECT_EQ(config.security.config_permissions, PermissionPolicy::Warn);
  const ConnectionConfig& c = config.connections[0];
  EXPECT_EQ(c.type, ConnectionType::Explicit);
  EXPECT_EQ(c.bucket, "cur-bucket");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.prefix, "billing/cur");
  EXPECT_EQ(c.format, CurFileFormat::Cur2);
  EXPECT_EQ(c.access_key_id, "S3RVER");
  EXPECT_EQ(c.secret_access_key, "S3RVER");
  EXPECT_EQ(c.s3_endpoint, "http://127.0.0.1:4568");
  EXPECT_TRUE(c.s3_path_style);
  EXPECT_EQ(c.proxy, "http://10.0.0.1:3128");
  EXPECT_EQ(c.no_proxy, "localhost,127.0.0.1");
  EXPECT_THAT(std::vector<std::uint64_t>(c.accounts_allow.begin(), c.accounts_allow.end()),
              ElementsAre(111111111111u, 222222222222u, 12345678901u));
  EXPECT_THAT(std::vector<std::uint64_t>(c.accounts_deny.begin(), c.accounts_deny.end()),
              ElementsAre(333333333333u));
  EXPECT_EQ(c.start_date, 1709251200); // 2024-03-01T00:00:00Z
  EXPECT_EQ(c.recheck_days, 0u);
  EXPECT_EQ(c.chunk_bytes, 65536u);
  EXPECT_EQ(c.connect_timeout_ms, 1500u);
  EXPECT_EQ(c.low_speed_timeout_ms, 120000u);
  EXPECT_EQ(c.total_timeout_ms, 0u);
  EXPECT_EQ(c.retries, 20u);
  EXPECT_EQ(parsed->diagnostics.size(), 0u) << parsed->text();
}

TEST(ConfigLoader, TwoConnectionsKeepTheirOwnValuesInFileOrder) {
  auto parsed =
      parse(kGoodConnection + "retries = 1\n\n"
                              "[connection archive]\ntype = local\nlocal_dir = /mnt/usb/cur\n"
                              "start_date = 2023-01-01\n");
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  ASSERT_EQ(parsed->config->connections.size(), 2u);
  const ConnectionConfig& prod = parsed->config->connections[0];
  const ConnectionConfig& archive = parsed->config->connections[1];
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.retries, 1u);
  EXPECT_EQ(prod.start_date, 0);
  EXPECT_EQ(archive.name, "archive");
  EXPECT_EQ(archive.line, 7u);
  EXPECT_EQ(archive.type, ConnectionType::Local);
  EXPECT_EQ(archive.local_dir, "/mnt/usb/cur");
  EXPECT_EQ(archive.retries, 5u);
  EXPECT_EQ(archive.start_date, 1672531200);
  EXPECT_TRUE(archive.report_name.empty());
}

TEST(ConfigLoader, UnknownSectionIsReportedOnceAndItsKeysIgnored) {
  auto parsed = parse("[ingset]\nmax_field_bytes = 1K\nanything = at all\n[loging]\n");
  EXPECT_EQ(parsed->config, nullptr);
  EXPECT_EQ(parsed->code, ErrorCode::InvalidInput);
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:1: config: unknown section [ingset] (did you mean [ingest]?); "
                          "known: [store], [ingest], [log], [security], [connection NAME]",
                          "test.ini:4: config: unknown section [loging]; known: [store], "
                          "[ingest], [log], [security], [connection NAME]"));
}

TEST(ConfigLoader, UnknownKeyNamesKeyAndSectionWithAHint) {
  auto parsed = parse("[ingest]\nfoo = 1\nmax_feild_bytes = 1K\nlevel = debug\n"
                      "[connection prod]\nbucket_name = x\n");
  EXPECT_EQ(parsed->config, nullptr);
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:2: config: unknown key 'foo' in section [ingest]",
                          "test.ini:3: config: unknown key 'max_feild_bytes' in section [ingest] "
                          "(did you mean 'max_field_bytes'?)",
                          "test.ini:4: config: unknown key 'level' in section [ingest] (it belongs "
                          "in section [log])",
                          "test.ini:6: config: unknown key 'bucket_name' in section [connection "
                          "prod]",
                          "test.ini:5: config: missing required key 'type' in section [connection "
                          "prod]: expected one of cur, cur2, explicit, local"));
}

TEST(ConfigLoader, BadIntegerAndOutOfRangeNameTheAllowedRange) {
  auto parsed = parse("[ingest]\ntable_keys = many\n[connection prod]\ntype = local\n"
                      "local_dir = /x\nrecheck_days = 366\nrecheck_days_x = 1\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:2: config: bad value 'many' for 'table_keys' in section "
                          "[ingest]: expected a whole number from 256 to 4194304 keys",
                          "test.ini:6: config: value '366' for 'recheck_days' in section "
                          "[connection prod] is out of range: expected a whole number from 0 to "
                          "365 days",
                          "test.ini:7: config: unknown key 'recheck_days_x' in section "
                          "[connection prod] (did you mean 'recheck_days'?)"));
  auto negative = parse("[ingest]\ntable_keys = -5\n");
  EXPECT_THAT(negative->lines(),
              ElementsAre("test.ini:2: config: bad value '-5' for 'table_keys' in section "
                          "[ingest]: expected a whole number from 256 to 4194304 keys"));
}

TEST(ConfigLoader, BadEnumListsAllowedValues) {
  auto parsed = parse("[ingest]\nmalformed_rows = maybe\n[log]\nlevel = verbose\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:2: config: bad value 'maybe' for 'malformed_rows' in section "
                          "[ingest]: expected one of skip, fail",
                          "test.ini:4: config: bad value 'verbose' for 'level' in section [log]: "
                          "expected one of error, warn, info, debug"));
}

TEST(ConfigLoader, BadBool) {
  auto parsed = parse(kGoodConnection + "s3_path_style = perhaps\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:5: config: bad value 'perhaps' for 's3_path_style' in section "
                          "[connection prod]: expected true or false"));
}

TEST(ConfigLoader, SizesDurationsAndDates) {
  auto parsed = parse("[ingest]\nmax_field_bytes = 64Q\nmax_row_bytes = 64 K\nchunk_bytes = 17M\n" +
                      kGoodConnection +
                      "connect_timeout = 5 minutes\nlow_speed_timeout = 2s\n"
                      "start_date = 2024-02-30\n");
  EXPECT_THAT(
      parsed->lines(),
      ElementsAre("test.ini:2: config: bad value '64Q' for 'max_field_bytes' in section [ingest]: "
                  "expected a size from 1K to 16M (bytes, or a number with K or M, e.g. 64K)",
                  "test.ini:3: config: bad value '64 K' for 'max_row_bytes' in section [ingest]: "
                  "expected a size from 4K to 64M (bytes, or a number with K or M, e.g. 64K)",
                  "test.ini:4: config: value '17M' for 'chunk_bytes' in section [ingest] is out "
                  "of range: expected a size from 4K to 16M (bytes, or a number with K or M, "
                  "e.g. 64K)",
                  "test.ini:9: config: bad value '5 minutes' for 'connect_timeout' in section "
                  "[connection prod]: expected a duration from 1s to 5m (a number with ms, s, m, "
                  "h or d, e.g. 30s)",
                  "test.ini:10: config: value '2s' for 'low_speed_timeout' in section "
                  "[connection prod] is out of range: expected a duration from 5s to 1h (a "
                  "number with ms, s, m, h or d, e.g. 30s)",
                  "test.ini:11: config: bad value '2024-02-30' for 'start_date' in section "
                  "[connection prod]: expected a date YYYY-MM-DD from 2000-01-01 to 2099-12-31"));
}

TEST(ConfigLoader, DuplicateKeyNamesTheFirstLine) {
  auto parsed = parse("[log]\nlevel = info\n; again\nlevel = debug\n");
  EXPECT_EQ(parsed->config, nullptr);
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:4: config: duplicate key 'level' in section "
                                           "[log] (first set at line 2)"));
}

TEST(ConfigLoader, DuplicateSectionsAreErrors) {
  auto parsed =
      parse("[log]\nlevel = info\n[log]\nlevel = debug\n" + kGoodConnection + kGoodConnection);
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:3: config: duplicate section [log] (first at line 1)",
                          "test.ini:9: config: duplicate section [connection prod] (first at "
                          "line 5)"));
}

TEST(ConfigLoader, MissingRequiredKeysUseTheSectionLine) {
  auto parsed = parse("[log]\n\n[connection prod]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                      "[connection bucket]\ntype = explicit\naccess_key_id = AKIAEXAMPLE\n"
                      "secret_access_key = abc\n"
                      "[connection usb]\ntype = local\n"
                      "[connection exports]\ntype = cur2\ncredentials_file = /etc/edgecur/keys\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:3: config: missing required key 'type' in section "
                          "[connection prod]: expected one of cur, cur2, explicit, local",
                          "test.ini:5: config: missing required key 'region' in section "
                          "[connection bucket] (needed for type explicit)",
                          "test.ini:5: config: missing required key 'bucket' in section "
                          "[connection bucket] (needed for type explicit)",
                          "test.ini:9: config: missing required key 'local_dir' in section "
                          "[connection usb] (needed for type local)",
                          "test.ini:11: config: missing required key 'export_name' in section "
                          "[connection exports] (needed for type cur2)"));
}

TEST(ConfigLoader, CredentialRules) {
  auto parsed = parse("[connection a]\ntype = cur\nreport_name = r\n"
                      "[connection b]\ntype = cur\nreport_name = r\nsecret_access_key = abc\n"
                      "[connection c]\ntype = cur\nreport_name = r\naccess_key_id = AKIAEXAMPLE\n"
                      "session_token = tok\n"
                      "[connection d]\ntype = cur\nreport_name = r\naccess_key_id = AKIAEXAMPLE\n"
                      "secret_access_key = abc\ncredentials_file = /etc/keys\n"
                      "[connection e]\ntype = local\nlocal_dir = /x\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:1: config: section [connection a] needs credentials: "
                          "role_arn, access_key_id with secret_access_key, or credentials_file",
                          "test.ini:7: config: secret_access_key in section [connection b] needs "
                          "access_key_id",
                          "test.ini:11: config: access_key_id in section [connection c] needs "
                          "secret_access_key",
                          "test.ini:12: config: session_token in section [connection c] needs "
                          "access_key_id and secret_access_key",
                          "test.ini:18: config: section [connection d] has both access keys and "
                          "credentials_file; keep one"));
}

TEST(ConfigLoader, KeysOfAnotherTypeAreWarnedNotRefused) {
  auto parsed = parse("[connection usb]\ntype = local\nlocal_dir = /mnt/usb\nbucket = cur-bucket\n"
                      "retries = 3\n" +
                      kGoodConnection + "external_id = abc\nlocal_dir = /x\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:4: config: key 'bucket' in section [connection usb] is not "
                          "used by type local (ignored)",
                          "test.ini:5: config: key 'retries' in section [connection usb] is not "
                          "used by type local (ignored)",
                          "test.ini:11: config: key 'local_dir' in section [connection prod] is "
                          "not used by type cur (ignored)"));
  ASSERT_NE(parsed->config, nullptr);
  EXPECT_EQ(parsed->diagnostics.warning_count(), 3u);
  EXPECT_EQ(parsed->diagnostics.error_count(), 0u);
}

TEST(ConfigLoader, TextRulesOfConnectionSettings) {
  auto parsed = parse("[connection prod]\ntype = cur\nreport_name = r\n"
                      "role_arn = arn:aws:iam::1234:role/x\n"
                      "external_id = x\n"
                      "region = US-EAST-1\n"
                      "sts_endpoint = sts.example.com\n"
                      "ca_bundle = certs/ca.pem\n"
                      "bucket = -bad-\n"
                      "accounts_allow = 12345\n"
                      "proxy = ftp://user:pw@proxy\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:4: config: bad value 'arn:aws:iam::1234:role/x' for 'role_arn' "
                          "in section [connection prod]: expected an IAM role ARN such as "
                          "arn:aws:iam::123456789012:role/edgecur",
                          "test.ini:5: config: bad value for 'external_id' in section [connection "
                          "prod] (value not shown): expected 2 to 1224 characters of letters, "
                          "digits and _ + = , . @ : / -",
                          "test.ini:6: config: bad value 'US-EAST-1' for 'region' in section "
                          "[connection prod]: expected an AWS region such as us-east-1",
                          "test.ini:7: config: bad value 'sts.example.com' for 'sts_endpoint' in "
                          "section [connection prod]: expected an address starting with https:// "
                          "(http:// only to 127.0.0.1, [::1] or localhost)",
                          "test.ini:8: config: bad value 'certs/ca.pem' for 'ca_bundle' in "
                          "section [connection prod]: expected an absolute path starting with '/'",
                          "test.ini:9: config: bad value '-bad-' for 'bucket' in section "
                          "[connection prod]: expected an S3 bucket name of 3 to 255 letters, "
                          "digits, '.', '-' or '_'",
                          "test.ini:10: config: bad value '12345' for 'accounts_allow' in section "
                          "[connection prod]: expected 12-digit AWS account IDs separated by "
                          "commas (at most 4096)",
                          "test.ini:11: config: bad value for 'proxy' in section [connection "
                          "prod] (value not shown): expected a proxy address such as "
                          "http://10.0.0.1:3128 (http, https, socks5)",
                          "test.ini:1: config: section [connection prod] needs credentials: "
                          "role_arn, access_key_id with secret_access_key, or credentials_file"));
  EXPECT_THAT(parsed->text(), Not(HasSubstr("user:pw")));
}

TEST(ConfigLoader, AcceptedRegionsAndRoleArns) {
  for (const char* region : {"us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1",
                             "cn-northwest-1", "il-central-1"}) {
    auto parsed = parse(kGoodConnection + "region = " + region + "\n");
    EXPECT_NE(parsed->config, nullptr) << region << "\n" << parsed->text();
  }
  for (const char* region : {"useast1", "us-east", "u-east-1", "us--east-1", "us-east-123"}) {
    auto parsed = parse(kGoodConnection + "region = " + region + "\n");
    EXPECT_EQ(parsed->config, nullptr) << region;
  }
  for (const char* arn : {"arn:aws-cn:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/"
                                                                 "path/to/Role_name+=,.@-"}) {
    auto parsed =
        parse("[connection p]\ntype = cur\nreport_name = r\nrole_arn = " + std::string(arn) + "\n");
    EXPECT_NE(parsed->config, nullptr) << arn << "\n" << parsed->text();
  }
  for (const char* arn :
       {"arn:aws:iam::123456789012:user/a", "arn:aws:iam::12345678901x:role/a",
        "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/a b"}) {
    auto parsed =
        parse("[connection p]\ntype = cur\nreport_name = r\nrole_arn = " + std::string(arn) + "\n");
    EXPECT_EQ(parsed->config, nullptr) << arn;
  }
}

// Endpoints carry signed requests, the session token and the external ID: plain http:// only to
// loopback, never user:password@ (issue 11: `sts_endpoint = http://10.1.2.3:...` was "ok").
TEST(ConfigLoader, PlainHttpEndpointIsRefusedBeyondLoopback) {
  auto parsed = parse(kGoodConnection + "sts_endpoint = http://10.1.2.3:8080\n");
  EXPECT_EQ(parsed->config, nullptr);
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:5: config: 'sts_endpoint' in section [connection prod] uses "
                          "plain http:// to 10.1.2.3: only loopback addresses (127.0.0.1, [::1], "
                          "localhost) may, use https://"));
  for (const char* key : {"sts_endpoint", "s3_endpoint", "cur_endpoint", "exports_endpoint",
                          "organizations_endpoint"})
    for (const char* url : {"http://127.0.0.1.evil.com", "http://127.0.0.1.evil.com:9000/x",
                            "http://localhost.evil.com", "http://bucket.localhost:9000",
                            "http://127.1:9000", "http://0177.0.0.1", "http://127.0.0.256",
                            "http://[::2]:9000", "http://[::ffff:10.1.2.3]", "http://10.1.2.3?x",
                            "http://sts.amazonaws.com", "http://127.0.0.1.:9000"}) {
      auto refused = parse(kGoodConnection + key + " = " + url + "\n");
      EXPECT_EQ(refused->config, nullptr) << key << " = " << url;
      EXPECT_THAT(refused->text(),
                  HasSubstr("' in section [connection prod] uses plain http:// to "))
          << key << " = " << url;
    }
}

TEST(ConfigLoader, PlainHttpEndpointToLoopbackIsAccepted) {
  for (const char* url : {"http://127.0.0.1:9000", "http://localhost:9000", "http://LocalHost",
                          "http://[::1]:9000", "http://[::1]", "http://127.255.10.1/base/",
                          "https://10.1.2.3:8443", "https://sts.eu-west-1.amazonaws.com"})
    for (const char* key : {"sts_endpoint", "s3_endpoint", "organizations_endpoint"}) {
      auto parsed = parse(kGoodConnection + "s3_path_style = true\n" + key + " = " + url + "\n");
      ASSERT_NE(parsed->config, nullptr) << key << " = " << url << "\n" << parsed->text();
      EXPECT_EQ(parsed->diagnostics.size(), 0u) << parsed->text();
    }
}

// S3 is reached at <bucket>.<host> unless path style, never a loopback name: the run would refuse
// it, so config check does.
TEST(ConfigLoader, PlainHttpS3EndpointNeedsPathStyle) {
  auto parsed = parse(kGoodConnection + "s3_endpoint = http://127.0.0.1:9000\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:5: config: 's3_endpoint' in section [connection prod] uses "
                          "plain http://, so it needs s3_path_style = true (a bucket at "
                          "<bucket>.127.0.0.1 is not a loopback address)"));
  EXPECT_NE(parse(kGoodConnection + "s3_endpoint = https://minio.lan:9000\n")->config, nullptr);
}

TEST(ConfigLoader, EndpointWithUserInfoIsRefusedWithoutEchoingIt) {
  auto parsed = parse(kGoodConnection + "s3_endpoint = https://edgeuser:SECRETPASS@host:9000\n" +
                      "sts_endpoint = http://u:SECRETTWO@127.0.0.1:9000\n" +
                      "cur_endpoint = https://SECRETNAME@cur.example/x@y\n");
  EXPECT_EQ(parsed->config, nullptr);
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:5: config: 's3_endpoint' in section [connection prod] holds a "
                          "user name or password (value not shown): an endpoint takes none, "
                          "remove 'user:password@'",
                          "test.ini:6: config: 'sts_endpoint' in section [connection prod] holds a "
                          "user name or password (value not shown): an endpoint takes none, "
                          "remove 'user:password@'",
                          "test.ini:7: config: 'cur_endpoint' in section [connection prod] holds a "
                          "user name or password (value not shown): an endpoint takes none, "
                          "remove 'user:password@'"));
  for (const char* fragment : {"SECRET", "edgeuser", "host:9000"})
    EXPECT_THAT(parsed->text(), Not(HasSubstr(fragment)));
  // An '@' in the path is not user info.
  EXPECT_NE(parse(kGoodConnection + "cur_endpoint = https://cur.example/a@b\n")->config, nullptr);
}

// A proxy is another rule: http:// to any address is how proxies work (TLS to AWS goes through
// CONNECT), and its credentials stay hidden.
TEST(ConfigLoader, ProxyMayBePlainHttpAnywhere) {
  auto parsed = parse(kGoodConnection + "proxy = http://user:SECRETPROXY@10.1.2.3:3128\n");
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  EXPECT_EQ(parsed->config->connections[0].proxy, "http://user:SECRETPROXY@10.1.2.3:3128");
  EXPECT_EQ(parsed->diagnostics.size(), 0u);
}

TEST(ConfigLoader, AccountInBothListsIsAnError) {
  auto parsed =
      parse(kGoodConnection + "accounts_allow = 111111111111,222222222222\n"
                              "accounts_deny = 333333333333\naccounts_deny = 222222222222\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:6: config: account 222222222222 is in both accounts_allow and "
                          "accounts_deny in section [connection prod]"));
}

TEST(ConfigLoader, LineTooLongIsReportedNotSplit) {
  std::string long_value(200, 'a');
  // The rest of a split line would look like "aaa = 1" to inih: it must not become a key.
  auto parsed = parse("[store]\npath = /" + long_value + " = 1\n[log]\nlevel = chatty\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:2: config: line too long (max 197 bytes)",
                          "test.ini:4: config: bad value 'chatty' for 'level' in section [log]: "
                          "expected one of error, warn, info, debug"));
}

TEST(ConfigLoader, LineOfExactlyTheLimitIsAccepted) {
  std::string prefix = "path = /";
  std::string at_limit = prefix + std::string(kConfigMaxLineBytes - prefix.size(), 'p');
  ASSERT_EQ(at_limit.size(), 197u);
  auto parsed = parse("[store]\r\n" + at_limit + "\r\n");
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  EXPECT_EQ(parsed->config->store.path.size(), 197u - 7u);
  auto over = parse("[store]\n" + at_limit + "p\n");
  EXPECT_THAT(over->lines(), ElementsAre("test.ini:2: config: line too long (max 197 bytes)"));
}

TEST(ConfigLoader, LongSectionHeaderIsReportedAndItsKeysIgnored) {
  auto parsed =
      parse("[connection " + std::string(190, 'n') + "]\ntype = nonsense\n[log]\nlevel = x\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:1: config: line too long (max 197 bytes)",
                          "test.ini:4: config: bad value 'x' for 'level' in section [log]: "
                          "expected one of error, warn, info, debug"));
}

TEST(ConfigLoader, MalformedLines) {
  auto parsed =
      parse("[log]\nlevel\n[ingest\n[store] path = /x\n= 3\nlevel ; = debug\n[connection]\n"
            "[connection bad name!]\n[store extra]\n");
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:2: config: malformed line (expected 'key = value', a "
                          "[section] or a comment)",
                          "test.ini:3: config: malformed section line (missing ']')",
                          "test.ini:4: config: unexpected text after ']' in section line",
                          "test.ini:6: config: malformed line (expected 'key = value', a "
                          "[section] or a comment)",
                          "test.ini:7: config: section [connection] needs a name, e.g. "
                          "[connection payer1]",
                          "test.ini:8: config: bad connection name 'bad name!': use 1 to 32 "
                          "letters, digits, '-', '_' or '.'",
                          "test.ini:9: config: section [store] takes no name (found [store "
                          "extra])"));
  // "= 3" on line 5 followed a bad section header: its keys are ignored, not reported again.
}

TEST(ConfigLoader, MissingKeyName) {
  auto parsed = parse("[log]\n= debug\n");
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:2: config: missing key name before '='"));
}

TEST(ConfigLoader, KeyOutsideAnySection) {
  auto parsed = parse("; settings\nlevel = info\n\n[log]\nlevel = warn\n");
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:2: config: key 'level' is outside any section "
                                           "(put it under a [section] line)"));
}

TEST(ConfigLoader, ControlCharacterIsReported) {
  static constexpr char kText[] = "[log]\nlevel = in\x01"
                                  "fo\n[store]\npath = /a\0b\n";
  auto parsed = parse(std::string(kText, sizeof kText - 1));
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:2: config: line contains a control character (byte 0x01 at "
                          "column 11)",
                          "test.ini:4: config: line contains a control character (byte 0x00 at "
                          "column 10)"));
}

TEST(ConfigLoader, SecretValuesAreNeverEchoed) {
  const std::string secret = "Wrong Secret SUPERSECRET/Value+1";
  const std::string token = "TOKEN\tSECRETPART";
  auto parsed =
      parse("[connection prod]\ntype = cur\nreport_name = r\naccess_key_id = AKIA EXAMPLE\n"
            "secret_access_key = " +
            secret +
            "\n"
            "secret_access_key = " +
            secret +
            "\n"
            "session_token = " +
            token +
            "\n"
            "external_id = bad id SECRETEXTERNAL\n"
            "secret_acess_key = SUPERSECRET2\n"
            "proxy = http://user:SECRETPROXY@10.0.0.1:3128 extra\n"
            "secret_access_key SUPERSECRET3\n"
            "secret_access_key = SUPERSECRET4" +
            std::string(200, 'x') +
            "\n"
            "[connectoin x]\nsecret_access_key = SUPERSECRET5\n");
  std::string text = parsed->text();
  for (const char* fragment : {"SUPERSECRET", "SECRETPART", "SECRETEXTERNAL", "SECRETPROXY",
                               "AKIA EXAMPLE", "Wrong Secret"})
    EXPECT_THAT(text, Not(HasSubstr(fragment))) << text;
  EXPECT_THAT(parsed->lines(),
              ElementsAre("test.ini:4: config: bad value for 'access_key_id' in section "
                          "[connection prod] (value not shown): expected an access key ID of 3 to "
                          "128 letters and digits",
                          "test.ini:5: config: bad value for 'secret_access_key' in section "
                          "[connection prod] (value not shown): expected 1 to 128 printable "
                          "characters without spaces",
                          "test.ini:6: config: duplicate key 'secret_access_key' in section "
                          "[connection prod] (first set at line 5)",
                          "test.ini:7: config: bad value for 'session_token' in section "
                          "[connection prod] (value not shown): expected printable characters "
                          "without spaces",
                          "test.ini:8: config: bad value for 'external_id' in section [connection "
                          "prod] (value not shown): expected 2 to 1224 characters of letters, "
                          "digits and _ + = , . @ : / -",
                          "test.ini:9: config: unknown key 'secret_acess_key' in section "
                          "[connection prod] (did you mean 'secret_access_key'?)",
                          "test.ini:10: config: bad value for 'proxy' in section [connection "
                          "prod] (value not shown): expected a proxy address such as "
                          "http://10.0.0.1:3128 (http, https, socks5)",
                          "test.ini:11: config: malformed line (expected 'key = value', a "
                          "[section] or a comment)",
                          "test.ini:12: config: line too long (max 197 bytes)",
                          "test.ini:1: config: section [connection prod] needs credentials: "
                          "role_arn, access_key_id with secret_access_key, or credentials_file",
                          "test.ini:13: config: unknown section [connectoin x] (did you mean "
                          "[connection NAME]?); known: [store], [ingest], [log], [security], "
                          "[connection NAME]"));
}

TEST(ConfigLoader, CrlfCommentsBomQuotesAndInlineComments) {
  auto parsed =
      parse("\xEF\xBB\xBF; comment with semicolon\r\n"
            "# comment with hash\r\n"
            "[log]\r\n"
            "   level = warn ; inline comment\r\n"
            "\t\r\n"
            "  ; indented comment\r\n"
            "[store]   # after a header\r\n"
            "path: \"/srv/edgecur.db\"\r\n" +
            std::string("[connection p]\r\ntype=local\r\nlocal_dir=/x;not-a-comment\r\n"));
  ASSERT_NE(parsed->config, nullptr) << parsed->text();
  EXPECT_EQ(parsed->config->log.level, LogLevel::Warn);
  EXPECT_EQ(parsed->config->store.path, "/srv/edgecur.db");
  EXPECT_EQ(parsed->config->connections[0].local_dir, "/x;not-a-comment");
  EXPECT_EQ(parsed->config->connections[0].line, 9u);
}

TEST(ConfigLoader, BomLineNumbersAndErrorsOnTheFirstLine) {
  auto parsed = parse("\xEF\xBB\xBF[lgo]\r\n");
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:1: config: unknown section [lgo] (did you "
                                           "mean [log]?); known: [store], [ingest], [log], "
                                           "[security], [connection NAME]"));
}

TEST(ConfigLoader, IndentedLineIsNotAContinuation) {
  // inih would append "  debug" to the previous key as a continuation; here it is its own line.
  auto parsed = parse("[log]\nlevel = info\n  debug\n");
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:3: config: malformed line (expected 'key = "
                                           "value', a [section] or a comment)"));
}

TEST(ConfigLoader, EmptyValueKeepsTheDefaultButCountsForDuplicates) {
  auto parsed = parse("[ingest]\ntable_keys =\n[log]\nlevel =\nlevel = debug\n");
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:5: config: duplicate key 'level' in section "
                                           "[log] (first set at line 4)"));
  auto empty = parse("[ingest]\ntable_keys =\n");
  ASSERT_NE(empty->config, nullptr);
  EXPECT_EQ(empty->config->ingest.table_keys, 24576u);
}

TEST(ConfigLoader, RowLimitBelowFieldLimitIsAnError) {
  auto parsed = parse("[ingest]\nmax_field_bytes = 1M\nmax_row_bytes = 512K\n");
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:3: config: max_row_bytes (512K) in section "
                                           "[ingest] must be at least max_field_bytes (1M)"));
  auto only_field = parse("[ingest]\nmax_field_bytes = 1M\n");
  EXPECT_THAT(only_field->lines(), ElementsAre("test.ini:2: config: max_row_bytes (128K) in "
                                               "section [ingest] must be at least "
                                               "max_field_bytes (1M)"));
}

TEST(ConfigLoader, AllProblemsOfAFileAreCollectedInLineOrder) {
  auto parsed = parse("[ingest]\nmax_field_bytes = huge\ntable_keys = 1\nnope = 1\n"
                      "[log]\nlevel = loud\n[unknown]\n[security]\nconfig_permissions = ignore\n");
  EXPECT_EQ(parsed->diagnostics.error_count(), 6u);
  std::vector<std::uint32_t> lines;
  for (std::size_t i = 0; i < parsed->diagnostics.size(); ++i)
    lines.push_back(parsed->diagnostics[i].line);
  EXPECT_THAT(lines, ElementsAre(2u, 3u, 4u, 6u, 7u, 9u));
}

TEST(ConfigLoader, TooManyConnections) {
  std::string text;
  for (int i = 0; i <= 64; ++i)
    text += "[connection c" + std::to_string(i) + "]\ntype = local\nlocal_dir = /x\n";
  auto parsed = parse(text);
  EXPECT_THAT(parsed->lines(), ElementsAre("test.ini:193: config: too many connections (max 64)"));
}

TEST(ConfigLoader, DiagnosticsAreBoundedButCounted) {
  std::string text = "[log]\n";
  for (int i = 0; i < 200; ++i)
    text += "bad" + std::to_string(i) + " = 1\n";
  auto parsed = parse(text);
  EXPECT_EQ(parsed->diagnostics.error_count(), 200u);
  EXPECT_EQ(parsed->diagnostics.size(), ConfigDiagnostics::kMaxEntries);
  EXPECT_EQ(parsed->diagnostics.dropped_count(), 200u - ConfigDiagnostics::kMaxEntries);
  EXPECT_THAT(parsed->text(), HasSubstr("\nconfig: 136 more problems not shown\n"));
  EXPECT_EQ(parsed->lines().back(), "test.ini:65: config: unknown key 'bad63' in section [log]");
}

TEST(ConfigLoader, SmallDiagnosticsBufferKeepsWholeLinesOnly) {
  InlineArena<64 * 1024> arena;
  char buffer[200];
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> result =
      parse_config_text("test.ini", "[log]\nfoo = 1\nbar = 2\nbaz = 3\n", arena, diagnostics);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(diagnostics.error_count(), 3u);
  EXPECT_EQ(std::string(diagnostics.text()),
            "test.ini:2: config: unknown key 'foo' in section [log]\n"
            "test.ini:3: config: unknown key 'bar' in section [log]\n"
            "config: 1 more problems not shown\n");
}

TEST(ConfigLoader, ArenaExhaustionAtEveryAllocationFailsCleanly) {
  const std::string text = "[store]\npath = /x/y.db\n" + kGoodConnection +
                           "accounts_allow = 111111111111\naccounts_allow = 222222222222\n"
                           "[connection b]\ntype = local\nlocal_dir = /x\n";
  std::size_t successes_needed = 0;
  for (long allowed = 0; allowed < 200; ++allowed) {
    InlineArena<64 * 1024> arena;
    std::vector<char> buffer(4096);
    ConfigDiagnostics diagnostics{std::span<char>(buffer)};
    arena.fail_after(allowed);
    Result<const Config*> result = parse_config_text("test.ini", text, arena, diagnostics);
    if (result.ok()) {
      successes_needed = static_cast<std::size_t>(allowed);
      EXPECT_EQ(result.value()->connections[0].accounts_allow.size(), 2u);
      break;
    }
    EXPECT_EQ(result.error().code, ErrorCode::OutOfMemory) << diagnostics.text();
    EXPECT_EQ(arena.used(), 0u); // rewound
    ASSERT_EQ(diagnostics.error_count(), 1u) << diagnostics.text();
    EXPECT_THAT(std::string(diagnostics.text()),
                HasSubstr("config: out of memory while loading (the arena of 65536 bytes is too "
                          "small)"));
  }
  EXPECT_GT(successes_needed, 5u);
}

TEST(ConfigLoader, ArenaBudgetCoversEightConnections) {
  std::string text = "[store]\npath = /var/lib/edgecur/edgecur.db\n";
  for (int i = 0; i < 8; ++i)
    text += "[connection c" + std::to_string(i) +
            "]\ntype = cur\nreport_name = report\nrole_arn = "
            "arn:aws:iam::123456789012:role/edgecur-read\nexternal_id = "
            "0123456789abcdef0123456789abcdef\naccounts_allow = 111111111111,222222222222\n";
  std::vector<std::uint8_t> storage(kConfigArenaBytes);
  Arena arena{MutableBytes(storage)};
  std::vector<char> buffer(4096);
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> result = parse_config_text("test.ini", text, arena, diagnostics);
  ASSERT_TRUE(result.ok()) << diagnostics.text();
  EXPECT_EQ(result.value()->connections.size(), 8u);
  EXPECT_LE(arena.high_water(), 6u * 1024) << "high water " << arena.high_water();
}

TEST(ConfigLoader, WorstCaseFileHighWater) {
  std::string text;
  for (int i = 0; i < 64; ++i) {
    text += "[connection c" + std::to_string(i) +
            "]\ntype = explicit\nrole_arn = "
            "arn:aws:iam::123456789012:role/" +
            std::string(60, 'r') + "\nexternal_id = " + std::string(120, 'e') +
            "\naccess_key_id = AKIAIOSFODNN7EXAMPLE\nsecret_access_key = "
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nsession_token = " +
            std::string(170, 't') + "\nregion = us-east-1\nreport_name = " + std::string(100, 'n') +
            "\nexport_name = x\nbucket = " + std::string(63, 'b') +
            "\nprefix = " + std::string(150, 'p') + "\nsts_endpoint = https://" +
            std::string(100, 'h') + "\ns3_endpoint = https://" + std::string(100, 'h') +
            "\norganizations_endpoint = https://" + std::string(100, 'h') + "\nproxy = http://" +
            std::string(100, 'h') + "\nno_proxy = " + std::string(150, 'h') + "\nca_bundle = /" +
            std::string(150, 'c') + "\nproxy_ca_bundle = /" + std::string(150, 'c') + "\n";
    for (int j = 0; j < 20; ++j)
      text += "accounts_allow = 111111111111,222222222222,333333333333,444444444444,555555555555,"
              "666666666666,777777777777,888888888888,999999999999,000000000001\n";
  }
  std::vector<std::uint8_t> storage(512 * 1024);
  Arena arena{MutableBytes(storage)};
  std::vector<char> buffer(4096);
  ConfigDiagnostics diagnostics{std::span<char>(buffer)};
  Result<const Config*> result = parse_config_text("test.ini", text, arena, diagnostics);
  ASSERT_TRUE(result.ok()) << diagnostics.text();
  EXPECT_EQ(result.value()->connections.size(), 64u);
  EXPECT_EQ(result.value()->connections[63].accounts_allow.size(), 200u);
  EXPECT_LE(arena.high_water(), 240u * 1024) << "high water " << arena.high_water();
  EXPECT_GT(arena.high_water(), 200u * 1024) << "high water " << arena.high_water();
}

} // namespace
} // namespace ec
