// tests/aws/sigv4_test.cpp - SigV4 pieces against published vectors, every limit crossed, inputs
// refused, and secrets kept out of errors.
#include "core/aws/sigv4.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/aws/sigv4_test_support.h"

namespace ec {
namespace {

constexpr UnixSeconds k20150830T123600Z = 1440938160;

std::string hex(const Sha256Digest& digest) {
  Sha256Hex text = to_hex(digest);
  return {text.data(), text.size()};
}

std::string error_text(const Error& error) {
  char text[512];
  format_error(error, text, sizeof text);
  return text;
}

std::string encoded(std::string_view text, Slash slash) {
  char buffer[1024];
  TextBuilder out(buffer);
  uri_encode(text, slash, out);
  EXPECT_FALSE(out.overflowed());
  return std::string(out.view());
}

/// The canonical URI, or "error:<message>@<offset>".
std::string uri(std::string_view path, UriPath rules) {
  char buffer[1024];
  TextBuilder out(buffer);
  Status status = canonical_uri(path, rules, out);
  if (!status.ok())
    return std::string("error:") + status.error().message + "@" +
           std::to_string(status.error().position);
  return std::string(out.view());
}

std::string query(std::vector<QueryParameter> parameters) {
  char buffer[2048];
  TextBuilder out(buffer);
  Status status = canonical_query(parameters, out);
  if (!status.ok())
    return std::string("error:") + status.error().message;
  return std::string(out.view());
}

/// A plain GET to a non-S3 service, signed with the suite's keys at the suite's time.
struct Fixture {
  std::vector<HttpHeader> headers;
  std::vector<QueryParameter> parameters;
  SigningInput input;
  Credentials credentials{test::kExampleAccessKeyId, test::kExampleSecret, {}};

  Fixture() {
    input.method = "GET";
    input.host = "example.amazonaws.com";
    input.path = "/";
    input.region = "us-east-1";
    input.service = "service";
    input.time = SigningTime{k20150830T123600Z};
  }
  Status sign(SignedHeaders& out) {
    input.headers = headers;
    input.query = parameters;
    return sign_request(input, credentials, out);
  }
};

SignedHeaders g_out; // 19 KiB: shared, not on the stack

/// The line of the canonical request that starts with `prefix`, or "".
std::string canonical_line(std::string_view prefix) {
  std::string_view text = g_out.canonical_request();
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.substr(0, prefix.size()) == prefix)
      return std::string(line);
    start = end + 1;
  }
  return "";
}

// ---- hashing ------------------------------------------------------------------------------------

TEST(Sha256, KnownVectors) {
  Result<Sha256Digest> empty = sha256(Bytes());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(hex(empty.value()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Result<Sha256Digest> abc = sha256(as_bytes("abc")); // FIPS 180-2 B.1
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(hex(abc.value()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, HmacRfc4231) {
  // Test case 2: key "Jefe".
  Result<Sha256Digest> mac =
      hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(hex(mac.value()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key (longer than the block, hashed first).
  std::string key(131, '\xaa');
  Result<Sha256Digest> long_key = hmac_sha256(
      as_bytes(key), as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"));
  ASSERT_TRUE(long_key.ok());
  EXPECT_EQ(hex(long_key.value()),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Sha256, SigningKeyOfTheAwsDocumentationExample) {
  // docs.aws.amazon.com "Examples of how to derive a signing key for Signature Version 4".
  Result<Sha256Digest> key =
      derive_signing_key(test::kExampleSecret, "20120215", "us-east-1", "iam");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(hex(key.value()), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(Sha256, WipeZeroes) {
  Sha256Digest digest;
  digest.fill(0x5a);
  wipe(MutableBytes(digest));
  for (std::uint8_t byte : digest)
    EXPECT_EQ(byte, 0);
}

// ---- URI encoding -------------------------------------------------------------------------------

TEST(UriEncode, AwsRules) {
  EXPECT_EQ(encoded("AZaz09-_.~", Slash::Keep), "AZaz09-_.~");
  EXPECT_EQ(encoded("a b+c=d&e/f", Slash::Keep), "a%20b%2Bc%3Dd%26e/f");
  EXPECT_EQ(encoded("a b+c=d&e/f", Slash::Encode), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(encoded("\xe1\x88\xb4", Slash::Keep), "%E1%88%B4"); // upper-case hex, per byte
  EXPECT_EQ(encoded(std::string_view("\0\x7f\xff", 3), Slash::Keep), "%00%7F%FF");
  EXPECT_EQ(encoded("%2F*", Slash::Keep), "%252F%2A");
}

TEST(CanonicalUri, NonS3ServicesNormaliseAndEncodeAgain) {
  EXPECT_EQ(uri("", UriPath::NormalizeAndEncode), "/");
  EXPECT_EQ(uri("/", UriPath::NormalizeAndEncode), "/");
  EXPECT_EQ(uri("//", UriPath::NormalizeAndEncode), "/");
  EXPECT_EQ(uri("/a/./b/../c//d/", UriPath::NormalizeAndEncode), "/a/c/d/");
  EXPECT_EQ(uri("/a/b/../../..", UriPath::NormalizeAndEncode), "/");
  EXPECT_EQ(uri("/../a", UriPath::NormalizeAndEncode), "/a");
  EXPECT_EQ(uri("/a/..b/.c/", UriPath::NormalizeAndEncode), "/a/..b/.c/");
  EXPECT_EQ(uri("/report%20name/x", UriPath::NormalizeAndEncode), "/report%2520name/x");
  EXPECT_EQ(uri("/\xe1\x88\xb4/$", UriPath::NormalizeAndEncode), "/%E1%88%B4/%24");
}

TEST(CanonicalUri, EncodeOnlyKeepsDotsAndSlashes) {
  EXPECT_EQ(uri("//example//", UriPath::Encode), "//example//");
  EXPECT_EQ(uri("/./a/../", UriPath::Encode), "/./a/../");
  EXPECT_EQ(uri("/a b", UriPath::Encode), "/a%20b");
}

TEST(CanonicalUri, S3PathIsSignedAsSentAndMustBeEncodedOnce) {
  EXPECT_EQ(uri("/my-object//example//photo.user", UriPath::AsGiven),
            "/my-object//example//photo.user");
  EXPECT_EQ(uri("/cur/report%20name/x%3D1%2Cpart-0.csv.gz", UriPath::AsGiven),
            "/cur/report%20name/x%3D1%2Cpart-0.csv.gz");
  EXPECT_EQ(uri("/a/../b", UriPath::AsGiven), "/a/../b");
  EXPECT_EQ(uri("/a b", UriPath::AsGiven),
            "error:sigv4: s3 path has a byte that must be percent-encoded@2");
  EXPECT_EQ(uri("/x%2c", UriPath::AsGiven), "error:sigv4: s3 path has a bad percent escape@2");
  EXPECT_EQ(uri("/x%2", UriPath::AsGiven), "error:sigv4: s3 path has a bad percent escape@2");
  EXPECT_EQ(uri("/x=1", UriPath::AsGiven),
            "error:sigv4: s3 path has a byte that must be percent-encoded@2");
}

TEST(CanonicalUri, PathMustBeAbsolute) {
  for (UriPath rules : {UriPath::NormalizeAndEncode, UriPath::Encode, UriPath::AsGiven})
    EXPECT_EQ(uri("a/b", rules), "error:sigv4: path does not start with a slash@0");
}

TEST(CanonicalUri, FullBufferIsLimitExceeded) {
  char buffer[8];
  TextBuilder fits(buffer);
  EXPECT_TRUE(canonical_uri("/a%20b", UriPath::Encode, fits).ok()); // "/a%2520b" is 8 bytes
  EXPECT_EQ(fits.view(), "/a%2520b");
  for (UriPath rules : {UriPath::NormalizeAndEncode, UriPath::Encode, UriPath::AsGiven}) {
    TextBuilder out(buffer);
    Status status = canonical_uri("/abcdefgh", rules, out);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::LimitExceeded);
    EXPECT_STREQ(status.error().detail, "canonical uri");
  }
}

// ---- query --------------------------------------------------------------------------------------

TEST(CanonicalQuery, SortedByEncodedNameThenValue) {
  EXPECT_EQ(query({}), "");
  EXPECT_EQ(
      query({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"A", "x"}, {"a-b", "1"}, {"~", "t"}, {"%", "p"}}),
      "%25=p&A=x&a=y&a=z&a-b=1&b=2&~=t");
  EXPECT_EQ(query({{"acl", ""}, {"x", "a b/c+d=e&f"}}), "acl=&x=a%20b%2Fc%2Bd%3De%26f");
  // An encoded byte sorts by its "%XX", below every unreserved byte: é (%C3%A9) before "A".
  EXPECT_EQ(query({{"A", "1"}, {"\xc3\xa9", "2"}, {" ", "3"}}), "%20=3&%C3%A9=2&A=1");
}

TEST(CanonicalQuery, CompareEncodedAgreesWithComparingEncodings) {
  std::mt19937 random(42);
  const std::string alphabet = std::string("aAzZ09-_.~%/ +=&") + "\x7f\x80\xc3\xff";
  auto random_text = [&] {
    std::string text(random() % 5, ' ');
    for (char& c : text)
      c = alphabet[random() % alphabet.size()];
    return text;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string a = random_text();
    std::string b = random_text();
    int expected = encoded(a, Slash::Encode).compare(encoded(b, Slash::Encode));
    int ours = compare_encoded(a, b);
    ASSERT_EQ(expected < 0, ours < 0) << a << " vs " << b;
    ASSERT_EQ(expected == 0, ours == 0) << a << " vs " << b;
  }
}

TEST(CanonicalQuery, MoreThanTheMaximumIsLimitExceeded) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i <= kMaxQueryParameters; ++i)
    names.push_back("p" + std::to_string(i));
  std::vector<QueryParameter> parameters;
  for (std::size_t i = 0; i < kMaxQueryParameters; ++i)
    parameters.push_back({names[i], "v"});
  char buffer[4096];
  TextBuilder out(buffer);
  EXPECT_TRUE(canonical_query(parameters, out).ok());
  EXPECT_EQ(out.view().substr(0, 18), "p0=v&p1=v&p10=v&p1");
  parameters.push_back({names[kMaxQueryParameters], "v"});
  TextBuilder again(buffer);
  Status status = canonical_query(parameters, again);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::LimitExceeded);
}

// ---- signing ------------------------------------------------------------------------------------

TEST(Sigv4, AmzDateFromSigningTime) {
  char text[16];
  ASSERT_TRUE(format_amz_date(SigningTime{k20150830T123600Z}, text).ok());
  EXPECT_EQ(std::string_view(text, 16), "20150830T123600Z");
  ASSERT_TRUE(format_amz_date(SigningTime{0}, text).ok());
  EXPECT_EQ(std::string_view(text, 16), "19700101T000000Z");
  ASSERT_TRUE(format_amz_date(SigningTime{951782400 - 1}, text).ok()); // leap day, 1 s before
  EXPECT_EQ(std::string_view(text, 16), "20000228T235959Z");
  Status far = format_amz_date(SigningTime{253402300800}, text); // 10000-01-01
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().code, ErrorCode::InvalidArgument);
}

TEST(Sigv4, ClockOffsetMovesDateAndScope) {
  Fixture fixture;
  fixture.input.time =
      SigningTime{k20150830T123600Z + UnixSeconds{12} * 3600}; // a clock 12 h behind, fixed
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.x_amz_date(), "20150831T003600Z");
  EXPECT_EQ(g_out.credential_scope(), "20150831/us-east-1/service/aws4_request");
  EXPECT_EQ(canonical_line("x-amz-date:"), "x-amz-date:20150831T003600Z");
}

TEST(Sigv4, VanillaGetMatchesTheSuiteAndExposesEveryPart) {
  Fixture fixture;
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.signature(), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(g_out.authorization(),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(g_out.host(), "example.amazonaws.com");
  EXPECT_EQ(g_out.payload_hash(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(g_out.x_amz_content_sha256(), "");
  EXPECT_EQ(g_out.x_amz_security_token(), "");
  SignedHeaders::Added added = g_out.headers_to_add();
  ASSERT_EQ(added.count, 2u);
  EXPECT_EQ(added.items[0].name, "Authorization");
  EXPECT_EQ(added.items[0].value, g_out.authorization());
  EXPECT_EQ(added.items[1].name, "X-Amz-Date");
  EXPECT_EQ(added.items[1].value, "20150830T123600Z");
  // Signing again into the same object gives the same bytes.
  std::string first(g_out.authorization());
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.authorization(), first);
}

TEST(Sigv4, HeadersAreTrimmedLowerCasedJoinedAndSorted) {
  Fixture fixture;
  fixture.headers = {{"X-Amz-Target", "  Svc.Op  "},
                     {"My-Header", "a  \t b   c"},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"my-header", " d "},
                     {"Empty", "   "}};
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.canonical_request(),
            "GET\n/\n\n"
            "content-type:application/x-amz-json-1.1\n"
            "empty:\n"
            "host:example.amazonaws.com\n"
            "my-header:a b c,d\n"
            "x-amz-date:20150830T123600Z\n"
            "x-amz-target:Svc.Op\n"
            "\n"
            "content-type;empty;host;my-header;x-amz-date;x-amz-target\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sigv4, HostCarriesThePortOnlyWhenNotTheDefault) {
  struct Case {
    Scheme scheme;
    std::uint16_t port;
    const char* host;
  } cases[] = {{Scheme::Https, 0, "h.test"},         {Scheme::Https, 443, "h.test"},
               {Scheme::Https, 8443, "h.test:8443"}, {Scheme::Https, 80, "h.test:80"},
               {Scheme::Http, 80, "h.test"},         {Scheme::Http, 9000, "h.test:9000"},
               {Scheme::Http, 1, "h.test:1"},        {Scheme::Http, 65535, "h.test:65535"}};
  for (const Case& c : cases) {
    Fixture fixture;
    fixture.input.host = "h.test";
    fixture.input.scheme = c.scheme;
    fixture.input.port = c.port;
    ASSERT_TRUE(fixture.sign(g_out).ok());
    EXPECT_EQ(g_out.host(), c.host);
    EXPECT_EQ(canonical_line("host:"), std::string("host:") + c.host);
  }
}

TEST(Sigv4, S3AddsAndSignsTheContentHash) {
  Fixture fixture;
  fixture.input.service = "s3";
  fixture.input.rules = signing_rules_for("s3");
  fixture.input.path = "/bucket/a//b%20c";
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.x_amz_content_sha256(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(canonical_line("/"), "/bucket/a//b%20c");
  EXPECT_EQ(
      canonical_line("x-amz-content-sha256:"),
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(canonical_line("host;"), "host;x-amz-content-sha256;x-amz-date");

  fixture.input.payload = Payload::Unsigned;
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.x_amz_content_sha256(), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(g_out.canonical_request().substr(g_out.canonical_request().size() - 17),
            "\nUNSIGNED-PAYLOAD");
  SignedHeaders::Added added = g_out.headers_to_add();
  ASSERT_EQ(added.count, 3u);
  EXPECT_EQ(added.items[2].name, "X-Amz-Content-SHA256");

  fixture.input.payload = Payload::Precomputed;
  fixture.input.payload_hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.x_amz_content_sha256(), fixture.input.payload_hash);
  fixture.input.payload_hash = "9095672BBD1F56DFC5B65F3E153ADC8731A4A654192329106275F4C7B24D0B6E";
  Status upper = fixture.sign(g_out);
  ASSERT_FALSE(upper.ok());
  EXPECT_STREQ(upper.error().message, "sigv4: payload hash is not 64 lower-case hex digits");
}

TEST(Sigv4, BodyIsHashed) {
  Fixture fixture;
  fixture.input.method = "POST";
  std::string body = "Param1=value1";
  fixture.input.body = as_bytes(body);
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.payload_hash(),
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

TEST(Sigv4, SessionTokenIsSentAndSigned) {
  Fixture fixture;
  fixture.credentials.session_token = "TOKEN";
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.x_amz_security_token(), "TOKEN");
  EXPECT_EQ(canonical_line("x-amz-security-token:"), "x-amz-security-token:TOKEN");
  EXPECT_EQ(canonical_line("host;"), "host;x-amz-date;x-amz-security-token");
  SignedHeaders::Added added = g_out.headers_to_add();
  ASSERT_EQ(added.count, 3u);
  EXPECT_EQ(added.items[2].name, "X-Amz-Security-Token");
  EXPECT_EQ(added.items[2].value, "TOKEN");
}

TEST(Sigv4, RefusesHeadersTheSignerSets) {
  for (const char* name : {"Host", "X-Amz-Date", "x-amz-security-token", "AUTHORIZATION"}) {
    Fixture fixture;
    fixture.headers = {{"x-amz-target", "a"}, {name, "v"}};
    Status status = fixture.sign(g_out);
    ASSERT_FALSE(status.ok()) << name;
    EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
    EXPECT_STREQ(status.error().message, "sigv4: header is set by the signer");
    EXPECT_TRUE(equals_ignoring_case(status.error().detail, name));
    EXPECT_EQ(g_out.authorization(), "");
  }
  // x-amz-content-sha256 is the signer's only where it adds it (S3).
  Fixture service;
  service.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  EXPECT_TRUE(service.sign(g_out).ok());
  Fixture s3;
  s3.input.rules = kS3Rules;
  s3.headers = service.headers;
  Status status = s3.sign(g_out);
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().detail, "x-amz-content-sha256");
}

TEST(Sigv4, RefusesMalformedInputNamingTheHeader) {
  struct Case {
    HttpHeader header;
    const char* message;
  } cases[] = {
      {{"X-Bad Name", "v"}, "sigv4: header name is not an http token"},
      {{"", "v"}, "sigv4: header name is not an http token"},
      {{"X-Inject", "a\r\nX-Evil: 1"}, "sigv4: header value has a control character"},
      {{"X-Nul", std::string_view("a\0b", 3)}, "sigv4: header value has a control character"},
  };
  for (const Case& c : cases) {
    Fixture fixture;
    fixture.headers = {{"x-amz-target", "a"}, c.header};
    Status status = fixture.sign(g_out);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
    EXPECT_STREQ(status.error().message, c.message);
    EXPECT_EQ(status.error().where, ErrorWhere::Line);
    EXPECT_EQ(status.error().position, 2u); // the second header
  }
  Fixture tab_ok;
  tab_ok.headers = {{"X-Tab", "a\tb"}};
  EXPECT_TRUE(tab_ok.sign(g_out).ok());
}

TEST(Sigv4, RefusesMalformedRequestParts) {
  struct Case {
    void (*change)(Fixture&);
    const char* message;
  } cases[] = {
      {[](Fixture& f) { f.input.method = ""; }, "sigv4: method is not an http token"},
      {[](Fixture& f) { f.input.method = "GET /"; }, "sigv4: method is not an http token"},
      {[](Fixture& f) { f.input.host = ""; },
       "sigv4: host is empty or has a byte not allowed in a host name"},
      {[](Fixture& f) { f.input.host = "a.test\r\nX: y"; },
       "sigv4: host is empty or has a byte not allowed in a host name"},
      {[](Fixture& f) { f.input.region = "us-east-1/x"; },
       "sigv4: region is empty or has a byte that is not a-z A-Z 0-9 - _ . ~"},
      {[](Fixture& f) { f.input.service = ""; },
       "sigv4: service is empty or has a byte that is not a-z A-Z 0-9 - _ . ~"},
      {[](Fixture& f) { f.credentials.access_key_id = "AKID, Signature=x"; },
       "sigv4: access key id is empty or has a byte that is not a-z A-Z 0-9 - _ . ~"},
      {[](Fixture& f) { f.credentials.secret_access_key = ""; },
       "sigv4: secret access key is empty"},
      {[](Fixture& f) { f.credentials.session_token = "TOK\nEN"; },
       "sigv4: session token has a control character"},
      {[](Fixture& f) { f.input.payload = Payload::Unsigned; },
       "sigv4: unsigned payload needs the x-amz-content-sha256 header (s3)"},
      {[](Fixture& f) { f.input.path = "no-slash"; }, "sigv4: path does not start with a slash"},
      {[](Fixture& f) { f.input.time = SigningTime{-62167219201}; }, // 1 s before year 0
       "sigv4: signing time is outside years 0000-9999"},
  };
  for (const Case& c : cases) {
    Fixture fixture;
    c.change(fixture);
    Status status = fixture.sign(g_out);
    ASSERT_FALSE(status.ok()) << c.message;
    EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
    EXPECT_STREQ(status.error().message, c.message);
    EXPECT_EQ(g_out.authorization(), "");
    EXPECT_EQ(g_out.canonical_request(), "");
  }
}

// ---- limits: each one reached exactly, then crossed ---------------------------------------------

/// Signs with `field` set to `length` bytes of 'a' and returns the status.
template <typename Set> Status sign_with_length(std::size_t length, Set set) {
  Fixture fixture;
  std::string text(length, 'a');
  set(fixture, std::string_view(text));
  return fixture.sign(g_out);
}

void expect_limit(Status status, const char* detail) {
  ASSERT_FALSE(status.ok()) << detail;
  EXPECT_EQ(status.error().code, ErrorCode::LimitExceeded) << detail;
  EXPECT_STREQ(status.error().detail, detail);
  EXPECT_EQ(g_out.authorization(), "");
}

TEST(Sigv4Limits, InputFieldsAtAndOverTheirMaximum) {
  auto host = [](Fixture& f, std::string_view text) { f.input.host = text; };
  auto region = [](Fixture& f, std::string_view text) { f.input.region = text; };
  auto service = [](Fixture& f, std::string_view text) { f.input.service = text; };
  auto key_id = [](Fixture& f, std::string_view text) { f.credentials.access_key_id = text; };
  auto secret = [](Fixture& f, std::string_view text) { f.credentials.secret_access_key = text; };
  EXPECT_TRUE(sign_with_length(kMaxHostBytes, host).ok());
  expect_limit(sign_with_length(kMaxHostBytes + 1, host), "host");
  EXPECT_TRUE(sign_with_length(kMaxRegionBytes, region).ok());
  expect_limit(sign_with_length(kMaxRegionBytes + 1, region), "region");
  EXPECT_TRUE(sign_with_length(kMaxServiceBytes, service).ok());
  expect_limit(sign_with_length(kMaxServiceBytes + 1, service), "service");
  EXPECT_TRUE(sign_with_length(kMaxAccessKeyIdBytes, key_id).ok());
  expect_limit(sign_with_length(kMaxAccessKeyIdBytes + 1, key_id), "access key id");
  EXPECT_TRUE(sign_with_length(kMaxSecretKeyBytes, secret).ok());
  expect_limit(sign_with_length(kMaxSecretKeyBytes + 1, secret), "secret access key");

  // The longest host with the longest port still fits its buffer.
  Fixture fixture;
  std::string longest(kMaxHostBytes, 'h');
  fixture.input.host = longest;
  fixture.input.port = 65535;
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.host().size(), kMaxHostBytes + 6);
  // And every scope part at its maximum still fits the string to sign.
  std::string region_text(kMaxRegionBytes, 'r');
  std::string service_text(kMaxServiceBytes, 's');
  fixture.input.region = region_text;
  fixture.input.service = service_text;
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.credential_scope().size(), kMaxCredentialScopeBytes);
  EXPECT_EQ(g_out.string_to_sign().size(), kStringToSignBytes);
}

TEST(Sigv4Limits, HeaderCount) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i <= kMaxSignedHeaders; ++i)
    names.push_back("x-h" + std::to_string(i));
  Fixture fixture;
  for (std::size_t i = 0; i < kMaxSignedHeaders; ++i)
    fixture.headers.push_back({names[i], "v"});
  ASSERT_TRUE(fixture.sign(g_out).ok());
  fixture.headers.push_back({names.back(), "v"});
  Status status = fixture.sign(g_out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::LimitExceeded);
  EXPECT_STREQ(status.error().message, "sigv4: too many headers to sign");
}

TEST(Sigv4Limits, CanonicalRequestFillsItsBufferExactlyThenOverflows) {
  Fixture fixture;
  fixture.headers = {{"x-big", ""}};
  ASSERT_TRUE(fixture.sign(g_out).ok());
  const std::size_t room = kMaxCanonicalRequestBytes - g_out.canonical_request().size();
  std::string value(room, 'v');
  fixture.headers = {{"x-big", value}};
  ASSERT_TRUE(fixture.sign(g_out).ok());
  EXPECT_EQ(g_out.canonical_request().size(), kMaxCanonicalRequestBytes);
  value.push_back('v');
  fixture.headers = {{"x-big", value}};
  expect_limit(fixture.sign(g_out), "canonical request");
  // A long path or query overflows the same buffer.
  Fixture path;
  std::string long_path = "/" + std::string(kMaxCanonicalRequestBytes / 2, ' '); // %20 each
  path.input.path = long_path;
  expect_limit(path.sign(g_out), "canonical uri");
}

TEST(Sigv4Limits, AuthorizationOverflowsWithLongHeaderNames) {
  Fixture fixture;
  std::string name(kMaxAuthorizationBytes, 'n');
  fixture.headers = {{name, "v"}};
  expect_limit(fixture.sign(g_out), "authorization");
}

// ---- secrets stay out of errors -----------------------------------------------------------------

TEST(Sigv4Secrets, NoFailingSignPutsASecretIntoItsError) {
  const std::string secret = "SeCrEtKeY/0123456789+abcdefghijklmnopqrst";
  const std::string token = "SeSsIoNtOkEn0123456789";
  std::string huge(kMaxCanonicalRequestBytes, 'x');
  std::string long_name(kMaxAuthorizationBytes, 'n');
  std::string long_secret = secret + std::string(kMaxSecretKeyBytes, 'S');
  std::string bad_token = token + "\r\n";
  struct Case {
    std::vector<HttpHeader> headers;
    std::string_view secret;
    std::string_view token;
  } cases[] = {
      {{{"x-big", huge}}, secret, token},   // canonical request too small
      {{{long_name, "v"}}, secret, token},  // authorization too small
      {{{"x-a", "v"}}, long_secret, token}, // secret too long
      {{{"x-a", "v"}}, secret, bad_token},  // token with CR LF
  };
  std::size_t failures = 0;
  for (const Case& c : cases) {
    Fixture fixture;
    fixture.headers = c.headers;
    fixture.credentials.secret_access_key = c.secret;
    fixture.credentials.session_token = c.token;
    Status status = fixture.sign(g_out);
    if (status.ok())
      continue;
    ++failures;
    std::string text = error_text(status.error());
    EXPECT_EQ(text.find("SeCrEt"), std::string::npos) << text;
    EXPECT_EQ(text.find("SeSsIoN"), std::string::npos) << text;
    EXPECT_EQ(text.find("AKIDEXAMPLE"), std::string::npos) << text;
    EXPECT_LT(text.size(), 120u) << text; // a literal message, a field name, nothing more
  }
  EXPECT_EQ(failures, 4u);
}

TEST(Sigv4Secrets, SecretNeverReachesTheOutputBuffers) {
  Fixture fixture;
  fixture.credentials.secret_access_key = "SeCrEtKeY/0123456789+abcdefghijklmnopqrst";
  auto out = std::make_unique<SignedHeaders>(); // zeroed, so stale bytes would show
  ASSERT_TRUE(fixture.sign(*out).ok());
  const std::string_view views[] = {out->authorization(), out->canonical_request(),
                                    out->string_to_sign(), out->host(), out->x_amz_date()};
  for (std::string_view view : views)
    EXPECT_EQ(view.find("SeCrEt"), std::string_view::npos) << view;
  // Not even in the unused parts of the buffers.
  std::string_view raw(reinterpret_cast<const char*>(out.get()), sizeof *out);
  EXPECT_EQ(raw.find("SeCrEt"), std::string_view::npos);
}

} // namespace
} // namespace ec
