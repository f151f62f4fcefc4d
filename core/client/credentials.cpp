// core/client/credentials.cpp - Static keys, STS AssumeRole with proactive refresh, and the AWS
// shared-credentials file.
#include "core/client/credentials.h"

#include "core/aws/canonical.h"
#include "core/base/ascii.h"
#include "core/base/secure_wipe.h"
#include "core/base/text_builder.h"
#include "core/client/aws_caller.h"
#include "core/client/client_text.h"

namespace ec {

namespace {

void copy_into(char* destination, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i)
    destination[i] = text[i];
}

} // namespace

// ---- StaticCredentials
// ---------------------------------------------------------------------------

StaticCredentials::~StaticCredentials() {
  secure_wipe(m_key_id, sizeof m_key_id);
  secure_wipe(m_secret, sizeof m_secret);
  secure_wipe(m_token, sizeof m_token);
}

Status StaticCredentials::set(std::string_view access_key_id, std::string_view secret_access_key,
                              std::string_view session_token) {
  if (access_key_id.empty())
    return make_error(ErrorCode::InvalidArgument, "credentials: access key id missing");
  if (secret_access_key.empty())
    return make_error(ErrorCode::InvalidArgument, "credentials: secret access key missing");
  if (access_key_id.size() > kMaxAccessKeyIdBytes)
    return make_error(ErrorCode::LimitExceeded, "credentials: access key id too long");
  if (secret_access_key.size() > kMaxSecretKeyBytes)
    return make_error(ErrorCode::LimitExceeded, "credentials: secret access key too long");
  if (session_token.size() > kMaxSessionTokenBytes)
    return make_error(ErrorCode::LimitExceeded, "credentials: session token too long");
  // The old values may be longer than the new ones: wipe what they used first.
  secure_wipe(m_secret, m_secret_size);
  secure_wipe(m_token, m_token_size);
  copy_into(m_key_id, access_key_id);
  copy_into(m_secret, secret_access_key);
  copy_into(m_token, session_token);
  m_key_id_size = access_key_id.size();
  m_secret_size = secret_access_key.size();
  m_token_size = session_token.size();
  return {};
}

Result<Credentials> StaticCredentials::current(UnixSeconds) {
  if (m_key_id_size == 0)
    return make_error(ErrorCode::InvalidArgument, "credentials: access key id missing");
  Credentials credentials;
  credentials.access_key_id = {m_key_id, m_key_id_size};
  credentials.secret_access_key = {m_secret, m_secret_size};
  credentials.session_token = {m_token, m_token_size};
  return credentials;
}

// ---- AssumeRoleCredentials
// -----------------------------------------------------------------------

namespace {

constexpr std::string_view kFormStart = "Action=AssumeRole&Version=2011-06-15&RoleArn=";
constexpr std::string_view kFormSessionName = "&RoleSessionName=";
constexpr std::string_view kFormExternalId = "&ExternalId=";
constexpr std::string_view kFormDuration = "&DurationSeconds=";
constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";
constexpr std::string_view kDefaultStsRegion = "us-east-1";
/// After a failed refresh while the cached credentials still work, wait this long before the next
/// AssumeRole (each failure already went through the caller's backoff).
constexpr std::int64_t kRefreshRetrySeconds = 60;

// STS error codes known by name: Error::detail must be static text, never the response's bytes.
constexpr const char* kStsCodes[] = {
    "AccessDenied",
    "RegionDisabledException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "InvalidAction",
    "MissingAction",
    "ValidationError",
    "MalformedInput",
    "InvalidParameterValue",
    "MalformedPolicyDocument",
    "PackedPolicyTooLarge",
    "Throttling",
    "InternalFailure",
    "ServiceUnavailable",
};

const char* static_code(std::string_view code) {
  for (const char* known : kStsCodes)
    if (code == known)
      return known;
  return code.empty() ? "none" : "other";
}

// `text` form-url-encoded: everything but A-Z a-z 0-9 - _ . ~ as %XX (what botocore's query
// serializer sends; `+ / = :` are encoded, space is %20).
void append_form_value(TextBuilder& out, std::string_view text) {
  uri_encode(text, Slash::Encode, out);
}

std::size_t form_value_bytes(std::string_view text) {
  std::size_t bytes = 0;
  for (char c : text)
    bytes += is_unreserved(static_cast<unsigned char>(c)) ? 1U : 3U;
  return bytes;
}

} // namespace

AssumeRoleCredentials::~AssumeRoleCredentials() {
  wipe_scratch();
}

void AssumeRoleCredentials::init(AwsCaller& caller, CredentialSource& base, const Endpoint& sts,
                                 const AssumeRoleSettings& settings) {
  m_caller = &caller;
  m_base = &base;
  m_sts = &sts;
  m_settings = settings;
  m_valid = false;
  m_expiration = 0;
  m_refresh_at = 0;
}

bool AssumeRoleCredentials::invalidate() {
  m_valid = false;
  m_refresh_at = 0;
  m_expiration = 0;
  return true;
}

Result<Credentials> AssumeRoleCredentials::current(UnixSeconds now) {
  if (m_valid && now < m_refresh_at)
    return m_cached.current(now);
  Result<Credentials> fetched = fetch();
  if (fetched.ok())
    return fetched;
  // A refresh ahead of Expiration failed (STS down, throttled): the cached credentials still
  // work, so use them and try again a little later rather than failing every request now.
  if (m_valid && now < m_expiration) {
    m_refresh_at =
        now + kRefreshRetrySeconds < m_expiration ? now + kRefreshRetrySeconds : m_expiration;
    m_caller->log().write(LogLevel::Warn, "sts: AssumeRole refresh failed; using the current "
                                          "credentials until they expire");
    return m_cached.current(now);
  }
  m_valid = false;
  return fetched.error();
}

Result<Credentials> AssumeRoleCredentials::fetch() {
  EC_CHECK(m_caller != nullptr && m_base != nullptr && m_sts != nullptr);
  Status sent = send_assume_role();
  if (!sent.ok()) {
    wipe_scratch();
    return sent.error();
  }

  Result<AssumedRoleCredentials> parsed =
      parse_assume_role_response(as_text(Bytes(m_response, m_response_size)), m_arena);
  if (!parsed.ok()) {
    wipe_scratch();
    const Error& inner = parsed.error();
    if (inner.code != ErrorCode::InvalidInput)
      return inner;
    Error error = make_error(ErrorCode::InvalidInput, "sts: malformed response");
    error.detail = inner.detail;
    error.where = inner.where;
    error.position = inner.position;
    return error;
  }
  const AssumedRoleCredentials& assumed = parsed.value();
  Status stored =
      m_cached.set(assumed.access_key_id, assumed.secret_access_key, assumed.session_token);
  UnixSeconds expiration = assumed.expiration;
  wipe_scratch();
  if (!stored.ok()) { // set() checks before it copies: the old credentials are still there
    if (stored.error().code == ErrorCode::InvalidArgument)
      return make_error(ErrorCode::InvalidInput, "sts: malformed response");
    return stored.error();
  }

  // The call may have taught the caller the server's clock: measure the lifetime against that.
  UnixSeconds fetched_at = m_caller->offset().corrected(m_caller->clock().wall_seconds());
  std::int64_t lifetime = expiration - fetched_at;
  UnixSeconds early = expiration - kCredentialRefreshSeconds;
  UnixSeconds three_quarters = fetched_at + (lifetime > 0 ? lifetime / 4 * 3 : 0);
  m_refresh_at = early > three_quarters ? early : three_quarters;
  m_expiration = expiration;
  m_valid = true;
  m_error_code_size = 0;
  m_error_message_size = 0;
  return m_cached.current(fetched_at);
}

Status AssumeRoleCredentials::send_assume_role() {
  m_arena.reset();
  m_response_size = 0;

  // The form body, in the arena (its exact size first: an external id may be 1224 bytes, every one
  // of them encoded as three).
  char duration[12];
  TextBuilder duration_text(duration);
  client_text::append_decimal(duration_text, m_settings.duration_seconds);
  std::size_t form_bytes = kFormStart.size() + kFormSessionName.size() + kFormExternalId.size() +
                           kFormDuration.size() + form_value_bytes(m_settings.role_arn) +
                           form_value_bytes(m_settings.session_name) +
                           form_value_bytes(m_settings.external_id) + duration_text.size();
  EC_TRY_ASSIGN(char* storage, m_arena.try_allocate_array<char>(form_bytes, "sts form body"));
  TextBuilder form(std::span<char>(storage, form_bytes));
  form.append(kFormStart);
  append_form_value(form, m_settings.role_arn);
  form.append(kFormSessionName);
  append_form_value(form, m_settings.session_name);
  if (!m_settings.external_id.empty()) {
    form.append(kFormExternalId);
    append_form_value(form, m_settings.external_id);
  }
  form.append(kFormDuration);
  form.append(duration_text.view());
  EC_TRY(form.status("sts form body"));

  const HttpHeader headers[] = {{"Content-Type", kFormContentType}};
  AwsCall call;
  call.method = HttpMethod::Post;
  call.endpoint = m_sts;
  call.path = "/";
  call.headers = headers;
  call.body = as_bytes(form.view());
  call.service = "sts";
  call.region = m_settings.region.empty() ? kDefaultStsRegion : m_settings.region;
  call.operation = "sts AssumeRole";

  ++m_fetches;
  Result<AwsReply> replied = m_caller->call(call, *m_base, MutableBytes(m_response));
  // The form is not needed any more; the parser gets the whole arena.
  secure_wipe(storage, form_bytes);
  m_arena.reset();
  if (!replied.ok())
    return replied.error();
  const AwsReply& reply = replied.value();
  m_response_size = reply.response.body.size();

  // The error document's code and message: parse_sts_error is exact; parse_aws_error (the
  // caller's) also finds them in a body that is not well-formed XML.
  std::string_view code = reply.error.code;
  std::string_view message = reply.error.message;
  if (reply.outcome != Outcome::Success) {
    Result<StsError> sts = parse_sts_error(as_text(reply.response.body), m_arena);
    if (sts.ok() && !sts.value().code.empty()) {
      code = sts.value().code;
      message = sts.value().message;
    }
    remember_refusal(code, message);
  }

  const char* detail = static_code(code);
  switch (reply.outcome) {
  case Outcome::Success:
    return {};
  case Outcome::Auth:
  case Outcome::ClockSkew:
    if (code == "RegionDisabledException")
      return make_error(ErrorCode::Permission, "sts: region disabled").with_detail(detail);
    return make_error(ErrorCode::Permission, "sts: AssumeRole refused").with_detail(detail);
  case Outcome::Retry:
  case Outcome::Throttled:
    return make_error(ErrorCode::Io, "sts: AssumeRole failed after retries").with_detail(detail);
  case Outcome::NotFound:
    return make_error(ErrorCode::NotFound, "sts: no AssumeRole at the endpoint")
        .with_detail(detail);
  case Outcome::Fatal:
    if (code == "RegionDisabledException")
      return make_error(ErrorCode::Permission, "sts: region disabled").with_detail(detail);
    return make_error(ErrorCode::InvalidArgument, "sts: AssumeRole request refused")
        .with_detail(detail);
  }
  return make_error(ErrorCode::Internal, "sts: unexpected outcome");
}

void AssumeRoleCredentials::remember_refusal(std::string_view code, std::string_view message) {
  if (code.size() > sizeof m_error_code)
    code = code.substr(0, sizeof m_error_code);
  if (message.size() > sizeof m_error_message)
    message = message.substr(0, sizeof m_error_message);
  copy_into(m_error_code, code);
  copy_into(m_error_message, message);
  m_error_code_size = code.size();
  m_error_message_size = message.size();
}

void AssumeRoleCredentials::wipe_scratch() {
  secure_wipe(m_response, sizeof m_response);
  m_response_size = 0;
  m_arena.reset_wiping();
}

// ---- parse_credentials_file
// ----------------------------------------------------------------------

namespace {

// A credentials file line's blanks: a file written on Windows ends its lines in CR LF.
constexpr std::string_view kLineBlanks = " \t\r";

Error file_error(ErrorText message, std::uint64_t line) {
  return make_error(ErrorCode::InvalidInput, message).at(ErrorWhere::Line, line);
}

enum class FileKey : std::uint8_t { AccessKeyId, SecretAccessKey, SessionToken, Ignored, Unknown };

FileKey file_key(std::string_view name) {
  if (equals_ignoring_case(name, "aws_access_key_id"))
    return FileKey::AccessKeyId;
  if (equals_ignoring_case(name, "aws_secret_access_key"))
    return FileKey::SecretAccessKey;
  if (equals_ignoring_case(name, "aws_session_token") ||
      equals_ignoring_case(name, "aws_security_token"))
    return FileKey::SessionToken;
  // Settings people keep beside their keys; they mean nothing for signing.
  if (equals_ignoring_case(name, "region") || equals_ignoring_case(name, "output"))
    return FileKey::Ignored;
  return FileKey::Unknown;
}

} // namespace

Result<CredentialsFileKeys> parse_credentials_file(std::string_view text,
                                                   std::string_view profile) {
  if (profile.empty())
    profile = "default";
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);

  CredentialsFileKeys keys;
  std::uint64_t key_id_line = 0;
  std::uint64_t secret_line = 0;
  std::uint64_t token_line = 0;
  // Keys before any section header belong to "default" (a file with one section).
  bool in_profile = profile == "default";
  bool before_header = true;
  std::uint64_t section_line = 0; // where the profile starts: its header or its first key
  std::uint64_t line_number = 0;

  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = trim_ascii(text.substr(start, end - start), kLineBlanks);
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == ';')
      continue;
    if (line.front() == '[') {
      if (line.size() < 2 || line.back() != ']')
        return file_error("credentials file: malformed section header", line_number);
      before_header = false;
      in_profile = trim_ascii(line.substr(1, line.size() - 2), kLineBlanks) == profile;
      // A section named twice is read as one; its keys still may not repeat.
      if (in_profile && section_line == 0)
        section_line = line_number;
      continue;
    }
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos)
      return file_error("credentials file: missing '='", line_number);
    if (!in_profile)
      continue;
    if (before_header && section_line == 0)
      section_line = line_number;
    std::string_view name = trim_ascii(line.substr(0, equals), kLineBlanks);
    std::string_view value = trim_ascii(line.substr(equals + 1), kLineBlanks);
    switch (file_key(name)) {
    case FileKey::AccessKeyId:
      if (key_id_line != 0)
        return file_error("credentials file: key repeated", line_number)
            .with_detail("aws_access_key_id");
      key_id_line = line_number;
      keys.access_key_id = value;
      break;
    case FileKey::SecretAccessKey:
      if (secret_line != 0)
        return file_error("credentials file: key repeated", line_number)
            .with_detail("aws_secret_access_key");
      secret_line = line_number;
      keys.secret_access_key = value;
      break;
    case FileKey::SessionToken:
      if (token_line != 0)
        return file_error("credentials file: key repeated", line_number)
            .with_detail("aws_session_token");
      token_line = line_number;
      keys.session_token = value;
      break;
    case FileKey::Ignored:
      break;
    case FileKey::Unknown:
      return file_error("credentials file: unknown key", line_number);
    }
  }

  if (section_line == 0)
    return file_error("credentials file: profile not found", line_number > 0 ? line_number : 1);
  if (keys.access_key_id.empty())
    return file_error("credentials file: access key id missing",
                      key_id_line != 0 ? key_id_line : section_line);
  if (keys.secret_access_key.empty())
    return file_error("credentials file: secret access key missing",
                      secret_line != 0 ? secret_line : section_line);
  return keys;
}

} // namespace ec
