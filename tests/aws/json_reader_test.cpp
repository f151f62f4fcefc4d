// tests/aws/json_reader_test.cpp - JsonReader: structure, escapes and surrogates, numbers, limits,
// malformed and truncated documents refused at the right byte, and a randomized round trip.
#include "core/aws/aws_text.h"
#include "core/aws/json_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ec {
namespace {

std::string error_text(const Error& error) {
  char text[512];
  format_error(error, text, sizeof text);
  return text;
}

std::string json_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// The document walked with the reader and written back canonically (no whitespace, strings
/// decoded with only `"` and `\` escaped, numbers as written), or "error:<message>@<offset>".
std::string dump(std::string_view document, std::size_t max_depth = kDefaultJsonDepth) {
  alignas(8) static std::uint8_t storage[1 << 16];
  Arena arena(storage);
  JsonReader reader(document, max_depth);
  std::string out;
  std::vector<bool> arrays; // open containers
  std::vector<bool> first;
  const auto fail = [&](const Error& error) {
    return "error:" + std::string(error.message) + "@" + std::to_string(error.position);
  };
  for (;;) {
    if (!arrays.empty()) {
      if (arrays.back()) {
        Result<bool> more = reader.next_element();
        if (!more.ok())
          return fail(more.error());
        if (!more.value()) {
          out += ']';
          arrays.pop_back();
          first.pop_back();
          if (arrays.empty())
            break;
          continue;
        }
        if (!first.back())
          out += ',';
      } else {
        Result<std::optional<std::string_view>> key = reader.next_key();
        if (!key.ok())
          return fail(key.error());
        if (!key.value()) {
          out += '}';
          arrays.pop_back();
          first.pop_back();
          if (arrays.empty())
            break;
          continue;
        }
        if (!first.back())
          out += ',';
        out += json_quoted(*key.value()) + ":";
      }
      first.back() = false;
    }
    Result<JsonKind> kind = reader.peek();
    if (!kind.ok())
      return fail(kind.error());
    Status status;
    switch (kind.value()) {
    case JsonKind::Object:
    case JsonKind::Array: {
      const bool is_array = kind.value() == JsonKind::Array;
      status = is_array ? reader.enter_array() : reader.enter_object();
      if (!status.ok())
        return fail(status.error());
      out += is_array ? '[' : '{';
      arrays.push_back(is_array);
      first.push_back(true);
      continue;
    }
    case JsonKind::String: {
      Result<std::string_view> text = reader.read_string(arena, 1 << 15, "s");
      if (!text.ok())
        return fail(text.error());
      out += json_quoted(text.value());
      break;
    }
    case JsonKind::Number: {
      Result<std::string_view> number = reader.read_number("n");
      if (!number.ok())
        return fail(number.error());
      out += number.value();
      break;
    }
    case JsonKind::True:
    case JsonKind::False: {
      Result<bool> value = reader.read_bool("b");
      if (!value.ok())
        return fail(value.error());
      out += value.value() ? "true" : "false";
      break;
    }
    case JsonKind::Null:
      status = reader.read_null("z");
      if (!status.ok())
        return fail(status.error());
      out += "null";
      break;
    }
    if (arrays.empty())
      break;
  }
  Status end = reader.finish();
  if (!end.ok())
    return fail(end.error());
  return out;
}

/// The error of skipping the whole document with skip_value(), or nullopt.
std::optional<Error> skip_error(std::string_view document) {
  JsonReader reader(document);
  Status status = reader.skip_value();
  if (status.ok())
    status = reader.finish();
  if (status.ok())
    return std::nullopt;
  return status.error();
}

TEST(JsonReader, WalksObjectsArraysAndScalars) {
  EXPECT_EQ(dump(" { \"a\" : [ 1 , -2.5e+3 , true , false , null , \"x\" ] , \"b\" : { } , "
                 "\"c\" : [ ] } \n"),
            "{\"a\":[1,-2.5e+3,true,false,null,\"x\"],\"b\":{},\"c\":[]}");
  EXPECT_EQ(dump("[]"), "[]");
  EXPECT_EQ(dump("\"top\""), "\"top\"");
  EXPECT_EQ(dump("0"), "0");
  EXPECT_EQ(dump("\xEF\xBB\xBF{}"), "{}");
}

TEST(JsonReader, DecodesEveryEscape) {
  EXPECT_EQ(dump(R"(["\"\\\/\b\f\n\r\t"])"), "[\"\\\"\\\\/\b\f\n\r\t\"]");
  EXPECT_EQ(dump(R"(["\u0041\u00e9\u20AC\uD83D\uDE00\u0000x"])"),
            std::string("[\"A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") + '\0' + "x\"]");
  // U+FFFF and U+10FFFF (the last pair) are fine; only lone surrogates are not.
  EXPECT_EQ(dump(R"(["\uffff\uDBFF\uDFFF"])"), "[\"\xEF\xBF\xBF\xF4\x8F\xBF\xBF\"]");
}

TEST(JsonReader, RefusesLoneSurrogatesAtTheirOffset) {
  EXPECT_EQ(dump(R"(["\uD83D"])"), "error:aws: json string has a lone surrogate@2");
  EXPECT_EQ(dump(R"(["\uD83Dx     "])"), "error:aws: json string has a lone surrogate@2");
  EXPECT_EQ(dump(R"(["\uDE00"])"), "error:aws: json string has a lone surrogate@2");
  EXPECT_EQ(dump(R"(["\uD83D\u0041"])"), "error:aws: json string has a lone surrogate@2");
  EXPECT_EQ(dump(R"(["\uD83D\uZZZZ"])"), "error:aws: json escape is malformed@8");
}

TEST(JsonReader, RefusesMalformedStrings) {
  EXPECT_EQ(dump("[\"a\x01\"]"), "error:aws: json string has a control character@3");
  EXPECT_EQ(dump("[\"a\tb\"]"), "error:aws: json string has a control character@3");
  EXPECT_EQ(dump(R"(["\x"])"), "error:aws: json escape is malformed@2");
  EXPECT_EQ(dump(R"(["\u12G4"])"), "error:aws: json escape is malformed@2");
  EXPECT_EQ(dump("[\"\xC3(\"]"), "error:aws: json string is not utf-8@2");
  EXPECT_EQ(dump("[\"\xF5\x80\x80\x80\"]"), "error:aws: json string is not utf-8@2");
  EXPECT_EQ(dump("['a']"), "error:aws: json value is malformed@1");
}

TEST(JsonReader, ChecksNumbersAgainstTheGrammar) {
  for (std::string_view good :
       {"0", "-0", "12", "1.5", "-0.0e0", "1E+2", "1e-2", "123456789012345678901234567890"})
    EXPECT_EQ(dump("[" + std::string(good) + "]"), "[" + std::string(good) + "]") << good;
  EXPECT_EQ(dump("[01]"), "error:aws: json expects ',' or ']'@2");
  EXPECT_EQ(dump("[1.]"), "error:aws: json number is malformed@3");
  EXPECT_EQ(dump("[.5]"), "error:aws: json value is malformed@1");
  EXPECT_EQ(dump("[+1]"), "error:aws: json value is malformed@1");
  EXPECT_EQ(dump("[-]"), "error:aws: json number is malformed@2");
  EXPECT_EQ(dump("[1e]"), "error:aws: json number is malformed@3");
  EXPECT_EQ(dump("[0x1]"), "error:aws: json expects ',' or ']'@2");
}

TEST(JsonReader, RefusesMalformedStructureAtItsOffset) {
  const struct {
    std::string_view document;
    std::string_view expected;
  } cases[] = {
      {"", "error:aws: json document ends early@0"},
      {"   ", "error:aws: json document ends early@3"},
      {"{\"a\":1,}", "error:aws: json expects a member name@7"},
      {"[1,]", "error:aws: json value is malformed@3"},
      {"[,1]", "error:aws: json value is malformed@1"},
      {"{\"a\" 1}", "error:aws: json expects ':'@5"},
      {"{\"a\":1 \"b\":2}", "error:aws: json expects ',' or '}'@7"},
      {"[1 2]", "error:aws: json expects ',' or ']'@3"},
      {"{a:1}", "error:aws: json expects a member name@1"},
      {"{\"a\":1]", "error:aws: json expects ',' or '}'@6"},
      {"[1}", "error:aws: json expects ',' or ']'@2"},
      {"{} {}", "error:aws: json has text after the document@3"},
      {"{}x", "error:aws: json has text after the document@2"},
      {"tru", "error:aws: json document ends early@3"},
      {"[trUe]", "error:aws: json value is malformed@3"},
      {"[nul]", "error:aws: json value is malformed@4"},
      {"[True]", "error:aws: json value is malformed@1"},
  };
  for (const auto& test : cases)
    EXPECT_EQ(dump(test.document), test.expected) << test.document;
}

TEST(JsonReader, NestingLimitIsExact) {
  const std::string deepest =
      std::string(kDefaultJsonDepth, '[') + std::string(kDefaultJsonDepth, ']');
  EXPECT_EQ(dump(deepest), deepest);
  EXPECT_FALSE(skip_error(deepest));
  const std::string deeper = "[" + deepest + "]";
  EXPECT_EQ(dump(deeper), "error:aws: json nesting is too deep@32");
  std::optional<Error> error = skip_error(deeper);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::LimitExceeded);
  EXPECT_EQ(error->position, 32u);
  // A reader can be given its own depth, up to kMaxJsonDepth.
  EXPECT_EQ(dump("[[[]]]", 2), "error:aws: json nesting is too deep@2");
  const std::string max = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_EQ(dump(max, kMaxJsonDepth), max);
}

TEST(JsonReader, KeysWithEscapesAreDecodedAndLimited) {
  EXPECT_EQ(dump(R"({"\u004eame":"x","a\"b":1})"), "{\"Name\":\"x\",\"a\\\"b\":1}");
  const std::string longest(kMaxJsonKeyBytes - 1, 'k');
  EXPECT_EQ(dump("{\"\\u0041" + longest + "\":1}"), "{\"A" + longest + "\":1}");
  EXPECT_EQ(dump("{\"\\u0041" + longest + "k\":1}"), "error:aws: json member name is too long@1");
  // Without escapes a name is a view and may be longer; skipping never decodes names.
  const std::string huge(4 * kMaxJsonKeyBytes, 'k');
  EXPECT_EQ(dump("{\"" + huge + "\":1}"), "{\"" + huge + "\":1}");
  EXPECT_FALSE(skip_error("{\"\\u0041" + huge + "\":1}"));
}

TEST(JsonReader, ReadStringIsAViewWithoutEscapesAndHonoursItsLimit) {
  alignas(8) std::uint8_t storage[64];
  Arena arena(storage);
  const std::string document = R"(["plain","a\nb","12345","123456"])";
  JsonReader reader(document);
  ASSERT_TRUE(reader.enter_array().ok());
  ASSERT_TRUE(reader.next_element().value());
  Result<std::string_view> plain = reader.read_string(arena, 5, "f");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value().data(), document.data() + 2);
  EXPECT_EQ(arena.used(), 0u);
  ASSERT_TRUE(reader.next_element().value());
  Result<std::string_view> escaped = reader.read_string(arena, 5, "f");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped.value(), "a\nb");
  EXPECT_EQ(arena.used(), 3u);
  ASSERT_TRUE(reader.next_element().value());
  EXPECT_TRUE(reader.read_string(arena, 5, "f").ok());
  ASSERT_TRUE(reader.next_element().value());
  Result<std::string_view> too_long = reader.read_string(arena, 5, "Field");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(error_text(too_long.error()), "aws: json string is too long: Field (at byte 24)");
}

TEST(JsonReader, ReadStringReportsAFullArena) {
  alignas(8) std::uint8_t storage[4];
  Arena arena(storage);
  JsonReader reader(R"("\u00e9\u00e9\u00e9")");
  Result<std::string_view> text = reader.read_string(arena, 100, "Name");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::OutOfMemory);
  EXPECT_STREQ(text.error().detail, "Name");
}

TEST(JsonReader, WrongTypesNameTheField) {
  alignas(8) std::uint8_t storage[64];
  Arena arena(storage);
  JsonReader reader(R"({"a": 5})");
  ASSERT_TRUE(reader.enter_object().ok());
  ASSERT_TRUE(reader.next_key().ok());
  Result<std::string_view> text = reader.read_string(arena, 10, "ReportName");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(error_text(text.error()), "aws: json value has the wrong type: ReportName (at byte 6)");
  JsonReader other("[1]");
  Status status = other.enter_object("Export");
  ASSERT_FALSE(status.ok());
  EXPECT_STREQ(status.error().detail, "Export");
}

TEST(JsonReader, CountElementsLooksAheadWithoutMoving) {
  JsonReader reader(R"({"l": [1, [2, 3], {"x": [4]}, "s"], "n": 1})");
  ASSERT_TRUE(reader.enter_object().ok());
  ASSERT_TRUE(reader.next_key().ok());
  Result<std::size_t> count = reader.count_elements("l");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count.value(), 4u);
  const std::uint64_t offset = reader.offset();
  ASSERT_TRUE(reader.skip_value().ok());
  EXPECT_GT(reader.offset(), offset);
  Result<std::optional<std::string_view>> key = reader.next_key();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key.value(), "n");
  JsonReader not_array(R"({"l": 1})");
  ASSERT_TRUE(not_array.enter_object().ok());
  ASSERT_TRUE(not_array.next_key().ok());
  EXPECT_FALSE(not_array.count_elements("l").ok());
}

TEST(JsonReader, EveryTruncationOfADocumentIsAnError) {
  const std::string document =
      R"({"Accounts": [{"Id": "111111111111", "Name": "caf\u00e9 \ud83d\ude00", "Joined": 1.5e9,)"
      R"( "Ok": true, "No": false, "Nil": null, "Tags": {"a": ["b", -0.25]}}], "NextToken": "x/+="})";
  ASSERT_EQ(dump(document).substr(0, 6), "{\"Acco");
  for (std::size_t size = 0; size < document.size(); ++size) {
    const std::string prefix = document.substr(0, size);
    EXPECT_EQ(dump(prefix).substr(0, 6), "error:") << size;
    std::optional<Error> error = skip_error(prefix);
    ASSERT_TRUE(error) << size;
    EXPECT_EQ(error->code, ErrorCode::InvalidInput);
    EXPECT_LE(error->position, size);
  }
}

// ---- randomized round trip: generated documents with random escapes and whitespace -------------

class Generator {
public:
  explicit Generator(unsigned seed) : m_random(seed) {}

  /// A value as JSON text and its canonical form (see dump()).
  void value(int depth, std::string& text, std::string& canonical) {
    space(text);
    const int kind = pick(depth > 4 ? 4 : 7);
    switch (kind) {
    case 0:
      string(text, canonical);
      break;
    case 1: {
      static const char* const kNumbers[] = {"0", "-1", "3.25", "1e9", "-0.5E-3", "42", "7.0e+1"};
      const char* number = kNumbers[pick(7)];
      text += number;
      canonical += number;
      break;
    }
    case 2:
      text += "true";
      canonical += "true";
      break;
    case 3:
      text += "null";
      canonical += "null";
      break;
    case 4:
    case 5: {
      text += '[';
      canonical += '[';
      const int count = pick(4);
      for (int i = 0; i < count; ++i) {
        if (i > 0) {
          text += ',';
          canonical += ',';
        }
        value(depth + 1, text, canonical);
      }
      space(text);
      text += ']';
      canonical += ']';
      break;
    }
    default: {
      text += '{';
      canonical += '{';
      const int count = pick(4);
      for (int i = 0; i < count; ++i) {
        if (i > 0) {
          text += ',';
          canonical += ',';
        }
        space(text);
        string(text, canonical, 20);
        space(text);
        text += ':';
        canonical += ':';
        value(depth + 1, text, canonical);
      }
      space(text);
      text += '}';
      canonical += '}';
      break;
    }
    }
    space(text);
  }

private:
  int pick(int count) { return std::uniform_int_distribution<int>(0, count - 1)(m_random); }

  void space(std::string& text) {
    static const char kSpaces[] = {' ', '\t', '\n', '\r'};
    while (pick(4) == 0)
      text += kSpaces[pick(4)];
  }

  void string(std::string& text, std::string& canonical, int max_chars = 12) {
    text += '"';
    std::string decoded;
    const int count = pick(max_chars);
    for (int i = 0; i < count; ++i) {
      std::uint32_t code_point = 0;
      switch (pick(5)) {
      case 0:
        code_point = static_cast<std::uint32_t>(pick(0x80));
        break;
      case 1:
        code_point = 0x80 + static_cast<std::uint32_t>(pick(0x800 - 0x80));
        break;
      case 2:
        code_point = 0x800 + static_cast<std::uint32_t>(pick(0xD800 - 0x800));
        break;
      case 3:
        code_point = 0xE000 + static_cast<std::uint32_t>(pick(0x10000 - 0xE000));
        break;
      default:
        code_point = 0x10000 + static_cast<std::uint32_t>(pick(0x110000 - 0x10000));
        break;
      }
      char utf8[4];
      const std::size_t length = encode_utf8(code_point, utf8);
      decoded.append(utf8, length);
      const bool must_escape = code_point < 0x20 || code_point == '"' || code_point == '\\';
      if (!must_escape && pick(2) == 0) {
        text.append(utf8, length);
      } else if (code_point < 0x10000) {
        char escape[8];
        std::snprintf(escape, sizeof escape, pick(2) ? "\\u%04X" : "\\u%04x", code_point);
        text += escape;
      } else {
        const std::uint32_t offset = code_point - 0x10000;
        char escape[16];
        std::snprintf(escape, sizeof escape, "\\u%04x\\u%04X", 0xD800 + (offset >> 10),
                      0xDC00 + (offset & 0x3FF));
        text += escape;
      }
    }
    text += '"';
    canonical += json_quoted(decoded);
  }

  std::mt19937 m_random;
};

TEST(JsonReader, RandomDocumentsRoundTrip) {
  for (unsigned seed = 1; seed <= 400; ++seed) {
    Generator generator(seed);
    std::string text;
    std::string canonical;
    generator.value(0, text, canonical);
    ASSERT_EQ(dump(text), canonical) << "seed " << seed << ": " << text;
    ASSERT_FALSE(skip_error(text)) << "seed " << seed;
  }
}

} // namespace
} // namespace ec
