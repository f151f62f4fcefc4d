// core/base/random_source.h - RandomSource: where jitter and seeds come from, and SplitMix64.
#pragma once

#include <cstdint>

namespace ec {

/// Where the jitter comes from. The caller supplies it so tests are deterministic.
class RandomSource {
public:
  /// Any 32-bit value, uniformly distributed.
  virtual std::uint32_t next_u32() = 0;

protected:
  ~RandomSource() = default;
};

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, good enough for jitter; not for secrets.
/// Seed it per process from something that differs between appliances (boot time, a MAC address)
/// so a fleet restarted together does not retry in step.
class SplitMix64 final : public RandomSource {
public:
  explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
  std::uint32_t next_u32() override;

private:
  std::uint64_t m_state;
};

} // namespace ec
