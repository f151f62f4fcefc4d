// core/net/aws_error.cpp - AWS error codes sorted into outcomes, and a forgiving error-body
// scanner.
#include "core/net/aws_error.h"

namespace ec {

namespace {

// botocore's retryhandler/standard retry lists, plus the codes AWS-WIRE.md names.
constexpr std::string_view kThrottlingCodes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "TooManyRequests",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};
constexpr std::string_view kTransientCodes[] = {
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "InternalException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceFailure",
    "RequestTimeout",
    "RequestTimeoutException",
    "IDPCommunicationError",
};
constexpr std::string_view kSkewCodes[] = {
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
};
// Signature errors that are either a wrong secret or a wrong clock.
constexpr std::string_view kSignatureCodes[] = {
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "AuthFailure",
};
constexpr std::string_view kAuthCodes[] = {
    "AccessDenied",
    "AccessDeniedException",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidToken",
    "TokenRefreshRequired",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "NotAuthorized",
    "UnauthorizedOperation",
    "AllAccessDisabled",
    "AccountProblem",
    "InvalidSecurity",
};
constexpr std::string_view kNotFoundCodes[] = {
    "NoSuchKey", "NoSuchBucket", "NoSuchEntity", "NoSuchUpload", "ResourceNotFoundException",
    "NotFound",
};
constexpr std::string_view kFatalCodes[] = {
    "AuthorizationHeaderMalformed", // right credentials, wrong region: the body names the region
    "PermanentRedirect",
};

template <std::size_t N> bool listed(const std::string_view (&codes)[N], std::string_view code) {
  for (std::string_view known : codes)
    if (known == code)
      return true;
  return false;
}

bool says_signature_expired(std::string_view message) {
  return message.find("Signature expired") != std::string_view::npos ||
         message.find("Signature not yet current") != std::string_view::npos;
}

} // namespace

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
  case Outcome::Success:
    return "success";
  case Outcome::Retry:
    return "retry";
  case Outcome::Throttled:
    return "throttled";
  case Outcome::ClockSkew:
    return "clock-skew";
  case Outcome::Auth:
    return "auth";
  case Outcome::NotFound:
    return "not-found";
  case Outcome::Fatal:
    return "fatal";
  }
  return "unknown";
}

Outcome classify(std::uint16_t http_status, std::string_view aws_code, std::string_view message,
                 DateSkew skew) {
  if (http_status >= 200 && http_status <= 299)
    return Outcome::Success;
  if (!aws_code.empty()) {
    if (listed(kSkewCodes, aws_code))
      return Outcome::ClockSkew;
    if (listed(kSignatureCodes, aws_code))
      return says_signature_expired(message) || skew == DateSkew::Skewed ? Outcome::ClockSkew
                                                                         : Outcome::Auth;
    if (listed(kThrottlingCodes, aws_code))
      return Outcome::Throttled;
    if (listed(kTransientCodes, aws_code))
      return Outcome::Retry;
    if (listed(kAuthCodes, aws_code))
      return Outcome::Auth;
    if (listed(kNotFoundCodes, aws_code))
      return Outcome::NotFound;
    if (listed(kFatalCodes, aws_code))
      return Outcome::Fatal;
  }
  if (http_status == 429)
    return Outcome::Throttled;
  if (http_status == 408 ||
      (http_status >= 500 && http_status <= 599 && http_status != 501 && http_status != 505))
    return Outcome::Retry;
  if (http_status == 401 || http_status == 403)
    return Outcome::Auth;
  if (http_status == 404)
    return Outcome::NotFound;
  return Outcome::Fatal;
}

Outcome classify_transport(const Error& error) {
  return error.code == ErrorCode::Network ? Outcome::Retry : Outcome::Fatal;
}

namespace {

// The text between `<name>` and the next `</name>`, or empty.
std::string_view xml_element(std::string_view body, std::string_view open, std::string_view close) {
  std::size_t start = body.find(open);
  if (start == std::string_view::npos)
    return {};
  start += open.size();
  std::size_t end = body.find(close, start);
  if (end == std::string_view::npos)
    return {};
  return body.substr(start, end - start);
}

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The raw string value of the first `"key"` followed by `:` and a string, or empty.
std::string_view json_string_value(std::string_view body, std::string_view quoted_key) {
  std::size_t from = 0;
  for (;;) {
    std::size_t found = body.find(quoted_key, from);
    if (found == std::string_view::npos)
      return {};
    std::size_t at = found + quoted_key.size();
    from = found + 1;
    while (at < body.size() && is_json_space(body[at]))
      ++at;
    if (at >= body.size() || body[at] != ':')
      continue;
    ++at;
    while (at < body.size() && is_json_space(body[at]))
      ++at;
    if (at >= body.size() || body[at] != '"')
      continue;
    std::size_t start = ++at;
    while (at < body.size() && body[at] != '"')
      at += body[at] == '\\' ? std::size_t{2} : std::size_t{1};
    if (at >= body.size())
      return {};
    return body.substr(start, at - start);
  }
}

} // namespace

AwsError parse_aws_error(Bytes body) {
  std::string_view text = as_text(body);
  std::size_t first = 0;
  while (first < text.size() && is_json_space(text[first]))
    ++first;
  text.remove_prefix(first);
  AwsError error;
  if (text.empty())
    return error;
  if (text.front() == '<') {
    error.code = xml_element(text, "<Code>", "</Code>");
    error.message = xml_element(text, "<Message>", "</Message>");
    return error;
  }
  if (text.front() != '{')
    return error;
  std::string_view code = json_string_value(text, "\"__type\"");
  if (code.empty())
    code = json_string_value(text, "\"code\"");
  if (code.empty())
    code = json_string_value(text, "\"Code\"");
  std::size_t hash = code.rfind('#');
  if (hash != std::string_view::npos)
    code.remove_prefix(hash + 1);
  std::size_t colon = code.find(':');
  if (colon != std::string_view::npos)
    code = code.substr(0, colon);
  error.code = code;
  error.message = json_string_value(text, "\"message\"");
  if (error.message.empty())
    error.message = json_string_value(text, "\"Message\"");
  return error;
}

} // namespace ec
