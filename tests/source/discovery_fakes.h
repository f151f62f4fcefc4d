// tests/source/discovery_fakes.h - A scripted HttpTransport, a still clock and fixed keys, to
// drive the real AwsCaller in the discovery and account-name tests.
#pragma once

#include "core/base/http_message.h"
#include "core/base/log.h"
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "core/client/endpoint.h"
#include "core/net/retry_policy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ec::fakes {

/// One answer the fake gives, in order: an HTTP response, or a transport failure.
struct ScriptedReply {
  std::uint16_t status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<Error> failure; ///< set: send() fails with it (no HTTP response)
};

/// What the code under test sent.
struct RecordedRequest {
  HttpMethod method = HttpMethod::Get;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The value of header `name` (case-insensitive), or "" when absent.
  [[nodiscard]] std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers)
      if (key.size() == name.size() &&
          std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          }))
        return value;
    return "";
  }
};

/// Answers from a script; records every request. Running out of script is a test failure.
class FakeTransport final : public HttpTransport {
public:
  void reply(std::uint16_t status, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    ScriptedReply scripted;
    scripted.status = status;
    scripted.body = std::move(body);
    scripted.headers = std::move(headers);
    m_script.push_back(std::move(scripted));
  }
  void fail(Error error) {
    ScriptedReply scripted;
    scripted.failure = error;
    m_script.push_back(std::move(scripted));
  }
  /// When the script is empty, answer with this (a page that never ends, for limit tests).
  void repeat_forever(std::uint16_t status, std::string body) {
    m_forever = ScriptedReply{status, {}, std::move(body), std::nullopt};
  }

  Result<HttpResponse> send(const HttpRequest& request, ByteSink& sink) override {
    EC_TRY_ASSIGN(ScriptedReply scripted, next(request));
    EC_TRY_ASSIGN(HttpResponse response, respond(scripted));
    if (response.status >= 200 && response.status < 300) {
      EC_TRY(sink.write(as_bytes(scripted.body)));
    } else {
      m_error_body = scripted.body;
      response.body = as_bytes(m_error_body);
    }
    response.body_bytes = scripted.body.size();
    return response;
  }

  Result<HttpResponse> send(const HttpRequest& request, MutableBytes buffer) override {
    EC_TRY_ASSIGN(ScriptedReply scripted, next(request));
    EC_TRY_ASSIGN(HttpResponse response, respond(scripted));
    if (scripted.body.size() > buffer.size())
      return make_error(ErrorCode::LimitExceeded, "http: response body exceeds the buffer");
    if (!scripted.body.empty())
      std::memcpy(buffer.data(), scripted.body.data(), scripted.body.size());
    response.body = Bytes(buffer.data(), scripted.body.size());
    response.body_bytes = scripted.body.size();
    return response;
  }

  [[nodiscard]] const std::vector<RecordedRequest>& requests() const { return m_requests; }
  [[nodiscard]] std::size_t unused_replies() const { return m_script.size(); }

private:
  Result<ScriptedReply> next(const HttpRequest& request) {
    RecordedRequest recorded;
    recorded.method = request.method;
    recorded.url = std::string(request.url);
    for (const RequestHeader& header : request.headers)
      recorded.headers.emplace_back(std::string(header.name), std::string(header.value));
    recorded.body = std::string(as_text(request.body));
    m_requests.push_back(std::move(recorded));
    if (m_script.empty()) {
      if (m_forever)
        return *m_forever;
      ADD_FAILURE() << "FakeTransport: no reply scripted for request " << m_requests.size();
      return make_error(ErrorCode::Internal, "fake transport: script ended");
    }
    ScriptedReply scripted = std::move(m_script.front());
    m_script.pop_front();
    if (scripted.failure)
      return *scripted.failure;
    return scripted;
  }

  static Result<HttpResponse> respond(const ScriptedReply& scripted) {
    HttpResponse response;
    response.status = scripted.status;
    for (const auto& [name, value] : scripted.headers)
      EC_TRY(response.headers.capture(name, value));
    return response;
  }

  std::deque<ScriptedReply> m_script;
  std::optional<ScriptedReply> m_forever;
  std::vector<RecordedRequest> m_requests;
  std::string m_error_body;
};

/// A clock that moves only by the waits asked of it.
class StillClock final : public Clock {
public:
  UnixSeconds wall_seconds() override {
    return 1'700'000'000 + static_cast<UnixSeconds>(m_waited_ms / 1000);
  }
  std::uint64_t monotonic_ms() override { return m_waited_ms; }
  void pause_ms(std::uint32_t ms) override { m_waited_ms += ms; }
  [[nodiscard]] std::uint64_t waited_ms() const { return m_waited_ms; }

private:
  std::uint64_t m_waited_ms = 0;
};

/// Long-term keys that never change.
class FixedKeys final : public CredentialSource {
public:
  Result<Credentials> current(UnixSeconds) override {
    return Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  }
  bool invalidate() override { return false; }
};

/// Collects log lines.
class RecordingLog final : public Log {
public:
  void write(LogLevel, std::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

/// A real AwsCaller over a FakeTransport, with the endpoint of one AWS API.
struct CallerRig {
  explicit CallerRig(const char* endpoint_url, std::uint32_t max_attempts = 3)
      : caller_memory(kAwsCallerArenaBytes), caller_arena(MutableBytes(caller_memory)), random(42) {
    RetryPolicy policy;
    policy.max_attempts = max_attempts;
    Status started = caller.init(transport, clock, random, log, policy, caller_arena);
    EXPECT_TRUE(started.ok());
    Result<Endpoint> parsed = Endpoint::parse(endpoint_url);
    EXPECT_TRUE(parsed.ok());
    if (parsed.ok())
      endpoint = std::make_unique<Endpoint>(parsed.value());
  }

  FakeTransport transport;
  StillClock clock;
  std::vector<std::uint8_t> caller_memory;
  Arena caller_arena;
  SplitMix64 random;
  RecordingLog log;
  AwsCaller caller;
  FixedKeys keys;
  std::unique_ptr<Endpoint> endpoint;
};

/// The credential scope in an Authorization header: "<date>/<region>/<service>/aws4_request".
inline std::string credential_scope(const std::string& authorization) {
  std::size_t start = authorization.find("Credential=");
  if (start == std::string::npos)
    return "";
  start = authorization.find('/', start);
  std::size_t end = authorization.find(',', start);
  return start == std::string::npos ? "" : authorization.substr(start + 1, end - start - 1);
}

} // namespace ec::fakes
