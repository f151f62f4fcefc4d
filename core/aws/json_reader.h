// core/aws/json_reader.h - JsonReader: a cursor over one RFC 8259 document, no heap.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ec {

/// Default and largest nesting of objects and arrays (AWS JSON 1.1 responses nest 5 deep).
inline constexpr std::size_t kDefaultJsonDepth = 32;
inline constexpr std::size_t kMaxJsonDepth = 64;
/// Longest member name that needs unescaping (decoded into the reader). A longer escaped name is
/// LimitExceeded; names without escapes are views into the document and have no limit.
inline constexpr std::size_t kMaxJsonKeyBytes = 128;

/// What the next value is, as peek() sees it.
enum class JsonKind : std::uint8_t { Object, Array, String, Number, True, False, Null };

/// Walks one complete JSON text (RFC 8259) held in a caller buffer, value by value, so typed
/// parsers can pick fields by name and skip the rest. The caller drives the structure:
///
///     EC_TRY(reader.enter_object());
///     for (;;) {
///       EC_TRY_ASSIGN(std::optional<std::string_view> key, reader.next_key());
///       if (!key) break;                             // the object closed
///       if (*key == "Name") { EC_TRY_ASSIGN(name, reader.read_string(arena, 128, "Name")); }
///       else EC_TRY(reader.skip_value());
///     }
///     EC_TRY(reader.finish());
///
/// After next_key() returns a key, or next_element() returns true, exactly one value must be read
/// or skipped before the next call on that container; reading a value when none is due, or
/// next_key() inside an array, is a bug (EC_CHECK). Strings are checked for UTF-8 and decoded
/// (every escape, `\uXXXX` surrogate pairs to UTF-8; a lone surrogate is an error); numbers are
/// checked against the grammar and returned as text. Every malformed input is InvalidInput
/// "aws: json ..." at the byte offset where it was found, truncation included; nesting deeper than
/// the reader's depth is LimitExceeded. After an error the reader must not be used again. The
/// reader is a small copyable value (about 0.2 KiB), so a copy can look ahead (count_elements).
class JsonReader {
public:
  /// `max_depth` is at most kMaxJsonDepth (else a bug, EC_CHECK). The document must outlive the
  /// reader and every view it returns.
  explicit JsonReader(std::string_view document, std::size_t max_depth = kDefaultJsonDepth);

  /// The kind of the next value, whitespace skipped; nothing is consumed. InvalidInput when no
  /// value starts there (or the document ended).
  Result<JsonKind> peek();

  /// Consumes `{` (anything else is InvalidInput "aws: json value has the wrong type" with `what`,
  /// a string literal naming the field, as the detail).
  Status enter_object(const char* what = nullptr);
  /// The next member's name, or nullopt when the object closed (its `}` consumed). The name is a
  /// view into the document, or into this reader when it had escapes: valid until the next call
  /// on this reader.
  Result<std::optional<std::string_view>> next_key();

  /// Consumes `[` (anything else is InvalidInput "aws: json value has the wrong type", detail
  /// `what`).
  Status enter_array(const char* what = nullptr);
  /// True when another element follows; false when the array closed (its `]` consumed).
  Result<bool> next_element();

  /// A string value, decoded: a view into the document when it had no escapes, else copied into
  /// `arena`. Another kind is InvalidInput "aws: json value has the wrong type"; more than
  /// `max_bytes` decoded bytes is LimitExceeded "aws: json string is too long"; a full arena is
  /// OutOfMemory. `what` (a string literal naming the field, never its value) is the detail.
  Result<std::string_view> read_string(Arena& arena, std::size_t max_bytes, const char* what);
  /// A number's text exactly as written (grammar checked), e.g. "-1.5e3".
  Result<std::string_view> read_number(const char* what);
  Result<bool> read_bool(const char* what);
  Status read_null(const char* what);
  /// Skips the next value, whatever it is, checking it as usual.
  Status skip_value();

  /// The number of elements of the next value, which must be an array; reads ahead on a copy and
  /// does not move this reader.
  Result<std::size_t> count_elements(const char* what) const;

  /// Call after the root value: only whitespace may follow, else InvalidInput "aws: json has text
  /// after the document".
  Status finish();

  /// Byte offset of the next unread byte (after whitespace skipped by the last call).
  [[nodiscard]] std::uint64_t offset() const { return m_pos; }
  /// Containers open.
  [[nodiscard]] std::size_t depth() const { return m_depth; }

private:
  Error fail(ErrorText message, std::size_t offset) const;
  void skip_space();
  Status begin_value();
  void end_value();
  Status push(bool is_array);
  void pop();
  /// Scans the string at m_pos (a `"`): its raw body, decoded size and whether it has escapes.
  Status scan_string(std::string_view& raw, std::size_t& decoded_size, bool& escaped);
  Status scan_number();
  Status consume_literal(std::string_view literal);
  Error wrong_type(const char* what) const;
  /// next_key() without the decoding when `decode` is false (skip_value needs no names).
  Result<std::optional<std::string_view>> advance_member(bool decode);
  [[nodiscard]] bool top_is_array() const { return (m_array_bits >> (m_depth - 1)) & 1U; }
  [[nodiscard]] bool top_has_members() const { return (m_member_bits >> (m_depth - 1)) & 1U; }

  std::string_view m_document;
  std::size_t m_pos = 0;
  std::size_t m_max_depth;
  std::size_t m_depth = 0;
  std::uint64_t m_array_bits = 0;  ///< bit d-1: the container at depth d is an array
  std::uint64_t m_member_bits = 0; ///< bit d-1: that container has had a member or element
  bool m_value_due = true;         ///< a value must be read next (the root, or after a key)
  char m_key[kMaxJsonKeyBytes]{};
};

/// Writes the decoded form of a string body JsonReader accepted (between the quotes) into `out`,
/// which must hold the decoded size; returns the bytes written. Anything else is a bug (EC_CHECK).
std::size_t decode_json_string(std::string_view raw, char* out);

} // namespace ec
