// firmware/build_manifest.h - What went into this edgecur image, as the build recorded it.
#pragma once

namespace ec::firmware {

/// The build manifest (toolchains/deps/manifest.cmake): a line for edgecur and the toolchain,
/// then one per library linked, with its upstream version, exact Debian revision and origin.
/// The same text ships beside the binary as edgecur.manifest; `edgecur version --verbose`
/// prints it.
extern const char kBuildManifest[];

} // namespace ec::firmware
