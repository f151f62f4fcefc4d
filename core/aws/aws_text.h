// core/aws/aws_text.h - Byte-level helpers of the AWS readers: UTF-8, decimals, percent-decoding.
#pragma once

#include "core/base/arena.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace ec {

/// Length (1-4) of the well-formed UTF-8 sequence at the start of `text`, or 0 when it is not one
/// (a stray continuation byte, an overlong form, a surrogate, above U+10FFFF, or cut short).
/// An empty `text` gives 0.
std::size_t utf8_sequence_length(std::string_view text);

/// Writes `code_point` (a Unicode scalar value: not a surrogate, at most U+10FFFF; anything else
/// is a bug, EC_CHECK) as UTF-8 into `out`, which must hold 4 bytes. Returns the bytes written.
std::size_t encode_utf8(std::uint32_t code_point, char* out);

/// Parses a plain unsigned decimal ("0", "1234"): digits only, no sign, no spaces; leading zeros
/// are accepted. Empty text or another character is InvalidInput "aws: number is malformed"; a
/// value above 2^64-1 is Overflow "aws: number is too large". No position is attached.
Result<std::uint64_t> parse_decimal_u64(std::string_view text);

/// Decodes S3's `encoding-type=url` form (what botocore's unquote_plus undoes): `%XX` (either hex
/// case) becomes the byte, `+` becomes a space. Text without `%` or `+` is returned as the same
/// view; otherwise the result is in `arena`. A `%` not followed by two hex digits is
/// InvalidInput "aws: percent-encoding is malformed" (no position); OutOfMemory when the arena is
/// full. The decoded bytes are not checked for UTF-8.
Result<std::string_view> percent_decode_plus(std::string_view text, Arena& arena);

/// True for the JSON/XML insignificant whitespace bytes: space, tab, LF, CR.
[[nodiscard]] constexpr bool is_space_byte(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace ec

/// `EC_TRY_SET(target, expression)`: assigns the value of a Result to an existing lvalue, or
/// returns its error from the enclosing function (EC_TRY_ASSIGN for fields of a struct).
#ifndef EC_TRY_SET
#define EC_TRY_SET(target, expression)                                                             \
  do {                                                                                             \
    auto&& ec_try_set_ = (expression);                                                             \
    if (__builtin_expect(!ec_try_set_.ok(), 0))                                                    \
      return ec_try_set_.error();                                                                  \
    (target) = std::move(ec_try_set_.value());                                                     \
  } while (0)
#endif
