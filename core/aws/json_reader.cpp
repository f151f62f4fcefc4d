// core/aws/json_reader.cpp - The JSON cursor: structure checks, string and number scanning.
#include "core/aws/json_reader.h"

#include "core/aws/aws_text.h"
#include "core/base/ascii.h"

namespace ec {

namespace {

constexpr char kEndsEarly[] = "aws: json document ends early";

/// The four hex digits at text[at..at+4), or -1 when one is not hex. The caller checked the size.
long hex4(std::string_view text, std::size_t at) {
  long value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const int digit = hex_digit_value(text[at + i]);
    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

bool is_high_surrogate(long code) {
  return code >= 0xD800 && code <= 0xDBFF;
}
bool is_low_surrogate(long code) {
  return code >= 0xDC00 && code <= 0xDFFF;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

char simple_escape(char c) {
  switch (c) {
  case '"':
    return '"';
  case '\\':
    return '\\';
  case '/':
    return '/';
  case 'b':
    return '\b';
  case 'f':
    return '\f';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 't':
    return '\t';
  default:
    return 0;
  }
}

} // namespace

std::size_t decode_json_string(std::string_view raw, char* out) {
  std::size_t size = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] != '\\') {
      out[size++] = raw[i++];
      continue;
    }
    EC_CHECK(i + 1 < raw.size());
    if (raw[i + 1] != 'u') {
      const char decoded = simple_escape(raw[i + 1]);
      EC_CHECK(decoded != 0);
      out[size++] = decoded;
      i += 2;
      continue;
    }
    EC_CHECK(i + 6 <= raw.size());
    long code = hex4(raw, i + 2);
    EC_CHECK(code >= 0 && !is_low_surrogate(code));
    i += 6;
    if (is_high_surrogate(code)) {
      EC_CHECK(i + 6 <= raw.size() && raw[i] == '\\' && raw[i + 1] == 'u');
      const long low = hex4(raw, i + 2);
      EC_CHECK(is_low_surrogate(low));
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    }
    size += encode_utf8(static_cast<std::uint32_t>(code), out + size);
  }
  return size;
}

JsonReader::JsonReader(std::string_view document, std::size_t max_depth)
    : m_document(document), m_max_depth(max_depth) {
  EC_CHECK(max_depth >= 1 && max_depth <= kMaxJsonDepth);
  if (m_document.substr(0, 3) == "\xEF\xBB\xBF") // RFC 8259 lets a parser ignore a BOM
    m_pos = 3;
}

Error JsonReader::fail(ErrorText message, std::size_t offset) const {
  return make_error(ErrorCode::InvalidInput, message).at(ErrorWhere::ByteOffset, offset);
}

Error JsonReader::wrong_type(const char* what) const {
  return fail("aws: json value has the wrong type", m_pos).with_detail(what);
}

void JsonReader::skip_space() {
  while (m_pos < m_document.size() && is_space_byte(m_document[m_pos]))
    ++m_pos;
}

Status JsonReader::begin_value() {
  EC_CHECK(m_value_due);
  skip_space();
  if (m_pos >= m_document.size())
    return fail(kEndsEarly, m_pos);
  return {};
}

void JsonReader::end_value() {
  m_value_due = false;
}

Status JsonReader::push(bool is_array) {
  if (m_depth >= m_max_depth)
    return make_error(ErrorCode::LimitExceeded, "aws: json nesting is too deep")
        .at(ErrorWhere::ByteOffset, m_pos);
  const std::uint64_t bit = std::uint64_t{1} << m_depth;
  m_array_bits = is_array ? (m_array_bits | bit) : (m_array_bits & ~bit);
  m_member_bits &= ~bit;
  ++m_depth;
  ++m_pos;
  m_value_due = false;
  return {};
}

void JsonReader::pop() {
  --m_depth;
  ++m_pos;
  end_value();
}

Result<JsonKind> JsonReader::peek() {
  EC_TRY(begin_value());
  const char c = m_document[m_pos];
  switch (c) {
  case '{':
    return JsonKind::Object;
  case '[':
    return JsonKind::Array;
  case '"':
    return JsonKind::String;
  case 't':
    return JsonKind::True;
  case 'f':
    return JsonKind::False;
  case 'n':
    return JsonKind::Null;
  default:
    if (c == '-' || is_digit(c))
      return JsonKind::Number;
    return fail("aws: json value is malformed", m_pos);
  }
}

Status JsonReader::enter_object(const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, peek());
  if (kind != JsonKind::Object)
    return wrong_type(what);
  return push(false);
}

Status JsonReader::enter_array(const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, peek());
  if (kind != JsonKind::Array)
    return wrong_type(what);
  return push(true);
}

Result<std::optional<std::string_view>> JsonReader::next_key() {
  return advance_member(true);
}

Result<std::optional<std::string_view>> JsonReader::advance_member(bool decode) {
  EC_CHECK(m_depth > 0 && !top_is_array() && !m_value_due);
  skip_space();
  if (m_pos >= m_document.size())
    return fail(kEndsEarly, m_pos);
  if (m_document[m_pos] == '}') {
    pop();
    return std::optional<std::string_view>();
  }
  if (top_has_members()) {
    if (m_document[m_pos] != ',')
      return fail("aws: json expects ',' or '}'", m_pos);
    ++m_pos;
    skip_space();
    if (m_pos >= m_document.size())
      return fail(kEndsEarly, m_pos);
  }
  if (m_document[m_pos] != '"')
    return fail("aws: json expects a member name", m_pos);
  const std::size_t key_offset = m_pos;
  std::string_view raw;
  std::size_t decoded_size = 0;
  bool escaped = false;
  EC_TRY(scan_string(raw, decoded_size, escaped));
  std::string_view key = raw;
  if (escaped && decode) {
    if (decoded_size > kMaxJsonKeyBytes)
      return make_error(ErrorCode::LimitExceeded, "aws: json member name is too long")
          .at(ErrorWhere::ByteOffset, key_offset);
    key = std::string_view(m_key, decode_json_string(raw, m_key));
  }
  skip_space();
  if (m_pos >= m_document.size())
    return fail(kEndsEarly, m_pos);
  if (m_document[m_pos] != ':')
    return fail("aws: json expects ':'", m_pos);
  ++m_pos;
  m_member_bits |= std::uint64_t{1} << (m_depth - 1);
  m_value_due = true;
  return std::optional<std::string_view>(key);
}

Result<bool> JsonReader::next_element() {
  EC_CHECK(m_depth > 0 && top_is_array() && !m_value_due);
  skip_space();
  if (m_pos >= m_document.size())
    return fail(kEndsEarly, m_pos);
  if (m_document[m_pos] == ']') {
    pop();
    return false;
  }
  if (top_has_members()) {
    if (m_document[m_pos] != ',')
      return fail("aws: json expects ',' or ']'", m_pos);
    ++m_pos;
  }
  m_member_bits |= std::uint64_t{1} << (m_depth - 1);
  m_value_due = true;
  return true;
}

Status JsonReader::scan_string(std::string_view& raw, std::size_t& decoded_size, bool& escaped) {
  const std::size_t size = m_document.size();
  const std::size_t begin = m_pos + 1;
  decoded_size = 0;
  escaped = false;
  for (std::size_t i = begin;;) {
    if (i >= size)
      return fail(kEndsEarly, size);
    const auto c = static_cast<unsigned char>(m_document[i]);
    if (c == '"') {
      raw = m_document.substr(begin, i - begin);
      m_pos = i + 1;
      return {};
    }
    if (c == '\\') {
      escaped = true;
      if (i + 1 >= size)
        return fail(kEndsEarly, size);
      if (m_document[i + 1] != 'u') {
        if (simple_escape(m_document[i + 1]) == 0)
          return fail("aws: json escape is malformed", i);
        ++decoded_size;
        i += 2;
        continue;
      }
      if (i + 6 > size)
        return fail(kEndsEarly, size);
      long code = hex4(m_document, i + 2);
      if (code < 0)
        return fail("aws: json escape is malformed", i);
      if (is_low_surrogate(code))
        return fail("aws: json string has a lone surrogate", i);
      if (is_high_surrogate(code)) {
        for (std::size_t at = i + 6; at < i + 8; ++at) { // the `\u` of the low half
          if (at >= size)
            return fail(kEndsEarly, size);
          if (m_document[at] != "\\u"[at - i - 6])
            return fail("aws: json string has a lone surrogate", i);
        }
        if (i + 12 > size)
          return fail(kEndsEarly, size);
        const long low = hex4(m_document, i + 8);
        if (low < 0)
          return fail("aws: json escape is malformed", i + 6);
        if (!is_low_surrogate(low))
          return fail("aws: json string has a lone surrogate", i);
        decoded_size += 4;
        i += 12;
        continue;
      }
      decoded_size += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
      i += 6;
      continue;
    }
    if (c < 0x20)
      return fail("aws: json string has a control character", i);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(m_document.substr(i));
      if (length == 0)
        return fail("aws: json string is not utf-8", i);
      decoded_size += length;
      i += length;
      continue;
    }
    ++decoded_size;
    ++i;
  }
}

Status JsonReader::scan_number() {
  const std::size_t size = m_document.size();
  std::size_t i = m_pos;
  if (m_document[i] == '-')
    ++i;
  if (i >= size)
    return fail(kEndsEarly, size);
  if (m_document[i] == '0') {
    ++i;
  } else if (is_digit(m_document[i])) {
    while (i < size && is_digit(m_document[i]))
      ++i;
  } else {
    return fail("aws: json number is malformed", i);
  }
  if (i < size && m_document[i] == '.') {
    ++i;
    if (i >= size)
      return fail(kEndsEarly, size);
    if (!is_digit(m_document[i]))
      return fail("aws: json number is malformed", i);
    while (i < size && is_digit(m_document[i]))
      ++i;
  }
  if (i < size && (m_document[i] == 'e' || m_document[i] == 'E')) {
    ++i;
    if (i < size && (m_document[i] == '+' || m_document[i] == '-'))
      ++i;
    if (i >= size)
      return fail(kEndsEarly, size);
    if (!is_digit(m_document[i]))
      return fail("aws: json number is malformed", i);
    while (i < size && is_digit(m_document[i]))
      ++i;
  }
  m_pos = i;
  return {};
}

Status JsonReader::consume_literal(std::string_view literal) {
  for (std::size_t i = 0; i < literal.size(); ++i) {
    if (m_pos + i >= m_document.size())
      return fail(kEndsEarly, m_document.size());
    if (m_document[m_pos + i] != literal[i])
      return fail("aws: json value is malformed", m_pos + i);
  }
  m_pos += literal.size();
  return {};
}

Result<std::string_view> JsonReader::read_string(Arena& arena, std::size_t max_bytes,
                                                 const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, peek());
  if (kind != JsonKind::String)
    return wrong_type(what);
  const std::size_t offset = m_pos;
  std::string_view raw;
  std::size_t decoded_size = 0;
  bool escaped = false;
  EC_TRY(scan_string(raw, decoded_size, escaped));
  if (decoded_size > max_bytes)
    return make_error(ErrorCode::LimitExceeded, "aws: json string is too long")
        .with_detail(what)
        .at(ErrorWhere::ByteOffset, offset);
  end_value();
  if (!escaped)
    return raw;
  char* out = arena.allocate_array<char>(decoded_size);
  if (!out)
    return make_error(ErrorCode::OutOfMemory, "aws: out of memory for json string")
        .with_detail(what)
        .at(ErrorWhere::ByteOffset, offset);
  const std::size_t written = decode_json_string(raw, out);
  EC_CHECK(written == decoded_size);
  return std::string_view(out, written);
}

Result<std::string_view> JsonReader::read_number(const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, peek());
  if (kind != JsonKind::Number)
    return wrong_type(what);
  const std::size_t begin = m_pos;
  EC_TRY(scan_number());
  end_value();
  return m_document.substr(begin, m_pos - begin);
}

Result<bool> JsonReader::read_bool(const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, peek());
  if (kind != JsonKind::True && kind != JsonKind::False)
    return wrong_type(what);
  EC_TRY(consume_literal(kind == JsonKind::True ? "true" : "false"));
  end_value();
  return kind == JsonKind::True;
}

Status JsonReader::read_null(const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, peek());
  if (kind != JsonKind::Null)
    return wrong_type(what);
  EC_TRY(consume_literal("null"));
  end_value();
  return {};
}

Status JsonReader::skip_value() {
  const std::size_t base = m_depth;
  do {
    if (m_depth > base) {
      if (top_is_array()) {
        EC_TRY_ASSIGN(bool more, next_element());
        if (!more)
          continue;
      } else {
        EC_TRY_ASSIGN(std::optional<std::string_view> key, advance_member(false));
        if (!key)
          continue;
      }
    }
    EC_TRY_ASSIGN(JsonKind kind, peek());
    switch (kind) {
    case JsonKind::Object:
      EC_TRY(push(false));
      break;
    case JsonKind::Array:
      EC_TRY(push(true));
      break;
    case JsonKind::String: {
      std::string_view raw;
      std::size_t decoded_size = 0;
      bool escaped = false;
      EC_TRY(scan_string(raw, decoded_size, escaped));
      end_value();
      break;
    }
    case JsonKind::Number:
      EC_TRY(scan_number());
      end_value();
      break;
    case JsonKind::True:
      EC_TRY(consume_literal("true"));
      end_value();
      break;
    case JsonKind::False:
      EC_TRY(consume_literal("false"));
      end_value();
      break;
    case JsonKind::Null:
      EC_TRY(consume_literal("null"));
      end_value();
      break;
    }
  } while (m_depth > base);
  return {};
}

Result<std::size_t> JsonReader::count_elements(const char* what) const {
  JsonReader ahead = *this;
  EC_TRY(ahead.enter_array(what));
  std::size_t count = 0;
  for (;;) {
    EC_TRY_ASSIGN(bool more, ahead.next_element());
    if (!more)
      return count;
    ++count;
    EC_TRY(ahead.skip_value());
  }
}

Status JsonReader::finish() {
  EC_CHECK(m_depth == 0 && !m_value_due);
  skip_space();
  if (m_pos != m_document.size())
    return fail("aws: json has text after the document", m_pos);
  return {};
}

} // namespace ec
