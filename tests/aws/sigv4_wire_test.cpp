// tests/aws/sigv4_wire_test.cpp - The exact requests botocore sends for every call edgecur makes
// (botocore-wire.json), rebuilt and signed by us: every signed header and Authorization, byte for
// byte.
#include "core/aws/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/aws/sigv4_test_support.h"

namespace ec {
namespace {

constexpr std::size_t kWireRequests = 9;
constexpr UnixSeconds kWireTime = 1440938160; // 2015-08-30T12:36:00Z

const test::Json* header_named(const test::Json& headers, std::string_view name) {
  for (std::size_t i = 0; i < headers.keys.size(); ++i)
    if (equals_ignoring_case(headers.keys[i], name))
      return &headers.items[i];
  return nullptr;
}

/// Signing name and region from the endpoint, per docs/AWS-WIRE.md's table.
void service_and_region(const std::string& host, std::string& service, std::string& region) {
  std::vector<std::string> labels;
  for (std::size_t start = 0; start <= host.size();) {
    std::size_t dot = host.find('.', start);
    if (dot == std::string::npos)
      dot = host.size();
    labels.push_back(host.substr(start, dot - start));
    start = dot + 1;
  }
  for (std::size_t i = 0; i + 1 < labels.size(); ++i) {
    if (labels[i] == "s3") { // <bucket>.s3.<region>.amazonaws.com
      service = "s3";
      region = labels[i + 1];
      return;
    }
  }
  service = labels[0];
  region = labels.size() > 2 && labels[1] != "amazonaws" ? labels[1] : "us-east-1";
}

/// "a;b;c" of the expected Authorization.
std::vector<std::string> signed_header_names(const std::string& authorization) {
  std::vector<std::string> names;
  std::size_t at = authorization.find("SignedHeaders=");
  if (at == std::string::npos)
    return names;
  at += 14;
  std::size_t end = authorization.find(',', at);
  std::string list = authorization.substr(at, end - at);
  for (std::size_t start = 0; start <= list.size();) {
    std::size_t semicolon = list.find(';', start);
    if (semicolon == std::string::npos)
      semicolon = list.size();
    names.push_back(list.substr(start, semicolon - start));
    start = semicolon + 1;
  }
  return names;
}

test::Json load_wire_requests() {
  bool ok = false;
  std::string text = test::read_file(test::sigv4_data_dir() + "/botocore-wire.json", ok);
  EXPECT_TRUE(ok) << "cannot read botocore-wire.json";
  test::Json document;
  std::string error;
  EXPECT_TRUE(test::JsonParser(text).parse(document, error)) << error;
  return document;
}

TEST(Sigv4Wire, EveryBotocoreRequestSignsIdentically) {
  test::Json document = load_wire_requests();
  ASSERT_EQ(document.kind, test::Json::Kind::Array);
  ASSERT_EQ(document.items.size(), kWireRequests);
  std::size_t checked = 0;
  for (const test::Json& request : document.items) {
    const std::string url = request.string_or("url", "");
    SCOPED_TRACE(url);
    const test::Json* headers = request.find("headers");
    ASSERT_NE(headers, nullptr);
    const test::Json* expected_authorization = header_named(*headers, "Authorization");
    ASSERT_NE(expected_authorization, nullptr);

    // https://host[:port]/path?query
    test::SigningStorage storage;
    SigningInput input;
    std::string rest = url;
    if (rest.rfind("https://", 0) == 0) {
      input.scheme = Scheme::Https;
      rest = rest.substr(8);
    } else {
      ASSERT_EQ(rest.rfind("http://", 0), 0u);
      input.scheme = Scheme::Http;
      rest = rest.substr(7);
    }
    std::size_t path_start = rest.find_first_of("/?");
    std::string authority = rest.substr(0, path_start);
    rest = path_start == std::string::npos ? "" : rest.substr(path_start);
    std::size_t colon = authority.find(':');
    storage.host = authority.substr(0, colon);
    if (colon != std::string::npos)
      input.port = static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)));
    std::size_t question = rest.find('?');
    storage.path = rest.substr(0, question);
    if (question != std::string::npos) {
      std::string query = rest.substr(question + 1);
      for (std::size_t start = 0; start <= query.size();) {
        std::size_t amp = query.find('&', start);
        if (amp == std::string::npos)
          amp = query.size();
        std::string pair = query.substr(start, amp - start);
        std::size_t equals = pair.find('=');
        storage.query_text.emplace_back(
            test::percent_decode(pair.substr(0, equals)),
            test::percent_decode(equals == std::string::npos ? "" : pair.substr(equals + 1)));
        start = amp + 1;
      }
    }
    storage.method = request.string_or("method", "");
    storage.body = request.string_or("body", ""); // null: no body
    service_and_region(storage.host, storage.service, storage.region);
    storage.access_key_id = test::kExampleAccessKeyId;
    storage.secret = test::kExampleSecret;
    if (header_named(*headers, "X-Amz-Security-Token"))
      storage.token = "TOKEN";

    // Sign what botocore signed; the signer adds host, the date, the token and the S3 hash.
    std::vector<std::string> names = signed_header_names(expected_authorization->text);
    ASSERT_FALSE(names.empty());
    for (const std::string& name : names) {
      if (name == "host" || name == "x-amz-date" || name == "x-amz-security-token" ||
          name == "x-amz-content-sha256")
        continue;
      const test::Json* value = header_named(*headers, name);
      ASSERT_NE(value, nullptr) << name;
      storage.header_text.emplace_back(
          headers->keys[static_cast<std::size_t>(value - headers->items.data())], value->text);
    }

    Credentials credentials;
    storage.fill(input, credentials);
    input.rules = signing_rules_for(storage.service);
    input.time = SigningTime{kWireTime};

    static SignedHeaders out;
    Status status = sign_request(input, credentials, out);
    ASSERT_TRUE(status.ok()) << status.error().message;

    // Every header botocore signed has the value we would send.
    for (const std::string& name : names) {
      SCOPED_TRACE(name);
      if (name == "host") {
        EXPECT_EQ(out.host(), authority);
        continue;
      }
      const test::Json* expected = header_named(*headers, name);
      ASSERT_NE(expected, nullptr);
      std::string_view ours;
      if (name == "x-amz-date")
        ours = out.x_amz_date();
      else if (name == "x-amz-security-token")
        ours = out.x_amz_security_token();
      else if (name == "x-amz-content-sha256")
        ours = out.x_amz_content_sha256();
      else
        for (const HttpHeader& header : input.headers)
          if (equals_ignoring_case(header.name, name))
            ours = header.value;
      EXPECT_EQ(ours, expected->text);
    }
    EXPECT_EQ(out.authorization(), expected_authorization->text);

    // And the headers we tell the caller to add are exactly botocore's, values included.
    SignedHeaders::Added added = out.headers_to_add();
    for (std::size_t i = 0; i < added.count; ++i) {
      const test::Json* expected = header_named(*headers, added.items[i].name);
      ASSERT_NE(expected, nullptr) << added.items[i].name;
      EXPECT_EQ(added.items[i].value, expected->text) << added.items[i].name;
    }
    std::size_t botocore_added = 0;
    for (const char* name :
         {"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"})
      botocore_added += header_named(*headers, name) ? 1 : 0;
    EXPECT_EQ(added.count, botocore_added);
    ++checked;
  }
  EXPECT_EQ(checked, kWireRequests);
}

TEST(Sigv4Wire, S3CanonicalQueryIsTheSortedEncodedUrlQuery) {
  // The ListObjectsV2 request: the continuation token holds / + =, the prefix a space.
  const QueryParameter query[] = {{"list-type", "2"},
                                  {"prefix", "cur/report name/"},
                                  {"max-keys", "2"},
                                  {"continuation-token", "1ABC/def+ghi="},
                                  {"encoding-type", "url"}};
  char buffer[256];
  TextBuilder text(buffer);
  ASSERT_TRUE(canonical_query(query, text).ok());
  EXPECT_EQ(text.view(), "continuation-token=1ABC%2Fdef%2Bghi%3D&encoding-type=url&list-type=2&"
                         "max-keys=2&prefix=cur%2Freport%20name%2F");
}

} // namespace
} // namespace ec
