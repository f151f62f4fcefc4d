// tests/platform/dir_object_store_test.cpp - DirObjectStore: a copied report bucket on disk as an
// ObjectStore: listing by prefix, reads, a file rewritten while read, keys that try to escape.
#include "platform/dir_object_store.h"
#include "platform/file_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
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
  EXPECT_EQ(keys.keys,
            (std::vector<std::string>{"cur/rep/20240501-20240601/abc/rep-1.csv.gz:100000",
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
  ASSERT_TRUE(
      store.stream("cur/rep/20240501-20240601/abc/rep-1.csv.gz", collect, version, nullptr).ok());
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
  Status status =
      store.stream("cur/rep/20240501-20240601/abc/rep-1.csv.gz", collect, version, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Changed);
  EXPECT_STREQ(status.error().message, kObjectReplaced.message);
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

// A copied folder must not lead out of itself (issue 11): run as root, etclink -> /etc once let
// edgecur open etclink/shadow. Every link is refused, whatever it points to.
class DirObjectStoreLinkTest : public DirObjectStoreTest {
protected:
  void SetUp() override {
    DirObjectStoreTest::SetUp();
    outside = root + "_outside";
    std::system(("rm -rf '" + outside + "' && mkdir -p '" + outside + "'").c_str());
    std::ofstream(outside + "/shadow", std::ios::binary) << "root:SECRETHASH:19000::::::";
    std::string rep = root + "/cur/rep/";
    ASSERT_EQ(symlink(outside.c_str(), (rep + "etclink").c_str()), 0);
    ASSERT_EQ(symlink((outside + "/shadow").c_str(), (rep + "filelink.csv").c_str()), 0);
    // A link to a file inside the folder is refused too: one rule, nothing to reason about.
    ASSERT_EQ(symlink("20240501-20240601/rep-Manifest.json", (rep + "inside.json").c_str()), 0);
    ASSERT_EQ(symlink(outside.c_str(), (root + "/cur/dirlink").c_str()), 0);
  }
  void TearDown() override {
    std::system(("rm -rf '" + outside + "'").c_str());
    DirObjectStoreTest::TearDown();
  }

  // The error of reading `key` both ways; the outside file's text must never come back.
  void expect_refused(const std::string& key, ErrorCode code, const char* message) {
    SCOPED_TRACE(key);
    std::vector<std::uint8_t> small(256);
    ObjectVersion version;
    auto body = store.read_small(key, MutableBytes(small.data(), small.size()), version);
    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.error().code, code);
    EXPECT_STREQ(body.error().message, message);
    Collect collect;
    Status streamed = store.stream(key, collect, version, nullptr);
    ASSERT_FALSE(streamed.ok());
    EXPECT_EQ(streamed.error().code, code);
    EXPECT_STREQ(streamed.error().message, message);
    EXPECT_EQ(collect.text, "");
  }

  std::string outside;
};

TEST_F(DirObjectStoreLinkTest, ALinkedFileIsRefused) {
  expect_refused("cur/rep/filelink.csv", ErrorCode::Permission, "local: refusing a symbolic link");
  expect_refused("cur/rep/inside.json", ErrorCode::Permission, "local: refusing a symbolic link");
}

TEST_F(DirObjectStoreLinkTest, APathThroughALinkedDirectoryIsRefused) {
  expect_refused("cur/rep/etclink/shadow", ErrorCode::Permission,
                 "local: refusing a symbolic link");
  expect_refused("cur/dirlink/shadow", ErrorCode::Permission, "local: refusing a symbolic link");
}

TEST_F(DirObjectStoreLinkTest, APathWithDotDotIsRefused) {
  std::string up = "cur/rep/../../../" + outside.substr(outside.rfind('/') + 1) + "/shadow";
  expect_refused(up, ErrorCode::InvalidInput, "local: key leaves the directory");
  expect_refused("cur/rep/etclink/../../../x", ErrorCode::InvalidInput,
                 "local: key leaves the directory");
}

TEST_F(DirObjectStoreLinkTest, ListingSkipsLinksAndNestedFilesStillWork) {
  Keys keys;
  ASSERT_TRUE(store.list("cur/", keys).ok());
  std::sort(keys.keys.begin(), keys.keys.end());
  EXPECT_EQ(keys.keys,
            (std::vector<std::string>{"cur/rep/20240501-20240601/abc/rep-1.csv.gz:100000",
                                      "cur/rep/20240501-20240601/rep-Manifest.json:7",
                                      "cur/report2/x.json:12", "cur/repx:40"}));
  std::vector<std::uint8_t> small(64);
  ObjectVersion version;
  for (const char* key : {"cur/rep/20240501-20240601/rep-Manifest.json",
                          "cur/rep//20240501-20240601/./rep-Manifest.json"}) {
    auto body = store.read_small(key, MutableBytes(small.data(), small.size()), version);
    ASSERT_TRUE(body.ok()) << key << ": " << body.error().message;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(body.value().data()), body.value().size()),
              "{\"m\":1}");
  }
  Collect collect;
  ASSERT_TRUE(
      store.stream("cur/rep/20240501-20240601/abc/rep-1.csv.gz", collect, version, nullptr).ok());
  EXPECT_EQ(collect.text.size(), 100000u);
}

// local_dir is the administrator's choice, so the folder itself may be reached through a link.
TEST_F(DirObjectStoreLinkTest, TheFolderItselfMayBeALink) {
  std::string alias = root + "_alias";
  std::remove(alias.c_str());
  ASSERT_EQ(symlink(root.c_str(), alias.c_str()), 0);
  DirObjectStore through_link;
  ASSERT_TRUE(through_link.init(alias, MutableBytes(buffer.data(), buffer.size())).ok());
  Keys keys;
  ASSERT_TRUE(through_link.list("cur/rep/2", keys).ok());
  EXPECT_EQ(keys.keys.size(), 2u);
  std::vector<std::uint8_t> small(64);
  ObjectVersion version;
  EXPECT_TRUE(through_link
                  .read_small("cur/rep/20240501-20240601/rep-Manifest.json",
                              MutableBytes(small.data(), small.size()), version)
                  .ok());
  std::remove(alias.c_str());
}

// A FIFO where a report file should be is refused at once instead of blocking the run.
TEST_F(DirObjectStoreLinkTest, AFifoDoesNotBlock) {
  ASSERT_EQ(mkfifo((root + "/cur/rep/pipe.csv").c_str(), 0600), 0);
  expect_refused("cur/rep/pipe.csv", ErrorCode::InvalidInput, "file: not a regular file");
}

} // namespace
} // namespace ec::platform
