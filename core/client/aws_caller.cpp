// core/client/aws_caller.cpp - One AWS request: sign, send, classify, and retry as RetryState
// says, re-signing with the server's clock and renewing an expired session once.
#include "core/client/aws_caller.h"

#include "core/base/text_builder.h"
#include "core/client/client_text.h"

#include <optional>

namespace ec {

namespace {

/// The request URL (an S3 key and a continuation token, percent-encoded, fit with room).
constexpr std::size_t kUrlBytes = 16 * 1024;
/// The caller's signed headers plus the four the signer adds.
constexpr std::size_t kHeaderSlots = kMaxSignedHeaders + 4;
constexpr std::size_t kLogLineBytes = 256;
/// Longest AWS error code quoted in a log line (they are short names; the rest is dropped).
constexpr std::size_t kMaxLoggedCodeBytes = 64;

bool is_expired_session(std::string_view code) {
  return code == "ExpiredToken" || code == "ExpiredTokenException";
}

bool is_loggable_code_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == ':';
}

// "<operation>: <status> <code>" or "<operation>: <transport error>". The code comes from the
// response body, so only a short run of name characters is quoted.
void begin_line(TextBuilder& line, const AwsCall& call, std::uint16_t status, std::string_view code,
                const Error* transport) {
  line.append(call.operation != nullptr && call.operation[0] != '\0' ? call.operation
                                                                     : call.service);
  line.append(": ");
  if (transport != nullptr) {
    line.append(transport->message);
    return;
  }
  client_text::append_decimal(line, status);
  if (code.empty())
    return;
  line.append(' ');
  std::size_t quoted = 0;
  for (char c : code) {
    if (!is_loggable_code_byte(c) || quoted == kMaxLoggedCodeBytes)
      break;
    line.append(c);
    ++quoted;
  }
}

std::uint32_t retries_allowed(const RetryPolicy& policy) {
  return policy.max_attempts <= 1 ? 0 : policy.max_attempts - 1;
}

// "; retry 2 of 5 in 340 ms"
void append_retry(TextBuilder& line, std::uint32_t retry, const RetryPolicy& policy,
                  std::uint32_t delay_ms) {
  line.append("; retry ");
  client_text::append_decimal(line, retry);
  line.append(" of ");
  client_text::append_decimal(line, retries_allowed(policy));
  line.append(" in ");
  client_text::append_decimal(line, delay_ms);
  line.append(" ms");
}

// "; giving up after 6 tries"
void append_give_up(TextBuilder& line, std::uint32_t tries) {
  line.append("; giving up after ");
  client_text::append_decimal(line, tries);
  line.append(tries == 1 ? " try" : " tries");
}

} // namespace

Status AwsCaller::init(HttpTransport& transport, Clock& clock, RandomSource& random, Log& log,
                       const RetryPolicy& policy, Arena& arena) {
  if (arena.remaining() < kAwsCallerArenaBytes)
    return make_error(ErrorCode::OutOfMemory, "aws caller: arena too small")
        .with_detail("kAwsCallerArenaBytes");
  EC_TRY_ASSIGN(SignedHeaders * signed_headers,
                arena.try_allocate_array<SignedHeaders>(1, "signed headers"));
  EC_TRY_ASSIGN(char* url, arena.try_allocate_array<char>(kUrlBytes, "request url"));
  EC_TRY_ASSIGN(RequestHeader * headers,
                arena.try_allocate_array<RequestHeader>(kHeaderSlots, "request headers"));
  m_transport = &transport;
  m_clock = &clock;
  m_random = &random;
  m_log = &log;
  m_policy = policy;
  m_signed = signed_headers;
  m_url = url;
  m_url_capacity = kUrlBytes;
  m_headers = headers;
  return {};
}

Result<AwsReply> AwsCaller::call(const AwsCall& request, CredentialSource& credentials,
                                 MutableBytes buffer) {
  return run(request, credentials, &buffer, nullptr);
}

Result<AwsReply> AwsCaller::call(const AwsCall& request, CredentialSource& credentials,
                                 ByteSink& sink) {
  return run(request, credentials, nullptr, &sink);
}

Result<std::string_view> AwsCaller::build_url(const AwsCall& request, std::string_view& path) {
  const Endpoint& endpoint = *request.endpoint;
  TextBuilder url(std::span<char>(m_url, m_url_capacity));
  url.append(endpoint.scheme() == Scheme::Https ? "https://" : "http://");
  url.append(endpoint.host());
  if (endpoint.port() != 0) {
    url.append(':');
    client_text::append_decimal(url, endpoint.port());
  }
  std::size_t path_start = url.size();
  url.append(endpoint.base_path());
  if (!request.path.empty())
    url.append(request.path);
  else if (endpoint.base_path().empty())
    url.append('/');
  std::size_t path_end = url.size();
  if (!request.query.empty()) {
    url.append('?');
    EC_TRY(canonical_query(request.query, url)); // the canonical form is a valid query string
  }
  EC_TRY(url.status("request url"));
  std::string_view text = url.view();
  path = text.substr(path_start, path_end - path_start);
  return text;
}

Result<AwsReply> AwsCaller::run(const AwsCall& request, CredentialSource& credentials,
                                MutableBytes* buffer, ByteSink* sink) {
  EC_CHECK(m_transport != nullptr && request.endpoint != nullptr);
  EC_CHECK((buffer == nullptr) != (sink == nullptr));
  if (request.headers.size() > kMaxSignedHeaders)
    return make_error(ErrorCode::LimitExceeded, "aws: too many request headers");
  const Endpoint& endpoint = *request.endpoint;
  RetryState state(m_policy);
  std::optional<CountingSink> counting; // the sink form only
  if (sink != nullptr)
    counting.emplace(*sink);
  std::uint32_t tries = 0;
  bool renewed = false;

  for (;;) {
    // Credentials first: an AssumeRole source calls AWS through this same caller, which reuses
    // the URL and signature buffers below.
    EC_TRY_ASSIGN(Credentials signing_credentials,
                  credentials.current(m_offset.corrected(m_clock->wall_seconds())));
    std::string_view path;
    EC_TRY_ASSIGN(std::string_view url, build_url(request, path));

    SigningInput input;
    input.method = method_name(request.method);
    input.scheme = endpoint.scheme();
    input.host = endpoint.host();
    input.port = endpoint.port();
    input.path = path;
    input.query = request.query;
    input.headers = request.headers;
    input.payload = Payload::HashBody;
    input.body = request.body;
    input.region = request.region;
    input.service = request.service;
    input.rules = signing_rules_for(request.service);
    input.time.unix_seconds = m_offset.corrected(m_clock->wall_seconds());
    EC_TRY(sign_request(input, signing_credentials, *m_signed));

    std::size_t header_count = 0;
    for (const HttpHeader& header : request.headers)
      m_headers[header_count++] = {header.name, header.value};
    SignedHeaders::Added added = m_signed->headers_to_add();
    for (std::size_t i = 0; i < added.count; ++i)
      m_headers[header_count++] = {added.items[i].name, added.items[i].value};
    HttpRequest http;
    http.method = request.method;
    http.url = url;
    http.headers = std::span<const RequestHeader>(m_headers, header_count);
    http.body = request.body;

    ++tries;
    ++m_stats.requests;
    Result<HttpResponse> sent =
        sink != nullptr ? m_transport->send(http, *counting) : m_transport->send(http, *buffer);

    if (!sent.ok()) {
      Error error = sent.error();
      if (counting && counting->failed())
        return error; // the caller's sink refused: its own error, unchanged
      if (counting && counting->bytes() > 0) {
        // Part of the body is already downstream: a retry would repeat it. The caller resumes.
        error.where = ErrorWhere::ByteOffset;
        error.position = counting->bytes();
        return error;
      }
      if (classify_transport(error) != Outcome::Retry)
        return error;
      AttemptReport report;
      report.outcome = Outcome::Retry;
      RetryDecision next = state.next(report, *m_random);
      char storage[kLogLineBytes];
      TextBuilder line(storage);
      begin_line(line, request, 0, {}, &error);
      if (next.action != RetryAction::Backoff) {
        append_give_up(line, tries);
        m_log->write(LogLevel::Warn, line.view());
        return error;
      }
      append_retry(line, state.attempts(), m_policy, next.delay_ms);
      m_log->write(LogLevel::Warn, line.view());
      ++m_stats.retries;
      m_stats.delay_ms += next.delay_ms;
      m_clock->pause_ms(next.delay_ms);
      continue;
    }

    const HttpResponse& response = sent.value();
    bool success = response.status >= 200 && response.status < 300;
    AwsError aws_error = success ? AwsError{} : parse_aws_error(response.body);
    UnixSeconds local_now = m_clock->wall_seconds();
    DateCheck check = m_offset.check(response.headers.date(), local_now);
    AttemptReport report;
    report.outcome = classify(response.status, aws_error.code, aws_error.message, check.skew);
    report.offset = m_offset.learn(check, report.outcome);
    if (report.offset == OffsetChange::Changed) {
      char storage[kLogLineBytes];
      TextBuilder line(storage);
      std::int64_t offset = m_offset.seconds();
      if (offset == 0) {
        line.append("clock: the server agrees with this device; signing without an offset");
      } else {
        line.append("clock: the server is ");
        client_text::append_decimal(line,
                                    static_cast<std::uint64_t>(offset < 0 ? -offset : offset));
        line.append(offset > 0 ? " s ahead of" : " s behind");
        line.append(" this device; signing with that offset");
      }
      m_log->write(LogLevel::Warn, line.view());
    }
    if (report.outcome == Outcome::Throttled)
      ++m_stats.throttled;
    if (!response.headers.retry_after().empty()) {
      UnixSeconds server_now =
          check.skew != DateSkew::Unknown ? check.server : m_offset.corrected(local_now);
      Result<std::uint32_t> wait = parse_retry_after_ms(response.headers.retry_after(), server_now);
      if (wait.ok())
        report.retry_after_ms = wait.value();
    }

    if (report.outcome == Outcome::Auth && !renewed && is_expired_session(aws_error.code)) {
      renewed = true;
      if (credentials.invalidate()) {
        ++m_stats.renewed;
        char storage[kLogLineBytes];
        TextBuilder line(storage);
        begin_line(line, request, response.status, aws_error.code, nullptr);
        line.append("; renewing the credentials");
        m_log->write(LogLevel::Warn, line.view());
        continue;
      }
    }

    RetryDecision next = state.next(report, *m_random);
    switch (next.action) {
    case RetryAction::Finish: {
      if (report.outcome == Outcome::Retry || report.outcome == Outcome::Throttled) {
        char storage[kLogLineBytes];
        TextBuilder line(storage);
        begin_line(line, request, response.status, aws_error.code, nullptr);
        append_give_up(line, tries);
        m_log->write(LogLevel::Warn, line.view());
      }
      AwsReply reply;
      reply.response = response;
      reply.outcome = report.outcome;
      reply.error = aws_error;
      reply.attempts = tries;
      return reply;
    }
    case RetryAction::Backoff: {
      char storage[kLogLineBytes];
      TextBuilder line(storage);
      begin_line(line, request, response.status, aws_error.code, nullptr);
      append_retry(line, state.attempts(), m_policy, next.delay_ms);
      m_log->write(LogLevel::Warn, line.view());
      ++m_stats.retries;
      m_stats.delay_ms += next.delay_ms;
      m_clock->pause_ms(next.delay_ms);
      continue;
    }
    case RetryAction::Resign:
      ++m_stats.resigned;
      continue;
    }
  }
}

} // namespace ec
