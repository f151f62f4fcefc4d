// firmware/runtime.h - Runtime: the clock, the log and the random source every command that
// talks to the network runs with, from platform/.
#pragma once

#include "core/base/log.h"
#include "core/base/random_source.h"
#include "platform/stderr_log.h"
#include "platform/system_clock.h"

namespace ec::firmware {

struct Runtime {
  explicit Runtime(LogLevel level) : log(level), random(platform::random_seed()) {}
  platform::SystemClock clock;
  platform::StderrLog log;
  SplitMix64 random; ///< retry jitter; seeded differently in every process
};

} // namespace ec::firmware
