// core/config/config_diagnostics.cpp - Formatting diagnostics into the caller's buffer.
#include "core/config/config_diagnostics.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ec {

void ConfigDiagnostics::add(Severity severity, std::uint32_t line, const char* format, ...) {
  switch (severity) {
  case Severity::Error:
    ++m_errors;
    break;
  case Severity::Warning:
    ++m_warnings;
    break;
  }
  char message[kMaxMessageBytes + 1];
  va_list arguments;
  va_start(arguments, format);
  int length = std::vsnprintf(message, sizeof message, format, arguments);
  va_end(arguments);
  if (length < 0)
    length = 0;
  std::size_t message_length = static_cast<std::size_t>(length) < sizeof message
                                   ? static_cast<std::size_t>(length)
                                   : sizeof message - 1;
  char prefix[32];
  int prefix_length =
      std::snprintf(prefix, sizeof prefix, ":%lu: ", static_cast<unsigned long>(line));
  std::size_t prefix_size = prefix_length > 0 ? static_cast<std::size_t>(prefix_length) : 0;

  std::size_t needed = m_file.size() + prefix_size + message_length + 1; // + '\n'
  std::size_t reserve = kSummaryReserveBytes < m_buffer.size() ? kSummaryReserveBytes : 0;
  if (m_finished || m_count == kMaxEntries || needed > m_buffer.size() - reserve - m_used) {
    ++m_dropped;
    return;
  }
  char* start = m_buffer.data() + m_used;
  char* cursor = start;
  std::memcpy(cursor, m_file.data(), m_file.size());
  cursor += m_file.size();
  std::memcpy(cursor, prefix, prefix_size);
  cursor += prefix_size;
  for (std::size_t i = 0; i < message_length; ++i) {
    auto byte = static_cast<unsigned char>(message[i]);
    *cursor++ = byte < 0x20 || byte == 0x7f ? '?' : message[i];
  }
  for (char* at = start; at < start + m_file.size(); ++at) // a path with a newline stays one line
    if (static_cast<unsigned char>(*at) < 0x20)
      *at = '?';
  auto text_length = static_cast<std::size_t>(cursor - start);
  *cursor = '\n';
  m_used += text_length + 1;
  m_entries[m_count++] = Diagnostic{severity, line, std::string_view(start, text_length)};
}

void ConfigDiagnostics::finish() {
  if (m_finished)
    return;
  m_finished = true;
  if (m_dropped == 0)
    return;
  char line[kSummaryReserveBytes];
  int length = std::snprintf(line, sizeof line, "config: %lu more problems not shown\n",
                             static_cast<unsigned long>(m_dropped));
  if (length <= 0)
    return;
  std::size_t size = static_cast<std::size_t>(length) < sizeof line
                         ? static_cast<std::size_t>(length)
                         : sizeof line - 1;
  if (size > m_buffer.size() - m_used)
    return;
  std::memcpy(m_buffer.data() + m_used, line, size);
  m_used += size;
}

void ConfigDiagnostics::clear() {
  m_used = 0;
  m_count = 0;
  m_errors = 0;
  m_warnings = 0;
  m_dropped = 0;
  m_finished = false;
}

} // namespace ec
