// core/base/clock.h - Clock: the device's time and waiting, as the network code needs them.
#pragma once

#include "core/base/timestamp.h"

#include <cstdint>

namespace ec {

/// The firmware's is platform-backed; tests use a fake that moves only when told.
class Clock {
public:
  /// The device's wall clock, uncorrected (it may be wrong by hours: see ClockOffset).
  virtual UnixSeconds wall_seconds() = 0;
  /// A clock that never jumps, for timeouts and progress.
  virtual std::uint64_t monotonic_ms() = 0;
  /// Waits `ms` milliseconds (the retry loop's backoff).
  virtual void pause_ms(std::uint32_t ms) = 0;

protected:
  ~Clock() = default;
};

} // namespace ec
