// tests/fuzz/sigv4_fuzz.cpp - sign_request never crashes on any method, path, query or header
// text; a success is well formed, and the canonical query is sorted and holds every parameter.
#include "core/aws/sigv4.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

/// Splits the input at 0x01 bytes into fields, handed out in order ("" once exhausted).
class Fields {
public:
  explicit Fields(std::string_view data) : m_rest(data) {}
  std::string_view next() {
    if (m_done)
      return {};
    std::size_t end = m_rest.find('\x01');
    std::string_view field = m_rest.substr(0, end);
    if (end == std::string_view::npos)
      m_done = true;
    else
      m_rest.remove_prefix(end + 1);
    return field;
  }

private:
  std::string_view m_rest;
  bool m_done = false;
};

void check(bool condition) {
  if (!condition)
    std::abort();
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// The canonical query holds `count` pairs, each encoded, in non-decreasing (name, value) order.
void check_sorted_query(std::string_view text, std::size_t count) {
  if (count == 0) {
    check(text.empty());
    return;
  }
  std::size_t pairs = 0;
  std::string_view previous_name;
  std::string_view previous_value;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('&', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view pair = text.substr(start, end - start);
    std::size_t equals = pair.find('=');
    check(equals != std::string_view::npos);
    std::string_view name = pair.substr(0, equals);
    std::string_view value = pair.substr(equals + 1);
    check(value.find('=') == std::string_view::npos);
    for (char c : pair)
      check(ec::is_unreserved(static_cast<unsigned char>(c)) || c == '%' || c == '=');
    if (pairs > 0) {
      check(previous_name <= name);
      check(previous_name != name || previous_value <= value);
    }
    previous_name = name;
    previous_value = value;
    ++pairs;
    start = end + 1;
  }
  check(pairs == count);
}

ec::SignedHeaders g_out;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::uint8_t mode = data[0];
  Fields fields(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));

  ec::SigningInput input;
  input.method = fields.next();
  input.host = fields.next();
  input.path = fields.next();
  input.region = "us-east-1";
  input.service = (mode & 1) ? "s3" : "sts";
  input.rules = ec::signing_rules_for(input.service);
  if (mode & 2)
    input.rules.uri_path = ec::UriPath::Encode;
  input.payload = (mode & 4) ? ec::Payload::Unsigned : ec::Payload::HashBody;
  input.scheme = (mode & 8) ? ec::Scheme::Http : ec::Scheme::Https;
  input.port = static_cast<std::uint16_t>(mode * 131u);
  input.time = ec::SigningTime{1440938160 + static_cast<ec::UnixSeconds>(mode) * 86399};

  ec::QueryParameter query[ec::kMaxQueryParameters + 1];
  const std::size_t query_count =
      (mode >> 4) % 4 == 3 ? ec::kMaxQueryParameters + 1 : ((mode >> 4) % 4) * 3;
  for (std::size_t i = 0; i < query_count; ++i)
    query[i] = {fields.next(), fields.next()};
  input.query = std::span<const ec::QueryParameter>(query, query_count);

  ec::HttpHeader headers[4];
  const std::size_t header_count = (mode >> 6) % 4;
  for (std::size_t i = 0; i < header_count; ++i)
    headers[i] = {fields.next(), fields.next()};
  input.headers = std::span<const ec::HttpHeader>(headers, header_count);
  input.body = ec::as_bytes(fields.next());

  ec::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              fields.next()};

  ec::Status status = ec::sign_request(input, credentials, g_out);
  if (status.ok()) {
    std::string_view authorization = g_out.authorization();
    check(starts_with(authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    check(g_out.signature().size() == 64);
    check(authorization.substr(authorization.size() - 64) == g_out.signature());
    std::string_view canonical = g_out.canonical_request();
    check(starts_with(canonical, input.method));
    check(canonical.substr(canonical.size() - g_out.payload_hash().size()) == g_out.payload_hash());
    check(g_out.x_amz_date().size() == 16);
    // Nothing the signer produced can break a header line.
    for (std::string_view value : {authorization, g_out.host(), g_out.x_amz_date()})
      for (char c : value)
        check(c != '\r' && c != '\n');
  } else {
    check(g_out.authorization().empty() && g_out.canonical_request().empty());
  }

  // The canonical query on its own: sorted, complete, or a limit.
  static char buffer[64 * 1024];
  ec::TextBuilder text(buffer);
  ec::Status query_status = ec::canonical_query(input.query, text);
  if (query_count > ec::kMaxQueryParameters) {
    check(!query_status.ok() && query_status.error().code == ec::ErrorCode::LimitExceeded);
  } else {
    check(query_status.ok());
    check_sorted_query(text.view(), query_count);
  }

  // A path accepted as an S3 path is signed unchanged; a normalised one has no dot segments.
  ec::TextBuilder as_given(buffer);
  if (ec::canonical_uri(input.path, ec::UriPath::AsGiven, as_given).ok())
    check(as_given.view() == (input.path.empty() ? std::string_view("/") : input.path));
  ec::TextBuilder normalized(buffer);
  if (ec::canonical_uri(input.path, ec::UriPath::NormalizeAndEncode, normalized).ok()) {
    std::string_view path = normalized.view();
    check(starts_with(path, "/"));
    check(path.find("//") == std::string_view::npos);
    check(path.find("/./") == std::string_view::npos &&
          path.find("/../") == std::string_view::npos);
  }
  return 0;
}
