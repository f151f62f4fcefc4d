// core/base/arena.cpp - Arena allocation.
#include "core/base/arena.h"

namespace ec {

void* Arena::allocate(std::size_t size, std::size_t alignment) {
  EC_CHECK(alignment != 0 && (alignment & (alignment - 1)) == 0);
  if (m_fail_countdown == 0)
    return nullptr;
  std::uintptr_t base = reinterpret_cast<std::uintptr_t>(m_base);
  std::uintptr_t cursor = base + m_used;
  std::uintptr_t aligned = (cursor + (alignment - 1)) & ~(static_cast<std::uintptr_t>(alignment) - 1);
  std::size_t padding = static_cast<std::size_t>(aligned - cursor);
  if (padding > m_capacity - m_used || size > m_capacity - m_used - padding)
    return nullptr;
  if (m_fail_countdown > 0)
    --m_fail_countdown;
  m_used += padding + size;
  if (m_used > m_high_water)
    m_high_water = m_used;
  ++m_allocations;
  return reinterpret_cast<void*>(aligned);
}

} // namespace ec
