// core/base/byte_size_text.cpp - format_byte_size.
#include "core/base/byte_size_text.h"

#include <cstdio>

namespace ec {

std::size_t format_byte_size(std::uint64_t bytes, char* out, std::size_t out_size) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes); // display only, never money
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  int size = std::snprintf(out, out_size, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  if (size < 0 || out_size == 0)
    return 0;
  return static_cast<std::size_t>(size) < out_size ? static_cast<std::size_t>(size) : out_size - 1;
}

} // namespace ec
