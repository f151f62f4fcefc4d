// platform/posix/terminal.cpp - Terminal detection with isatty.
#include "platform/terminal.h"

#include <unistd.h>

namespace ec::platform {

bool is_terminal(Stream stream) {
  return isatty(stream == Stream::Stdout ? STDOUT_FILENO : STDERR_FILENO) == 1;
}

} // namespace ec::platform
