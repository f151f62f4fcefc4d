// platform/posix/eintr.h - System calls interrupted by a signal (EINTR) are repeated: the one place
// that rule lives for the POSIX files.
#pragma once

#include <cerrno>
#include <cstdint>
#include <ctime>

namespace ec::platform {

/// Calls `call` (returning -1 and setting errno on failure, like read(2) or flock(2)) again for as
/// long as it fails with EINTR; returns its last result.
template <typename Call> auto retry_on_eintr(Call call) {
  auto result = call();
  while (result < 0 && errno == EINTR)
    result = call();
  return result;
}

/// Sleeps `milliseconds`, resuming with the time left after a signal.
inline void sleep_ms(std::uint32_t milliseconds) {
  timespec left{static_cast<time_t>(milliseconds / 1000),
                static_cast<long>(milliseconds % 1000) * 1'000'000L};
  retry_on_eintr([&] { return ::nanosleep(&left, &left); });
}

} // namespace ec::platform
