# toolchains/x86_64-linux-gnu.cmake - The firmware profile for x86_64 appliances, built natively.
#
# What the ARM toolchain files give their targets, on the build machine's own compiler: fully
# static links with unreferenced sections dropped, and (with the x86_64 preset, EDGECUR_DEPS=source)
# zlib, SQLite with its fixed heap, mbedTLS and curl built from Debian's source packages. So the
# image that ships to an x86 appliance, and its TLS stack, are the ones whose tests run natively
# in CI, at full speed. Not a cross build: no CMAKE_SYSTEM_NAME, no sysroot, no emulator.
# Targets the x86-64 baseline (any 64-bit x86 CPU); core/codec picks SSE4.2/PCLMUL at run time.
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -Wl,--gc-sections")
