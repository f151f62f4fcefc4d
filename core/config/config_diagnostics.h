// core/config/config_diagnostics.h - ConfigDiagnostics: every problem of a config file, bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ec {

enum class Severity : std::uint8_t { Error, Warning };

/// One problem. `text` is "file:line: message" without a newline; it points into the caller's
/// buffer given to ConfigDiagnostics and lives as long as that buffer and the diagnostics object.
struct Diagnostic {
  Severity severity = Severity::Error;
  std::uint32_t line = 0; ///< 1-based line in the file; 0 for the file as a whole
  std::string_view text;
};

/// Collects the problems of one load, in the order found, as text in a caller-owned buffer (no
/// heap). At most kMaxEntries are kept, and only as many as the buffer holds; the rest are counted
/// (error_count() and warning_count() count them all) and finish() adds one last line saying how
/// many were not shown. Messages never contain a secret's value: the loader guarantees that.
class ConfigDiagnostics {
public:
  static constexpr std::size_t kMaxEntries = 64;
  /// Bytes of the buffer kept back for the "N more problems not shown" line.
  static constexpr std::size_t kSummaryReserveBytes = 64;
  /// Longest message (after "file:line: ") one add() writes; longer ones are cut.
  static constexpr std::size_t kMaxMessageBytes = 480;

  /// `buffer` receives the text and must outlive this object; 4 KiB shows a typical bad file whole.
  explicit ConfigDiagnostics(std::span<char> buffer) : m_buffer(buffer) {}
  ConfigDiagnostics(const ConfigDiagnostics&) = delete;
  ConfigDiagnostics& operator=(const ConfigDiagnostics&) = delete;

  /// The "file" part of the following diagnostics; the view must live until the next set_file().
  void set_file(std::string_view path) { m_file = path; }

  /// Adds "file:line: <printf of format>". Control bytes in the result become '?'.
  [[gnu::format(printf, 4, 5)]] void add(Severity severity, std::uint32_t line, const char* format,
                                         ...);

  /// Appends the "N more problems not shown" line when some were dropped. Idempotent.
  void finish();

  /// Forgets everything (the buffer is reused).
  void clear();

  [[nodiscard]] std::size_t size() const { return m_count; }
  [[nodiscard]] Diagnostic operator[](std::size_t index) const { return m_entries[index]; }
  [[nodiscard]] std::size_t error_count() const { return m_errors; }
  [[nodiscard]] std::size_t warning_count() const { return m_warnings; }
  [[nodiscard]] std::size_t dropped_count() const { return m_dropped; }
  /// All kept lines, each ending in '\n', ready to print.
  [[nodiscard]] std::string_view text() const { return {m_buffer.data(), m_used}; }

private:
  std::span<char> m_buffer;
  std::size_t m_used = 0;
  std::string_view m_file;
  Diagnostic m_entries[kMaxEntries];
  std::size_t m_count = 0;
  std::size_t m_errors = 0;
  std::size_t m_warnings = 0;
  std::size_t m_dropped = 0;
  bool m_finished = false;
};

} // namespace ec
