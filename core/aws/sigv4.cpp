// core/aws/sigv4.cpp - SigV4 header signing: validation, canonical request, key chain, header.
#include "core/aws/sigv4.h"

#include "core/base/ascii.h"

namespace ec {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

Error invalid(ErrorText message) {
  return make_error(ErrorCode::InvalidArgument, message);
}
Error too_long(const char* what) {
  return make_error(ErrorCode::LimitExceeded, "sigv4: input longer than its limit")
      .with_detail(what);
}

/// RFC 9110 tchar: the bytes of a method or header name.
bool is_token_char(unsigned char byte) {
  if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9'))
    return true;
  switch (byte) {
  case '!':
  case '#':
  case '$':
  case '%':
  case '&':
  case '\'':
  case '*':
  case '+':
  case '-':
  case '.':
  case '^':
  case '_':
  case '`':
  case '|':
  case '~':
    return true;
  default:
    return false;
  }
}

bool is_token(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text)
    if (!is_token_char(static_cast<unsigned char>(c)))
      return false;
  return true;
}

/// A header value may hold any byte but the controls (HTAB excepted): CR or LF would let a value
/// inject a header.
bool is_header_value(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f)
      return false;
  }
  return true;
}

/// Region, service and access key id go into the credential scope, where `/`, `,`, `=` or a
/// space would change its meaning: only unreserved bytes.
bool is_scope_part(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text)
    if (!is_unreserved(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool is_host(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    // Names, IPv4 and bracketed IPv6 literals.
    if (!is_unreserved(byte) && byte != ':' && byte != '[' && byte != ']')
      return false;
  }
  return true;
}

bool is_lower_hex_digest(std::string_view text) {
  if (text.size() != kSha256HexChars)
    return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

void put_digits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

/// Appends the value with leading and trailing blanks removed and inner runs made one space.
void append_trimmed(std::string_view value, TextBuilder& out) {
  bool pending_space = false;
  bool wrote = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = wrote;
      continue;
    }
    if (pending_space)
      out.append(' ');
    pending_space = false;
    out.append(c);
    wrote = true;
  }
}

void append_lower(std::string_view text, TextBuilder& out) {
  for (char c : text)
    out.append(ascii_lower(c));
}

/// The headers of the canonical request: the caller's and the signer's, in sorted order.
struct HeaderTable {
  static constexpr std::size_t kCapacity = kMaxSignedHeaders + 4;
  HttpHeader items[kCapacity];
  std::uint8_t order[kCapacity];
  std::size_t count = 0;

  void add(std::string_view name, std::string_view value) { items[count++] = {name, value}; }

  /// Stable insertion sort by lower-cased name, so repeated headers keep their order.
  void sort() {
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t j = i;
      while (j > 0 && compare_ignoring_case(items[i].name, items[order[j - 1]].name) < 0) {
        order[j] = order[j - 1];
        --j;
      }
      order[j] = static_cast<std::uint8_t>(i);
    }
  }

  [[nodiscard]] const HttpHeader& sorted(std::size_t i) const { return items[order[i]]; }

  /// "name:value\n" per distinct name, repeated values joined with ','.
  void write_canonical(TextBuilder& out) const {
    for (std::size_t i = 0; i < count; ++i) {
      const HttpHeader& header = sorted(i);
      if (i > 0 && equals_ignoring_case(sorted(i - 1).name, header.name)) {
        out.append(',');
      } else {
        if (i > 0)
          out.append('\n');
        append_lower(header.name, out);
        out.append(':');
      }
      append_trimmed(header.value, out);
    }
    out.append('\n');
  }

  /// "a;b;c": distinct lower-cased names.
  void write_signed_names(TextBuilder& out) const {
    for (std::size_t i = 0; i < count; ++i) {
      const HttpHeader& header = sorted(i);
      if (i > 0 && equals_ignoring_case(sorted(i - 1).name, header.name))
        continue;
      if (i > 0)
        out.append(';');
      append_lower(header.name, out);
    }
  }
};

/// Headers whose values the signer produces: a caller's copy would be sent twice or disagree.
const char* signer_owned_header(std::string_view name, ContentHashHeader content_header) {
  static constexpr const char* kAlways[] = {"host", "x-amz-date", "x-amz-security-token",
                                            "authorization"};
  for (const char* owned : kAlways)
    if (equals_ignoring_case(name, owned))
      return owned;
  if (content_header == ContentHashHeader::Add &&
      equals_ignoring_case(name, "x-amz-content-sha256"))
    return "x-amz-content-sha256";
  return nullptr;
}

Status validate(const SigningInput& input, const Credentials& credentials) {
  if (!is_token(input.method))
    return invalid("sigv4: method is not an http token");
  if (input.host.size() > kMaxHostBytes)
    return too_long("host");
  if (!is_host(input.host))
    return invalid("sigv4: host is empty or has a byte not allowed in a host name");
  if (input.region.size() > kMaxRegionBytes)
    return too_long("region");
  if (!is_scope_part(input.region))
    return invalid("sigv4: region is empty or has a byte that is not a-z A-Z 0-9 - _ . ~");
  if (input.service.size() > kMaxServiceBytes)
    return too_long("service");
  if (!is_scope_part(input.service))
    return invalid("sigv4: service is empty or has a byte that is not a-z A-Z 0-9 - _ . ~");
  if (credentials.access_key_id.size() > kMaxAccessKeyIdBytes)
    return too_long("access key id");
  if (!is_scope_part(credentials.access_key_id))
    return invalid("sigv4: access key id is empty or has a byte that is not a-z A-Z 0-9 - _ . ~");
  if (credentials.secret_access_key.size() > kMaxSecretKeyBytes)
    return too_long("secret access key");
  if (credentials.secret_access_key.empty())
    return invalid("sigv4: secret access key is empty");
  if (!is_header_value(credentials.session_token))
    return invalid("sigv4: session token has a control character");
  if (input.headers.size() > kMaxSignedHeaders)
    return make_error(ErrorCode::LimitExceeded, "sigv4: too many headers to sign");
  for (std::size_t i = 0; i < input.headers.size(); ++i) {
    const HttpHeader& header = input.headers[i];
    if (!is_token(header.name))
      return invalid("sigv4: header name is not an http token").at(ErrorWhere::Line, i + 1);
    if (!is_header_value(header.value))
      return invalid("sigv4: header value has a control character").at(ErrorWhere::Line, i + 1);
    if (const char* owned = signer_owned_header(header.name, input.rules.content_hash_header))
      return invalid("sigv4: header is set by the signer").with_detail(owned);
  }
  switch (input.payload) {
  case Payload::HashBody:
    break;
  case Payload::Precomputed:
    if (!is_lower_hex_digest(input.payload_hash))
      return invalid("sigv4: payload hash is not 64 lower-case hex digits");
    break;
  case Payload::Unsigned:
    if (input.rules.content_hash_header != ContentHashHeader::Add)
      return invalid("sigv4: unsigned payload needs the x-amz-content-sha256 header (s3)");
    break;
  }
  return {};
}

} // namespace

Status format_amz_date(SigningTime time, std::span<char, 16> out) {
  CivilTime civil = civil_from_seconds(time.unix_seconds);
  if (civil.year < 0 || civil.year > 9999)
    return invalid("sigv4: signing time is outside years 0000-9999");
  char* text = out.data();
  put_digits(text, civil.year, 4);
  put_digits(text + 4, civil.month, 2);
  put_digits(text + 6, civil.day, 2);
  text[8] = 'T';
  put_digits(text + 9, civil.hour, 2);
  put_digits(text + 11, civil.minute, 2);
  put_digits(text + 13, civil.second, 2);
  text[15] = 'Z';
  return {};
}

Result<Sha256Digest> derive_signing_key(std::string_view secret_access_key, std::string_view date8,
                                        std::string_view region, std::string_view service) {
  if (secret_access_key.size() > kMaxSecretKeyBytes)
    return too_long("secret access key");
  std::uint8_t secret[4 + kMaxSecretKeyBytes] = {'A', 'W', 'S', '4'};
  for (std::size_t i = 0; i < secret_access_key.size(); ++i)
    secret[4 + i] = static_cast<std::uint8_t>(secret_access_key[i]);
  Sha256Digest key{};
  {
    Result<Sha256Digest> step =
        hmac_sha256(Bytes(secret, 4 + secret_access_key.size()), as_bytes(date8));
    wipe(MutableBytes(secret, sizeof secret));
    if (!step.ok())
      return step.error();
    key = step.value();
    wipe(MutableBytes(step.value()));
  }
  const std::string_view chain[] = {region, service, "aws4_request"};
  for (std::string_view part : chain) {
    Result<Sha256Digest> step = hmac_sha256(Bytes(key), as_bytes(part));
    wipe(MutableBytes(key));
    if (!step.ok())
      return step.error();
    key = step.value();
    wipe(MutableBytes(step.value()));
  }
  return key;
}

void SignedHeaders::clear() {
  m_canonical_size = m_authorization_size = m_string_to_sign_size = 0;
  m_host_size = m_amz_date_size = m_payload_hash_size = 0;
  m_scope = m_signature = m_security_token = {};
  m_content_header = ContentHashHeader::Omit;
}

SignedHeaders::Added SignedHeaders::headers_to_add() const {
  Added added;
  if (m_authorization_size == 0)
    return added;
  added.items[added.count++] = {"Authorization", authorization()};
  added.items[added.count++] = {"X-Amz-Date", x_amz_date()};
  if (!x_amz_content_sha256().empty())
    added.items[added.count++] = {"X-Amz-Content-SHA256", x_amz_content_sha256()};
  if (!x_amz_security_token().empty())
    added.items[added.count++] = {"X-Amz-Security-Token", x_amz_security_token()};
  return added;
}

Status sign_request(const SigningInput& input, const Credentials& credentials, SignedHeaders& out) {
  out.clear();
  Status status = SignedHeaders::sign_into(input, credentials, out);
  if (!status.ok())
    out.clear();
  return status;
}

Status SignedHeaders::sign_into(const SigningInput& input, const Credentials& credentials,
                                SignedHeaders& out) {
  EC_TRY(validate(input, credentials));

  // X-Amz-Date and the date of the scope.
  EC_TRY(format_amz_date(input.time, std::span<char, 16>(out.m_amz_date)));
  out.m_amz_date_size = sizeof out.m_amz_date;
  const std::string_view amz_date = out.x_amz_date();

  // Host, with the port when it is not the scheme's default.
  {
    TextBuilder host(out.m_host);
    host.append(input.host);
    const std::uint16_t default_port = input.scheme == Scheme::Https ? 443 : 80;
    if (input.port != 0 && input.port != default_port) {
      char digits[5];
      int width = input.port >= 10000  ? 5
                  : input.port >= 1000 ? 4
                  : input.port >= 100  ? 3
                  : input.port >= 10   ? 2
                                       : 1;
      put_digits(digits, input.port, width);
      host.append(':');
      host.append(std::string_view(digits, static_cast<std::size_t>(width)));
    }
    EC_TRY(host.status("host"));
    out.m_host_size = host.size();
  }

  // Payload hash.
  switch (input.payload) {
  case Payload::HashBody: {
    EC_TRY_ASSIGN(Sha256Digest body_digest, sha256(input.body));
    write_hex_lower(Bytes(body_digest), out.m_payload_hash);
    out.m_payload_hash_size = kSha256HexChars;
    break;
  }
  case Payload::Precomputed:
    input.payload_hash.copy(out.m_payload_hash, kSha256HexChars);
    out.m_payload_hash_size = kSha256HexChars;
    break;
  case Payload::Unsigned:
    kUnsignedPayload.copy(out.m_payload_hash, kUnsignedPayload.size());
    out.m_payload_hash_size = kUnsignedPayload.size();
    break;
  }
  out.m_content_header = input.rules.content_hash_header;
  out.m_security_token = credentials.session_token;

  HeaderTable headers;
  for (const HttpHeader& header : input.headers)
    headers.add(header.name, header.value);
  headers.add("host", out.host());
  headers.add("x-amz-date", amz_date);
  if (!out.x_amz_content_sha256().empty())
    headers.add("x-amz-content-sha256", out.x_amz_content_sha256());
  if (!credentials.session_token.empty())
    headers.add("x-amz-security-token", credentials.session_token);
  headers.sort();

  // Canonical request.
  {
    TextBuilder canonical(out.m_canonical);
    canonical.append(input.method);
    canonical.append('\n');
    EC_TRY(canonical_uri(input.path, input.rules.uri_path, canonical));
    canonical.append('\n');
    EC_TRY(canonical_query(input.query, canonical));
    canonical.append('\n');
    headers.write_canonical(canonical);
    canonical.append('\n');
    headers.write_signed_names(canonical);
    canonical.append('\n');
    canonical.append(out.payload_hash());
    EC_TRY(canonical.status("canonical request"));
    out.m_canonical_size = canonical.size();
  }
  EC_TRY_ASSIGN(Sha256Digest canonical_digest, sha256(as_bytes(out.canonical_request())));

  // String to sign; it fits by construction (validate() bounded every part).
  {
    TextBuilder text(out.m_string_to_sign);
    text.append(kAlgorithm);
    text.append('\n');
    text.append(amz_date);
    text.append('\n');
    const std::size_t scope_start = text.size();
    text.append(amz_date.substr(0, 8));
    text.append('/');
    text.append(input.region);
    text.append('/');
    text.append(input.service);
    text.append("/aws4_request");
    const std::size_t scope_end = text.size();
    text.append('\n');
    text.append(as_view(to_hex(canonical_digest)));
    EC_CHECK(!text.overflowed());
    out.m_string_to_sign_size = text.size();
    out.m_scope = out.string_to_sign().substr(scope_start, scope_end - scope_start);
  }

  // Signature.
  EC_TRY_ASSIGN(Sha256Digest signing_key,
                derive_signing_key(credentials.secret_access_key, amz_date.substr(0, 8),
                                   input.region, input.service));
  Result<Sha256Digest> signature = hmac_sha256(Bytes(signing_key), as_bytes(out.string_to_sign()));
  wipe(MutableBytes(signing_key));
  if (!signature.ok())
    return signature.error();

  // Authorization.
  {
    TextBuilder text(out.m_authorization);
    text.append(kAlgorithm);
    text.append(" Credential=");
    text.append(credentials.access_key_id);
    text.append('/');
    text.append(out.m_scope);
    text.append(", SignedHeaders=");
    headers.write_signed_names(text);
    text.append(", Signature=");
    const std::size_t signature_start = text.size();
    text.append(as_view(to_hex(signature.value())));
    EC_TRY(text.status("authorization"));
    out.m_authorization_size = text.size();
    out.m_signature = out.authorization().substr(signature_start);
  }
  return {};
}

} // namespace ec
