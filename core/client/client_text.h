// core/client/client_text.h - Small text helpers shared by the client's .cpp files (numbers into a
// TextBuilder), so none of them needs the C library's formatting.
#pragma once

#include "core/base/text_builder.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec::client_text {

/// Appends `value` in decimal.
inline void append_decimal(TextBuilder& out, std::uint64_t value) {
  char digits[20];
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0)
    out.append(digits[--count]);
}

} // namespace ec::client_text
