// tests/client/standin_test.cpp - AwsCaller, AssumeRoleCredentials and the real HttpClient against
// the local AWS stand-in (tests/aws/standin/standin.py), which checks every signature with
// botocore: AssumeRole with an external id, S3 GetObject, a server clock 20 minutes ahead.
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "platform/http_client.h"
#include "platform/system_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include "tests/client/client_fakes.h"

extern char** environ;

namespace ec {
namespace {

using test::error_text;
using test::RecordingLog;
using test::StringSink;

constexpr const char* kUserKey = "AKIDSTANDINUSER00001";
constexpr const char* kUserSecret = "standin/User+Secret=0000000000000000000000";
constexpr const char* kRoleArn = "arn:aws:iam::123456789012:role/edgecur-reader";
constexpr const char* kExternalId = "edgecur+ext/id=42";
constexpr const char* kBucket = "cur-bucket";
constexpr const char* kKey = "reports/2024-06/cost and usage.csv";
constexpr const char* kObject = "identity/LineItemId,lineItem/UnblendedCost\nabc,0.0000012345\n";

/// The device's real clock; waits really wait (only backoff uses them, and the stand-in is not
/// told to throttle here).
class RealClock final : public Clock {
public:
  UnixSeconds wall_seconds() override { return static_cast<UnixSeconds>(std::time(nullptr)); }
  std::uint64_t monotonic_ms() override {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  }
  void pause_ms(std::uint32_t ms) override { platform::pause_ms(ms); }
};

class StandInTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (std::system(EC_PYTHON3 " -c 'import botocore' >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "python3 with botocore is needed for the stand-in";
    for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                             "no_proxy", "NO_PROXY"})
      unsetenv(name);
    char pattern[] = "/tmp/ec-client-standin-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    m_directory = pattern;
    std::string root = m_directory + "/root";
    std::filesystem::create_directories(root + "/" + kBucket + "/reports/2024-06");
    std::ofstream(root + "/" + kBucket + "/" + kKey, std::ios::binary) << kObject;

    std::string config = std::string("{\"users\": [{\"access_key\": \"") + kUserKey +
                         "\", \"secret_key\": \"" + kUserSecret +
                         "\", \"arn\": \"arn:aws:iam::123456789012:user/edgecur\"}], "
                         "\"roles\": [{\"arn\": \"" +
                         kRoleArn + "\", \"external_id\": \"" + kExternalId +
                         "\"}], \"buckets\": {\"" + kBucket + "\": {\"region\": \"eu-west-1\"}}}";
    std::string script = std::string(EC_SOURCE_DIR) + "/tests/aws/standin/standin.py";
    std::string port_file = m_directory + "/port";
    std::vector<std::string> args = {EC_PYTHON3,    script,    "--root",   root,
                                     "--port-file", port_file, "--config", config};
    std::vector<char*> argv;
    for (std::string& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&m_pid, EC_PYTHON3, nullptr, nullptr, argv.data(), environ), 0);

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (m_port == 0 && std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      if (in)
        in >> m_port;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(m_port, 0) << "the stand-in did not start";
    m_base_url = "http://127.0.0.1:" + std::to_string(m_port);

    ASSERT_TRUE(client.open(platform::HttpSettings{}).ok());
    ASSERT_TRUE(caller.init(client, clock, random, log, RetryPolicy{}, m_arena).ok());
    ASSERT_TRUE(user.set(kUserKey, kUserSecret).ok());
    Result<Endpoint> sts_parsed = sts_endpoint(m_base_url, "eu-west-1");
    ASSERT_TRUE(sts_parsed.ok());
    sts = sts_parsed.value();
    Result<Endpoint> s3_parsed = s3_endpoint(m_base_url, "eu-west-1", kBucket, true);
    ASSERT_TRUE(s3_parsed.ok());
    s3 = s3_parsed.value();
    settings.role_arn = kRoleArn;
    settings.external_id = kExternalId;
    settings.session_name = "edgecur-standin";
    settings.region = "eu-west-1";
  }

  void TearDown() override {
    if (m_pid > 0) {
      kill(m_pid, SIGTERM);
      int status = 0;
      waitpid(m_pid, &status, 0);
    }
    if (!m_directory.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(m_directory, ignored);
    }
  }

  // An unsigned call to the stand-in's admin API; returns the status.
  int admin(HttpMethod method, const std::string& path, const std::string& json) {
    std::string url = m_base_url + path;
    const RequestHeader headers[] = {{"Content-Type", "application/json"}};
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = headers;
    request.body = as_bytes(json);
    std::uint8_t answer[4096];
    Result<HttpResponse> response = client.send(request, MutableBytes(answer, sizeof answer));
    EXPECT_TRUE(response.ok());
    return response.ok() ? response.value().status : 0;
  }

  Result<AwsReply> get_object(CredentialSource& credentials, StringSink& sink) {
    m_path.clear();
    char storage[512];
    TextBuilder path(storage);
    path.append('/');
    uri_encode(kKey, Slash::Keep, path);
    m_path = std::string(path.view());
    AwsCall call;
    call.endpoint = &s3;
    call.path = m_path;
    call.service = "s3";
    call.region = "eu-west-1";
    call.operation = "s3 GetObject";
    Result<AwsReply> reply = caller.call(call, credentials, sink);
    if (!reply.ok())
      errors.push_back(error_text(reply.error()));
    return reply;
  }

  std::vector<std::string> all_text() const {
    std::vector<std::string> texts = log.lines;
    texts.insert(texts.end(), errors.begin(), errors.end());
    return texts;
  }

  platform::HttpClient client;
  RealClock clock;
  SplitMix64 random{99};
  RecordingLog log;
  AwsCaller caller;
  StaticCredentials user;
  Endpoint sts;
  Endpoint s3;
  AssumeRoleSettings settings;
  std::vector<std::string> errors;

private:
  std::string m_directory;
  std::string m_base_url;
  std::string m_path;
  pid_t m_pid = 0;
  int m_port = 0;
  InlineArena<kAwsCallerArenaBytes> m_arena;
};

TEST_F(StandInTest, AssumeRoleThenGetObjectWithTheServerClockTwentyMinutesAhead) {
  AssumeRoleCredentials role;
  role.init(caller, user, sts, settings);

  // 1. AssumeRole with the external id, then GetObject with the session (path style, a key with
  //    a space): every signature is checked by botocore on the other side.
  StringSink first;
  Result<AwsReply> reply = get_object(role, first);
  ASSERT_TRUE(reply.ok()) << errors.back();
  EXPECT_EQ(reply.value().outcome, Outcome::Success);
  EXPECT_EQ(reply.value().response.status, 200);
  EXPECT_EQ(first.text, kObject);
  EXPECT_EQ(role.fetches(), 1u);
  EXPECT_GT(role.expiration(), clock.wall_seconds() + 3000);
  EXPECT_EQ(caller.offset().seconds(), 0);

  // 2. The server's clock jumps 20 minutes ahead: S3 answers RequestTimeTooSkewed, the caller
  //    learns the offset from the Date header and re-signs at once.
  ASSERT_EQ(admin(HttpMethod::Post, "/__admin/clock", "{\"offset\": 1200}"), 200);
  StringSink second;
  Result<AwsReply> skewed = get_object(role, second);
  ASSERT_TRUE(skewed.ok()) << errors.back();
  EXPECT_EQ(skewed.value().outcome, Outcome::Success);
  EXPECT_EQ(skewed.value().attempts, 2u);
  EXPECT_EQ(second.text, kObject);
  EXPECT_NEAR(static_cast<double>(caller.offset().seconds()), 1200.0, 3.0);
  EXPECT_EQ(caller.stats().resigned, 1u);
  EXPECT_TRUE(log.has_containing("clock: the server is 1"));
  EXPECT_EQ(role.fetches(), 1u); // the session is still good on the server's clock

  // 3. A new role session while the server is still ahead and this caller has forgotten: STS says
  //    "Signature expired", which is clock skew too.
  caller.offset().set_seconds(0);
  AssumeRoleCredentials again;
  again.init(caller, user, sts, settings);
  Result<Credentials> fresh = again.current(clock.wall_seconds());
  ASSERT_TRUE(fresh.ok()) << error_text(fresh.error());
  EXPECT_EQ(caller.stats().resigned, 2u);
  EXPECT_NEAR(static_cast<double>(again.expiration() - clock.wall_seconds()), 3600.0 + 1200.0, 5.0);

  // No secret in any log line or error text.
  Result<Credentials> session = role.current(caller.offset().corrected(clock.wall_seconds()));
  ASSERT_TRUE(session.ok());
  test::expect_no_secrets(all_text(),
                          {kUserSecret, kExternalId, std::string(session.value().secret_access_key),
                           std::string(session.value().session_token),
                           std::string(fresh.value().session_token)});
}

TEST_F(StandInTest, AWrongExternalIdIsPermission) {
  settings.external_id = "not-the+right/id=";
  AssumeRoleCredentials role;
  role.init(caller, user, sts, settings);
  StringSink sink;
  Result<AwsReply> reply = get_object(role, sink);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::Permission);
  EXPECT_STREQ(reply.error().message, "sts: AssumeRole refused");
  EXPECT_STREQ(reply.error().detail, "AccessDenied");
  EXPECT_EQ(role.last_error_code(), "AccessDenied");
  EXPECT_NE(role.last_error_message().find("sts:AssumeRole"), std::string_view::npos);
  EXPECT_EQ(sink.text, "");
  EXPECT_EQ(caller.stats().requests, 1u); // refused, not retried; no S3 request
  test::expect_no_secrets(all_text(), {kUserSecret, "not-the+right/id=", kExternalId});
}

} // namespace
} // namespace ec
