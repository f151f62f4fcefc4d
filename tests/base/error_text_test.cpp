// tests/base/error_text_test.cpp - ErrorText: an Error's message is a string literal, kept as it
// is; the names of the codes. What must not compile is tried in tests/compile_fail/error_text.cpp.
#include "core/base/error.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <type_traits>

namespace ec {
namespace {

static_assert(std::is_constructible_v<ErrorText, const char (&)[5]>);
static_assert(!std::is_constructible_v<ErrorText, const char*>);
static_assert(!std::is_constructible_v<ErrorText, char (&)[5]>);
static_assert(!std::is_constructible_v<ErrorText, std::nullptr_t>);
static_assert(!std::is_default_constructible_v<ErrorText>);
static_assert(std::is_trivially_copyable_v<ErrorText> && std::is_trivially_copyable_v<Error>);

constexpr char kNamed[] = "test: a named array";
constexpr Error kConstant =
    make_lib_error(ErrorCode::Changed, "test: a constant", ErrorLib::None, 0);
static_assert(kConstant.code == ErrorCode::Changed);

TEST(ErrorText, TheMessageIsTheLiteralItself) {
  Error named = make_error(ErrorCode::Io, kNamed);
  EXPECT_EQ(named.message, kNamed); // the same array, never a copy
  ErrorText text = "test: a literal";
  EXPECT_STREQ(make_error(ErrorCode::Store, text).message, "test: a literal");
  EXPECT_EQ(make_error(ErrorCode::Store, text).message, text.c_str());
  EXPECT_STREQ(kConstant.message, "test: a constant");
}

TEST(ErrorCodeName, NamesEveryCode) {
  EXPECT_STREQ(error_code_name(ErrorCode::Changed), "changed");
  EXPECT_STREQ(error_code_name(ErrorCode::Store), "store");
  EXPECT_STREQ(error_code_name(ErrorCode::Network), "network");
  EXPECT_STREQ(error_code_name(ErrorCode::Conflict), "conflict");
  EXPECT_STREQ(error_code_name(ErrorCode::Internal), "internal");
}

} // namespace
} // namespace ec
