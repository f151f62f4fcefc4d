// core/aws/xml_reader.h - XmlReader: a pull reader for the XML AWS sends (STS, S3), no heap.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

/// Most elements open at once; AWS responses nest 5 deep. Deeper is LimitExceeded.
inline constexpr std::size_t kMaxXmlDepth = 32;
/// Longest element or attribute name, prefix included. Longer is LimitExceeded.
inline constexpr std::size_t kMaxXmlNameBytes = 256;

enum class XmlEvent : std::uint8_t {
  StartElement, ///< `<name ...>` or `<name/>` (which is followed by its EndElement)
  EndElement,   ///< `</name>`, or the implied end of `<name/>`
  Text,         ///< a run of character data, or one CDATA section, inside the root element
  EndOfDocument ///< the root element closed and only whitespace, comments or PIs followed
};

/// Whether a Text event's raw_text() still holds entity and character references.
enum class XmlTextForm : std::uint8_t { Escaped, Cdata };

/// Reads one complete, well-formed XML document held in a caller buffer, event by event, the way
/// AWS query and REST-XML responses are written: an optional BOM and XML declaration, comments and
/// processing instructions (skipped), one root element, elements, text with the five predefined
/// entities and numeric character references, CDATA sections. Attributes (namespace declarations
/// included) are checked for syntax and skipped. A DOCTYPE is Unsupported (no entity expansion).
/// Text is checked when its event is produced: well-formed UTF-8, no control characters other
/// than tab/CR/LF, no unknown or malformed entity. Names keep their prefix (qualified_name()) and
/// are also available without it (name()).
///
/// Every malformed input is InvalidInput "aws: xml ..." positioned at the byte offset where it was
/// found (ErrorWhere::ByteOffset), a document that ends early included; after an error the reader
/// must not be used again. The reader is a small copyable value (about 0.6 KiB), so a copy can look
/// ahead (count_children). Every view it returns points into the document, which must outlive it,
/// or into the arena given to read_text.
class XmlReader {
public:
  explicit XmlReader(std::string_view document) : m_document(document) {}

  /// The next event. After EndOfDocument it keeps returning EndOfDocument.
  Result<XmlEvent> next();

  /// StartElement/EndElement: the name without its namespace prefix (`s3:Key` -> `Key`).
  [[nodiscard]] std::string_view name() const;
  /// StartElement/EndElement: the name as written.
  [[nodiscard]] std::string_view qualified_name() const { return m_name; }
  /// Text: the raw bytes, references not yet decoded (Escaped) or a CDATA section's content.
  [[nodiscard]] std::string_view raw_text() const { return m_text; }
  [[nodiscard]] XmlTextForm text_form() const { return m_text_form; }
  /// Elements open after the current event: a StartElement counts itself, an EndElement not.
  [[nodiscard]] std::size_t depth() const { return m_depth; }
  /// Byte offset where the current event starts (its `<`, or the first byte of the text).
  [[nodiscard]] std::uint64_t event_offset() const { return m_event_offset; }

  /// Call right after a StartElement: reads the element's whole text content (text runs and CDATA
  /// sections concatenated, references decoded, CR LF and lone CR turned into LF) and consumes
  /// its end tag. The result is a view into the document when it is a single run that needs no
  /// decoding, else it is copied into `arena`. A child element is InvalidInput "aws: xml element
  /// has child elements where text is expected"; more than `max_bytes` decoded bytes is
  /// LimitExceeded "aws: xml text is too long"; a full arena is OutOfMemory. `what` (a string
  /// literal naming the field, never its value) is the detail of these errors.
  Result<std::string_view> read_text(Arena& arena, std::size_t max_bytes, const char* what);

  /// Call right after a StartElement: skips the element with everything inside it, its end tag
  /// included. Everything skipped is checked as usual.
  Status skip_element();

  /// Call right after a StartElement: how many direct children named `local_name` (without
  /// prefix) the element has. Reads ahead on a copy; this reader does not move. Errors are those
  /// of next() for the element's content.
  Result<std::size_t> count_children(std::string_view local_name) const;

private:
  Error fail(ErrorText message, std::size_t offset) const;
  Error fail_limit(ErrorText message, std::size_t offset) const;
  Result<std::string_view> scan_name();
  Status skip_attributes(bool& self_closing);
  Status scan_text(std::size_t begin, std::size_t end, XmlTextForm form);
  bool at(std::string_view literal) const;

  std::string_view m_document;
  std::size_t m_pos = 0;
  std::string_view m_open[kMaxXmlDepth];
  std::size_t m_depth = 0;
  bool m_root_seen = false;
  bool m_finished = false;
  bool m_pending_end = false; ///< `<name/>` was reported as StartElement; its end comes next

  XmlEvent m_event = XmlEvent::EndOfDocument;
  std::string_view m_name;
  std::string_view m_text;
  XmlTextForm m_text_form = XmlTextForm::Escaped;
  std::size_t m_event_offset = 0;
  std::size_t m_text_decoded_bytes = 0; ///< size of m_text once decoded
  bool m_text_needs_copy = false;       ///< m_text has a reference or a CR
};

/// Decodes XML character data as XmlReader::read_text does: `form` Escaped decodes references,
/// Cdata does not; both normalise line ends. `out` receives the result and must hold at least as
/// many bytes as the decoded text (never more than raw.size()). Returns the bytes written. `raw`
/// must be text XmlReader already accepted (anything else is a bug, EC_CHECK).
std::size_t decode_xml_text(std::string_view raw, XmlTextForm form, char* out);

} // namespace ec
