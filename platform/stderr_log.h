// platform/stderr_log.h - StderrLog: core's Log port as one line per event on stderr.
#pragma once

#include "core/base/log.h"

#include <string_view>

namespace ec::platform {

/// "edgecur: warn: <line>" on stderr for lines at or above `level` (the INI's [log] level).
class StderrLog final : public Log {
public:
  explicit StderrLog(LogLevel level) : m_level(level) {}
  void write(LogLevel level, std::string_view line) override;

private:
  LogLevel m_level;
};

} // namespace ec::platform
