// core/base/secure_wipe.h - secure_wipe: the one way edgecur erases secrets (keys, tokens, the
// Authorization line, a proxy password) from memory that stays around.
#pragma once

#include <cstddef>

namespace ec {

/// Overwrites `size` bytes at `data` with zeros through a volatile pointer, so the compiler may
/// not drop the stores (a plain memset of a buffer that is dead afterwards may be optimised away).
inline void secure_wipe(void* data, std::size_t size) {
  volatile unsigned char* bytes = static_cast<volatile unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = 0;
}

} // namespace ec
