// tests/network_memory/network_memory_test.cpp - libcurl (and TLS, where mbedTLS is built for it)
// on the network's fixed heap: requests take their memory from the block, and a block too small
// for them fails the request with the message that names the setting, at every size tried.
//
// The heap is installed once per process, before libcurl starts, so every case runs in a child
// process (a gtest death test) and this binary's own process never starts libcurl.
#include "platform/http_client.h"
#include "platform/network_memory.h"

#include <gtest/gtest.h>
#include <mbedtls/platform.h> // MBEDTLS_PLATFORM_MEMORY: the build gives TLS the heap

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/emulator.h"
#include "tests/http/http_test_peer.h"

namespace ec::platform {
namespace {

using test::formatted;
using test::http_peer;
using test::PatternSink;

enum ChildExit : int {
  kDone = 0,
  kUsedUp = 10,     // OutOfMemory with the network memory's message
  kOtherError = 11, // any other failure: a bug
  kWrongBytes = 12,
  kNotFromHeap = 13,
};

enum class Scheme { Http, Https };

// Prints the heap's figures for the parent to match, and ends the child.
[[noreturn]] void child_exit(int code, const char* what) {
  NetworkMemoryUse use = network_memory_use();
  std::fprintf(stderr, "%s: allocations=%llu peak=%zu of %zu failures=%llu tls=%d\n", what,
               static_cast<unsigned long long>(use.allocations), use.peak, use.capacity,
               static_cast<unsigned long long>(use.failures), use.covers_tls ? 1 : 0);
  std::fflush(stderr);
  _exit(code);
}

[[noreturn]] void child_failed(const Error& error) {
  std::fprintf(stderr, "error: %s\n", formatted(error).c_str());
  std::string message = error.message;
  bool used_up = error.code == ErrorCode::OutOfMemory &&
                 message.find("network memory is used up") != std::string::npos &&
                 message.find("[ingest] network_memory") != std::string::npos;
  child_exit(used_up ? kUsedUp : kOtherError, "failed");
}

// In the child: starts libcurl on a `heap_bytes` block, then GETs 100-byte ranges of /object
// `requests` times over one client, checking every byte. Exits with a ChildExit.
[[noreturn]] void run_child(std::size_t heap_bytes, Scheme scheme, int requests) {
  auto* block = new std::uint8_t[heap_bytes];
  if (Status ready = http_global_init(MutableBytes(block, heap_bytes)); !ready.ok())
    child_failed(ready.error());
  HttpSettings settings;
  settings.connect_timeout_ms = 3000;
  settings.low_speed_timeout_ms = 3000;
  settings.total_timeout_ms = 15000;
  std::string ca = http_peer().ca_bundle();
  std::string url =
      scheme == Scheme::Https ? http_peer().tls_url("/object") : http_peer().url("/object");
  if (scheme == Scheme::Https)
    settings.ca_bundle = ca;
  {
    HttpClient client;
    if (Status opened = client.open(settings); !opened.ok())
      child_failed(opened.error());
    for (int i = 0; i < requests; ++i) {
      std::uint64_t first = static_cast<std::uint64_t>(i * 37 % 900);
      std::string range = "bytes=" + std::to_string(first) + "-" + std::to_string(first + 99);
      RequestHeader headers[] = {{"Range", range}};
      PatternSink sink(first);
      Result<HttpResponse> response =
          client.send(HttpRequest{HttpMethod::Get, url, headers, {}}, sink);
      if (!response.ok())
        child_failed(response.error());
      if (response.value().status != 206 || sink.received != 100 || sink.mismatches != 0)
        child_exit(kWrongBytes, "wrong bytes");
    }
  }
  NetworkMemoryUse use = network_memory_use();
  if (use.allocations == 0 || use.peak == 0 || use.peak > use.capacity)
    child_exit(kNotFromHeap, "not from the heap");
  child_exit(kDone, "done");
}

class NetworkMemoryDeathTest : public ::testing::Test {
protected:
  void SetUp() override {
    EC_SKIP_DEATH_TEST_UNDER_EMULATOR();
    ASSERT_NE(http_peer().http, 0) << "tests/http/http_peer.py did not start";
    ASSERT_NE(http_peer().https, 0) << "no HTTPS peer: " << http_peer().tls_error;
  }
};

bool exited_with(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

TEST_F(NetworkMemoryDeathTest, RequestsOverHttpAndHttpsTakeTheirMemoryFromTheBlock) {
  EXPECT_EXIT(
      run_child(1024 * 1024, Scheme::Http, 20),
      [](int status) { return exited_with(status, kDone); }, "done: allocations=[1-9]");
  EXPECT_EXIT(
      run_child(1024 * 1024, Scheme::Https, 20),
      [](int status) { return exited_with(status, kDone); }, "done: allocations=[1-9]");
}

// An HTTPS client needs far more than a plain one (curl's TLS connection state, and where mbedTLS
// allocates from the block too, its record buffers and the handshake): a block that serves plain
// HTTP well is too small for it, and says so.
TEST_F(NetworkMemoryDeathTest, HttpsNeedsMoreThanHttpAndSaysSoWhenItIsShort) {
  EXPECT_EXIT(
      run_child(96 * 1024, Scheme::Http, 5), [](int status) { return exited_with(status, kDone); },
      "done");
  EXPECT_EXIT(
      run_child(96 * 1024, Scheme::Https, 5),
      [](int status) { return exited_with(status, kUsedUp); }, "network memory is used up");
}

// Where mbedTLS is built with MBEDTLS_PLATFORM_MEMORY (the firmware presets), its calloc and free
// are the heap's once libcurl starts on it; elsewhere TLS keeps the C library's and says so.
[[noreturn]] void check_tls_hook() {
  static std::uint8_t block[64 * 1024];
  if (!http_global_init(MutableBytes(block, sizeof block)).ok())
    child_exit(kOtherError, "init");
#if defined(MBEDTLS_PLATFORM_MEMORY)
  std::uint64_t before = network_memory_use().allocations;
  void* taken = mbedtls_calloc(3, 100);
  bool from_heap =
      taken && network_memory_use().allocations == before + 1 && network_memory_use().covers_tls;
  mbedtls_free(taken);
  child_exit(from_heap ? kDone : kNotFromHeap, "mbedtls_calloc");
#else
  child_exit(network_memory_use().covers_tls ? kNotFromHeap : kDone, "malloc");
#endif
}

TEST_F(NetworkMemoryDeathTest, TlsTakesItsMemoryFromTheBlockWhereBuiltForIt) {
  EXPECT_EXIT(
      check_tls_hook(), [](int status) { return exited_with(status, kDone); }, "");
}

// Every block size from 1 KiB up to one that is enough: each request either succeeds or fails
// with the setting's message, never another error, a crash or a wrong byte.
TEST_F(NetworkMemoryDeathTest, ABlockTooSmallFailsTheRequestCleanlyAtEverySize) {
  for (Scheme scheme : {Scheme::Http, Scheme::Https}) {
    for (std::size_t kib : {1, 8, 24, 48, 64, 96, 160, 256}) {
      SCOPED_TRACE((scheme == Scheme::Https ? "https, " : "http, ") + std::to_string(kib) + " KiB");
      EXPECT_EXIT(
          run_child(kib * 1024, scheme, 3),
          [](int status) { return exited_with(status, kDone) || exited_with(status, kUsedUp); },
          "");
    }
    EXPECT_EXIT(
        run_child(1024, scheme, 1), [](int status) { return exited_with(status, kUsedUp); },
        "network memory is used up");
  }
}

} // namespace
} // namespace ec::platform
