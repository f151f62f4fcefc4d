// platform/posix/system_clock.cpp - clock_gettime, the EINTR-safe sleep and the process's seed.
#include "platform/system_clock.h"

#include "platform/posix/eintr.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

namespace ec::platform {

UnixSeconds wall_clock_seconds() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<UnixSeconds>(now.tv_sec);
}

std::uint64_t monotonic_ms() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000000u;
}

void pause_ms(std::uint32_t ms) {
  sleep_ms(ms);
}

std::uint64_t random_seed() {
  std::uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed))
    return seed;
  // Early boot without entropy yet: what differs between two processes and two boards.
  return static_cast<std::uint64_t>(wall_clock_seconds()) * std::uint64_t{0x9E3779B97F4A7C15} ^
         (static_cast<std::uint64_t>(getpid()) << 32) ^ monotonic_ms();
}

} // namespace ec::platform
