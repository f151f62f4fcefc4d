// core/base/byte_size_text.h - A byte count as people read it ("512 B", "1.5 MiB"), for messages.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ec {

/// Writes "N B" below 1 KiB, else one decimal and the binary unit ("16.0 KiB", "1.5 MiB"), into
/// `out` (always terminated). Returns the length written.
std::size_t format_byte_size(std::uint64_t bytes, char* out, std::size_t out_size);

} // namespace ec
