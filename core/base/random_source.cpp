// core/base/random_source.cpp - SplitMix64.
#include "core/base/random_source.h"

namespace ec {

std::uint32_t SplitMix64::next_u32() {
  m_state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = m_state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<std::uint32_t>(z >> 32);
}

} // namespace ec
