// tests/http/http_test_peer.h - Starts tests/http/http_peer.py once per test binary and test sinks.
#pragma once

#include "core/base/byte_sink.h"
#include "core/base/bytes.h"
#include "core/base/error.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace ec::test {

/// The local servers (all on 127.0.0.1): origin, two forward proxies, and an HTTPS origin whose
/// certificate (for "localhost") is signed by a CA created at start.
class HttpPeer {
public:
  int http = 0;
  int proxy = 0;
  int proxy_auth = 0; ///< wants user:s3cret
  int https = 0;      ///< 0 when openssl could not make the certificates
  std::string tls_error;
  std::string directory;

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http) + path;
  }
  std::string tls_url(const std::string& path) const {
    return "https://localhost:" + std::to_string(https) + path;
  }
  std::string ca_bundle() const { return directory + "/tls/ca.pem"; }
  std::string other_ca_bundle() const { return directory + "/tls/other-ca.pem"; }

  HttpPeer() {
    // A proxy in the environment of whoever runs the tests must not reroute 127.0.0.1.
    for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                             "no_proxy", "NO_PROXY"})
      unsetenv(name);
    // A death test's child in the threadsafe style (cross builds under qemu) runs this binary
    // again: it uses its parent's peer, named in the environment, instead of starting another.
    if (const char* shared = std::getenv("EC_HTTP_PEER_DIR")) {
      directory = shared;
      m_shared = true;
      read_ports(directory + "/ports.json", std::chrono::seconds(5));
      return;
    }
    char pattern[] = "/tmp/ec-http-XXXXXX";
    if (!mkdtemp(pattern))
      return;
    directory = pattern;
    std::string script = std::string(EC_SOURCE_DIR) + "/tests/http/http_peer.py";
    std::string port_file = directory + "/ports.json";
    std::string tls_dir = directory + "/tls";
    std::vector<std::string> args = {EC_PYTHON3,  script,  "--port-file", port_file,
                                     "--tls-dir", tls_dir, "--lifetime",  "600"};
    std::vector<char*> argv;
    for (std::string& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&m_pid, EC_PYTHON3, nullptr, nullptr, argv.data(), environ) != 0) {
      m_pid = 0;
      return;
    }
    read_ports(port_file, std::chrono::seconds(30));
    if (http != 0)
      setenv("EC_HTTP_PEER_DIR", directory.c_str(), 1);
  }

  void read_ports(const std::string& port_file, std::chrono::seconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    std::string json;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      if (in) {
        std::stringstream text;
        text << in.rdbuf();
        json = text.str();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    http = number(json, "\"http\"");
    proxy = number(json, "\"proxy\"");
    proxy_auth = number(json, "\"proxy_auth\"");
    https = number(json, "\"https\"");
    std::size_t error_at = json.find("\"tls_error\": \"");
    if (error_at != std::string::npos)
      tls_error = json.substr(error_at + 14, json.find('"', error_at + 14) - error_at - 14);
  }
  ~HttpPeer() {
    if (m_shared)
      return; // the parent's
    if (m_pid > 0) {
      kill(m_pid, SIGTERM);
      int status = 0;
      waitpid(m_pid, &status, 0);
    }
    if (!directory.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(directory, ignored);
    }
  }
  HttpPeer(const HttpPeer&) = delete;
  HttpPeer& operator=(const HttpPeer&) = delete;

private:
  static int number(const std::string& json, const std::string& key) {
    std::size_t at = json.find(key + ":");
    if (at == std::string::npos)
      return 0;
    return std::atoi(json.c_str() + at + key.size() + 1);
  }
  pid_t m_pid = 0;
  bool m_shared = false;
};

/// The peer, started at first use and stopped at exit.
inline const HttpPeer& http_peer() {
  static HttpPeer peer;
  return peer;
}

/// Byte i of the peer's pattern bodies.
inline std::uint8_t pattern_byte(std::uint64_t index) {
  return static_cast<std::uint8_t>(index % 251);
}

/// Checks every byte against the pattern (from `first_index`), records chunk sizes, and can refuse
/// a write once it has `fail_after` bytes.
class PatternSink final : public ByteSink {
public:
  explicit PatternSink(std::uint64_t first_index = 0) : m_next(first_index) {}
  Status write(Bytes chunk) override {
    if (fail_after && received + chunk.size() > *fail_after)
      return failure;
    for (std::uint8_t byte : chunk) {
      if (byte != pattern_byte(m_next) && mismatches++ == 0)
        first_mismatch = received;
      ++m_next;
      ++received;
    }
    chunks.push_back(chunk.size());
    return {};
  }
  Status finish() override {
    ++finished;
    return {};
  }

  std::uint64_t received = 0;
  std::uint64_t mismatches = 0;
  std::uint64_t first_mismatch = 0;
  int finished = 0;
  std::vector<std::size_t> chunks;
  std::optional<std::uint64_t> fail_after;
  Error failure = make_error(ErrorCode::Corrupt, "test-sink: refused").at(ErrorWhere::Line, 42);

private:
  std::uint64_t m_next;
};

/// Collects the body as text.
class TextSink final : public ByteSink {
public:
  Status write(Bytes chunk) override {
    text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return {};
  }
  Status finish() override { return {}; }
  std::string text;
};

inline std::string as_string(Bytes bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline std::string formatted(const Error& error) {
  char out[256];
  std::size_t length = format_error(error, out, sizeof out);
  return std::string(out, length);
}

} // namespace ec::test
