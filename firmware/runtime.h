// firmware/runtime.h - Runtime: what every command that talks to the network runs with: the
// clock, the log, the random source and the connection's resources, from platform/.
#pragma once

#include "platform/system_host.h"

namespace ec::firmware {

using Runtime = platform::SystemHost;

} // namespace ec::firmware
