// core/aws/xml_reader.cpp - The XML pull reader: markup scanning, text checks, reference decoding.
#include "core/aws/xml_reader.h"

#include "core/aws/aws_text.h"
#include "core/base/ascii.h"

#include <optional>

namespace ec {

namespace {

constexpr char kEndsEarly[] = "aws: xml document ends early";
/// Longest reference we accept, `&` and `;` included ("&#x0010FFFF;" with some leading zeros).
constexpr std::size_t kMaxReferenceBytes = 32;

/// XML 1.0 `Char`: what a character reference may name.
bool is_xml_char(std::uint32_t code_point) {
  return code_point == 0x9 || code_point == 0xA || code_point == 0xD ||
         (code_point >= 0x20 && code_point <= 0xD7FF) ||
         (code_point >= 0xE000 && code_point <= 0xFFFD) ||
         (code_point >= 0x10000 && code_point <= 0x10FFFF);
}

int digit_value(char c, std::uint32_t base) {
  int value = hex_digit_value(c);
  return value >= 0 && static_cast<std::uint32_t>(value) < base ? value : -1;
}

/// The reference starting at raw[start] (an `&`): its code point and its length in bytes. False
/// when it is malformed, unknown or names a character XML does not allow.
bool parse_reference(std::string_view raw, std::size_t start, std::uint32_t& code_point,
                     std::size_t& length) {
  const std::size_t semicolon = raw.find(';', start + 1);
  if (semicolon == std::string_view::npos || semicolon - start + 1 > kMaxReferenceBytes)
    return false;
  const std::string_view body = raw.substr(start + 1, semicolon - start - 1);
  length = semicolon - start + 1;
  if (body == "amp")
    code_point = '&';
  else if (body == "lt")
    code_point = '<';
  else if (body == "gt")
    code_point = '>';
  else if (body == "quot")
    code_point = '"';
  else if (body == "apos")
    code_point = '\'';
  else if (body.size() >= 2 && body[0] == '#') {
    std::uint32_t base = 10;
    std::string_view digits = body.substr(1);
    if (digits[0] == 'x') {
      base = 16;
      digits.remove_prefix(1);
    }
    if (digits.empty())
      return false;
    std::uint32_t value = 0;
    for (char c : digits) {
      const int digit = digit_value(c, base);
      if (digit < 0)
        return false;
      value = value * base + static_cast<std::uint32_t>(digit);
      if (value > 0x10FFFF)
        return false;
    }
    if (!is_xml_char(value))
      return false;
    code_point = value;
  } else {
    return false;
  }
  return true;
}

std::size_t utf8_size(std::uint32_t code_point) {
  return code_point < 0x80 ? 1 : code_point < 0x800 ? 2 : code_point < 0x10000 ? 3 : 4;
}

/// Checks character data and measures it decoded. Returns nothing, or the error message with
/// `bad` set to the index of the offending byte.
std::optional<ErrorText> check_text(std::string_view raw, XmlTextForm form, std::size_t& decoded,
                                    bool& needs_copy, std::size_t& bad) {
  decoded = 0;
  needs_copy = false;
  for (std::size_t i = 0; i < raw.size();) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == '&' && form == XmlTextForm::Escaped) {
      std::uint32_t code_point = 0;
      std::size_t length = 0;
      if (!parse_reference(raw, i, code_point, length)) {
        bad = i;
        return ErrorText("aws: xml reference is malformed or unknown");
      }
      decoded += utf8_size(code_point);
      needs_copy = true;
      i += length;
    } else if (c == '\r') {
      needs_copy = true;
      if (i + 1 >= raw.size() || raw[i + 1] != '\n')
        ++decoded; // a lone CR becomes LF; in CR LF only the LF is kept
      ++i;
    } else if (c < 0x20 && c != '\t' && c != '\n') {
      bad = i;
      return ErrorText("aws: xml text has a control character");
    } else if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(raw.substr(i));
      if (length == 0) {
        bad = i;
        return ErrorText("aws: xml text is not utf-8");
      }
      decoded += length;
      i += length;
    } else {
      ++decoded;
      ++i;
    }
  }
  return std::nullopt;
}

bool is_name_byte(unsigned char c, bool first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0x80)
    return true;
  return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

} // namespace

std::size_t decode_xml_text(std::string_view raw, XmlTextForm form, char* out) {
  std::size_t size = 0;
  for (std::size_t i = 0; i < raw.size();) {
    const char c = raw[i];
    if (c == '&' && form == XmlTextForm::Escaped) {
      std::uint32_t code_point = 0;
      std::size_t length = 0;
      EC_CHECK(parse_reference(raw, i, code_point, length));
      size += encode_utf8(code_point, out + size);
      i += length;
    } else if (c == '\r') {
      if (i + 1 >= raw.size() || raw[i + 1] != '\n')
        out[size++] = '\n';
      ++i;
    } else {
      out[size++] = c;
      ++i;
    }
  }
  return size;
}

Error XmlReader::fail(ErrorText message, std::size_t offset) const {
  return make_error(ErrorCode::InvalidInput, message).at(ErrorWhere::ByteOffset, offset);
}

Error XmlReader::fail_limit(ErrorText message, std::size_t offset) const {
  return make_error(ErrorCode::LimitExceeded, message).at(ErrorWhere::ByteOffset, offset);
}

bool XmlReader::at(std::string_view literal) const {
  return m_document.substr(m_pos, literal.size()) == literal;
}

std::string_view XmlReader::name() const {
  const std::size_t colon = m_name.rfind(':');
  return colon == std::string_view::npos ? m_name : m_name.substr(colon + 1);
}

Result<std::string_view> XmlReader::scan_name() {
  const std::size_t begin = m_pos;
  if (m_pos >= m_document.size())
    return fail(kEndsEarly, m_pos);
  if (!is_name_byte(static_cast<unsigned char>(m_document[m_pos]), true))
    return fail("aws: xml name is malformed", m_pos);
  while (m_pos < m_document.size()) {
    const auto c = static_cast<unsigned char>(m_document[m_pos]);
    if (!is_name_byte(c, false))
      break;
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(m_document.substr(m_pos));
      if (length == 0)
        return fail("aws: xml name is not utf-8", m_pos);
      m_pos += length;
    } else {
      ++m_pos;
    }
    if (m_pos - begin > kMaxXmlNameBytes)
      return fail_limit("aws: xml name is too long", begin);
  }
  const std::string_view name = m_document.substr(begin, m_pos - begin);
  // Namespaces: a prefix and a local part are both non-empty (`:a` and `a:` are not QNames).
  if (name.front() == ':' || name.back() == ':')
    return fail("aws: xml name is malformed", begin);
  return name;
}

Status XmlReader::skip_attributes(bool& self_closing) {
  for (;;) {
    const std::size_t before = m_pos;
    while (m_pos < m_document.size() && is_space_byte(m_document[m_pos]))
      ++m_pos;
    if (m_pos >= m_document.size())
      return fail(kEndsEarly, m_pos);
    const char c = m_document[m_pos];
    if (c == '>') {
      ++m_pos;
      self_closing = false;
      return {};
    }
    if (c == '/') {
      if (m_pos + 1 >= m_document.size())
        return fail(kEndsEarly, m_pos + 1);
      if (m_document[m_pos + 1] != '>')
        return fail("aws: xml start tag is malformed", m_pos);
      m_pos += 2;
      self_closing = true;
      return {};
    }
    if (m_pos == before) // an attribute must follow whitespace
      return fail("aws: xml start tag is malformed", m_pos);
    EC_TRY(scan_name());
    while (m_pos < m_document.size() && is_space_byte(m_document[m_pos]))
      ++m_pos;
    if (m_pos >= m_document.size())
      return fail(kEndsEarly, m_pos);
    if (m_document[m_pos] != '=')
      return fail("aws: xml attribute is malformed", m_pos);
    ++m_pos;
    while (m_pos < m_document.size() && is_space_byte(m_document[m_pos]))
      ++m_pos;
    if (m_pos >= m_document.size())
      return fail(kEndsEarly, m_pos);
    const char quote = m_document[m_pos];
    if (quote != '"' && quote != '\'')
      return fail("aws: xml attribute is malformed", m_pos);
    const std::size_t close = m_document.find(quote, m_pos + 1);
    if (close == std::string_view::npos)
      return fail(kEndsEarly, m_document.size());
    const std::string_view value = m_document.substr(m_pos + 1, close - m_pos - 1);
    const std::size_t less = value.find('<');
    if (less != std::string_view::npos)
      return fail("aws: xml attribute is malformed", m_pos + 1 + less);
    std::size_t decoded = 0;
    std::size_t bad = 0;
    bool needs_copy = false;
    if (std::optional<ErrorText> message =
            check_text(value, XmlTextForm::Escaped, decoded, needs_copy, bad))
      return fail(*message, m_pos + 1 + bad);
    m_pos = close + 1;
  }
}

Status XmlReader::scan_text(std::size_t begin, std::size_t end, XmlTextForm form) {
  m_text = m_document.substr(begin, end - begin);
  m_text_form = form;
  std::size_t bad = 0;
  if (std::optional<ErrorText> message =
          check_text(m_text, form, m_text_decoded_bytes, m_text_needs_copy, bad))
    return fail(*message, begin + bad);
  return {};
}

Result<XmlEvent> XmlReader::next() {
  if (m_pending_end) {
    m_pending_end = false;
    --m_depth;
    m_event = XmlEvent::EndElement; // m_name still holds the element's name
    return m_event;
  }
  if (m_finished)
    return XmlEvent::EndOfDocument;
  if (m_pos == 0 && at("\xEF\xBB\xBF"))
    m_pos = 3;
  const std::size_t size = m_document.size();
  for (;;) {
    if (m_pos >= size) {
      if (!m_root_seen || m_depth > 0)
        return fail(kEndsEarly, size);
      m_finished = true;
      m_event = XmlEvent::EndOfDocument;
      m_event_offset = size;
      return m_event;
    }
    m_event_offset = m_pos;
    if (m_document[m_pos] != '<') {
      std::size_t end = m_document.find('<', m_pos);
      if (end == std::string_view::npos)
        end = size;
      if (m_depth == 0) {
        for (std::size_t i = m_pos; i < end; ++i)
          if (!is_space_byte(m_document[i]))
            return fail("aws: xml has text outside the root element", i);
        m_pos = end;
        continue;
      }
      EC_TRY(scan_text(m_pos, end, XmlTextForm::Escaped));
      m_pos = end;
      m_event = XmlEvent::Text;
      return m_event;
    }
    if (at("<?") || at("<!--")) {
      const bool comment = at("<!--");
      const std::string_view close = comment ? "-->" : "?>";
      const std::size_t end = m_document.find(close, m_pos + (comment ? 4 : 2));
      if (end == std::string_view::npos)
        return fail(kEndsEarly, size);
      m_pos = end + close.size();
      continue;
    }
    if (at("<![CDATA[")) {
      if (m_depth == 0)
        return fail("aws: xml has text outside the root element", m_pos);
      const std::size_t begin = m_pos + 9;
      const std::size_t end = m_document.find("]]>", begin);
      if (end == std::string_view::npos)
        return fail(kEndsEarly, size);
      EC_TRY(scan_text(begin, end, XmlTextForm::Cdata));
      m_pos = end + 3;
      m_event = XmlEvent::Text;
      return m_event;
    }
    if (at("<!DOCTYPE"))
      return make_error(ErrorCode::Unsupported, "aws: xml doctype is not supported")
          .at(ErrorWhere::ByteOffset, m_pos);
    if (at("<!"))
      return fail("aws: xml markup is malformed", m_pos);
    if (at("</")) {
      m_pos += 2;
      EC_TRY_ASSIGN(std::string_view end_name, scan_name());
      while (m_pos < size && is_space_byte(m_document[m_pos]))
        ++m_pos;
      if (m_pos >= size)
        return fail(kEndsEarly, size);
      if (m_document[m_pos] != '>')
        return fail("aws: xml end tag is malformed", m_pos);
      ++m_pos;
      if (m_depth == 0)
        return fail("aws: xml end tag has no start tag", m_event_offset);
      if (end_name != m_open[m_depth - 1])
        return fail("aws: xml end tag does not match its start tag", m_event_offset);
      --m_depth;
      m_name = end_name;
      m_event = XmlEvent::EndElement;
      return m_event;
    }
    if (m_root_seen && m_depth == 0)
      return fail("aws: xml has a second root element", m_pos);
    ++m_pos;
    EC_TRY_ASSIGN(std::string_view start_name, scan_name());
    bool self_closing = false;
    EC_TRY(skip_attributes(self_closing));
    if (m_depth == kMaxXmlDepth)
      return fail_limit("aws: xml nesting is too deep", m_event_offset);
    m_open[m_depth++] = start_name;
    m_root_seen = true;
    m_name = start_name;
    m_pending_end = self_closing;
    m_event = XmlEvent::StartElement;
    return m_event;
  }
}

Result<std::string_view> XmlReader::read_text(Arena& arena, std::size_t max_bytes,
                                              const char* what) {
  EC_CHECK(m_event == XmlEvent::StartElement);
  const XmlReader start = *this;
  const std::size_t element_offset = m_event_offset;
  std::size_t total = 0;
  std::size_t segments = 0;
  bool copy = false;
  std::string_view single;
  for (;;) {
    EC_TRY_ASSIGN(XmlEvent event, next());
    if (event == XmlEvent::Text) {
      total += m_text_decoded_bytes;
      copy = copy || m_text_needs_copy;
      single = m_text;
      ++segments;
      continue;
    }
    if (event == XmlEvent::EndElement)
      break;
    // A StartElement (EndOfDocument cannot come while an element is open).
    return fail("aws: xml element has child elements where text is expected", m_event_offset)
        .with_detail(what);
  }
  if (total > max_bytes)
    return fail_limit("aws: xml text is too long", element_offset).with_detail(what);
  if (segments == 0)
    return std::string_view();
  if (segments == 1 && !copy)
    return single;
  char* out = arena.allocate_array<char>(total);
  if (!out)
    return make_error(ErrorCode::OutOfMemory, "aws: out of memory for xml text")
        .with_detail(what)
        .at(ErrorWhere::ByteOffset, element_offset);
  XmlReader again = start;
  std::size_t written = 0;
  for (;;) {
    Result<XmlEvent> event = again.next();
    EC_CHECK(event.ok()); // the first pass accepted the same bytes
    if (event.value() == XmlEvent::EndElement)
      break;
    written += decode_xml_text(again.m_text, again.m_text_form, out + written);
  }
  EC_CHECK(written == total);
  return std::string_view(out, total);
}

Status XmlReader::skip_element() {
  EC_CHECK(m_event == XmlEvent::StartElement);
  const std::size_t target = m_depth - 1;
  for (;;) {
    EC_TRY_ASSIGN(XmlEvent event, next());
    if (event == XmlEvent::EndElement && m_depth == target)
      return {};
  }
}

Result<std::size_t> XmlReader::count_children(std::string_view local_name) const {
  EC_CHECK(m_event == XmlEvent::StartElement);
  XmlReader ahead = *this;
  const std::size_t depth = m_depth;
  std::size_t count = 0;
  for (;;) {
    EC_TRY_ASSIGN(XmlEvent event, ahead.next());
    if (event == XmlEvent::StartElement && ahead.m_depth == depth + 1 && ahead.name() == local_name)
      ++count;
    if (event == XmlEvent::EndElement && ahead.m_depth == depth - 1)
      return count;
  }
}

} // namespace ec
