// core/base/log.h - Log: where core code reports what it did (retries, clock offsets, skips).
#pragma once

#include <cstdint>
#include <string_view>

namespace ec {

enum class LogLevel : std::uint8_t { Error, Warn, Info, Debug };

/// One line per call, without a trailing newline. Nothing passed here may hold a secret (access
/// keys' secrets, session tokens, external ids, proxy passwords): callers never pass them.
class Log {
public:
  virtual void write(LogLevel level, std::string_view line) = 0;

protected:
  ~Log() = default;
};

/// Drops everything (tests, and code that runs before the firmware's log exists).
class NullLog final : public Log {
public:
  void write(LogLevel, std::string_view) override {}
};

} // namespace ec
