// core/base/bytes.h - Byte views passed by value; a view handed to a callback lives for the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

inline Bytes as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
inline std::string_view as_text(Bytes bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace ec
