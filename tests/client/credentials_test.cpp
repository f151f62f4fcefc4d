// tests/client/credentials_test.cpp - Static keys, STS AssumeRole (form body, refresh, refusals)
// over a scripted transport, and the shared-credentials file.
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/client/client_fakes.h"

namespace ec {
namespace {

using test::error_text;
using test::FakeClock;
using test::FakeTransport;
using test::RecordingLog;
using test::respond;
using test::s3_error;
using test::sts_error;

// ---- StaticCredentials
// ---------------------------------------------------------------------------

TEST(StaticCredentials, SetAndCurrent) {
  StaticCredentials keys;
  ASSERT_TRUE(keys.set("AKIDLONGER0000000000", "secret-one-which-is-long", "token").ok());
  ASSERT_TRUE(keys.set("AKID", "s2").ok()); // shorter, no token
  Result<Credentials> current = keys.current(0);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current.value().access_key_id, "AKID");
  EXPECT_EQ(current.value().secret_access_key, "s2");
  EXPECT_EQ(current.value().session_token, "");
  EXPECT_FALSE(keys.invalidate());
}

TEST(StaticCredentials, RefusesMissingAndOversizedValues) {
  StaticCredentials keys;
  Result<Credentials> unset = keys.current(0);
  ASSERT_FALSE(unset.ok());
  EXPECT_STREQ(unset.error().message, "credentials: access key id missing");

  Status no_id = keys.set("", "secret");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(no_id.error().message, "credentials: access key id missing");
  Status no_secret = keys.set("AKID", "");
  ASSERT_FALSE(no_secret.ok());
  EXPECT_STREQ(no_secret.error().message, "credentials: secret access key missing");

  EXPECT_TRUE(keys.set(std::string(kMaxAccessKeyIdBytes, 'A'), std::string(kMaxSecretKeyBytes, 's'),
                       std::string(kMaxSessionTokenBytes, 't'))
                  .ok());
  Status id = keys.set(std::string(kMaxAccessKeyIdBytes + 1, 'A'), "s");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(id.error().message, "credentials: access key id too long");
  Status secret = keys.set("A", std::string(kMaxSecretKeyBytes + 1, 's'));
  ASSERT_FALSE(secret.ok());
  EXPECT_STREQ(secret.error().message, "credentials: secret access key too long");
  Status token = keys.set("A", "s", std::string(kMaxSessionTokenBytes + 1, 't'));
  ASSERT_FALSE(token.ok());
  EXPECT_STREQ(token.error().message, "credentials: session token too long");
  // A refused set() leaves the previous keys in place.
  ASSERT_TRUE(keys.current(0).ok());
  EXPECT_EQ(keys.current(0).value().session_token.size(), kMaxSessionTokenBytes);
}

// ---- AssumeRoleCredentials
// -----------------------------------------------------------------------

constexpr const char* kBaseKey = "AKIDBASEEXAMPLE00001";
constexpr const char* kBaseSecret = "base/Secret+Key=EXAMPLE0000000000000000";
constexpr const char* kExternalId = "ext+id/=42";
constexpr const char* kRoleArn = "arn:aws:iam::123456789012:role/cur/edgecur+reader=x,y@z";

std::string sts_ok(const std::string& key, const std::string& secret, const std::string& token,
                   UnixSeconds expiration) {
  char when[21];
  std::size_t size = format_timestamp(expiration, when, sizeof when);
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
         "  <AssumeRoleResult>\n    <AssumedRoleUser><AssumedRoleId>AROA1:edgecur-main"
         "</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/edgecur/edgecur-main</Arn>"
         "</AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>" +
         key + "</AccessKeyId>\n      <SecretAccessKey>" + secret +
         "</SecretAccessKey>\n      <SessionToken>" + token +
         "</SessionToken>\n      <Expiration>" + std::string(when, size) +
         "</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>"
         "<RequestId>r-1</RequestId></ResponseMetadata>\n</AssumeRoleResponse>\n";
}

class AssumeRoleTest : public ::testing::Test {
protected:
  AssumeRoleTest()
      : m_storage(kAwsCallerArenaBytes), m_arena(MutableBytes(m_storage.data(), m_storage.size())) {
  }

  void SetUp() override {
    ASSERT_TRUE(base.set(kBaseKey, kBaseSecret).ok());
    Result<Endpoint> parsed = sts_endpoint("http://127.0.0.1:9100", "eu-west-1");
    ASSERT_TRUE(parsed.ok());
    sts = parsed.value();
    settings.role_arn = kRoleArn;
    settings.external_id = kExternalId;
    settings.session_name = "edgecur-main";
    settings.duration_seconds = 3600;
    settings.region = "eu-west-1";
    start(RetryPolicy{});
  }

  void TearDown() override {
    std::vector<std::string> texts = log.lines;
    texts.insert(texts.end(), errors.begin(), errors.end());
    std::vector<std::string> secrets = {kBaseSecret, kExternalId};
    secrets.insert(secrets.end(), issued_secrets.begin(), issued_secrets.end());
    test::expect_no_secrets(texts, secrets);
  }

  void start(const RetryPolicy& policy) {
    m_arena.reset();
    ASSERT_TRUE(caller.init(transport, clock, random, log, policy, m_arena).ok());
    assume.init(caller, base, sts, settings);
  }

  // Scripts an STS answer with session `n` (ASIA<n>, secret-<n>, a long token with / + =).
  void script_session(int n, UnixSeconds expiration) {
    std::string secret = "assumed/secret+" + std::to_string(n) + "=";
    std::string token = "IQoJb3JpZ2luX2Vj/" + std::string(900, static_cast<char>('a' + n)) + "+=";
    issued_secrets.push_back(secret);
    issued_secrets.push_back(token);
    transport.script.push_back(
        respond(200, sts_ok("ASIA" + std::to_string(n), secret, token, expiration)));
  }
  std::string token_of(int n) const { return issued_secrets[static_cast<std::size_t>(2 * n - 1)]; }

  Result<Credentials> current() {
    Result<Credentials> credentials = assume.current(clock.wall);
    if (!credentials.ok())
      errors.push_back(error_text(credentials.error()));
    return credentials;
  }

  FakeClock clock;
  FakeTransport transport{clock};
  SplitMix64 random{7};
  RecordingLog log;
  AwsCaller caller;
  StaticCredentials base;
  Endpoint sts;
  AssumeRoleSettings settings;
  AssumeRoleCredentials assume;
  std::vector<std::string> issued_secrets;
  std::vector<std::string> errors;

private:
  std::vector<std::uint8_t> m_storage;
  Arena m_arena;
};

TEST_F(AssumeRoleTest, RequestIsAFormPostSignedForSts) {
  script_session(1, clock.wall + 3600);
  Result<Credentials> credentials = current();
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials.value().access_key_id, "ASIA1");
  EXPECT_EQ(credentials.value().secret_access_key, "assumed/secret+1=");
  EXPECT_EQ(credentials.value().session_token, token_of(1));
  EXPECT_EQ(assume.expiration(), clock.wall + 3600);
  EXPECT_EQ(assume.fetches(), 1u);

  ASSERT_EQ(transport.requests.size(), 1u);
  const test::Recorded& sent = transport.requests[0];
  EXPECT_EQ(sent.method, HttpMethod::Post);
  EXPECT_EQ(sent.url, "http://127.0.0.1:9100/");
  EXPECT_EQ(sent.body, "Action=AssumeRole&Version=2011-06-15"
                       "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcur%2Fedgecur%2Breader"
                       "%3Dx%2Cy%40z&RoleSessionName=edgecur-main&ExternalId=ext%2Bid%2F%3D42"
                       "&DurationSeconds=3600");
  EXPECT_EQ(sent.header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(sent.header("X-Amz-Security-Token"), "<absent>");
  EXPECT_EQ(sent.header("Authorization")
                .rfind("AWS4-HMAC-SHA256 Credential=AKIDBASEEXAMPLE00001/20240601/eu-west-1/sts/"
                       "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=",
                       0),
            0u)
      << sent.header("Authorization");
}

TEST_F(AssumeRoleTest, NoExternalIdIsNotSentAndRegionDefaults) {
  settings.external_id = {};
  settings.region = {};
  settings.duration_seconds = 900;
  assume.init(caller, base, sts, settings);
  script_session(1, clock.wall + 900);
  ASSERT_TRUE(current().ok());
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].body.find("ExternalId"), std::string::npos);
  EXPECT_NE(transport.requests[0].body.find("&DurationSeconds=900"), std::string::npos);
  EXPECT_NE(transport.requests[0].header("Authorization").find("/us-east-1/sts/aws4_request"),
            std::string::npos);
}

TEST_F(AssumeRoleTest, RefreshesTenMinutesBeforeExpiration) {
  UnixSeconds start_time = clock.wall;
  script_session(1, start_time + 3600);
  ASSERT_TRUE(current().ok());

  clock.wall = start_time + 3600 - kCredentialRefreshSeconds - 1;
  Result<Credentials> cached = current();
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached.value().access_key_id, "ASIA1");
  EXPECT_EQ(transport.requests.size(), 1u);

  clock.wall = start_time + 3600 - kCredentialRefreshSeconds;
  script_session(2, clock.wall + 3600);
  Result<Credentials> renewed = current();
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(renewed.value().access_key_id, "ASIA2");
  EXPECT_EQ(renewed.value().session_token, token_of(2));
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(assume.fetches(), 2u);
  EXPECT_EQ(assume.expiration(), clock.wall + 3600);
}

TEST_F(AssumeRoleTest, AShortLifetimeIsRefreshedAtThreeQuarters) {
  UnixSeconds start_time = clock.wall;
  script_session(1, start_time + 900);
  ASSERT_TRUE(current().ok());
  clock.wall = start_time + 674;
  ASSERT_TRUE(current().ok());
  EXPECT_EQ(transport.requests.size(), 1u);
  clock.wall = start_time + 675;
  script_session(2, clock.wall + 900);
  ASSERT_TRUE(current().ok());
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(AssumeRoleTest, AFailedEarlyRefreshKeepsTheWorkingCredentials) {
  RetryPolicy policy;
  policy.max_attempts = 2;
  start(policy);
  UnixSeconds start_time = clock.wall;
  script_session(1, start_time + 3600);
  ASSERT_TRUE(current().ok());

  clock.wall = start_time + 3000;
  transport.script.push_back(sts_error(500, "InternalFailure", "internal"));
  transport.script.push_back(sts_error(500, "InternalFailure", "internal"));
  Result<Credentials> kept = current();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept.value().access_key_id, "ASIA1");
  EXPECT_EQ(transport.requests.size(), 3u);
  EXPECT_TRUE(log.has_containing("sts: AssumeRole refresh failed"));

  clock.wall = start_time + 3059; // not again for a minute
  ASSERT_TRUE(current().ok());
  EXPECT_EQ(transport.requests.size(), 3u);
  clock.wall = start_time + 3060;
  script_session(2, clock.wall + 3600);
  Result<Credentials> renewed = current();
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(renewed.value().access_key_id, "ASIA2");

  // Once they have expired, a failure is an error.
  clock.wall = start_time + 3060 + 3600;
  transport.script.push_back(sts_error(500, "InternalFailure", "internal"));
  transport.script.push_back(sts_error(500, "InternalFailure", "internal"));
  Result<Credentials> failed = current();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::Io);
  EXPECT_STREQ(failed.error().message, "sts: AssumeRole failed after retries");
  EXPECT_STREQ(failed.error().detail, "InternalFailure");
}

TEST_F(AssumeRoleTest, AccessDeniedIsPermissionWithTheCode) {
  const std::string message = "User: arn:aws:iam::123456789012:user/edgecur is not authorized to "
                              "perform: sts:AssumeRole on resource: " +
                              std::string(kRoleArn);
  transport.script.push_back(sts_error(403, "AccessDenied", message));
  Result<Credentials> refused = current();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::Permission);
  EXPECT_STREQ(refused.error().message, "sts: AssumeRole refused");
  EXPECT_STREQ(refused.error().detail, "AccessDenied");
  EXPECT_EQ(error_text(refused.error()), "sts: AssumeRole refused: AccessDenied");
  EXPECT_EQ(assume.last_error_code(), "AccessDenied");
  EXPECT_EQ(assume.last_error_message(), message);
  EXPECT_EQ(transport.requests.size(), 1u); // not retried
  EXPECT_EQ(assume.expiration(), 0);

  // A success afterwards clears the remembered refusal.
  script_session(1, clock.wall + 3600);
  ASSERT_TRUE(current().ok());
  EXPECT_EQ(assume.last_error_code(), "");
  EXPECT_EQ(assume.last_error_message(), "");
}

TEST_F(AssumeRoleTest, OtherRefusalsMapToStaticDetails) {
  transport.script.push_back(
      sts_error(403, "RegionDisabledException", "STS is not activated in this region"));
  Result<Credentials> region = current();
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code, ErrorCode::Permission);
  EXPECT_STREQ(region.error().message, "sts: region disabled");

  transport.script.push_back(sts_error(400, "ValidationError", "1 validation error detected"));
  Result<Credentials> invalid = current();
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(invalid.error().detail, "ValidationError");

  transport.script.push_back(sts_error(400, "SomethingNew", "a code from the future"));
  Result<Credentials> other = current();
  ASSERT_FALSE(other.ok());
  EXPECT_STREQ(other.error().detail, "other");
  EXPECT_EQ(assume.last_error_code(), "SomethingNew");

  transport.script.push_back(sts_error(403, "InvalidClientTokenId", "The security token ..."));
  Result<Credentials> bad_key = current();
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().code, ErrorCode::Permission);
  EXPECT_STREQ(bad_key.error().detail, "InvalidClientTokenId");
  EXPECT_EQ(assume.fetches(), 4u);
}

TEST_F(AssumeRoleTest, AMalformedAnswerIsInvalidInput) {
  transport.script.push_back(respond(200, "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
                                          "<AccessKeyId>ASIA1</AccessKeyId></Credentials>"
                                          "</AssumeRoleResult></AssumeRoleResponse>"));
  Result<Credentials> malformed = current();
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::InvalidInput);
  EXPECT_STREQ(malformed.error().message, "sts: malformed response");
  ASSERT_NE(malformed.error().detail, nullptr);

  transport.script.push_back(respond(200, "<html>captive portal</html>"));
  Result<Credentials> portal = current();
  ASSERT_FALSE(portal.ok());
  EXPECT_STREQ(portal.error().message, "sts: malformed response");
}

TEST_F(AssumeRoleTest, TheAssumedSessionSignsS3AndIsRenewedWhenExpired) {
  Result<Endpoint> s3 = s3_endpoint("http://127.0.0.1:9000", "eu-west-1", "cur-bucket", true);
  ASSERT_TRUE(s3.ok());
  AwsCall get;
  get.endpoint = &s3.value();
  get.path = "/manifest.json";
  get.service = "s3";
  get.region = "eu-west-1";
  get.operation = "s3 GetObject";
  std::uint8_t body[256];

  script_session(1, clock.wall + 3600);
  transport.script.push_back(respond(200, "{}"));
  Result<AwsReply> first = caller.call(get, assume, MutableBytes(body, sizeof body));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[1].header("X-Amz-Security-Token"), token_of(1));
  EXPECT_EQ(transport.requests[1].header("Authorization").find("Credential=ASIA1/"), 17u);

  transport.script.push_back(s3_error(400, "ExpiredToken", "The provided token has expired."));
  script_session(2, clock.wall + 3600);
  transport.script.push_back(respond(200, "{}"));
  Result<AwsReply> second = caller.call(get, assume, MutableBytes(body, sizeof body));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().outcome, Outcome::Success);
  ASSERT_EQ(transport.requests.size(), 5u);
  EXPECT_EQ(transport.requests[3].url, "http://127.0.0.1:9100/");
  EXPECT_EQ(transport.requests[4].header("X-Amz-Security-Token"), token_of(2));
  EXPECT_EQ(assume.fetches(), 2u);
  EXPECT_EQ(caller.stats().renewed, 1u);
}

// ---- parse_credentials_file
// ----------------------------------------------------------------------

struct Keys {
  std::string id, secret, token;
};

Keys keys_of(std::string_view text, std::string_view profile = {}) {
  Result<CredentialsFileKeys> keys = parse_credentials_file(text, profile);
  EXPECT_TRUE(keys.ok()) << (keys.ok() ? "" : error_text(keys.error()));
  if (!keys.ok())
    return {"<error>", "", ""};
  return {std::string(keys.value().access_key_id), std::string(keys.value().secret_access_key),
          std::string(keys.value().session_token)};
}

void expect_file_error(std::string_view text, std::string_view profile, const char* message,
                       std::uint64_t line) {
  Result<CredentialsFileKeys> keys = parse_credentials_file(text, profile);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, ErrorCode::InvalidInput);
  EXPECT_STREQ(keys.error().message, message);
  EXPECT_EQ(keys.error().where, ErrorWhere::Line);
  EXPECT_EQ(keys.error().position, line);
  // Values are never quoted.
  std::string text_of_error = error_text(keys.error());
  EXPECT_EQ(text_of_error.find("SECRETVALUE"), std::string::npos) << text_of_error;
}

constexpr std::string_view kTwoProfiles = "# written by aws configure\n"
                                          "[default]\n"
                                          "aws_access_key_id = AKIDDEFAULT\n"
                                          "aws_secret_access_key = default/secret+KEY=\n"
                                          "\n"
                                          "; the billing account\n"
                                          "[ prod ]\n"
                                          "aws_access_key_id=AKIDPROD\r\n"
                                          "  aws_secret_access_key\t=  prod/secret  \r\n"
                                          "aws_session_token = FQoGZXIvYXdz==\n"
                                          "region = eu-west-1\n";

TEST(CredentialsFile, PicksTheProfile) {
  Keys fallback = keys_of(kTwoProfiles);
  EXPECT_EQ(fallback.id, "AKIDDEFAULT");
  EXPECT_EQ(fallback.secret, "default/secret+KEY=");
  EXPECT_EQ(fallback.token, "");
  Keys named_default = keys_of(kTwoProfiles, "default");
  EXPECT_EQ(named_default.id, "AKIDDEFAULT");
  Keys prod = keys_of(kTwoProfiles, "prod");
  EXPECT_EQ(prod.id, "AKIDPROD");
  EXPECT_EQ(prod.secret, "prod/secret");
  EXPECT_EQ(prod.token, "FQoGZXIvYXdz==");
}

TEST(CredentialsFile, OneSectionWithoutHeaderAndOtherProfilesIgnored) {
  Keys keys = keys_of("\xEF\xBB\xBF"
                      "aws_access_key_id = AKIDNOHEADER\n"
                      "AWS_SECRET_ACCESS_KEY = s\n"
                      "[sso]\n"
                      "sso_start_url = https://example.awsapps.com/start\n"
                      "sso_role_name = ReadOnly\n");
  EXPECT_EQ(keys.id, "AKIDNOHEADER");
  EXPECT_EQ(keys.secret, "s");
}

TEST(CredentialsFile, ALongTokenOnOneLine) {
  std::string token(3000, 'T');
  token[10] = '/';
  token[20] = '+';
  token.back() = '=';
  std::string text = "[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n"
                     "aws_session_token = " +
                     token + "\n";
  Keys keys = keys_of(text);
  EXPECT_EQ(keys.token, token);
  // And it fits StaticCredentials as it is.
  StaticCredentials credentials;
  EXPECT_TRUE(credentials.set(keys.id, keys.secret, keys.token).ok());
}

TEST(CredentialsFile, ErrorsNameTheirLine) {
  expect_file_error("[default]\naws_access_key_id = AKID\nSECRETVALUE\n", {},
                    "credentials file: missing '='", 3);
  expect_file_error("[default]\naws_access_key_id = AKID\naws_secret_acess_key = SECRETVALUE\n", {},
                    "credentials file: unknown key", 3);
  expect_file_error("[default]\naws_access_key_id = A\naws_secret_access_key = SECRETVALUE\n"
                    "aws_access_key_id = B\n",
                    {}, "credentials file: key repeated", 4);
  expect_file_error("[default]\naws_secret_access_key = SECRETVALUE\n[default]\n"
                    "aws_secret_access_key = SECRETVALUE\n",
                    {}, "credentials file: key repeated", 4);
  expect_file_error("# keys\n[default]\naws_secret_access_key = SECRETVALUE\n", {},
                    "credentials file: access key id missing", 2);
  expect_file_error("[default]\naws_access_key_id =\naws_secret_access_key = SECRETVALUE\n", {},
                    "credentials file: access key id missing", 2);
  expect_file_error("\n[prod]\naws_access_key_id = AKID\n", "prod",
                    "credentials file: secret access key missing", 2);
  expect_file_error("[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRETVALUE\n",
                    "prod", "credentials file: profile not found", 3);
  expect_file_error("", {}, "credentials file: profile not found", 1);
  expect_file_error("[default\naws_access_key_id = AKID\n", {},
                    "credentials file: malformed section header", 1);
  // A broken line in another profile is still an error: the file is not what aws writes.
  expect_file_error("[default]\naws_access_key_id = A\naws_secret_access_key = s\n[other]\n"
                    "SECRETVALUE\n",
                    {}, "credentials file: missing '='", 5);
}

} // namespace
} // namespace ec
