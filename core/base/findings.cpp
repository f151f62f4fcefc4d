// core/base/findings.cpp - Findings: the bounded list, cut on UTF-8 boundaries.
#include "core/base/findings.h"

#include "core/base/result.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ec {

void Findings::add(FindingLevel level, const char* format, ...) {
  if (m_size == kMaxFindings) {
    ++m_dropped;
    return;
  }
  Finding& finding = m_items[m_size];
  va_list arguments;
  va_start(arguments, format);
  int length = std::vsnprintf(finding.text, sizeof finding.text, format, arguments);
  va_end(arguments);
  std::size_t size = length > 0 ? static_cast<std::size_t>(length) : 0;
  if (size >= sizeof finding.text) {
    size = sizeof finding.text - 1;
    // Cut on a UTF-8 character boundary, then mark the cut.
    size -= 3;
    while (size > 0 && (static_cast<unsigned char>(finding.text[size]) & 0xC0) == 0x80)
      --size;
    std::memcpy(finding.text + size, "...", 3);
    size += 3;
  }
  for (std::size_t i = 0; i < size; ++i) {
    auto byte = static_cast<unsigned char>(finding.text[i]);
    if (byte < 0x20 || byte == 0x7f)
      finding.text[i] = '?';
  }
  finding.level = level;
  finding.size = size;
  ++m_size;
}

void Findings::clear() {
  m_size = 0;
  m_dropped = 0;
}

const Finding& Findings::operator[](std::size_t index) const {
  EC_CHECK(index < m_size);
  return m_items[index];
}

std::size_t Findings::count(FindingLevel level) const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < m_size; ++i)
    total += m_items[i].level == level ? 1 : 0;
  return total;
}

} // namespace ec
