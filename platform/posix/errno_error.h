// platform/posix/errno_error.h - errno as an Error: the one mapping the POSIX files share.
#pragma once

#include "core/base/error.h"

#include <cerrno>

namespace ec::platform {

/// NotFound for ENOENT and ENOTDIR, Permission for EACCES and EPERM, Io otherwise.
inline ErrorCode errno_code(int error_number) {
  if (error_number == ENOENT || error_number == ENOTDIR)
    return ErrorCode::NotFound;
  if (error_number == EACCES || error_number == EPERM)
    return ErrorCode::Permission;
  return ErrorCode::Io;
}

/// {errno_code(error_number), message, ErrorLib::Errno, error_number}.
inline Error errno_error(ErrorText message, int error_number) {
  return make_lib_error(errno_code(error_number), message, ErrorLib::Errno, error_number);
}

/// As errno_error, with the message a technician reads for a missing or forbidden file ("file:
/// does not exist", "file: permission denied"), and `other_message` for anything else.
inline Error file_errno_error(int error_number, ErrorText other_message) {
  ErrorCode code = errno_code(error_number); // ifs, not a switch with default: over ErrorCode
  if (code == ErrorCode::NotFound)
    return errno_error("file: does not exist", error_number);
  if (code == ErrorCode::Permission)
    return errno_error("file: permission denied", error_number);
  return errno_error(other_message, error_number);
}

} // namespace ec::platform
