// tests/base/endpoint_url_test.cpp - parse_endpoint_url: the one check `config check` and the run
// share (before it, `config check` refused HTTPS:// that the run took, and took ?query and
// #fragment that the run refused).
#include "core/base/endpoint_url.h"

#include <gtest/gtest.h>

#include <string>

namespace ec {
namespace {

using enum EndpointUrlProblem;

EndpointUrlProblem problem_of(const std::string& text) {
  EndpointUrl parts;
  return parse_endpoint_url(text, parts);
}

TEST(EndpointUrl, PartsOfGoodUrls) {
  EndpointUrl parts;
  ASSERT_EQ(parse_endpoint_url("HTTPS://S3.Example.com:8443/base//", parts), None);
  EXPECT_TRUE(parts.https);
  EXPECT_EQ(parts.host, "S3.Example.com");
  EXPECT_EQ(parts.port, 8443);
  EXPECT_EQ(parts.path, "/base");
  ASSERT_EQ(parse_endpoint_url("http://[::1]:9000", parts), None);
  EXPECT_FALSE(parts.https);
  EXPECT_EQ(parts.host, "[::1]");
  EXPECT_EQ(parts.port, 9000);
  EXPECT_EQ(parts.path, "");
  ASSERT_EQ(parse_endpoint_url("Http://LocalHost/", parts), None);
  EXPECT_EQ(parts.port, 0);
}

TEST(EndpointUrl, EveryProblemIsNamed) {
  EXPECT_EQ(problem_of("ftp://host"), NotUrl);
  EXPECT_EQ(problem_of("https://"), NotUrl);
  EXPECT_EQ(problem_of("https://ho st"), NotUrl);
  EXPECT_EQ(problem_of("https://[::1"), NotUrl);
  EXPECT_EQ(problem_of("https://host/pa th"), NotUrl);
  EXPECT_EQ(problem_of("https://user:pass@host"), UserInfo);
  EXPECT_EQ(problem_of("https://host?x=1"), QueryOrFragment);
  EXPECT_EQ(problem_of("https://host/path#frag"), QueryOrFragment);
  EXPECT_EQ(problem_of("http://10.1.2.3:9000"), PlainHttp);
  EXPECT_EQ(problem_of("http://127.0.0.1.example.com"), PlainHttp);
  EXPECT_EQ(problem_of("https://host:0"), BadPort);
  EXPECT_EQ(problem_of("https://host:65536"), BadPort);
  EXPECT_EQ(problem_of("https://host:"), BadPort);
  EXPECT_EQ(problem_of("https://" + std::string(256, 'a')), HostTooLong);
  EXPECT_EQ(problem_of("https://host/" + std::string(256, 'p')), PathTooLong);
  // user info is named even where a query follows (the password is the worse problem)
  EXPECT_EQ(problem_of("https://u:p@host?x"), UserInfo);
}

} // namespace
} // namespace ec
