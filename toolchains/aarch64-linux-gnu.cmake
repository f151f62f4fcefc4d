# toolchains/aarch64-linux-gnu.cmake - Cross build for 64-bit ARM Linux with Debian's cross compiler.
#
# apt-get install g++-aarch64-linux-gnu qemu-user-static (.ci/setup). Targets ARMv8-A with the
# CRC32 extension (every Cortex-A53/A55/A72/A76: Raspberry Pi 3, 4, 5 and most aarch64 boards):
# core/codec/crc32_fast.cpp uses it. Links fully static (the firmware image and the test
# binaries), so qemu-aarch64-static runs them without a target sysroot; the target libraries
# come from Debian's source packages (EDGECUR_DEPS=source, toolchains/deps/target-deps.cmake),
# glibc and libstdc++ from Debian's libc6-dev-arm64-cross (glibc 2.36-8).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EC_TRIPLE aarch64-linux-gnu)
set(EC_ARCH_FLAGS "-march=armv8-a+crc")
set(EC_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
