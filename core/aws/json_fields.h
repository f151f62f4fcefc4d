// core/aws/json_fields.h - Field helpers the typed JSON parsers share (aws_responses, manifest).
#pragma once

#include "core/aws/aws_text.h"
#include "core/aws/json_reader.h"
#include "core/base/arena.h"
#include "core/base/result.h"

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

namespace ec::json_fields {

inline Error invalid_at(ErrorText message, std::uint64_t offset, const char* what) {
  return make_error(ErrorCode::InvalidInput, message)
      .with_detail(what)
      .at(ErrorWhere::ByteOffset, offset);
}

/// InvalidInput "aws: required field is missing" naming `what`, at the enclosing object.
inline Error missing(const char* what, std::uint64_t object_offset) {
  return invalid_at("aws: required field is missing", object_offset, what);
}

/// A string, or "" for null (AWS omits absent fields; a null means the same).
inline Result<std::string_view> text(JsonReader& reader, Arena& arena, std::size_t max_bytes,
                                     const char* what) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind == JsonKind::Null) {
    EC_TRY(reader.read_null(what));
    return std::string_view();
  }
  return reader.read_string(arena, max_bytes, what);
}

/// Calls `visit(key)` for each member of the next value, which must be an object (or null, read
/// as an empty object). `visit` returns Status and must read or skip the member's value; `key`
/// is valid until it does.
template <typename Visit>
Status for_each_member(JsonReader& reader, const char* what, Visit&& visit) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind == JsonKind::Null)
    return reader.read_null(what);
  EC_TRY(reader.enter_object(what));
  for (;;) {
    EC_TRY_ASSIGN(std::optional<std::string_view> key, reader.next_key());
    if (!key)
      return {};
    EC_TRY(visit(*key));
  }
}

/// The next value, an array (or null: empty), as an exact-size array of T in `arena`. Each
/// element is read by `item(T&)`, which returns Status. More than `max_items` elements is
/// LimitExceeded "aws: list has too many items" naming `what`.
template <typename T, typename Item>
Result<std::span<T>> list(JsonReader& reader, Arena& arena, std::size_t max_items, const char* what,
                          Item&& item) {
  EC_TRY_ASSIGN(JsonKind kind, reader.peek());
  if (kind == JsonKind::Null) {
    EC_TRY(reader.read_null(what));
    return std::span<T>();
  }
  const std::uint64_t offset = reader.offset();
  EC_TRY_ASSIGN(std::size_t count, reader.count_elements(what));
  if (count > max_items)
    return make_error(ErrorCode::LimitExceeded, "aws: list has too many items")
        .with_detail(what)
        .at(ErrorWhere::ByteOffset, offset);
  T* items = nullptr;
  if (count > 0) {
    items = arena.allocate_array<T>(count);
    if (!items)
      return make_error(ErrorCode::OutOfMemory, "aws: out of memory for a list")
          .with_detail(what)
          .at(ErrorWhere::ByteOffset, offset);
  }
  EC_TRY(reader.enter_array(what));
  for (std::size_t i = 0;; ++i) {
    EC_TRY_ASSIGN(bool more, reader.next_element());
    if (!more)
      break;
    EC_CHECK(i < count);   // the look-ahead counted the same elements
    EC_TRY(reader.peek()); // so the item sees the offset of its own value
    EC_TRY(item(items[i]));
  }
  return std::span<T>(items, count);
}

/// A list of strings (null elements are read as "").
inline Result<std::span<std::string_view>> text_list(JsonReader& reader, Arena& arena,
                                                     std::size_t max_items, std::size_t max_bytes,
                                                     const char* what) {
  return list<std::string_view>(reader, arena, max_items, what, [&](std::string_view& out) {
    Result<std::string_view> value = text(reader, arena, max_bytes, what);
    if (!value.ok())
      return Status(value.error());
    out = value.value();
    return Status();
  });
}

/// `key` from next_key() made to outlive the reader's next call: kept as is when it points into
/// `document`, else copied into `arena`.
inline Result<std::string_view> keep_key(std::string_view key, std::string_view document,
                                         Arena& arena) {
  const std::less_equal<> before_or_at;
  if (key.empty() || (before_or_at(document.data(), key.data()) &&
                      before_or_at(key.data() + key.size(), document.data() + document.size())))
    return key;
  EC_TRY_ASSIGN(char* copy, arena.try_allocate_array<char>(key.size(), "json member name"));
  for (std::size_t i = 0; i < key.size(); ++i)
    copy[i] = key[i];
  return std::string_view(copy, key.size());
}

} // namespace ec::json_fields
