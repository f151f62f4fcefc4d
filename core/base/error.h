// core/base/error.h - Error, the small value every fallible edgecur function reports.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ec {

/// What went wrong, in terms a caller can act on. Switches over it name every enumerator.
enum class ErrorCode : std::uint8_t {
  InvalidArgument, ///< the caller passed something unusable (a bug or a bad setting)
  InvalidInput,    ///< the data is malformed (a CSV row, a number, a timestamp, an INI line)
  OutOfMemory,     ///< a fixed arena or pool is exhausted
  Overflow,        ///< a number does not fit its fixed-point range
  LimitExceeded,   ///< a configured maximum was crossed (row size, field size, key count)
  Truncated,       ///< the input ended in the middle of a unit (a gzip member, a CSV quote)
  Corrupt,         ///< compressed or stored data fails its own checks
  Unsupported,     ///< valid input we do not handle (ZIP with two entries, Parquet)
  NotFound,        ///< a file, column, setting or record is not there
  Io,              ///< the OS or a library failed to read or write
  Permission,      ///< access refused (file mode, credentials)
  Conflict,        ///< another writer changed what this one was working on
  Changed,         ///< what was being read was replaced meanwhile (an S3 object, a file)
  Store,           ///< the store's database failed (SQLite: an I/O error, a full disk, a lock)
  Network,         ///< a transfer failed on the way (connect, TLS, dropped, timed out): transient
  Internal,        ///< a library reported a state we did not expect
};

/// Which library's raw status `Error::lib_code` holds.
enum class ErrorLib : std::uint8_t { None, Errno, Zlib, Sqlite, Curl, MbedTls, Inih };

/// What `Error::position` counts.
enum class ErrorWhere : std::uint8_t { None, ByteOffset, Line, Column };

/// The message of an Error: a string literal, checked at compile time (SerenityOS's
/// Error::from_string_literal). Only a `const char (&)[N]` that ends in its terminator builds one,
/// and only in a constant expression: a pointer, a buffer or a text chosen at run time does not
/// compile. A function that passes a message on takes an ErrorText, so the check reaches its
/// callers.
class ErrorText {
public:
  /// Implicit, so that make_error(code, "component: fact") reads as before.
  template <std::size_t N> consteval ErrorText(const char (&literal)[N]) : m_text(literal) {
    if (literal[N - 1] != '\0')
      not_terminated(); // not constexpr: an array without its terminator does not compile
  }
  /// A writable array is not a literal.
  template <std::size_t N> ErrorText(char (&)[N]) = delete;

  [[nodiscard]] constexpr const char* c_str() const { return m_text; }

private:
  static void not_terminated() {}

  const char* m_text;
};

/// A trivially copyable error that owns no text, so the out-of-memory path works when memory is
/// gone. `message` is a string literal (an ErrorText) "component: lower-case fact"; `detail` is
/// nullptr or a string with static storage (a column name from a table, a setting name); neither
/// is ever a secret.
struct Error {
  ErrorCode code = ErrorCode::Internal;
  ErrorLib lib = ErrorLib::None;
  ErrorWhere where = ErrorWhere::None;
  std::int32_t lib_code = 0;
  const char* message = "";
  const char* detail = nullptr;
  std::uint64_t position = 0;

  /// The same error with a location attached (keeps an inner location if one is set already).
  [[nodiscard]] constexpr Error at(ErrorWhere kind, std::uint64_t value) const {
    Error copy = *this;
    if (copy.where == ErrorWhere::None) {
      copy.where = kind;
      copy.position = value;
    }
    return copy;
  }
  [[nodiscard]] constexpr Error with_detail(const char* text) const {
    Error copy = *this;
    copy.detail = text;
    return copy;
  }
};

[[nodiscard]] constexpr Error make_error(ErrorCode code, ErrorText message) {
  Error error;
  error.code = code;
  error.message = message.c_str();
  return error;
}

[[nodiscard]] constexpr Error make_lib_error(ErrorCode code, ErrorText message, ErrorLib lib,
                                             std::int32_t lib_code) {
  Error error = make_error(code, message);
  error.lib = lib;
  error.lib_code = lib_code;
  return error;
}

/// Short stable name of a code ("invalid-input"), for logs and tests.
const char* error_code_name(ErrorCode code);

/// Writes "message[: detail][ (at byte N | line N)][ [lib code]]" into `out` (always terminated).
/// Returns the length written, truncated to fit.
std::size_t format_error(const Error& error, char* out, std::size_t out_size);

/// Called by EC_CHECK on a broken invariant: prints and aborts. Never returns.
[[noreturn]] void check_failed(const char* file, int line, const char* condition);

} // namespace ec

/// An invariant of the program itself (not of its input); on in release builds.
#define EC_CHECK(condition)                                                                        \
  do {                                                                                             \
    if (__builtin_expect(!(condition), 0))                                                         \
      ::ec::check_failed(__FILE__, __LINE__, #condition);                                          \
  } while (0)
