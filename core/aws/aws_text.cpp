// core/aws/aws_text.cpp - UTF-8 checks, decimal parsing and percent-decoding for the AWS readers.
#include "core/aws/aws_text.h"

#include "core/base/ascii.h"

namespace ec {

std::size_t utf8_sequence_length(std::string_view text) {
  if (text.empty())
    return 0;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80)
    return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80; // allowed range of the second byte (RFC 3629 table)
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0)
      low = 0xA0; // no overlong forms
    else if (lead == 0xED)
      high = 0x9F; // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0)
      low = 0x90;
    else if (lead == 0xF4)
      high = 0x8F; // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length)
    return 0;
  if (byte(1) < low || byte(1) > high)
    return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF)
      return 0;
  return length;
}

std::size_t encode_utf8(std::uint32_t code_point, char* out) {
  EC_CHECK(code_point <= 0x10FFFF && (code_point < 0xD800 || code_point > 0xDFFF));
  const auto put = [&](std::size_t i, std::uint32_t value) {
    out[i] = static_cast<char>(static_cast<std::uint8_t>(value));
  };
  if (code_point < 0x80) {
    put(0, code_point);
    return 1;
  }
  if (code_point < 0x800) {
    put(0, 0xC0 | (code_point >> 6));
    put(1, 0x80 | (code_point & 0x3F));
    return 2;
  }
  if (code_point < 0x10000) {
    put(0, 0xE0 | (code_point >> 12));
    put(1, 0x80 | ((code_point >> 6) & 0x3F));
    put(2, 0x80 | (code_point & 0x3F));
    return 3;
  }
  put(0, 0xF0 | (code_point >> 18));
  put(1, 0x80 | ((code_point >> 12) & 0x3F));
  put(2, 0x80 | ((code_point >> 6) & 0x3F));
  put(3, 0x80 | (code_point & 0x3F));
  return 4;
}

Result<std::uint64_t> parse_decimal_u64(std::string_view text) {
  if (text.empty())
    return make_error(ErrorCode::InvalidInput, "aws: number is malformed");
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return make_error(ErrorCode::InvalidInput, "aws: number is malformed");
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10)
      return make_error(ErrorCode::Overflow, "aws: number is too large");
    value = value * 10 + digit;
  }
  return value;
}

namespace {} // namespace

Result<std::string_view> percent_decode_plus(std::string_view text, Arena& arena) {
  std::size_t decoded_size = 0;
  bool changes = false;
  for (std::size_t i = 0; i < text.size(); ++i, ++decoded_size) {
    if (text[i] == '+') {
      changes = true;
    } else if (text[i] == '%') {
      if (text.size() - i < 3 || hex_digit_value(text[i + 1]) < 0 ||
          hex_digit_value(text[i + 2]) < 0)
        return make_error(ErrorCode::InvalidInput, "aws: percent-encoding is malformed");
      changes = true;
      i += 2;
    }
  }
  if (!changes)
    return text;
  EC_TRY_ASSIGN(char* out, arena.try_allocate_array<char>(decoded_size, "percent-decoded text"));
  std::size_t size = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out[size++] = ' ';
    } else if (text[i] == '%') {
      out[size++] =
          static_cast<char>((hex_digit_value(text[i + 1]) << 4) | hex_digit_value(text[i + 2]));
      i += 2;
    } else {
      out[size++] = text[i];
    }
  }
  return std::string_view(out, size);
}

} // namespace ec
