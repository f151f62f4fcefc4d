// firmware/system_clock.h - The platform's clock and the stderr log, as core's Clock and Log.
#pragma once

#include "core/base/log.h"
#include "core/net/clock.h"
#include "platform/http_client.h"
#include "platform/output.h"

#include <cstdio>

namespace ec::firmware {

class SystemClock final : public Clock {
public:
  UnixSeconds wall_seconds() override { return platform::wall_clock_seconds(); }
  std::uint64_t monotonic_ms() override { return platform::monotonic_ms(); }
  void pause_ms(std::uint32_t ms) override { platform::pause_ms(ms); }
};

/// "edgecur: warn: <line>" on stderr for lines at or above the INI's [log] level.
class StderrLog final : public Log {
public:
  explicit StderrLog(LogLevel level) : m_level(level) {}
  void write(LogLevel level, std::string_view line) override {
    if (static_cast<int>(level) > static_cast<int>(m_level))
      return;
    static const char* const kNames[] = {"error", "warn", "info", "debug"};
    std::fprintf(stderr, "edgecur: %s: %.*s\n", kNames[static_cast<int>(level)],
                 static_cast<int>(line.size()), line.data());
  }

private:
  LogLevel m_level;
};

} // namespace ec::firmware
