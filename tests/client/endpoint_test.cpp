// tests/client/endpoint_test.cpp - Endpoint URLs from the INI and AWS's default endpoints.
#include "core/client/endpoint.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

struct Parsed {
  Scheme scheme;
  std::string host;
  std::uint16_t port;
  std::string base_path;
};

Parsed parsed(const Result<Endpoint>& endpoint) {
  EXPECT_TRUE(endpoint.ok()) << (endpoint.ok() ? "" : endpoint.error().message);
  if (!endpoint.ok())
    return {Scheme::Https, "<error>", 0, ""};
  const Endpoint& value = endpoint.value();
  return {value.scheme(), std::string(value.host()), value.port(), std::string(value.base_path())};
}

void expect_error(const Result<Endpoint>& endpoint, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.error().code, code);
  EXPECT_EQ(std::string(endpoint.error().message), message);
}

TEST(EndpointParse, HttpsHostOnly) {
  Parsed p = parsed(Endpoint::parse("https://s3.eu-west-1.amazonaws.com"));
  EXPECT_EQ(p.scheme, Scheme::Https);
  EXPECT_EQ(p.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(p.port, 0);
  EXPECT_EQ(p.base_path, "");
}

TEST(EndpointParse, HttpWithPortAndTrailingSlash) {
  Parsed p = parsed(Endpoint::parse("http://127.0.0.1:9000/"));
  EXPECT_EQ(p.scheme, Scheme::Http);
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, 9000);
  EXPECT_EQ(p.base_path, "");
}

TEST(EndpointParse, BasePathKeptWithoutTrailingSlash) {
  Parsed p = parsed(Endpoint::parse("https://proxy.corp.example:8443/aws/s3/"));
  EXPECT_EQ(p.host, "proxy.corp.example");
  EXPECT_EQ(p.port, 8443);
  EXPECT_EQ(p.base_path, "/aws/s3");
}

TEST(EndpointParse, SchemeIsCaseInsensitiveAndIpv6Works) {
  EXPECT_EQ(parsed(Endpoint::parse("HTTPS://Sts.Example")).host, "Sts.Example");
  Parsed p = parsed(Endpoint::parse("http://[::1]:8080/x"));
  EXPECT_EQ(p.host, "[::1]");
  EXPECT_EQ(p.port, 8080);
  EXPECT_EQ(p.base_path, "/x");
  EXPECT_EQ(parsed(Endpoint::parse("https://host:65535")).port, 65535);
}

TEST(EndpointParse, NotAnHttpUrl) {
  const char* message = "endpoint: not an http(s) url";
  for (const char* url : {"ftp://host", "s3.amazonaws.com", "", "https://", "https://:80",
                          "https:/host", "https://ho st", "https://host/a b", "https://[::1",
                          "https://[zz]", "https://[::1]x", "https://h\xc3\xa9.example"}) {
    SCOPED_TRACE(url);
    expect_error(Endpoint::parse(url), ErrorCode::InvalidArgument, message);
  }
}

TEST(EndpointParse, BadPort) {
  for (const char* url :
       {"https://host:", "https://host:0", "https://host:65536", "https://host:99999",
        "https://host:80a", "https://host:-1", "https://host:123456", "http://[::1]:"}) {
    SCOPED_TRACE(url);
    expect_error(Endpoint::parse(url), ErrorCode::InvalidArgument, "endpoint: bad port");
  }
}

TEST(EndpointParse, UserInfoQueryAndFragmentRefused) {
  for (const char* url : {"https://user:password@host", "https://user@host/path",
                          "https://host/?a=b", "https://host?x", "https://host/p#frag"}) {
    SCOPED_TRACE(url);
    expect_error(Endpoint::parse(url), ErrorCode::InvalidArgument,
                 "endpoint: user info, query or fragment not allowed");
  }
}

// Issue 11: AssumeRole's session token and the external ID crossed the network in clear text to
// `sts_endpoint = http://10.1.2.3:...`. Plain http:// is refused before anything is sent, unless
// the host is loopback (the same rule as `config check`, tests/config).
TEST(EndpointParse, PlainHttpOnlyToLoopback) {
  const char* message =
      "endpoint: plain http:// is only for loopback addresses (127.0.0.1, [::1], localhost); use "
      "https://";
  for (const char* url :
       {"http://10.1.2.3:8080", "http://127.0.0.1.evil.com", "http://127.0.0.1.evil.com:9000/x",
        "http://localhost.evil.com", "http://bucket.localhost:9000", "http://127.1",
        "http://0177.0.0.1", "http://127.0.0.256", "http://127.0.0.1.", "http://[::2]:9000",
        "http://[::ffff:10.1.2.3]", "HTTP://sts.amazonaws.com"}) {
    SCOPED_TRACE(url);
    expect_error(Endpoint::parse(url), ErrorCode::InvalidArgument, message);
  }
  expect_error(sts_endpoint("http://10.1.2.3:8080", "eu-west-1"), ErrorCode::InvalidArgument,
               message);
  expect_error(cur_endpoint("http://cur.example"), ErrorCode::InvalidArgument, message);
  expect_error(exports_endpoint("http://exports.example"), ErrorCode::InvalidArgument, message);
  expect_error(organizations_endpoint("http://10.0.0.9"), ErrorCode::InvalidArgument, message);
  expect_error(s3_endpoint("http://10.1.2.3:9000", "eu-west-1", "bucket", true),
               ErrorCode::InvalidArgument, message);

  for (const char* url : {"http://127.0.0.1:9000", "http://localhost:9000", "http://LOCALHOST",
                          "http://[::1]:9000", "http://127.255.10.1/base", "http://127.0.0.0"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(parsed(Endpoint::parse(url)).scheme, Scheme::Http);
  }
  EXPECT_EQ(parsed(Endpoint::parse("https://10.1.2.3:8443")).scheme, Scheme::Https);
}

// A virtual host <bucket>.<host> is never loopback, so plain http:// S3 must be path style.
TEST(S3Endpoint, PlainHttpNeedsPathStyle) {
  for (const char* url : {"http://localhost:9000", "http://127.0.0.1:9000"}) {
    SCOPED_TRACE(url);
    expect_error(s3_endpoint(url, "eu-west-1", "bucket", false), ErrorCode::InvalidArgument,
                 "endpoint: plain http:// to S3 needs s3_path_style = true (a bucket's own host "
                 "name is not loopback)");
    Parsed path = parsed(s3_endpoint(url, "eu-west-1", "bucket", true));
    EXPECT_EQ(path.scheme, Scheme::Http);
    EXPECT_EQ(path.base_path, "/bucket");
  }
}

TEST(EndpointParse, UserInfoIsRefusedWithoutEchoingIt) {
  for (const char* url : {"https://user:SECRETPASS@host", "http://user:SECRETPASS@127.0.0.1:9000",
                          "https://SECRETPASS@host:443/x"}) {
    SCOPED_TRACE(url);
    Result<Endpoint> endpoint = Endpoint::parse(url);
    ASSERT_FALSE(endpoint.ok());
    EXPECT_STREQ(endpoint.error().message, "endpoint: user info, query or fragment not allowed");
    EXPECT_EQ(endpoint.error().detail, nullptr);
  }
}

TEST(EndpointParse, LimitsAreExact) {
  std::string host(kMaxEndpointHostBytes, 'h');
  EXPECT_EQ(parsed(Endpoint::parse("https://" + host)).host.size(), kMaxEndpointHostBytes);
  expect_error(Endpoint::parse("https://" + host + "h"), ErrorCode::LimitExceeded,
               "endpoint: host name too long");
  std::string path = "/" + std::string(kMaxEndpointPathBytes - 1, 'p');
  EXPECT_EQ(parsed(Endpoint::parse("https://host" + path + "/")).base_path, path);
  expect_error(Endpoint::parse("https://host" + path + "p"), ErrorCode::LimitExceeded,
               "endpoint: path too long");
}

TEST(EndpointHttps, FromParts) {
  Parsed p = parsed(Endpoint::https("vpce-1.s3.eu-west-1.vpce.amazonaws.com", "/base/"));
  EXPECT_EQ(p.scheme, Scheme::Https);
  EXPECT_EQ(p.host, "vpce-1.s3.eu-west-1.vpce.amazonaws.com");
  EXPECT_EQ(p.port, 0);
  EXPECT_EQ(p.base_path, "/base");
  expect_error(Endpoint::https(std::string(kMaxEndpointHostBytes + 1, 'h')),
               ErrorCode::LimitExceeded, "endpoint: host name too long");
}

TEST(DefaultEndpoints, StsIsRegional) {
  EXPECT_EQ(parsed(sts_endpoint("", "eu-west-1")).host, "sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(parsed(sts_endpoint("", "")).host, "sts.us-east-1.amazonaws.com");
  Parsed configured = parsed(sts_endpoint("http://127.0.0.1:4566", "eu-west-1"));
  EXPECT_EQ(configured.host, "127.0.0.1");
  EXPECT_EQ(configured.port, 4566);
  EXPECT_EQ(configured.scheme, Scheme::Http);
  expect_error(sts_endpoint("", "eu west"), ErrorCode::InvalidArgument,
               "endpoint: not an http(s) url");
}

TEST(DefaultEndpoints, GlobalServices) {
  EXPECT_EQ(parsed(cur_endpoint("")).host, "cur.us-east-1.amazonaws.com");
  EXPECT_EQ(parsed(exports_endpoint("")).host, "bcm-data-exports.us-east-1.api.aws");
  EXPECT_EQ(parsed(organizations_endpoint("")).host, "organizations.us-east-1.amazonaws.com");
  EXPECT_EQ(parsed(cur_endpoint("http://localhost:1234")).port, 1234);
  EXPECT_EQ(parsed(exports_endpoint("https://exports.proxy/x/")).base_path, "/x");
  expect_error(organizations_endpoint("organizations.example"), ErrorCode::InvalidArgument,
               "endpoint: not an http(s) url");
}

TEST(S3Endpoint, VirtualHostByDefault) {
  Parsed p = parsed(s3_endpoint("", "eu-west-1", "my-cur-bucket", false));
  EXPECT_EQ(p.scheme, Scheme::Https);
  EXPECT_EQ(p.host, "my-cur-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(p.base_path, "");
  EXPECT_EQ(parsed(s3_endpoint("", "", "b1", false)).host, "b1.s3.us-east-1.amazonaws.com");
}

TEST(S3Endpoint, PathStyleWhenAsked) {
  Parsed p = parsed(s3_endpoint("", "eu-west-1", "my-cur-bucket", true));
  EXPECT_EQ(p.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(p.base_path, "/my-cur-bucket");
}

TEST(S3Endpoint, BucketWithADotIsAlwaysPathStyle) {
  Parsed p = parsed(s3_endpoint("", "ap-southeast-2", "cur.reports.example", false));
  EXPECT_EQ(p.host, "s3.ap-southeast-2.amazonaws.com");
  EXPECT_EQ(p.base_path, "/cur.reports.example");
  Parsed configured = parsed(s3_endpoint("http://127.0.0.1:9000", "", "a.b", false));
  EXPECT_EQ(configured.host, "127.0.0.1");
  EXPECT_EQ(configured.base_path, "/a.b");
}

TEST(S3Endpoint, ConfiguredEndpointKeepsSchemePortAndBasePath) {
  Parsed path = parsed(s3_endpoint("http://127.0.0.1:9000/", "eu-west-1", "bucket", true));
  EXPECT_EQ(path.scheme, Scheme::Http);
  EXPECT_EQ(path.host, "127.0.0.1");
  EXPECT_EQ(path.port, 9000);
  EXPECT_EQ(path.base_path, "/bucket");

  Parsed virtual_host = parsed(s3_endpoint("https://minio.lan:9000", "eu-west-1", "bucket", false));
  EXPECT_EQ(virtual_host.scheme, Scheme::Https);
  EXPECT_EQ(virtual_host.host, "bucket.minio.lan");
  EXPECT_EQ(virtual_host.port, 9000);
  EXPECT_EQ(virtual_host.base_path, "");

  Parsed proxied = parsed(s3_endpoint("https://gateway.corp/s3/", "eu-west-1", "bucket", true));
  EXPECT_EQ(proxied.host, "gateway.corp");
  EXPECT_EQ(proxied.base_path, "/s3/bucket");
}

TEST(S3Endpoint, BadBucketOrEndpoint) {
  for (const char* bucket : {"", "a/b", "a?b", "a b", "a#b", "a%2Fb"}) {
    SCOPED_TRACE(bucket);
    expect_error(s3_endpoint("", "eu-west-1", bucket, false), ErrorCode::InvalidArgument,
                 "endpoint: not a bucket name");
  }
  expect_error(s3_endpoint("https://user@host", "eu-west-1", "bucket", true),
               ErrorCode::InvalidArgument, "endpoint: user info, query or fragment not allowed");
  // A long bucket name on a long configured host: the virtual host is over the limit.
  std::string host(200, 'h');
  expect_error(s3_endpoint("https://" + host, "", std::string(60, 'b'), false),
               ErrorCode::LimitExceeded, "endpoint: host name too long");
}

} // namespace
} // namespace ec
