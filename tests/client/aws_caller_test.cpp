// tests/client/aws_caller_test.cpp - AwsCaller's loop over a scripted transport: backoff with
// full jitter, clock-skew re-signing, session renewal, transport failures, streamed bodies.
#include "core/client/aws_caller.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/client/client_fakes.h"

namespace ec {
namespace {

using test::amz_date;
using test::error_text;
using test::FakeClock;
using test::FakeTransport;
using test::FixedRandom;
using test::RecordingLog;
using test::RenewableCredentials;
using test::respond;
using test::s3_error;
using test::StringSink;
using test::transport_error;

constexpr const char* kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kToken = "FwoGZXIvYXdzEXAMPLE/session+token=";

class AwsCallerTest : public ::testing::Test {
protected:
  AwsCallerTest()
      : m_storage(kAwsCallerArenaBytes), m_arena(MutableBytes(m_storage.data(), m_storage.size())) {
  }

  void SetUp() override {
    ASSERT_TRUE(keys.set(kAccessKey, kSecret, kToken).ok());
    Result<Endpoint> parsed = s3_endpoint("http://127.0.0.1:9000", "eu-west-1", "cur-bucket", true);
    ASSERT_TRUE(parsed.ok());
    endpoint = parsed.value();
    start(RetryPolicy{}, random);
  }

  void TearDown() override {
    std::vector<std::string> texts = log.lines;
    texts.insert(texts.end(), errors.begin(), errors.end());
    test::expect_no_secrets(texts, {kSecret, kToken, "renewable/secret+KEY="});
  }

  void start(const RetryPolicy& policy, RandomSource& source) {
    m_arena.reset();
    ASSERT_TRUE(caller.init(transport, clock, source, log, policy, m_arena).ok());
  }

  AwsCall get_object(std::string_view path = "/2024-06/report%20one.csv.gz") {
    AwsCall call;
    call.method = HttpMethod::Get;
    call.endpoint = &endpoint;
    call.path = path;
    call.service = "s3";
    call.region = "eu-west-1";
    call.operation = "s3 GetObject";
    return call;
  }

  // The reply of a call into `body`, or its error (kept for the secret check).
  Result<AwsReply> run(const AwsCall& call, CredentialSource& credentials) {
    Result<AwsReply> reply = caller.call(call, credentials, MutableBytes(body, sizeof body));
    if (!reply.ok())
      errors.push_back(error_text(reply.error()));
    return reply;
  }
  Result<AwsReply> stream(const AwsCall& call, StringSink& sink) {
    Result<AwsReply> reply = caller.call(call, keys, sink);
    if (!reply.ok())
      errors.push_back(error_text(reply.error()));
    return reply;
  }

  FakeClock clock;
  FakeTransport transport{clock};
  SplitMix64 random{20240601};
  RecordingLog log;
  StaticCredentials keys;
  Endpoint endpoint;
  AwsCaller caller;
  std::uint8_t body[4096];
  std::vector<std::string> errors;

private:
  std::vector<std::uint8_t> m_storage;
  Arena m_arena;
};

TEST_F(AwsCallerTest, InitNeedsItsArenaBudget) {
  std::vector<std::uint8_t> small(kAwsCallerArenaBytes - 1);
  Arena arena(MutableBytes(small.data(), small.size()));
  AwsCaller other;
  Status status = other.init(transport, clock, random, log, RetryPolicy{}, arena);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::OutOfMemory);

  std::vector<std::uint8_t> exact(kAwsCallerArenaBytes);
  Arena fits(MutableBytes(exact.data(), exact.size()));
  EXPECT_TRUE(other.init(transport, clock, random, log, RetryPolicy{}, fits).ok());
  EXPECT_LE(fits.high_water(), kAwsCallerArenaBytes);
}

TEST_F(AwsCallerTest, SignedGetCarriesOnlyTheCallersAndTheSignersHeaders) {
  transport.script.push_back(respond(200, "hourly,cost\n"));
  const HttpHeader range[] = {{"Range", "bytes=0-99"}};
  AwsCall call = get_object();
  call.headers = range;
  Result<AwsReply> reply = run(call, keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Success);
  EXPECT_EQ(as_text(reply.value().response.body), "hourly,cost\n");
  EXPECT_EQ(reply.value().attempts, 1u);

  ASSERT_EQ(transport.requests.size(), 1u);
  const test::Recorded& sent = transport.requests[0];
  EXPECT_EQ(sent.method, HttpMethod::Get);
  EXPECT_EQ(sent.url, "http://127.0.0.1:9000/cur-bucket/2024-06/report%20one.csv.gz");
  EXPECT_EQ(sent.header_names(),
            (std::vector<std::string>{"Range", "Authorization", "X-Amz-Date",
                                      "X-Amz-Content-SHA256", "X-Amz-Security-Token"}));
  EXPECT_EQ(sent.header("X-Amz-Date"), amz_date(clock.wall));
  EXPECT_EQ(sent.header("X-Amz-Security-Token"), kToken);
  EXPECT_EQ(sent.header("X-Amz-Content-SHA256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  // The signature covers what was sent: host with its port, the base path, the Range header.
  SignedHeaders expected;
  SigningInput input;
  input.method = "GET";
  input.scheme = Scheme::Http;
  input.host = "127.0.0.1";
  input.port = 9000;
  input.path = "/cur-bucket/2024-06/report%20one.csv.gz";
  input.headers = range;
  input.region = "eu-west-1";
  input.service = "s3";
  input.rules = kS3Rules;
  input.time.unix_seconds = clock.wall;
  ASSERT_TRUE(sign_request(input, Credentials{kAccessKey, kSecret, kToken}, expected).ok());
  EXPECT_EQ(sent.header("Authorization"), std::string(expected.authorization()));
}

TEST_F(AwsCallerTest, QueryIsCanonicalInTheUrlAndTheSignature) {
  Result<Endpoint> proxy = Endpoint::parse("http://127.0.0.1:8080/gateway/");
  ASSERT_TRUE(proxy.ok());
  transport.script.push_back(respond(200, "{}"));
  const QueryParameter query[] = {
      {"prefix", "cur/a b"}, {"list-type", "2"}, {"continuation-token", "1/+="}};
  const HttpHeader json[] = {{"X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts"},
                             {"Content-Type", "application/x-amz-json-1.1"}};
  AwsCall call;
  call.method = HttpMethod::Post;
  call.endpoint = &proxy.value();
  call.query = query;
  call.headers = json;
  call.body = as_bytes("{\"MaxResults\":20}");
  call.service = "organizations";
  call.region = "us-east-1";
  call.operation = "organizations ListAccounts";
  RenewableCredentials session;
  ASSERT_TRUE(run(call, session).ok());
  ASSERT_EQ(transport.requests.size(), 1u);
  const test::Recorded& sent = transport.requests[0];
  EXPECT_EQ(sent.url, "http://127.0.0.1:8080/gateway?continuation-token=1%2F%2B%3D&list-type=2"
                      "&prefix=cur%2Fa%20b");
  EXPECT_EQ(sent.body, "{\"MaxResults\":20}");
  // No content hash header outside S3; the session token is sent.
  EXPECT_EQ(sent.header_names(),
            (std::vector<std::string>{"X-Amz-Target", "Content-Type", "Authorization", "X-Amz-Date",
                                      "X-Amz-Security-Token"}));
  EXPECT_NE(sent.header("Authorization")
                .find("/us-east-1/organizations/aws4_request, SignedHeaders=content-type;host;"
                      "x-amz-date;x-amz-security-token;x-amz-target, Signature="),
            std::string::npos)
      << sent.header("Authorization");
}

TEST_F(AwsCallerTest, SlowDownTwiceThenSuccessBacksOffWithinFullJitter) {
  transport.script.push_back(s3_error(503, "SlowDown", "Please reduce your request rate."));
  transport.script.push_back(s3_error(503, "SlowDown", "Please reduce your request rate."));
  transport.script.push_back(respond(200, "data"));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Success);
  EXPECT_EQ(reply.value().attempts, 3u);
  EXPECT_EQ(as_text(reply.value().response.body), "data");
  EXPECT_EQ(transport.requests.size(), 3u);

  // Full jitter: retry i waits a uniform value in [0, min(cap, base * 2^i)].
  ASSERT_EQ(clock.pauses.size(), 2u);
  EXPECT_LE(clock.pauses[0], 200u);
  EXPECT_LE(clock.pauses[1], 400u);
  const AwsCallerStats& stats = caller.stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.retries, 2u);
  EXPECT_EQ(stats.throttled, 2u);
  EXPECT_EQ(stats.delay_ms, clock.paused_total());
  EXPECT_TRUE(log.has("s3 GetObject: 503 SlowDown; retry 1 of 5 in " +
                      std::to_string(clock.pauses[0]) + " ms"));
  EXPECT_TRUE(log.has("s3 GetObject: 503 SlowDown; retry 2 of 5 in " +
                      std::to_string(clock.pauses[1]) + " ms"));
  // Each try is signed again (the date moved while waiting).
  EXPECT_NE(transport.requests[0].header("Authorization"), "<absent>");
}

TEST_F(AwsCallerTest, BackoffCeilingDoublesUpToTheCap) {
  FixedRandom top(UINT32_MAX); // always the ceiling of the jitter range
  RetryPolicy policy;
  policy.max_attempts = 6;
  policy.base_delay_ms = 200;
  policy.cap_delay_ms = 1000;
  start(policy, top);
  for (int i = 0; i < 5; ++i)
    transport.script.push_back(s3_error(503, "SlowDown"));
  transport.script.push_back(respond(200, "ok"));
  ASSERT_TRUE(run(get_object(), keys).ok());
  EXPECT_EQ(clock.pauses, (std::vector<std::uint32_t>{200, 400, 800, 1000, 1000}));

  FixedRandom bottom(0);
  start(policy, bottom);
  clock.pauses.clear();
  transport.script.push_back(s3_error(500, "InternalError"));
  transport.script.push_back(respond(200, "ok"));
  ASSERT_TRUE(run(get_object(), keys).ok());
  EXPECT_EQ(clock.pauses, (std::vector<std::uint32_t>{0}));
}

TEST_F(AwsCallerTest, RetryAfterIsAFloorForTheBackoff) {
  FixedRandom bottom(0);
  start(RetryPolicy{}, bottom);
  test::Scripted throttled = s3_error(503, "SlowDown");
  throttled.headers.emplace_back("Retry-After", "3");
  transport.script.push_back(throttled);
  transport.script.push_back(respond(200, "ok"));
  ASSERT_TRUE(run(get_object(), keys).ok());
  EXPECT_EQ(clock.pauses, (std::vector<std::uint32_t>{3000}));
}

TEST_F(AwsCallerTest, AttemptsExhaustedReturnsTheLastReply) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  start(policy, random);
  transport.script.push_back(s3_error(500, "InternalError", "first"));
  transport.script.push_back(s3_error(503, "SlowDown", "second"));
  transport.script.push_back(s3_error(500, "InternalError", "We encountered an internal error."));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Retry);
  EXPECT_EQ(reply.value().response.status, 500);
  EXPECT_EQ(reply.value().error.code, "InternalError");
  EXPECT_EQ(reply.value().error.message, "We encountered an internal error.");
  EXPECT_EQ(reply.value().attempts, 3u);
  EXPECT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(clock.pauses.size(), 2u);
  EXPECT_TRUE(log.has("s3 GetObject: 500 InternalError; giving up after 3 tries"));
}

TEST_F(AwsCallerTest, NotFoundAndAccessDeniedAreNotRetried) {
  transport.script.push_back(s3_error(404, "NoSuchKey", "The specified key does not exist."));
  Result<AwsReply> missing = run(get_object(), keys);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value().outcome, Outcome::NotFound);
  EXPECT_EQ(missing.value().error.code, "NoSuchKey");

  transport.script.push_back(s3_error(403, "AccessDenied", "Access Denied"));
  Result<AwsReply> denied = run(get_object(), keys);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied.value().outcome, Outcome::Auth);
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_TRUE(clock.pauses.empty());
}

TEST_F(AwsCallerTest, RequestTimeTooSkewedResignsAtOnceWithTheServersClock) {
  transport.server_ahead_seconds = 20 * 60;
  transport.script.push_back(s3_error(403, "RequestTimeTooSkewed",
                                      "The difference between the request time and the current "
                                      "time is too large."));
  transport.script.push_back(respond(200, "data"));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Success);
  EXPECT_EQ(reply.value().attempts, 2u);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].header("X-Amz-Date"), amz_date(clock.wall));
  EXPECT_EQ(transport.requests[1].header("X-Amz-Date"), amz_date(clock.wall + 1200));
  EXPECT_NE(transport.requests[0].header("Authorization"),
            transport.requests[1].header("Authorization"));
  EXPECT_EQ(caller.offset().seconds(), 1200);
  EXPECT_EQ(caller.stats().resigned, 1u);
  EXPECT_TRUE(clock.pauses.empty());
  EXPECT_TRUE(
      log.has("clock: the server is 1200 s ahead of this device; signing with that offset"));

  // The next call is signed with the learned offset from its first try.
  transport.script.push_back(respond(200, "again"));
  ASSERT_TRUE(run(get_object(), keys).ok());
  EXPECT_EQ(transport.requests[2].header("X-Amz-Date"), amz_date(clock.wall + 1200));
}

TEST_F(AwsCallerTest, ASkewedDateOnASuccessMovesTheOffsetForTheNextRequest) {
  transport.server_ahead_seconds = -600; // this device is 10 minutes fast
  transport.script.push_back(respond(200, "data"));
  ASSERT_TRUE(run(get_object(), keys).ok());
  EXPECT_EQ(caller.offset().seconds(), -600);
  EXPECT_TRUE(log.has("clock: the server is 600 s behind this device; signing with that offset"));
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(AwsCallerTest, ClockSkewRetriesAreBounded) {
  // A server whose Date keeps moving: two re-signs, then the ClockSkew reply is returned.
  for (int i = 0; i < 3; ++i) {
    test::Scripted skewed = s3_error(403, "RequestTimeTooSkewed");
    char date[30];
    std::size_t size = format_http_date(clock.wall + 1000 * (i + 1), date, sizeof date);
    skewed.headers.emplace_back("Date", std::string(date, size));
    transport.script.push_back(skewed);
  }
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::ClockSkew);
  EXPECT_EQ(reply.value().attempts, 3u);
  EXPECT_EQ(caller.stats().resigned, 2u);
}

TEST_F(AwsCallerTest, ExpiredTokenRenewsTheSessionOnce) {
  RenewableCredentials session;
  transport.script.push_back(s3_error(400, "ExpiredToken", "The provided token has expired."));
  transport.script.push_back(respond(200, "data"));
  Result<AwsReply> reply = run(get_object(), session);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Success);
  EXPECT_EQ(reply.value().attempts, 2u);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].header("X-Amz-Security-Token"), "token-1");
  EXPECT_EQ(transport.requests[1].header("X-Amz-Security-Token"), "token-2");
  EXPECT_EQ(session.invalidations, 1);
  EXPECT_EQ(caller.stats().renewed, 1u);
  EXPECT_TRUE(clock.pauses.empty());
  EXPECT_TRUE(log.has("s3 GetObject: 400 ExpiredToken; renewing the credentials"));
}

TEST_F(AwsCallerTest, ASecondExpiredTokenIsReturned) {
  RenewableCredentials session;
  transport.script.push_back(s3_error(400, "ExpiredToken"));
  transport.script.push_back(s3_error(400, "ExpiredToken"));
  Result<AwsReply> reply = run(get_object(), session);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Auth);
  EXPECT_EQ(reply.value().error.code, "ExpiredToken");
  EXPECT_EQ(reply.value().attempts, 2u);
  EXPECT_EQ(session.invalidations, 1);
}

TEST_F(AwsCallerTest, AStaticKeyIsNotRenewed) {
  transport.script.push_back(s3_error(400, "ExpiredToken"));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().outcome, Outcome::Auth);
  EXPECT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(caller.stats().renewed, 0u);

  // JSON services spell it ExpiredTokenException.
  RenewableCredentials session;
  transport.script.push_back(respond(400, "{\"__type\":\"com.amazon.coral.service#"
                                          "ExpiredTokenException\",\"message\":\"expired\"}"));
  transport.script.push_back(respond(200, "{}"));
  ASSERT_TRUE(run(get_object(), session).ok());
  EXPECT_EQ(session.invalidations, 1);
}

TEST_F(AwsCallerTest, TransportNetworkErrorsAreRetried) {
  transport.script.push_back(transport_error(ErrorCode::Network, "http: cannot connect"));
  transport.script.push_back(transport_error(ErrorCode::Network, "http: connection dropped"));
  transport.script.push_back(respond(200, "data"));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().attempts, 3u);
  EXPECT_EQ(transport.requests.size(), 3u);
  ASSERT_EQ(clock.pauses.size(), 2u);
  EXPECT_EQ(caller.stats().retries, 2u);
  EXPECT_TRUE(log.has("s3 GetObject: http: cannot connect; retry 1 of 5 in " +
                      std::to_string(clock.pauses[0]) + " ms"));
}

TEST_F(AwsCallerTest, TheLastTransportErrorIsReturnedWhenAttemptsRunOut) {
  RetryPolicy policy;
  policy.max_attempts = 2;
  start(policy, random);
  transport.script.push_back(transport_error(ErrorCode::Network, "http: cannot connect"));
  transport.script.push_back(transport_error(ErrorCode::Network, "http: timed out connecting"));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::Network);
  EXPECT_STREQ(reply.error().message, "http: timed out connecting");
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_TRUE(log.has("s3 GetObject: http: timed out connecting; giving up after 2 tries"));
}

TEST_F(AwsCallerTest, OtherTransportErrorsAreNotRetried) {
  transport.script.push_back(
      transport_error(ErrorCode::Permission, "http: TLS certificate not trusted"));
  Result<AwsReply> reply = run(get_object(), keys);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::Permission);
  EXPECT_EQ(transport.requests.size(), 1u);

  // A body larger than the buffer: LimitExceeded, once.
  transport.script.push_back(respond(200, std::string(sizeof body + 1, 'x')));
  Result<AwsReply> large = run(get_object(), keys);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(AwsCallerTest, SinkFormACutAfterBodyBytesIsReturnedWithItsOffset) {
  test::Scripted cut = respond(200, "0123456789");
  cut.cut_after = 4;
  cut.error = make_lib_error(ErrorCode::Network, "http: connection dropped", ErrorLib::Curl, 18);
  transport.script.push_back(cut);
  StringSink sink;
  Result<AwsReply> reply = stream(get_object(), sink);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::Network);
  EXPECT_EQ(reply.error().where, ErrorWhere::ByteOffset);
  EXPECT_EQ(reply.error().position, 4u);
  EXPECT_EQ(sink.text, "0123");
  EXPECT_EQ(transport.requests.size(), 1u);
  EXPECT_TRUE(clock.pauses.empty());
}

TEST_F(AwsCallerTest, SinkFormRetriesWhileNoBodyByteArrived) {
  transport.script.push_back(s3_error(503, "SlowDown"));
  transport.script.push_back(transport_error(ErrorCode::Network, "http: connection dropped"));
  transport.script.push_back(respond(206, "0123456789"));
  StringSink sink;
  Result<AwsReply> reply = stream(get_object(), sink);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.value().response.status, 206);
  EXPECT_EQ(reply.value().attempts, 3u);
  EXPECT_EQ(sink.text, "0123456789"); // the error body never reached the sink
  EXPECT_EQ(transport.requests.size(), 3u);
}

TEST_F(AwsCallerTest, SinkFormTheSinksOwnErrorIsReturnedUnchanged) {
  transport.script.push_back(respond(200, "0123456789"));
  StringSink sink;
  sink.fail_at = 5;
  Result<AwsReply> reply = stream(get_object(), sink);
  ASSERT_FALSE(reply.ok());
  EXPECT_STREQ(reply.error().message, "sink: disk full");
  EXPECT_EQ(reply.error().where, ErrorWhere::None);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(AwsCallerTest, SigningFailuresStopBeforeSending) {
  // A key that is not URI-encoded canonically cannot be signed for S3.
  Result<AwsReply> reply = run(get_object("/a b"), keys);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::InvalidArgument);
  EXPECT_TRUE(transport.requests.empty());
}

} // namespace
} // namespace ec
