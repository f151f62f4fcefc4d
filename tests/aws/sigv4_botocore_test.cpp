// tests/aws/sigv4_botocore_test.cpp - Differential test: random requests (odd S3 keys, dot
// segments, repeated and unsorted query parameters, messy header values, ports, tokens) signed by
// us and by botocore's SigV4Auth/S3SigV4Auth (tests/aws/botocore_sign.py) must agree byte for byte.
#include "core/aws/sigv4.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "tests/aws/sigv4_test_support.h"

namespace ec {
namespace {

constexpr int kRequests = 400;

struct RandomRequest {
  test::SigningStorage storage;
  Scheme scheme = Scheme::Https;
  std::uint16_t port = 0;
  UnixSeconds time = 0;
  std::string url;
};

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string hex_of(std::string_view bytes) {
  std::string out;
  char pair[3];
  for (char c : bytes) {
    std::snprintf(pair, sizeof pair, "%02x", static_cast<unsigned char>(c));
    out += pair;
  }
  return out;
}

std::string encode(std::string_view text, Slash slash) {
  std::vector<char> buffer(text.size() * 3 + 1);
  TextBuilder out(std::span<char>(buffer.data(), buffer.size()));
  uri_encode(text, slash, out);
  return std::string(out.view());
}

class Generator {
public:
  explicit Generator(std::uint32_t seed) : m_random(seed) {}

  std::size_t below(std::size_t n) { return static_cast<std::size_t>(m_random() % n); }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

  std::string text(std::string_view alphabet, std::size_t max_length) {
    std::string out(below(max_length + 1), ' ');
    for (char& c : out)
      c = alphabet[below(alphabet.size())];
    return out;
  }

  /// Bytes an S3 key or a query value may hold, UTF-8 included.
  std::string key_text(std::size_t max_length) {
    static const std::string kPieces[] = {"a",   "Z", "0", "-",        "_",
                                          ".",   "~", " ", "%",        "+",
                                          "=",   "&", "?", "#",        "$",
                                          "!",   "'", "(", "*",        ",",
                                          ";",   ":", "@", "\xc3\xa9", "\xe2\x82\xac",
                                          "\x7f"};
    std::string out;
    std::size_t length = below(max_length + 1);
    for (std::size_t i = 0; i < length; ++i)
      out += kPieces[below(std::size(kPieces))];
    return out;
  }

  RandomRequest request() {
    RandomRequest r;
    test::SigningStorage& s = r.storage;
    static const char* const kServices[] = {"s3", "s3", "sts", "service", "bcm-data-exports"};
    s.service = kServices[below(std::size(kServices))];
    s.region = chance(50) ? "us-east-1" : "eu-west-1";
    static const char* const kMethods[] = {"GET", "POST", "PUT", "HEAD", "DELETE"};
    s.method = kMethods[below(std::size(kMethods))];
    s.host = text("abcdefghijklmnopqrstuvwxyz0123456789", 8) + "x." + s.service + ".test";
    r.scheme = chance(50) ? Scheme::Https : Scheme::Http;
    if (chance(30))
      r.port = static_cast<std::uint16_t>(1 + below(65535));
    else if (chance(30))
      r.port = r.scheme == Scheme::Https ? 443 : 80;

    // Path: segments with dots, empties and bytes that need encoding; sent encoded once.
    std::string raw_path;
    std::size_t segments = below(6);
    for (std::size_t i = 0; i < segments; ++i) {
      raw_path += '/';
      std::size_t kind = below(10);
      raw_path += kind == 0 ? "" : kind == 1 ? "." : kind == 2 ? ".." : key_text(12);
    }
    if (raw_path.empty() || chance(20))
      raw_path += '/';
    s.path = encode(raw_path, Slash::Keep);

    std::size_t parameters = below(7);
    for (std::size_t i = 0; i < parameters; ++i) {
      std::string name = i > 0 && chance(25) ? s.query_text[below(i)].first : key_text(6);
      s.query_text.emplace_back(name, chance(20) ? std::string() : key_text(10));
    }

    // Headers: tokens in mixed case, repeated names, values with runs of spaces and tabs.
    std::size_t headers = below(6);
    for (std::size_t i = 0; i < headers; ++i) {
      std::string name;
      if (i > 0 && chance(25)) {
        name = s.header_text[below(i)].first;
        if (chance(50))
          for (char& c : name)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      } else {
        name = "x-" +
               text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~",
                    10);
      }
      s.header_text.emplace_back(name, text(" \t a-Z0;/,\"=():", 16));
    }
    s.body = chance(50) ? std::string() : text(std::string("ab{}\":\n\0\xff", 9), 40);
    s.access_key_id = "AKID" + text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    s.secret = text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+", 40);
    if (s.secret.empty())
      s.secret = "x";
    if (chance(30))
      s.token = text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+=", 300);
    r.time = 946684800 + static_cast<UnixSeconds>(below(4000000000u));

    // The URL: the query in the generated (unsorted) order, each part encoded as we would.
    r.url = std::string(r.scheme == Scheme::Https ? "https://" : "http://") + s.host +
            (r.port != 0 ? ":" + std::to_string(r.port) : "") + s.path;
    for (std::size_t i = 0; i < s.query_text.size(); ++i)
      r.url += (i == 0 ? "?" : "&") + encode(s.query_text[i].first, Slash::Encode) + "=" +
               encode(s.query_text[i].second, Slash::Encode);
    return r;
  }

private:
  std::mt19937 m_random;
};

bool botocore_available() {
  return std::system(EC_PYTHON3 " -c 'import botocore.auth' >/dev/null 2>&1") == 0;
}

TEST(Sigv4Botocore, RandomRequestsSignIdentically) {
  if (!botocore_available())
    GTEST_SKIP() << "python3-botocore is not installed (apt-get install python3-botocore)";

  Generator generator(20150830);
  std::vector<RandomRequest> requests;
  std::vector<std::string> ours;
  std::vector<std::string> our_canonical;
  static SignedHeaders out;
  std::string lines;
  for (int i = 0; i < kRequests; ++i) {
    requests.push_back(generator.request());
    RandomRequest& r = requests.back();
    SigningInput input;
    Credentials credentials;
    r.storage.fill(input, credentials);
    input.scheme = r.scheme;
    input.port = r.port;
    input.rules = signing_rules_for(r.storage.service);
    input.time = SigningTime{r.time};
    Status status = sign_request(input, credentials, out);
    ASSERT_TRUE(status.ok()) << status.error().message << " for " << r.url;
    ours.emplace_back(out.authorization());
    our_canonical.emplace_back(out.canonical_request());

    std::string headers = "[";
    for (std::size_t h = 0; h < r.storage.header_text.size(); ++h)
      headers += (h ? "," : "") + std::string("[") + json_string(r.storage.header_text[h].first) +
                 "," + json_string(r.storage.header_text[h].second) + "]";
    headers += "]";
    lines += "{\"method\":" + json_string(r.storage.method) + ",\"url\":" + json_string(r.url) +
             ",\"headers\":" + headers + ",\"body\":\"" + hex_of(r.storage.body) +
             "\",\"service\":" + json_string(r.storage.service) +
             ",\"region\":" + json_string(r.storage.region) +
             ",\"access_key_id\":" + json_string(r.storage.access_key_id) +
             ",\"secret\":" + json_string(r.storage.secret) +
             ",\"token\":" + json_string(r.storage.token) + ",\"time\":" + std::to_string(r.time) +
             "}\n";
  }

  const std::string base = std::string(EC_BINARY_DIR) + "/aws-botocore-" + std::to_string(getpid());
  const std::string in_path = base + ".in.jsonl";
  const std::string out_path = base + ".out.jsonl";
  std::FILE* file = std::fopen(in_path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  std::fwrite(lines.data(), 1, lines.size(), file);
  std::fclose(file);
  std::string command =
      EC_PYTHON3 " " EC_SOURCE_DIR "/tests/aws/botocore_sign.py < " + in_path + " > " + out_path;
  int exit_code = std::system(command.c_str());
  bool ok = false;
  std::string results = test::read_file(out_path, ok);
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  ASSERT_EQ(exit_code, 0) << command;
  ASSERT_TRUE(ok);

  std::size_t index = 0;
  std::size_t s3 = 0;
  for (std::size_t start = 0; start < results.size() && index < requests.size(); ++index) {
    std::size_t end = results.find('\n', start);
    test::Json result;
    std::string error;
    ASSERT_TRUE(
        test::JsonParser(std::string_view(results).substr(start, end - start)).parse(result, error))
        << error;
    start = end + 1;
    EXPECT_EQ(ours[index], result.string_or("authorization", "?"))
        << requests[index].url << "\nours:\n"
        << our_canonical[index] << "\nbotocore:\n"
        << result.string_or("canonical", "?");
    s3 += requests[index].storage.service == "s3" ? 1 : 0;
  }
  EXPECT_EQ(index, static_cast<std::size_t>(kRequests));
  EXPECT_GT(s3, static_cast<std::size_t>(kRequests / 4)); // both rule sets were exercised
}

} // namespace
} // namespace ec
