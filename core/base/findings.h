// core/base/findings.h - Findings: a bounded list of things wrong with a setup, each in plain words
// for a field technician (what is wrong and what to change). No heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ec {

enum class FindingLevel : std::uint8_t {
  Warning, ///< edgecur can work, but the totals or the delivery are not what the user expects
  Error,   ///< edgecur cannot read this report as it is set up
};

inline constexpr std::size_t kMaxFindings = 16;
/// Longest finding text; a longer one is cut and ends in "...".
inline constexpr std::size_t kMaxFindingTextBytes = 512;

/// One thing wrong with a connection's report, in plain words for a field technician: what is
/// wrong and what to change ("report my-cur has TimeUnit DAILY: ...; in the AWS Billing console
/// set the report's time granularity to Hourly"). Never holds a secret.
struct Finding {
  FindingLevel level = FindingLevel::Warning;
  char text[kMaxFindingTextBytes];
  std::size_t size = 0;
  [[nodiscard]] std::string_view view() const { return {text, size}; }
};

/// A fixed list of findings (about 8 KiB: keep it in a long-lived object or the caller's frame,
/// not deep in a small stack). No heap.
class Findings {
public:
  Findings() = default;
  Findings(const Findings&) = delete;
  Findings& operator=(const Findings&) = delete;

  /// Adds the printf of `format`. The text is cut at kMaxFindingTextBytes (ending "...") and its
  /// control bytes become '?', so text from AWS (names, messages) cannot break a log line. Past
  /// kMaxFindings the finding is only counted in dropped().
  [[gnu::format(printf, 3, 4)]] void add(FindingLevel level, const char* format, ...);
  void clear();

  [[nodiscard]] std::size_t size() const { return m_size; }
  [[nodiscard]] const Finding& operator[](std::size_t index) const;
  [[nodiscard]] std::size_t count(FindingLevel level) const;
  [[nodiscard]] bool has_errors() const { return count(FindingLevel::Error) > 0; }
  /// Findings added after the list was full.
  [[nodiscard]] std::size_t dropped() const { return m_dropped; }

private:
  Finding m_items[kMaxFindings];
  std::size_t m_size = 0;
  std::size_t m_dropped = 0;
};

} // namespace ec
