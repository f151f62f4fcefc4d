// tests/http/http_tls_proxy_test.cpp - TLS verification with a CA made at test time, and proxies:
// the INI setting, no_proxy, the environment, CONNECT tunnels and proxy credentials.
#include "core/net/aws_error.h"
#include "platform/http_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/http/http_test_peer.h"

namespace ec::platform {
namespace {

using test::formatted;
using test::http_peer;
using test::TextSink;

HttpSettings quick_settings() {
  HttpSettings settings;
  settings.connect_timeout_ms = 3000;
  settings.low_speed_timeout_ms = 3000;
  settings.total_timeout_ms = 15000;
  return settings;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

class TlsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(http_peer().http, 0) << "tests/http/http_peer.py did not start";
    ASSERT_NE(http_peer().https, 0)
        << "no HTTPS peer (apt-get install openssl): " << http_peer().tls_error;
  }
  Result<HttpResponse> fetch(HttpSettings settings, const std::string& target, TextSink& sink) {
    Status opened = client.open(settings);
    if (!opened.ok())
      return opened.error();
    url = target;
    return client.send(HttpRequest{HttpMethod::Get, url, {}, {}}, sink);
  }
  HttpClient client;
  std::string url;
  std::string ca, other_ca;
};

TEST_F(TlsTest, TrustedWithTheTestCa) {
  HttpSettings settings = quick_settings();
  ca = http_peer().ca_bundle();
  settings.ca_bundle = ca;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().tls_url("/echo"), sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(response.value().status, 200);
  EXPECT_EQ(sink.text,
            "GET /echo HTTP/1.1\nHost: localhost:" + std::to_string(http_peer().https) + "\n\n");
}

TEST_F(TlsTest, NotTrustedWithTheSystemStore) {
  TextSink sink;
  Result<HttpResponse> response = fetch(quick_settings(), http_peer().tls_url("/echo"), sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::Permission);
  EXPECT_STREQ(response.error().message, "http: TLS certificate not trusted");
  EXPECT_EQ(response.error().lib_code, 60);                        // CURLE_PEER_FAILED_VERIFICATION
  EXPECT_EQ(classify_transport(response.error()), Outcome::Fatal); // retrying will not help
  EXPECT_TRUE(sink.text.empty());
}

TEST_F(TlsTest, NotTrustedWithAnotherCa) {
  HttpSettings settings = quick_settings();
  other_ca = http_peer().other_ca_bundle();
  settings.ca_bundle = other_ca;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().tls_url("/echo"), sink);
  ASSERT_FALSE(response.ok());
  EXPECT_STREQ(response.error().message, "http: TLS certificate not trusted");
}

TEST_F(TlsTest, HostNameIsVerified) {
  // The certificate names localhost only; 127.0.0.1 is the same server but not its name.
  HttpSettings settings = quick_settings();
  ca = http_peer().ca_bundle();
  settings.ca_bundle = ca;
  TextSink sink;
  std::string by_address = "https://127.0.0.1:" + std::to_string(http_peer().https) + "/echo";
  Result<HttpResponse> response = fetch(settings, by_address, sink);
  ASSERT_FALSE(response.ok());
  EXPECT_STREQ(response.error().message, "http: TLS certificate not trusted");
}

TEST_F(TlsTest, MissingCaBundleIsASettingError) {
  HttpSettings settings = quick_settings();
  ca = http_peer().directory + "/tls/no-such.pem";
  settings.ca_bundle = ca;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().tls_url("/echo"), sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::InvalidArgument);
  EXPECT_STREQ(response.error().message, "http: cannot use the CA bundle");
}

TEST_F(TlsTest, PlainHttpToTheTlsPortFails) {
  TextSink sink;
  std::string plain = "http://127.0.0.1:" + std::to_string(http_peer().https) + "/echo";
  Result<HttpResponse> response = fetch(quick_settings(), plain, sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::Network);
}

// ---- proxies ------------------------------------------------------------------------------

class ProxyTest : public TlsTest {
protected:
  void SetUp() override {
    ASSERT_NE(http_peer().proxy, 0) << "tests/http/http_peer.py did not start";
  }
  std::string proxy_url(int port, const std::string& credentials = "") const {
    return "http://" + credentials + "127.0.0.1:" + std::to_string(port);
  }
  std::string proxy;
  std::string no_proxy;
};

TEST_F(ProxyTest, TheProxySettingIsUsed) {
  HttpSettings settings = quick_settings();
  proxy = proxy_url(http_peer().proxy);
  settings.proxy = proxy;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().url("/echo"), sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  // The absolute URI in the request line: only a proxy gets that.
  EXPECT_EQ(first_line(sink.text), "GET " + http_peer().url("/echo") + " HTTP/1.1");
}

TEST_F(ProxyTest, NoProxyBypassesIt) {
  HttpSettings settings = quick_settings();
  proxy = proxy_url(http_peer().proxy);
  no_proxy = "example.com,127.0.0.1";
  settings.proxy = proxy;
  settings.no_proxy = no_proxy;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().url("/echo"), sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(first_line(sink.text), "GET /echo HTTP/1.1");
}

TEST_F(ProxyTest, TheEnvironmentIsHonouredWhenTheIniSetsNone) {
  std::string from_environment = proxy_url(http_peer().proxy);
  setenv("http_proxy", from_environment.c_str(), 1);
  TextSink via_environment;
  Result<HttpResponse> response =
      fetch(quick_settings(), http_peer().url("/echo"), via_environment);
  setenv("no_proxy", "127.0.0.1", 1);
  TextSink bypassed;
  Result<HttpResponse> bypass = fetch(quick_settings(), http_peer().url("/echo"), bypassed);
  unsetenv("http_proxy");
  unsetenv("no_proxy");
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(first_line(via_environment.text), "GET " + http_peer().url("/echo") + " HTTP/1.1");
  ASSERT_TRUE(bypass.ok()) << formatted(bypass.error());
  EXPECT_EQ(first_line(bypassed.text), "GET /echo HTTP/1.1");
}

// Plain http:// is allowed to loopback only; a proxy elsewhere on the network (here 192.0.2.1,
// TEST-NET-1: nothing answers) would carry the request, and a session token, in clear. Such a
// request goes direct; a loopback proxy (above) is still used, and so is the remote proxy for
// https://.
TEST_F(ProxyTest, PlainHttpNeverGoesThroughAProxyOnAnotherHost) {
  HttpSettings settings = quick_settings();
  settings.connect_timeout_ms = 1500;
  for (const char* remote :
       {"http://192.0.2.1:3128", "192.0.2.1:3128", "http://u:p@[2001:db8::1]:8080"}) {
    proxy = remote;
    settings.proxy = proxy;
    TextSink sink;
    Result<HttpResponse> response = fetch(settings, http_peer().url("/echo"), sink);
    ASSERT_TRUE(response.ok()) << remote << ": " << formatted(response.error());
    EXPECT_EQ(first_line(sink.text), "GET /echo HTTP/1.1") << remote;
  }
  // From the environment too.
  setenv("http_proxy", "http://192.0.2.1:3128", 1);
  TextSink via_environment;
  Result<HttpResponse> response =
      fetch(quick_settings(), http_peer().url("/echo"), via_environment);
  unsetenv("http_proxy");
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  EXPECT_EQ(first_line(via_environment.text), "GET /echo HTTP/1.1");
}

TEST_F(ProxyTest, HttpsThroughAConnectTunnelWithCredentials) {
  ASSERT_NE(http_peer().https, 0) << http_peer().tls_error;
  HttpSettings settings = quick_settings();
  proxy = proxy_url(http_peer().proxy_auth, "user:s3cret@");
  ca = http_peer().ca_bundle();
  settings.proxy = proxy;
  settings.ca_bundle = ca;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().tls_url("/echo"), sink);
  ASSERT_TRUE(response.ok()) << formatted(response.error());
  // Inside the tunnel the origin sees an ordinary request, and no proxy header reaches it.
  EXPECT_EQ(sink.text,
            "GET /echo HTTP/1.1\nHost: localhost:" + std::to_string(http_peer().https) + "\n\n");
}

TEST_F(ProxyTest, WrongProxyPasswordIsPermissionWithoutThePassword) {
  ASSERT_NE(http_peer().https, 0) << http_peer().tls_error;
  HttpSettings settings = quick_settings();
  proxy = proxy_url(http_peer().proxy_auth, "user:wrong-pass@");
  ca = http_peer().ca_bundle();
  settings.proxy = proxy;
  settings.ca_bundle = ca;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().tls_url("/echo"), sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::Permission);
  EXPECT_STREQ(response.error().message, "http: proxy wants credentials");
  std::string text = formatted(response.error());
  EXPECT_EQ(text.find("wrong-pass"), std::string::npos) << text;
  EXPECT_EQ(text.find("user"), std::string::npos) << text;
}

TEST_F(ProxyTest, ProxyThatIsNotThereIsCannotConnect) {
  HttpSettings settings = quick_settings();
  proxy = "http://127.0.0.1:1";
  settings.proxy = proxy;
  TextSink sink;
  Result<HttpResponse> response = fetch(settings, http_peer().url("/echo"), sink);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::Network);
  EXPECT_STREQ(response.error().message, "http: cannot connect");
}

} // namespace
} // namespace ec::platform
