// core/base/text_builder.h - TextBuilder: appends text into a caller's fixed buffer, never past it.
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <span>
#include <string_view>

namespace ec {

/// Builds text in a fixed buffer owned by the caller (curl's "every buffer has a maximum"). An
/// append that does not fit marks the builder overflowed and writes nothing more; the caller
/// appends a whole unit and checks once with status(). No terminator is written.
class TextBuilder {
public:
  /// `storage` must outlive the builder and every view() taken from it.
  explicit TextBuilder(std::span<char> storage)
      : m_data(storage.data()), m_capacity(storage.size()) {}
  TextBuilder(const TextBuilder&) = delete;
  TextBuilder& operator=(const TextBuilder&) = delete;

  void append(std::string_view text) {
    if (m_overflowed || text.size() > m_capacity - m_size) {
      m_overflowed = true;
      return;
    }
    for (char c : text)
      m_data[m_size++] = c;
  }
  void append(char c) {
    if (m_overflowed || m_size == m_capacity) {
      m_overflowed = true;
      return;
    }
    m_data[m_size++] = c;
  }
  /// Empties the builder (and forgets an overflow) to build the next text in the same storage.
  void clear() {
    m_size = 0;
    m_overflowed = false;
  }
  /// Drops everything after the first `size` bytes (no effect if `size` >= size()).
  void truncate(std::size_t size) {
    if (size < m_size)
      m_size = size;
  }

  [[nodiscard]] bool overflowed() const { return m_overflowed; }
  /// What fits so far; valid until the next append or truncate.
  [[nodiscard]] std::string_view view() const { return {m_data, m_size}; }
  [[nodiscard]] std::size_t size() const { return m_size; }
  [[nodiscard]] std::size_t capacity() const { return m_capacity; }

  /// Success, or LimitExceeded "text: exceeds its buffer" with `what` (a string literal naming
  /// the buffer) as the detail once any append did not fit.
  [[nodiscard]] Status status(const char* what) const {
    if (m_overflowed)
      return make_error(ErrorCode::LimitExceeded, "text: exceeds its buffer").with_detail(what);
    return {};
  }

private:
  char* m_data;
  std::size_t m_capacity;
  std::size_t m_size = 0;
  bool m_overflowed = false;
};

} // namespace ec
