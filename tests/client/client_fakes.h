// tests/client/client_fakes.h - Scripted HttpTransport, settable Clock, recording Log and a
// renewable CredentialSource for the client tests.
#pragma once

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/base/http_message.h"
#include "core/client/aws_caller.h"
#include "core/client/credentials.h"
#include "core/net/http_date.h"
#include "core/net/retry_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ec::test {

/// Wall time moves only when a test sets it; pause_ms records the wait and moves the monotonic
/// clock, never sleeps.
class FakeClock final : public Clock {
public:
  UnixSeconds wall = 1'717'243'200; // 2024-06-01T12:00:00Z
  std::uint64_t monotonic = 0;
  std::vector<std::uint32_t> pauses;

  UnixSeconds wall_seconds() override { return wall; }
  std::uint64_t monotonic_ms() override { return monotonic; }
  void pause_ms(std::uint32_t ms) override {
    pauses.push_back(ms);
    monotonic += ms;
  }
  std::uint64_t paused_total() const {
    std::uint64_t total = 0;
    for (std::uint32_t ms : pauses)
      total += ms;
    return total;
  }
};

/// Always the same draw (UINT32_MAX: every backoff is its ceiling; 0: no wait).
class FixedRandom final : public RandomSource {
public:
  explicit FixedRandom(std::uint32_t value) : m_value(value) {}
  std::uint32_t next_u32() override { return m_value; }

private:
  std::uint32_t m_value;
};

class RecordingLog final : public Log {
public:
  std::vector<std::string> lines;
  void write(LogLevel, std::string_view line) override { lines.emplace_back(line); }
  bool has(const std::string& line) const {
    for (const std::string& seen : lines)
      if (seen == line)
        return true;
    return false;
  }
  bool has_containing(const std::string& part) const {
    for (const std::string& seen : lines)
      if (seen.find(part) != std::string::npos)
        return true;
    return false;
  }
};

/// One scripted answer: an HTTP response, or a transport Error (after `cut_after` body bytes
/// reached the sink when set).
struct Scripted {
  std::uint16_t status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers; ///< captured; Date is added if absent
  std::optional<Error> error;
  std::optional<std::size_t> cut_after;
};

inline Scripted respond(std::uint16_t status, std::string body = {}) {
  Scripted scripted;
  scripted.status = status;
  scripted.body = std::move(body);
  return scripted;
}
inline Scripted s3_error(std::uint16_t status, const std::string& code,
                         const std::string& message = "message") {
  return respond(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                             "</Code><Message>" + message +
                             "</Message><RequestId>R1</RequestId></Error>");
}
inline Scripted sts_error(std::uint16_t status, const std::string& code,
                          const std::string& message) {
  return respond(status, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                         "<Error><Type>Sender</Type><Code>" +
                             code + "</Code><Message>" + message +
                             "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>");
}
inline Scripted transport_error(ErrorCode code, ErrorText message) {
  Scripted scripted;
  scripted.error = make_lib_error(code, message, ErrorLib::Curl, 7);
  return scripted;
}

/// A request as the transport saw it.
struct Recorded {
  HttpMethod method = HttpMethod::Get;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers)
      if (key == name)
        return value;
    return "<absent>";
  }
  std::vector<std::string> header_names() const {
    std::vector<std::string> names;
    for (const auto& header : headers)
      names.push_back(header.first);
    return names;
  }
};

/// Plays `script` in order and records every request. Responses carry a Date of the clock's wall
/// time plus `server_ahead_seconds` unless the script gives one. A 2xx body goes to the sink in
/// `chunk_bytes` pieces.
class FakeTransport final : public HttpTransport {
public:
  explicit FakeTransport(FakeClock& clock) : m_clock(clock) {}

  std::deque<Scripted> script;
  std::vector<Recorded> requests;
  std::int64_t server_ahead_seconds = 0;
  std::size_t chunk_bytes = 3;

  Result<HttpResponse> send(const HttpRequest& request, ByteSink& sink) override {
    Scripted next;
    if (!take(request, next))
      return make_error(ErrorCode::Internal, "fake: script exhausted");
    if (next.error && !next.cut_after)
      return *next.error;
    HttpResponse response = head(next);
    if (response.status >= 200 && response.status < 300) {
      std::size_t limit = next.cut_after ? *next.cut_after : next.body.size();
      for (std::size_t at = 0; at < limit; at += chunk_bytes) {
        std::size_t size = std::min(chunk_bytes, limit - at);
        Status written = sink.write(as_bytes(std::string_view(next.body).substr(at, size)));
        response.body_bytes += size;
        if (!written.ok())
          return written.error();
      }
      if (next.error)
        return *next.error;
    } else {
      m_error_body = next.body;
      response.body = as_bytes(m_error_body);
      response.body_bytes = m_error_body.size();
    }
    return response;
  }

  Result<HttpResponse> send(const HttpRequest& request, MutableBytes buffer) override {
    Scripted next;
    if (!take(request, next))
      return make_error(ErrorCode::Internal, "fake: script exhausted");
    if (next.error)
      return *next.error;
    HttpResponse response = head(next);
    if (next.body.size() > buffer.size())
      return make_error(ErrorCode::LimitExceeded, "http: response body larger than its buffer")
          .at(ErrorWhere::ByteOffset, buffer.size());
    std::copy(next.body.begin(), next.body.end(), buffer.begin());
    response.body = Bytes(buffer.data(), next.body.size());
    response.body_bytes = next.body.size();
    return response;
  }

private:
  bool take(const HttpRequest& request, Scripted& next) {
    Recorded recorded;
    recorded.method = request.method;
    recorded.url = std::string(request.url);
    for (const RequestHeader& header : request.headers)
      recorded.headers.emplace_back(std::string(header.name), std::string(header.value));
    recorded.body = std::string(as_text(request.body));
    requests.push_back(std::move(recorded));
    if (script.empty()) {
      ADD_FAILURE() << "fake transport: no scripted answer for request " << requests.size();
      return false;
    }
    next = std::move(script.front());
    script.pop_front();
    return true;
  }

  HttpResponse head(const Scripted& next) {
    HttpResponse response;
    response.status = next.status;
    bool has_date = false;
    for (const auto& [name, value] : next.headers) {
      EXPECT_TRUE(response.headers.capture(name, value).ok());
      has_date = has_date || name == "Date";
    }
    if (!has_date) {
      char date[30];
      std::size_t size = format_http_date(m_clock.wall + server_ahead_seconds, date, sizeof date);
      EXPECT_TRUE(response.headers.capture("Date", std::string_view(date, size)).ok());
    }
    return response;
  }

  FakeClock& m_clock;
  std::string m_error_body;
};

/// Collects a streamed body; can refuse the write that would pass `fail_at` bytes.
class StringSink final : public ByteSink {
public:
  std::string text;
  std::optional<std::size_t> fail_at;
  Status write(Bytes chunk) override {
    if (fail_at && text.size() + chunk.size() > *fail_at)
      return make_error(ErrorCode::Io, "sink: disk full");
    text.append(as_text(chunk));
    return {};
  }
  Status finish() override { return {}; }
};

/// A session that can be renewed: token-1, then token-2 after invalidate(), and so on.
class RenewableCredentials final : public CredentialSource {
public:
  int generation = 1;
  int invalidations = 0;
  bool renewable = true;
  Result<Credentials> current(UnixSeconds) override {
    m_token = "token-" + std::to_string(generation);
    Credentials credentials;
    credentials.access_key_id = "ASIAEXAMPLE";
    credentials.secret_access_key = "renewable/secret+KEY=";
    credentials.session_token = m_token;
    return credentials;
  }
  bool invalidate() override {
    ++invalidations;
    if (!renewable)
      return false;
    ++generation;
    return true;
  }

private:
  std::string m_token;
};

/// format_error as a std::string.
inline std::string error_text(const Error& error) {
  char text[512];
  std::size_t size = format_error(error, text, sizeof text);
  return std::string(text, size);
}

/// No line of `texts` holds any of `secrets`.
inline void expect_no_secrets(const std::vector<std::string>& texts,
                              const std::vector<std::string>& secrets) {
  for (const std::string& text : texts) {
    for (const std::string& secret : secrets) {
      if (!secret.empty()) {
        EXPECT_EQ(text.find(secret), std::string::npos) << "secret in: " << text;
      }
    }
  }
}

/// "YYYYMMDDTHHMMSSZ" of `seconds`.
inline std::string amz_date(UnixSeconds seconds) {
  char text[16];
  EXPECT_TRUE(format_amz_date(SigningTime{seconds}, std::span<char, 16>(text)).ok());
  return std::string(text, 16);
}

} // namespace ec::test
