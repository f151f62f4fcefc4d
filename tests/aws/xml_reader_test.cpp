// tests/aws/xml_reader_test.cpp - XmlReader: events, entity decoding, text reading, every limit
// crossed, malformed and truncated documents refused at the right byte.
#include "core/aws/xml_reader.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace ec {
namespace {

std::string error_text(const Error& error) {
  char text[512];
  format_error(error, text, sizeof text);
  return text;
}

/// Every event as text: <name> </name> T(raw) C(cdata), or "error:<message>@<offset>" at the end.
std::string events(std::string_view document) {
  XmlReader reader(document);
  std::string out;
  for (;;) {
    Result<XmlEvent> event = reader.next();
    if (!event.ok())
      return out + "error:" + event.error().message + "@" + std::to_string(event.error().position);
    switch (event.value()) {
    case XmlEvent::StartElement:
      out += "<" + std::string(reader.name()) + ">";
      break;
    case XmlEvent::EndElement:
      out += "</" + std::string(reader.name()) + ">";
      break;
    case XmlEvent::Text:
      out += (reader.text_form() == XmlTextForm::Cdata ? "C(" : "T(") +
             std::string(reader.raw_text()) + ")";
      break;
    case XmlEvent::EndOfDocument:
      return out;
    }
  }
}

/// The error of reading the whole document (events until EndOfDocument), or nullopt.
std::optional<Error> walk_error(std::string_view document) {
  XmlReader reader(document);
  for (;;) {
    Result<XmlEvent> event = reader.next();
    if (!event.ok())
      return event.error();
    if (event.value() == XmlEvent::EndOfDocument)
      return std::nullopt;
  }
}

/// The text of the first element named `name`, read with read_text, or "error:...".
std::string text_of(std::string_view document, std::string_view name, std::size_t max = 1024) {
  alignas(8) std::uint8_t storage[4096];
  Arena arena(storage);
  XmlReader reader(document);
  for (;;) {
    Result<XmlEvent> event = reader.next();
    if (!event.ok())
      return std::string("error:") + event.error().message;
    if (event.value() == XmlEvent::EndOfDocument)
      return "error:not found";
    if (event.value() == XmlEvent::StartElement && reader.name() == name) {
      Result<std::string_view> text = reader.read_text(arena, max, "field");
      if (!text.ok())
        return "error:" + error_text(text.error());
      return std::string(text.value());
    }
  }
}

constexpr std::string_view kStsShaped =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- a comment -->\n"
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
    "      <Expiration>2024-03-01T12:00:00Z</Expiration>\n"
    "    </Credentials>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

TEST(XmlReader, ReportsElementsTextAndEndInOrder) {
  EXPECT_EQ(events("<a><b>x</b><c/>y</a>"), "<a><b>T(x)</b><c></c>T(y)</a>");
}

TEST(XmlReader, SkipsDeclarationCommentsPisAndAttributes) {
  EXPECT_EQ(events("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c --><r a='1' b = \"2\"><?pi x?>"
                   "<!--<x>--><k xmlns:s=\"u\">v</k></r>\n<!-- end -->\n"),
            "<r><k>T(v)</k></r>");
}

TEST(XmlReader, NamesDropTheirPrefixButEndTagsMatchTheQualifiedName) {
  XmlReader reader("<s3:Key xmlns:s3=\"u\">k</s3:Key>");
  ASSERT_TRUE(reader.next().ok());
  EXPECT_EQ(reader.name(), "Key");
  EXPECT_EQ(reader.qualified_name(), "s3:Key");
  EXPECT_EQ(events("<s3:Key>k</Key>"),
            "<Key>T(k)error:aws: xml end tag does not match its start tag@9");
}

TEST(XmlReader, CdataIsTextThatIsNotDecoded) {
  EXPECT_EQ(events("<a><![CDATA[<b>&amp;]]></a>"), "<a>C(<b>&amp;)</a>");
  EXPECT_EQ(text_of("<a>x<![CDATA[&lt;]]>&lt;<!-- c -->y</a>", "a"), "x&lt;<y");
}

TEST(XmlReader, DecodesThePredefinedEntitiesAndCharacterReferences) {
  EXPECT_EQ(text_of("<a>&amp;&lt;&gt;&quot;&apos;</a>", "a"), "&<>\"'");
  // &#X43; is not XML (the x must be lower case).
  EXPECT_EQ(text_of("<a>&#X43;</a>", "a"),
            "error:aws: xml reference is malformed or unknown (at byte 3)");
  EXPECT_EQ(text_of("<a>&#65;&#x42;&#xe9;&#8364;&#x1F600;&#0000065;</a>", "a"),
            "AB\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
            "A");
}

TEST(XmlReader, RefusesUnknownOrInvalidReferencesAtTheirOffset) {
  const struct {
    std::string_view document;
    std::uint64_t offset;
  } cases[] = {
      {"<a>x&foo;</a>", 4},   {"<a>&amp</a>", 3},       {"<a>&#0;</a>", 3},
      {"<a>&#xD800;</a>", 3}, {"<a>&#x110000;</a>", 3}, {"<a>&#;</a>", 3},
      {"<a>&#x;</a>", 3},     {"<a>&#12a;</a>", 3},     {"<a>a & b</a>", 5},
      {"<a>&#xFFFE;</a>", 3}, {"<a b='&bad;'/>", 6},
  };
  for (const auto& test : cases) {
    std::optional<Error> error = walk_error(test.document);
    ASSERT_TRUE(error) << test.document;
    EXPECT_EQ(error->code, ErrorCode::InvalidInput) << test.document;
    EXPECT_EQ(std::string(error->message), "aws: xml reference is malformed or unknown")
        << test.document;
    EXPECT_EQ(error->where, ErrorWhere::ByteOffset);
    EXPECT_EQ(error->position, test.offset) << test.document;
  }
}

TEST(XmlReader, NormalisesLineEnds) {
  EXPECT_EQ(text_of("<a>1\r\n2\r3\n4</a>", "a"), "1\n2\n3\n4");
  EXPECT_EQ(text_of("<a><![CDATA[1\r\n2]]></a>", "a"), "1\n2");
}

TEST(XmlReader, ReadTextIsAViewIntoTheDocumentWhenNothingNeedsDecoding) {
  const std::string document = "<a><b>plain text</b><c>a&amp;b</c></a>";
  alignas(8) std::uint8_t storage[256];
  Arena arena(storage);
  XmlReader reader(document);
  ASSERT_TRUE(reader.next().ok()); // <a>
  ASSERT_TRUE(reader.next().ok()); // <b>
  Result<std::string_view> plain = reader.read_text(arena, 100, "b");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value(), "plain text");
  EXPECT_EQ(plain.value().data(), document.data() + 6);
  EXPECT_EQ(arena.used(), 0u);
  EXPECT_EQ(reader.depth(), 1u);
  ASSERT_TRUE(reader.next().ok()); // <c>
  Result<std::string_view> decoded = reader.read_text(arena, 100, "c");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), "a&b");
  EXPECT_EQ(arena.used(), 3u);
  Result<XmlEvent> end = reader.next();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end.value(), XmlEvent::EndElement);
  EXPECT_EQ(reader.name(), "a");
}

TEST(XmlReader, ReadTextOfAnEmptyOrSelfClosingElementIsEmpty) {
  EXPECT_EQ(text_of("<r><a></a></r>", "a"), "");
  EXPECT_EQ(text_of("<r><a/></r>", "a"), "");
  EXPECT_EQ(text_of("<r><a  /></r>", "a"), "");
}

TEST(XmlReader, ReadTextRefusesChildElements) {
  EXPECT_EQ(text_of("<r><a>x<b/></a></r>", "a"),
            "error:aws: xml element has child elements where text is expected: field (at byte 7)");
}

TEST(XmlReader, ReadTextLimitIsExactAndNamesTheField) {
  EXPECT_EQ(text_of("<a>12345</a>", "a", 5), "12345");
  EXPECT_EQ(text_of("<a>123456</a>", "a", 5), "error:aws: xml text is too long: field (at byte 0)");
  // The limit counts decoded bytes: five entities are five bytes.
  EXPECT_EQ(text_of("<a>&amp;&amp;&amp;&amp;&amp;</a>", "a", 5), "&&&&&");
}

TEST(XmlReader, ReadTextReportsAFullArena) {
  alignas(8) std::uint8_t storage[8];
  Arena arena(storage);
  XmlReader reader("<a>0123456789&amp;</a>");
  ASSERT_TRUE(reader.next().ok());
  Result<std::string_view> text = reader.read_text(arena, 100, "a");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::OutOfMemory);
  EXPECT_STREQ(text.error().detail, "a");
}

TEST(XmlReader, SkipElementAndCountChildren) {
  XmlReader reader("<r><C><K>1</K></C><x><C/></x><C>2</C><s:C/><D/></r>");
  ASSERT_TRUE(reader.next().ok());
  Result<std::size_t> count = reader.count_children("C");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count.value(), 3u);  // <x><C/></x> is a grandchild
  EXPECT_EQ(reader.depth(), 1u); // the reader did not move
  ASSERT_TRUE(reader.next().ok());
  EXPECT_EQ(reader.name(), "C");
  ASSERT_TRUE(reader.skip_element().ok());
  ASSERT_TRUE(reader.next().ok());
  EXPECT_EQ(reader.name(), "x");
  ASSERT_TRUE(reader.skip_element().ok());
  EXPECT_EQ(reader.depth(), 1u);
}

TEST(XmlReader, RefusesMalformedMarkupAtItsOffset) {
  const struct {
    std::string_view document;
    std::string_view message;
    std::uint64_t offset;
  } cases[] = {
      {"", "aws: xml document ends early", 0},
      {"  \n", "aws: xml document ends early", 3},
      {"<a>", "aws: xml document ends early", 3},
      {"<a></b>", "aws: xml end tag does not match its start tag", 3},
      {"</a>", "aws: xml end tag has no start tag", 0},
      {"<a/><b/>", "aws: xml has a second root element", 4},
      {"x<a/>", "aws: xml has text outside the root element", 0},
      {"<a/>x", "aws: xml has text outside the root element", 4},
      {"<a/><![CDATA[x]]>", "aws: xml has text outside the root element", 4},
      {"<a b=1/>", "aws: xml attribute is malformed", 5},
      {"<a b='1'c='2'/>", "aws: xml start tag is malformed", 8},
      {"<a b='<'/>", "aws: xml attribute is malformed", 6},
      {"<a b/>", "aws: xml attribute is malformed", 4},
      {"<1a/>", "aws: xml name is malformed", 1},
      {"< a/>", "aws: xml name is malformed", 1},
      {"<s3:/>", "aws: xml name is malformed", 1},
      {"<:a/>", "aws: xml name is malformed", 1},
      {"<a b:='1'/>", "aws: xml name is malformed", 3},
      {"<a></a >", "", 0},
      {"<a></ a>", "aws: xml name is malformed", 5},
      {"<a></a x>", "aws: xml end tag is malformed", 7},
      {"<a/ >", "aws: xml start tag is malformed", 2},
      {"<a><!ELEMENT x></a>", "aws: xml markup is malformed", 3},
      {"<a>x\x01y</a>", "aws: xml text has a control character", 4},
      {"<a>\xC3(</a>", "aws: xml text is not utf-8", 3},
      {"<a>\xED\xA0\x80</a>", "aws: xml text is not utf-8", 3},
      {"<a>\xC0\xAF</a>", "aws: xml text is not utf-8", 3},
      {"<a><!-- x </a>", "aws: xml document ends early", 14},
      {"<a><?pi </a>", "aws: xml document ends early", 12},
  };
  for (const auto& test : cases) {
    std::optional<Error> error = walk_error(test.document);
    if (test.message.empty()) {
      EXPECT_FALSE(error) << test.document;
      continue;
    }
    ASSERT_TRUE(error) << test.document;
    EXPECT_EQ(error->code, ErrorCode::InvalidInput) << test.document;
    EXPECT_EQ(std::string(error->message), test.message) << test.document;
    EXPECT_EQ(error->position, test.offset) << test.document;
  }
}

TEST(XmlReader, RefusesADoctypeAsUnsupported) {
  std::optional<Error> error =
      walk_error("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::Unsupported);
  EXPECT_EQ(error->position, 21u);
}

TEST(XmlReader, NestingLimitIsExact) {
  std::string deep;
  for (std::size_t i = 0; i < kMaxXmlDepth; ++i)
    deep += "<e>";
  for (std::size_t i = 0; i < kMaxXmlDepth; ++i)
    deep += "</e>";
  EXPECT_FALSE(walk_error(deep));
  std::optional<Error> error = walk_error("<x>" + deep + "</x>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::LimitExceeded);
  EXPECT_EQ(error->position, 3u * kMaxXmlDepth);
}

TEST(XmlReader, NameLimitIsExact) {
  const std::string longest(kMaxXmlNameBytes, 'n');
  EXPECT_FALSE(walk_error("<" + longest + "/>"));
  std::optional<Error> error = walk_error("<" + longest + "n/>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::LimitExceeded);
  EXPECT_EQ(std::string(error->message), "aws: xml name is too long");
}

TEST(XmlReader, NamesMayHoldUtf8) {
  EXPECT_EQ(events("<\xC3\xBC>x</\xC3\xBC>"), "<\xC3\xBC>T(x)</\xC3\xBC>");
  EXPECT_EQ(events("<a\xC3>"), "error:aws: xml name is not utf-8@2");
}

TEST(XmlReader, EveryTruncationOfADocumentIsAnError) {
  const std::size_t end = kStsShaped.rfind('>') + 1; // what follows the root is only a newline
  for (std::size_t size = 0; size < end; ++size) {
    std::optional<Error> error = walk_error(kStsShaped.substr(0, size));
    ASSERT_TRUE(error) << "prefix of " << size << " bytes was accepted";
    EXPECT_EQ(error->code, ErrorCode::InvalidInput);
    EXPECT_LE(error->position, size);
  }
  EXPECT_FALSE(walk_error(kStsShaped.substr(0, end)));
  EXPECT_FALSE(walk_error(kStsShaped));
}

TEST(XmlReader, KeepsReturningEndOfDocument) {
  XmlReader reader("<a/>");
  for (XmlEvent expected : {XmlEvent::StartElement, XmlEvent::EndElement, XmlEvent::EndOfDocument,
                            XmlEvent::EndOfDocument}) {
    Result<XmlEvent> event = reader.next();
    ASSERT_TRUE(event.ok());
    EXPECT_EQ(event.value(), expected);
  }
}

} // namespace
} // namespace ec
