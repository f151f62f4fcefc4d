// platform/system_clock.h - The device's clocks, and SystemClock: them as core's Clock port.
#pragma once

#include "core/base/clock.h"
#include "core/base/timestamp.h"

#include <cstdint>

namespace ec::platform {

/// Seconds since the epoch from the wall clock (may be wrong on a device).
UnixSeconds wall_clock_seconds();
/// Milliseconds from a clock that never jumps.
std::uint64_t monotonic_ms();
/// Waits `ms` milliseconds (the retry loop's backoff), resuming after signals.
void pause_ms(std::uint32_t ms);

class SystemClock final : public Clock {
public:
  UnixSeconds wall_seconds() override { return wall_clock_seconds(); }
  std::uint64_t monotonic_ms() override { return platform::monotonic_ms(); }
  void pause_ms(std::uint32_t ms) override { platform::pause_ms(ms); }
};

/// A seed for SplitMix64 that differs between processes and between appliances started together:
/// the kernel's random bytes (getrandom), else the time, the monotonic clock and the pid mixed.
std::uint64_t random_seed();

} // namespace ec::platform
