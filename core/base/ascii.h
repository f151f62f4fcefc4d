// core/base/ascii.h - ASCII text helpers, the one home for them: letter case (header names, HTTP
// dates, INI values, URL schemes and host names compare without regard to case, never by locale)
// and trimming blanks.
#pragma once

#include <cstddef>
#include <string_view>

namespace ec {

/// 'A'-'Z' to 'a'-'z'; every other byte unchanged.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// 'a'-'z', 'A'-'Z' or '0'-'9' (never by locale).
constexpr bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Space, tab, CR, LF, VT or FF.
constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/// True when `a` and `b` are equal without regard to ASCII case.
constexpr bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i]))
      return false;
  return true;
}

/// True when `text` starts with `prefix` without regard to ASCII case.
constexpr bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

/// <0, 0 or >0 as `a` sorts before, with or after `b` once both are lower-cased (bytes unsigned).
constexpr int compare_ignoring_case(std::string_view a, std::string_view b) {
  std::size_t common = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < common; ++i) {
    auto left = static_cast<unsigned char>(ascii_lower(a[i]));
    auto right = static_cast<unsigned char>(ascii_lower(b[i]));
    if (left != right)
      return left < right ? -1 : 1;
  }
  if (a.size() == b.size())
    return 0;
  return a.size() < b.size() ? -1 : 1;
}

/// The value of a hex digit (either case), or -1.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// `text` without leading and trailing bytes found in `blanks` (by default space and tab; an
/// HTTP header value or a credentials file line also drops CR/LF).
constexpr std::string_view trim_ascii(std::string_view text, std::string_view blanks = " \t") {
  while (!text.empty() && blanks.find(text.front()) != std::string_view::npos)
    text.remove_prefix(1);
  while (!text.empty() && blanks.find(text.back()) != std::string_view::npos)
    text.remove_suffix(1);
  return text;
}

} // namespace ec
