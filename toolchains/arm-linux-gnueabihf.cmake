# toolchains/arm-linux-gnueabihf.cmake - Cross build for 32-bit ARMv7 hard-float Linux (armhf).
#
# apt-get install g++-arm-linux-gnueabihf qemu-user-static (.ci/setup). Debian's armhf baseline:
# ARMv7-A, Thumb-2, VFPv3-D16, no NEON assumed (so the CSV reader uses its portable kernel and
# CRC-32 is zlib's). 32-bit: size_t and long are 32 bits, and there is no __int128, so the
# portable Int128 is used. Links fully static, like toolchains/aarch64-linux-gnu.cmake.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(EC_TRIPLE arm-linux-gnueabihf)
# -Wno-psabi: GCC's note that passing some structs (std::span) changed in GCC 7.1; everything
# here is built by GCC 12, so it concerns nothing we link.
# 64-bit off_t, ino_t and time_t (glibc >= 2.34): without them readdir() fails with EOVERFLOW on
# file systems with 64-bit inode numbers (DirObjectStoreTest saw it under qemu) and time_t ends
# in 2038. Given to every dependency build too, so no library sees the other ABI (inih, Debian's
# binary, has no off_t or time_t in its interface).
set(EC_ARCH_FLAGS "-Wno-psabi -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64")
set(EC_QEMU qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
