// tests/source/s3_object_store_test.cpp - S3ObjectStore against an in-memory S3 that honours
// Range, If-Match and continuation tokens, and cuts connections where told: every byte arrives
// once and in order, a replaced object is detected, a listing is never cut short.
#include "core/source/s3_object_store.h"

#include <gtest/gtest.h>

#include <cinttypes>
#include <map>
#include <string>
#include <vector>

#include "tests/source/discovery_fakes.h"

namespace ec {
namespace {

std::string query_value(const std::string& url, const std::string& name) {
  std::size_t at = url.find("?");
  while (at != std::string::npos) {
    std::size_t start = at + 1;
    std::size_t end = url.find('&', start);
    std::string pair =
        url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (pair.compare(0, name.size() + 1, name + "=") == 0)
      return pair.substr(name.size() + 1);
    at = end;
  }
  return "";
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// One bucket, path style at https://s3.test/bkt. Cuts: request index -> body bytes sent first.
class FakeS3 final : public HttpTransport {
public:
  Result<HttpResponse> send(const HttpRequest& request, ByteSink& sink) override {
    std::string url(request.url);
    urls.push_back(url);
    std::size_t index = urls.size() - 1;
    std::string key = percent_decode(url.substr(std::string("https://s3.test/bkt/").size()));
    HttpResponse response;
    auto found = objects.find(key);
    if (found == objects.end()) {
      response.status = 404;
      return response;
    }
    std::string range, if_match;
    for (const RequestHeader& header : request.headers) {
      if (header.name == "Range")
        range = header.value;
      if (header.name == "If-Match")
        if_match = header.value;
    }
    if_matches.push_back(if_match);
    ranges.push_back(range);
    const std::string& data = found->second;
    if (!if_match.empty() && if_match != etag(key)) {
      response.status = 412;
      return response;
    }
    std::uint64_t first = 0, last = 0;
    EXPECT_EQ(std::sscanf(range.c_str(), "bytes=%" SCNu64 "-%" SCNu64, &first, &last), 2) << range;
    if (last >= data.size())
      last = data.size() - 1;
    std::string part = data.substr(first, last - first + 1);
    response.status = 206;
    EXPECT_TRUE(response.headers.capture("ETag", etag(key)).ok());
    EXPECT_TRUE(response.headers
                    .capture("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                  std::to_string(last) + "/" +
                                                  std::to_string(data.size()))
                    .ok());
    auto cut = cuts.find(index);
    if (cut != cuts.end()) {
      EC_TRY(sink.write(as_bytes(std::string_view(part).substr(0, cut->second))));
      if (replace_on_cut)
        objects[key] += "#replaced";
      return cut_error.at(ErrorWhere::ByteOffset, cut->second);
    }
    EC_TRY(sink.write(as_bytes(part)));
    response.body_bytes = part.size();
    return response;
  }

  Result<HttpResponse> send(const HttpRequest& request, MutableBytes buffer) override {
    std::string url(request.url);
    urls.push_back(url);
    HttpResponse response;
    if (request.method == HttpMethod::Head) {
      std::string key = percent_decode(url.substr(std::string("https://s3.test/bkt/").size()));
      auto found = objects.find(key);
      response.status = found == objects.end() ? 404 : 200;
      if (found != objects.end()) {
        EXPECT_TRUE(response.headers.capture("ETag", etag(key)).ok());
        EXPECT_TRUE(
            response.headers.capture("Content-Length", std::to_string(found->second.size())).ok());
      }
      return response;
    }
    // ListObjectsV2: pages of max-keys, the token is the last key of the page, encoded.
    EXPECT_EQ(query_value(url, "list-type"), "2");
    std::string prefix = percent_decode(query_value(url, "prefix"));
    std::string token = percent_decode(query_value(url, "continuation-token"));
    tokens.push_back(token);
    std::size_t max_keys = std::stoul(query_value(url, "max-keys"));
    std::string body = "<ListBucketResult><Name>bkt</Name><EncodingType>url</EncodingType>";
    std::size_t count = 0;
    std::string last;
    bool more = false;
    for (const auto& [key, data] : objects) {
      if (key.compare(0, prefix.size(), prefix) != 0 || (!token.empty() && key <= token.substr(4)))
        continue;
      if (count == max_keys) {
        more = true;
        break;
      }
      body += "<Contents><Key>" + key + "</Key><Size>" + std::to_string(data.size()) +
              "</Size><ETag>" + etag(key) + "</ETag></Contents>";
      last = key;
      ++count;
    }
    body += more ? "<IsTruncated>true</IsTruncated><NextContinuationToken>1/+=" + last +
                       "</NextContinuationToken>"
                 : "<IsTruncated>false</IsTruncated>";
    body += "</ListBucketResult>";
    EXPECT_LE(body.size(), buffer.size());
    std::memcpy(buffer.data(), body.data(), body.size());
    response.status = 200;
    response.body = Bytes(buffer.data(), body.size());
    return response;
  }

  std::string etag(const std::string& key) {
    return "\"" + std::to_string(std::hash<std::string>()(objects[key])) + "\"";
  }

  std::map<std::string, std::string> objects;
  std::map<std::size_t, std::size_t> cuts;
  Error cut_error =
      make_lib_error(ErrorCode::Network, "http: connection dropped", ErrorLib::Curl, 18);
  bool replace_on_cut = false;
  std::vector<std::string> urls, ranges, if_matches, tokens;
};

class Collect final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  Status finish() override { return {}; }
  std::string text;
};

class Keys final : public ObjectVisitor {
public:
  Status on_object(const ObjectEntry& entry) override {
    keys.emplace_back(entry.key);
    return {};
  }
  std::vector<std::string> keys;
};

class S3ObjectStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    RetryPolicy policy;
    policy.max_attempts = 3;
    ASSERT_TRUE(caller.init(s3, clock, random, log, policy, caller_arena).ok());
    auto parsed = Endpoint::parse("https://s3.test/bkt");
    ASSERT_TRUE(parsed.ok());
    endpoint = std::make_unique<Endpoint>(parsed.value());
    ASSERT_TRUE(store.init(caller, keys, *endpoint, "eu-west-1", kChunk, store_arena).ok());
    for (int i = 0; i < 70'000; ++i)
      data += static_cast<char>('a' + (i * 7 + i / 13) % 26);
    s3.objects["cur/rep/data file.csv.gz"] = data;
  }

  static constexpr std::uint32_t kChunk = 16 * 1024;
  FakeS3 s3;
  fakes::StillClock clock;
  SplitMix64 random{7};
  fakes::RecordingLog log;
  fakes::FixedKeys keys;
  std::vector<std::uint8_t> caller_memory = std::vector<std::uint8_t>(kAwsCallerArenaBytes);
  Arena caller_arena{MutableBytes(caller_memory.data(), caller_memory.size())};
  std::vector<std::uint8_t> store_memory = std::vector<std::uint8_t>(kS3ObjectStoreArenaBytes);
  Arena store_arena{MutableBytes(store_memory.data(), store_memory.size())};
  AwsCaller caller;
  std::unique_ptr<Endpoint> endpoint;
  S3ObjectStore store;
  std::string data;
};

TEST_F(S3ObjectStoreTest, StreamsInChunksOnAFixedGridWithIfMatchOnEveryRead) {
  Collect collect;
  ObjectVersion version;
  ASSERT_TRUE(store.stream("cur/rep/data file.csv.gz", collect, version, nullptr).ok());
  EXPECT_EQ(collect.text, data);
  EXPECT_EQ(version.size, data.size());
  EXPECT_EQ(s3.urls[0], "https://s3.test/bkt/cur/rep/data%20file.csv.gz"); // the HEAD
  EXPECT_EQ(s3.ranges,
            (std::vector<std::string>{"bytes=0-16383", "bytes=16384-32767", "bytes=32768-49151",
                                      "bytes=49152-65535", "bytes=65536-69999"}));
  for (const std::string& if_match : s3.if_matches)
    EXPECT_EQ(if_match, s3.etag("cur/rep/data file.csv.gz"));
}

TEST_F(S3ObjectStoreTest, ACutResumesAtTheExactByteAndKeepsTheGrid) {
  // GET #1 (request 2 after the HEAD) cut after 100 bytes; GET #3 cut after 0 bytes.
  s3.cuts = {{1, 100}, {3, 16283}};
  Collect collect;
  ObjectVersion version;
  ASSERT_TRUE(store.stream("cur/rep/data file.csv.gz", collect, version, nullptr).ok());
  EXPECT_EQ(collect.text, data); // every byte once, in order
  ASSERT_GE(s3.ranges.size(), 4u);
  EXPECT_EQ(s3.ranges[0], "bytes=0-16383");
  EXPECT_EQ(s3.ranges[1], "bytes=100-16383"); // the rest of the chunk only
  EXPECT_EQ(s3.ranges[2], "bytes=16384-32767");
  EXPECT_EQ(s3.ranges[3], "bytes=32667-32767");
  EXPECT_EQ(store.resumes(), 2u);
}

TEST_F(S3ObjectStoreTest, OnlyANetworkErrorIsResumed) {
  // The code decides, not the library: libcurl's code for a dropped connection with another
  // ErrorCode (a sink's, say) ends the stream where it is.
  s3.cuts = {{1, 100}};
  s3.cut_error = make_lib_error(ErrorCode::Io, "test: not a network failure", ErrorLib::Curl, 18);
  Collect collect;
  ObjectVersion version;
  Status status = store.stream("cur/rep/data file.csv.gz", collect, version, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().message, "test: not a network failure");
  EXPECT_EQ(store.resumes(), 0u);
  EXPECT_EQ(collect.text, data.substr(0, 100));
}

TEST_F(S3ObjectStoreTest, AnObjectReplacedBetweenReadsIsReportedNotMixed) {
  s3.cuts = {{1, 100}};
  s3.replace_on_cut = true;
  Collect collect;
  ObjectVersion version;
  Status status = store.stream("cur/rep/data file.csv.gz", collect, version, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Changed);
  EXPECT_STREQ(status.error().message, kObjectReplaced.message);
  EXPECT_EQ(collect.text, data.substr(0, 100)); // nothing of the new version reached the sink
}

TEST_F(S3ObjectStoreTest, AMissingObjectIsNotFound) {
  Collect collect;
  ObjectVersion version;
  Status status = store.stream("cur/none", collect, version, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::NotFound);
}

TEST_F(S3ObjectStoreTest, ListingFollowsEveryContinuationToken) {
  for (int i = 0; i < 450; ++i)
    s3.objects["cur/rep/k" + std::to_string(1000 + i)] = "x";
  s3.objects["other/x"] = "y";
  Keys keys_seen;
  ASSERT_TRUE(store.list("cur/rep/", keys_seen).ok());
  EXPECT_EQ(keys_seen.keys.size(), 451u); // 450 + the data file
  // 200 keys a page: three pages, the tokens (with / + =) sent back as received.
  ASSERT_EQ(s3.tokens.size(), 3u);
  EXPECT_EQ(s3.tokens[0], "");
  EXPECT_EQ(s3.tokens[1].substr(0, 4), "1/+=");
}

} // namespace
} // namespace ec
