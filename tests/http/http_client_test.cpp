// tests/http/http_client_test.cpp - HttpClient against the local peer: exact requests, streamed and
// buffered bodies, sink errors, dropped and stalled connections, captured headers, keep-alive.
#include "core/net/aws_error.h"
#include "core/net/clock_offset.h"
#include "core/net/http_date.h"
#include "platform/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "tests/http/http_test_peer.h"

namespace ec::platform {
namespace {

using test::formatted;
using test::http_peer;
using test::PatternSink;
using test::TextSink;

// Short limits: every test here ends in a few seconds even when something hangs.
HttpSettings quick_settings() {
  HttpSettings settings;
  settings.connect_timeout_ms = 3000;
  settings.low_speed_timeout_ms = 3000;
  settings.total_timeout_ms = 20000;
  return settings;
}

class HttpClientTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(http_peer().http, 0) << "tests/http/http_peer.py did not start (python3 missing?)";
    ASSERT_TRUE(client.open(quick_settings()).ok());
  }
  Result<HttpResponse> get(const std::string& path, ByteSink& sink,
                           std::vector<RequestHeader> headers = {}) {
    HttpRequest request;
    request.url = url = http_peer().url(path);
    request.headers = headers;
    return client.send(request, sink);
  }
  HttpClient client;
  std::string url;
};

constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240601/us-east-1/s3/aws4_request, "
    "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

TEST_F(HttpClientTest, GetArrivesExactlyAsSent) {
  TextSink sink;
  std::vector<RequestHeader> headers = {
      {"Authorization", kAuthorization},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"X-Amz-Date", "20240601T120000Z"},
  };
  Result<HttpResponse> response = get("/echo?list-type=2&prefix=a%2Fb&x=%2B", sink, headers);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(response.value().status, 200);
  std::string port = std::to_string(http_peer().http);
  EXPECT_EQ(
      sink.text,
      "GET /echo?list-type=2&prefix=a%2Fb&x=%2B HTTP/1.1\n"
      "Host: 127.0.0.1:" +
          port +
          "\n"
          "Authorization: " +
          std::string(kAuthorization) +
          "\n"
          "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
          "X-Amz-Date: 20240601T120000Z\n"
          "\n");
  EXPECT_EQ(response.value().body_bytes, sink.text.size());
  EXPECT_TRUE(response.value().body.empty()); // a 2xx body went to the sink only
  EXPECT_EQ(response.value().headers.content_type(), "text/plain");
}

TEST_F(HttpClientTest, LargePostArrivesExactlyWithoutExpectOrContentTypeAdded) {
  // 2 MiB: libcurl would add "Expect: 100-continue" and a form Content-Type on its own.
  std::string body(2 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 26);
  std::string target_url = http_peer().url("/echo");
  std::vector<RequestHeader> headers = {{"X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts"},
                                        {"Authorization", kAuthorization},
                                        {"X-Empty", ""}};
  HttpRequest request{HttpMethod::Post, target_url, headers, as_bytes(body)};
  TextSink sink;
  Result<HttpResponse> response = client.send(request, sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  std::string port = std::to_string(http_peer().http);
  std::string expected_head = "POST /echo HTTP/1.1\n"
                              "Host: 127.0.0.1:" +
                              port +
                              "\n"
                              "X-Amz-Target: AWSOrganizationsV20161128.ListAccounts\n"
                              "Authorization: " +
                              std::string(kAuthorization) +
                              "\n"
                              "X-Empty: \n"
                              "Content-Length: 2097152\n"
                              "\n";
  ASSERT_EQ(sink.text.substr(0, expected_head.size()), expected_head);
  EXPECT_TRUE(sink.text.substr(expected_head.size()) == body) << "the body changed on the way";
}

TEST_F(HttpClientTest, JsonPostKeepsItsContentType) {
  std::string body = "{\"MaxResults\":20}";
  std::string target_url = http_peer().url("/echo");
  std::vector<RequestHeader> headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  TextSink sink;
  Result<HttpResponse> response =
      client.send(HttpRequest{HttpMethod::Post, target_url, headers, as_bytes(body)}, sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  std::string port = std::to_string(http_peer().http);
  EXPECT_EQ(sink.text, "POST /echo HTTP/1.1\nHost: 127.0.0.1:" + port +
                           "\nContent-Type: application/x-amz-json-1.1\nContent-Length: 17\n\n" +
                           body);
}

TEST_F(HttpClientTest, PutAndDeleteUseTheirMethods) {
  std::string target_url = http_peer().url("/echo/k");
  std::string body = "x";
  TextSink put_sink;
  ASSERT_TRUE(
      client.send(HttpRequest{HttpMethod::Put, target_url, {}, as_bytes(body)}, put_sink).ok());
  EXPECT_EQ(put_sink.text.substr(0, put_sink.text.find('\n')), "PUT /echo/k HTTP/1.1");
  EXPECT_NE(put_sink.text.find("Content-Length: 1\n"), std::string::npos);
  TextSink delete_sink;
  ASSERT_TRUE(client.send(HttpRequest{HttpMethod::Delete, target_url, {}, {}}, delete_sink).ok());
  std::string port = std::to_string(http_peer().http);
  EXPECT_EQ(delete_sink.text, "DELETE /echo/k HTTP/1.1\nHost: 127.0.0.1:" + port + "\n\n");
  TextSink get_sink; // the handle forgets the previous method
  ASSERT_TRUE(get("/echo/k", get_sink).ok());
  EXPECT_EQ(get_sink.text, "GET /echo/k HTTP/1.1\nHost: 127.0.0.1:" + port + "\n\n");
}

TEST_F(HttpClientTest, PathIsSentAsSignedWithDotSegmentsAndDoubleSlashes) {
  TextSink sink;
  ASSERT_TRUE(get("/echo/a/./b/../c//d%20e", sink).ok());
  EXPECT_EQ(sink.text.substr(0, sink.text.find('\n')), "GET /echo/a/./b/../c//d%20e HTTP/1.1");
}

TEST_F(HttpClientTest, RefusesHeaderInjectionAndBadNames) {
  TextSink sink;
  Result<HttpResponse> injected = get("/echo", sink, {{"X-Amz-Date", "1\r\nX-Evil: 1"}});
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(injected.error().message, "http: line break in a request header value");
  Result<HttpResponse> bad_name = get("/echo", sink, {{"Bad Name", "x"}});
  ASSERT_FALSE(bad_name.ok());
  EXPECT_STREQ(bad_name.error().message, "http: bad request header name");
  std::string nul_name("X-A\0b", 5);
  Result<HttpResponse> nul = get("/echo", sink, {{nul_name, "x"}});
  ASSERT_FALSE(nul.ok());
  EXPECT_STREQ(nul.error().message, "http: bad request header name");
  EXPECT_TRUE(sink.text.empty());
  // The client still works afterwards.
  ASSERT_TRUE(get("/echo", sink).ok());
  EXPECT_FALSE(sink.text.empty());
}

TEST_F(HttpClientTest, BodyOnGetIsRefused) {
  std::string target_url = http_peer().url("/echo");
  std::string body = "x";
  TextSink sink;
  Result<HttpResponse> response =
      client.send(HttpRequest{HttpMethod::Get, target_url, {}, as_bytes(body)}, sink);
  ASSERT_FALSE(response.ok());
  EXPECT_STREQ(response.error().message, "http: this method sends no body");
}

TEST_F(HttpClientTest, StreamsALargeBodyInChunksToTheSink) {
  constexpr std::uint64_t kBytes = 8 * 1024 * 1024 + 17;
  PatternSink sink;
  Result<HttpResponse> response = get("/bytes?n=" + std::to_string(kBytes), sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(response.value().status, 200);
  EXPECT_EQ(sink.received, kBytes);
  EXPECT_EQ(sink.mismatches, 0u) << "first at byte " << sink.first_mismatch;
  EXPECT_EQ(response.value().body_bytes, kBytes);
  EXPECT_EQ(response.value().headers.content_length(), std::optional<std::uint64_t>(kBytes));
  EXPECT_GT(sink.chunks.size(), 500u);
  for (std::size_t size : sink.chunks)
    ASSERT_LE(size, 16u * 1024); // CURL_MAX_WRITE_SIZE
  EXPECT_EQ(sink.finished, 0);   // the caller decides when the body is whole
}

TEST_F(HttpClientTest, SinkErrorStopsTheTransferAndComesBackUnchanged) {
  PatternSink sink;
  sink.fail_after = 100'000;
  auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = get("/bytes?n=50000000", sink);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  const Error& error = response.error();
  EXPECT_EQ(error.code, ErrorCode::Corrupt);
  EXPECT_STREQ(error.message, "test-sink: refused");
  EXPECT_EQ(error.lib, ErrorLib::None);
  EXPECT_EQ(error.where, ErrorWhere::Line);
  EXPECT_EQ(error.position, 42u);
  EXPECT_LE(sink.received, 100'000u);
  EXPECT_LT(elapsed, std::chrono::seconds(3)); // did not read the other 49.9 MB
  // The next request on the same client works (the broken connection is not reused).
  PatternSink next;
  Result<HttpResponse> again = get("/bytes?n=1000", next);
  ASSERT_TRUE(again.ok()) << formatted(again.error());
  EXPECT_EQ(next.received, 1000u);
}

TEST_F(HttpClientTest, ConnectionCutMidBodyReportsTheBytesReceived) {
  PatternSink sink;
  Result<HttpResponse> response = get("/cut?n=100000&after=30000", sink);
  ASSERT_FALSE(response.ok());
  const Error& error = response.error();
  EXPECT_EQ(error.code, ErrorCode::Network);
  EXPECT_STREQ(error.message, "http: connection dropped");
  EXPECT_EQ(error.lib, ErrorLib::Curl);
  EXPECT_EQ(error.lib_code, 18); // CURLE_PARTIAL_FILE
  EXPECT_EQ(error.where, ErrorWhere::ByteOffset);
  EXPECT_EQ(error.position, 30000u);
  EXPECT_EQ(sink.received, 30000u);
  EXPECT_EQ(sink.mismatches, 0u);
  EXPECT_EQ(formatted(error), "http: connection dropped (at byte 30000) [curl 18]");
  EXPECT_EQ(classify_transport(error), Outcome::Retry);
}

TEST_F(HttpClientTest, ClosedWithoutAResponse) {
  PatternSink sink;
  Result<HttpResponse> response = get("/close", sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::Network);
  EXPECT_STREQ(response.error().message, "http: connection closed before a response");
  EXPECT_EQ(classify_transport(response.error()), Outcome::Retry);
}

TEST_F(HttpClientTest, StallTripsTheLowSpeedLimit) {
  HttpSettings settings = quick_settings();
  settings.low_speed_timeout_ms = 1000;
  ASSERT_TRUE(client.open(settings).ok());
  // libcurl averages the speed over the last 5 seconds, so the 500 bytes sent at once keep it
  // above 1 KB/s for half a second; the limit then trips one second later.
  PatternSink sink;
  auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = get("/stall?n=100000&after=500&seconds=5", sink);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::Network);
  EXPECT_STREQ(response.error().message, "http: transfer stalled");
  EXPECT_EQ(response.error().lib_code, 28); // CURLE_OPERATION_TIMEDOUT
  EXPECT_EQ(response.error().position, 500u);
  EXPECT_EQ(sink.received, 500u);
  EXPECT_EQ(classify_transport(response.error()), Outcome::Retry);
  EXPECT_LT(elapsed, std::chrono::milliseconds(3500)); // the peer would hang up at 5 s
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
}

TEST_F(HttpClientTest, TotalTimeoutEndsASlowButSteadyTransfer) {
  HttpSettings settings = quick_settings();
  settings.total_timeout_ms = 800;
  ASSERT_TRUE(client.open(settings).ok());
  PatternSink sink; // 40 KB/s: far above the low-speed limit, far below the size
  Result<HttpResponse> response = get("/trickle?n=1000000&chunk=4000&interval=0.1", sink);
  ASSERT_FALSE(response.ok());
  EXPECT_STREQ(response.error().message, "http: timed out");
  EXPECT_EQ(response.error().lib_code, 28);
  EXPECT_GT(sink.received, 4000u);
  EXPECT_EQ(response.error().position, sink.received);
}

TEST_F(HttpClientTest, NothingListeningIsCannotConnect) {
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  close(probe); // the port is free now and nothing listens on it
  std::string target_url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) +
                           "/x?X-Amz-Credential=AKIDSECRET&X-Amz-Signature=feed";
  PatternSink sink;
  Result<HttpResponse> response =
      client.send(HttpRequest{HttpMethod::Get, target_url, {}, {}}, sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(formatted(response.error()), "http: cannot connect [curl 7]"); // no URL, no query
  EXPECT_EQ(classify_transport(response.error()), Outcome::Retry);
}

TEST_F(HttpClientTest, ConnectTimeoutIsTimedOutConnecting) {
  // A listener on 127.0.0.1 whose accept queue is full: Linux drops further SYNs, so the
  // connection never completes (no other address needed to make a black hole).
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  socklen_t length = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    int filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(filler);
  }
  HttpSettings settings = quick_settings();
  settings.connect_timeout_ms = 500;
  ASSERT_TRUE(client.open(settings).ok());
  std::string target_url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
  PatternSink sink;
  auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response =
      client.send(HttpRequest{HttpMethod::Get, target_url, {}, {}}, sink);
  auto elapsed = std::chrono::steady_clock::now() - start;
  for (int filler : fillers)
    close(filler);
  close(listener);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(formatted(response.error()), "http: timed out connecting [curl 28]");
  EXPECT_EQ(classify_transport(response.error()), Outcome::Retry);
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
}

TEST_F(HttpClientTest, UnsupportedSchemesAndMalformedUrls) {
  PatternSink sink;
  for (const char* target : {"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/"}) {
    Result<HttpResponse> response = client.send(HttpRequest{HttpMethod::Get, target, {}, {}}, sink);
    ASSERT_FALSE(response.ok()) << target;
    EXPECT_EQ(response.error().code, ErrorCode::Unsupported) << target;
    EXPECT_STREQ(response.error().message, "http: unsupported URL scheme");
  }
  Result<HttpResponse> malformed =
      client.send(HttpRequest{HttpMethod::Get, "http://127.0.0.1:99999/", {}, {}}, sink);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::InvalidArgument);
  std::string long_url = http_peer().url("/echo?") + std::string(kMaxUrlBytes, 'a');
  Result<HttpResponse> too_long = client.send(HttpRequest{HttpMethod::Get, long_url, {}, {}}, sink);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(sink.received, 0u);
}

TEST_F(HttpClientTest, RedirectsAreNotFollowed) {
  TextSink sink;
  Result<HttpResponse> response = get("/redirect", sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(response.value().status, 302);
  EXPECT_TRUE(sink.text.empty());
  EXPECT_EQ(test::as_string(response.value().body), "moved");
}

TEST_F(HttpClientTest, ErrorBodyNeverReachesTheSinkAndIsKeptBounded) {
  PatternSink sink;
  Result<HttpResponse> response = get("/error-body?n=50000&code=500", sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  const HttpResponse& value = response.value();
  EXPECT_EQ(value.status, 500);
  EXPECT_EQ(sink.received, 0u);
  EXPECT_EQ(value.body_bytes, 50000u);
  ASSERT_EQ(value.body.size(), kMaxErrorBodyBytes);
  AwsError error = parse_aws_error(value.body);
  EXPECT_EQ(error.code, "InternalError");
  EXPECT_EQ(classify(value.status, error.code, error.message), Outcome::Retry);
}

TEST_F(HttpClientTest, S3ErrorIsCapturedAndClassified) {
  PatternSink sink;
  Result<HttpResponse> response = get("/status?code=503&aws=SlowDown&message=Please%20reduce%"
                                      "20your%20request%20rate.&retry_after=3",
                                      sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  const HttpResponse& value = response.value();
  EXPECT_EQ(value.status, 503);
  EXPECT_EQ(value.headers.request_id(), "REQ-PEER-1");
  EXPECT_EQ(value.headers.retry_after(), "3");
  EXPECT_EQ(value.headers.content_type(), "application/xml");
  AwsError error = parse_aws_error(value.body);
  EXPECT_EQ(error.code, "SlowDown");
  EXPECT_EQ(error.message, "Please reduce your request rate.");
  EXPECT_EQ(classify(value.status, error.code, error.message), Outcome::Throttled);
  EXPECT_EQ(sink.received, 0u);
}

TEST_F(HttpClientTest, DateHeaderIsCapturedAndTeachesTheClockOffset) {
  PatternSink sink;
  Result<HttpResponse> response = get("/date?value=Sun,%2006%20Nov%201994%2008:49:37%20GMT", sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(response.value().headers.date(), "Sun, 06 Nov 1994 08:49:37 GMT");
  ClockOffset offset;
  constexpr UnixSeconds kLocal = 1717243200;
  DateCheck check = offset.check(response.value().headers.date(), kLocal);
  EXPECT_EQ(check.skew, DateSkew::Skewed);
  EXPECT_EQ(offset.learn(check, Outcome::Success), OffsetChange::Changed);
  EXPECT_EQ(offset.corrected(kLocal), 784111777);
  // A live Date from the peer is close to this machine's clock.
  PatternSink live_sink;
  Result<HttpResponse> live = get("/bytes?n=1", live_sink);
  ASSERT_TRUE(live.ok());
  Result<UnixSeconds> server = parse_http_date(live.value().headers.date());
  ASSERT_TRUE(server.ok()) << live.value().headers.date();
  EXPECT_NEAR(static_cast<double>(server.value()), static_cast<double>(time(nullptr)), 5.0);
}

TEST_F(HttpClientTest, RangeRequestReturns206WithContentRange) {
  PatternSink sink(100);
  Result<HttpResponse> response = get("/object", sink, {{"Range", "bytes=100-199"}});
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  const HttpResponse& value = response.value();
  EXPECT_EQ(value.status, 206);
  EXPECT_EQ(value.headers.content_range(), "bytes 100-199/1000");
  EXPECT_EQ(value.headers.content_length(), std::optional<std::uint64_t>(100));
  EXPECT_EQ(value.headers.etag(), "\"0123456789abcdef0123456789abcdef\"");
  EXPECT_EQ(sink.received, 100u);
  EXPECT_EQ(sink.mismatches, 0u);

  PatternSink clipped_sink(990);
  Result<HttpResponse> clipped = get("/object", clipped_sink, {{"Range", "bytes=990-2000"}});
  ASSERT_TRUE(clipped.ok());
  EXPECT_EQ(clipped.value().headers.content_range(), "bytes 990-999/1000");
  EXPECT_EQ(clipped_sink.received, 10u);
  EXPECT_EQ(clipped_sink.mismatches, 0u);

  PatternSink past_sink;
  Result<HttpResponse> past = get("/object", past_sink, {{"Range", "bytes=1000-"}});
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(past.value().status, 416);
  EXPECT_EQ(past_sink.received, 0u);
  EXPECT_EQ(parse_aws_error(past.value().body).code, "InvalidRange");
  EXPECT_EQ(past.value().headers.content_range(), "bytes */1000");
}

TEST_F(HttpClientTest, HeadGivesTheSizeAndNoBody) {
  std::string target_url = http_peer().url("/object");
  PatternSink sink;
  Result<HttpResponse> response =
      client.send(HttpRequest{HttpMethod::Head, target_url, {}, {}}, sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(response.value().status, 200);
  EXPECT_EQ(response.value().headers.content_length(), std::optional<std::uint64_t>(1000));
  EXPECT_EQ(response.value().body_bytes, 0u);
  EXPECT_EQ(sink.received, 0u);
}

TEST_F(HttpClientTest, TooLongETagIsLimitExceededNotCut) {
  PatternSink sink;
  Result<HttpResponse> response =
      get("/long-etag?bytes=" + std::to_string(kMaxETagBytes + 1), sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(response.error().detail, "ETag");
  Result<HttpResponse> fits = get("/long-etag?bytes=" + std::to_string(kMaxETagBytes), sink);
  ASSERT_TRUE(fits.ok()) << formatted(fits.error());
  EXPECT_EQ(fits.value().headers.etag().size(), kMaxETagBytes);
}

TEST_F(HttpClientTest, KeepsTheConnectionAlive) {
  PatternSink first_sink, second_sink;
  Result<HttpResponse> first = get("/bytes?n=100", first_sink);
  Result<HttpResponse> second = get("/bytes?n=100", second_sink);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value().new_connections, 1u);
  EXPECT_EQ(second.value().new_connections, 0u);
}

TEST_F(HttpClientTest, BufferModeHoldsSmallApiResponses) {
  std::vector<std::uint8_t> buffer(4096);
  std::string target_url = http_peer().url("/bytes?n=4096");
  Result<HttpResponse> fits =
      client.send(HttpRequest{HttpMethod::Get, target_url, {}, {}}, MutableBytes(buffer));
  ASSERT_TRUE(fits.ok()) << formatted(fits.error());
  ASSERT_EQ(fits.value().body.size(), 4096u);
  EXPECT_EQ(fits.value().body.data(), buffer.data());
  EXPECT_EQ(fits.value().body[4095], test::pattern_byte(4095));

  std::string larger_url = http_peer().url("/bytes?n=4097");
  Result<HttpResponse> over =
      client.send(HttpRequest{HttpMethod::Get, larger_url, {}, {}}, MutableBytes(buffer));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(over.error().message, "http: response body larger than its buffer");
  EXPECT_EQ(over.error().position, 4096u);

  // Error bodies come back in the buffer too, whole.
  std::string missing_url = http_peer().url("/no-such-route");
  Result<HttpResponse> missing =
      client.send(HttpRequest{HttpMethod::Get, missing_url, {}, {}}, MutableBytes(buffer));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value().status, 404);
  AwsError error = parse_aws_error(missing.value().body);
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(classify(404, error.code), Outcome::NotFound);
}

TEST_F(HttpClientTest, BadSettingsAreNamed) {
  HttpSettings settings = quick_settings();
  std::string long_proxy = "http://127.0.0.1:3128/" + std::string(kMaxSettingBytes, 'p');
  settings.proxy = long_proxy;
  Status too_long = client.open(settings);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(formatted(too_long.error()), "http: setting too long: proxy");
  settings = quick_settings();
  settings.ca_bundle = "/etc/ssl/ca.pem\nX";
  Status line_break = client.open(settings);
  ASSERT_FALSE(line_break.ok());
  EXPECT_EQ(formatted(line_break.error()), "http: line break in a setting: ca_bundle");
  // A failed open leaves no half-configured client behind.
  PatternSink sink;
  std::string target_url = http_peer().url("/echo");
  Result<HttpResponse> response =
      client.send(HttpRequest{HttpMethod::Get, target_url, {}, {}}, sink);
  ASSERT_FALSE(response.ok());
  EXPECT_STREQ(response.error().message, "http: client not opened");
}

TEST_F(HttpClientTest, NotOpenedIsAnError) {
  HttpClient unopened;
  PatternSink sink;
  std::string target_url = http_peer().url("/echo");
  Result<HttpResponse> response =
      unopened.send(HttpRequest{HttpMethod::Get, target_url, {}, {}}, sink);
  ASSERT_FALSE(response.ok());
  EXPECT_STREQ(response.error().message, "http: client not opened");
}

} // namespace
} // namespace ec::platform
