// tests/platform/dir_object_store_test.cpp - DirObjectStore: a copied report bucket on disk as an
// ObjectStore: listing by prefix, reads, a file rewritten while read, keys that try to escape.
#include "platform/dir_object_store.h"

#include "platform/file_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ec::platform {
namespace {

class Keys final : public ObjectVisitor {
public:
  Status on_object(const ObjectEntry& entry) override {
    keys.push_back(std::string(entry.key) + ":" + std::to_string(entry.size));
    return {};
  }
  std::vector<std::string> keys;
};

class Collect final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    if (on_first && !done_hook) {
      done_hook = true;
      on_first();
    }
    return {};
  }
  Status finish() override { return {}; }
  std::string text;
  std::function<void()> on_first;
  bool done_hook = false;
};

class DirObjectStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    root = ::testing::TempDir() + "dir_store_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::system(("rm -rf '" + root + "'").c_str());
    put("cur/rep/20240501-20240601/rep-Manifest.json", "{\"m\":1}");
    put("cur/rep/20240501-20240601/abc/rep-1.csv.gz", std::string(100000, 'x'));
    put("cur/report2/x.json", "other report");
    put("cur/repx", "a file whose name starts like the prefix");
    buffer.resize(4096);
    ASSERT_TRUE(store.init(root, MutableBytes(buffer.data(), buffer.size())).ok());
  }
  void TearDown() override { std::system(("rm -rf '" + root + "'").c_str()); }

  void put(const std::string& key, const std::string& data) {
    std::string path = root + "/" + key;
    std::system(("mkdir -p \"$(dirname '" + path + "')\"").c_str());
    std::ofstream(path, std::ios::binary) << data;
  }

  std::string root;
  std::vector<std::uint8_t> buffer;
  DirObjectStore store;
};

TEST_F(DirObjectStoreTest, ListsOnlyKeysUnderThePrefix) {
  Keys keys;
  ASSERT_TRUE(store.list("cur/rep/", keys).ok());
  std::sort(keys.keys.begin(), keys.keys.end());
  EXPECT_EQ(keys.keys, (std::vector<std::string>{"cur/rep/20240501-20240601/abc/rep-1.csv.gz:100000",
                                                 "cur/rep/20240501-20240601/rep-Manifest.json:7"}));
  Keys partial;
  ASSERT_TRUE(store.list("cur/rep", partial).ok());
  EXPECT_EQ(partial.keys.size(), 4u); // rep/, report2/ and repx all start with "cur/rep"
  Keys none;
  ASSERT_TRUE(store.list("nothing/here/", none).ok());
  EXPECT_TRUE(none.keys.empty());
}

// A report file over 4 GiB (sparse here) keeps its size on 32-bit ARM too (64-bit off_t).
TEST_F(DirObjectStoreTest, SizesPastFourGibibytesAreExact) {
  const std::uint64_t size = (std::uint64_t{5} << 30) + 3;
  std::string path = root + "/cur/big/huge.csv.gz";
  put("cur/big/huge.csv.gz", "");
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(size)), 0);
  Keys keys;
  ASSERT_TRUE(store.list("cur/big/", keys).ok());
  EXPECT_EQ(keys.keys, (std::vector<std::string>{"cur/big/huge.csv.gz:5368709123"}));
  Result<std::uint64_t> measured = file_size(path.c_str());
  ASSERT_TRUE(measured.ok());
  EXPECT_EQ(measured.value(), size);
}

TEST_F(DirObjectStoreTest, ReadsSmallAndStreamsLargeFiles) {
  std::vector<std::uint8_t> small(64);
  ObjectVersion version;
  auto body = store.read_small("cur/rep/20240501-20240601/rep-Manifest.json",
                               MutableBytes(small.data(), small.size()), version);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(body.value().data()), body.value().size()),
            "{\"m\":1}");
  EXPECT_EQ(version.size, 7u);
  auto too_big = store.read_small("cur/rep/20240501-20240601/abc/rep-1.csv.gz",
                                  MutableBytes(small.data(), small.size()), version);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::LimitExceeded);

  Collect collect;
  ASSERT_TRUE(store.stream("cur/rep/20240501-20240601/abc/rep-1.csv.gz", collect, version, nullptr).ok());
  EXPECT_EQ(collect.text, std::string(100000, 'x'));

  auto missing = store.read_small("cur/none", MutableBytes(small.data(), small.size()), version);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_F(DirObjectStoreTest, AFileRewrittenWhileReadIsReportedReplaced) {
  Collect collect;
  collect.on_first = [this] {
    usleep(20'000); // a different mtime even on coarse clocks
    put("cur/rep/20240501-20240601/abc/rep-1.csv.gz", std::string(100001, 'y'));
  };
  ObjectVersion version;
  Status status = store.stream("cur/rep/20240501-20240601/abc/rep-1.csv.gz", collect, version, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().message, kObjectReplacedMessage);
}

TEST_F(DirObjectStoreTest, KeysThatLeaveTheDirectoryAreRefused) {
  std::vector<std::uint8_t> small(64);
  ObjectVersion version;
  for (const char* key : {"../etc/passwd", "/etc/passwd", "cur/../../x", "cur/.."}) {
    auto body = store.read_small(key, MutableBytes(small.data(), small.size()), version);
    ASSERT_FALSE(body.ok()) << key;
    EXPECT_EQ(body.error().code, ErrorCode::InvalidInput) << key;
  }
}

} // namespace
} // namespace ec::platform
