// tests/aws/sigv4_test_support.h - Test-only helpers: files, a small JSON reader, HTTP/1.1 text
// requests as the SigV4 suite writes them, and the storage a SigningInput points into.
#pragma once

#include "core/aws/sigv4.h"
#include "core/base/ascii.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ec::test {

inline std::string sigv4_data_dir() {
  return EC_SOURCE_DIR "/../shared/testdata/sigv4";
}

/// Whole file, or `ok` false.
inline std::string read_file(const std::string& path, bool& ok) {
  std::string text;
  ok = false;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file)
    return text;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    text.append(buffer, got);
  ok = !std::ferror(file);
  std::fclose(file);
  return text;
}

/// %XX -> byte; everything else (including '+') unchanged.
inline std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
        hex_digit_value(text[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// ---- JSON: just enough for context.json and botocore-wire.json ---------------------------------

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;       // Array elements, or Object values
  std::vector<std::string> keys; // Object keys, parallel to items

  const Json* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key)
        return &items[i];
    return nullptr;
  }
  std::string string_or(std::string_view key, std::string fallback) const {
    const Json* value = find(key);
    return value && value->kind == Kind::String ? value->text : fallback;
  }
  bool bool_or(std::string_view key, bool fallback) const {
    const Json* value = find(key);
    return value && value->kind == Kind::Bool ? value->boolean : fallback;
  }
};

class JsonParser {
public:
  explicit JsonParser(std::string_view text) : m_text(text) {}

  /// The document, or `error` set to "what at offset N".
  bool parse(Json& out, std::string& error) {
    bool ok = value(out) && (skip_space(), m_at == m_text.size());
    if (!ok)
      error = (m_error.empty() ? std::string("trailing text") : m_error) + " at offset " +
              std::to_string(m_at);
    return ok;
  }

private:
  void skip_space() {
    while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\n' ||
                                    m_text[m_at] == '\r' || m_text[m_at] == '\t'))
      ++m_at;
  }
  bool fail(const char* what) {
    m_error = what;
    return false;
  }
  bool literal(std::string_view word) {
    if (m_text.substr(m_at, word.size()) != word)
      return fail("bad literal");
    m_at += word.size();
    return true;
  }
  static void put_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }
  bool hex4(std::uint32_t& code) {
    if (m_at + 4 > m_text.size())
      return fail("short \\u escape");
    code = 0;
    for (int i = 0; i < 4; ++i) {
      int digit = hex_digit_value(m_text[m_at++]);
      if (digit < 0)
        return fail("bad \\u escape");
      code = code * 16 + static_cast<std::uint32_t>(digit);
    }
    return true;
  }
  bool string(std::string& out) {
    ++m_at; // opening quote
    while (m_at < m_text.size()) {
      char c = m_text[m_at++];
      if (c == '"')
        return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (m_at >= m_text.size())
        return fail("unterminated escape");
      char escape = m_text[m_at++];
      switch (escape) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        std::uint32_t code = 0;
        if (!hex4(code))
          return false;
        if (code >= 0xD800 && code < 0xDC00 && m_text.substr(m_at, 2) == "\\u") {
          m_at += 2;
          std::uint32_t low = 0;
          if (!hex4(low))
            return false;
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        put_utf8(out, code);
        break;
      }
      default:
        return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }
  bool value(Json& out) {
    skip_space();
    if (m_at >= m_text.size())
      return fail("unexpected end");
    char c = m_text[m_at];
    if (c == '{') {
      out.kind = Json::Kind::Object;
      ++m_at;
      skip_space();
      if (m_at < m_text.size() && m_text[m_at] == '}') {
        ++m_at;
        return true;
      }
      for (;;) {
        skip_space();
        if (m_at >= m_text.size() || m_text[m_at] != '"')
          return fail("expected a key");
        std::string key;
        if (!string(key))
          return false;
        skip_space();
        if (m_at >= m_text.size() || m_text[m_at] != ':')
          return fail("expected ':'");
        ++m_at;
        Json member;
        if (!value(member))
          return false;
        out.keys.push_back(std::move(key));
        out.items.push_back(std::move(member));
        skip_space();
        if (m_at < m_text.size() && m_text[m_at] == ',') {
          ++m_at;
          continue;
        }
        if (m_at < m_text.size() && m_text[m_at] == '}') {
          ++m_at;
          return true;
        }
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      out.kind = Json::Kind::Array;
      ++m_at;
      skip_space();
      if (m_at < m_text.size() && m_text[m_at] == ']') {
        ++m_at;
        return true;
      }
      for (;;) {
        Json item;
        if (!value(item))
          return false;
        out.items.push_back(std::move(item));
        skip_space();
        if (m_at < m_text.size() && m_text[m_at] == ',') {
          ++m_at;
          continue;
        }
        if (m_at < m_text.size() && m_text[m_at] == ']') {
          ++m_at;
          return true;
        }
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      out.kind = Json::Kind::String;
      return string(out.text);
    }
    if (c == 't') {
      out.kind = Json::Kind::Bool;
      out.boolean = true;
      return literal("true");
    }
    if (c == 'f') {
      out.kind = Json::Kind::Bool;
      return literal("false");
    }
    if (c == 'n')
      return literal("null");
    std::size_t start = m_at;
    while (m_at < m_text.size() &&
           std::string_view("+-.eE0123456789").find(m_text[m_at]) != std::string_view::npos)
      ++m_at;
    if (start == m_at)
      return fail("unexpected character");
    out.kind = Json::Kind::Number;
    out.number = std::stod(std::string(m_text.substr(start, m_at - start)));
    return true;
  }

  std::string_view m_text;
  std::size_t m_at = 0;
  std::string m_error;
};

// ---- a request the suite writes as HTTP/1.1 text ------------------------------------------------

struct TextRequest {
  std::string method;
  std::string path;                                       // raw, as written after the method
  std::vector<std::pair<std::string, std::string>> query; // decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Parses "METHOD target HTTP/1.1\nName:value\n...\n\nbody". A line starting with a space or a tab
/// continues the previous header (obsolete folding, RFC 9112 5.2): it is replaced by one space.
/// The target may hold spaces (the suite's get-space), so it runs up to the last space.
inline bool parse_text_request(std::string_view text, TextRequest& out, std::string& error) {
  std::string_view head = text;
  std::size_t blank = text.find("\n\n");
  if (blank != std::string_view::npos) {
    head = text.substr(0, blank);
    out.body = std::string(text.substr(blank + 2));
  }
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= head.size();) {
    std::size_t end = head.find('\n', start);
    if (end == std::string_view::npos)
      end = head.size();
    std::string_view line = head.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty())
    lines.pop_back();
  if (lines.empty()) {
    error = "no request line";
    return false;
  }
  std::string_view request_line = lines[0];
  std::size_t first_space = request_line.find(' ');
  std::size_t last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) {
    error = "bad request line";
    return false;
  }
  out.method = std::string(request_line.substr(0, first_space));
  std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
  std::size_t question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    for (std::size_t start = 0; start <= query.size();) {
      std::size_t end = query.find('&', start);
      if (end == std::string_view::npos)
        end = query.size();
      std::string_view pair = query.substr(start, end - start);
      if (!pair.empty()) {
        std::size_t equals = pair.find('=');
        std::string_view name = pair.substr(0, equals);
        std::string_view value =
            equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
        out.query.emplace_back(percent_decode(name), percent_decode(value));
      }
      start = end + 1;
    }
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (out.headers.empty()) {
        error = "continuation before any header";
        return false;
      }
      std::size_t text_start = line.find_first_not_of(" \t");
      out.headers.back().second += ' ';
      if (text_start != std::string_view::npos)
        out.headers.back().second += std::string(line.substr(text_start));
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error = "header line without ':'";
      return false;
    }
    out.headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(line.substr(colon + 1)));
  }
  return true;
}

/// Owns the strings a SigningInput and Credentials view.
struct SigningStorage {
  std::vector<std::pair<std::string, std::string>> query_text;
  std::vector<std::pair<std::string, std::string>> header_text;
  std::vector<QueryParameter> query;
  std::vector<HttpHeader> headers;
  std::string method, host, path, body, region, service;
  std::string access_key_id, secret, token;

  /// Views are taken here, once every string is in place.
  void fill(SigningInput& input, Credentials& credentials) {
    query.clear();
    for (auto& [name, value] : query_text)
      query.push_back({name, value});
    headers.clear();
    for (auto& [name, value] : header_text)
      headers.push_back({name, value});
    input.method = method;
    input.host = host;
    input.path = path;
    input.query = query;
    input.headers = headers;
    input.body = as_bytes(body);
    input.region = region;
    input.service = service;
    credentials.access_key_id = access_key_id;
    credentials.secret_access_key = secret;
    credentials.session_token = token;
  }
};

inline constexpr std::string_view kExampleAccessKeyId = "AKIDEXAMPLE";
inline constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

} // namespace ec::test
