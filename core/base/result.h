// core/base/result.h - Result<T> and Status: a value or an Error, without exceptions.
#pragma once

#include "core/base/error.h"

#include <new>
#include <type_traits>
#include <utility>

namespace ec {

/// Either a T or an Error. Check ok() before value(); value() on an error is a bug (EC_CHECK).
template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : m_ok(true) { new (&m_value) T(std::move(value)); } // NOLINT: implicit by design
  Result(Error error) : m_ok(false) { new (&m_error) Error(error); }   // NOLINT: implicit by design
  Result(const Result& other) : m_ok(other.m_ok) {
    if (m_ok)
      new (&m_value) T(other.m_value);
    else
      new (&m_error) Error(other.m_error);
  }
  Result(Result&& other) noexcept : m_ok(other.m_ok) {
    if (m_ok)
      new (&m_value) T(std::move(other.m_value));
    else
      new (&m_error) Error(other.m_error);
  }
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;
  ~Result() {
    if (m_ok)
      m_value.~T();
  }

  [[nodiscard]] bool ok() const { return m_ok; }
  [[nodiscard]] T& value() {
    EC_CHECK(m_ok);
    return m_value;
  }
  [[nodiscard]] const T& value() const {
    EC_CHECK(m_ok);
    return m_value;
  }
  [[nodiscard]] const Error& error() const {
    EC_CHECK(!m_ok);
    return m_error;
  }

private:
  union {
    T m_value;
    Error m_error;
  };
  bool m_ok;
};

/// Success or an Error. A default-constructed Status is success.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_ok(false), m_error(error) {} // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return m_ok; }
  [[nodiscard]] const Error& error() const {
    EC_CHECK(!m_ok);
    return m_error;
  }

private:
  bool m_ok = true;
  Error m_error;
};

using Status = Result<void>;

} // namespace ec

#define EC_CONCAT_INNER(a, b) a##b
#define EC_CONCAT(a, b) EC_CONCAT_INNER(a, b)

/// Returns the error of `expression` (a Result or Status) from the enclosing function, if any.
#define EC_TRY(expression)                                                                         \
  do {                                                                                             \
    auto&& ec_try_result_ = (expression);                                                          \
    if (__builtin_expect(!ec_try_result_.ok(), 0))                                                 \
      return ec_try_result_.error();                                                               \
  } while (0)

/// `EC_TRY_ASSIGN(auto x, f());` declares x from f()'s value or returns f()'s error.
/// (`declaration` is a declaration, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define EC_TRY_ASSIGN(declaration, expression)                                                     \
  auto&& EC_CONCAT(ec_try_assign_, __LINE__) = (expression);                                       \
  if (__builtin_expect(!EC_CONCAT(ec_try_assign_, __LINE__).ok(), 0))                              \
    return EC_CONCAT(ec_try_assign_, __LINE__).error();                                            \
  declaration = std::move(EC_CONCAT(ec_try_assign_, __LINE__).value())
// NOLINTEND(bugprone-macro-parentheses)
