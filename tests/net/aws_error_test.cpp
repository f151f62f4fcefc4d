// tests/net/aws_error_test.cpp - AWS error bodies and statuses sorted into what the caller does
// next.
#include "core/net/aws_error.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

struct Case {
  std::uint16_t status;
  const char* code;
  const char* message;
  DateSkew skew;
  Outcome expected;
};

TEST(Classify, AwsCodesAndStatuses) {
  const Case cases[] = {
      {200, "", "", DateSkew::Unknown, Outcome::Success},
      {206, "", "", DateSkew::Unknown, Outcome::Success},
      {204, "InternalError", "", DateSkew::Unknown, Outcome::Success}, // 2xx wins over a body
      // transient
      {500, "InternalError", "", DateSkew::Unknown, Outcome::Retry},
      {500, "InternalFailure", "", DateSkew::Unknown, Outcome::Retry},
      {503, "ServiceUnavailable", "", DateSkew::Unknown, Outcome::Retry},
      {400, "RequestTimeout", "", DateSkew::Unknown, Outcome::Retry}, // S3: idle upload socket
      {500, "InternalServerException", "", DateSkew::Unknown, Outcome::Retry}, // Data Exports
      {502, "", "", DateSkew::Unknown, Outcome::Retry},
      {504, "", "", DateSkew::Unknown, Outcome::Retry},
      {599, "", "", DateSkew::Unknown, Outcome::Retry},
      {408, "", "", DateSkew::Unknown, Outcome::Retry},
      {501, "NotImplemented", "", DateSkew::Unknown, Outcome::Fatal},
      {505, "", "", DateSkew::Unknown, Outcome::Fatal},
      // throttling
      {503, "SlowDown", "Please reduce your request rate.", DateSkew::Unknown, Outcome::Throttled},
      {400, "Throttling", "Rate exceeded", DateSkew::Unknown, Outcome::Throttled}, // STS
      {400, "ThrottlingException", "", DateSkew::Unknown, Outcome::Throttled},
      {400, "TooManyRequestsException", "", DateSkew::Unknown, Outcome::Throttled},
      {400, "TooManyRequests", "", DateSkew::Unknown, Outcome::Throttled},
      {503, "RequestLimitExceeded", "", DateSkew::Unknown, Outcome::Throttled},
      {429, "", "", DateSkew::Unknown, Outcome::Throttled},
      // clock skew
      {403, "RequestTimeTooSkewed", "", DateSkew::Unknown, Outcome::ClockSkew},
      {400, "RequestExpired", "", DateSkew::Within, Outcome::ClockSkew},
      {403, "SignatureDoesNotMatch", "", DateSkew::Skewed, Outcome::ClockSkew},
      {403, "SignatureDoesNotMatch", "", DateSkew::Within, Outcome::Auth}, // a wrong secret
      {403, "SignatureDoesNotMatch", "", DateSkew::Unknown, Outcome::Auth},
      {403, "SignatureDoesNotMatch",
       "Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z",
       DateSkew::Unknown, Outcome::ClockSkew}, // STS words it so
      {400, "InvalidSignatureException",
       "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z "
       "- 5 min.)",
       DateSkew::Within, Outcome::ClockSkew},
      {400, "InvalidSignatureException",
       "Signature not yet current: 20240101T001000Z is still later", DateSkew::Unknown,
       Outcome::ClockSkew},
      {400, "InvalidSignatureException",
       "The request signature we calculated does not match the signature you provided.",
       DateSkew::Within, Outcome::Auth},
      // auth
      {403, "AccessDenied", "", DateSkew::Unknown, Outcome::Auth},
      {400, "AccessDeniedException", "", DateSkew::Unknown, Outcome::Auth},
      {403, "InvalidAccessKeyId", "", DateSkew::Unknown, Outcome::Auth},
      {400, "ExpiredToken", "", DateSkew::Unknown, Outcome::Auth},
      {400, "ExpiredTokenException", "", DateSkew::Unknown, Outcome::Auth},
      {400, "InvalidToken", "", DateSkew::Unknown, Outcome::Auth},
      {400, "UnrecognizedClientException", "", DateSkew::Unknown, Outcome::Auth},
      {403, "InvalidClientTokenId", "", DateSkew::Unknown, Outcome::Auth},
      {401, "", "", DateSkew::Unknown, Outcome::Auth},
      {403, "", "", DateSkew::Unknown, Outcome::Auth},
      // not found
      {404, "NoSuchKey", "", DateSkew::Unknown, Outcome::NotFound},
      {404, "NoSuchBucket", "", DateSkew::Unknown, Outcome::NotFound},
      {400, "ResourceNotFoundException", "", DateSkew::Unknown, Outcome::NotFound},
      {404, "", "", DateSkew::Unknown, Outcome::NotFound},
      {404, "NoSuchLifecycleConfiguration", "", DateSkew::Unknown, Outcome::NotFound}, // by status
      // fatal
      {400, "AuthorizationHeaderMalformed", "the region 'us-east-1' is wrong", DateSkew::Unknown,
       Outcome::Fatal},
      {301, "PermanentRedirect", "", DateSkew::Unknown, Outcome::Fatal},
      {412, "PreconditionFailed", "", DateSkew::Unknown, Outcome::Fatal},
      {416, "InvalidRange", "", DateSkew::Unknown, Outcome::Fatal},
      {400, "ValidationException", "", DateSkew::Unknown, Outcome::Fatal},
      {400, "", "", DateSkew::Unknown, Outcome::Fatal},
      {500, "SomethingNew", "", DateSkew::Unknown, Outcome::Retry}, // unknown code: by status
      {400, "slowdown", "", DateSkew::Unknown, Outcome::Fatal},     // codes are case-sensitive
  };
  for (const Case& c : cases)
    EXPECT_STREQ(outcome_name(classify(c.status, c.code, c.message, c.skew)),
                 outcome_name(c.expected))
        << c.status << " " << c.code << " " << c.message;
}

TEST(Classify, TransportErrors) {
  EXPECT_EQ(classify_transport(
                make_lib_error(ErrorCode::Network, "http: cannot connect", ErrorLib::Curl, 7)),
            Outcome::Retry);
  EXPECT_EQ(
      classify_transport(make_lib_error(ErrorCode::Network, "http: timed out", ErrorLib::Curl, 28)),
      Outcome::Retry);
  // The code decides, not the library: a transport of another kind retries on Network too, and
  // libcurl's Io (were there one) is not retried.
  EXPECT_EQ(classify_transport(make_error(ErrorCode::Network, "test: link down")), Outcome::Retry);
  EXPECT_EQ(
      classify_transport(make_lib_error(ErrorCode::Io, "http: cannot connect", ErrorLib::Curl, 7)),
      Outcome::Fatal);
  EXPECT_EQ(classify_transport(make_lib_error(
                ErrorCode::Permission, "http: TLS certificate not trusted", ErrorLib::Curl, 60)),
            Outcome::Fatal);
  EXPECT_EQ(classify_transport(make_lib_error(ErrorCode::InvalidArgument, "http: malformed URL",
                                              ErrorLib::Curl, 3)),
            Outcome::Fatal);
  // A sink's disk error is Io: not a reason to fetch again.
  EXPECT_EQ(
      classify_transport(make_lib_error(ErrorCode::Io, "file: write failed", ErrorLib::Errno, 28)),
      Outcome::Fatal);
  EXPECT_EQ(classify_transport(make_error(ErrorCode::Corrupt, "inflate: bad data")),
            Outcome::Fatal);
}

// The views point into `body`: callers keep it alive (string literals here).
AwsError parsed(std::string_view body) {
  return parse_aws_error(as_bytes(body));
}

TEST(ParseAwsError, S3XmlBody) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
      "<Message>Please reduce your request rate.</Message><RequestId>4442587FB7D0A2F9"
      "</RequestId></Error>";
  AwsError error = parsed(body);
  EXPECT_EQ(error.code, "SlowDown");
  EXPECT_EQ(error.message, "Please reduce your request rate.");
}

TEST(ParseAwsError, QueryServiceXmlBody) {
  std::string body =
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n"
      "    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>User: x "
      "is not authorized to perform: sts:AssumeRole &amp; more</Message>\n  </Error>\n"
      "  <RequestId>abc</RequestId>\n</ErrorResponse>\n";
  AwsError error = parsed(body);
  EXPECT_EQ(error.code, "AccessDenied");
  EXPECT_EQ(error.message, "User: x is not authorized to perform: sts:AssumeRole &amp; more");
}

TEST(ParseAwsError, Json11Bodies) {
  AwsError prefixed =
      parsed("{\"__type\":\"com.amazonaws.organizations.v20161128#TooManyRequestsException\","
             "\"message\":\"Rate exceeded\"}");
  EXPECT_EQ(prefixed.code, "TooManyRequestsException");
  EXPECT_EQ(prefixed.message, "Rate exceeded");
  AwsError plain = parsed("  {\"message\": \"The security token included in the request is "
                          "invalid.\", \"__type\" : \"UnrecognizedClientException\"}");
  EXPECT_EQ(plain.code, "UnrecognizedClientException");
  EXPECT_EQ(plain.message, "The security token included in the request is invalid.");
  AwsError suffixed =
      parsed("{\"__type\":\"ThrottlingException:http://internal.amazon.com/coral/com.amazon/\","
             "\"Message\":\"say \\\"slow\\\"\"}");
  EXPECT_EQ(suffixed.code, "ThrottlingException");
  EXPECT_EQ(suffixed.message, "say \\\"slow\\\"");
  AwsError lower = parsed("{\"code\":\"ValidationException\",\"message\":\"bad\"}");
  EXPECT_EQ(lower.code, "ValidationException");
}

TEST(ParseAwsError, AnythingElseGivesNothing) {
  for (const char* body :
       {"", "   ", "<html><body>502 Bad Gateway</body></html>", "Service Unavailable",
        "<Error><Code>SlowDown", "{\"__type\":", "{\"__type\": 5}", "{\"__type\":\"unterminated"}) {
    AwsError error = parsed(body);
    EXPECT_TRUE(error.code.empty()) << body;
  }
  AwsError cut = parsed("<Error><Code>InternalError</Code><Message>We encount");
  EXPECT_EQ(cut.code, "InternalError");
  EXPECT_TRUE(cut.message.empty());
}

TEST(ParseAwsError, FeedsClassify) {
  std::string body = "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the "
                     "request time and the current time is too large.</Message></Error>";
  AwsError error = parsed(body);
  EXPECT_EQ(classify(403, error.code, error.message), Outcome::ClockSkew);
}

} // namespace
} // namespace ec
