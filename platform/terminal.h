// platform/terminal.h - Whether an output stream is an interactive terminal.
#pragma once

namespace ec::platform {

enum class Stream { Stdout, Stderr };

/// True when `stream` is a terminal (progress lines are shown only then).
bool is_terminal(Stream stream);

} // namespace ec::platform
