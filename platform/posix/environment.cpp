// platform/posix/environment.cpp - getenv, the one place it is called.
#include "platform/environment.h"

#include <cstdlib>

namespace ec::platform {

const char* environment_variable(const char* name) {
  return std::getenv(name);
}

} // namespace ec::platform
