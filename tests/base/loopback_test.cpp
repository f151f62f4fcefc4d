// tests/base/loopback_test.cpp - is_loopback_host: the hosts plain http:// may go to.
#include "core/base/loopback.h"

#include <gtest/gtest.h>

namespace ec {
namespace {

TEST(Loopback, OnlyThisDeviceIsLoopback) {
  for (const char* host : {"127.0.0.1", "127.255.255.255", "127.0.0.0", "127.1.2.3", "localhost",
                           "LocalHost", "[::1]"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host :
       {"", "10.1.2.3", "128.0.0.1", "127.1", "127.0.0.1.example.com", "127.0.0.01", "0177.0.0.1",
        "127.0.0.256", "127.0.0.1.", "127..0.1", "bucket.localhost", "localhost.", "localhostx",
        "[::2]", "::1", "[::1]x", "127.0.0.-1", "127.0.0.1:80"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

} // namespace
} // namespace ec
