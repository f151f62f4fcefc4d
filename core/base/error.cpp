// core/base/error.cpp - Names and text formatting for Error.
#include "core/base/error.h"

#include <cstdio>
#include <cstdlib>

namespace ec {

const char* error_code_name(ErrorCode code) {
  switch (code) {
  case ErrorCode::InvalidArgument:
    return "invalid-argument";
  case ErrorCode::InvalidInput:
    return "invalid-input";
  case ErrorCode::OutOfMemory:
    return "out-of-memory";
  case ErrorCode::Overflow:
    return "overflow";
  case ErrorCode::LimitExceeded:
    return "limit-exceeded";
  case ErrorCode::Truncated:
    return "truncated";
  case ErrorCode::Corrupt:
    return "corrupt";
  case ErrorCode::Unsupported:
    return "unsupported";
  case ErrorCode::NotFound:
    return "not-found";
  case ErrorCode::Io:
    return "io";
  case ErrorCode::Permission:
    return "permission";
  case ErrorCode::Conflict:
    return "conflict";
  case ErrorCode::Changed:
    return "changed";
  case ErrorCode::Store:
    return "store";
  case ErrorCode::Network:
    return "network";
  case ErrorCode::Internal:
    return "internal";
  }
  return "unknown";
}

static const char* lib_name(ErrorLib lib) {
  switch (lib) {
  case ErrorLib::None:
    return "";
  case ErrorLib::Errno:
    return "errno";
  case ErrorLib::Zlib:
    return "zlib";
  case ErrorLib::Sqlite:
    return "sqlite";
  case ErrorLib::Curl:
    return "curl";
  case ErrorLib::MbedTls:
    return "mbedtls";
  case ErrorLib::Inih:
    return "inih";
  }
  return "";
}

std::size_t format_error(const Error& error, char* out, std::size_t out_size) {
  if (out_size == 0)
    return 0;
  int used = std::snprintf(out, out_size, "%s", error.message ? error.message : "");
  // Each piece is formatted with a literal format so -Wformat checks it.
#define EC_APPEND(...)                                                                             \
  do {                                                                                             \
    if (used >= 0 && static_cast<std::size_t>(used) < out_size) {                                  \
      int more =                                                                                   \
          std::snprintf(out + used, out_size - static_cast<std::size_t>(used), __VA_ARGS__);       \
      if (more > 0)                                                                                \
        used += more;                                                                              \
    }                                                                                              \
  } while (0)
  if (error.detail && error.detail[0])
    EC_APPEND(": %s", error.detail);
  switch (error.where) {
  case ErrorWhere::None:
    break;
  case ErrorWhere::ByteOffset:
    EC_APPEND(" (at byte %llu)", static_cast<unsigned long long>(error.position));
    break;
  case ErrorWhere::Line:
    EC_APPEND(" (line %llu)", static_cast<unsigned long long>(error.position));
    break;
  case ErrorWhere::Column:
    EC_APPEND(" (column %llu)", static_cast<unsigned long long>(error.position));
    break;
  }
  if (error.lib != ErrorLib::None)
    EC_APPEND(" [%s %d]", lib_name(error.lib), static_cast<int>(error.lib_code));
#undef EC_APPEND
  if (used < 0)
    return 0;
  std::size_t length = static_cast<std::size_t>(used);
  return length < out_size ? length : out_size - 1;
}

void check_failed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "edgecur: internal check failed at %s:%d: %s\n", file, line, condition);
  std::abort();
}

} // namespace ec
