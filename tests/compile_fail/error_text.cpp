// tests/compile_fail/error_text.cpp - An Error's message is a string literal, checked when
// compiling (ErrorText, core/base/error.h). Compiled once per case by tests/CMakeLists.txt: the
// case EC_CASE_accepts_literals must compile, every other case must fail to.
#include "core/base/error.h"
#include "platform/posix/errno_error.h"

namespace ec {

constexpr char kNamedArray[] = "test: a named constant array";
constexpr Error kConstantError = make_error(ErrorCode::Internal, "test: a constant error");

struct Table {
  ErrorText message;
};
constexpr Table kTable{"test: a message in a table"};

Error accepted(bool flag) {
  static constexpr char local[] = "test: a static constexpr array";
  ErrorText chosen = flag ? ErrorText("test: one literal") : ErrorText("test: another literal");
  chosen = "test: assigned a literal";
  Error error = flag ? make_error(ErrorCode::Internal, local) : kConstantError;
  error = make_lib_error(ErrorCode::Io, kNamedArray, ErrorLib::Errno, 5);
  error = make_error(ErrorCode::Internal, kTable.message);
  error = make_error(ErrorCode::Internal, chosen);
  return platform::errno_error("test: through a wrapper", 5).at(ErrorWhere::Line, error.position);
}

#if defined(EC_CASE_pointer)
Error refused(const char* text) {
  return make_error(ErrorCode::Internal, text);
}
#elif defined(EC_CASE_buffer)
Error refused() {
  char buffer[32] = "test: a buffer";
  return make_error(ErrorCode::Internal, buffer);
}
#elif defined(EC_CASE_writable_array)
Error refused() {
  static char writable[] = "test: a writable array";
  return make_error(ErrorCode::Internal, writable);
}
#elif defined(EC_CASE_local_array)
Error refused() {
  const char local[] = "test: an array on the stack";
  return make_error(ErrorCode::Internal, local);
}
#elif defined(EC_CASE_unterminated)
constexpr char kUnterminated[4] = {'t', 'e', 's', 't'};
Error refused() {
  return make_error(ErrorCode::Internal, kUnterminated);
}
#elif defined(EC_CASE_chosen_at_run_time)
Error refused(bool flag) {
  return make_error(ErrorCode::Internal, flag ? "test: short" : "test: a longer one");
}
#elif defined(EC_CASE_lib_error)
Error refused(const char* text) {
  return make_lib_error(ErrorCode::Io, text, ErrorLib::Errno, 5);
}
#elif defined(EC_CASE_wrapper)
Error refused(const char* text) {
  return platform::errno_error(text, 5);
}
#elif defined(EC_CASE_table_of_pointers)
struct PointerTable {
  const char* message;
};
constexpr PointerTable kPointers{"test: a pointer in a table"};
Error refused() {
  return make_error(ErrorCode::Internal, kPointers.message);
}
#elif !defined(EC_CASE_accepts_literals)
#error "no EC_CASE_... defined"
#endif

} // namespace ec
