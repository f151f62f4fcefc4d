# toolchains/linux-cross-common.cmake - What both ARM toolchain files share (set EC_TRIPLE first).
#
# Debian's <triple>-gcc/g++, the cross sysroot /usr/<triple> as the only place target headers and
# libraries are searched (build-machine programs are still found on the host), fully static links
# with unreferenced sections dropped,
# and qemu-user as CMAKE_CROSSCOMPILING_EMULATOR so add_test, gtest_discover_tests and try_run run
# target binaries. The file is read again by every dependency build (ec_build_source_package passes
# CMAKE_TOOLCHAIN_FILE on), so it sets only what any project may see.
set(CMAKE_C_COMPILER ${EC_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${EC_TRIPLE}-g++)
# One section per function and object, and the linker drops what nothing references: with static
# libraries this takes ~260 KB off the stripped aarch64 edgecur (2.65 MB to 2.39 MB, MinSizeRel).
set(CMAKE_C_FLAGS_INIT "${EC_ARCH_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${EC_ARCH_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH /usr/${EC_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(EC_QEMU_PATH NAMES ${EC_QEMU})
if(EC_QEMU_PATH)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${EC_QEMU_PATH})
else()
  message(WARNING "${EC_QEMU} not found (apt-get install qemu-user-static): tests cannot run")
endif()
