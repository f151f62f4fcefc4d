// core/base/arena.cpp - Arena allocation.
#include "core/base/arena.h"

#include "core/base/secure_wipe.h"

#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define EC_POISON(address, size) ASAN_POISON_MEMORY_REGION(address, size)
#define EC_UNPOISON(address, size) ASAN_UNPOISON_MEMORY_REGION(address, size)
#else
#define EC_POISON(address, size) static_cast<void>(0)
#define EC_UNPOISON(address, size) static_cast<void>(0)
#endif

namespace ec {

Arena::Arena(MutableBytes storage) : m_base(storage.data()), m_capacity(storage.size()) {
  EC_POISON(m_base, m_capacity);
}

Arena::~Arena() {
  EC_UNPOISON(m_base, m_capacity);
}

void Arena::rewind(Mark mark) {
  if (mark.offset > m_used)
    return;
  EC_POISON(m_base + mark.offset, m_used - mark.offset);
  m_used = mark.offset;
}

void* Arena::keep_only(Mark mark, const void* data, std::size_t size) {
  std::uint8_t* kept = m_base + mark.offset;
  const auto* from = static_cast<const std::uint8_t*>(data);
  EC_CHECK(mark.offset <= m_used && size <= m_used - mark.offset);
  EC_CHECK(size == 0 || (from >= kept && from + size <= m_base + m_used));
  if (size > 0)
    std::memmove(kept, from, size); // both in the part still handed out: nothing poisoned yet
  rewind(Mark{mark.offset + size});
  return kept;
}

void Arena::reset_wiping() {
  EC_UNPOISON(m_base, m_high_water);
  secure_wipe(m_base, m_high_water);
  EC_POISON(m_base, m_high_water);
  m_used = 0;
}

void* Arena::allocate(std::size_t size, std::size_t alignment) {
  EC_CHECK(alignment != 0 && (alignment & (alignment - 1)) == 0);
  if (m_fail_countdown == 0)
    return nullptr;
  std::uintptr_t base = reinterpret_cast<std::uintptr_t>(m_base);
  std::uintptr_t cursor = base + m_used;
  std::uintptr_t aligned =
      (cursor + (alignment - 1)) & ~(static_cast<std::uintptr_t>(alignment) - 1);
  std::size_t padding = static_cast<std::size_t>(aligned - cursor);
  if (padding > m_capacity - m_used || size > m_capacity - m_used - padding)
    return nullptr;
  if (m_fail_countdown > 0)
    --m_fail_countdown;
  m_used += padding + size;
  EC_UNPOISON(reinterpret_cast<void*>(aligned), size);
  if (m_used > m_high_water)
    m_high_water = m_used;
  ++m_allocations;
  return reinterpret_cast<void*>(aligned);
}

} // namespace ec
