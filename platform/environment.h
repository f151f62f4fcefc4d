// platform/environment.h - The process's environment variables.
#pragma once

namespace ec::platform {

/// The value of the environment variable `name` (NUL-terminated), or nullptr when it is not set.
const char* environment_variable(const char* name);

} // namespace ec::platform
