// platform/posix/stderr_log.cpp - StderrLog.
#include "platform/stderr_log.h"

#include <cstdio>

namespace ec::platform {

void StderrLog::write(LogLevel level, std::string_view line) {
  if (static_cast<int>(level) > static_cast<int>(m_level))
    return;
  static const char* const kNames[] = {"error", "warn", "info", "debug"};
  std::fprintf(stderr, "edgecur: %s: %.*s\n", kNames[static_cast<int>(level)],
               static_cast<int>(line.size()), line.data());
}

} // namespace ec::platform
